"""Container logs (`docker logs`): options checked, and the engine's bytes turned into lines.

Without a TTY the engine frames every message with an 8-byte header (stream, length);
a frame, and a UTF-8 character, can be split across reads. With a TTY there are no
headers and everything is stdout. A line longer than 16 KiB comes as several messages
without a newline between them. Everything here is pure, and tested without an engine.
"""

import codecs
import json.encoder
import re
import struct
import time
from dataclasses import dataclass
from datetime import datetime

from console.engine import BadRequest

STREAMS = {0: "stdout", 1: "stdout", 2: "stderr"}
HEADER = struct.Struct(">BxxxL")
MAX_LINE = 1 << 20  # a "line" that never ends is cut here rather than held forever
DURATION = re.compile(r"^(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$")
DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
FRACTION = re.compile(r"(?<=\d\d:\d\d:\d\d)[.,](\d+)")
encode_string = json.encoder.encode_basestring  # the C one: a str as a JSON string, UTF-8 kept
UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


@dataclass
class LogOptions:
    tail: str = "200"
    since: str = ""
    timestamps: bool = False
    follow: bool = False

    @classmethod
    def from_query(cls, query, default_tail: str = "200") -> "LogOptions":
        tail = (query.get("tail") or default_tail).strip().lower()
        if tail != "all" and not tail.isdigit():
            raise BadRequest(f"`tail` must be a number of lines or `all`, not {tail!r}.")
        return cls(
            tail=tail,
            since=parse_since(query.get("since") or ""),
            timestamps=_flag(query.get("timestamps")),
            follow=_flag(query.get("follow")),
        )

    def params(self) -> dict:
        params = {"stdout": 1, "stderr": 1, "tail": self.tail}
        if self.since:
            params["since"] = self.since
        if self.timestamps:
            params["timestamps"] = 1
        if self.follow:
            params["follow"] = 1
        return params

    def cli(self, ref: str) -> str:
        parts = ["docker logs"]
        if self.follow:
            parts.append("-f")
        if self.tail != "all":
            parts.append(f"--tail {self.tail}")
        if self.since:
            parts.append(f"--since {self.since}")
        if self.timestamps:
            parts.append("-t")
        return " ".join([*parts, ref])


def _flag(value) -> bool:
    return str(value or "").lower() in ("1", "true", "yes", "on")


