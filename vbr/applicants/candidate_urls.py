"""The candidate's personal pages, opened by their link: /application/<token>/…"""

from django.urls import path

from vbr.applicants import views

urlpatterns = [
    path("<str:token>/", views.candidate_status, name="candidate-status"),
    path("<str:token>/withdraw/", views.candidate_withdraw, name="candidate-withdraw"),
]
