"""Public pages, no sign-in: /jobs/<provider_slug>/…"""

from django.urls import path

from vbr.applicants import views

urlpatterns = [
    path("", views.provider_vacancies, name="provider-vacancies"),
    path("<int:vacancy_id>/", views.vacancy_detail, name="vacancy-detail"),
    path("<int:vacancy_id>/apply/", views.vacancy_apply, name="vacancy-apply"),
    path("<int:vacancy_id>/applied/", views.vacancy_applied, name="vacancy-applied"),
    path("<int:vacancy_id>/saved/", views.vacancy_draft_saved, name="vacancy-draft-saved"),
    path(
        "<int:vacancy_id>/apply/<str:token>/",
        views.vacancy_apply_resume,
        name="vacancy-apply-resume",
    ),
]
