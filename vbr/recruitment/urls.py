from django.urls import path

from vbr.recruitment import views

urlpatterns = [
    path("", views.provider_home, name="provider-home"),
    path("roles/<int:role_id>/", views.role_detail, name="role-detail"),
    path(
        "applications/<int:application_id>/",
        views.application_detail,
        name="application-detail",
    ),
]
