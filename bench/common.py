"""What the benchmarks share.

- `Console`: daphne serving `console.asgi:application` on a free loopback port, in a
  subprocess, with its own CONSOLE_DATA_DIR, a user and an API token from
  `manage.py create_token`; stopped and its directory removed at the end.
- `bench_image(engine, label, tag)`: a busybox image FROM scratch (no registry), labelled.
- `cleanup(engine, label)`: every container and image carrying the benchmark's label.
- `session(label, tag)`: the engine client and the image; at the end the console stopped
  and `cleanup` run, whatever happened.
- `Proc`: RSS and CPU time of a process, from /proc; `RssSampler`: its RSS every 50 ms.
- `engine_connections(pid)`: connections a process holds to the engine's socket (`ss -xa`).
- `alternate(run, a, b)`: which goes first in a run, so neither side always has the warm start.
- `spread`, `table`, `report`: median (min–max) over the runs, and the tables printed.
"""

import contextlib
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import docker

ROOT = Path(__file__).resolve().parents[1]
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Console:
    """daphne serving the console, with its own data directory, a user and a token.

    `env`: more environment for the server (settings such as UPLOAD_LIMIT_MB)."""

    def __init__(self, **env: str):
        self.workdir = Path(tempfile.mkdtemp(prefix="dconsole-bench-"))
        self.data = self.workdir / "data"
        self.data.mkdir()
        self.port = free_port()
        self.env = {
            **os.environ,
            "CONSOLE_DATA_DIR": str(self.data),
            "DJANGO_SETTINGS_MODULE": "console.settings",
            **env,
        }
        self.env.pop("DEBUG", None)
        self.manage("migrate", "--noinput", "-v0")
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User; User.objects.create_superuser('bench', '', 'x')",
        )
        self.token = self.manage("create_token", "bench").strip()
        self.log = open(self.workdir / "daphne.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "console.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.pid = self.process.pid
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/accounts/login/", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise SystemExit("daphne did not start:\n" + (self.workdir / "daphne.log").read_text())

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


def bench_image(engine, label: dict, tag: str) -> str:
    """Build FROM scratch with the machine's static busybox (apt-get install busybox-static)."""
    busybox = shutil.which("busybox") or "/bin/busybox"
    dockerfile = (
        b"FROM scratch\nCOPY busybox /bin/busybox\n"
        b'RUN ["/bin/busybox", "--install", "-s", "/bin"]\nCMD ["/bin/sh"]\n'
    )
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        tar.add(busybox, arcname="busybox")
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(dockerfile)
        tar.addfile(info, io.BytesIO(dockerfile))
    context.seek(0)
    engine.images.build(fileobj=context, custom_context=True, tag=tag, labels=label, rm=True, forcerm=True)
    return tag


def cleanup(engine, label: dict) -> None:
    selector = ",".join(f"{k}={v}" for k, v in label.items())
    for container in engine.containers.list(all=True, filters={"label": selector}):
        try:
            container.remove(force=True)
        except docker.errors.NotFound:
            pass
    for image in engine.images.list(filters={"label": selector}):
        try:
            engine.images.remove(image.id, force=True)
        except docker.errors.NotFound:
            pass


class Session:
    """What `session` yields: the engine client and the console, once `console()` started it."""

    def __init__(self, engine):
        self.engine = engine
        self.server: Console | None = None

    def console(self, **env: str) -> Console:
        self.server = Console(**env)
        return self.server


@contextlib.contextmanager
def session(label: dict, tag: str, timeout: int = 120):
    """The engine client with the bench image built; the console stopped and everything carrying
    `label` removed at the end, however the benchmark ended."""
    engine = docker.from_env(timeout=timeout)
    bench = Session(engine)
    try:
        bench_image(engine, label, tag)
        yield bench
    finally:
        if bench.server:
            bench.server.stop()
        cleanup(engine, label)


class Proc:
    """A process's resident memory and CPU time, from /proc."""

    def __init__(self, pid: int):
        self.pid = pid

    def rss(self) -> int:
        with open(f"/proc/{self.pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def cpu_seconds(self, children: bool = False) -> float:
        with open(f"/proc/{self.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        # utime, stime are fields 14 and 15 of stat (12 and 13 after the name); cutime, cstime follow
        ticks = int(fields[11]) + int(fields[12])
        if children:
            ticks += int(fields[13]) + int(fields[14])
        return ticks / CLK_TCK


class RssSampler:
    """A process's RSS every 50 ms while the block runs: `samples`, `before`, `peak`, `growth`."""

    def __init__(self, pid: int):
        self.proc = Proc(pid)
        self.samples: list[int] = []

    def __enter__(self):
        self.samples.append(self.proc.rss())
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while not self.done.is_set():
            self.samples.append(self.proc.rss())
            time.sleep(0.05)

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()
        self.samples.append(self.proc.rss())

    @property
    def before(self) -> int:
        return self.samples[0]

    @property
    def peak(self) -> int:
        return max(self.samples)

    @property
    def growth(self) -> int:
        return self.peak - self.before


def engine_connections(pid: int, path: str = "/var/run/docker.sock") -> int:
    """Connections process `pid` holds to the engine socket at `path` (from `ss -xa`)."""
    mine = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(target[8:-1])
    engine_side, peers = set(), {}
    listing = subprocess.run(["ss", "-xa"], capture_output=True, text=True, check=True).stdout.splitlines()
    for line in listing[1:]:
        fields = line.split()
        if len(fields) >= 8:
            if fields[4] == path:
                engine_side.add(fields[5])
            peers[fields[5]] = fields[7]
    return sum(1 for inode in mine if peers.get(inode) in engine_side)


def alternate(run: int, first: str, second: str) -> tuple[str, str]:
    """Which goes first in run `run` (from 0): `first` in even runs, `second` in odd ones."""
    return (first, second) if run % 2 == 0 else (second, first)


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """`median (min–max)` of repeated measurements."""
    if not values:
        return "-"
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def table(headers: list[str], rows: list[list]) -> str:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=False)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False))  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def report(headers: list[str], rows: list[list], summary_headers: list[str], summary: list[list]) -> None:
    """Each run's table, then the summary's (median (min–max) over the runs)."""
    print(table(headers, rows))
    print()
    print(table(summary_headers, summary))
