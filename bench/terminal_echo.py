"""Benchmark: keystroke echo and a 1 MB paste through the console's terminal WebSocket vs a raw exec socket.

    .venv/bin/python bench/terminal_echo.py [--keys 400] [--repeat 5]

Serves the console with daphne on a free loopback port, with its own CONSOLE_DATA_DIR and an
API token from `manage.py create_token`, runs one labelled busybox container, then in the same
run, alternating which goes first:

- echo: one byte sent, its echo received, `--keys` times, through
  `/ws/hosts/local/containers/{c}/exec?cmd=sh -c "stty raw -echo; exec cat"` (binary frames), and
  through the same command on a raw exec socket the docker SDK opens (`exec_start(socket=True)`,
  the hijacked connection `docker exec -it` uses). Goal: the console's median within 1 ms of the
  raw socket's, its 99th percentile within 5 ms.
- paste: 1 MiB sent to `head -c 1048576 | md5sum` in a raw TTY, in 64 KiB frames as the page sends
  it, until the checksum comes back (so it arrived whole). Goal: ≥ 1 MB/s through the console.

Prints each run, the median over runs and the spread (min–max). The machine is shared: the
spread says how much the numbers move. Removes the container, the image and the data directory.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import shlex
import socket
import statistics
import struct
import time
import urllib.parse

from common import Console, alternate, session

LABEL = {"dconsole.bench": "terminal_echo"}
TAG = "dconsole-bench/terminal-echo:latest"
ECHO = 'sh -c "stty raw -echo; echo READY; exec cat"'
PASTE_SIZE = 1024 * 1024
PASTE = f'sh -c "stty raw -echo; echo READY; head -c {PASTE_SIZE} | md5sum"'
CHUNK = 64 * 1024


class WebSocket:
    """The smallest RFC 6455 client that does the job: blocking, TCP_NODELAY, masked frames."""

    def __init__(self, console: Console, path: str):
        port = console.port
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {console.token}\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise SystemExit(f"the WebSocket handshake failed: {head.decode(errors='replace')}")

    def send(self, payload: bytes, opcode: int = 2) -> None:
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        if n == 1:
            masked = bytes([payload[0] ^ mask[0]])
        else:
            key = (mask * (n // 4 + 1))[:n]
            masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")
        self.sock.sendall(header + mask + masked)

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("the console closed the WebSocket")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def recv(self) -> tuple[int, bytes]:
        first, second = self._read(2)
        n = second & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", self._read(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", self._read(8))
        return first & 0x0F, self._read(n)

    def recv_bytes(self) -> bytes:
        """The next binary frame's bytes; text frames (ready, …) are skipped, an ending raises."""
        while True:
            opcode, payload = self.recv()
            if opcode == 2:
                return payload
            if opcode == 1:
                frame = json.loads(payload)
                if frame["type"] != "ready":
                    raise SystemExit(f"the terminal ended: {frame}")
            elif opcode == 8:
                raise EOFError("the console closed the WebSocket")

    def close(self):
        try:
            self.send(struct.pack("!H", 1000), opcode=8)
        except OSError:
            pass
        self.sock.close()


class ConsoleTerminal:
    def __init__(self, console: Console, container: str, cmd: str):
        query = urllib.parse.urlencode({"cmd": cmd})
        self.ws = WebSocket(console, f"/ws/hosts/local/containers/{container}/exec?{query}")
        self.ws.send(json.dumps({"type": "resize", "cols": 120, "rows": 40}).encode(), opcode=1)

    def send(self, data: bytes) -> None:
        for at in range(0, len(data), CHUNK):
            self.ws.send(data[at : at + CHUNK])

    def recv(self) -> bytes:
        return self.ws.recv_bytes()

    def close(self):
        self.ws.close()


class RawTerminal:
    """The same exec on the hijacked socket the SDK opens, as `docker exec -it` does."""

    def __init__(self, api, container: str, cmd: str):
        exec_id = api.exec_create(container, shlex.split(cmd), stdin=True, tty=True)["Id"]
        self.response = api.exec_start(exec_id, socket=True, tty=True)
        self.sock = getattr(self.response, "_sock", self.response)
        if self.sock.family != socket.AF_UNIX:  # tcp:// engines: no Nagle delay, as on the console's side
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        api.exec_resize(exec_id, height=40, width=120)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the engine closed the exec socket")
        return data

    def close(self):
        self.sock.close()
        self.response.close()


def wait_for(term, needle: bytes) -> bytes:
    seen = b""
    while needle not in seen:
        seen += term.recv()
    return seen.split(needle, 1)[1]


