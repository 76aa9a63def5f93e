"""Provider pages: /p/<provider_slug>/…"""

from django.urls import path

from vbr.involvement import views

urlpatterns = [
    # The person asked for their views, and the person shortlisting (easy read).
    path("advert/<int:advert_review_id>/", views.advert_start, name="advert-start"),
    path(
        "advert/<int:advert_review_id>/part/<int:number>/",
        views.advert_section,
        name="advert-section",
    ),
    path("advert/<int:advert_review_id>/send/", views.advert_check, name="advert-check"),
    path("shortlist/<int:shortlister_id>/", views.shortlist_start, name="shortlist-start"),
    path(
        "shortlist/<int:shortlister_id>/applicant/<int:number>/",
        views.shortlist_answer,
        name="shortlist-answer",
    ),
    # Staff.
    path("roles/<int:role_id>/vacancy/share/", views.advert_share, name="advert-share"),
    path(
        "advert-comments/<int:comment_id>/outcome/",
        views.advert_comment_outcome,
        name="advert-comment-outcome",
    ),
    path(
        "advert-views/<int:advert_review_id>/link/",
        views.advert_review_link,
        name="advert-review-link",
    ),
    path("roles/<int:role_id>/shortlisting/", views.shortlisting_list, name="shortlisting-list"),
    path(
        "shortlisting/<int:shortlisting_id>/",
        views.shortlisting_detail,
        name="shortlisting-detail",
    ),
    path(
        "shortlist-entries/<int:entry_id>/decide/",
        views.shortlist_entry_decide,
        name="shortlist-entry-decide",
    ),
    path(
        "shortlisters/<int:shortlister_id>/link/",
        views.shortlister_link,
        name="shortlister-link",
    ),
]
