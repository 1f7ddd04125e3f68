import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from console.auth import WebSocketAuthStack  # noqa: E402
from console.routing import websocket_urlpatterns  # noqa: E402
from console.uploads import StreamedUploads  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": StreamedUploads(django_application),
        "websocket": AllowedHostsOriginValidator(WebSocketAuthStack(URLRouter(websocket_urlpatterns))),
    }
)
