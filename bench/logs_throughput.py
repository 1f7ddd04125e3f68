"""Benchmark: a 200 MB container log, whole, through the logs WebSocket vs `docker logs > /dev/null`.

    .venv/bin/python bench/logs_throughput.py [--mb 200] [--repeat 3]

Serves the console with daphne in a subprocess (its own CONSOLE_DATA_DIR, a token from
`manage.py create_token`), runs two labelled busybox containers that each write `--mb` MB
of 100-byte lines and exit, one without a TTY (the engine frames every line) and one with
(no frames). Then, in the same run, alternating which goes first:

- the CLI: `docker logs CONTAINER > /dev/null`, wall time;
- the console: `/ws/hosts/local/containers/CONTAINER/logs?tail=all`, every frame received
  by a `websockets` client (no compression, as a browser gets it; the client checks only
  that a frame is a logs frame and counts its lines, it does not decode the JSON) until the
  end frame. Every line must arrive. Meanwhile the server's RSS is sampled every 50 ms.

Goal: console speed ≥ 0.8× the CLI's, for both; the server's memory flat (a 200 MB log
never held whole). Prints each run, then median (min–max) over the runs: the machine
is shared, the spread shows how much that moves the numbers.
"""

import argparse
import statistics
import subprocess
import time

from common import Console, Proc, RssSampler, alternate, report, session, spread
from websockets.sync.client import connect

LABEL = {"dconsole.bench": "logs_throughput"}
TAG = "dconsole-bench/logs-throughput:latest"
LINE = "2024-05-01T12:00:00Z INFO handled GET /api/v1/hosts/local/containers/ status=200 in 12ms, all ok..."
assert len(LINE) == 99  # + "\n": 100 bytes a line


def make_log(engine, mb: int, tty: bool):
    size = mb * 1000 * 1000
    container = engine.containers.run(
        TAG,
        ["sh", "-c", f"yes '{LINE}' | head -c {size}"],
        detach=True,
        tty=tty,
        labels=LABEL,
        name=f"dconsole-bench-logs-{'tty' if tty else 'plain'}-{int(time.time())}",
    )
    started = time.monotonic()
    result = container.wait(timeout=600)
    assert result["StatusCode"] == 0, result
    return container, size // 100, time.monotonic() - started


def cli(container) -> float:
    started = time.monotonic()
    subprocess.run(
        ["docker", "logs", container.id], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    return time.monotonic() - started


def console(server: Console, container, lines: int) -> tuple[float, list[int], float]:
    proc = Proc(server.pid)
    got = 0
    with RssSampler(server.pid) as rss:
        cpu = proc.cpu_seconds()
        started = time.monotonic()
        with connect(
            server.url(f"/ws/hosts/local/containers/{container.id}/logs?tail=all"),
            additional_headers=server.headers,
            origin=server.origin,
            compression=None,
            max_size=None,
            max_queue=64,
        ) as ws:
            while True:
                message = ws.recv()
                if not message.startswith('{"type": "logs"'):
                    break
                got += message.count('"stream": ')
        elapsed = time.monotonic() - started
        cpu = proc.cpu_seconds() - cpu
    if got != lines or '"exited"' not in message:
        raise SystemExit(f"the console delivered {got} of {lines} lines; last frame {message[:300]}")
    return elapsed, rss.samples, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with session(LABEL, TAG, timeout=600) as bench:
        engine = bench.engine
        logs = {}
        for tty in (False, True):
            container, lines, took = make_log(engine, args.mb, tty)
            logs[tty] = (container, lines)
            print(f"{'TTY' if tty else 'no TTY'}: {args.mb} MB, {lines} lines written in {took:.1f} s")
        server = bench.console()
        print(f"console: daphne pid {server.pid} on port {server.port}\n")
        rows, results = [], {False: ([], [], []), True: ([], [], [])}
        for run in range(args.repeat):
            for tty in (False, True) if run % 2 == 0 else (True, False):
                container, lines = logs[tty]
                timing = {}
                for who in alternate(run, "cli", "console"):
                    if who == "cli":
                        timing["cli"] = cli(container)
                    else:
                        timing["console"], rss, cpu = console(server, container, lines)
                mb = args.mb
                ratio = timing["cli"] / timing["console"]
                growth = (max(rss) - rss[0]) / 1e6
                results[tty][0].append(ratio)
                results[tty][1].append(mb / timing["console"])
                results[tty][2].append(growth)
                rows.append(
                    [
                        run + 1,
                        "TTY" if tty else "no TTY",
                        f"{timing['cli']:.2f} s  {mb / timing['cli']:.0f} MB/s",
                        f"{timing['console']:.2f} s  {mb / timing['console']:.0f} MB/s",
                        f"{ratio:.2f}×",
                        f"{cpu:.1f} s",
                        f"{rss[0] / 1e6:.0f} → max {max(rss) / 1e6:.0f} MB (+{growth:.1f})",
                    ]
                )
        summary = [
            [
                "TTY" if tty else "no TTY",
                spread(results[tty][0], "{:.2f}") + "×",
                spread(results[tty][1], "{:.0f}") + " MB/s",
                spread(results[tty][2], "{:.1f}") + " MB",
                "yes" if statistics.median(results[tty][0]) >= 0.8 else "NO",
            ]
            for tty in (False, True)
        ]
        report(
            [
                "run",
                "log",
                "docker logs > /dev/null",
                "console WebSocket",
                "speed vs CLI",
                "server CPU",
                "server RSS",
            ],
            rows,
            ["log", "console speed / CLI speed", "console", "server RSS growth", "goal ≥ 0.8× met"],
            summary,
        )


if __name__ == "__main__":
    main()
