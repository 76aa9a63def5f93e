"""Assessments and panels: scheduling, the assessment page, building the panel, who may."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import Membership, Provider, User
from vbr.recruitment import workflow
from vbr.recruitment.forms.assessments import member_description
from vbr.recruitment.models import Application, Assessment, Panellist, Role, Stage

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def care_assistant(sunrise: Provider) -> Role:
    role = f.make_role(provider=sunrise, title="Care assistant")
    f.make_stage(role=role, name="Values interview", order=1)
    f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    return role


@pytest.fixture
def amira(sunrise: Provider, care_assistant: Role) -> Application:
    return f.make_application(
        role=care_assistant,
        stage=care_assistant.stages.first(),
        candidate=f.make_candidate(provider=sunrise, first_name="Amira", last_name="Hussain"),
    )


def schedule_url(application: Application) -> str:
    return reverse("assessment-add", args=[application.provider.slug, application.pk])


def detail_url(assessment: Assessment) -> str:
    return reverse("assessment-detail", args=[assessment.application.provider.slug, assessment.pk])


def panel_url(assessment: Assessment) -> str:
    return reverse("panellist-add", args=[assessment.application.provider.slug, assessment.pk])


def membership(user: User) -> Membership:
    return user.memberships.get()


def test_scheduling_uses_the_current_stage_and_copies_its_criteria_version(
    as_bob: Client, amira: Application
) -> None:
    interview = amira.current_stage
    interview.criteria_version = 3
    interview.save()
    page = as_bob.get(schedule_url(amira))
    assert f'<option value="{interview.pk}" selected>1. Values interview</option>' in page.text

    response = as_bob.post(
        schedule_url(amira),
        {
            "stage": interview.pk,
            "date": "2026-07-14",
            "time": "10:30",
            "place": "Sunrise lounge",
            "notes_for_panel": "Amira uses a wheelchair: the lounge is step-free.",
        },
        follow=True,
    )

    assessment = amira.assessments.get()
    assert assessment.stage == interview
    assert assessment.criteria_version == 3
    assert assessment.provider_id == amira.provider_id  # kept for the provider's lists
    # 10:30 in London in July is 09:30 UTC (British Summer Time).
    assert assessment.scheduled_at == datetime(2026, 7, 14, 10, 30, tzinfo=LONDON)
    assert assessment.scheduled_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert assessment.scheduled_at.hour == 9  # type: ignore[union-attr]
    assert response.redirect_chain[-1][0] == detail_url(assessment)
    assert "Tuesday 14 July 2026, 10:30" in response.text
    assert "Sunrise lounge" in response.text
    assert "the lounge is step-free" in response.text


def schedule(application: Application, **fields: object) -> dict[str, object]:
    """A scheduling form as posted: the current stage, a date and time, and `fields`."""
    return {
        "stage": application.current_stage_id,
        "date": "2026-07-14",
        "time": "10:30",
        **fields,
    }


def test_the_scheduling_form_offers_everyone_in_their_usual_panel_role(
    as_bob: Client, bob: User, alice: User, dev: User, charlie: User, amira: Application
) -> None:
    page = as_bob.get(schedule_url(amira)).text

    def row(user: User) -> str:
        start = page.index(f'id="id_panel_{membership(user).pk}"')
        return page[page.rfind("<li", 0, start) : page.index("</li>", start)]

    # Bob, the hiring manager scheduling, starts ticked as the chair; nobody else is ticked.
    assert " checked" in row(bob)
    assert '<option value="chair" selected>Chair</option>' in row(bob)
    assert " checked" not in row(dev) and " checked" not in row(alice)
    assert "Panel member, expert by experience" in row(dev)
    assert '<option value="expert" selected>Expert by experience</option>' in row(dev)
    assert '<option value="manager" selected>Manager</option>' in row(alice)
    assert "Charlie Hale" not in page


def test_scheduling_seats_the_whole_panel_with_their_roles_in_one_form(
    as_bob: Client, bob: User, alice: User, dev: User, amira: Application
) -> None:
    response = as_bob.post(
        schedule_url(amira),
        schedule(
            amira,
            panel=[membership(bob).pk, membership(alice).pk, membership(dev).pk],
            **{
                f"panel_role_{membership(bob).pk}": "chair",
                f"panel_role_{membership(alice).pk}": "staff_peer",
                f"panel_role_{membership(dev).pk}": "expert",
            },
        ),
        follow=True,
    )

    assessment = amira.assessments.get()
    assert dict(assessment.panellists.values_list("user__username", "panel_role")) == {
        "bob": Panellist.PanelRole.CHAIR,
        "alice": Panellist.PanelRole.STAFF_PEER,
        "dev": Panellist.PanelRole.EXPERT_BY_EXPERIENCE,
    }
    assessment.refresh_from_db()
    assert (assessment.panel_size, assessment.submitted_count) == (3, 0)
    assert (
        "Values interview scheduled for Amira Hussain, with a panel of 3: Alice Morgan (staff "
        "peer), Bob Okafor (chair), Dev Raman (expert by experience)." in response.text
    )
    # The assessment page lists them, and offers nobody already on the panel.
    assert "Nobody is on the panel yet." not in response.text
    assert "Now add the panel" not in response.text


def test_a_panel_with_two_chairs_is_refused_and_everything_typed_is_kept(
    as_bob: Client, bob: User, alice: User, dev: User, amira: Application
) -> None:
    response = as_bob.post(
        schedule_url(amira),
        schedule(
            amira,
            place="Garden room",
            panel=[membership(bob).pk, membership(alice).pk, membership(dev).pk],
            **{
                f"panel_role_{membership(bob).pk}": "chair",
                f"panel_role_{membership(alice).pk}": "chair",
                f"panel_role_{membership(dev).pk}": "expert",
            },
        ),
    )

    assert response.status_code == 200
    assert "Choose one chair: Alice Morgan and Bob Okafor are each chosen as the chair." in (
        response.text
    )
    assert not Assessment.objects.exists()
    assert 'value="Garden room"' in response.text
    for user in (bob, alice, dev):
        assert f'value="{membership(user).pk}" id="id_panel_{membership(user).pk}" checked' in (
            response.text
        )
    alice_role = response.text.index(f'name="panel_role_{membership(alice).pk}"')
    assert '<option value="chair" selected>' in response.text[alice_role : alice_role + 400]


def test_a_member_of_another_provider_cannot_be_put_on_a_panel_when_scheduling(
    as_bob: Client, charlie: User, amira: Application
) -> None:
    response = as_bob.post(schedule_url(amira), schedule(amira, panel=[membership(charlie).pk]))
    assert "Select a valid choice" in response.text
    assert not Assessment.objects.exists()


def test_scheduling_without_a_panel_asks_for_one_next(as_bob: Client, amira: Application) -> None:
    response = as_bob.post(schedule_url(amira), schedule(amira), follow=True)
    assert "Values interview scheduled for Amira Hussain. Now add the panel." in response.text
    assert not amira.assessments.get().panellists.exists()


@pytest.mark.parametrize("n", [1, 50])
def test_the_scheduling_form_runs_the_same_queries_for_one_or_fifty_members(
    as_bob: Client,
    sunrise: Provider,
    amira: Application,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
    n: int,
) -> None:
    for _ in range(n):
        f.make_member(provider=sunrise, role=Membership.Role.PANEL, expert=True, password=None)
    # the signed-in person with their membership, application with candidate, role and stage,
    # members with their users, the role's stages (twice: the stage list is drawn from its
    # queryset, as Django's select does)
    with django_assert_num_queries(5):
        response = as_bob.get(schedule_url(amira))
    assert len(response.context["form"].members) == n + 1


def test_one_assessment_per_application_per_stage(as_bob: Client, amira: Application) -> None:
    f.make_assessment(application=amira, stage=amira.current_stage)
    response = as_bob.post(
        schedule_url(amira),
        {"stage": amira.current_stage_id, "date": "2026-07-14", "time": "10:30"},
    )
    assert response.status_code == 200
    assert "This application already has an assessment at Values interview." in response.text
    assert amira.assessments.count() == 1


def test_another_roles_stage_cannot_be_scheduled(
    as_bob: Client, sunrise: Provider, amira: Application
) -> None:
    other = f.make_stage(role=f.make_role(provider=sunrise, title="Cook"), name="Cook trial")
    response = as_bob.post(
        schedule_url(amira), {"stage": other.pk, "date": "2026-07-14", "time": "10:30"}
    )
    assert "Select a valid choice" in response.text
    assert not Assessment.objects.exists()


def test_a_scheduling_form_with_errors_keeps_what_was_typed(
    as_bob: Client, amira: Application
) -> None:
    response = as_bob.post(
        schedule_url(amira),
        {
            "stage": amira.current_stage_id,
            "date": "",
            "time": "10:30",
            "place": "Sunrise lounge",
        },
    )
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert 'value="Sunrise lounge"' in response.text
    assert 'value="10:30"' in response.text
    assert not Assessment.objects.exists()


def test_editing_changes_time_and_place(as_bob: Client, amira: Application) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    url = reverse("assessment-edit", args=[amira.provider.slug, assessment.pk])
    response = as_bob.post(
        url, {"date": "2026-12-01", "time": "14:00", "place": "Room 2"}, follow=True
    )
    assessment.refresh_from_db()
    assert assessment.scheduled_at == datetime(2026, 12, 1, 14, 0, tzinfo=LONDON)
    assert assessment.place == "Room 2"
    assert "Changes saved." in response.text
    page = as_bob.get(url)
    assert 'value="2026-12-01"' in page.text and 'value="14:00"' in page.text


def test_cancelling_and_rescheduling(as_bob: Client, amira: Application) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    cancel = reverse("assessment-cancel", args=[amira.provider.slug, assessment.pk])
    response = as_bob.post(cancel, follow=True)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.CANCELLED
    assert "The assessment is cancelled." in response.text

    again = as_bob.post(
        schedule_url(amira),
        {"stage": amira.current_stage_id, "date": "2026-12-01", "time": "14:00"},
    )
    assert "has a cancelled assessment at Values interview" in again.text

    edit = reverse("assessment-edit", args=[amira.provider.slug, assessment.pk])
    as_bob.post(edit, {"date": "2026-12-01", "time": "14:00"})
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SCHEDULED


def test_an_assessment_with_a_submitted_scorecard_cannot_be_cancelled(
    as_bob: Client, dev: User, amira: Application
) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    f.make_scorecard(panellist=f.make_panellist(assessment=assessment, user=dev), submitted=True)
    cancel = reverse("assessment-cancel", args=[amira.provider.slug, assessment.pk])
    response = as_bob.post(cancel, follow=True)
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SCHEDULED
    assert "already submitted a scorecard" in response.text


def test_adding_an_expert_by_experience_defaults_their_panel_role(
    as_bob: Client, dev: User, amira: Application
) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    response = as_bob.post(
        panel_url(assessment), {"member": membership(dev).pk, "panel_role": ""}, follow=True
    )
    panellist = assessment.panellists.get()
    assert (panellist.user, panellist.panel_role) == (dev, Panellist.PanelRole.EXPERT_BY_EXPERIENCE)
    assert "Dev Raman is on the panel as expert by experience." in response.text


def test_staff_added_without_a_chosen_role_take_their_usual_role(
    as_bob: Client, bob: User, alice: User, sunrise: Provider, amira: Application
) -> None:
    pat = f.make_member(provider=sunrise, role=Membership.Role.PANEL, full_name="Pat Lee")
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)

    added = as_bob.post(
        panel_url(assessment), {"member": membership(alice).pk, "panel_role": ""}, follow=True
    )
    as_bob.post(panel_url(assessment), {"member": membership(pat).pk, "panel_role": ""})
    as_bob.post(panel_url(assessment), {"member": membership(bob).pk, "panel_role": "chair"})

    assert "Alice Morgan is on the panel as manager." in added.text
    assert dict(assessment.panellists.values_list("user__username", "panel_role")) == {
        "alice": Panellist.PanelRole.MANAGER,
        pat.username: Panellist.PanelRole.STAFF_PEER,
        "bob": Panellist.PanelRole.CHAIR,
    }


def test_panel_choices_are_only_this_providers_members(
    as_bob: Client, bob: User, charlie: User, amira: Application
) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    page = as_bob.get(detail_url(assessment))
    assert "Bob Okafor" in page.text
    assert "Charlie Hale" not in page.text

    response = as_bob.post(
        panel_url(assessment), {"member": membership(charlie).pk, "panel_role": "chair"}
    )
    assert response.status_code == 200
    assert "Choose one of your organisation&#x27;s people who is not on this panel yet." in (
        response.text
    )
    assert not assessment.panellists.exists()


def test_people_on_the_panel_are_not_offered_again(
    as_bob: Client, dev: User, alice: User, amira: Application
) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    f.make_panellist(assessment=assessment, user=dev, panel_role="expert")

    page = as_bob.get(detail_url(assessment)).text
    start = page.index('<select name="member"')
    offered = page[start : page.index("</select>", start)]
    assert "Alice Morgan (provider admin)" in offered
    assert "Dev Raman" not in offered

    response = as_bob.post(
        panel_url(assessment), {"member": membership(dev).pk, "panel_role": "staff_peer"}
    )
    assert "not on this panel yet" in response.text
    assert assessment.panellists.count() == 1


def test_a_person_sits_on_a_panel_only_once_even_when_two_managers_add_them(
    bob: User, dev: User, amira: Application
) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    workflow.add_panellist(assessment=assessment, membership=membership(dev))
    with pytest.raises(ValidationError, match="Dev Raman is already on this panel"):
        workflow.add_panellist(assessment=assessment, membership=membership(dev))
    assert assessment.panellists.count() == 1


def test_a_panellist_can_be_removed_until_they_start_a_scorecard(
    as_bob: Client, dev: User, alice: User, amira: Application
) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    not_started = f.make_panellist(assessment=assessment, user=alice)
    started = f.make_panellist(assessment=assessment, user=dev, panel_role="expert")
    f.make_scorecard(panellist=started)

    def remove(panellist: Panellist) -> str:
        url = reverse("panellist-remove", args=[amira.provider.slug, assessment.pk, panellist.pk])
        return as_bob.post(url, follow=True).text

    assert "Alice Morgan is off the panel." in remove(not_started)
    assert "Dev Raman has started a scorecard: they stay on the panel." in remove(started)
    assert list(assessment.panellists.all()) == [started]


def test_the_assessment_page_shows_who_has_submitted_but_no_scores(
    as_bob: Client, dev: User, alice: User, sunrise: Provider, amira: Application
) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    criterion = f.make_criterion(
        stage=amira.current_stage, core_value=f.make_value(provider=sunrise, name="Dignity")
    )
    f.make_scorecard(
        panellist=f.make_panellist(assessment=assessment, user=dev, panel_role="expert"),
        levels={criterion: 4},
        submitted=True,
    )
    f.make_scorecard(
        panellist=f.make_panellist(assessment=assessment, user=alice), levels={criterion: 1}
    )

    response = as_bob.get(detail_url(assessment))

    rows = {p.user.username: p for p in response.context["panellists"]}
    assert rows["dev"].submitted and not rows["alice"].submitted
    assert "Submitted" in response.text
    assert "Started, not submitted" in response.text
    assert "Evidence for level" not in response.text
    assert "Strong evidence" not in response.text


def test_another_providers_assessment_is_a_404(
    as_charlie: Client, hillside: Provider, charlie: User, amira: Application
) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    slug = hillside.slug
    assert (
        as_charlie.get(reverse("assessment-detail", args=[slug, assessment.pk])).status_code == 404
    )
    assert as_charlie.get(reverse("assessment-edit", args=[slug, assessment.pk])).status_code == 404
    assert as_charlie.get(reverse("assessment-add", args=[slug, amira.pk])).status_code == 404
    for name in ["assessment-cancel", "panellist-add"]:
        assert as_charlie.post(reverse(name, args=[slug, assessment.pk])).status_code == 404
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SCHEDULED


def test_panel_member_gets_403_on_staff_assessment_pages(
    as_dev: Client, dev: User, sunrise: Provider, amira: Application
) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    place = f.make_panellist(assessment=assessment, user=dev, panel_role="expert")
    slug = sunrise.slug
    for url in [
        reverse("assessment-detail", args=[slug, assessment.pk]),
        reverse("assessment-edit", args=[slug, assessment.pk]),
        reverse("assessment-add", args=[slug, amira.pk]),
        reverse("assessment-list", args=[slug]),
    ]:
        assert as_dev.get(url).status_code == 403
    for url in [
        reverse("assessment-cancel", args=[slug, assessment.pk]),
        reverse("panellist-add", args=[slug, assessment.pk]),
        reverse("panellist-remove", args=[slug, assessment.pk, place.pk]),
    ]:
        assert as_dev.post(url).status_code == 403
    assert assessment.panellists.count() == 1


@pytest.mark.parametrize("n", [1, 50])
def test_the_assessment_page_runs_the_same_queries_for_one_or_fifty_panellists(
    as_bob: Client,
    sunrise: Provider,
    amira: Application,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
    n: int,
) -> None:
    assessment = f.make_assessment(application=amira, stage=amira.current_stage)
    for i in range(n):
        user = f.make_member(
            provider=sunrise, role=Membership.Role.PANEL, expert=True, password=None
        )
        place = f.make_panellist(assessment=assessment, user=user, panel_role="expert")
        f.make_scorecard(panellist=place, submitted=i % 2 == 0)
    # the signed-in person with their membership, assessment with stage, application, candidate and
    # role, panellists with scorecard states, member choices
    with django_assert_num_queries(4):
        response = as_bob.get(detail_url(assessment))
    assert len(response.context["panellists"]) == n


@pytest.mark.parametrize("n", [1, 50])
def test_the_assessment_list_runs_the_same_queries_for_one_or_fifty_rows(
    as_bob: Client,
    sunrise: Provider,
    care_assistant: Role,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
    n: int,
) -> None:
    for _ in range(n):
        application = f.make_application(role=care_assistant, stage=care_assistant.stages.first())
        f.make_assessment(
            application=application,
            stage=application.current_stage,
            scheduled_at=datetime(2099, 1, 1, 10, 0, tzinfo=LONDON),
        )
    # the signed-in person with their membership, page count, page rows with panel counts
    with django_assert_num_queries(3):
        response = as_bob.get(reverse("assessment-list", args=[sunrise.slug]))
    assert len(response.context["page"].object_list) == n


def test_the_upcoming_list_shows_assessments_still_to_come_with_their_details(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    interview = care_assistant.stages.first()

    def assessment_on(first_name: str, when: datetime) -> Assessment:
        candidate = f.make_candidate(provider=sunrise, first_name=first_name, last_name="Lee")
        application = f.make_application(role=care_assistant, stage=interview, candidate=candidate)
        return f.make_assessment(application=application, stage=interview, scheduled_at=when)

    coming = assessment_on("Coming", datetime(2099, 3, 2, 9, 30, tzinfo=LONDON))
    Assessment.objects.filter(pk=coming.pk).update(place="Rose unit")
    f.make_panellist(assessment=coming, user=f.make_member(provider=sunrise, username="pam"))
    assessment_on("Past", datetime(2020, 3, 2, 9, 30, tzinfo=LONDON))
    cancelled = assessment_on("Cancelled", datetime(2099, 3, 3, 9, 30, tzinfo=LONDON))
    Assessment.objects.filter(pk=cancelled.pk).update(status=Assessment.Status.CANCELLED)

    page = as_bob.get(reverse("assessment-list", args=[sunrise.slug])).content.decode()

    link = f'<a href="/p/{sunrise.slug}/assessments/{coming.pk}/">Coming Lee</a>'
    assert link in page
    assert "<td>Mon 2 Mar, 09:30</td>" in page
    assert f"<td>{care_assistant.title}: {interview.name}</td>" in page
    assert "<td>Rose unit</td>" in page and "<td>0 of 1</td>" in page
    assert "Past Lee" not in page and "Cancelled Lee" not in page


def test_the_assessment_page_offers_only_people_not_on_the_panel_yet(
    sunrise: Provider, alice: User, bob: User, dev: User, as_alice: Client
) -> None:
    application = f.make_application(role=f.make_role(provider=sunrise))
    assessment = f.make_assessment(
        application=application, stage=f.make_stage(role=application.role)
    )
    f.make_panellist(assessment=assessment, user=bob)
    page = as_alice.get(detail_url(assessment)).text
    menu = page[page.index('name="member"') : page.index("</select>", page.index('name="member"'))]
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', menu)
    assert options[0] == ("", "Choose a person")
    offered = {label: int(value) for value, label in options[1:]}
    for person in (alice, dev):
        membership = person.memberships.get(provider=sunrise)
        label = f"{person.display_name} ({member_description(membership).lower()})"
        assert offered[label] == membership.pk
    assert len(offered) == 2 and not any(bob.display_name in label for label in offered)


def test_an_assessment_belongs_to_its_applications_provider_however_it_is_made(
    sunrise: Provider, care_assistant: Role, amira: Application
) -> None:
    interview = care_assistant.stages.first()
    made = Assessment.objects.create(application=amira, stage=interview)
    assert Assessment.objects.get(pk=made.pk).provider_id == sunrise.pk
    # Given the application's number only, the provider is looked up.
    Assessment.objects.filter(pk=made.pk).delete()
    by_number = Assessment(application_id=amira.pk, stage=interview)
    by_number.save()
    assert Assessment.objects.get(pk=by_number.pk).provider_id == sunrise.pk


def test_the_lists_show_only_the_providers_own_assessments(
    as_bob: Client, sunrise: Provider, care_assistant: Role, amira: Application
) -> None:
    interview = care_assistant.stages.first()
    when = datetime(2099, 3, 2, 9, 30, tzinfo=LONDON)
    f.make_assessment(application=amira, stage=interview, scheduled_at=when)
    other = f.make_provider(name="Elsewhere Care", slug="elsewhere")
    role = f.make_role(provider=other, title="Night carer")
    stage = f.make_stage(role=role, name="Interview", order=1)
    theirs = f.make_application(
        role=role,
        stage=stage,
        candidate=f.make_candidate(provider=other, first_name="Zara", last_name="Khan"),
    )
    f.make_assessment(application=theirs, stage=stage, scheduled_at=when)

    page = as_bob.get(reverse("assessment-list", args=[sunrise.slug]))

    assert "Amira Hussain" in page.text
    assert "Zara Khan" not in page.text
    assert page.context["page"].paginator.count == 1
