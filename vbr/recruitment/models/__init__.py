from vbr.recruitment.models.assessments import (
    Assessment,
    Panellist,
    Score,
    Scorecard,
    ScorecardRevision,
)
from vbr.recruitment.models.candidates import Application, Candidate, StageEntry
from vbr.recruitment.models.decisions import Decision, Outcome
from vbr.recruitment.models.documents import SummaryBatch, SummaryJob
from vbr.recruitment.models.roles import Criterion, Role, Stage
from vbr.recruitment.models.values import CoreValue, Indicator

__all__ = [
    "Application",
    "Assessment",
    "Candidate",
    "CoreValue",
    "Criterion",
    "Decision",
    "Indicator",
    "Outcome",
    "Panellist",
    "Role",
    "Score",
    "Scorecard",
    "ScorecardRevision",
    "Stage",
    "StageEntry",
    "SummaryBatch",
    "SummaryJob",
]
