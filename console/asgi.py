import os

import django
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")


class Handler(ASGIHandler):
    # Django sends a streamed response in 64 KiB messages; a gigabyte `docker save` then
    # spends a third of its time on per-message overhead. 1 MiB, the engine's chunk size.
    chunk_size = 1 << 20


django.setup(set_prefix=False)  # what get_asgi_application() does, before making its handler
django_application = Handler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from console import daphne_flow  # noqa: E402
from console.auth import SameOriginCheck, WebSocketAuthStack  # noqa: E402
from console.routing import websocket_urlpatterns  # noqa: E402
from console.uploads import StreamedUploads  # noqa: E402

daphne_flow.install()  # flat memory for big uploads and downloads under daphne (see the module)

application = ProtocolTypeRouter(
    {
        "http": StreamedUploads(django_application),
        "websocket": SameOriginCheck(WebSocketAuthStack(URLRouter(websocket_urlpatterns))),
    }
)
