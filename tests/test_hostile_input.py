"""Hostile input on the scoring forms: every answer gets a clear message or is stored and shown
safely, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from tests.conftest import signed_in
from vbr.accounts.models import Provider, User
from vbr.recruitment.models import Panellist, Scorecard

hostile_text = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            '=HYPERLINK("http://x")',
            "\x00\x01\x02\x1b[31m",
            "a" * 20_000,
            "\u202eevil",
            "' OR 1=1 --",
        ]
    ),
)
level_values = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "n", "", "0", "5", "-1", "x"]), hostile_text
)
fuzz = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def panel(sunrise: Provider, hillside: Provider, bob: User):  # type: ignore[no-untyped-def]
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    criterion = f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise))
    assessment = f.make_assessment(
        application=f.make_application(role=role, stage=stage), stage=stage
    )
    f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    foreign_stage = f.make_stage(role=f.make_role(provider=hillside))
    foreign = f.make_criterion(stage=foreign_stage, core_value=f.make_value(provider=hillside))
    return assessment, criterion, foreign


@fuzz
@given(level=level_values, evidence=hostile_text, summary=hostile_text, recommendation=hostile_text)
def test_autosave_never_fails_on_hostile_input(
    panel,
    bob: User,
    level: str,
    evidence: str,
    summary: str,
    recommendation: str,  # type: ignore[no-untyped-def]
) -> None:
    assessment, criterion, foreign = panel
    client = signed_in(bob)
    response = client.post(
        f"/p/sunrise/assessments/{assessment.pk}/scorecard/autosave/",
        {
            f"level_{criterion.pk}": level,
            f"evidence_{criterion.pk}": evidence,
            # A criterion of another provider is ignored, never stored.
            f"level_{foreign.pk}": "4",
            f"evidence_{foreign.pk}": "smuggled",
            "recommendation": recommendation,
            "summary": summary,
        },
    )
    assert response.status_code == 200
    scorecard = Scorecard.objects.get(assessment=assessment)
    assert not scorecard.scores.filter(criterion=foreign).exists()
    score = scorecard.scores.get(criterion=criterion)
    assert score.level in (None, 1, 2, 3, 4)
    assert "\x00" not in score.evidence
    assert scorecard.recommendation in ("", *Scorecard.Recommendation.values)


@fuzz
@given(level=level_values, evidence=hostile_text)
def test_submit_with_hostile_input_gets_a_message_or_is_rendered_safely(
    panel,
    bob: User,
    level: str,
    evidence: str,  # type: ignore[no-untyped-def]
) -> None:
    assessment, criterion, _ = panel
    Scorecard.objects.filter(assessment=assessment).delete()
    client: Client = signed_in(bob)
    url = f"/p/sunrise/assessments/{assessment.pk}/scorecard/"
    response = client.post(
        url,
        {
            f"level_{criterion.pk}": level,
            f"evidence_{criterion.pk}": evidence,
            "recommendation": "yes",
            "submit": "1",
        },
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        # Refused: a clear message, and the typed text comes back escaped.
        assert "Your scorecard is not submitted yet" in response.text
        assert "<script>alert(1)</script>" not in response.text
    page = client.get(url).text
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page
