"""`docker logs` over /ws/hosts/{host}/containers/{ref}/logs, through the real ASGI app and engine."""

import asyncio
import json
import time

import pytest

from console.engine import BadRequest
from containers.logs import (
    FRAME_LIMIT,
    HEADER,
    LINE_PIECE,
    LogDecoder,
    as_dicts,
    as_json,
    json_frames,
    parse_since,
)
from tests.second_engine import run_on
from tests.ws import close_code, connect, frames, lines

pytestmark = pytest.mark.django_db(transaction=True)


def wait_exit(container, timeout=20):
    container.wait(timeout=timeout)
    container.reload()


async def read_all(token, ref, query="tail=all"):
    communicator = await connect(f"/ws/hosts/local/containers/{ref}/logs?{query}", token)
    seen = await frames(communicator, lambda f: f["type"] in ("end", "error"))
    await communicator.disconnect()
    return seen


class TestLogs:
    @pytest.mark.parametrize("tty", [False, True])
    async def test_it_tells_stdout_from_stderr(self, token, make_container, tty):
        container = make_container("sh -c 'echo to-out; echo to-err >&2; exit 3'", tty=tty)
        wait_exit(container)
        seen = await read_all(token, container.name)
        got = [(line["stream"], line["text"]) for line in lines(seen)]
        if tty:  # a terminal has one stream, and the engine cannot tell them apart
            assert got == [("stdout", "to-out"), ("stdout", "to-err")]
        else:
            assert sorted(got) == [("stderr", "to-err"), ("stdout", "to-out")]
        assert seen[-1] == {"type": "end", "reason": "exited", "exit_code": 3}

    @pytest.mark.parametrize("tty", [False, True])
    async def test_it_keeps_a_40_kib_line_whole(self, token, make_container, tty):
        script = "head -c 40960 /dev/zero | tr '\\0' x; echo; echo after"
        container = make_container(["sh", "-c", script], tty=tty)
        wait_exit(container)
        got = [line["text"] for line in lines(await read_all(token, container.name))]
        assert got == ["x" * 40960, "after"]

    async def test_it_keeps_a_40_kib_line_whole_with_timestamps(self, token, make_container):
        container = make_container(["sh", "-c", "head -c 40960 /dev/zero | tr '\\0' y; echo"])
        wait_exit(container)
        (line,) = lines(await read_all(token, container.name, "tail=all&timestamps=1"))
        assert line["text"] == "y" * 40960
        assert line["ts"].startswith(time.strftime("%Y-"))

    async def test_a_fast_log_comes_whole_in_frames_a_browser_and_daphne_take(self, token, make_container):
        # 3 MB of lines as fast as the engine logs them: batched frames, none over 1 MiB.
        container = make_container(["sh", "-c", "yes 'a fast line of log text' | head -n 120000"])
        wait_exit(container, timeout=60)
        communicator = await connect(f"/ws/hosts/local/containers/{container.name}/logs?tail=all", token)
        sizes, count = [], 0
        async with asyncio.timeout(60):
            while True:
                message = await communicator.receive_output(30)
                sizes.append(len(message["text"].encode()))
                frame = json.loads(message["text"])
                if frame["type"] != "logs":
                    break
                count += len(frame["lines"])
                assert {line["text"] for line in frame["lines"]} == {"a fast line of log text"}
        assert count == 120000
        assert max(sizes) <= 1 << 20
        assert frame == {"type": "end", "reason": "exited", "exit_code": 0}

    async def test_it_keeps_a_character_the_engine_split_whole(self, token, make_container):
        # The engine cuts lines at 16 KiB; an odd prefix puts that cut inside a 2-byte "é".
        # With the default json-file driver the engine itself stores each half as U+FFFD (Go's
        # JSON encoder replaces invalid UTF-8), so `docker logs` shows two replacement
        # characters there too; the `local` driver keeps the bytes, and so must we.
        script = "printf a; i=0; while [ $i -lt 12000 ]; do printf '\\303\\251'; i=$((i+1)); done; echo"
        container = make_container(["sh", "-c", script], log_config={"type": "local"})
        wait_exit(container, timeout=60)
        (line,) = lines(await read_all(token, container.name))
        assert line["text"] == "a" + "é" * 12000

    async def test_it_replaces_bytes_that_are_not_utf8(self, token, make_container):
        container = make_container(["sh", "-c", "printf 'bad \\377 byte\\n'"])
        wait_exit(container)
        assert lines(await read_all(token, container.name))[0]["text"] == "bad \ufffd byte"

    async def test_it_passes_ansi_colours_on_for_the_page_to_render(self, token, make_container):
        container = make_container(["sh", "-c", "printf '\\033[31mred\\033[0m plain\\n'"], tty=True)
        wait_exit(container)
        assert lines(await read_all(token, container.name))[0]["text"] == "\x1b[31mred\x1b[0m plain"

    async def test_it_shows_the_last_lines_with_tail(self, token, make_container):
        container = make_container("sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do echo line-$i; done'")
        wait_exit(container)
        got = [line["text"] for line in lines(await read_all(token, container.name, "tail=3"))]
        assert got == ["line-8", "line-9", "line-10"]

    async def test_it_shows_lines_since_a_time(self, token, make_container, engine):
        container = make_container("sh -c 'echo old; sleep 1.5; echo new'")
        wait_exit(container)
        stamped = engine.api.logs(container.id, timestamps=True).decode().splitlines()
        new_at = next(line.split(" ")[0] for line in stamped if line.endswith(" new"))
        got = lines(await read_all(token, container.name, f"tail=all&timestamps=1&since={new_at}"))
        assert [line["text"] for line in got] == ["new"]
        assert got[0]["ts"] == new_at

    async def test_it_follows_a_running_container_until_it_exits(self, token, make_container):
        container = make_container("sh -c 'echo first; sleep 2; echo second; exit 7'")
        communicator = await connect(f"/ws/hosts/local/containers/{container.name}/logs?follow=1", token)
        seen = await frames(communicator, lambda f: f["type"] == "end")
        await communicator.disconnect()
        assert [line["text"] for line in lines(seen)] == ["first", "second"]
        assert seen[-1] == {"type": "end", "reason": "exited", "exit_code": 7}

    async def test_it_ends_when_the_container_is_removed(self, token, make_container):
        container = make_container("sh -c 'echo alive; sleep 3600'")
        communicator = await connect(f"/ws/hosts/local/containers/{container.name}/logs?follow=1", token)
        await frames(communicator, lambda f: f["type"] == "logs")
        await asyncio.to_thread(container.remove, force=True)
        seen = await frames(communicator, lambda f: f["type"] == "end")
        await communicator.disconnect()
        assert seen[-1] == {"type": "end", "reason": "removed"}

    async def test_it_waits_for_acks_when_asked(self, token, make_container):
        container = make_container("sh -c 'echo one; echo two'")
        wait_exit(container)
        communicator = await connect(f"/ws/hosts/local/containers/{container.name}/logs?ack=1", token)
        seen = await frames(communicator, lambda f: f["type"] == "logs")
        while seen[-1]["type"] == "logs":  # the two lines may come in one frame or in two
            await communicator.send_to(text_data=json.dumps({"type": "ack"}))
            seen += await frames(communicator, lambda f: f["type"] in ("logs", "end"))
        await communicator.disconnect()
        assert seen[-1]["type"] == "end"
        assert [line["text"] for line in lines(seen)] == ["one", "two"]

    async def test_with_acks_it_ends_only_once_every_frame_is_acknowledged(self, token, make_container):
        # daphne aborts the connection one second after its close if the peer has not
        # answered, dropping frames a busy browser had not read yet (1006, lines lost):
        # the end and the close wait until the viewer has acknowledged every logs frame.
        container = make_container("sh -c 'for i in $(seq 1 5000); do echo line $i of the log; done'")
        wait_exit(container)
        communicator = await connect(
            f"/ws/hosts/local/containers/{container.name}/logs?ack=1&tail=all", token
        )
        seen = await frames(communicator, lambda f: True)
        while not await communicator.receive_nothing(timeout=1):  # what comes before any ack
            seen += await frames(communicator, lambda f: True)
        assert [frame["type"] for frame in seen] == ["logs"] * len(seen)  # no end, no close yet
        acked = 0
        while seen[-1]["type"] == "logs":
            for _ in range(len(seen) - acked):
                await communicator.send_to(text_data=json.dumps({"type": "ack"}))
            acked = len(seen)
            seen += await frames(communicator, lambda f: True)
        assert seen[-1] == {"type": "end", "reason": "exited", "exit_code": 0}
        assert [line["text"] for line in lines(seen)] == [f"line {i} of the log" for i in range(1, 5001)]
        assert await close_code(communicator) == 1000

    async def test_it_gives_the_engines_sentence_for_an_unreadable_log_driver(self, token, make_container):
        container = make_container("sh -c 'echo gone'", log_config={"type": "none"})
        wait_exit(container)
        (frame,) = await read_all(token, container.name)
        assert frame["type"] == "error"
        assert "does not support reading" in frame["error"]

    async def test_it_explains_a_missing_container(self, token):
        (frame,) = await read_all(token, "no-such-container-here")
        assert frame["type"] == "error" and frame["code"] == "not_found"
        assert "no-such-container-here" in frame["error"]

    async def test_it_explains_a_bad_tail(self, token, make_container):
        (frame,) = await read_all(token, make_container().name, "tail=lots")
        assert frame == {
            "type": "error",
            "error": "`tail` must be a number of lines or `all`, not 'lots'.",
            "code": "bad_request",
        }


