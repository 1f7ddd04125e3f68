from django.urls import path, re_path

from containers import archive_views, live_views, terminal_views, views
from containers.docker_api import LIFECYCLE_ACTIONS

urlpatterns = [
    path("", views.container_list, name="container_list"),
    path("<str:ref>/", views.container_detail, name="container_detail"),
    path("<str:ref>/remove/", views.container_remove, name="container_remove"),
    path("<str:ref>/logs/", live_views.container_logs, name="container_logs"),
    path("<str:ref>/stats/", live_views.container_stats, name="container_stats"),
    path("<str:ref>/exec/", terminal_views.container_terminal, {"kind": "exec"}, name="container_exec"),
    path("<str:ref>/attach/", terminal_views.container_terminal, {"kind": "attach"}, name="container_attach"),
    path("<str:ref>/download/", archive_views.container_download, name="container_download"),
    path("<str:ref>/commit/", archive_views.container_commit, name="container_commit"),
    re_path(
        rf"^(?P<ref>[^/]+)/(?P<action>{'|'.join(LIFECYCLE_ACTIONS)})/$",
        views.container_action,
        name="container_action",
    ),
]
