"""Subject access: everything VBR holds about one candidate, as plain data.

Which fields are exported, and under which keys and sections, is the personal-data
register's (`register.py`): each record here is its row's exported fields, with a few of the
provider's own labels (role, stage, value, question, panel role) that make it readable.

Only submitted scorecards are included, with their shadowing notes (a draft is not yet
anyone's view). Third parties are not named: panellists appear by their panel role, and the
people supported who gave their view during shadowing, and their supporters, not at all —
what they said about the candidate is included.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.db import models
from django.db.models import Prefetch

from vbr.applicants.models import Notice, OnlineApplication, ValuesAnswer
from vbr.compliance.models import (
    Check,
    EmploymentSpell,
    GapExplanation,
    ReferenceRequest,
    SaferRecruitmentFile,
)
from vbr.involvement.models import ShortlistAnswer, ShortlistEntry
from vbr.privacy.models import DbsCheck
from vbr.privacy.register import Personal, table_for
from vbr.recruitment.models import (
    Application,
    Assessment,
    Candidate,
    Decision,
    Outcome,
    Score,
    Scorecard,
    ShadowingNote,
    StageEntry,
    SupportedPersonView,
)


def _value(row: models.Model, entry: Personal) -> Any:
    """A field's value as plain data: labels for codes, ISO dates, whether a file is held."""
    if entry.shown_as:
        return getattr(row, entry.shown_as)
    field = row._meta.get_field(entry.field)
    if getattr(field, "choices", None):
        return getattr(row, f"get_{entry.field}_display")()
    value = getattr(row, entry.field)
    if isinstance(field, models.FileField):
        return bool(value)
    if value is None:
        return None
    if isinstance(field, models.ForeignKey):
        return str(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):  # dates and datetimes
        return value.isoformat()
    return value


def exported(row: models.Model, **labels: Any) -> dict[str, Any]:
    """The register's exported fields of `row`, after the given labels."""
    entries = table_for(type(row)).exported
    return {**labels, **{str(entry.export): _value(row, entry) for entry in entries}}


def section(model: type[models.Model]) -> str:
    """The key under which the export lists rows of `model`."""
    key = table_for(model).section
    if key is None:
        raise LookupError(f"{model._meta.label} is not exported")
    return key


def candidate_data(candidate: Candidate) -> dict[str, Any]:
    applications = (
        candidate.applications.select_related("role", "current_stage", "outcome", "online")
        .prefetch_related(
            "online__answers",
            "notices",
            "stage_entries__stage",
            "decisions",
            "dbs_checks",
            "safer_recruitment_file__checks__item",
            "safer_recruitment_file__employment",
            "safer_recruitment_file__gap_explanations",
            "safer_recruitment_file__references",
            "shortlist_entries__answers",
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("stage").prefetch_related(
                    "supported_person_views",
                    Prefetch(
                        "scorecards",
                        queryset=Scorecard.objects.submitted()
                        .select_related("panellist")
                        .prefetch_related(
                            "shadowing_notes",
                            Prefetch(
                                "scores",
                                queryset=Score.objects.select_related("criterion__core_value"),
                            ),
                        ),
                    ),
                ),
            ),
        )
        .order_by("applied_at", "pk")
    )
    return {
        section(Candidate): exported(candidate, reference=candidate.pk),
        # Who holds the data (the controller), not the candidate's data.
        "provider": candidate.provider.name,
        section(Application): [_application(application) for application in applications],
    }


def _application(application: Application) -> dict[str, Any]:
    outcome = getattr(application, "outcome", None)
    online = getattr(application, "online", None)
    return {
        **exported(application, reference=application.pk, role=application.role.title),
        section(StageEntry): [
            exported(entry, stage=entry.stage.name) for entry in application.stage_entries.all()
        ],
        section(Assessment): [
            _assessment(assessment) for assessment in application.assessments.all()
        ],
        section(Decision): [exported(decision) for decision in application.decisions.all()],
        section(Outcome): exported(outcome) if outcome else None,
        section(DbsCheck): [exported(check) for check in application.dbs_checks.all()],
        section(SaferRecruitmentFile): _safer_recruitment_file(application),
        # What the candidate wrote when they applied online, answers as they wrote them.
        section(OnlineApplication): {
            **exported(online),
            section(ValuesAnswer): [exported(answer) for answer in online.answers.all()],
        }
        if online
        else None,
        section(Notice): [exported(notice) for notice in application.notices.all()],
        section(ShortlistEntry): [
            {
                **exported(entry),
                section(ShortlistAnswer): [exported(answer) for answer in entry.answers.all()],
            }
            for entry in application.shortlist_entries.all()
        ],
    }


def _safer_recruitment_file(application: Application) -> dict[str, Any] | None:
    """The checks of the candidate's file by name, their employment history and the
    explanations of its gaps."""
    file = getattr(application, "safer_recruitment_file", None)
    if file is None:
        return None
    return {
        **exported(file),
        section(Check): [exported(check, check=check.item.name) for check in file.checks.all()],
        section(EmploymentSpell): [exported(spell) for spell in file.employment.all()],
        section(GapExplanation): [exported(gap) for gap in file.gap_explanations.all()],
        section(ReferenceRequest): [exported(reference) for reference in file.references.all()],
    }


def _assessment(assessment: Assessment) -> dict[str, Any]:
    return {
        **exported(assessment, stage=assessment.stage.name),
        section(Scorecard): [_scorecard(scorecard) for scorecard in assessment.scorecards.all()],
        section(SupportedPersonView): [
            exported(view) for view in assessment.supported_person_views.all()
        ],
    }


def _scorecard(scorecard: Scorecard) -> dict[str, Any]:
    return {
        **exported(scorecard, panel_role=scorecard.panellist.get_panel_role_display()),
        section(Score): [
            exported(
                score,
                value=score.criterion.core_value.name,
                question=score.criterion.prompt,
            )
            for score in scorecard.scores.all()
        ],
        section(ShadowingNote): [exported(note) for note in scorecard.shadowing_notes.all()],
    }
