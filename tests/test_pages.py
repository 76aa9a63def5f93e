"""The provider home and role pipeline: what people see, who may see it, query budgets."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import Provider, User
from vbr.recruitment.models import Application, Role, Stage


@pytest.fixture
def care_assistant(sunrise: Provider) -> Role:
    role = f.make_role(provider=sunrise, title="Care assistant")
    f.make_stage(role=role, name="Values interview", order=1)
    f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    return role


def stages(role: Role) -> tuple[Stage, Stage]:
    interview, shadowing = role.stages.all()
    return interview, shadowing


def test_login_page_renders_for_anonymous(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Sign in to VBR" in response.text


def test_anonymous_is_sent_to_sign_in(client: Client, sunrise: Provider) -> None:
    response = client.get(reverse("provider-home", args=[sunrise.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_with_password_reaches_the_provider(client: Client, bob: User) -> None:
    response = client.post(
        reverse("login"), {"username": "bob", "password": f.PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "Sunrise Care" in response.text


def test_provider_home_lists_roles_with_counts_per_stage(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    interview, shadowing = stages(care_assistant)
    for _ in range(3):
        f.make_application(role=care_assistant, stage=interview)
    f.make_application(role=care_assistant, stage=shadowing)
    f.make_application(role=care_assistant, stage=shadowing, status=Application.Status.WITHDRAWN)

    response = as_bob.get(reverse("provider-home", args=[sunrise.slug]))

    assert response.status_code == 200
    rows = response.context["roles"]
    assert [r.title for r in rows] == ["Care assistant"]
    assert rows[0].active_count == 4
    assert [(s.name, s.active_count) for s in rows[0].stage_counts] == [
        ("Values interview", 3),
        ("Shadowing", 1),
    ]
    assert "Values interview:</span> <strong>3</strong>" in response.text


def test_role_page_lists_applications_at_the_selected_stage(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    interview, shadowing = stages(care_assistant)
    f.make_application(
        role=care_assistant,
        stage=interview,
        candidate=f.make_candidate(provider=sunrise, first_name="Amira", last_name="Hussain"),
    )
    f.make_application(
        role=care_assistant,
        stage=shadowing,
        candidate=f.make_candidate(provider=sunrise, first_name="Daniel", last_name="Evans"),
    )
    url = reverse("role-detail", args=[sunrise.slug, care_assistant.pk])

    first = as_bob.get(url)
    second = as_bob.get(url, {"stage": shadowing.pk})

    assert "Amira Hussain" in first.text and "Daniel Evans" not in first.text
    assert "Daniel Evans" in second.text and "Amira Hussain" not in second.text


def test_withdrawn_applications_are_shown_only_on_request(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    interview, _ = stages(care_assistant)
    f.make_application(
        role=care_assistant,
        stage=interview,
        status=Application.Status.WITHDRAWN,
        candidate=f.make_candidate(provider=sunrise, first_name="Farid", last_name="Khan"),
    )
    url = reverse("role-detail", args=[sunrise.slug, care_assistant.pk])
    assert "Farid Khan" not in as_bob.get(url).text
    assert "Farid Khan" in as_bob.get(url, {"status": "all"}).text


def test_another_providers_role_is_a_404(
    as_charlie: Client, sunrise: Provider, hillside: Provider, care_assistant: Role
) -> None:
    # Charlie is a member of Hillside, so the provider resolves, but the role is not theirs.
    response = as_charlie.get(reverse("role-detail", args=[hillside.slug, care_assistant.pk]))
    assert response.status_code == 404


def test_a_provider_you_do_not_belong_to_is_a_404(
    as_charlie: Client, sunrise: Provider, care_assistant: Role
) -> None:
    assert as_charlie.get(reverse("provider-home", args=[sunrise.slug])).status_code == 404
    url = reverse("role-detail", args=[sunrise.slug, care_assistant.pk])
    assert as_charlie.get(url).status_code == 404


def test_panel_member_cannot_open_the_role_pipeline(
    as_dev: Client, sunrise: Provider, care_assistant: Role
) -> None:
    url = reverse("role-detail", args=[sunrise.slug, care_assistant.pk])
    assert as_dev.get(url).status_code == 403


def test_panel_member_home_shows_only_their_panels(
    as_dev: Client, dev: User, bob: User, sunrise: Provider, care_assistant: Role
) -> None:
    interview, _ = stages(care_assistant)
    mine = f.make_assessment(
        application=f.make_application(role=care_assistant, stage=interview), stage=interview
    )
    f.make_panellist(assessment=mine, user=dev)
    not_mine = f.make_assessment(
        application=f.make_application(role=care_assistant, stage=interview), stage=interview
    )
    f.make_panellist(assessment=not_mine, user=bob)
    response = as_dev.get(reverse("provider-home", args=[sunrise.slug]))
    assert response.status_code == 200
    assert list(response.context["places"]) == [mine.panellists.get(user=dev)]
    assert "Care assistant" in response.text


def _fill(role: Role, stage: Stage, n: int) -> None:
    for _ in range(n):
        f.make_application(role=role, stage=stage)


@pytest.mark.parametrize("n", [1, 50])
def test_provider_home_query_count_does_not_grow(
    as_bob: Client, sunrise: Provider, care_assistant: Role, django_assert_num_queries, n: int
) -> None:
    interview, _ = stages(care_assistant)
    _fill(care_assistant, interview, n)
    other = f.make_role(provider=sunrise, title=f"Role {n}")
    _fill(other, f.make_stage(role=other), n)
    # the signed-in person with their membership, my scorecards to do, assessments this week,
    # waiting for a decision, safer-recruitment deadlines, the provider's time to first
    # contact with the count of letters to print, the applications waiting for first
    # contact, panel members' payments due, roles, stages, active counts per role and stage
    with django_assert_num_queries(11):
        response = as_bob.get(reverse("provider-home", args=[sunrise.slug]))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 50])
def test_role_page_query_count_does_not_grow(
    as_bob: Client, sunrise: Provider, care_assistant: Role, django_assert_num_queries, n: int
) -> None:
    interview, _ = stages(care_assistant)
    _fill(care_assistant, interview, n)
    url = reverse("role-detail", args=[sunrise.slug, care_assistant.pk])
    # the signed-in person with their membership, role, stages with counts, page count, page rows
    with django_assert_num_queries(5):
        response = as_bob.get(url)
    assert len(response.context["page"].object_list) == n
