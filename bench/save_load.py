"""Benchmark: `docker save` and `docker load` of a ~1 GB image through the console vs the docker CLI.

    .venv/bin/python bench/save_load.py [--size-gb 1] [--repeat 3]

Builds a labelled image (FROM scratch, a static busybox and SIZE GB of random bytes made
by dd from /dev/urandom), serves the console with daphne on a free loopback port with
its own CONSOLE_DATA_DIR and an API token from `manage.py create_token`, then, in the
same run and alternating the order:

- save: `docker save IMAGE > /dev/null` vs GET /api/v1/hosts/local/images/save?ref=IMAGE
  read by a client that discards the bytes. Goal: ≥ 0.9× the CLI's throughput.
- load: `docker load -i TAR` vs POST /api/v1/hosts/local/images/load with the same tar
  as the raw body, the image removed before each run. Goal: ≥ 0.6× the CLI's throughput.
- the daphne process's resident memory (VmRSS) sampled every 50 ms: growth over its
  level before the transfer. Goal: < 64 MB.

Prints each run, the median and the spread (min–max), and the ratios. Removes the image,
the tar and the data directory at the end. No timeouts anywhere: `--size-gb 4` runs the
4 GB case once and says how long each transfer took.
"""

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABEL = "dconsole.bench=save_load"
MB = 1_000_000
READ = 1024 * 1024


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_image(tag: str, size_gb: float, workdir: Path) -> int:
    """The bench image; returns the size of its data layer in bytes."""
    context = workdir / "context"
    context.mkdir()
    busybox = shutil.which("busybox") or "/bin/busybox"
    shutil.copy(busybox, context / "busybox")
    count = int(size_gb * 1024)
    print(f"making {count} MiB of random data with dd…", flush=True)
    sh("dd", "if=/dev/urandom", f"of={context / 'data.bin'}", "bs=1M", f"count={count}", "status=none")
    (context / "Dockerfile").write_text(
        'FROM scratch\nCOPY busybox /bin/busybox\nCOPY data.bin /data.bin\nCMD ["/bin/busybox", "sh"]\n'
    )
    print(f"building {tag}…", flush=True)
    sh("docker", "build", "-q", "--label", LABEL, "-t", tag, str(context), stdout=subprocess.DEVNULL)
    (context / "data.bin").unlink()
    return count * 1024 * 1024


class Console:
    """daphne serving the console, with its own data directory, a user and a token."""

    def __init__(self, workdir: Path):
        self.data = workdir / "console-data"
        self.data.mkdir()
        self.port = free_port()
        self.env = {
            **os.environ,
            "CONSOLE_DATA_DIR": str(self.data),
            "DJANGO_SETTINGS_MODULE": "console.settings",
            "UPLOAD_LIMIT_MB": str(64 * 1024),
        }
        self.manage("migrate", "--noinput", "-v0")
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User; User.objects.create_superuser('bench', '', 'x')",
        )
        self.token = self.manage("create_token", "bench").strip()
        self.log = open(self.data / "daphne.log", "w")  # noqa: SIM115 - closed in stop()
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
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/accounts/login/", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise SystemExit("daphne did not start:\n" + (self.data / "daphne.log").read_text())

    def manage(self, *args) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, blocksize=READ)

    def headers(self, **extra):
        return {"Authorization": f"Bearer {self.token}", **extra}

    def rss(self) -> int:
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Peak:
    """Samples the server's RSS every 50 ms while a transfer runs; growth over the level before it."""

    def __init__(self, console: Console):
        self.console = console

    def __enter__(self):
        self.before = self.console.rss()
        self.peak = self.before
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, self.console.rss())
            time.sleep(0.05)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, self.console.rss())

    @property
    def growth(self) -> int:
        return self.peak - self.before


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def cli_save(image: str) -> int:
    with open(os.devnull, "wb") as null:
        sh("docker", "save", image, stdout=null)
    return 0


def console_save(console: Console, image: str, rate: float = 0) -> int:
    """GET the save, discarding the bytes; `rate` MB/s > 0 reads no faster than that (a slow browser)."""
    connection = console.connection()
    connection.request("GET", f"/api/v1/hosts/local/images/save?ref={image}", headers=console.headers())
    response = connection.getresponse()
    if response.status != 200:
        raise SystemExit(f"save answered {response.status}: {response.read()[:500]!r}")
    received = 0
    started = time.perf_counter()
    while data := response.read(READ):
        received += len(data)
        if rate and (ahead := received / (rate * MB) - (time.perf_counter() - started)) > 0:
            time.sleep(ahead)
    connection.close()
    return received


def remove_image(image: str):
    subprocess.run(["docker", "rmi", "-f", image], check=False, capture_output=True)


def cli_load(path: Path) -> str:
    return sh("docker", "load", "-i", str(path), capture_output=True, text=True).stdout.strip()


def console_load(console: Console, path: Path) -> str:
    connection = console.connection()
    with open(path, "rb") as body:
        connection.request(
            "POST",
            "/api/v1/hosts/local/images/load",
            body=body,
            headers=console.headers(
                **{"Content-Type": "application/x-tar", "Content-Length": str(path.stat().st_size)}
            ),
        )
    response = connection.getresponse()
    answer = response.read().decode()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"load answered {response.status}: {answer[:500]}")
    return answer


