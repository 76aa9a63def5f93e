"""Property-based tests on candidate validation and the privacy forms: hostile input (huge
strings, control characters, markup, ids of another provider) gets a clear message or is
stored and shown safely — never a 500.

The candidate and scoring forms are being built on other branches; here we test what
exists: the candidate and application models' validation and the privacy forms and pages.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from vbr.accounts.models import Provider
from vbr.privacy.forms import DbsCheckForm, PrivacySettingsForm
from vbr.privacy.models import DbsCheck, PrivacySettings
from vbr.recruitment.models import Application, Candidate

HOSTILE_SAMPLES = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "\x00",
    "Robert'); DROP TABLE candidates;--",
    "\u202eevil",
    "\x1b[31mred",
    "a" * 100_000,
    "𝕍𝔹ℝ 🧑‍🦽",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_SAMPLES),
    st.text(max_size=300),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=20),
)
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(first_name=hostile_text, last_name=hostile_text, email=hostile_text, phone=hostile_text)
def test_candidate_validation_accepts_or_explains_any_input(
    sunrise: Provider, first_name: str, last_name: str, email: str, phone: str
) -> None:
    candidate = Candidate(
        provider=sunrise, first_name=first_name, last_name=last_name, email=email, phone=phone
    )
    try:
        candidate.full_clean()
    except ValidationError as error:
        assert error.message_dict, "a validation error names the field and says why"
        for messages in error.message_dict.values():
            assert all(isinstance(m, str) and m for m in messages)
    else:
        assert len(first_name) <= 100 and len(last_name) <= 100


@PROPERTY_SETTINGS
@given(data=st.data())
def test_an_application_never_validates_with_another_providers_candidate_or_role(
    sunrise: Provider, hillside: Provider, data: st.DataObject
) -> None:
    ours_role = f.make_role(provider=sunrise)
    theirs_role = f.make_role(provider=hillside)
    ours = f.make_candidate(provider=sunrise)
    theirs = f.make_candidate(provider=hillside)
    role = data.draw(st.sampled_from([ours_role, theirs_role]))
    candidate = data.draw(st.sampled_from([ours, theirs]))
    application = Application(provider=sunrise, role=role, candidate=candidate)
    if role == ours_role and candidate == ours:
        application.full_clean()
    else:
        with pytest.raises(ValidationError) as caught:
            application.full_clean()
        assert "belongs to another provider" in str(caught.value)


@PROPERTY_SETTINGS
@given(notice=hostile_text, months=st.one_of(st.integers(), hostile_text))
def test_privacy_settings_form_accepts_or_explains(
    sunrise: Provider, notice: str, months: object
) -> None:
    form = PrivacySettingsForm(
        {"privacy_notice": notice, "retention_months": str(months)},
        instance=PrivacySettings(provider=sunrise),
        provider=sunrise,
    )
    if form.is_valid():
        assert "\x00" not in form.cleaned_data["privacy_notice"]
        assert 1 <= form.cleaned_data["retention_months"] <= 120
    else:
        assert form.errors
        assert all(messages for messages in form.errors.values())


@PROPERTY_SETTINGS
@given(number=hostile_text, issued=hostile_text, level=hostile_text)
def test_dbs_form_accepts_only_clean_certificate_details(
    number: str, issued: str, level: str
) -> None:
    form = DbsCheckForm(
        {
            "certificate_number": number,
            "issued_on": issued,
            "level": level,
            "decision": "clear",
            "seen_on": "2026-01-01",
        },
        keep_certificates=False,
    )
    if form.is_valid():
        assert form.cleaned_data["certificate_number"].isalnum()
        assert form.cleaned_data["level"] in DbsCheck.Level.values
    else:
        assert form.errors


@PROPERTY_SETTINGS
@given(notice=hostile_text)
def test_a_hostile_privacy_notice_is_saved_or_refused_and_always_shown_escaped(
    as_alice: Client, sunrise: Provider, notice: str
) -> None:
    response = as_alice.post(
        reverse("privacy-settings", args=[sunrise.slug]),
        {"retention_months": "6", "privacy_notice": notice},
    )
    assert response.status_code in (200, 302)
    page = as_alice.get(reverse("privacy-notice", args=[sunrise.slug]))
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "<img src=x" not in page.text
    if response.status_code == 200:
        # Refused: the message is next to the field and the page is still whole.
        assert "invalid-feedback" in response.text or "alert-danger" in response.text


@PROPERTY_SETTINGS
@given(number=hostile_text, application_id=st.integers(min_value=1, max_value=2**62))
def test_hostile_dbs_posts_and_foreign_ids_never_cause_a_server_error(
    as_bob: Client, sunrise: Provider, hillside: Provider, number: str, application_id: int
) -> None:
    ours = f.make_application(role=f.make_role(provider=sunrise))
    foreign = f.make_application(role=f.make_role(provider=hillside))
    for target in (ours.pk, foreign.pk, application_id):
        response = as_bob.post(
            reverse("dbs-check-create", args=[sunrise.slug, target]),
            {
                "certificate_number": number,
                "issued_on": "2026-01-01",
                "level": "enhanced",
                "decision": "clear",
                "seen_on": "2026-01-02",
            },
        )
        if target == ours.pk:
            assert response.status_code in (200, 302)
            if response.status_code == 200:
                # Refused with a message next to the field.
                assert 'id="error_1_id_certificate_number"' in response.text
                assert "<script>alert" not in response.text
        elif not sunrise.applications.filter(pk=target).exists():
            assert response.status_code == 404
    assert not DbsCheck.objects.filter(application=foreign).exists()
