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
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import Console, RssSampler, alternate

LABEL = "dconsole.bench=save_load"
MB = 1_000_000
READ = 1024 * 1024


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


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


def http_connection(console: Console) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", console.port, blocksize=READ)


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def cli_save(image: str) -> str:
    with open(os.devnull, "wb") as null:
        sh("docker", "save", image, stdout=null)
    return ""


def console_save(console: Console, image: str, size: int, rate: float = 0) -> str:
    """GET the save, discarding the bytes, which must come to `size`; `rate` MB/s > 0 reads no
    faster than that (a slow browser). A native client (curl, as a browser is native) reads the
    fast case: Python's http.client decoding 1 GB of chunked encoding costs a core of its own."""
    if not rate and shutil.which("curl"):
        return curl_save(console, image, size)
    connection = http_connection(console)
    connection.request("GET", f"/api/v1/hosts/local/images/save?ref={image}", headers=console.headers)
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
    if received != size:
        raise SystemExit(f"the console's save sent {received} bytes, docker save's tar has {size}")
    return ""


def curl_save(console: Console, image: str, size: int) -> str:
    url = f"http://127.0.0.1:{console.port}/api/v1/hosts/local/images/save?ref={image}"
    done = subprocess.run(
        ["curl", "-sS", "-o", os.devnull, "-w", "%{http_code} %{size_download}", "-H",
         f"Authorization: Bearer {console.token}", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    status, received = done.stdout.split()
    if status != "200" or int(received) != size:
        raise SystemExit(
            f"the console's save answered {status} with {received} bytes; docker save's tar has {size}"
        )
    return ""


def remove_image(image: str):
    subprocess.run(["docker", "rmi", "-f", image], check=False, capture_output=True)


def cli_load(path: Path) -> str:
    out = sh("docker", "load", "-i", str(path), capture_output=True, text=True).stdout.strip()
    return f"  ({out})"


def console_load(console: Console, path: Path) -> str:
    connection = http_connection(console)
    with open(path, "rb") as body:
        connection.request(
            "POST",
            "/api/v1/hosts/local/images/load",
            body=body,
            headers={
                **console.headers,
                "Content-Type": "application/x-tar",
                "Content-Length": str(path.stat().st_size),
            },
        )
    response = connection.getresponse()
    answer = response.read().decode()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"load answered {response.status}: {answer[:500]}")
    return f"  ({answer})"


def mbps(size: int, seconds: float) -> float:
    return size / MB / seconds


def compare(kind: str, results: dict, repeat: int, size: int, console: Console, cli, web, before=None):
    """`repeat` runs of `cli` and `web` (the console), alternating which goes first, each printed;
    their MB/s go to `results` with the server's RSS growth during the console's. `cli` and
    `web` return what to print after the numbers; `before` runs before each."""
    for run in range(repeat):
        for who in alternate(run, "cli", "console"):
            if before:
                before()
            if who == "cli":
                seconds, note = timed(cli)
            else:
                with RssSampler(console.pid) as peak:
                    seconds, note = timed(web)
                results["rss"].append(peak.growth / MB)
                note = f"  RSS +{peak.growth / MB:.1f} MB{note}"
            results[who].append(mbps(size, seconds))
            print(f"  {kind}  {who:<9}{seconds:7.1f} s  {mbps(size, seconds):6.0f} MB/s{note}", flush=True)


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
        console = Console(UPLOAD_LIMIT_MB=str(64 * 1024))
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
            compare(
                "save",
                results["save"],
                repeat,
                size,
                console,
                cli=lambda: cli_save(image),
                web=lambda: console_save(console, image, size),
            )

        if args.slow_client and args.only in (None, "save"):
            with RssSampler(console.pid) as peak:
                seconds, _ = timed(lambda: console_save(console, image, size, args.slow_client))
            print(
                f"  save  console to a client reading at {args.slow_client:g} MB/s: {seconds:.1f} s, "
                f"RSS +{peak.growth / MB:.1f} MB (goal < 64)",
                flush=True,
            )

        if args.only in (None, "load"):
            if args.image:
                raise SystemExit("--image is for save runs (--only save): load removes the image")
            compare(
                "load",
                results["load"],
                repeat,
                size,
                console,
                cli=lambda: cli_load(tar),
                web=lambda: console_load(console, tar),
                before=lambda: remove_image(image),
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