def framed(stream: int, payload: bytes) -> bytes:
    """One message as the engine frames it without a TTY."""
    return HEADER.pack(stream, len(payload)) + payload


def feed_in_pieces(decoder: LogDecoder, data: bytes, cuts: list[int]) -> list[dict]:
    out, start = [], 0
    for cut in [*cuts, len(data)]:
        out += decoder.feed(data[start:cut])
        start = cut
    return out + decoder.flush()


class TestLogDecoder:
    """The engine's bytes cut at every possible place, without an engine."""

    def test_it_keeps_a_character_split_across_reads_at_every_byte(self):
        text = "zß€😀\n"  # 1-, 2-, 3- and 4-byte characters
        for tty in (False, True):
            data = text.encode() if tty else framed(1, text.encode())
            for cut in range(1, len(data)):
                got = feed_in_pieces(LogDecoder(tty=tty), data, [cut])
                assert got == [{"stream": "stdout", "text": "zß€😀"}], (tty, cut)

    def test_it_survives_a_read_of_one_byte_at_a_time(self):
        data = framed(1, b"out one\nout ") + framed(2, "err é\n".encode()) + framed(1, b"two\n")
        got = feed_in_pieces(LogDecoder(tty=False), data, list(range(1, len(data))))
        assert got == [
            {"stream": "stdout", "text": "out one"},
            {"stream": "stderr", "text": "err é"},
            {"stream": "stdout", "text": "out two"},
        ]

    def test_it_joins_a_line_the_engine_cut_into_16_kib_messages(self):
        line = "é" * 20480  # 40 KiB: three messages, each cut inside a character
        encoded = (line + "\n").encode()
        data = b"".join(framed(1, encoded[i : i + 16384]) for i in range(0, len(encoded), 16384))
        assert feed_in_pieces(LogDecoder(tty=False), data, [5, 16390, 30000]) == [
            {"stream": "stdout", "text": line}
        ]

    def test_it_joins_cut_messages_with_timestamps(self):
        ts = "2024-05-01T12:00:00.000000001Z"
        data = framed(1, f"{ts} abc".encode()) + framed(1, f"{ts} def\n".encode())
        assert feed_in_pieces(LogDecoder(tty=False, timestamps=True), data, [3]) == [
            {"stream": "stdout", "text": "abcdef", "ts": ts}
        ]

    def test_it_replaces_bytes_that_are_not_utf8(self):
        assert LogDecoder(tty=True).feed(b"a\xffb\xc3\n") == [{"stream": "stdout", "text": "a\ufffdb\ufffd"}]

    def test_it_passes_ansi_on_and_turns_terminal_line_ends_into_lines(self):
        got = LogDecoder(tty=True).feed(b"\x1b[1;32mok\x1b[0m\r\nnext\r\n")
        assert [line["text"] for line in got] == ["\x1b[1;32mok\x1b[0m", "next"]

    def test_it_gives_the_last_line_without_a_newline_at_the_end(self):
        decoder = LogDecoder(tty=False)
        assert decoder.feed(framed(2, b"no newline")) == []
        assert decoder.flush() == [{"stream": "stderr", "text": "no newline"}]


