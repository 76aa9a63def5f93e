from django.urls import path

from vbr.recruitment.views import documents, pipeline

urlpatterns = [
    path("", pipeline.provider_home, name="provider-home"),
    path("roles/<int:role_id>/", pipeline.role_detail, name="role-detail"),
    path(
        "applications/<int:application_id>/",
        pipeline.application_detail,
        name="application-detail",
    ),
    path(
        "applications/<int:application_id>/summary/",
        documents.summary_detail,
        name="summary-detail",
    ),
    path(
        "applications/<int:application_id>/summary/create/",
        documents.summary_create,
        name="summary-create",
    ),
    path(
        "applications/<int:application_id>/summary/<int:job_id>/download/",
        documents.summary_download,
        name="summary-download",
    ),
    path(
        "roles/<int:role_id>/stages/<int:stage_id>/summaries/",
        documents.summary_batch_create,
        name="summary-batch-create",
    ),
    path(
        "summary-batches/<int:batch_id>/",
        documents.summary_batch_detail,
        name="summary-batch-detail",
    ),
    path(
        "summary-batches/<int:batch_id>/download/",
        documents.summary_batch_download,
        name="summary-batch-download",
    ),
    path("settings/logo/", documents.provider_logo, name="provider-logo"),
    path("logo/", documents.provider_logo_image, name="provider-logo-image"),
]