def mbps(size: int, seconds: float) -> float:
    return size / MB / seconds


def summary(name: str, values: list[float]) -> str:
    if len(values) == 1:
        return f"{name} {values[0]:.0f} MB/s"
    return f"{name} median {statistics.median(values):.0f} MB/s (spread {min(values):.0f}–{max(values):.0f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-gb", type=float, default=1.0)
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs of each (default 3; 1 for 4 GB and more)"
    )
    parser.add_argument("--only", choices=["save", "load"], default=None)
    parser.add_argument("--image", help="use this existing image instead of building one (kept afterwards)")
    parser.add_argument(
        "--slow-client",
        type=float,
        default=0,
        metavar="MBPS",
        help="also save once to a client reading no faster than this: the server must not buffer the rest",
    )
    args = parser.parse_args()
    repeat = args.repeat or (3 if args.size_gb < 2 else 1)
    run_id = f"{os.getpid()}-{int(time.time())}"
    image = args.image or f"dconsole-bench/save-load:{run_id}"
    workdir = Path(tempfile.mkdtemp(prefix="dconsole-bench-"))
    console = None
    try:
        if not args.image:
            build_image(image, args.size_gb, workdir)
        console = Console(workdir)
        tar = workdir / "image.tar"
        sh("docker", "save", "-o", str(tar), image)
        size = tar.stat().st_size
        print(
            f"image {image}: tar of {size / MB:.0f} MB; console on port {console.port}; {repeat} run(s) each"
        )
        results = {
            "save": {"cli": [], "console": [], "rss": []},
            "load": {"cli": [], "console": [], "rss": []},
        }

        if args.only in (None, "save"):
            for run in range(repeat):
                order = ["cli", "console"] if run % 2 == 0 else ["console", "cli"]
                for who in order:
                    if who == "cli":
                        seconds, _ = timed(lambda: cli_save(image))
                        results["save"]["cli"].append(mbps(size, seconds))
                        print(
                            f"  save  cli      {seconds:7.1f} s  {mbps(size, seconds):6.0f} MB/s", flush=True
                        )
                    else:
                        with Peak(console) as peak:
                            seconds, received = timed(lambda: console_save(console, image))
                        assert received == size, (received, size)
                        results["save"]["console"].append(mbps(size, seconds))
                        results["save"]["rss"].append(peak.growth / MB)
                        print(
                            f"  save  console  {seconds:7.1f} s  {mbps(size, seconds):6.0f} MB/s"
                            f"  RSS +{peak.growth / MB:.1f} MB",
                            flush=True,
                        )

        if args.slow_client and args.only in (None, "save"):
            with Peak(console) as peak:
                seconds, received = timed(lambda: console_save(console, image, args.slow_client))
            assert received == size, (received, size)
            print(
                f"  save  console to a client reading at {args.slow_client:g} MB/s: {seconds:.1f} s, "
                f"RSS +{peak.growth / MB:.1f} MB (goal < 64)",
                flush=True,
            )

        if args.only in (None, "load"):
            for run in range(repeat):
                order = ["cli", "console"] if run % 2 == 0 else ["console", "cli"]
                for who in order:
                    if args.image:
                        raise SystemExit("--image is for save runs (--only save): load removes the image")
                    remove_image(image)
                    if who == "cli":
                        seconds, out = timed(lambda: cli_load(tar))
                        results["load"]["cli"].append(mbps(size, seconds))
                        print(
                            f"  load  cli      {seconds:7.1f} s  {mbps(size, seconds):6.0f} MB/s  ({out})",
                            flush=True,
                        )
                    else:
                        with Peak(console) as peak:
                            seconds, out = timed(lambda: console_load(console, tar))
                        results["load"]["console"].append(mbps(size, seconds))
                        results["load"]["rss"].append(peak.growth / MB)
                        print(
                            f"  load  console  {seconds:7.1f} s  {mbps(size, seconds):6.0f} MB/s"
                            f"  RSS +{peak.growth / MB:.1f} MB  ({out})",
                            flush=True,
                        )

        print(f"\nresults for a {size / MB:.0f} MB image tar, {repeat} run(s):")
        for kind, goal in (("save", 0.9), ("load", 0.6)):
            r = results[kind]
            if not r["cli"]:
                continue
            ratio = statistics.median(r["console"]) / statistics.median(r["cli"])
            ratios = [c / k for c, k in zip(r["console"], r["cli"], strict=True)]
            print(
                f"  {kind}: {summary('cli', r['cli'])}; {summary('console', r['console'])}; "
                f"ratio {ratio:.2f}× (per run {', '.join(f'{x:.2f}' for x in ratios)}; goal ≥ {goal}×) "
                f"{'OK' if ratio >= goal else 'MISSED'}; "
                f"RSS growth max {max(r['rss']):.1f} MB (goal < 64) "
                f"{'OK' if max(r['rss']) < 64 else 'MISSED'}"
            )
    finally:
        if console:
            console.stop()
        if not args.image:
            remove_image(image)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
