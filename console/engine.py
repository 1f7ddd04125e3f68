"""The one place that builds Docker clients and turns engine failures into sentences.

Every call to an engine goes through `client(host)` inside `engine_call(host)`, so a
host that does not answer, a missing object or a refusal because of state always
becomes one of the few error types below, each with a sentence a person can act on.
"""

import re
import threading
import time
from contextlib import contextmanager

import docker
import docker.errors
import requests.exceptions
from django.conf import settings


class EngineError(Exception):
    """An error a person can act on; `message` is that sentence."""

    status = 502
    code = "engine_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadRequest(EngineError):
    status = 400
    code = "bad_request"


class NotFound(EngineError):
    status = 404
    code = "not_found"


class Conflict(EngineError):
    status = 409
    code = "conflict"


class EngineUnreachable(EngineError):
    status = 503
    code = "engine_unreachable"


REF_CHARACTERS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")


def checked_ref(ref) -> str:
    """A container or image reference safe to put in an engine URL, or BadRequest.

    The SDK puts references into URL paths as they are; a `..` segment would reach another
    engine endpoint (`images/../containers/x` is a container).
    """
    if (
        not isinstance(ref, str)
        or len(ref) > 512
        or not REF_CHARACTERS.match(ref)
        or any(part in ("", ".", "..") for part in ref.split("/"))
    ):
        shown = ref if isinstance(ref, str) and len(ref) <= 80 else f"{str(ref)[:80]}…"
        raise BadRequest(
            f"{shown!r} is not a container or image reference: use a name, an id, or an image "
            "reference like nginx:1.27 or localhost:5000/team/app:1.0."
        )
    return ref


_clients: dict[tuple, docker.DockerClient] = {}
_clients_lock = threading.Lock()


def client(host, timeout: int | None = None, probe: bool = False) -> docker.DockerClient:
    """A cached client for `host` (a Host); building it asks the engine its API version."""
    timeout = timeout or settings.DOCKER_TIMEOUT
    key = (host.endpoint, timeout)
    with _clients_lock:
        cached = _clients.get(key)
    if cached is not None:
        return cached
    with engine_call(host, probe=probe):
        built = docker.DockerClient(base_url=host.endpoint, timeout=timeout)
    with _clients_lock:
        return _clients.setdefault(key, built)


def unreachable_sentence(host) -> str:
    endpoint = host.endpoint
    sentence = (
        f"Cannot connect to the Docker engine of host {host.name} at {endpoint}. "
        "Is the docker daemon running?"
    )
    if endpoint.startswith("unix://"):
        return sentence + (
            " Start it with `sudo systemctl start docker` (or run `dockerd`), and check "
            "that this console may read the socket."
        )
    return sentence + (
        " Check that the engine runs on that machine, listens on that address, and that "
        "no firewall is in the way."
    )


# An engine that let a call time out is not asked again for this long: a hung engine would
# otherwise hold every request for the whole DOCKER_TIMEOUT.
SILENT_MEMORY_SECONDS = 15
_silent_since: dict[str, float] = {}


@contextmanager
def engine_call(host, probe: bool = False):
    """Run engine calls for `host`, turning every SDK and transport failure into an EngineError.

    A `probe` (the status check, with its short timeout) asks even an engine that was silent.
    """
    silent_for = time.monotonic() - _silent_since.get(host.endpoint, float("-inf"))
    if not probe and silent_for < SILENT_MEMORY_SECONDS:
        raise EngineUnreachable(
            f"The Docker engine of host {host.name} at {host.endpoint} did not answer "
            f"{silent_for:.0f} s ago, so the console is not waiting on it again yet. Try again in "
            f"{SILENT_MEMORY_SECONDS - silent_for:.0f} s. " + unreachable_sentence(host).split(". ", 1)[1]
        )
    try:
        yield
    except EngineError:
        raise
    except requests.exceptions.Timeout as exc:
        _silent_since[host.endpoint] = time.monotonic()
        raise EngineUnreachable(_with_timeout_hint(host, exc)) from exc
    except docker.errors.NotFound as exc:
        raise NotFound(_engine_message(exc)) from exc
    except docker.errors.APIError as exc:
        raise _from_api_error(exc) from exc
    except requests.exceptions.ConnectionError as exc:
        raise EngineUnreachable(_with_timeout_hint(host, exc)) from exc
    except docker.errors.DockerException as exc:
        # Raised when building a client: "Error while fetching server API version: ..."
        if "timed out" in str(exc).lower():
            _silent_since[host.endpoint] = time.monotonic()
        if "Connection" in str(exc) or "connect" in str(exc) or "timed out" in str(exc):
            raise EngineUnreachable(_with_timeout_hint(host, exc)) from exc
        raise EngineError(f"The Docker engine of host {host.name} failed: {exc}") from exc
    except requests.exceptions.RequestException as exc:
        # An answer that came but could not be read (bad JSON, a cut body): not "unreachable".
        raise EngineError(
            f"The Docker engine of host {host.name} gave an answer the console could not read: {exc}"
        ) from exc
    except OSError as exc:
        raise EngineUnreachable(unreachable_sentence(host)) from exc
    else:
        _silent_since.pop(host.endpoint, None)


def _with_timeout_hint(host, exc) -> str:
    if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc).lower():
        return (
            f"The Docker engine of host {host.name} at {host.endpoint} did not answer in "
            f"time. It may be overloaded or unreachable. " + unreachable_sentence(host).split(". ", 1)[1]
        )
    return unreachable_sentence(host)


def _engine_message(exc: docker.errors.APIError) -> str:
    explanation = exc.explanation
    if isinstance(explanation, bytes):
        explanation = explanation.decode("utf-8", "replace")
    message = (explanation or str(exc)).strip()
    return message[:1].upper() + message[1:] if message else "The engine gave no reason."


def _from_api_error(exc: docker.errors.APIError) -> EngineError:
    status = exc.status_code
    message = _engine_message(exc)
    if status == 404:
        return NotFound(message)
    if status == 409:
        return Conflict(message)
    if status == 400:
        return BadRequest(message)
    if status == 500 and "is paused" in message:
        return Conflict(message)
    if "multiple ids found" in message.lower():
        return BadRequest(f"{message}. Give more characters of the id, or the name.")
    return EngineError(f"The Docker engine refused: {message}")
