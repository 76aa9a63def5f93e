from django.urls import path

from vbr.recruitment.views import assessments, candidates, decisions, pipeline, scoring

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

urlpatterns += [
    path("applications/", candidates.application_list, name="application-list"),
    path("applications/add/", candidates.application_add, name="application-add"),
    path(
        "applications/<int:application_id>/move/",
        candidates.application_move,
        name="application-move",
    ),
    path(
        "applications/<int:application_id>/withdraw/",
        candidates.application_withdraw,
        name="application-withdraw",
    ),
    path(
        "candidates/<int:candidate_id>/apply/", candidates.candidate_apply, name="candidate-apply"
    ),
    path("assessments/", assessments.assessment_list, name="assessment-list"),
    path(
        "applications/<int:application_id>/assessments/add/",
        assessments.assessment_add,
        name="assessment-add",
    ),
    path(
        "assessments/<int:assessment_id>/", assessments.assessment_detail, name="assessment-detail"
    ),
    path(
        "assessments/<int:assessment_id>/edit/", assessments.assessment_edit, name="assessment-edit"
    ),
    path(
        "assessments/<int:assessment_id>/cancel/",
        assessments.assessment_cancel,
        name="assessment-cancel",
    ),
    path(
        "assessments/<int:assessment_id>/panel/add/",
        assessments.panellist_add,
        name="panellist-add",
    ),
    path(
        "assessments/<int:assessment_id>/panel/<int:panellist_id>/remove/",
        assessments.panellist_remove,
        name="panellist-remove",
    ),
]
