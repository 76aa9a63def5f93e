"""Exports say what the pages say: a status, a source, a panel role or a probation result as
its label ("Job board", "Expert by experience"), never the code stored for it ("job_board")."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from vbr.accounts.models import Provider, User
from vbr.recruitment.models import Application, Outcome, Panellist

CODES = {"declined", "job_board", "hired", "expert", "passed", "social_media", "chair"}


def rows_of(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def applications(sunrise: Provider, bob: User, dev: User) -> dict[str, Application]:
    role = f.make_role(provider=sunrise, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview")
    criterion = f.make_criterion(stage=interview, core_value=f.make_value(provider=sunrise))
    declined = f.make_application(role=role, stage=interview, status=Application.Status.DECLINED)
    hired = f.make_application(role=role, stage=interview, status=Application.Status.HIRED)
    Application.objects.filter(pk=declined.pk).update(source=Application.Source.JOB_BOARD)
    Application.objects.filter(pk=hired.pk).update(source=Application.Source.SOCIAL_MEDIA)
    f.make_outcome(application=hired, start_date=timezone.localdate())
    Outcome.objects.filter(application=hired).update(probation=Outcome.Probation.PASSED)
    assessment = f.make_assessment(application=hired, stage=interview)
    for user, panel_role in (
        (bob, Panellist.PanelRole.CHAIR),
        (dev, Panellist.PanelRole.EXPERT_BY_EXPERIENCE),
    ):
        panellist = f.make_panellist(assessment=assessment, user=user, panel_role=panel_role)
        f.make_scorecard(panellist=panellist, levels={criterion: 3}, submitted=True)
    return {"declined": declined, "hired": hired}


def test_the_applications_export_shows_statuses_and_sources_as_labels(
    as_alice: Client, sunrise: Provider, applications: dict[str, Application]
) -> None:
    rows = rows_of(as_alice.get(reverse("application-export", args=[sunrise.slug, "csv"])))
    by_id = {row[0]: row for row in rows[1:]}

    assert rows[0][6:8] == ["Status", "Source"]
    assert by_id[str(applications["declined"].pk)][6:8] == ["Declined", "Job board"]
    assert by_id[str(applications["hired"].pk)][6:8] == ["Hired", "Social media"]
    assert not CODES & {cell for row in rows for cell in row}
    workbook = openpyxl.load_workbook(
        io.BytesIO(
            b"".join(
                as_alice.get(
                    reverse("application-export", args=[sunrise.slug, "xlsx"])
                ).streaming_content
            )
        )
    )
    sheet = workbook.active
    cells = {sheet.cell(r, 1).value: sheet.cell(r, 8).value for r in range(2, sheet.max_row + 1)}
    assert cells[applications["declined"].pk] == "Job board"


def test_the_scores_export_shows_panel_roles_as_labels(
    as_alice: Client, sunrise: Provider, applications: dict[str, Application]
) -> None:
    rows = rows_of(as_alice.get(reverse("score-export", args=[sunrise.slug, "csv"])))

    assert rows[0][8] == "Panel role"
    assert sorted(row[8] for row in rows[1:]) == ["Chair", "Expert by experience"]


def test_the_research_export_shows_status_source_and_probation_as_labels(
    as_alice: Client, sunrise: Provider, applications: dict[str, Application]
) -> None:
    rows = rows_of(as_alice.get(reverse("research-export", args=[sunrise.slug])))
    header = rows[0]
    hired = next(row for row in rows[1:] if row[header.index("Status")] == "Hired")

    assert hired[header.index("Source")] == "Social media"
    assert hired[header.index("Probation")] == "Passed"
    assert not CODES & {cell for row in rows for cell in row}
