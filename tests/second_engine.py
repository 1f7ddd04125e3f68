"""A second Docker engine of the test's own, beside the main one, that a test may stop.

It has its own data root, exec root, pid file and socket under a fresh directory in
/tmp (short: a unix socket path must fit in 108 bytes), no iptables rules, the vfs
storage driver (nothing to mount), and a bridge of its own that the fixture makes.
Never `--bridge=none`: a dockerd started so deletes the interface `docker0`, the main
engine's bridge, and every container of the main engine loses its network. The test
image is copied into it with `docker save` / `docker load`. At the end the daemon, its
containerd, its shims and its containers' processes are ended, mounts under its
directory undone, the directory and the bridge removed.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import docker
import pytest

from console.models import Host
from tests.conftest import LABELS


class SecondEngine:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="dc2-", dir="/tmp")
        self.socket = os.path.join(self.root, "docker.sock")
        self.url = f"unix://{self.socket}"
        self.process: subprocess.Popen | None = None
        self.client: docker.DockerClient | None = None
        self.bridge = ""
        self.container_pids: list[int] = []  # ended at clean-up even if the daemon was killed

    def start(self, timeout: float = 60) -> docker.DockerClient:
        dockerd = shutil.which("dockerd")
        if dockerd is None or os.geteuid() != 0:
            pytest.fail("A second engine needs dockerd and root (the main engine's own tests do).")
        self.bridge = self._make_bridge()
        config = os.path.join(self.root, "daemon.json")
        with open(config, "w") as handle:
            handle.write("{}")
        log = open(os.path.join(self.root, "dockerd.log"), "ab")  # noqa: SIM115 - kept by the child
        self.process = subprocess.Popen(
            [
                dockerd,
                f"--config-file={config}",
                f"--data-root={self.root}/data",
                f"--exec-root={self.root}/exec",
                f"--pidfile={self.root}/dockerd.pid",
                f"--host={self.url}",
                f"--bridge={self.bridge}",
                "--iptables=false",
                "--ip-masq=false",
                "--storage-driver=vfs",
                "--shutdown-timeout=2",
                # As many production engines: a stop or restart of the daemon leaves the
                # containers running, so a stream breaks because the engine went, not its container.
                "--live-restore",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                engine = docker.DockerClient(base_url=self.url, timeout=30)
                engine.ping()
                return engine
            except Exception as exc:  # noqa: BLE001 - not up yet
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"The second engine did not start: {exc}\n{self.log_tail()}")
                time.sleep(0.1)

    def log_tail(self, lines: int = 20) -> str:
        try:
            with open(os.path.join(self.root, "dockerd.log"), errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 30, crash: bool = False) -> None:
        """Stop the engine as `systemctl stop docker` does (SIGTERM), or as a crash does
        (`crash`: SIGKILL), and wait for it to go."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if crash else signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def kill(self) -> None:
        """End every process of this engine (daemon, its containerd, shims) and remove its files."""
        if self.process and self.process.poll() is None:
            try:
                for container in self.client.containers.list(all=True):
                    container.remove(force=True)
            except Exception:  # noqa: BLE001 - cleaning up; the kills below still run
                pass
            self.stop(timeout=20)
        for pid in [*self.container_pids, *self._own_processes()]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for mount in sorted(self._own_mounts(), reverse=True):
            subprocess.run(["umount", "-l", mount], check=False, capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)
        if self.bridge:
            subprocess.run(["ip", "link", "delete", self.bridge], check=False, capture_output=True)

    def _make_bridge(self) -> str:
        """A bridge interface with a /24 no route of this machine uses yet."""
        name = f"dc2-{uuid.uuid4().hex[:6]}"
        routes = subprocess.run(["ip", "-4", "route"], capture_output=True, text=True, check=True).stdout
        for third in range(200, 256):
            if f"10.213.{third}." not in routes:
                break
        else:
            pytest.fail("No free 10.213.x.0/24 for the second engine's bridge.")
        for command in (
            ["ip", "link", "add", name, "type", "bridge"],
            ["ip", "addr", "add", f"10.213.{third}.1/24", "dev", name],
            ["ip", "link", "set", name, "up"],
        ):
            subprocess.run(command, check=True, capture_output=True)
        return name

    def _own_processes(self) -> list[int]:
        """Processes whose command line names this engine's directory (containerd and its shims)."""
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if self.root.encode() in handle.read():
                        found.append(int(entry))
            except OSError:
                pass
        return found

    def _own_mounts(self) -> list[str]:
        with open("/proc/mounts") as handle:
            return [line.split()[1] for line in handle if line.split()[1].startswith(self.root)]


@pytest.fixture
def second_engine(engine, test_image, db):
    """(engine client, Host row) for a second engine with the test image; stopped and removed after."""
    second = SecondEngine()
    try:
        client = second.start()
        client.images.load(engine.images.get(test_image).save(named=True))
        host = Host.objects.create(name=f"engine2-{uuid.uuid4().hex[:6]}", url=second.url)
        second.client, second.host = client, host
        yield second
    finally:
        second.kill()


def run_on(second: SecondEngine, image: str, command, **kwargs):
    """A running container on the second engine (no network: it has no bridge)."""
    container = second.client.containers.run(
        image, command, detach=True, network_mode="none", labels=LABELS, **kwargs
    )
    container.reload()
    second.container_pids.append(container.attrs["State"]["Pid"])
    return container
