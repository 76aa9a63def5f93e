"""The values and panel reports' stored inputs: per assessment, each criterion's count of
each submitted level and of "not observed", the scorecards behind units scored by two or
more, and each panellist's distance from the panel's median (`AgreementTally`).

Kept by the workflow whenever a scorecard is submitted or amended — the only steps that
change submitted levels — as `Application.value_levels` is; loads that write scores
directly (the dataset generator, bench_exports, test factories, the demo) and the migration
that added the table store them the same way.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models, transaction
from django.db.models import Q

from vbr.recruitment.models import Score
from vbr.recruitment.rules import LEVELS, counts_in_figures
from vbr.reports.models import AgreementTally

# One submitted answer as `tally_rows` reads it: assessment, application, stage, criterion,
# core value, scorecard, the panellist's user and the level (None: not observed).
TallyRow = tuple[int, int, int, int, int, int, int, int | None]


def tally_rows(scores: models.QuerySet[Any]) -> Iterable[TallyRow]:
    """The submitted answers among `scores` (levels and "not observed"), as tallies need them."""
    return (
        scores.filter(scorecard__submitted_at__isnull=False)
        .filter(Q(level__isnull=False) | Q(not_observed=True))
        .order_by()
        .values_list(
            "scorecard__assessment_id",
            "scorecard__assessment__application_id",
            "scorecard__assessment__stage_id",
            "criterion_id",
            "criterion__core_value_id",
            "scorecard_id",
            "scorecard__panellist__user_id",
            "level",
        )
        .iterator(chunk_size=5000)
    )


def agreement_tallies(scores: models.QuerySet[Any]) -> list[dict[str, Any]]:
    """The tallies (as field values) of the submitted answers among `scores`: levels, and
    "not observed" (which counts in the values report, never in agreement). Takes any Score
    queryset, so that a migration can pass its historical model's."""
    return tallies_of(tally_rows(scores))


def tallies_of(rows: Iterable[TallyRow]) -> list[dict[str, Any]]:
    """`agreement_tallies` of answers already read (see `tally_rows`)."""
    units: dict[tuple[int, int], list[tuple[int, int, int, int]]] = defaultdict(list)
    values: dict[int, int] = {}
    not_observed: dict[tuple[int, int], int] = defaultdict(int)
    placed: dict[int, dict[str, int]] = {}
    for (
        assessment_id,
        application_id,
        stage_id,
        criterion_id,
        value_id,
        scorecard_id,
        user_id,
        level,
    ) in rows:
        values[criterion_id] = value_id
        if counts_in_figures(level):
            units[(assessment_id, criterion_id)].append((value_id, scorecard_id, user_id, level))
        else:
            not_observed[(assessment_id, criterion_id)] += 1
        placed[assessment_id] = {
            "assessment_id": assessment_id,
            "application_id": application_id,
            "stage_id": stage_id,
        }
    unit_rows: list[dict[str, Any]] = []
    value_cards: dict[tuple[int, int], set[int]] = defaultdict(set)
    stage_cards: dict[int, set[int]] = defaultdict(set)
    lenient: dict[tuple[int, int], list[float]] = {}
    for assessment_id, criterion_id in {*units, *not_observed}:
        scored = units.get((assessment_id, criterion_id), [])
        levels = [level for _value, _card, _user, level in scored]
        value_id = values[criterion_id]
        unit_rows.append(
            {
                **placed[assessment_id],
                "kind": AgreementTally.Kind.UNIT,
                "criterion_id": criterion_id,
                "core_value_id": value_id,
                **{f"n{level}": levels.count(level) for level in LEVELS},
                "not_observed": not_observed.get((assessment_id, criterion_id), 0),
                "count": 1,
            }
        )
        if len(scored) < 2:
            continue
        median = statistics.median(levels)
        for _value, scorecard_id, user_id, level in scored:
            value_cards[(assessment_id, value_id)].add(scorecard_id)
            stage_cards[assessment_id].add(scorecard_id)
            total = lenient.setdefault((assessment_id, user_id), [0.0, 0])
            total[0] += level - median
            total[1] += 1
    kind = AgreementTally.Kind
    tallies = unit_rows
    tallies += [
        {
            **placed[assessment_id],
            "kind": kind.VALUE_CARDS,
            "core_value_id": value_id,
            "count": len(cards),
        }
        for (assessment_id, value_id), cards in value_cards.items()
    ]
    tallies += [
        {**placed[assessment_id], "kind": kind.STAGE_CARDS, "count": len(cards)}
        for assessment_id, cards in stage_cards.items()
    ]
    tallies += [
        {
            **placed[assessment_id],
            "kind": kind.LENIENT,
            "user_id": user_id,
            "count": int(compared),
            "difference": difference,
        }
        for (assessment_id, user_id), (difference, compared) in lenient.items()
    ]
    return tallies


def refresh_agreement(
    assessment_ids: Sequence[int], rows: Iterable[TallyRow] | None = None
) -> None:
    """Store the tallies of these assessments again from their scores (three queries: read
    the scores, delete the old tallies, write the new; two when the caller has read `rows`,
    the assessments' answers as `tally_rows` gives them, and perhaps others')."""
    if rows is None:
        rows = tally_rows(Score.objects.filter(scorecard__assessment_id__in=assessment_ids))
    else:
        wanted = set(assessment_ids)
        rows = [row for row in rows if row[0] in wanted]
    tallies = tallies_of(rows)
    AgreementTally.objects.filter(assessment_id__in=assessment_ids).delete()
    AgreementTally.objects.bulk_create(
        [AgreementTally(**fields) for fields in tallies], batch_size=5000
    )


def refresh_all_agreement(assessment_ids: Iterable[int], batch: int = 5000) -> int:
    """`refresh_agreement` for many assessments, a batch at a time (for loads that write
    scores directly). Returns how many were refreshed."""
    ids = sorted(set(assessment_ids))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            refresh_agreement(ids[start : start + batch])
    return len(ids)
