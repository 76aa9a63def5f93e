from django.urls import path

from vbr.privacy import views

urlpatterns = [
    path("privacy/", views.privacy_notice, name="privacy-notice"),
    path("privacy/settings/", views.privacy_settings, name="privacy-settings"),
    path("privacy/retention/", views.retention_preview, name="retention-preview"),
    path(
        "candidates/<int:candidate_id>/privacy/", views.candidate_privacy, name="candidate-privacy"
    ),
    path(
        "candidates/<int:candidate_id>/privacy/export.json",
        views.candidate_export_json,
        name="candidate-export-json",
    ),
    path(
        "candidates/<int:candidate_id>/privacy/export.pdf",
        views.candidate_export_pdf,
        name="candidate-export-pdf",
    ),
    path(
        "candidates/<int:candidate_id>/privacy/anonymise/",
        views.candidate_anonymise,
        name="candidate-anonymise",
    ),
    path(
        "candidates/<int:candidate_id>/privacy/erase/",
        views.candidate_erase,
        name="candidate-erase",
    ),
    path(
        "applications/<int:application_id>/dbs-checks/new/",
        views.dbs_check_create,
        name="dbs-check-create",
    ),
    path(
        "dbs-checks/<int:check_id>/certificate/",
        views.dbs_certificate_download,
        name="dbs-certificate-download",
    ),
]
