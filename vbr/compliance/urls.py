from django.urls import path

from vbr.compliance import views

urlpatterns = [
    path("files/", views.file_list, name="compliance-file-list"),
    path("files/checklist/", views.checklist_edit, name="compliance-checklist"),
    path("files/completeness/", views.completeness_view, name="compliance-completeness"),
    path("files/completeness.csv", views.completeness_csv, name="compliance-completeness-csv"),
    path(
        "applications/<int:application_id>/file/open/",
        views.file_open,
        name="compliance-file-open",
    ),
    path("files/<int:file_id>/", views.file_detail, name="compliance-file-detail"),
    path(
        "files/<int:file_id>/checks/<int:file_check_id>/",
        views.check_edit,
        name="compliance-check-edit",
    ),
    path("files/<int:file_id>/history/", views.employment_history, name="compliance-history"),
    path(
        "files/<int:file_id>/history/link/",
        views.history_link_send,
        name="compliance-history-link",
    ),
    path("files/<int:file_id>/start/", views.file_start, name="compliance-start"),
    path("files/<int:file_id>/pdf/", views.file_pdf_create, name="compliance-file-pdf-create"),
    path(
        "files/<int:file_id>/pdf/<int:pdf_job_id>/",
        views.file_pdf_detail,
        name="compliance-file-pdf-detail",
    ),
    path(
        "files/<int:file_id>/pdf/<int:pdf_job_id>/download/",
        views.file_pdf_download,
        name="compliance-file-pdf-download",
    ),
    path("files/<int:file_id>/references/", views.reference_list, name="compliance-references"),
    path(
        "files/<int:file_id>/references/<int:reference_id>/revoke/",
        views.reference_revoke,
        name="compliance-reference-revoke",
    ),
    path(
        "files/<int:file_id>/references/<int:reference_id>/verify/",
        views.reference_verify,
        name="compliance-reference-verify",
    ),
]

# The referee's pages: outside /p/, no sign-in (vbr/urls.py includes them under reference/).
referee_urlpatterns = [
    path("history/<str:token>/", views.history_form, name="history-form"),
    path("sent/", views.reference_sent, name="reference-sent"),
    path("<str:token>/", views.reference_form, name="reference-form"),
]
