from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from console import api, errors, views
from containers import api as containers_api
from containers import live_views
from containers import views as container_views
from containers.docker_api import LIFECYCLE_ACTIONS
from images import api as images_api

ACTION = "|".join(LIFECYCLE_ACTIONS)
HOST = "api/v1/hosts/<str:host>"

api_patterns = [
    path("api/v1/hosts/", api.host_list),
    path(f"{HOST}/", api.host_detail),
    path(f"{HOST}/containers/", containers_api.container_list),
    path(f"{HOST}/containers/<str:ref>/", containers_api.container_detail),
    path(f"{HOST}/containers/<str:ref>/top", containers_api.container_top),
    path(f"{HOST}/containers/<str:ref>/logs", live_views.container_logs_download),
    path(f"{HOST}/containers/<str:ref>/archive", containers_api.container_archive),
    path(f"{HOST}/containers/<str:ref>/commit", containers_api.container_commit),
    re_path(
        rf"^api/v1/hosts/(?P<host>[^/]+)/containers/(?P<ref>[^/]+)/(?P<action>{ACTION})$",
        containers_api.container_action,
    ),
    path(f"{HOST}/images/", images_api.image_list),
    path(f"{HOST}/images/prune", images_api.image_prune),
    path(f"{HOST}/images/save", images_api.save_route),
    path(f"{HOST}/images/load", images_api.load_route),
    path(f"{HOST}/images/pull", images_api.pull_route),
    re_path(r"^api/v1/hosts/(?P<host>[^/]+)/images/(?P<ref>.+)/tag$", images_api.tag_route),
    path(f"{HOST}/images/<path:ref>", images_api.image_detail),
    re_path(r"^api/", errors.api_not_found),
]

urlpatterns = [
    *api_patterns,
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("setup/<str:secret>/", views.first_admin, name="first_admin"),
    path("admin/", admin.site.urls),
    path("", views.home, name="home"),
    path("hosts/", views.host_list, name="host_list"),
    path("hosts/<str:host>/", views.host_detail, name="host_detail"),
    path("tokens/", views.token_list, name="token_list"),
    path("hosts/<str:host>/run/", container_views.container_run, name="container_run"),
    path("hosts/<str:host>/stats/", live_views.host_stats, name="host_stats"),
    path("hosts/<str:host>/containers/", include("containers.urls")),
    path("hosts/<str:host>/images/", include("images.urls")),
]

handler404 = errors.not_found
handler500 = errors.server_error
