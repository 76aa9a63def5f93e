"""An individual employer's path to a personal assistant: the guided page and its five steps
(the job and advert in their words, questions from the bank, someone to sit with them, the
offer, the checks of a private employer), tenancy, and the page's query count."""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.conftest import signed_in
from tests.servers import smtp_server
from vbr.accounts.models import Membership, Provider, User
from vbr.applicants import notices
from vbr.applicants.models import Notice, Vacancy
from vbr.compliance import workflow as compliance
from vbr.compliance.checklists import INDIVIDUAL_EMPLOYER_CHECKLISTS
from vbr.compliance.models import SaferRecruitmentFile
from vbr.pa import workflow
from vbr.pa.models import PaJob
from vbr.recruitment.models import (
    Application,
    BankItem,
    CoreValue,
    Criterion,
    Decision,
    Panellist,
    Role,
)

LEVELS = {f"level_{n}": f"Level {n} words" for n in range(1, 5)}


@pytest.fixture
def jo_whitfield(db: None) -> Provider:
    provider = f.make_provider(
        name="Jo Whitfield", slug="jo-whitfield", kind=Provider.Kind.INDIVIDUAL_EMPLOYER
    )
    provider.nation = Provider.Nation.WALES
    provider.save(update_fields=["nation"])
    return provider


@pytest.fixture
def jo(jo_whitfield: Provider) -> User:
    return f.make_member(
        provider=jo_whitfield, role=Membership.Role.ADMIN, username="jo", full_name="Jo Whitfield"
    )


@pytest.fixture
def as_jo(jo: User) -> Client:
    return signed_in(jo)


@pytest.fixture
def humour(jo_whitfield: Provider) -> CoreValue:
    return f.make_value(provider=jo_whitfield, name="Good humour", order=1)


def url(name: str, provider: Provider, *args: object) -> str:
    return reverse(name, args=[provider.slug, *args])


def write_job(provider: Provider, by: User, values: list[CoreValue]) -> PaJob:
    return workflow.save_job(
        provider=provider,
        by=by,
        words=workflow.JobWords(
            title="Personal assistant",
            help_needed="Getting up, a shower, and breakfast.",
            what_matters="A sense of humour. Someone who knows Urdu would be lovely.",
            values=values,
            hours="Weekday mornings, 7 to 10",
            pay_from=Decimal("13.50"),
            town="Cardiff",
        ),
    )


def applicant(job: PaJob, first_name: str = "Kim") -> Application:
    stage = workflow.interview_stage(job.role)
    candidate = f.make_candidate(provider=job.provider, first_name=first_name, last_name="Osei")
    candidate.email = f"{first_name.lower()}@example.org"
    candidate.save(update_fields=["email"])
    return f.make_application(role=job.role, stage=stage, candidate=candidate)


def email_received(application: Application, settings: Any) -> Any:
    """The candidate's email notice, as a real mail server receives it."""
    notice = Notice.objects.get(application=application, channel=Notice.Channel.EMAIL)
    with smtp_server() as mailbox:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mailbox.port
        settings.EMAIL_USE_TLS = False
        assert notices.deliver(notice_id=notice.pk).delivery is notices.Delivery.SENT
    message = mailbox.received[0]
    body = message.get_payload(decode=True).decode()
    return message["To"], message["Subject"], body


def interviewed(job: PaJob, jo: User, application: Application, **score: Any) -> Panellist:
    stage = workflow.interview_stage(job.role)
    assert stage is not None
    assessment = f.make_assessment(application=application, stage=stage)
    return f.make_panellist(assessment=assessment, user=jo)


def text(response: Any) -> str:
    return response.content.decode()


# -- Who gets the path ---------------------------------------------------------------------


def test_an_individual_employers_home_is_their_guided_page(as_jo: Client, jo_whitfield: Provider):
    response = as_jo.get(url("provider-home", jo_whitfield))
    assert response.status_code == 302
    assert response["Location"] == url("pa-home", jo_whitfield)
    # The full dashboard stays one link away.
    assert as_jo.get(url("provider-home", jo_whitfield) + "?all").status_code == 200


def test_a_care_home_does_not_get_the_pa_path(as_alice: Client, sunrise: Provider) -> None:
    assert as_alice.get(url("pa-home", sunrise)).status_code == 404
    assert as_alice.get(url("pa-job-new", sunrise)).status_code == 404
    role = f.make_role(provider=sunrise)
    assert as_alice.get(url("pa-job", sunrise, role.pk)).status_code == 404
    assert as_alice.get(url("provider-home", sunrise)).status_code == 200  # its dashboard


