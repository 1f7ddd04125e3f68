"""What `docker version` and `docker info` say about a host, as plain data."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

from django.conf import settings

from console.engine import EngineError, client, engine_call


@dataclass
class HostStatus:
    id: int
    name: str
    url: str
    status: str  # "up" | "down"
    engine_version: str | None = None
    api_version: str | None = None
    error: str | None = None

    def as_api(self) -> dict:
        data = asdict(self)
        data.pop("error")
        return data


@dataclass
class HostInfo:
    containers_running: int
    containers_paused: int
    containers_stopped: int
    images: int
    os: str
    kernel: str
    cpus: int
    memory: int
    architecture: str
    storage_driver: str
    cgroup_version: str
    engine_host_name: str


def status(host) -> HostStatus:
    """Up or down, with versions; a down engine answers within DOCKER_PING_TIMEOUT."""
    result = HostStatus(id=host.pk, name=host.name, url=host.endpoint, status="down")
    try:
        with engine_call(host, probe=True):
            docker_client = client(host, timeout=settings.DOCKER_PING_TIMEOUT, probe=True)
            version = docker_client.version()
    except EngineError as exc:
        result.error = exc.message
        return result
    result.status = "up"
    result.engine_version = version.get("Version")
    result.api_version = version.get("ApiVersion")
    return result


def statuses(hosts) -> list[HostStatus]:
    """Every host's status, asked in parallel so one dead host does not delay the rest."""
    hosts = list(hosts)
    if len(hosts) <= 1:
        return [status(h) for h in hosts]
    with ThreadPoolExecutor(max_workers=min(8, len(hosts))) as pool:
        return list(pool.map(status, hosts))


def info(host) -> HostInfo:
    with engine_call(host):
        data = client(host).info()
    return HostInfo(
        containers_running=data.get("ContainersRunning", 0),
        containers_paused=data.get("ContainersPaused", 0),
        containers_stopped=data.get("ContainersStopped", 0),
        images=data.get("Images", 0),
        os=data.get("OperatingSystem", ""),
        kernel=data.get("KernelVersion", ""),
        cpus=data.get("NCPU", 0),
        memory=data.get("MemTotal", 0),
        architecture=data.get("Architecture", ""),
        storage_driver=data.get("Driver", ""),
        cgroup_version=str(data.get("CgroupVersion", "")),
        engine_host_name=data.get("Name", ""),
    )
