from django.urls import path

from vbr.reports import views

urlpatterns = [
    path("", views.report_index, name="report-index"),
    path(
        "exports/applications.<str:file_format>",
        views.application_export,
        name="application-export",
    ),
    path("exports/scores.<str:file_format>", views.score_export, name="score-export"),
    path("exports/research.csv", views.research_export, name="research-export"),
    path("exports/pack/", views.report_pack_request, name="report-pack-request"),
    path("exports/<int:job_id>/", views.export_job_detail, name="export-job-detail"),
    path("exports/<int:job_id>/download/", views.export_job_download, name="export-job-download"),
    path("equality/<int:application_id>/", views.equality_invite, name="equality-invite"),
    path("<slug:report>/", views.report_detail, name="report-detail"),
]
