import docker
import pytest

from console.models import AuditEntry
from containers.models import Container
from tests.conftest import LABELS, api_url, csrf_post, unique


class TestRun:
    def test_it_runs_detached_with_everything_docker_run_takes(
        self, api, engine, test_image, cleanup_names, user
    ):
        name = unique("run")
        cleanup_names.append(name)
        response = api.post(
            api_url("containers/"),
            {
                "image": test_image,
                "name": name,
                "command": ["sh", "-c", "echo $GREETING; sleep 3600"],
                "tty": True,
                "stdin_open": True,
                "env": ["GREETING=hello world"],
                "ports": {"8080/tcp": None},
                "restart_policy": "unless-stopped",
                "labels": LABELS,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["name"] == name
        inspected = engine.api.inspect_container(name)
        assert inspected["Id"] == body["id"]
        assert inspected["State"]["Running"]
        assert inspected["Config"]["Tty"] and inspected["Config"]["OpenStdin"]
        assert "GREETING=hello world" in inspected["Config"]["Env"]
        assert inspected["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"
        assert inspected["NetworkSettings"]["Ports"]["8080/tcp"][0]["HostPort"]
        assert Container.objects.get(container_id=body["id"]).created_by == user
        assert AuditEntry.objects.filter(action="run", target=name, user=user).exists()

    def test_the_form_runs_and_shows_the_cli_equivalent(self, web, engine, test_image, cleanup_names):
        name = unique("form")
        cleanup_names.append(name)
        response = csrf_post(
            web,
            "/hosts/local/run/",
            {
                "image": test_image,
                "name": name,
                "command": "sleep 3600",
                "env": "A=1\nB=two words",
                "ports": "127.0.0.1:18080:80",
                "labels": "\n".join(f"{k}={v}" for k, v in LABELS.items()),
                "restart_policy": "no",
            },
            follow=True,
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert f"docker run -d --name {name} -e A=1 -e &#x27;B=two words&#x27;" in page
        inspected = engine.api.inspect_container(name)
        assert inspected["HostConfig"]["PortBindings"]["80/tcp"] == [
            {"HostIp": "127.0.0.1", "HostPort": "18080"}
        ]

    def test_the_form_publishes_host_ports_as_docker_run_p_does(self, web, engine, test_image, cleanup_names):
        name = unique("ports")
        cleanup_names.append(name)
        lines = "18765:80\n18766:81/udp\n82\n127.0.0.1:18767:83"
        csrf_post(
            web,
            "/hosts/local/run/",
            {
                "image": test_image,
                "name": name,
                "command": "sleep 3600",
                "ports": lines,
                "restart_policy": "no",
                "labels": "\n".join(f"{k}={v}" for k, v in LABELS.items()),
            },
        )
        bindings = engine.api.inspect_container(name)["HostConfig"]["PortBindings"]
        assert bindings["80/tcp"] == [{"HostIp": "", "HostPort": "18765"}]
        assert bindings["81/udp"] == [{"HostIp": "", "HostPort": "18766"}]
        assert bindings["82/tcp"] == [{"HostIp": "", "HostPort": ""}]
        assert bindings["83/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": "18767"}]

    def test_the_form_refuses_a_port_out_of_range(self, web, test_image):
        response = csrf_post(
            web, "/hosts/local/run/", {"image": test_image, "ports": "70000:80", "restart_policy": "no"}
        )
        assert response.status_code == 200
        assert "must be a port number" in response.content.decode()

    def test_it_refuses_a_duplicate_name(self, api, make_container, test_image):
        existing = make_container()
        response = api.post(
            api_url("containers/"),
            {"image": test_image, "name": existing.name, "labels": LABELS},
            content_type="application/json",
        )
        assert response.status_code == 409
        assert "already in use" in response.json()["error"]

    @pytest.mark.parametrize("bad_name", ["-leading-dash", "with space", "a", "slash/inside"])
    def test_it_refuses_an_invalid_name_before_asking_the_engine(self, api, test_image, bad_name):
        response = api.post(
            api_url("containers/"), {"image": test_image, "name": bad_name}, content_type="application/json"
        )
        assert response.status_code == 400
        assert "not a valid container name" in response.json()["error"]

    def test_the_form_explains_an_invalid_name(self, web, test_image):
        response = csrf_post(
            web, "/hosts/local/run/", {"image": test_image, "name": "bad name", "restart_policy": "no"}
        )
        assert response.status_code == 200
        assert "is not a valid container name" in response.content.decode()

    @pytest.mark.parametrize(
        "body, words",
        [
            ({}, "`image` is required"),
            ({"image": "x", "env": ["NOEQUALS"]}, "KEY=value"),
            ({"image": "x", "ports": {"eighty": 80}}, "Container port"),
            ({"image": "x", "ports": {"80/tcp": 70000}}, "Host port"),
            ({"image": "x", "ports": {"80/tcp": True}}, "Host port"),
            ({"image": "x", "ports": {"80/tcp": "999.1.1.1:80"}}, "Host port"),
            ({"image": "x", "ports": {"70000/tcp": 80}}, "Container port"),
            ({"image": "x", "env": ["A\x00B=1"]}, "KEY=value"),
            ({"image": "x", "restart_policy": "sometimes"}, "Restart policy"),
            ({"image": "x", "tty": "yes"}, "`tty` must be true or false"),
            ({"image": "x", "command": 5}, "`command`"),
        ],
    )
    def test_it_explains_bad_input(self, api, db, body, words):
        response = api.post(api_url("containers/"), body, content_type="application/json")
        assert response.status_code == 400
        assert words in response.json()["error"]
        assert response.json()["code"] == "bad_request"

    def test_it_explains_a_body_nested_too_deeply(self, api, db):
        response = api.post(
            api_url("containers/"), "[" * 100000 + "]" * 100000, content_type="application/json"
        )
        assert response.status_code == 400
        assert "nested too deeply" in response.json()["error"]

    def test_it_explains_a_body_that_is_not_json(self, api, db):
        response = api.post(api_url("containers/"), "{not json", content_type="application/json")
        assert response.status_code == 400
        assert "not valid JSON" in response.json()["error"]

    def test_it_explains_an_image_that_is_nowhere(self, api, engine, cleanup_names):
        name = unique("noimg")
        cleanup_names.append(name)
        response = api.post(
            api_url("containers/"),
            {"image": f"127.0.0.1:1/dconsole-missing/{name}:1", "name": name, "labels": LABELS},
            content_type="application/json",
        )
        assert response.status_code == 404
        assert "is not on host local, and pulling it failed" in response.json()["error"]
        with pytest.raises(docker.errors.NotFound):
            engine.containers.get(name)

    def test_a_container_that_cannot_start_is_not_left_behind(self, api, engine, test_image, cleanup_names):
        name = unique("nostart")
        cleanup_names.append(name)
        response = api.post(
            api_url("containers/"),
            {"image": test_image, "name": name, "command": ["/no/such/binary"], "labels": LABELS},
            content_type="application/json",
        )
        assert response.status_code in (400, 502)
        assert "/no/such/binary" in response.json()["error"]
        with pytest.raises(docker.errors.NotFound):
            engine.containers.get(name)
