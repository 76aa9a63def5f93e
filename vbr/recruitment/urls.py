from django.urls import path

from vbr.recruitment.views import pipeline

urlpatterns = [
    path("", pipeline.provider_home, name="provider-home"),
    path("roles/<int:role_id>/", pipeline.role_detail, name="role-detail"),
    path(
        "applications/<int:application_id>/",
        pipeline.application_detail,
        name="application-detail",
    ),
]
