"""Calculations over scores: pure functions returning small dataclasses.

Only submitted scorecards ever reach these functions (see `submitted_scores`). "Not observed"
is not a low score: it is counted separately and left out of medians and spreads.

The system flags, it never decides:
- disagreement: panellists differ by two levels or more on a criterion;
- weak essential: an essential criterion whose median is 2 or below, or that nobody observed.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, QuerySet, Sum

from vbr.compiled import CompiledQuery
from vbr.recruitment import rules
from vbr.recruitment.models import (
    Application,
    Assessment,
    CoreValue,
    Criterion,
    NationalValue,
    Panellist,
    Score,
    Scorecard,
    Stage,
    ValueSet,
)
from vbr.recruitment.models.library import evidences_of_criteria

# The experts' view is a product rule (rules.py); its names stay importable from here.
from vbr.recruitment.rules import NEGATIVE as NEGATIVE
from vbr.recruitment.rules import POSITIVE as POSITIVE
from vbr.recruitment.rules import recommendation_view as recommendation_view
from vbr.recruitment.rules import view_of_counts as view_of_counts

DISAGREEMENT_SPREAD = 2
WEAK_MEDIAN = 2.0
LEVEL_LABELS = {
    1: "No evidence shown",
    2: "Some evidence",
    3: "Good evidence",
    4: "Strong evidence",
}
# What the evidence grid says for a value that no criterion of a stage evidences.
NOT_PLANNED = "Not planned"


@dataclass(frozen=True)
class LevelStats:
    """Median and spread of the levels given, leaving out "not observed"."""

    levels: tuple[int, ...]
    not_observed: int

    @property
    def count(self) -> int:
        return len(self.levels)

    @property
    def median(self) -> float | None:
        return statistics.median(self.levels) if self.levels else None

    @property
    def median_label(self) -> str:
        """The median for people to read: "3", "3.5", or "—" when nothing was observed."""
        median = self.median
        if median is None:
            return "—"
        return f"{median:g}"

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.levels) if self.levels else None

    @property
    def spread(self) -> int | None:
        return max(self.levels) - min(self.levels) if self.levels else None

    @property
    def disagreement(self) -> bool:
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD


def level_stats(levels: Iterable[int | None]) -> LevelStats:
    """Stats over levels where None means "not observed"."""
    observed: list[int] = []
    not_observed = 0
    for level in levels:
        if rules.counts_in_figures(level):
            observed.append(level)
        else:
            not_observed += 1
    return LevelStats(levels=tuple(sorted(observed)), not_observed=not_observed)


def is_weak(stats: LevelStats) -> bool:
    """Weak evidence: nobody saw it, or the median is "some evidence" or lower."""
    return stats.median is None or stats.median <= WEAK_MEDIAN


@dataclass(frozen=True)
class PanellistScore:
    panellist_id: int
    name: str
    panel_role: str
    panel_role_label: str
    is_expert: bool
    level: int | None  # None: not observed
    evidence: str


@dataclass(frozen=True)
class CriterionDebrief:
    criterion: Criterion
    scores: tuple[PanellistScore, ...]
    stats: LevelStats
    expert_stats: LevelStats
    staff_stats: LevelStats

    @property
    def disagreement(self) -> bool:
        return self.stats.disagreement

    @property
    def weak_essential(self) -> bool:
        return self.criterion.essential and is_weak(self.stats)


@dataclass(frozen=True)
class ValueDebrief:
    core_value: CoreValue
    criteria: tuple[CriterionDebrief, ...]
    stats: LevelStats
    expert_stats: LevelStats
    staff_stats: LevelStats
    # The national values it evidences, as `evidences_by_value` words them; "" when none.
    evidences: str = ""

    @property
    def essential(self) -> bool:
        return any(c.criterion.essential for c in self.criteria)

    @property
    def disagreement(self) -> bool:
        return any(c.disagreement for c in self.criteria)

    @property
    def weak_essential(self) -> bool:
        return any(c.weak_essential for c in self.criteria)


@dataclass(frozen=True)
class Recommendation:
    panellist_id: int
    name: str
    panel_role_label: str
    is_expert: bool
    recommendation: str
    label: str
    summary: str
    # "Entered by …" when a supporter typed the answers on the panellist's behalf.
    entered_by: str = ""


@dataclass(frozen=True)
class Debrief:
    """Everything the panel sees at the debrief of one assessment."""

    assessment: Assessment
    criteria: tuple[CriterionDebrief, ...]
    values: tuple[ValueDebrief, ...]
    recommendations: tuple[Recommendation, ...]
    submitted: int
    panel_size: int

    @property
    def flags(self) -> list[str]:
        flags = []
        for value in self.values:
            if value.weak_essential:
                flags.append(f"Weak evidence on an essential value: {value.core_value.name}")
        for item in self.criteria:
            if item.disagreement:
                flags.append(
                    f"Panel differs by {item.stats.spread} levels on: {item.criterion.prompt}"
                )
        return flags

    def table(self) -> list[tuple[ValueDebrief, list[tuple[CriterionDebrief, list[Any]]]]]:
        """Per value, per criterion: each submitted panellist's score in column order
        (the order of `recommendations`), None where they gave none."""
        columns = [r.panellist_id for r in self.recommendations]
        rows = []
        for value in self.values:
            criterion_rows = []
            for item in value.criteria:
                by_panellist = {s.panellist_id: s for s in item.scores}
                criterion_rows.append((item, [by_panellist.get(pid) for pid in columns]))
            rows.append((value, criterion_rows))
        return rows

    @property
    def has_experts(self) -> bool:
        return any(r.is_expert for r in self.recommendations)

    @property
    def expert_view(self) -> str:
        """The experts-by-experience view in one word: positive, negative, mixed or none."""
        return recommendation_view(r.recommendation for r in self.recommendations if r.is_expert)

    @property
    def staff_view(self) -> str:
        return recommendation_view(
            r.recommendation for r in self.recommendations if not r.is_expert
        )


def submitted_scores(assessments: Iterable[Assessment] | QuerySet[Assessment]) -> QuerySet[Score]:
    """Scores of submitted scorecards only, with what the debrief needs, in one query."""
    return (
        Score.objects.filter(
            scorecard__assessment__in=assessments, scorecard__submitted_at__isnull=False
        )
        .select_related("criterion__core_value", "scorecard__panellist__user")
        .order_by("criterion__order", "criterion_id", "scorecard__panellist_id")
    )


def _panellist_score(score: Score) -> PanellistScore:
    panellist: Panellist = score.scorecard.panellist
    return PanellistScore(
        panellist_id=panellist.pk,
        name=panellist.user.display_name,
        panel_role=panellist.panel_role,
        panel_role_label=panellist.get_panel_role_display(),
        is_expert=panellist.is_expert_by_experience,
        level=None if score.not_observed else score.level,
        evidence=score.evidence,
    )


def _stats(scores: Sequence[PanellistScore], expert: bool | None = None) -> LevelStats:
    return level_stats(s.level for s in scores if expert is None or s.is_expert == expert)


def build_debrief(
    *,
    assessment: Assessment,
    criteria: Sequence[Criterion],
    scores: Iterable[Score],
    scorecards: Sequence[Scorecard],
    panel_size: int,
    evidences: dict[int, str] | None = None,
) -> Debrief:
    """Assemble the debrief of one assessment from data already loaded.

    `scores` and `scorecards` must be of submitted scorecards only; `criteria` is the
    assessment's criteria version, in order. `evidences`: what each value evidences, by value
    id (`evidences_by_value`), to name beside it.
    """
    evidences = evidences or {}
    by_criterion: dict[int, list[PanellistScore]] = defaultdict(list)
    for score in scores:
        by_criterion[score.criterion_id].append(_panellist_score(score))

    criterion_debriefs = tuple(
        CriterionDebrief(
            criterion=criterion,
            scores=tuple(by_criterion[criterion.pk]),
            stats=_stats(by_criterion[criterion.pk]),
            expert_stats=_stats(by_criterion[criterion.pk], expert=True),
            staff_stats=_stats(by_criterion[criterion.pk], expert=False),
        )
        for criterion in criteria
    )
    value_debriefs = []
    for core_value, items in _group_by_value(criterion_debriefs):
        all_scores = [s for item in items for s in item.scores]
        value_debriefs.append(
            ValueDebrief(
                core_value=core_value,
                criteria=tuple(items),
                stats=_stats(all_scores),
                expert_stats=_stats(all_scores, expert=True),
                staff_stats=_stats(all_scores, expert=False),
                evidences=evidences.get(core_value.pk, ""),
            )
        )
    recommendations = tuple(
        Recommendation(
            panellist_id=card.panellist_id,
            name=card.panellist.user.display_name,
            panel_role_label=card.panellist.get_panel_role_display(),
            is_expert=card.panellist.is_expert_by_experience,
            recommendation=card.recommendation,
            label=card.get_recommendation_display() or "Not given",
            summary=card.summary,
            entered_by=card.entered_by_label,
        )
        for card in scorecards
    )
    return Debrief(
        assessment=assessment,
        criteria=criterion_debriefs,
        values=tuple(value_debriefs),
        recommendations=recommendations,
        submitted=len(scorecards),
        panel_size=panel_size,
    )


def _group_by_value(
    items: Sequence[CriterionDebrief],
) -> list[tuple[CoreValue, list[CriterionDebrief]]]:
    groups: dict[int, tuple[CoreValue, list[CriterionDebrief]]] = {}
    for item in items:
        value = item.criterion.core_value
        groups.setdefault(value.pk, (value, []))[1].append(item)
    return sorted(groups.values(), key=lambda g: (g[0].order, g[0].name))


# The submitted scores of one assessment, as `submitted_scores` orders them: on every view of
# a debrief (see vbr.compiled).
_DEBRIEF_SCORES: CompiledQuery[Score] = CompiledQuery(
    lambda assessment_id: submitted_scores(
        Assessment.objects.filter(pk=assessment_id)
    ).select_related(None),
    assessment_id=int,
)


def debrief_for(assessment: Assessment, *, panel: Sequence[Panellist] | None = None) -> Debrief:
    """Load and build the debrief of one assessment in a constant number of queries.

    `panel`: the assessment's panellists, when the caller has loaded them with their users
    and scorecards (and the scorecards' `entered_by`): then the scorecards are not read again.
    Otherwise it is `debriefs_for` of this one assessment.
    """
    if panel is None:
        return debriefs_for([assessment])[assessment.pk]
    scorecards = sorted(
        (p.scorecard for p in panel if p.has_submitted),
        key=lambda card: (card.panellist.panel_role, card.panellist_id),
    )
    by_id = {card.pk: card for card in scorecards}
    scores = _DEBRIEF_SCORES.objects(assessment_id=assessment.pk) if scorecards else []
    for score in scores:
        score.scorecard = by_id[score.scorecard_id]
    criteria = assessment.criteria_in_order()
    value_ids = {criterion.core_value_id for criterion in criteria}
    return build_debrief(
        assessment=assessment,
        criteria=criteria,
        scores=scores,
        scorecards=scorecards,
        panel_size=len(panel),
        # One query for what each value evidences, however many values the stage has.
        evidences=(
            evidences_of_criteria(assessment.stage_id, assessment.criteria_version)
            if value_ids
            else {}
        ),
    )


def debriefs_for(assessments: Sequence[Assessment]) -> dict[int, Debrief]:
    """The debriefs of several assessments, by assessment id, in three queries however many
    there are (a summary or a batch of summaries must not pay three queries per stage).

    The assessments should come with their panellists prefetched (for the panel size)."""
    if not assessments:
        return {}
    versions = {(a.stage_id, a.criteria_version) for a in assessments}
    criteria: dict[tuple[int, int], list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(
        stage_id__in={stage_id for stage_id, _ in versions}
    ).select_related("core_value"):
        if (criterion.stage_id, criterion.version) in versions:
            criteria[(criterion.stage_id, criterion.version)].append(criterion)
    scorecards: dict[int, list[Scorecard]] = defaultdict(list)
    for card in (
        Scorecard.objects.filter(assessment__in=assessments)
        .submitted()
        .select_related("panellist__user", "entered_by")
        .order_by("panellist__panel_role", "panellist_id")
    ):
        scorecards[card.assessment_id].append(card)
    scores: dict[int, list[Score]] = defaultdict(list)
    for score in submitted_scores(assessments):
        scores[score.scorecard.assessment_id].append(score)
    return {
        a.pk: build_debrief(
            assessment=a,
            criteria=criteria[(a.stage_id, a.criteria_version)],
            scores=scores[a.pk],
            scorecards=scorecards[a.pk],
            panel_size=len(a.panellists.all()),
        )
        for a in assessments
    }


@dataclass(frozen=True)
class GridCell:
    stats: LevelStats
    criteria_count: int

    @property
    def planned(self) -> bool:
        return self.criteria_count > 0

    @property
    def label(self) -> str:
        """What the cell says, in the same words in the evidence table, the values profile
        chart and its description: the median level, or why there is none."""
        if self.stats.count:
            return self.stats.median_label
        if not self.planned:
            return NOT_PLANNED
        if self.stats.not_observed:
            return "Not observed"
        return "No scores yet"


@dataclass(frozen=True)
class ValueRow:
    core_value: CoreValue
    cells: tuple[GridCell, ...]
    overall: LevelStats
    # The national values it evidences, as `evidences_by_value` words them; "" when none.
    evidences: str = ""

    @property
    def gap(self) -> bool:
        """No stage has evidence for this value yet."""
        return self.overall.count == 0


@dataclass(frozen=True)
class ValueStageGrid:
    """Evidence per value (rows) across a role's stages (columns) for one application."""

    stages: tuple[Stage, ...]
    rows: tuple[ValueRow, ...] = field(default_factory=tuple)

    @property
    def gaps(self) -> list[CoreValue]:
        return [row.core_value for row in self.rows if row.gap]


def _grid_criteria(role_id: int) -> QuerySet[Criterion]:
    """A role's criteria (every version) with their values, and what each value evidences:
    one row per (criterion, national value it evidences), so a criterion may come twice."""
    national = "core_value__evidences"
    return (
        Criterion.objects.filter(stage__role_id=role_id)
        .select_related("core_value")
        .annotate(
            evidence_name=F(f"{national}__name"),
            evidence_set=F(f"{national}__value_set__name"),
        )
        .order_by("pk", f"{national}__value_set__order", f"{national}__order", f"{national}__pk")
    )


def _grid_scores(application_id: int) -> QuerySet[Any]:
    """Four columns per submitted score of an application, not five model instances: the
    grid needs nothing else (`level_stats` sorts the levels itself)."""
    return (
        submitted_scores(Assessment.objects.filter(application_id=application_id))
        .order_by()
        .values_list(
            "criterion__core_value_id", "scorecard__assessment_id", "not_observed", "level"
        )
    )


# Read on every view of an application page and for every PDF summary (see vbr.compiled).
# Any: the criteria come with their evidence_name and evidence_set annotations.
_GRID_CRITERIA: CompiledQuery[Any] = CompiledQuery(_grid_criteria, role_id=int)
_GRID_SCORES: CompiledQuery[Any] = CompiledQuery(_grid_scores, application_id=int)


def value_stage_grid(
    application: Application,
    assessments: Sequence[Assessment] | None = None,
    role_criteria: Iterable[Any] | None = None,
) -> ValueStageGrid:
    """The value × stage evidence grid of an application (submitted scorecards only).

    Rows are every value that any of the role's criteria use (current versions, plus the
    versions its assessments were scored against), so retired values still show.
    `role_criteria`: the role's criteria as `_grid_criteria` reads them, when the caller has
    read them already.
    """
    stages = list(application.role.stages.all())
    if assessments is None:
        assessments = list(application.assessments.all())
    # Each stage's criteria version: the one it was assessed against, else the current one.
    assessed_versions = {a.stage_id: a.criteria_version for a in assessments}
    stage_versions = {s.pk: assessed_versions.get(s.pk, s.criteria_version) for s in stages}
    # The criteria with their values and what each value evidences (`_grid_criteria`).
    criteria: list[Criterion] = []
    evidences: dict[int, list[str]] = {}
    seen: set[int] = set()
    if role_criteria is None:
        role_criteria = _GRID_CRITERIA.objects(role_id=application.role_id)
    for row in role_criteria:
        if row.version != stage_versions[row.stage_id]:
            continue
        if row.pk not in seen:
            seen.add(row.pk)
            criteria.append(row)
        if row.evidence_name is not None:
            labels = evidences.setdefault(row.core_value_id, [])
            label = NationalValue(
                name=row.evidence_name,
                value_set=ValueSet(name=row.evidence_set),
            ).label
            if label not in labels:
                labels.append(label)
    levels: dict[tuple[int, int], list[int | None]] = defaultdict(list)
    stage_of_assessment = {a.pk: a.stage_id for a in assessments}
    scores = _GRID_SCORES.rows(application_id=application.pk) if assessments else []
    for value_id, assessment_id, not_observed, level in scores:
        if assessment_id in stage_of_assessment:
            levels[(value_id, assessment_id)].append(None if not_observed else level)
    by_value_stage: dict[tuple[int, int], list[int | None]] = defaultdict(list)
    for (value_id, assessment_id), value_levels in levels.items():
        by_value_stage[(value_id, stage_of_assessment[assessment_id])].extend(value_levels)

    values: dict[int, CoreValue] = {}
    planned: dict[tuple[int, int], int] = defaultdict(int)
    for criterion in criteria:
        values[criterion.core_value_id] = criterion.core_value
        planned[(criterion.core_value_id, criterion.stage_id)] += 1

    rows = []
    for core_value in sorted(values.values(), key=lambda v: (v.order, v.name)):
        cells = tuple(
            GridCell(
                stats=level_stats(by_value_stage[(core_value.pk, stage.pk)]),
                criteria_count=planned[(core_value.pk, stage.pk)],
            )
            for stage in stages
        )
        overall = level_stats(
            level for stage in stages for level in by_value_stage[(core_value.pk, stage.pk)]
        )
        rows.append(
            ValueRow(
                core_value=core_value,
                cells=cells,
                overall=overall,
                evidences="; ".join(evidences.get(core_value.pk, ())),
            )
        )
    return ValueStageGrid(stages=tuple(stages), rows=tuple(rows))


@dataclass(frozen=True)
class MatrixRow:
    core_value: CoreValue
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ValueStageMatrix:
    """How many of a role's current criteria evidence each value at each stage (planning,
    before any scores exist): the setup-page counterpart of `ValueStageGrid`."""

    stages: tuple[Stage, ...]
    rows: tuple[MatrixRow, ...]
    uncovered: tuple[CoreValue, ...]


def value_stage_matrix(
    *,
    stages: Sequence[Stage],
    criteria: Iterable[Criterion],
    current_values: Sequence[CoreValue],
) -> ValueStageMatrix:
    """Count criteria per value and stage from data already loaded.

    `criteria` are the role's current-version criteria with `core_value` loaded. Rows are the
    provider's current values plus any retired value the criteria still use, in library order;
    `uncovered` lists current values that no stage of the role evidences.
    """
    counts: dict[tuple[int, int], int] = defaultdict(int)
    values: dict[int, CoreValue] = {value.pk: value for value in current_values}
    for criterion in criteria:
        counts[(criterion.core_value_id, criterion.stage_id)] += 1
        values.setdefault(criterion.core_value_id, criterion.core_value)
    rows = tuple(
        MatrixRow(
            core_value=value,
            counts=tuple(counts[(value.pk, stage.pk)] for stage in stages),
        )
        for value in sorted(values.values(), key=lambda v: (v.order, v.name))
    )
    uncovered = tuple(row.core_value for row in rows if row.total == 0)
    return ValueStageMatrix(stages=tuple(stages), rows=rows, uncovered=uncovered)


# -- Stored totals per value ------------------------------------------------------------------


def value_level_key(core_value_id: int) -> str:
    """The key of a value in Application.value_levels (not a bare number: JSON paths would
    read that as a list index)."""
    return f"v{core_value_id}"


def value_level_totals_of(
    levels: Iterable[tuple[int, int, int | None]],
) -> dict[int, dict[str, list[float]]]:
    """`value_level_totals` of submitted answers already read, as (application id, core value
    id, level or None for not observed): for a caller that reads them for other figures too."""
    sums: dict[tuple[int, int], list[int]] = {}
    for application_id, core_value_id, level in levels:
        if rules.counts_in_figures(level):
            running = sums.setdefault((application_id, core_value_id), [0, 0])
            running[0] += level
            running[1] += 1
    totals: dict[int, dict[str, list[float]]] = defaultdict(dict)
    for (application_id, core_value_id), (total, n) in sums.items():
        totals[application_id][value_level_key(core_value_id)] = [total, n, round(total / n, 2)]
    return totals


def value_level_totals(scores: QuerySet[Any]) -> dict[int, dict[str, list[float]]]:
    """Per application, per value: [sum of submitted levels, how many, their mean rounded to
    2 places], from `scores`. The mean is stored as Python rounds it (ties to even: 3.125 →
    3.12) so that exports copy it as it is.

    "Not observed" and unanswered criteria are left out, as from every mean. Takes any Score
    queryset, so that a migration can pass its historical model's.
    """
    totals: dict[int, dict[str, list[float]]] = defaultdict(dict)
    rows = (
        scores.filter(rules.scores_in_figures(), scorecard__submitted_at__isnull=False)
        .values("scorecard__assessment__application_id", "criterion__core_value_id")
        .annotate(total=Sum("level"), n=Count("pk"))
        .values_list(
            "scorecard__assessment__application_id", "criterion__core_value_id", "total", "n"
        )
        .order_by()
    )
    for application_id, core_value_id, total, n in rows:
        totals[application_id][value_level_key(core_value_id)] = [total, n, round(total / n, 2)]
    return totals
