from django.urls import path

from images import transfer_views, views

urlpatterns = [
    path("", views.image_list, name="image_list"),
    path("remove/", views.image_remove, name="image_remove"),
    path("prune/", views.image_prune, name="image_prune"),
    path("transfer/", transfer_views.image_transfer, name="image_transfer"),
    path("tag/", transfer_views.image_tag, name="image_tag"),
]
