"""What staff forms say: every empty choice in words, and every message a screen reader is
pointed to actually on the page."""

from __future__ import annotations

import re
from datetime import date

from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import Provider, User
from vbr.recruitment.models import Application, Panellist


def described_by_ids_missing(page: str) -> list[str]:
    """Ids named by an aria-describedby that no element on the page has."""
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    named = [
        name for value in re.findall(r'aria-describedby="([^"]+)"', page) for name in value.split()
    ]
    return [name for name in named if name not in ids]


def element_with_id(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[page.rfind("<", 0, start) : page.index("</", start)]


def test_the_scorecards_evidence_error_is_what_the_text_box_is_described_by(
    as_bob: Client, bob: User, sunrise: Provider
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    criterion = f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise))
    assessment = f.make_assessment(
        application=f.make_application(role=role, stage=stage), stage=stage
    )
    f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    url = reverse("scorecard-edit", args=["sunrise", assessment.pk])

    page = as_bob.post(
        url,
        {f"level_{criterion.pk}": "4", f"evidence_{criterion.pk}": "", "submit": "1"},
    ).text

    box = re.search(rf'<textarea name="evidence_{criterion.pk}"[^>]*>', page)
    assert box is not None
    described_by = re.search(r'aria-describedby="([^"]+)"', box.group(0))
    assert described_by is not None
    messages = [element_with_id(page, name) for name in described_by.group(1).split()]
    assert any("Level 4 needs evidence: write what you saw or heard." in m for m in messages)
    assert any("Needed for levels 1 and 4." in m for m in messages)
    assert 'aria-invalid="true"' in box.group(0)
    assert described_by_ids_missing(page) == []


def test_a_summary_over_the_limit_is_shown_with_its_message(
    as_bob: Client, bob: User, sunrise: Provider
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    criterion = f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise))
    assessment = f.make_assessment(
        application=f.make_application(role=role, stage=stage), stage=stage
    )
    f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    url = reverse("scorecard-edit", args=["sunrise", assessment.pk])
    page = as_bob.post(
        url,
        {
            f"level_{criterion.pk}": "3",
            "recommendation": "yes",
            "summary": "x" * 5001,
            "submit": "1",
        },
    ).text
    summary = re.search(r'<textarea name="summary"[^>]*>', page)
    assert summary is not None and 'aria-describedby="id_summary_error"' in summary.group(0)
    assert "Please shorten it by 1" in element_with_id(page, "id_summary_error")
    assert described_by_ids_missing(page) == []


def test_empty_choices_are_said_in_words_not_dashes(
    as_alice: Client, sunrise: Provider, dev: User
) -> None:
    role = f.make_role(provider=sunrise)
    hired = f.make_application(role=role, status=Application.Status.HIRED)
    f.make_outcome(application=hired, start_date=date(2026, 1, 5))
    pages = {
        "outcome": reverse("outcome-edit", args=["sunrise", hired.pk]),
        "involvement": reverse("involvement-list", args=["sunrise"]),
        "DBS check": reverse("dbs-check-create", args=["sunrise", hired.pk]),
        "scheduling": reverse("assessment-add", args=["sunrise", hired.pk]),
        "new candidate": reverse("application-add", args=["sunrise"]),
        "new role": reverse("role-create", args=["sunrise"]),
    }
    for name, url in pages.items():
        response = as_alice.get(url)
        assert response.status_code == 200, name
        assert "---------" not in response.text, name
    assert (
        '<option value="" selected>They have not left</option>'
        in as_alice.get(pages["outcome"]).text
    )
    involvement = as_alice.get(pages["involvement"]).text
    assert '<option value="" selected>Choose a panel member</option>' in involvement
    assert '<option value="" selected>Not for one assessment</option>' in involvement
    assert '<option value="" selected>Choose the level on the certificate</option>' in (
        as_alice.get(pages["DBS check"]).text
    )