def echo_times(term, keys: int) -> list[float]:
    """Round trips in ms: a byte out, its echo back."""
    leftover = wait_for(term, b"READY\n")
    assert not leftover.strip(), leftover
    alphabet = b"abcdefghijklmnopqrstuvwxyz"
    times = []
    for i in range(keys + 20):
        byte = alphabet[i % 26 : i % 26 + 1]
        start = time.perf_counter()
        term.send(byte)
        got = term.recv()
        elapsed = time.perf_counter() - start
        while not got.endswith(byte):  # a split or late read: keep reading until the echo
            got += term.recv()
        if i >= 20:  # the first keys warm the path up
            times.append(elapsed * 1000)
    return times


def paste_rate(term, paste: bytes) -> float:
    """MB/s for the paste to arrive whole: from the first byte sent until its checksum is back."""
    wait_for(term, b"READY\n")
    expected = hashlib.md5(paste).hexdigest().encode()  # noqa: S324 - a checksum
    start = time.perf_counter()
    term.send(paste)
    wait_for(term, expected)
    return len(paste) / 1e6 / (time.perf_counter() - start)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=400, help="round trips per run and path")
    parser.add_argument("--repeat", type=int, default=5, help="runs, alternating which path goes first")
    args = parser.parse_args()

    paste = bytes(
        random.Random(4).choice(b"abcdefghijklmnopqrstuvwxyz0123456789 \n") for _ in range(PASTE_SIZE)
    )
    rows = []
    with session(LABEL, TAG) as bench:
        client = bench.engine
        name = f"bench-terminal-{os.getpid()}"
        container = client.containers.run(
            TAG, "sleep 3600", name=name, detach=True, labels=LABEL, network_mode="none"
        )
        console = bench.console()
        paths = {
            "console": lambda cmd: ConsoleTerminal(console, container.name, cmd),
            "raw": lambda cmd: RawTerminal(client.api, container.id, cmd),
        }
        for run in range(args.repeat):
            order = alternate(run, "console", "raw")
            result = {"run": run + 1, "order": " then ".join(order)}
            for path in order:
                term = paths[path](ECHO)
                times = echo_times(term, args.keys)
                term.close()
                term = paths[path](PASTE)
                result[f"{path}_paste"] = paste_rate(term, paste)
                term.close()
                result[f"{path}_median"] = statistics.median(times)
                result[f"{path}_p99"] = percentile(times, 99)
            result["d_median"] = result["console_median"] - result["raw_median"]
            result["d_p99"] = result["console_p99"] - result["raw_p99"]
            rows.append(result)
            r = result
            print(
                f"run {run + 1} ({r['order']}): echo median {r['console_median']:.3f} ms vs raw "
                f"{r['raw_median']:.3f} ms; p99 {r['console_p99']:.3f} vs {r['raw_p99']:.3f} ms; "
                f"paste {r['console_paste']:.1f} vs {r['raw_paste']:.1f} MB/s",
                flush=True,
            )

    def summary(key: str) -> str:
        values = [row[key] for row in rows]
        return f"{statistics.median(values):8.3f}  ({min(values):.3f}–{max(values):.3f})"

    print(f"\n{args.keys} keystrokes a run, {args.repeat} runs; median over runs (min–max)")
    print(f"{'':34}{'console':>26}{'raw exec socket':>28}{'console − raw':>28}")
    print(f"{'echo round trip, median (ms)':34}{summary('console_median'):>26}{summary('raw_median'):>28}"
          f"{summary('d_median'):>28}")  # fmt: skip
    print(f"{'echo round trip, p99 (ms)':34}{summary('console_p99'):>26}{summary('raw_p99'):>28}"
          f"{summary('d_p99'):>28}")  # fmt: skip
    print(f"{'1 MiB paste (MB/s)':34}{summary('console_paste'):>26}{summary('raw_paste'):>28}")
    d_median = statistics.median(row["d_median"] for row in rows)
    d_p99 = statistics.median(row["d_p99"] for row in rows)
    paste_rate_console = statistics.median(row["console_paste"] for row in rows)
    print()
    print(f"goal: median within 1 ms of raw      {'MET' if d_median <= 1 else 'MISSED'} ({d_median:+.3f} ms)")
    print(f"goal: p99 within 5 ms of raw         {'MET' if d_p99 <= 5 else 'MISSED'} ({d_p99:+.3f} ms)")
    print(f"goal: 1 MB paste at >= 1 MB/s        {'MET' if paste_rate_console >= 1 else 'MISSED'} "
          f"({paste_rate_console:.1f} MB/s)")  # fmt: skip


if __name__ == "__main__":
    main()
