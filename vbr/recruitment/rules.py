"""The product's rules, each in one named function that every page, export, PDF and report
calls, so that a rule cannot mean one thing on a form and another in a report.

- Evidence: the extreme levels (1 and 4) need written evidence.
- "Not observed" is not a level: it is counted apart and left out of every figure.
- The experts-by-experience view at a stage, from their own submitted recommendations there.
- A decision that goes against that view needs a recorded reason, and is counted as such.

Who may see whose scores is a rule too; it lives with the rest of access in
`vbr.accounts.access`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, TypeGuard

from django.db.models import Count, Q, QuerySet

from vbr.recruitment.models import Application, Decision, Panellist, Scorecard

# -- Levels and evidence -----------------------------------------------------------------------

LEVELS = (1, 2, 3, 4)
EVIDENCE_REQUIRED_LEVELS = frozenset({1, 4})


def needs_written_evidence(level: int | None) -> bool:
    """Whether a score at this level can be submitted only with written evidence.

    Why: "no evidence shown" and "strong evidence" are where a panel most needs to explain
    itself — they move a candidate most, and they are what the debrief and the candidate's
    feedback lean on. The middle levels and "not observed" need none.

    The easy-read pages ask for a comment at every question but never require one: writing is
    the barrier those pages remove for panel members who draw on care, and their chosen words
    and picture stand on their own.
    """
    return level in EVIDENCE_REQUIRED_LEVELS


def evidence_levels_in_words() -> str:
    """The levels that need evidence, for the scorecard's hint ("1 and 4")."""
    *rest, last = sorted(EVIDENCE_REQUIRED_LEVELS)
    return f"{', '.join(map(str, rest))} and {last}" if rest else str(last)


def counts_in_figures(level: int | None) -> TypeGuard[int]:
    """Whether a score enters medians, means, spreads, agreement and leniency.

    "Not observed" (no level: the panel saw no chance to show the value) is not a low score:
    counting it as one would mark candidates down for the shape of the assessment. It is
    counted apart, and shown as such, but never enters a figure.
    """
    return level in LEVELS


def scores_in_figures() -> Q:
    """`counts_in_figures` as a filter on Score rows (for figures the database adds up)."""
    return Q(level__isnull=False)


# -- The experts-by-experience view ------------------------------------------------------------

ExpertsView = Literal["positive", "negative", "mixed", "none"]
POSITIVE = frozenset({Scorecard.Recommendation.STRONG_YES, Scorecard.Recommendation.YES})
NEGATIVE = frozenset({Scorecard.Recommendation.STRONG_NO, Scorecard.Recommendation.NO})


def view_of_counts(*, positive: int, negative: int) -> ExpertsView:
    """A panel's view in one word from how many recommendations were for and against.

    Clear only when everyone who recommended agreed: one voice against is enough to make the
    view "mixed", so that no panel member's view is outvoted into a clear one. "No
    recommendation" counts neither way.
    """
    if positive and negative:
        return "mixed"
    if positive:
        return "positive"
    return "negative" if negative else "none"


def recommendation_view(recommendations: Iterable[str]) -> ExpertsView:
    """`view_of_counts` of a list of recommendations."""
    listed = list(recommendations)
    return view_of_counts(
        positive=sum(1 for r in listed if r in POSITIVE),
        negative=sum(1 for r in listed if r in NEGATIVE),
    )


def experts_views(scorecards: QuerySet[Scorecard]) -> dict[tuple[int, int], ExpertsView]:
    """The experts-by-experience view per (application id, stage id) among `scorecards`, in
    one grouped query however many applications there are.

    Only the submitted scorecards of panellists who sat as experts by experience count: a
    draft can still change, and a staff member's view is not the lived-experience view. The
    view belongs to a stage, not to the whole application: the experts at shadowing saw the
    candidate with the people they would support, and may see them differently from the
    experts at the interview.
    """
    rows = (
        scorecards.filter(
            submitted_at__isnull=False,
            panellist__panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
        )
        .values("assessment__application_id", "assessment__stage_id")
        .annotate(
            positive=Count("pk", filter=Q(recommendation__in=POSITIVE)),
            negative=Count("pk", filter=Q(recommendation__in=NEGATIVE)),
        )
        .order_by()
        .values_list("assessment__application_id", "assessment__stage_id", "positive", "negative")
    )
    return {
        (application_id, stage_id): view_of_counts(positive=positive, negative=negative)
        for application_id, stage_id, positive, negative in rows.iterator(chunk_size=5000)
    }


def experts_view_at(*, application: Application, stage_id: int | None) -> ExpertsView:
    """The experts-by-experience view of one application at one stage (one query; none when
    there is no stage: an application not started has not been assessed)."""
    if stage_id is None:
        return "none"
    views = experts_views(
        Scorecard.objects.filter(
            assessment__application_id=application.pk, assessment__stage_id=stage_id
        )
    )
    return views.get((application.pk, stage_id), "none")


def decision_stage_id(application: Application) -> int | None:
    """The stage a decision made now belongs to: the one the application is in. The experts'
    view that a decision is weighed against is their view at that stage."""
    return application.current_stage_id


# -- Decisions against the experts' view -------------------------------------------------------

_FORWARD = frozenset({Decision.Kind.PROGRESS, Decision.Kind.OFFER, Decision.Kind.HIRE})


def _direction(kind: str) -> ExpertsView | None:
    """Which clear view a decision agrees with (a hold agrees with neither)."""
    if kind in _FORWARD:
        return "positive"
    if kind == Decision.Kind.DECLINE:
        return "negative"
    return None


def goes_against_experts(*, view: str, kind: str) -> bool:
    """Whether a decision overrules the experts by experience, and so needs a recorded reason.

    It does when their view at the stage decided was clear (all for, or all against) and the
    decision went the other way: moving on, offering or hiring when they were against;
    declining when they were for. A mixed view, no view, or a hold overrules nobody. Why: the
    people who draw on care must have a real voice; the system never decides for the manager,
    but it makes an overruling visible and explained.
    """
    direction = _direction(kind)
    return view in ("positive", "negative") and direction is not None and direction != view


def follows_experts(*, view: str, kind: str) -> bool:
    """Whether a decision went the way the experts' clear view at that stage went (the
    other half of the panel report's share of decisions against them)."""
    direction = _direction(kind)
    return view in ("positive", "negative") and direction == view
