"""Provider admins manage who belongs: adding panel members with their consent, changing
roles, removing people — every change in the audit trail."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import AuditEvent, Membership, Provider, User
from vbr.privacy.models import Consent
from vbr.recruitment.models import Scorecard


def url(name: str, *args: object) -> str:
    return reverse(name, args=["sunrise", *args])


def membership_of(user: User) -> Membership:
    return user.memberships.get()


def test_admin_adds_a_panel_member_with_their_consent(as_alice: Client, alice: User) -> None:
    response = as_alice.post(
        url("panel-member-add"),
        {"full_name": "Rosa Mendes", "expert_by_experience": "on", "consent": "on"},
        follow=True,
    )
    assert "Rosa Mendes is a panel member" in response.text
    member = Membership.objects.get(user__full_name="Rosa Mendes")
    assert member.role == Membership.Role.PANEL and member.is_expert_by_experience
    assert not member.user.has_usable_password()
    consent = Consent.objects.get(user=member.user)
    assert consent.kind == Consent.Kind.PANEL_MEMBER and consent.recorded_by == alice
    assert "I agree to take part" in consent.statement
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBERSHIP_CHANGED)
    assert event.actor == alice and "Rosa" not in event.summary
    assert "Agreed" in response.text


def test_adding_needs_consent_and_keeps_what_was_typed(as_alice: Client) -> None:
    response = as_alice.post(url("panel-member-add"), {"full_name": "Rosa Mendes"})
    assert response.status_code == 200
    assert "Record their agreement before adding them." in response.text
    assert 'value="Rosa Mendes"' in response.text
    assert not Membership.objects.filter(user__full_name="Rosa Mendes").exists()


def test_admin_changes_a_role_and_it_is_audited(as_alice: Client, bob: User) -> None:
    member = membership_of(bob)
    as_alice.post(url("membership-change", member.pk), {"role": "admin"})
    member.refresh_from_db()
    assert member.role == Membership.Role.ADMIN
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MEMBERSHIP_CHANGED, summary__contains="to Provider admin"
    ).exists()


def test_admin_cannot_change_their_own_role_or_remove_themselves(
    as_alice: Client, alice: User
) -> None:
    own = membership_of(alice)
    response = as_alice.post(url("membership-change", own.pk), {"role": "panel"}, follow=True)
    assert "You cannot change your own role." in response.text
    response = as_alice.post(url("membership-remove", own.pk), follow=True)
    assert "You cannot remove yourself." in response.text
    own.refresh_from_db()
    assert own.role == Membership.Role.ADMIN


def test_removing_someone_keeps_their_past_scorecards(
    as_alice: Client, sunrise: Provider, dev: User
) -> None:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    criterion = f.make_criterion(stage=stage, core_value=f.make_value(provider=sunrise))
    assessment = f.make_assessment(
        application=f.make_application(role=role, stage=stage), stage=stage
    )
    panellist = f.make_panellist(assessment=assessment, user=dev)
    f.make_scorecard(panellist=panellist, levels={criterion: 3}, submitted=True)

    as_alice.post(url("membership-remove", membership_of(dev).pk))

    assert not dev.memberships.exists()
    assert Scorecard.objects.filter(panellist=panellist).exists()


def test_withdrawn_consent_is_kept_with_its_date(as_alice: Client) -> None:
    as_alice.post(url("panel-member-add"), {"full_name": "Rosa Mendes", "consent": "on"})
    member = Membership.objects.get(user__full_name="Rosa Mendes")
    as_alice.post(url("membership-remove", member.pk), {"consent_withdrawn": "1"})
    consent = Consent.objects.get(user=member.user)
    assert consent.withdrawn_at is not None
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_managers_and_panel_members_cannot_manage_people(
    as_bob: Client, as_dev: Client, alice: User
) -> None:
    target = membership_of(alice)
    assert as_bob.get(url("people-list")).status_code == 403
    assert as_bob.post(url("membership-remove", target.pk)).status_code == 403
    assert as_dev.get(url("people-list")).status_code == 403


def test_another_providers_member_is_a_404(as_alice: Client, charlie: User) -> None:
    other = membership_of(charlie)
    assert as_alice.post(url("membership-remove", other.pk)).status_code == 404
    assert as_alice.post(url("membership-change", other.pk), {"role": "panel"}).status_code == 404
    assert charlie.memberships.exists()


@pytest.mark.parametrize("n", [1, 50])
def test_people_page_query_count_does_not_grow(
    as_alice: Client, sunrise: Provider, django_assert_num_queries, n: int
) -> None:
    for _ in range(n):
        f.make_member(provider=sunrise, role=Membership.Role.PANEL, password=None)
    # the signed-in person with their membership, members with users, their current consents, who
    # has two-factor sign-in
    with django_assert_num_queries(4):
        response = as_alice.get(url("people-list"))
    assert response.status_code == 200


def test_the_admin_menu_marks_the_people_page_as_current(
    as_alice: Client, sunrise: Provider
) -> None:
    people = reverse("people-list", args=[sunrise.slug])
    page = as_alice.get(people).content.decode()
    assert f'aria-current="page" href="{people}">People</a>' in page
    assert page.count('aria-current="page"') == 1
