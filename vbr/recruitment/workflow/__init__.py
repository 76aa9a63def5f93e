"""Steps that touch several models. Keyword-only, typed, atomic.

One module per area (values, roles, applications, decisions, panels, scoring, shadowing,
summaries). Every public name is available from here, so callers write
`workflow.submit_scorecard(...)` without knowing which module holds it. To patch a name in a
test, patch it in the module that looks it up (`workflow.summaries.send_summary_jobs`):
replacing it here would not change what the other functions call.
"""

from vbr.recruitment.workflow.applications import (
    NoNextStage,
    add_candidate,
    apply_to_role,
    move_to_next_stage,
    next_stage,
)
from vbr.recruitment.workflow.decisions import (
    DECISION_STATUS,
    experts_view,
    record_decision,
)
from vbr.recruitment.workflow.panels import (
    add_panellist,
    cancel_assessment,
    default_panel_role,
    remove_panellist,
    schedule_assessment,
)
from vbr.recruitment.workflow.roles import (
    CriteriaFrozen,
    StartersAdded,
    add_stage,
    add_starter_behaviours,
    add_starter_questions,
    create_role,
    move_criterion,
    move_stage,
    next_criterion_order,
    start_new_criteria_version,
)
from vbr.recruitment.workflow.scoring import (
    Answer,
    ScorecardLocked,
    amend_scorecard,
    close_scoring,
    refresh_all_value_levels,
    refresh_from_scores,
    refresh_value_levels,
    save_scorecard_draft,
    scorecard_snapshot,
    set_scorecard_supporter,
    submit_scorecard,
)
from vbr.recruitment.workflow.shadowing import (
    ShadowingChecksOutstanding,
    add_shadowing_note,
    delete_shadowing_note,
    ensure_can_schedule,
    outstanding_shadowing_checks,
    record_supported_person_view,
    tick_check,
)
from vbr.recruitment.workflow.summaries import (
    SweepReport,
    remake_missing_summary,
    remove_generated_files,
    request_summary,
    request_summary_batch,
    run_summary_job,
    send_summary_jobs,
    sweep_summary_jobs,
)
from vbr.recruitment.workflow.values import copy_starter_values, move_value, next_value_order

__all__ = [
    "DECISION_STATUS",
    "Answer",
    "CriteriaFrozen",
    "NoNextStage",
    "ScorecardLocked",
    "ShadowingChecksOutstanding",
    "StartersAdded",
    "SweepReport",
    "add_candidate",
    "add_panellist",
    "add_shadowing_note",
    "add_stage",
    "add_starter_behaviours",
    "add_starter_questions",
    "amend_scorecard",
    "apply_to_role",
    "cancel_assessment",
    "close_scoring",
    "copy_starter_values",
    "create_role",
    "default_panel_role",
    "delete_shadowing_note",
    "ensure_can_schedule",
    "experts_view",
    "move_criterion",
    "move_stage",
    "move_to_next_stage",
    "move_value",
    "next_criterion_order",
    "next_stage",
    "next_value_order",
    "outstanding_shadowing_checks",
    "record_decision",
    "record_supported_person_view",
    "refresh_all_value_levels",
    "refresh_from_scores",
    "refresh_value_levels",
    "remake_missing_summary",
    "remove_generated_files",
    "remove_panellist",
    "request_summary",
    "request_summary_batch",
    "run_summary_job",
    "save_scorecard_draft",
    "schedule_assessment",
    "scorecard_snapshot",
    "send_summary_jobs",
    "set_scorecard_supporter",
    "start_new_criteria_version",
    "submit_scorecard",
    "sweep_summary_jobs",
    "tick_check",
]
