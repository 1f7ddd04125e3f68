from django.urls import path

from images import views

urlpatterns = [
    path("", views.image_list, name="image_list"),
    path("remove/", views.image_remove, name="image_remove"),
    path("prune/", views.image_prune, name="image_prune"),
]
