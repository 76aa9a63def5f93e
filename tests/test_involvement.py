"""People who draw on care take part in the advert and in shortlisting.

Dev, an expert by experience without a password, joins by personal links: one for the advert
Bob shares with him, one for a shortlisting. Each link reaches its own piece of work and
nothing else. Shortlisters read the values answers only, without the candidate's name or
contact details, and see nobody's answer for an applicant before sending their own.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.invitations import create_involvement_invitation
from vbr.accounts.models import Membership, Provider, User
from vbr.involvement import workflow
from vbr.involvement.models import AdvertComment, AdvertReview, ShortlistAnswer, ShortlistEntry
from vbr.privacy.workflow import anonymise_candidate
from vbr.recruitment.models import Application, Role, Stage


def joined(token: str) -> Client:
    """A browser that has opened a personal link and pressed Start."""
    client = Client()
    response = client.post(reverse("join-link", args=[token]))
    assert response.status_code == 302, "signing in by the personal link failed"
    return client


@pytest.fixture
def role(sunrise: Provider) -> Role:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    f.make_stage(role=role, name="Application", order=1)
    f.make_stage(role=role, name="Values interview", order=2)
    return role


@pytest.fixture
def advert(role: Role, bob: User, dev: User) -> AdvertReview:
    vacancy = f.make_vacancy(role=role)
    vacancy.what_to_bring = "Your passport.\n\nA friend, if you like."
    vacancy.save()
    vacancy.questions.create(
        core_value=f.make_value(provider=role.provider, name="Kindness"),
        prompt="Tell us about a time you were kind.",
    )
    (review,) = workflow.share_advert(vacancy=vacancy, people=[dev], shared_by=bob)
    return review


def applicant(
    role: Role, first: str, last: str, *, answer: str, email: str = "", phone: str = ""
) -> Application:
    candidate = f.make_candidate(provider=role.provider, first_name=first, last_name=last)
    candidate.email, candidate.phone = email, phone
    candidate.save()
    application = f.make_application(role=role, stage=role.stages.first(), candidate=candidate)
    application.source = Application.Source.REFERRAL
    application.save()
    f.make_online_application(application=application, referrer_name="Jo Bloggs", answer=answer)
    return application


# -- The advert ---------------------------------------------------------------------------------


def test_an_experts_advert_link_reaches_that_advert_and_nothing_else(
    advert: AdvertReview, bob: User, dev: User, sunrise: Provider, role: Role
) -> None:
    other_role = f.make_role(provider=sunrise, title="Cook")
    (other_advert,) = workflow.share_advert(
        vacancy=f.make_vacancy(role=other_role), people=[dev], shared_by=bob
    )
    eve = f.make_member(provider=sunrise, role=Membership.Role.PANEL, username="eve", expert=True)
    (eves,) = workflow.share_advert(vacancy=advert.vacancy, people=[eve], shared_by=bob)
    applicant(role, "Ann", "Lee", answer="I help")
    shortlisting = workflow.open_shortlisting(role=role, stage=None, people=[dev], opened_by=bob)
    issued = create_involvement_invitation(advert_review=advert, created_by=bob)

    client = joined(issued.token)

    start = reverse("advert-start", args=["sunrise", advert.pk])
    assert client.get(reverse("home"))["Location"] == start
    assert "Night care assistant" in client.get(start).text
    assert client.get(reverse("advert-section", args=["sunrise", advert.pk, 1])).status_code == 200
    # Another advert shared with Dev needs its own link; Eve's is hers; shortlisting, its own.
    for refused in (
        reverse("advert-start", args=["sunrise", other_advert.pk]),
        reverse("advert-start", args=["sunrise", eves.pk]),
        reverse("advert-section", args=["sunrise", eves.pk, 1]),
        reverse("shortlist-start", args=["sunrise", shortlisting.shortlisters.get().pk]),
        reverse("shortlist-answer", args=["sunrise", shortlisting.shortlisters.get().pk, 1]),
    ):
        assert client.get(refused).status_code == 404, refused
    # Staff pages are closed to a link session.
    for closed in (
        reverse("vacancy-edit", args=["sunrise", role.pk]),
        reverse("shortlisting-detail", args=["sunrise", shortlisting.pk]),
        reverse("provider-home", args=["sunrise"]),
    ):
        assert client.get(closed).status_code == 403, closed


def test_an_advert_of_another_provider_is_not_found(
    advert: AdvertReview, charlie: User, hillside: Provider
) -> None:
    client = Client()
    client.force_login(charlie)
    for url in (
        reverse("advert-start", args=["hillside", advert.pk]),
        reverse("advert-start", args=["sunrise", advert.pk]),
        reverse("vacancy-edit", args=["sunrise", advert.vacancy.role_id]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_revoked_advert_link_ends_the_session(advert: AdvertReview, bob: User) -> None:
    issued = create_involvement_invitation(advert_review=advert, created_by=bob)
    client = joined(issued.token)
    # A new link stops the earlier one, and the session opened with it.
    create_involvement_invitation(advert_review=advert, created_by=bob)
    response = client.get(reverse("advert-start", args=["sunrise", advert.pk]))
    assert response["Location"] == reverse("join-unusable")


def test_staff_get_no_personal_link(advert: AdvertReview, bob: User, alice: User) -> None:
    (alices,) = workflow.share_advert(vacancy=advert.vacancy, people=[alice], shared_by=bob)
    with pytest.raises(ValueError, match="only for panel members"):
        create_involvement_invitation(advert_review=alices, created_by=bob)


def test_the_expert_comments_part_by_part_and_the_manager_records_what_changed(
    advert: AdvertReview, bob: User, as_bob: Client
) -> None:
    dev = joined(create_involvement_invitation(advert_review=advert, created_by=bob).token)
    first = dev.get(reverse("advert-section", args=["sunrise", advert.pk, 1]))
    assert "Part 1 of 5" in first.text and "The job in one sentence" in first.text
    assert 'alt="A person with a name badge"' in first.text
    dev.post(
        reverse("advert-section", args=["sunrise", advert.pk, 1]),
        {"comment": "Say it is nights", "suggested_words": "Care at night for 30 people"},
    )
    third = dev.get(reverse("advert-section", args=["sunrise", advert.pk, 5]))
    assert "Tell us about a time you were kind." in third.text
    dev.post(
        reverse("advert-section", args=["sunrise", advert.pk, 5]),
        {"comment": "Too many long words", "suggested_words": ""},
    )
    vacancy_page = reverse("vacancy-edit", args=["sunrise", advert.vacancy.role_id])
    # Not sent yet: the manager sees that Dev was asked, not what he is still writing.
    page = as_bob.get(vacancy_page).text
    assert "Dev Raman" in page and "not sent yet" in page
    assert "Say it is nights" not in page

    check = dev.get(reverse("advert-check", args=["sunrise", advert.pk])).text
    assert "Say it is nights" in check and "You did not write anything here" in check
    dev.post(reverse("advert-check", args=["sunrise", advert.pk]))
    assert "Thank you" in dev.get(reverse("advert-start", args=["sunrise", advert.pk])).text
    # Sent: the words are the manager's now and cannot be changed from the link.
    dev.post(
        reverse("advert-section", args=["sunrise", advert.pk, 1]),
        {"comment": "Changed my mind", "suggested_words": ""},
    )
    assert AdvertComment.objects.get(section="summary").comment == "Say it is nights"

    page = as_bob.get(vacancy_page).text
    assert "Say it is nights" in page and "Care at night for 30 people" in page
    assert "Too many long words" in page
    comment = AdvertComment.objects.get(section="questions")
    outcome_url = reverse("advert-comment-outcome", args=["sunrise", comment.pk])
    # "Not changed" needs a reason; what was chosen is kept on the page that asks for it.
    refused = as_bob.post(outcome_url, {"outcome": "not_changed", "outcome_note": ""})
    assert refused.status_code == 200
    assert "Say why it was not changed" in refused.text
    assert re.search(r'value="not_changed"[^>]*checked', refused.text)
    as_bob.post(
        outcome_url,
        {"outcome": "not_changed", "outcome_note": "The questions are set by law"},
    )
    as_bob.post(
        reverse(
            "advert-comment-outcome",
            args=["sunrise", AdvertComment.objects.get(section="summary").pk],
        ),
        {"outcome": "accepted", "outcome_note": "Used Dev's words"},
    )
    page = as_bob.get(vacancy_page).text
    assert "Not changed</strong>: The questions are set by law" in page
    assert "Accepted as suggested</strong>: Used Dev&#x27;s words" in page


def test_the_vacancy_page_reads_the_comments_in_the_same_number_of_queries(
    advert: AdvertReview, bob: User, as_bob: Client
) -> None:
    vacancy_page = reverse("vacancy-edit", args=["sunrise", advert.vacancy.role_id])

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert as_bob.get(vacancy_page).status_code == 200
        return len(queries)

    workflow.save_advert_comment(
        review=advert,
        part=workflow.vacancy_parts(advert.vacancy)[0],
        comment="One",
        suggested_words="",
    )
    workflow.send_advert_comments(review=advert)
    one = count()
    for n in range(6):
        person = f.make_member(
            provider=advert.provider, role=Membership.Role.PANEL, username=f"p{n}", expert=True
        )
        (review,) = workflow.share_advert(vacancy=advert.vacancy, people=[person], shared_by=bob)
        for part in workflow.vacancy_parts(advert.vacancy):
            workflow.save_advert_comment(
                review=review, part=part, comment=f"Comment {n}", suggested_words="Words"
            )
        workflow.send_advert_comments(review=review)
    assert count() == one


# -- Shortlisting -------------------------------------------------------------------------------


@pytest.fixture
def shortlisting_of_ann(role: Role, bob: User, dev: User) -> dict[str, Any]:
    ann = applicant(
        role,
        "Annabel",
        "Okonkwo-Reid",
        email="annabel.or@example.com",
        phone="07700 900456",
        answer=(
            "My name is Annabel Okonkwo-Reid. I sat with my nan every evening and read to her.\n\n"
            "Call me on 07700 900456 or write to annabel.or@example.com, or see "
            "www.annabel-cares.example"
        ),
    )
    ben = applicant(role, "Ben", "Carter", answer="I cooked for my neighbour when he was ill.")
    shortlisting = workflow.open_shortlisting(
        role=role, stage=None, people=[dev, bob], opened_by=bob
    )
    return {
        "shortlisting": shortlisting,
        "ann": ann,
        "ben": ben,
        "dev_place": shortlisting.shortlisters.get(user=dev),
        "bob_place": shortlisting.shortlisters.get(user=bob),
        "ann_entry": shortlisting.entries.get(application=ann),
    }


def test_the_shortlister_sees_the_values_answers_and_nothing_that_identifies(
    shortlisting_of_ann: dict[str, Any], bob: User
) -> None:
    place = shortlisting_of_ann["dev_place"]
    client = joined(create_involvement_invitation(shortlister=place, created_by=bob).token)

    page = client.get(reverse("shortlist-answer", args=["sunrise", place.pk, 1]))

    html = page.text
    assert "Applicant 1" in html
    assert "I sat with my nan every evening and read to her." in html
    assert "My name is (name taken out). I sat" in html
    assert "Call me on (contact details taken out) or write to (contact details taken out)" in html
    assert "Tell us about a time you helped someone." in html
    for identifying in (
        "Annabel",
        "annabel",
        "Okonkwo",
        "Reid",
        "07700",
        "900456",
        "@example.com",
        "annabel-cares",
        "Jo Bloggs",  # who referred her
        "Referral",
    ):
        assert identifying not in html, identifying
    # Yes / not sure / no: real radio buttons, each with a visible label and a picture.
    for value, words in (("yes", "Yes"), ("not_sure", "Not sure"), ("no", "No")):
        radio = re.search(
            rf'<input type="radio" name="answer" value="{value}"[^>]*id="([^"]+)"', html
        )
        assert radio, value
        label = re.search(rf'<label for="{radio.group(1)}"[^>]*>(.*?)</label>', html, re.S)
        assert label and words in label.group(1) and "<img" in label.group(1)


def test_a_shortlisting_link_reaches_only_its_own_shortlisting(
    advert: AdvertReview, shortlisting_of_ann: dict[str, Any], bob: User, dev: User, role: Role
) -> None:
    place = shortlisting_of_ann["dev_place"]
    other = workflow.open_shortlisting(role=role, stage=None, people=[dev], opened_by=bob)
    client = joined(create_involvement_invitation(shortlister=place, created_by=bob).token)

    start = reverse("shortlist-start", args=["sunrise", place.pk])
    assert client.get(reverse("home"))["Location"] == start
    assert "You have answered 0 of 2" in client.get(start).text
    for refused in (
        reverse("shortlist-start", args=["sunrise", other.shortlisters.get().pk]),
        reverse("shortlist-answer", args=["sunrise", other.shortlisters.get().pk, 1]),
        reverse("shortlist-start", args=["sunrise", shortlisting_of_ann["bob_place"].pk]),
        reverse("advert-start", args=["sunrise", advert.pk]),
    ):
        assert client.get(refused).status_code == 404, refused
    for closed in (
        reverse("application-detail", args=["sunrise", shortlisting_of_ann["ann"].pk]),
        reverse("shortlisting-detail", args=["sunrise", place.shortlisting_id]),
    ):
        assert client.get(closed).status_code == 403, closed


def test_nobody_sees_the_others_answers_for_an_applicant_before_sending_their_own(
    shortlisting_of_ann: dict[str, Any], bob: User, as_bob: Client
) -> None:
    s = shortlisting_of_ann
    workflow.send_shortlist_answer(
        shortlister=s["dev_place"], entry=s["ann_entry"], answer="yes", comment="Kind to her nan"
    )
    summary = reverse("shortlisting-detail", args=["sunrise", s["shortlisting"].pk])
    application = reverse("application-detail", args=["sunrise", s["ann"].pk])
    subject_access = reverse("candidate-export-json", args=["sunrise", s["ann"].candidate_id])

    for url in (summary, application):
        page = as_bob.get(url).text
        assert "Kind to her nan" not in page, url
        assert "until you send your own" in page, url
    # Bob's own easy-read page shows nothing of Dev's either.
    own = as_bob.get(reverse("shortlist-answer", args=["sunrise", s["bob_place"].pk, 1])).text
    assert "Kind to her nan" not in own

    as_bob.post(
        reverse("shortlist-answer", args=["sunrise", s["bob_place"].pk, 1]),
        {"answer": "not_sure", "comment": "Short answer", "action": "send"},
    )

    page = as_bob.get(summary).text
    assert "Kind to her nan" in page and "Short answer" in page
    row = page[page.index('id="entry-' + str(s["ann_entry"].pk)) :]
    assert re.search(r"<td>1</td><td>1</td><td>0</td>", row)
    assert "Yes: 1, not sure: 1, no: 0." in as_bob.get(application).text
    # An admin reading the candidate's own data sees what was said, never who said it.
    alice = f.make_member(provider=s["ann"].provider, role=Membership.Role.ADMIN, username="al")
    admin = Client()
    admin.force_login(alice)
    data = admin.get(subject_access).text
    assert "Kind to her nan" in data and "Dev Raman" not in data


def test_a_sent_answer_cannot_be_changed(shortlisting_of_ann: dict[str, Any], bob: User) -> None:
    s = shortlisting_of_ann
    client = joined(create_involvement_invitation(shortlister=s["dev_place"], created_by=bob).token)
    url = reverse("shortlist-answer", args=["sunrise", s["dev_place"].pk, 1])
    client.post(url, {"answer": "yes", "comment": "", "action": "send"})
    client.post(url, {"answer": "no", "comment": "", "action": "send"})
    assert ShortlistAnswer.objects.get(shortlister=s["dev_place"]).answer == "yes"
    assert "You answered: Yes." in client.get(url).text


def test_no_answer_chosen_says_what_to_do_and_keeps_the_comment(
    shortlisting_of_ann: dict[str, Any], bob: User
) -> None:
    s = shortlisting_of_ann
    client = joined(create_involvement_invitation(shortlister=s["dev_place"], created_by=bob).token)
    url = reverse("shortlist-answer", args=["sunrise", s["dev_place"].pk, 1])
    page = client.post(url, {"comment": "I liked the story", "action": "send"})
    assert page.status_code == 200
    assert "Please choose yes, not sure or no." in page.text
    assert "I liked the story" in page.text
    assert not ShortlistAnswer.objects.exists()
    # Skipping moves on without answering.
    assert client.post(url, {"action": "skip"})["Location"] == reverse(
        "shortlist-answer", args=["sunrise", s["dev_place"].pk, 2]
    )


def test_the_manager_moves_an_applicant_on_or_not(
    shortlisting_of_ann: dict[str, Any], as_bob: Client
) -> None:
    s = shortlisting_of_ann
    ben_entry = s["shortlisting"].entries.get(application=s["ben"])
    as_bob.post(
        reverse("shortlist-entry-decide", args=["sunrise", s["ann_entry"].pk]), {"move_on": "yes"}
    )
    as_bob.post(
        reverse("shortlist-entry-decide", args=["sunrise", ben_entry.pk]), {"move_on": "no"}
    )
    s["ann"].refresh_from_db()
    assert s["ann"].current_stage.name == "Values interview"
    page = as_bob.get(reverse("shortlisting-detail", args=["sunrise", s["shortlisting"].pk])).text
    assert "Moved on to Values interview" in page and "Not moved on" in page


def test_opening_shortlisting_takes_only_open_applications_with_values_answers(
    role: Role, bob: User, dev: User, as_bob: Client
) -> None:
    ann = applicant(role, "Ann", "Lee", answer="I help")
    f.make_application(role=role, stage=role.stages.first())  # added by staff: no answers
    gone = applicant(role, "Gus", "Gone", answer="I help too")
    gone.withdraw()
    url = reverse("shortlisting-list", args=["sunrise", role.pk])
    response = as_bob.post(url, {"stage": "", "people": [dev.pk]})
    shortlisting = role.shortlistings.get()
    assert response["Location"] == reverse("shortlisting-detail", args=["sunrise", shortlisting.pk])
    assert [e.application_id for e in shortlisting.entries.all()] == [ann.pk]
    # A later application is added as the next number.
    later = applicant(role, "Lia", "Later", answer="I care")
    as_bob.post(reverse("shortlisting-detail", args=["sunrise", shortlisting.pk]))
    assert shortlisting.entries.get(application=later).number == 2


def test_shortlisting_at_a_stage_with_nothing_to_read_says_so(
    role: Role, dev: User, as_bob: Client
) -> None:
    stage = Stage.objects.get(role=role, name="Values interview")
    page = as_bob.post(
        reverse("shortlisting-list", args=["sunrise", role.pk]),
        {"stage": stage.pk, "people": [dev.pk]},
    )
    assert page.status_code == 200
    assert "no open application with values answers here" in page.text


@pytest.mark.parametrize("n", [1, 50])
def test_the_shortlisting_pages_take_the_same_number_of_queries_for_1_or_50_applicants(
    role: Role, bob: User, dev: User, as_bob: Client, django_assert_num_queries: Any, n: int
) -> None:
    for i in range(n):
        applicant(role, f"First{i}", f"Last{i}", answer=f"Answer {i}")
    shortlisting = workflow.open_shortlisting(
        role=role, stage=None, people=[dev, bob], opened_by=bob
    )
    dev_place = shortlisting.shortlisters.get(user=dev)
    for entry in shortlisting.entries.all():
        workflow.send_shortlist_answer(
            shortlister=dev_place, entry=entry, answer="yes", comment="Good"
        )
    bob_place = shortlisting.shortlisters.get(user=bob)

    # the signed-in person with their membership; the shortlisting; entries Bob still owes; entries
    # with their applications; answers with their shortlisters; shortlisters with counts; experts;
    # staff.
    with django_assert_num_queries(8):
        page = as_bob.get(reverse("shortlisting-detail", args=["sunrise", shortlisting.pk]))
    assert page.status_code == 200
    # the signed-in person with their membership; Bob's place; the entry with its candidate; how
    # many entries; his own answer; the values answers; his "working with me".
    with django_assert_num_queries(7):
        page = as_bob.get(reverse("shortlist-answer", args=["sunrise", bob_place.pk, n]))
    assert f"Applicant {n} of {n}" in page.text
    # the signed-in person with their membership; Bob's place; the entries with his answers counted;
    # his "working with me".
    with django_assert_num_queries(4):
        page = as_bob.get(reverse("shortlist-start", args=["sunrise", bob_place.pk]))
    assert f"You have answered 0 of {n}" in page.text


def test_anonymising_the_candidate_blanks_what_shortlisters_wrote(
    shortlisting_of_ann: dict[str, Any],
) -> None:
    s = shortlisting_of_ann
    workflow.send_shortlist_answer(
        shortlister=s["dev_place"], entry=s["ann_entry"], answer="yes", comment="Kind to her nan"
    )
    anonymise_candidate(candidate=s["ann"].candidate, by=None)
    answer = ShortlistAnswer.objects.get()
    assert (answer.answer, answer.comment) == ("yes", "")
    assert ShortlistEntry.objects.filter(application=s["ann"]).exists()


def test_an_admin_who_shortlists_exports_the_candidates_data_only_after_answering(
    shortlisting_of_ann: dict[str, Any], alice: User, bob: User
) -> None:
    s = shortlisting_of_ann
    alices = s["shortlisting"].shortlisters.create(user=alice)
    workflow.send_shortlist_answer(
        shortlister=s["dev_place"], entry=s["ann_entry"], answer="yes", comment="Kind to her nan"
    )
    admin = Client()
    admin.force_login(alice)
    url = reverse("candidate-export-json", args=["sunrise", s["ann"].candidate_id])

    refused = admin.get(url, follow=True)
    assert "have not sent your own answer yet" in refused.text
    assert "Kind to her nan" not in refused.text

    workflow.send_shortlist_answer(
        shortlister=alices, entry=s["ann_entry"], answer="no", comment=""
    )
    assert "Kind to her nan" in admin.get(url).text


def test_a_panel_member_with_a_password_finds_their_advert_and_shortlisting_at_home(
    advert: AdvertReview, shortlisting_of_ann: dict[str, Any], dev: User
) -> None:
    dev.set_password(f.PASSWORD)
    dev.save()
    client = Client()
    client.force_login(dev)
    page = client.get(reverse("provider-home", args=["sunrise"])).text
    assert reverse("advert-start", args=["sunrise", advert.pk]) in page
    assert reverse("shortlist-start", args=["sunrise", shortlisting_of_ann["dev_place"].pk]) in page
    assert "Your views on the advert for Night care assistant" in page


@pytest.mark.parametrize("n", [1, 50])
def test_the_application_page_shows_shortlisting_in_the_same_number_of_queries(
    shortlisting_of_ann: dict[str, Any],
    bob: User,
    as_bob: Client,
    django_assert_num_queries: Any,
    n: int,
) -> None:
    s = shortlisting_of_ann
    workflow.send_shortlist_answer(
        shortlister=s["bob_place"], entry=s["ann_entry"], answer="yes", comment="Mine"
    )
    for i in range(n):
        person = f.make_member(
            provider=s["ann"].provider, role=Membership.Role.PANEL, username=f"s{i}", expert=True
        )
        workflow.send_shortlist_answer(
            shortlister=s["shortlisting"].shortlisters.create(user=person),
            entry=s["ann_entry"],
            answer="no",
            comment=f"Comment {i}",
        )
    url = reverse("application-detail", args=["sunrise", s["ann"].pk])
    # The page's own queries (7 here, see test_scoring: no assessment, so no scores to
    # read; an online applicant, so what they wrote), and two for shortlisting: the entries
    # with whether the reader still owes each, and the answers with who gave them.
    with django_assert_num_queries(9):
        page = as_bob.get(url)
    assert f"Yes: 1, not sure: 0, no: {n}." in page.text


def test_the_fullest_application_page_in_one_count(
    shortlisting_of_ann: dict[str, Any],
    bob: User,
    dev: User,
    as_bob: Client,
    django_assert_num_queries: Any,
) -> None:
    """An online applicant who was shortlisted, with the provider's own check, a DBS
    certificate seen, a message sent and a decision: every section of the page shows."""
    from datetime import date

    from vbr.applicants.models import Notice
    from vbr.privacy.models import DbsCheck
    from vbr.recruitment.models import ProviderCheck

    s = shortlisting_of_ann
    ann = s["ann"]
    workflow.send_shortlist_answer(
        shortlister=s["bob_place"], entry=s["ann_entry"], answer="yes", comment="Mine"
    )
    ProviderCheck.objects.create(provider=ann.provider, name="Right to work seen")
    DbsCheck.objects.create(
        provider=ann.provider,
        application=ann,
        certificate_number="001234567890",
        issued_on=date(2026, 1, 1),
        level=DbsCheck.Level.ENHANCED,
    )
    Notice.objects.create(
        application=ann,
        kind=Notice.Kind.RECEIVED,
        channel=Notice.Channel.EMAIL,
        to_address="annabel.or@example.com",
        status=Notice.Status.SENT,
    )
    stage = f.make_stage(role=ann.role)
    criterion = f.make_criterion(stage=stage, core_value=f.make_value(provider=ann.provider))
    place = f.make_panellist(assessment=f.make_assessment(application=ann, stage=stage), user=dev)
    f.make_scorecard(panellist=place, levels={criterion: 3}, submitted=True)
    f.make_decision(application=ann, decided_by=bob, stage=stage)
    url = reverse("application-detail", args=["sunrise", ann.pk])
    # The signed-in person with their membership; the application; the role's stages with
    # their criteria (and what each value evidences); what the candidate wrote; assessments
    # with their panels; the grid's scores; decisions; messages; the provider's checks; DBS
    # certificates; shortlisting entries with what the reader owes, and the answers: issue
    # 17's budget of 12 with every section showing something.
    with django_assert_num_queries(12):
        page = as_bob.get(url).text
    assert "Messages to the candidate" in page and "001234567890" in page
    assert "Right to work seen" in page and "Yes: 1, not sure: 0, no: 0." in page
    assert "I sat with my nan every evening" in page
    assert "Values profile" in page
