"""Row locks for the steps that write scores, scoring progress and decisions, in one order:

    an application → its assessment → a panel place → its scorecard

A step takes only the locks it needs, but never one earlier in this order after a later one,
so two steps can never each hold what the other is waiting for (a deadlock, which PostgreSQL
ends by failing one of them: a panellist would lose a submission).

Each lock covers one table's rows (`of=("self",)`) and is read without the model's default
ordering: Panellist and Scorecard are ordered by their assessment, and ordering by it joins
the assessment table, whose row a plain FOR UPDATE would lock as well. The locks are FOR NO
KEY UPDATE: they keep out other writers of the same row, not the inserts that only refer to it
(scores on a scorecard, a scorecard on a panel place, a decision on an application).

What holding them buys:

- figures counted from many rows and stored (an assessment's scoring progress, an
  application's value totals and panel tallies) are counted by one step at a time, each after
  the one before it has committed, so what is stored is exact;
- a decision is made on the application as it is now, once, and against the experts' view as
  it is now: submitting and amending a scorecard take the application's lock too.

SQLite has no row locks; it runs one writing transaction at a time, which comes to the same.
"""

from __future__ import annotations

from typing import Any

from vbr.recruitment.models import Application, Assessment, Panellist, Scorecard


def lock_application(application_id: int) -> None:
    """Lock the application until the transaction ends (one query)."""
    Application.objects.select_for_update(no_key=True, of=("self",)).filter(
        pk=application_id
    ).exists()


def lock_and_reload_application(application: Application) -> None:
    """Lock the application until the transaction ends, and read it again as it is now
    (one query)."""
    locked = Application.objects.select_for_update(no_key=True, of=("self",))
    application.refresh_from_db(from_queryset=locked)


def lock_assessment(assessment_id: int) -> str:
    """Lock the assessment until the transaction ends; its status as it is now (one query)."""
    locked = Assessment.objects.select_for_update(no_key=True, of=("self",))
    return str(locked.values_list("status", flat=True).get(pk=assessment_id))


def lock_panel_place(panellist_id: int) -> None:
    """Lock the panel place until the transaction ends (one query)."""
    Panellist.objects.select_for_update(no_key=True, of=("self",)).filter(pk=panellist_id).exists()


def lock_application_and_assessment(assessment_id: int) -> str:
    """Lock an assessment's application, then the assessment, until the transaction ends, in
    one query; the assessment's status as it is now. PostgreSQL locks the rows of one
    statement in the order its FOR UPDATE OF names their tables: the order above."""
    locked = Assessment.objects.select_for_update(no_key=True, of=("application", "self"))
    return str(
        locked.select_related("application")
        .only("status", "application__id")
        .order_by()
        .get(pk=assessment_id)
        .status
    )


def lock_scorecard_with_its_assessment(**scorecard: Any) -> Scorecard | None:
    """Lock a scorecard's application, its assessment and the scorecard, in that order and in
    one query (see `lock_application_and_assessment`), and read the scorecard as it is now,
    with its assessment's status as it is now. None when there is no such scorecard: nothing
    is locked then. `scorecard`: how to find it (panellist=…, or pk=…)."""
    return (
        Scorecard.objects.select_for_update(
            no_key=True, of=("assessment__application", "assessment", "self")
        )
        .select_related("assessment__application")
        .filter(**scorecard)
        .order_by()  # the default ordering would join (and lock) the assessment again
        .first()
    )
