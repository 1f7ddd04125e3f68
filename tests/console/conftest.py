"""Fixtures for the WebSocket tests of this directory (defined beside their helpers)."""

from tests.second_engine import second_engine  # noqa: F401 - a fixture
from tests.ws import token  # noqa: F401 - a fixture
