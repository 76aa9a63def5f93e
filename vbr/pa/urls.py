"""The PA path of an individual employer: /p/<provider_slug>/pa/…"""

from django.urls import path

from vbr.pa import views

urlpatterns = [
    path("", views.pa_home, name="pa-home"),
    path("new/", views.pa_job_new, name="pa-job-new"),
    path("jobs/<int:role_id>/", views.pa_job, name="pa-job"),
    path("jobs/<int:role_id>/words/", views.pa_job_edit, name="pa-job-edit"),
    path("jobs/<int:role_id>/publish/", views.pa_publish, name="pa-publish"),
    path("jobs/<int:role_id>/questions/", views.pa_questions, name="pa-questions"),
    path("jobs/<int:role_id>/companion/", views.pa_companion, name="pa-companion"),
    path(
        "jobs/<int:role_id>/companion/interviews/<int:assessment_id>/",
        views.pa_companion_seat,
        name="pa-companion-seat",
    ),
    path("applications/<int:application_id>/offer/", views.pa_offer, name="pa-offer"),
]
