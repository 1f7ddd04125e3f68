from django.urls import path, re_path

from containers import views
from containers.docker_api import LIFECYCLE_ACTIONS

urlpatterns = [
    path("", views.container_list, name="container_list"),
    path("<str:ref>/", views.container_detail, name="container_detail"),
    path("<str:ref>/remove/", views.container_remove, name="container_remove"),
    re_path(
        rf"^(?P<ref>[^/]+)/(?P<action>{'|'.join(LIFECYCLE_ACTIONS)})/$",
        views.container_action,
        name="container_action",
    ),
]
