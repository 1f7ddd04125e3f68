"""Benchmark: how long a line a running container writes takes to reach a connected client.

    .venv/bin/python bench/logs_latency.py [--lines 100] [--repeat 3]

Serves the console with daphne in a subprocess (its own CONSOLE_DATA_DIR, a token from
`manage.py create_token`), runs a labelled busybox container (`sleep`, with and without a
TTY), and connects two followers at once: the console's
`/ws/hosts/local/containers/C/logs?follow=1&tail=0` (a `websockets` client) and
`docker logs -f --tail 0 C`. Then, `--lines` times, 20–70 ms apart, writes one line into
the container's own stdout (the pipe, or the terminal, its PID 1 writes to, opened through
/proc/PID/fd/1: exactly what the container writing would do) and notes when each follower
gets it. Goal: the console's median under 100 ms. Prints median, 90th percentile and max
for both, each run, then median (min–max) over the runs.
"""

import argparse
import json
import random
import statistics
import subprocess
import threading
import time

from common import Console, report, session, spread
from websockets.sync.client import connect

LABEL = {"dconsole.bench": "logs_latency"}
TAG = "dconsole-bench/logs-latency:latest"


def run_once(server: Console, container, count: int) -> dict[str, list[float]]:
    arrived = {"console": {}, "cli": {}}
    written: dict[int, float] = {}
    ready = {"console": threading.Event(), "cli": threading.Event()}

    def console_reader():
        with connect(
            server.url(f"/ws/hosts/local/containers/{container.id}/logs?follow=1&tail=0"),
            additional_headers=server.headers,
            origin=server.origin,
            compression=None,
        ) as ws:
            ready["console"].set()
            while len(arrived["console"]) < count:
                frame = json.loads(ws.recv(timeout=30))
                now = time.perf_counter()
                for line in frame.get("lines", []):
                    if line["text"].startswith("mark "):
                        arrived["console"][int(line["text"].split()[1])] = now

    cli = subprocess.Popen(
        ["docker", "logs", "-f", "--tail", "0", container.id],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )

    def cli_reader():
        ready["cli"].set()
        for raw in cli.stdout:
            now = time.perf_counter()
            text = raw.decode().strip()
            if text.startswith("mark "):
                arrived["cli"][int(text.split()[1])] = now
                if len(arrived["cli"]) >= count:
                    return

    readers = [threading.Thread(target=console_reader), threading.Thread(target=cli_reader)]
    for reader in readers:
        reader.start()
    for event in ready.values():
        event.wait(30)
    pid = container.attrs["State"]["Pid"]
    with open(f"/proc/{pid}/fd/1", "wb", buffering=0) as stdout:
        # Both followers are attached once a probe line has reached both.
        probe = -1
        while probe not in arrived["console"] or probe not in arrived["cli"]:
            stdout.write(f"mark {probe}\n".encode())
            time.sleep(0.2)
        arrived["console"].pop(probe, None)
        arrived["cli"].pop(probe, None)
        for i in range(count):
            time.sleep(random.uniform(0.02, 0.07))
            written[i] = time.perf_counter()
            stdout.write(f"mark {i}\n".encode())
    for reader in readers:
        reader.join(30)
    cli.kill()
    cli.wait()
    return {
        who: [(arrived[who][i] - written[i]) * 1000 for i in range(count) if i in arrived[who]]
        for who in ("console", "cli")
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with session(LABEL, TAG) as bench:
        engine, server = bench.engine, bench.console()
        rows, medians = [], {(tty, who): [] for tty in (False, True) for who in ("console", "cli")}
        for tty in (False, True):
            container = engine.containers.run(TAG, "sleep 3600", detach=True, tty=tty, labels=LABEL)
            container.reload()
            for run in range(args.repeat):
                got = run_once(server, container, args.lines)
                for who in ("console", "cli"):
                    values = sorted(got[who])
                    medians[(tty, who)].append(statistics.median(values))
                    rows.append(
                        [
                            run + 1,
                            "TTY" if tty else "no TTY",
                            "console WebSocket" if who == "console" else "docker logs -f",
                            f"{len(values)}/{args.lines}",
                            f"{statistics.median(values):.1f}",
                            f"{values[int(len(values) * 0.9) - 1]:.1f}",
                            f"{values[-1]:.1f}",
                        ]
                    )
            container.remove(force=True)
        summary = []
        for tty in (False, True):
            console_ms, cli_ms = medians[(tty, "console")], medians[(tty, "cli")]
            summary.append(
                [
                    "TTY" if tty else "no TTY",
                    spread(console_ms, "{:.1f}"),
                    spread(cli_ms, "{:.1f}"),
                    f"{statistics.median(console_ms) / statistics.median(cli_ms):.2f}×",
                    "yes" if statistics.median(console_ms) < 100 else "NO",
                ]
            )
        report(
            ["run", "log", "follower", "lines", "median ms", "p90 ms", "max ms"],
            rows,
            ["log", "console median ms", "docker logs -f median ms", "console / CLI", "goal < 100 ms met"],
            summary,
        )


if __name__ == "__main__":
    main()
