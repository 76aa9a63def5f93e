from django.urls import path

from vbr.accounts import security as account_security
from vbr.accounts import views as account_views
from vbr.recruitment.views import (
    assessments,
    candidates,
    decisions,
    documents,
    easy_read,
    involvement,
    library,
    panel,
    pipeline,
    roles,
    scoring,
    services,
    values,
)

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
    path("assessments/<int:assessment_id>/easy/", easy_read.easy_start, name="easy-start"),
    path(
        "assessments/<int:assessment_id>/easy/q/<int:number>/",
        easy_read.easy_question,
        name="easy-question",
    ),
    path("assessments/<int:assessment_id>/easy/check/", easy_read.easy_check, name="easy-check"),
    path("assessments/<int:assessment_id>/easy/sent/", easy_read.easy_sent, name="easy-sent"),
    path(
        "assessments/<int:assessment_id>/invitations/",
        panel.invitation_list,
        name="invitation-list",
    ),
    path(
        "assessments/<int:assessment_id>/invitations/<int:panellist_id>/create/",
        panel.invitation_create,
        name="invitation-create",
    ),
    path(
        "invitations/<int:invitation_id>/print/",
        panel.invitation_print,
        name="invitation-print",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        panel.invitation_revoke,
        name="invitation-revoke",
    ),
    path("checks/", panel.check_list, name="check-list"),
    path(
        "applications/<int:application_id>/checks/<int:check_id>/tick/",
        panel.check_tick,
        name="check-tick",
    ),
    path(
        "assessments/<int:assessment_id>/supported-person/",
        panel.supported_person_view_create,
        name="supported-person-view-create",
    ),
    path(
        "assessments/<int:assessment_id>/supported-person/hand-over/",
        panel.supported_person_kiosk_start,
        name="supported-person-kiosk-start",
    ),
    path(
        "assessments/<int:assessment_id>/supported-person/end/",
        panel.supported_person_kiosk_end,
        name="supported-person-kiosk-end",
    ),
    path("involvement/", panel.involvement_list, name="involvement-list"),
    path("involvement/export.csv", panel.involvement_export, name="involvement-export"),
    path(
        "involvement/<int:involvement_id>/paid/",
        involvement.involvement_paid,
        name="involvement-paid",
    ),
    path("involvement/settings/", involvement.involvement_settings, name="involvement-settings"),
    path("involvement/letters/", involvement.letter_list, name="letter-list"),
    path("involvement/letters/<int:message_id>/", involvement.letter_detail, name="letter-detail"),
    path(
        "involvement/letters/<int:message_id>/given/",
        involvement.letter_given,
        name="letter-given",
    ),
    path(
        "assessments/<int:assessment_id>/notes/",
        panel.shadowing_note_create,
        name="shadowing-note-create",
    ),
    path(
        "assessments/<int:assessment_id>/notes/<int:note_id>/delete/",
        panel.shadowing_note_delete,
        name="shadowing-note-delete",
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

urlpatterns += [
    path("values/", values.corevalue_list, name="corevalue-list"),
    path("values/new/", values.corevalue_create, name="corevalue-create"),
    path("values/starter/", values.starter_values_copy, name="starter-values-copy"),
    path("values/<int:value_id>/edit/", values.corevalue_edit, name="corevalue-edit"),
    path("values/<int:value_id>/move/", values.corevalue_move, name="corevalue-move"),
    path("values/<int:value_id>/retire/", values.corevalue_retire, name="corevalue-retire"),
    path("values/<int:value_id>/restore/", values.corevalue_restore, name="corevalue-restore"),
    path("values/<int:value_id>/delete/", values.corevalue_delete, name="corevalue-delete"),
    path("values/<int:value_id>/national/", library.corevalue_map, name="corevalue-map"),
    path("values/sets/<int:set_id>/start/", library.value_set_adopt, name="value-set-adopt"),
    path("bank/", library.bank_list, name="bank-list"),
    path("bank/ours/", library.bank_own_list, name="bank-own-list"),
    path("bank/ours/new/", library.bank_item_new, name="bank-item-new"),
    path("bank/ours/<int:bank_item_id>/", library.bank_item_edit, name="bank-item-edit"),
    path(
        "bank/ours/<int:bank_item_id>/remove/",
        library.bank_item_delete,
        name="bank-item-delete",
    ),
    path(
        "roles/<int:role_id>/stages/<int:stage_id>/bank/<int:item_id>/add/",
        library.bank_item_add,
        name="bank-item-add",
    ),
    path(
        "roles/<int:role_id>/stages/<int:stage_id>/criteria/<int:criterion_id>/to-bank/",
        library.criterion_to_bank,
        name="criterion-to-bank",
    ),
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
        "roles/<int:role_id>/stages/<int:stage_id>/criteria/<int:criterion_id>/move/",
        roles.criterion_move,
        name="criterion-move",
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
    path(
        "roles/<int:role_id>/stages/<int:stage_id>/criteria/starter-questions/",
        roles.starter_questions_add,
        name="starter-questions-add",
    ),
    path(
        "applications/<int:application_id>/summary/",
        documents.summary_detail,
        name="summary-detail",
    ),
    path(
        "applications/<int:application_id>/summary/create/",
        documents.summary_create,
        name="summary-create",
    ),
    path(
        "applications/<int:application_id>/summary/<int:job_id>/download/",
        documents.summary_download,
        name="summary-download",
    ),
    path(
        "roles/<int:role_id>/stages/<int:stage_id>/summaries/",
        documents.summary_batch_create,
        name="summary-batch-create",
    ),
    path(
        "summary-batches/<int:batch_id>/",
        documents.summary_batch_detail,
        name="summary-batch-detail",
    ),
    path(
        "summary-batches/<int:batch_id>/download/",
        documents.summary_batch_download,
        name="summary-batch-download",
    ),
    path("settings/logo/", documents.provider_logo, name="provider-logo"),
    path("services/", services.service_list, name="service-list"),
    path("services/<int:service_id>/", services.service_edit, name="service-edit"),
    path("people/", account_views.people_list, name="people-list"),
    path("people/add/", account_views.panel_member_add, name="panel-member-add"),
    path(
        "people/<int:membership_id>/role/",
        account_views.membership_change,
        name="membership-change",
    ),
    path(
        "people/<int:membership_id>/remove/",
        account_views.membership_remove,
        name="membership-remove",
    ),
    path(
        "people/<int:membership_id>/two-factor-reset/",
        account_security.two_factor_reset,
        name="two-factor-reset",
    ),
    path("logo/", documents.provider_logo_image, name="provider-logo-image"),
]