def parse_since(value: str, now: float | None = None) -> str:
    """`since` as the engine takes it (unix seconds) from what `docker logs --since` accepts:
    unix seconds, an RFC 3339 date, or a duration ago such as `10m` or `1h30m`."""
    value = value.strip()
    if not value:
        return ""
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return value
    if DURATION.fullmatch(value):
        seconds = sum(float(n) * UNIT_SECONDS[u] for n, u in DURATION_PART.findall(value))
        return f"{(now if now is not None else time.time()) - seconds:.9f}"
    # The engine compares to the nanosecond: keep every digit of the fraction (a rounded
    # one can land after the very line whose timestamp was given).
    match = FRACTION.search(value)
    digits = match.group(1) if match else ""
    try:
        moment = datetime.fromisoformat(FRACTION.sub("", value, count=1).replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(
            f"`since` must be unix seconds, a date like 2024-05-01T12:00:00Z, or a duration "
            f"like 10m or 2h, not {value!r}."
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return f"{int(moment.timestamp())}.{digits[:9].ljust(9, '0')}"


def frames(buffer: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The complete frames at the start of `buffer` as (stream, payload), and the rest."""
    pieces, pos, end = [], 0, len(buffer)
    unpack = HEADER.unpack_from
    while pos + 8 <= end:
        kind, size = unpack(buffer, pos)
        stop = pos + 8 + size
        if stop > end:
            break
        pieces.append((kind, buffer[pos + 8 : stop]))
        pos = stop
    return pieces, buffer[pos:]


class LogDecoder:
    """Feed it the engine's bytes; it gives back complete lines.

    `feed`/`flush` give them as `{"stream": "stdout"|"stderr", "text": str, "ts"?: str}`;
    `feed_json`/`flush_json` give the same lines already as the JSON of frames' `lines`
    arrays (without their brackets), which is several times cheaper for a fast log: the
    texts are escaped by the json module's C encoder and joined, no dict per line.
    Internally lines come in runs: (stream, texts, timestamps or None).
    """

    def __init__(self, tty: bool, timestamps: bool = False):
        self.tty, self.timestamps = tty, timestamps
        self._rest = b""
        self._decoders = {name: codecs.getincrementaldecoder("utf-8")("replace") for name in STREAMS.values()}
        self._pending = dict.fromkeys(STREAMS.values(), "")
        self._pending_ts = dict.fromkeys(STREAMS.values(), "")

    def feed(self, data: bytes) -> list[dict]:
        return as_dicts(self.feed_runs(data))

    def flush(self) -> list[dict]:
        return as_dicts(self.flush_runs())

    def feed_json(self, data: bytes) -> list[str]:
        """The lines as the JSON of one or more frames' `lines` (each fits a WebSocket message)."""
        return json_frames(self.feed_runs(data))

    def flush_json(self) -> list[str]:
        return json_frames(self.flush_runs())

    def feed_runs(self, data: bytes) -> list[tuple]:
        runs: list[tuple] = []
        if self.tty:
            self._text("stdout", data, runs)
            return runs
        buffer = self._rest + data if self._rest else data
        pos, end, unpack = 0, len(buffer), HEADER.unpack_from
        run_kind, run = None, []
        while pos + 8 <= end:
            kind, size = unpack(buffer, pos)
            stop = pos + 8 + size
            if stop > end:
                break
            if self.timestamps:
                self._message(STREAMS.get(kind, "stdout"), buffer[pos + 8 : stop], runs)
            else:
                if kind != run_kind:
                    if run:
                        self._text(STREAMS.get(run_kind, "stdout"), b"".join(run), runs)
                        run = []
                    run_kind = kind
                run.append(buffer[pos + 8 : stop])
            pos = stop
        if run:
            self._text(STREAMS.get(run_kind, "stdout"), b"".join(run), runs)
        self._rest = buffer[pos:]
        return runs

    def flush_runs(self) -> list[tuple]:
        """The last lines that had no newline yet (the stream ended)."""
        runs = []
        for name, decoder in self._decoders.items():
            text = self._pending[name] + decoder.decode(b"", final=True)
            if text:
                runs.append(self._run(name, [text.removesuffix("\r")], [self._pending_ts[name]]))
            self._pending[name], self._pending_ts[name] = "", ""
        return runs

    def _run(self, name: str, texts: list[str], stamps: list[str]) -> tuple:
        return (name, texts, stamps if self.timestamps else None)

    def _text(self, name: str, data: bytes, runs: list) -> None:
        text = self._pending[name] + self._decoders[name].decode(data)
        if self.tty:
            text = text.replace("\r\n", "\n")
        parts = text.split("\n")
        self._pending[name] = parts.pop()
        if parts:
            if self.timestamps:  # TTY with timestamps: every line starts with one
                split = [part.partition(" ") for part in parts]
                runs.append((name, [rest for _, _, rest in split], [ts for ts, _, _ in split]))
            else:
                runs.append((name, parts, None))
        if len(self._pending[name]) > MAX_LINE:
            runs.append(self._run(name, [self._pending[name]], [self._pending_ts[name]]))
            self._pending[name] = ""

    def _message(self, name: str, payload: bytes, runs: list) -> None:
        """One engine message with its timestamp; a partial one continues the pending line."""
        ts, _, body = payload.partition(b" ")
        if not self._pending[name]:
            self._pending_ts[name] = ts.decode("ascii", "replace")
        text = self._pending[name] + self._decoders[name].decode(body)
        if text.endswith("\n") or len(text) > MAX_LINE:
            runs.append((name, [text.removesuffix("\n")], [self._pending_ts[name]]))
            self._pending[name] = ""
        else:
            self._pending[name] = text


def as_dicts(runs: list[tuple]) -> list[dict]:
    if not runs:
        return []
    out = []
    for name, texts, stamps in runs:
        if stamps is None:
            out.extend({"stream": name, "text": text} for text in texts)
        else:
            out.extend(
                {"stream": name, "text": text, "ts": ts} for text, ts in zip(texts, stamps, strict=True)
            )
    return out


def as_json(runs: list[tuple]) -> str:
    """The lines of `runs` as JSON objects separated by ", " (what json.dumps would write for
    the list of their dicts, without the brackets); "" for none."""
    parts = []
    for name, texts, stamps in runs:
        head = f'{{"stream": "{name}", "text": '
        if stamps is None:
            parts.append(head + ("}, " + head).join(map(encode_string, texts)) + "}")
        else:
            parts.append(
                ", ".join(
                    f'{head}{encode_string(text)}, "ts": {encode_string(ts)}}}'
                    for text, ts in zip(texts, stamps, strict=True)
                )
            )
    return ", ".join(parts)


FRAME_LIMIT = 1_000_000  # UTF-8 bytes of a frame's lines: daphne sends no message over 1 MiB
LINE_PIECE = 1 << 17  # characters; a line too long for one frame goes in pieces this long


def json_frames(runs: list[tuple], limit: int = FRAME_LIMIT) -> list[str]:
    """`as_json` of the runs, in as many pieces as it takes for each to fit in `limit` bytes.

    A single line too long for a frame (over ~1 MB of JSON) is cut into pieces of
    LINE_PIECE characters (at most 6 bytes each once escaped), each shown as a line.
    """
    body = as_json(runs)
    if not body:
        return []
    if len(body) * 4 <= limit or len(body.encode()) <= limit:
        return [body]
    count = sum(len(texts) for _, texts, _ in runs)
    if count == 1:
        name, (text,), stamps = next(run for run in runs if run[1])
        return [
            as_json([(name, [text[i : i + LINE_PIECE]], stamps)]) for i in range(0, len(text), LINE_PIECE)
        ]
    first, second = _split(runs, count // 2)
    return json_frames(first, limit) + json_frames(second, limit)


def _split(runs: list[tuple], at: int) -> tuple[list, list]:
    """The runs cut in two after the line number `at`."""
    first, second = [], []
    for name, texts, stamps in runs:
        if at >= len(texts):
            first.append((name, texts, stamps))
        elif at <= 0:
            second.append((name, texts, stamps))
        else:
            first.append((name, texts[:at], stamps and stamps[:at]))
            second.append((name, texts[at:], stamps and stamps[at:]))
        at -= len(texts)
    return first, second