class TestFrameJson:
    """`feed_json` writes what json.dumps would for the same lines, whatever the text holds."""

    TEXTS = [
        "",
        ", ",
        '", "',
        "\\",
        'a\\", "b',
        'quote " inside',
        "\x1b[31mred\x1b[0m",
        "tab\tnul\x00",
        "é😀\u2028",
        "}, {",
    ]

    @pytest.mark.parametrize("timestamps", [False, True])
    def test_it_matches_json_dumps(self, timestamps):
        decoder, runs = LogDecoder(tty=False, timestamps=timestamps), []
        for i, text in enumerate(self.TEXTS):
            stamps = [f"2024-05-01T12:00:0{i % 10}Z"] if timestamps else None
            runs.append(("stderr" if i % 3 == 0 else "stdout", [text, text + "!"], stamps and stamps * 2))
        frame = '{"type": "logs", "lines": [' + as_json(runs) + "]}"
        expected = {"type": "logs", "lines": as_dicts(runs)}
        assert json.loads(frame) == expected
        assert frame == json.dumps(expected, ensure_ascii=False)
        assert decoder.flush_json() == []

    def test_it_is_the_same_lines_as_feed(self):
        data = framed(1, b"one\ntwo ") + framed(2, b'err "q"\n') + framed(1, b"three\n")
        (body,) = LogDecoder(tty=False).feed_json(data)
        assert json.loads("[" + body + "]") == LogDecoder(tty=False).feed(data)


