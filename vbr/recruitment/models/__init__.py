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
from vbr.recruitment.models.library import BankItem, NationalValue, ValueSet
from vbr.recruitment.models.outcome_messages import DecisionMessage
from vbr.recruitment.models.panel import (
    ApplicationCheck,
    Involvement,
    ProviderCheck,
    ShadowingNote,
    SupportedPersonView,
)
from vbr.recruitment.models.roles import Criterion, Role, Service, Stage
from vbr.recruitment.models.values import CoreValue, Indicator

__all__ = [
    "Application",
    "ApplicationCheck",
    "Assessment",
    "BankItem",
    "Candidate",
    "CoreValue",
    "Criterion",
    "Decision",
    "DecisionMessage",
    "Indicator",
    "Involvement",
    "NationalValue",
    "Outcome",
    "Panellist",
    "ProviderCheck",
    "Role",
    "Score",
    "Scorecard",
    "ScorecardRevision",
    "Service",
    "ShadowingNote",
    "Stage",
    "StageEntry",
    "SummaryBatch",
    "SummaryJob",
    "SupportedPersonView",
    "ValueSet",
]
