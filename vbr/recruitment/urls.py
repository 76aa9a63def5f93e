from django.urls import path

from vbr.recruitment.views import decisions, pipeline, scoring

urlpatterns = [
    path("", pipeline.provider_home, name="provider-home"),
    path("roles/<int:role_id>/", pipeline.role_detail, name="role-detail"),
    path(
        "applications/<int:application_id>/",
        pipeline.application_detail,
        name="application-detail",
    ),
    path(
        "applications/<int:application_id>/decision/",
        decisions.decision_create,
        name="decision-create",
    ),
    path(
        "applications/<int:application_id>/outcome/",
        decisions.outcome_edit,
        name="outcome-edit",
    ),
    path(
        "assessments/<int:assessment_id>/scorecard/",
        scoring.scorecard_edit,
        name="scorecard-edit",
    ),
    path(
        "assessments/<int:assessment_id>/scorecard/autosave/",
        scoring.scorecard_autosave,
        name="scorecard-autosave",
    ),
    path(
        "assessments/<int:assessment_id>/scorecard/amend/",
        scoring.scorecard_amend,
        name="scorecard-amend",
    ),
    path(
        "assessments/<int:assessment_id>/debrief/",
        scoring.assessment_debrief,
        name="assessment-debrief",
    ),
    path(
        "assessments/<int:assessment_id>/close/",
        scoring.assessment_close,
        name="assessment-close",
    ),
]
