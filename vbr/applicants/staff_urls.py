"""Staff pages: /p/<provider_slug>/…"""

from django.urls import path

from vbr.applicants import notice_views, staff_views

urlpatterns = [
    path("applicants/settings/", staff_views.applicant_settings, name="applicant-settings"),
    path(
        "applications/<int:application_id>/contacted/",
        staff_views.first_contact_mark,
        name="first-contact-mark",
    ),
    path(
        "applications/<int:application_id>/invite-to-book/",
        notice_views.application_invite_to_book,
        name="application-invite-to-book",
    ),
    path("applicants/messages/", notice_views.notice_wording_list, name="notice-wording-list"),
    path(
        "applicants/messages/<slug:kind>/",
        notice_views.notice_wording_edit,
        name="notice-wording-edit",
    ),
    path(
        "roles/<int:role_id>/messages/<slug:kind>/",
        notice_views.notice_wording_role_edit,
        name="notice-wording-role-edit",
    ),
    path("stages/<int:stage_id>/slots/", staff_views.slot_list, name="slot-list"),
    path("slots/<int:slot_id>/cancel/", staff_views.slot_cancel, name="slot-cancel"),
    path("panel-notes/", staff_views.panel_notes, name="panel-notes"),
    path(
        "panel-notes/handed-over/",
        staff_views.panel_notes_handed_over,
        name="panel-notes-handed-over",
    ),
    path("panel-notes/<int:note_id>/", staff_views.panel_note_print, name="panel-note-print"),
    path("roles/<int:role_id>/vacancy/", staff_views.vacancy_edit, name="vacancy-edit"),
    path(
        "applications/<int:application_id>/duplicate/",
        staff_views.duplicate_check,
        name="duplicate-check",
    ),
]
