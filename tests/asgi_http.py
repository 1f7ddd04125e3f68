"""HTTP through the real ASGI application, in-process: the body sent in chunks, as a server does.

Django's test Client bypasses ASGI (and so the streamed-upload middleware); this helper
sends `http.request` messages of CHUNK bytes and collects the streamed response.
"""

import asyncio
from urllib.parse import urlencode

from console.asgi import application

CHUNK = 64 * 1024


class Response:
    def __init__(self, status: int, headers: dict, body: bytes, complete: bool = True):
        self.status, self.headers, self.content = status, headers, body
        self.complete = complete  # the application ended the body (False: it broke off)

    def json(self):
        import json

        return json.loads(self.content)


async def request(
    method, path, token, body: bytes = b"", query=None, headers=None, chunk=CHUNK, declare_length=True
) -> Response:
    raw_headers = [(b"host", b"localhost")]
    if token:
        raw_headers.append((b"authorization", f"Bearer {token}".encode()))
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    if body and declare_length:
        raw_headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": urlencode(query or {}, doseq=True).encode(),
        "headers": raw_headers,
        "client": ("127.0.0.1", 1234),
        "server": ("localhost", 80),
    }
    parts = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    messages = [
        {"type": "http.request", "body": p, "more_body": i < len(parts) - 1} for i, p in enumerate(parts)
    ]
    finished = asyncio.Event()
    status, response_headers, content = 0, {}, bytearray()

    async def receive():
        if messages:
            return messages.pop(0)
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        nonlocal status, response_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            response_headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            content.extend(message.get("body", b""))
            if not message.get("more_body"):
                finished.set()

    await application(scope, receive, send)
    return Response(status, response_headers, bytes(content), finished.is_set())


def session_cookie(user) -> str:
    """A logged-in session for pages (tokens open only the API)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def issue_token(user) -> str:
    """A bearer token; also brings back the `local` host a transactional test's flush removed."""
    from console.models import ApiToken, Host

    Host.objects.get_or_create(name="local")
    return ApiToken.issue(user, "tests")[1]
