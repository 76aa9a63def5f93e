"""Staff pages: /p/<provider_slug>/…"""

from django.urls import path

from vbr.applicants import staff_views

urlpatterns = [
    path("applicants/settings/", staff_views.applicant_settings, name="applicant-settings"),
    path(
        "applications/<int:application_id>/contacted/",
        staff_views.first_contact_mark,
        name="first-contact-mark",
    ),
    path("stages/<int:stage_id>/slots/", staff_views.slot_list, name="slot-list"),
    path("roles/<int:role_id>/vacancy/", staff_views.vacancy_edit, name="vacancy-edit"),
    path(
        "applications/<int:application_id>/duplicate/",
        staff_views.duplicate_check,
        name="duplicate-check",
    ),
]
