"""Benchmark: 50 running containers, 20 clients on the host stats table: engine streams and CPU.

    .venv/bin/python bench/stats_fanout.py [--containers 50] [--clients 20] [--seconds 30] [--repeat 2]

Serves the console with daphne in a subprocess (its own CONSOLE_DATA_DIR, a token from
`manage.py create_token`), runs `--containers` labelled busybox containers (`sleep`), and
connects `--clients` `websockets` clients to `/ws/hosts/local/stats`. Once every client
has a table with a sample for each of our containers:

- engine streams: the server process's connections to /var/run/docker.sock, read from the
  kernel (`ss -xa` peers of the sockets in /proc/PID/fd). The goal is one stats stream per
  running container plus the host's event stream, however many clients: 51, not 1,000.
  (The table shows every running container of the host, so containers other people run
  on this engine count too: the expected number is printed beside.)
- CPU: the server's CPU time over `--seconds`, as a share of one core; goal < 0.2.
  For comparison, in the same run, the CPU the Docker CLI uses for one `docker stats`
  (every running container, streaming, output to /dev/null) over the same time, and
  what dockerd itself spends in each window.
- after every client left: the connections left, which are the idle pooled connections of
  ordinary requests (list, inspect); the streams are the connections while watched less these.
- samples fresh: how many of our containers' samples moved on during the window (the
  streams flow, not only the table).

Prints each run, then median (min–max) over the runs. Removes its containers.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import time

from common import Console, Proc, engine_connections, report, session, spread
from websockets.asyncio.client import connect

LABEL = {"dconsole.bench": "stats_fanout"}
TAG = "dconsole-bench/stats-fanout:latest"


def dockerd_pid() -> int:
    return int(
        subprocess.run(["pidof", "dockerd"], capture_output=True, text=True, check=True).stdout.split()[0]
    )


async def watch_table(server: Console, clients: int, ours: set[str], seconds: float):
    """Connect the clients, wait for complete tables, then measure the server for `seconds`."""
    frames = [0] * clients
    complete = [asyncio.Event() for _ in range(clients)]
    sockets = []

    latest: dict[str, str] = {}

    async def reader(i, ws):
        async for message in ws:
            frame = json.loads(message)
            frames[i] += 1
            rows = {row["id"]: row for row in frame.get("containers", [])}
            if i == 0:
                latest.update((c, rows[c]["read"]) for c in ours if c in rows)
            if ours <= rows.keys() and all(rows[c]["read"] for c in ours):
                complete[i].set()

    for _ in range(clients):
        sockets.append(
            await connect(
                server.url("/ws/hosts/local/stats"),
                additional_headers=server.headers,
                origin=server.origin,
                compression=None,
                max_size=None,
            )
        )
    tasks = [asyncio.create_task(reader(i, ws)) for i, ws in enumerate(sockets)]
    started = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(event.wait() for event in complete)), 120)
    warmup = time.monotonic() - started
    await asyncio.sleep(2)
    streams = engine_connections(server.pid)
    proc, dockerd = Proc(server.pid), Proc(dockerd_pid())
    cpu0, d0, t0, f0 = proc.cpu_seconds(), dockerd.cpu_seconds(), time.monotonic(), sum(frames)
    reads_before = dict(latest)
    await asyncio.sleep(seconds)
    # Every container's sample must have moved on (the streams flow, not just the table).
    fresh = sum(1 for c in ours if latest.get(c) and latest[c] != reads_before.get(c))
    elapsed = time.monotonic() - t0
    server_cores = (proc.cpu_seconds() - cpu0) / elapsed
    dockerd_cores = (dockerd.cpu_seconds() - d0) / elapsed
    frames_per_second = (sum(frames) - f0) / elapsed
    for ws in sockets:
        await ws.close()
    for task in tasks:
        task.cancel()
    return streams, server_cores, dockerd_cores, frames_per_second, warmup, fresh


def cli_stats(seconds: float):
    """CPU of one streaming `docker stats` over `seconds`, its engine connections, dockerd's CPU."""
    cli = subprocess.Popen(["docker", "stats"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(5)  # let it open its streams
    proc, dockerd = Proc(cli.pid), Proc(dockerd_pid())
    connections = engine_connections(cli.pid)
    cpu0, d0, t0 = proc.cpu_seconds(), dockerd.cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - t0
    cores, dockerd_cores = (proc.cpu_seconds() - cpu0) / elapsed, (dockerd.cpu_seconds() - d0) / elapsed
    cli.kill()
    cli.wait()
    return connections, cores, dockerd_cores


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--containers", type=int, default=50)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with session(LABEL, TAG) as bench:
        engine = bench.engine
        started = time.monotonic()
        ours = {
            engine.containers.run(TAG, "sleep 3600", detach=True, labels=LABEL).id
            for _ in range(args.containers)
        }
        print(f"{len(ours)} containers started in {time.monotonic() - started:.0f} s")
        server = bench.console()
        rows, cores, cli_cores = [], [], []
        for run in range(args.repeat):
            running = len(engine.containers.list())
            streams, server_cores, dockerd_console, fps, warmup, fresh = asyncio.run(
                watch_table(server, args.clients, ours, args.seconds)
            )
            time.sleep(3)
            left = engine_connections(server.pid)
            cli_connections, cli_core, dockerd_cli = cli_stats(args.seconds)
            cores.append(server_cores)
            cli_cores.append(cli_core)
            rows.append(
                [
                    run + 1,
                    f"{running}",
                    f"{streams - left} (expected {running + 1}; naive {args.clients * running})",
                    f"{left}",
                    f"{fresh}/{len(ours)}",
                    f"{server_cores:.3f}",
                    f"{dockerd_console:.2f}",
                    f"{fps:.1f}",
                    f"{warmup:.1f} s",
                    f"{cli_connections}",
                    f"{cli_core:.3f}",
                    f"{dockerd_cli:.2f}",
                ]
            )
        report(
            [
                "run",
                "running",
                "server engine streams",
                "idle pooled (after clients left)",
                "samples fresh",
                "server cores",
                "dockerd cores",
                "frames/s (all clients)",
                "first full table",
                "docker stats connections",
                "docker stats cores",
                "dockerd cores (CLI)",
            ],
            rows,
            ["", "median (min–max)"],
            [
                [f"console, {args.clients} clients: cores", spread(cores, "{:.3f}")],
                ["one docker stats CLI: cores", spread(cli_cores, "{:.3f}")],
                [
                    "console / one CLI",
                    f"{statistics.median(cores) / max(statistics.median(cli_cores), 1e-9):.2f}×",
                ],
                ["goal < 0.2 core met", "yes" if max(cores) < 0.2 else "NO"],
            ],
        )


if __name__ == "__main__":
    main()
