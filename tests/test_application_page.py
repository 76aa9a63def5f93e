"""The application page as a hiring manager reads it: how to reach the candidate, where each
assessment stands, the checks in one place, and actions that look like actions."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import Provider, User
from vbr.privacy.models import DbsCheck
from vbr.recruitment.models import Application, Assessment, Panellist, ProviderCheck, Stage


@pytest.fixture
def chloe(sunrise: Provider) -> Application:
    role = f.make_role(provider=sunrise, title="Care assistant")
    interview = f.make_stage(role=role, name="Values interview", order=1)
    f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    candidate = f.make_candidate(provider=sunrise, first_name="Chloe", last_name="Davies")
    candidate.email = "chloe.davies@example.org"
    candidate.phone = "07700 900123"
    candidate.save()
    return f.make_application(role=role, stage=interview, candidate=candidate)


def page_of(client: Client, application: Application) -> str:
    return client.get(reverse("application-detail", args=["sunrise", application.pk])).text


def assessment_line(page: str, stage_name: str) -> str:
    """The line of the Assessments list about one stage, without its markup."""
    section = page[page.index('id="assessments-title"') :]
    item = section[section.index(f"<strong>{stage_name}</strong>") :]
    return re.sub(r"<[^>]+>", "", item[: item.index("<br>")]).strip()


def test_the_application_page_says_how_to_reach_the_candidate(
    as_bob: Client, chloe: Application
) -> None:
    page = page_of(as_bob, chloe)
    assert '<a href="mailto:chloe.davies@example.org">chloe.davies@example.org</a>' in page
    assert '<a href="tel:07700900123">07700 900123</a>' in page


def test_a_candidate_without_email_or_phone_shows_not_given(
    as_bob: Client, sunrise: Provider
) -> None:
    application = f.make_application(role=f.make_role(provider=sunrise))
    application.candidate.email = ""
    application.candidate.save()
    page = page_of(as_bob, application)
    assert re.search(r"<dt[^>]*>Email</dt><dd[^>]*>Not given</dd>", page)
    assert re.search(r"<dt[^>]*>Phone</dt><dd[^>]*>Not given</dd>", page)


def test_each_assessment_says_where_it_stands_not_scoring_open_once_all_is_in(
    as_bob: Client, bob: User, dev: User, chloe: Application
) -> None:
    interview = chloe.current_stage
    assessment = f.make_assessment(application=chloe, stage=interview)
    assert "Scheduled, no panel yet" in assessment_line(page_of(as_bob, chloe), interview.name)

    bob_place = f.make_panellist(assessment=assessment, user=bob, panel_role="chair")
    dev_place = f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    f.make_scorecard(panellist=dev_place, submitted=True)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SCORING)
    assert "Scoring open: 1 of 2 scorecards in" in assessment_line(
        page_of(as_bob, chloe), interview.name
    )

    f.make_scorecard(panellist=bob_place, submitted=True)
    f.make_decision(application=chloe, kind="progress", decided_by=bob)
    page = page_of(as_bob, chloe)
    line = assessment_line(page, interview.name)
    assert line.startswith("Values interview — All scorecards in; decided: progress to next stage")
    assert "Scoring open" not in page
    # The assessment page says the same.
    detail = as_bob.get(reverse("assessment-detail", args=["sunrise", assessment.pk])).text
    assert re.search(r"<dt[^>]*>Status</dt><dd[^>]*>All scorecards in</dd>", detail)


def test_a_closed_assessment_says_scoring_closed(
    as_bob: Client, dev: User, chloe: Application
) -> None:
    assessment = f.make_assessment(application=chloe, stage=chloe.current_stage)
    f.make_panellist(assessment=assessment, user=dev, panel_role="expert")
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CLOSED)
    assert assessment_line(page_of(as_bob, chloe), "Values interview").startswith(
        "Values interview — Scoring closed"
    )


def test_checks_are_in_one_section_with_the_dbs_certificates(
    as_alice: Client, bob: User, sunrise: Provider, chloe: Application
) -> None:
    seen = ProviderCheck.objects.create(provider=sunrise, name="Right to work seen")
    ProviderCheck.objects.create(
        provider=sunrise, name="References", required_before_shadowing=False
    )
    chloe.checks.create(check_item=seen, done_by=bob)
    DbsCheck.objects.create(
        provider=sunrise,
        application=chloe,
        certificate_number="001234567890",
        issued_on=date(2026, 1, 1),
        level=DbsCheck.Level.ENHANCED,
    )

    page = page_of(as_alice, chloe)

    headings = re.findall(r"<h2[^>]*>([^<]*)</h2>", page)
    assert headings.count("Checks") == 1
    assert "Checks before shadowing" not in headings and "DBS checks" not in headings
    section = page[
        page.index('id="checks-title"') : page.index("</section>", page.index('id="checks-title"'))
    ]
    assert "Right to work seen — " in section and "done by Bob Okafor" in section
    assert "References — <strong>not done yet</strong>" in section
    assert section.count("Needed before shadowing") == 1
    assert "001234567890" in section and "Record a DBS check" in section
    assert "Privacy and audit" in headings


def test_debrief_and_invitation_links_look_like_buttons_people_can_use(
    as_bob: Client, dev: User, chloe: Application
) -> None:
    assessment = f.make_assessment(application=chloe, stage=chloe.current_stage)
    f.make_panellist(assessment=assessment, user=dev, panel_role="expert")
    page = page_of(as_bob, chloe)
    debrief = reverse("assessment-debrief", args=["sunrise", assessment.pk])
    assert f'class="btn btn-sm btn-outline-primary" href="{debrief}"' in page
    detail = as_bob.get(reverse("assessment-detail", args=["sunrise", assessment.pk])).text
    invitations = reverse("invitation-list", args=["sunrise", assessment.pk])
    assert f'class="btn btn-outline-primary" href="{debrief}"' in detail
    assert f'class="btn btn-outline-primary" href="{invitations}"' in detail
    assert "btn-outline-secondary" not in detail


def test_the_pdf_summary_names_a_stages_kind_only_when_its_name_does_not_say_it(
    bob: User, chloe: Application
) -> None:
    from vbr.recruitment import pdf

    meeting = f.make_stage(
        role=chloe.role, name="Meet the residents", kind=Stage.Kind.SHADOWING, order=3
    )
    f.make_assessment(application=chloe, stage=chloe.current_stage)
    f.make_assessment(application=chloe, stage=meeting)

    html = pdf.render_summary_html(pdf.gather_summary(application=chloe, requested_by=bob))

    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Values interview (Values interview)" not in text
    assert "Values interview ," in text
    assert "Meet the residents (Shadowing)" in text


def test_the_page_reads_panels_stages_and_criteria_as_the_orm_relations_give_them(
    sunrise: Provider, alice: User, bob: User, dev: User, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    """Assessments with their panels in one query, and the role's stages with their criteria
    in one: the same objects, in the same order, as the relations give, and the same grid
    as `value_stage_grid` reads for itself (the PDF summary's way)."""
    from django.db.models import Prefetch

    from vbr.recruitment import scoring, workflow
    from vbr.recruitment.models import NationalValue
    from vbr.recruitment.views.pipeline import _assessments_and_panels, _stages_and_criteria

    workflow.load_value_sets()
    national = list(NationalValue.objects.order_by("value_set__order", "order", "pk"))
    role = f.make_role(provider=sunrise)
    first, empty, last = (f.make_stage(role=role, name=name) for name in ("One", "Two", "Three"))
    kind, brave = f.make_value(provider=sunrise, name="Kind"), f.make_value(provider=sunrise)
    kind.evidences.add(national[0], national[-1])
    criteria = [f.make_criterion(stage=first, core_value=kind, order=n) for n in (2, 1)]
    f.make_criterion(stage=first, core_value=brave, version=2)  # a later version
    criteria.append(f.make_criterion(stage=last, core_value=brave))
    application = f.make_application(role=role, stage=last)
    scored = f.make_assessment(application=application, stage=first)
    f.make_assessment(application=application, stage=last)  # no panel yet
    for user, role_name in ((dev, "member"), (bob, "chair")):
        place = f.make_panellist(assessment=scored, user=user, panel_role=role_name)
        if user == bob:
            f.make_scorecard(panellist=place, levels=dict.fromkeys(criteria[:2], 3), submitted=True)

    panel = Prefetch("panellists", queryset=Panellist.objects.select_related("user", "scorecard"))
    expected = list(application.assessments.select_related("stage").prefetch_related(panel))
    got = _assessments_and_panels(application.pk)
    with django_assert_num_queries(0):
        assert [(a.pk, a.stage.name) for a in got] == [(a.pk, a.stage.name) for a in expected]
        assert [
            [(p.pk, p.user.display_name, p.panel_role, p.has_submitted) for p in a.panel]
            for a in got
        ] == [
            [(p.pk, p.user.display_name, p.panel_role, p.has_submitted) for p in a.panellists.all()]
            for a in expected
        ]
    assert [len(a.panel) for a in got] == [2, 0] and got[0].panel[0].user == bob

    stages, role_criteria = _stages_and_criteria(role.pk)
    assert stages == list(role.stages.all()) and empty in stages
    assert sorted((c.pk, c.evidence_name or "") for c in role_criteria) == sorted(
        (c.pk, c.evidence_name or "") for c in scoring._grid_criteria(role.pk)
    )
    grid = scoring.value_stage_grid(application, got, role_criteria)
    assert grid == scoring.value_stage_grid(application, got)
    assert grid.rows[0].core_value.name == "Kind" and grid.rows[0].overall.count == 2
    assert national[0].label in grid.rows[0].evidences
