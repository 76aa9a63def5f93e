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

from vbr.recruitment.views import roles, values  # noqa: E402

urlpatterns += [
    path("values/", values.corevalue_list, name="corevalue-list"),
    path("values/new/", values.corevalue_create, name="corevalue-create"),
    path("values/starter/", values.starter_values_copy, name="starter-values-copy"),
    path("values/<int:value_id>/edit/", values.corevalue_edit, name="corevalue-edit"),
    path("values/<int:value_id>/move/", values.corevalue_move, name="corevalue-move"),
    path("values/<int:value_id>/retire/", values.corevalue_retire, name="corevalue-retire"),
    path("values/<int:value_id>/restore/", values.corevalue_restore, name="corevalue-restore"),
    path("values/<int:value_id>/delete/", values.corevalue_delete, name="corevalue-delete"),
    path("roles/new/", roles.role_create, name="role-create"),
    path("roles/<int:role_id>/edit/", roles.role_edit, name="role-edit"),
    path("roles/<int:role_id>/setup/", roles.role_setup, name="role-setup"),
    path("roles/<int:role_id>/stages/new/", roles.stage_create, name="stage-create"),
    path("roles/<int:role_id>/stages/<int:stage_id>/edit/", roles.stage_edit, name="stage-edit"),
    path("roles/<int:role_id>/stages/<int:stage_id>/move/", roles.stage_move, name="stage-move"),
    path(
        "roles/<int:role_id>/stages/<int:stage_id>/delete/",
        roles.stage_delete,
        name="stage-delete",
    ),
    path(
        "roles/<int:role_id>/stages/<int:stage_id>/criteria/new/",
        roles.criterion_create,
        name="criterion-create",
    ),
    path(
        "roles/<int:role_id>/stages/<int:stage_id>/criteria/<int:criterion_id>/edit/",
        roles.criterion_edit,
        name="criterion-edit",
    ),
    path(
        "roles/<int:role_id>/stages/<int:stage_id>/criteria/<int:criterion_id>/delete/",
        roles.criterion_delete,
        name="criterion-delete",
    ),
    path(
        "roles/<int:role_id>/stages/<int:stage_id>/criteria/versions/",
        roles.criteria_version_create,
        name="criteria-version-create",
    ),
    path(
        "roles/<int:role_id>/stages/<int:stage_id>/criteria/starter-behaviours/",
        roles.starter_behaviours_add,
        name="starter-behaviours-add",
    ),
]