class TestFrameSize:
    """daphne sends no WebSocket message over 1 MiB: the lines are spread over frames that fit."""

    def test_many_lines_are_spread_over_frames_that_fit(self):
        texts = [f"\x01{i}" * (i % 50) for i in range(60000)]  # control characters: 6 bytes each in JSON
        runs = [("stdout", texts[:30000], None), ("stderr", texts[30000:], None)]
        bodies = json_frames(runs)
        assert len(bodies) > 1
        assert all(len(body.encode()) <= FRAME_LIMIT for body in bodies)
        assert [line for body in bodies for line in json.loads("[" + body + "]")] == as_dicts(runs)

    def test_a_line_too_long_for_a_frame_is_cut(self):
        text = "\x01" * 300_000  # 1.8 MB once escaped
        bodies = json_frames([("stdout", [text], ["2024-05-01T12:00:00Z"])])
        pieces = [json.loads("[" + body + "]")[0] for body in bodies]
        assert "".join(piece["text"] for piece in pieces) == text
        assert {len(piece["text"]) for piece in pieces[:-1]} == {LINE_PIECE}
        assert {piece["ts"] for piece in pieces} == {"2024-05-01T12:00:00Z"}
        assert all(len(body.encode()) <= FRAME_LIMIT for body in bodies)

    def test_a_long_line_that_fits_stays_whole(self):
        text = "é" * 400_000  # 800 KB of UTF-8
        (body,) = json_frames([("stdout", [text], None)])
        assert json.loads("[" + body + "]") == [{"stream": "stdout", "text": text}]


class TestSince:
    NOW = 1714564801.0

    @pytest.mark.parametrize(
        ("given", "engine"),
        [
            ("1714564801", "1714564801"),
            ("1714564801.5", "1714564801.5"),
            ("2024-05-01T12:00:01.123456789Z", "1714564801.123456789"),  # every digit kept
            ("2024-05-01T12:00:01.999999999Z", "1714564801.999999999"),  # never rounded up
            ("2024-05-01T14:00:01+02:00", "1714564801.000000000"),
            ("10m", "1714564201.000000000"),
            ("1h30m", "1714559401.000000000"),
        ],
    )
    def test_it_takes_what_docker_logs_since_takes(self, given, engine):
        assert parse_since(given, now=self.NOW) == engine

    def test_it_explains_a_bad_value(self):
        with pytest.raises(BadRequest, match="`since` must be unix seconds"):
            parse_since("yesterday")


class TestEngineGone:
    @pytest.mark.parametrize("crash", [False, True], ids=["stopped", "crashed"])
    async def test_logs_end_with_a_sentence_when_the_engine_stops(
        self, token, second_engine, test_image, crash
    ):
        container = run_on(second_engine, test_image, "sh -c 'echo alive; sleep 3600'")
        host = second_engine.host.name
        communicator = await connect(f"/ws/hosts/{host}/containers/{container.id}/logs?follow=1", token)
        await frames(communicator, lambda f: f["type"] == "logs")
        await asyncio.to_thread(second_engine.stop, crash=crash)
        seen = await frames(communicator, lambda f: f["type"] in ("end", "error"), timeout=60)
        assert await close_code(communicator) == 1000
        assert seen[-1]["type"] == "error" and seen[-1]["code"] == "engine_unreachable"
        assert f"engine of host {host} went away while streaming logs" in seen[-1]["error"]
        assert "Reconnect once the engine runs again." in seen[-1]["error"]
