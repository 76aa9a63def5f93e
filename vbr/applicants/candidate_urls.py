"""The candidate's personal pages, opened by their link: /application/<token>/…"""

from django.urls import path

from vbr.applicants import views

urlpatterns = [
    path("<str:token>/", views.candidate_status, name="candidate-status"),
    path("<str:token>/book/", views.candidate_book, name="candidate-book"),
    path(
        "<str:token>/cancel-booking/",
        views.candidate_cancel_booking,
        name="candidate-cancel-booking",
    ),
    path("<str:token>/withdraw/", views.candidate_withdraw, name="candidate-withdraw"),
]