def test_another_provider_gets_a_404_for_every_pa_page(
    jo: User, jo_whitfield: Provider, humour: CoreValue, as_charlie: Client
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    application = applicant(job)
    for name, args in (
        ("pa-home", ()),
        ("pa-job", (job.role_id,)),
        ("pa-job-edit", (job.role_id,)),
        ("pa-questions", (job.role_id,)),
        ("pa-companion", (job.role_id,)),
        ("pa-offer", (application.pk,)),
    ):
        assert as_charlie.get(url(name, jo_whitfield, *args)).status_code == 404, name


def test_one_individual_employer_cannot_reach_anothers_job(
    jo: User, jo_whitfield: Provider, humour: CoreValue
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    application = applicant(job)
    other = f.make_provider(slug="sam-lee", kind=Provider.Kind.INDIVIDUAL_EMPLOYER)
    sam = f.make_member(provider=other, role=Membership.Role.ADMIN, username="sam")
    client = signed_in(sam)
    assert client.get(url("pa-job", other, job.role_id)).status_code == 404
    assert client.get(url("pa-job-edit", other, job.role_id)).status_code == 404
    assert client.get(url("pa-offer", other, application.pk)).status_code == 404
    assert client.post(url("pa-publish", other, job.role_id)).status_code == 404


def test_a_panel_member_of_the_employer_cannot_open_the_path(
    jo: User, jo_whitfield: Provider
) -> None:
    friend = f.make_member(provider=jo_whitfield, role=Membership.Role.PANEL, username="sam")
    assert signed_in(friend).get(url("pa-home", jo_whitfield)).status_code == 403


# -- The guided page -------------------------------------------------------------------------


def test_before_any_job_the_page_starts_with_i_need_a_pa(
    as_jo: Client, jo_whitfield: Provider
) -> None:
    page = text(as_jo.get(url("pa-home", jo_whitfield)))
    assert "0 of 5 steps done." in page
    assert "I need a PA: start" in page
    assert page.count("Do this now") == 1
    assert "Step 5: Checks before they start" in page


# -- Step 1: the job and the advert ----------------------------------------------------------


def test_step_one_writes_the_role_and_a_draft_advert_in_the_employers_words(
    as_jo: Client, jo_whitfield: Provider, humour: CoreValue
) -> None:
    response = as_jo.post(
        url("pa-job-new", jo_whitfield),
        {
            "title": "Personal assistant",
            "help_needed": "Getting up, a shower, and breakfast.",
            "what_matters": "A sense of humour. Someone who knows Urdu would be lovely.",
            "values": [humour.pk],
            "hours": "Weekday mornings, 7 to 10",
            "pay_from": "13.50",
            "town": "Cardiff",
        },
        follow=True,
    )
    page = text(response)
    assert "Your advert" in page and "Nobody can see it yet" in page
    assert "A sense of humour. Someone who knows Urdu would be lovely." in page
    role = Role.objects.get(provider=jo_whitfield)
    vacancy = Vacancy.objects.get(role=role)
    assert vacancy.status == Vacancy.Status.DRAFT
    assert "My values: Good humour." in vacancy.day_to_day
    assert role.stages.get().kind == "interview"
    assert list(role.pa_job.values.all()) == [humour]
    # Nobody can read a draft.
    assert Client().get(url("vacancy-detail", jo_whitfield, vacancy.pk)).status_code == 404

    guided = text(as_jo.get(url("pa-job", jo_whitfield, role.pk)))
    assert "Your advert is written. Nobody can see it until you publish it." in guided

    as_jo.post(url("pa-publish", jo_whitfield, role.pk))
    public = text(Client().get(url("vacancy-detail", jo_whitfield, vacancy.pk)))
    assert "Someone who knows Urdu would be lovely." in public
    guided = text(as_jo.get(url("pa-job", jo_whitfield, role.pk)))
    assert "Your advert is published. Anyone can read it and apply." in guided
    assert "1 of 5 steps done." in guided


def test_changing_the_words_of_a_published_advert_changes_what_the_public_reads(
    as_jo: Client, jo: User, jo_whitfield: Provider, humour: CoreValue
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    vacancy = workflow.publish_advert(job=job)
    form = text(as_jo.get(url("pa-job-edit", jo_whitfield, job.role_id)))
    assert "Getting up, a shower, and breakfast." in form  # her words, ready to change
    as_jo.post(
        url("pa-job-edit", jo_whitfield, job.role_id),
        {
            "title": "Personal assistant",
            "help_needed": "Getting up and breakfast. Walking the dog.",
            "what_matters": "Someone who loves dogs.",
            "values": [humour.pk],
            "hours": "Weekday mornings, 7 to 10",
            "pay_from": "13.50",
            "town": "Cardiff",
        },
    )
    public = text(Client().get(url("vacancy-detail", jo_whitfield, vacancy.pk)))
    assert "Someone who loves dogs." in public and "Walking the dog." in public
    assert "Urdu" not in public
    assert PaJob.objects.get().role.vacancy.is_published


def test_step_one_with_a_mistake_keeps_what_was_typed(
    as_jo: Client, jo_whitfield: Provider
) -> None:
    response = as_jo.post(
        url("pa-job-new", jo_whitfield),
        {"help_needed": "Cooking with me on Sundays.", "pay_from": "", "town": "Cardiff"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "Cooking with me on Sundays." in page
    assert "This field is required." in page
    assert not Role.objects.filter(provider=jo_whitfield).exists()


# -- Step 2: questions from the bank ---------------------------------------------------------


def test_step_two_copies_the_chosen_bank_questions_into_the_interview(
    as_jo: Client, jo: User, jo_whitfield: Provider, humour: CoreValue
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    laugh = BankItem.objects.create(
        provider=jo_whitfield,
        core_value=humour,
        kind=BankItem.Kind.INTERVIEW_QUESTION,
        title="A laugh",
        prompt="Tell me about a time you made someone laugh on a hard day.",
        prompt_easy_read="When did you make someone laugh on a bad day?",
        **LEVELS,
    )
    page = text(as_jo.get(url("pa-questions", jo_whitfield, job.role_id)))
    assert "Tell me about a time you made someone laugh on a hard day." in page
    response = as_jo.post(
        url("pa-questions", jo_whitfield, job.role_id), {f"value_{humour.pk}": [laugh.pk]}
    )
    assert response.status_code == 302
    criterion = Criterion.objects.get(stage__role=job.role)
    assert criterion.bank_item == laugh and criterion.core_value == humour
    assert criterion.prompt_easy_read == "When did you make someone laugh on a bad day?"
    # Editing the bank afterwards does not change the interview (copied, not linked).
    BankItem.objects.filter(pk=laugh.pk).update(prompt="Something else")
    criterion.refresh_from_db()
    assert criterion.prompt.startswith("Tell me about a time")
    guided = text(as_jo.get(url("pa-job", jo_whitfield, job.role_id)))
    assert "You have 1 interview question." in guided


def test_step_two_asks_for_at_least_one_question(
    as_jo: Client, jo: User, jo_whitfield: Provider, humour: CoreValue
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    BankItem.objects.create(
        provider=jo_whitfield,
        core_value=humour,
        kind=BankItem.Kind.INTERVIEW_QUESTION,
        title="A laugh",
        prompt="Tell me about a time you made someone laugh.",
        **LEVELS,
    )
    response = as_jo.post(url("pa-questions", jo_whitfield, job.role_id), {})
    assert "Choose at least one question." in text(response)
    assert not Criterion.objects.filter(stage__role=job.role).exists()


# -- Step 3: not alone -----------------------------------------------------------------------


def test_step_three_puts_a_friend_on_the_interviews_with_their_own_link(
    as_jo: Client, jo: User, jo_whitfield: Provider, humour: CoreValue
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    kim = applicant(job)
    interviewed(job, jo, kim)
    guided = text(as_jo.get(url("pa-job", jo_whitfield, job.role_id)))
    assert "Ask a friend, someone in your family or your advocate" in guided

    as_jo.post(
        url("pa-companion", jo_whitfield, job.role_id),
        {"full_name": "Amir Khan", "relationship": "friend", "email": "amir@example.org"},
    )
    amir = Membership.objects.get(provider=jo_whitfield, user__full_name="Amir Khan")
    assert amir.role == Membership.Role.PANEL and not amir.user.has_usable_password()
    assert Panellist.objects.filter(assessment__application=kim, user=amir.user).exists()
    guided = text(as_jo.get(url("pa-job", jo_whitfield, job.role_id)))
    assert "Amir Khan (a friend) sits with you at the interviews." in guided
    assert "Amir Khan is on it." in guided
    assert "Give Amir Khan their link" in guided

    # An interview set up afterwards: the page offers to put Amir on it.
    leo = applicant(job, first_name="Leo")
    later = interviewed(job, jo, leo).assessment
    guided = text(as_jo.get(url("pa-job", jo_whitfield, job.role_id)))
    assert "nobody is with you yet" in guided
    as_jo.post(url("pa-companion-seat", jo_whitfield, job.role_id, later.pk))
    assert later.panellists.filter(user=amir.user).exists()
    # Their link is the usual panel invitation.
    place = later.panellists.get(user=amir.user)
    response = as_jo.post(
        reverse("invitation-create", args=[jo_whitfield.slug, later.pk, place.pk]),
        {"delivery": "print"},
    )
    assert response.status_code == 302
    assert place.invitations.count() == 1


# -- Step 4: the offer -----------------------------------------------------------------------


def test_step_four_waits_for_the_employers_own_scores(
    as_jo: Client, jo: User, jo_whitfield: Provider, humour: CoreValue
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    kim = applicant(job)
    interviewed(job, jo, kim)
    guided = text(as_jo.get(url("pa-job", jo_whitfield, job.role_id)))
    assert "Kim Osei: fill in your scores from the interview first." in guided
    response = as_jo.post(
        url("pa-offer", jo_whitfield, kim.pk), {"kind": "offer", "reasons": "Kind and funny."}
    )
    assert response.status_code == 302
    kim.refresh_from_db()
    assert kim.status == Application.Status.ACTIVE


def test_step_four_offers_the_job_and_opens_the_private_employers_checks(
    as_jo: Client, jo: User, jo_whitfield: Provider, humour: CoreValue, settings: Any
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    kim = applicant(job)
    place = interviewed(job, jo, kim)
    f.make_scorecard(panellist=place, submitted=True)
    page = text(as_jo.get(url("pa-offer", jo_whitfield, kim.pk)))
    assert "Do you want to offer Kim the job of Personal assistant?" in page
    response = as_jo.post(
        url("pa-offer", jo_whitfield, kim.pk),
        {"kind": "offer", "reasons": "She made me laugh and listened."},
        follow=True,
    )
    page = text(response)
    assert "You offered the job to Kim Osei. Now do the checks before their first day." in page
    kim.refresh_from_db()
    assert kim.status == Application.Status.OFFERED
    assert kim.decisions.get().kind == Decision.Kind.OFFER
    file = SaferRecruitmentFile.objects.get(application=kim)
    names = list(file.checks.values_list("item__name", flat=True))
    assert names == [spec.name for spec in INDIVIDUAL_EMPLOYER_CHECKLISTS["wales"]]
    assert "Kim Osei: 0 of 5 checks done." in page
    assert "Employer&#x27;s liability insurance in place" in page
    assert "4 of 5 steps done." not in page  # the questions and companion are still to do
    # Kim hears of the offer; nothing of Jo's reasons goes to her.
    to, subject, body = email_received(kim, settings)
    assert to == "kim@example.org"
    assert subject == "We would like to offer you the job of Personal assistant"
    assert body.startswith("Hello Kim,")
    assert "laugh" not in body


def test_saying_not_this_time_closes_the_application_and_tells_them_kindly(
    as_jo: Client, jo: User, jo_whitfield: Provider, humour: CoreValue, settings: Any
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    leo = applicant(job, first_name="Leo")
    response = as_jo.post(
        url("pa-offer", jo_whitfield, leo.pk),
        {
            "kind": "decline",
            "reasons": "Could not do mornings.",
            "feedback_to_candidate": "You were warm and kind; I needed someone for mornings.",
        },
        follow=True,
    )
    assert "Leo Osei will be told, kindly." in text(response)
    leo.refresh_from_db()
    assert leo.status == Application.Status.DECLINED
    _to, subject, body = email_received(leo, settings)
    assert subject == "Your application for Personal assistant"
    assert "You were warm and kind; I needed someone for mornings." in body
    assert "Could not do mornings." not in body


# -- Step 5: checks suited to a private employer -----------------------------------------------


@pytest.mark.parametrize("nation", list(INDIVIDUAL_EMPLOYER_CHECKLISTS))
def test_an_individual_employers_checklist_suits_a_private_employer(
    jo_whitfield: Provider, nation: str
) -> None:
    jo_whitfield.nation = nation
    jo_whitfield.save(update_fields=["nation"])
    items = {item.key: item for item in compliance.current_checklist(jo_whitfield).items.all()}
    assert set(items) == {
        "identity",
        "right_to_work",
        "criminal_record",
        "references",
        "employers_liability",
    }
    assert "registration" not in items  # a PA employed by the person needs no registration
    assert items["references"].references_needed == 2
    assert items["criminal_record"].before_shadowing
    assert "Compulsory Insurance" in items["employers_liability"].regulation
    if nation in ("england", "wales"):
        assert "umbrella body" in items["criminal_record"].name
    assert "Immigration, Asylum and Nationality Act 2006" in items["right_to_work"].regulation


def test_a_care_homes_checklist_is_unchanged(sunrise: Provider) -> None:
    keys = set(compliance.current_checklist(sunrise).items.values_list("key", flat=True))
    assert "employers_liability" not in keys and "health" in keys


# -- Query budget ----------------------------------------------------------------------------


@pytest.mark.parametrize("applicants", [1, 50])
def test_the_guided_page_reads_the_same_number_of_queries_for_1_and_50_applicants(
    as_jo: Client,
    jo: User,
    jo_whitfield: Provider,
    humour: CoreValue,
    applicants: int,
    django_assert_num_queries: Any,
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    workflow.publish_advert(job=job)
    workflow.choose_companion(
        job=job, full_name="Amir Khan", relationship="friend", email="", by=jo
    )
    for number in range(applicants):
        application = applicant(job, first_name=f"Kim{number}")
        place = interviewed(job, jo, application)
        if number % 2 == 0:  # every other one offered, with their checks open
            f.make_scorecard(panellist=place, submitted=True)
            f.make_decision(application=application, kind="offer")
            Application.objects.filter(pk=application.pk).update(status="offered")
            application.refresh_from_db()
            compliance.open_file(application=application, by=jo)
    # Session and user (2), membership (1), open roles (1), the advert (1), the interview's
    # question count (1), the job's values (1), open interviews (1) and their panels (1), the
    # applications (1) and their files (1), the employer's own scorecards to do (1).
    with django_assert_num_queries(10):
        response = as_jo.get(url("pa-home", jo_whitfield))
    assert response.status_code == 200


# -- Independence ----------------------------------------------------------------------------


def test_while_jo_owes_her_scores_nothing_she_opens_changes_with_her_friends_scores(
    as_jo: Client, jo: User, jo_whitfield: Provider, humour: CoreValue
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    stage = workflow.interview_stage(job.role)
    assert stage is not None
    criterion = f.make_criterion(stage=stage, core_value=humour)
    kim = applicant(job)
    interviewed(job, jo, kim)  # Jo's own scorecard is not submitted
    workflow.choose_companion(
        job=job, full_name="Amir Khan", relationship="friend", email="", by=jo
    )
    amir_place = Panellist.objects.get(assessment__application=kim, user__full_name="Amir Khan")
    scorecard = f.make_scorecard(panellist=amir_place, levels={criterion: 4}, submitted=True)
    pages = [url("pa-home", jo_whitfield), url("pa-job", jo_whitfield, job.role_id)]

    def opened() -> list[str]:
        offer = as_jo.get(url("pa-offer", jo_whitfield, kim.pk))
        assert offer.status_code == 302  # she is sent to fill in her scores first
        # The same bytes, apart from the page's CSRF token (masked afresh for each page).
        return [
            re.sub(
                r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", text(as_jo.get(p))
            )
            for p in pages
        ]

    before = opened()
    scorecard.recommendation = "no"
    scorecard.save(update_fields=["recommendation"])
    scorecard.scores.update(level=1, evidence="Did not listen at all")
    for page, was, now in zip(pages, before, opened(), strict=True):
        changed = "\n".join(difflib.unified_diff(was.splitlines(), now.splitlines(), lineterm=""))
        assert was == now, f"{page} changed:\n{changed}"
    assert "fill in your scores from the interview first" in before[0]


@pytest.mark.parametrize("in_bank", [1, 50])
def test_the_questions_page_reads_the_same_number_of_queries_however_big_the_bank(
    as_jo: Client,
    jo: User,
    jo_whitfield: Provider,
    humour: CoreValue,
    in_bank: int,
    django_assert_num_queries: Any,
) -> None:
    job = write_job(jo_whitfield, jo, [humour])
    BankItem.objects.bulk_create(
        BankItem(
            provider=jo_whitfield,
            core_value=humour,
            kind=BankItem.Kind.INTERVIEW_QUESTION,
            title=f"Question {number}",
            prompt=f"Question {number}: tell me about a time you made someone laugh.",
            **LEVELS,
        )
        for number in range(in_bank)
    )
    # Session and user (2), membership (1), the job (1), its interview (1) and the questions
    # it asks already (1), the job's values (1), the national values they evidence (1) and
    # the bank's questions for them (1).
    with django_assert_num_queries(7):
        response = as_jo.get(url("pa-questions", jo_whitfield, job.role_id))
    page = text(response)
    assert "Question 0: tell me about a time you made someone laugh." in page
    # A few to choose from for each value, not the whole bank.
    assert page.count("tell me about a time you made someone laugh.") == min(in_bank, 4)
