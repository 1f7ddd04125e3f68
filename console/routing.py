"""Every WebSocket route; each consumer checks `console.auth.allowed` in connect()."""

websocket_urlpatterns: list = []
