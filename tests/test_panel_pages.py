"""The panel pages as a panel member who draws on care meets them: comments kept whole, the
question before the way out, read-aloud from the first screen, their own header in a link
session, a printed code that scans, and a tablet handed to the person supported that leads
nowhere else."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.invitations import IssuedInvitation
from vbr.accounts.models import AccessProfile, PanelInvitation, Provider, User
from vbr.recruitment.models import (
    Assessment,
    Criterion,
    Panellist,
    Score,
    Scorecard,
    Stage,
    SupportedPersonView,
)


@dataclass
class Panel:
    provider: Provider
    assessment: Assessment
    criteria: list[Criterion]
    dev: Panellist
    bob: Panellist
    shadowing: Assessment
    invitation: IssuedInvitation

    def url(self, name: str, *extra: int) -> str:
        return reverse(name, args=[self.provider.slug, self.assessment.pk, *extra])


@pytest.fixture
def panel(sunrise: Provider, bob: User, dev: User) -> Panel:
    role = f.make_role(provider=sunrise)
    stage = f.make_stage(role=role)
    criteria = [
        f.make_criterion(
            stage=stage,
            core_value=f.make_value(provider=sunrise, name=name, order=i),
            prompt=prompt,
            order=i,
        )
        for i, (name, prompt) in enumerate(
            [
                ("Dignity", "Did they talk about keeping people's dignity?"),
                ("Compassion", "Did they notice when someone was upset?"),
            ],
            start=1,
        )
    ]
    candidate = f.make_candidate(provider=sunrise, first_name="Chloe", last_name="Davies")
    application = f.make_application(role=role, stage=stage, candidate=candidate)
    assessment = f.make_assessment(application=application, stage=stage)
    shadowing_stage = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    shadowing = f.make_assessment(application=application, stage=shadowing_stage)
    f.make_panellist(assessment=shadowing, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    place = f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    return Panel(
        provider=sunrise,
        assessment=assessment,
        criteria=criteria,
        dev=place,
        bob=f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR),
        shadowing=shadowing,
        invitation=f.make_invitation(panellist=place, created_by=bob),
    )


@pytest.fixture
def by_link(panel: Panel) -> Client:
    """Dev, signed in the way he really is: by his invitation link."""
    client = Client()
    assert client.post(reverse("join-link", args=[panel.invitation.token])).status_code == 302
    return client


def typed_with_line_breaks(length: int) -> str:
    """A comment of `length` characters as a person types it: lines, one character per line
    break (as the browser counts it)."""
    line = "She asked before helping and waited for the answer."
    text = "\n".join([line] * (length // (len(line) + 1) + 1))[:length]
    return text[:-1] + "." if text[-1].isspace() else text


def as_posted(text: str) -> str:
    """What the browser sends: every line break as CR LF."""
    return text.replace("\n", "\r\n")


def evidence(panel: Panel, criterion: Criterion) -> str:
    return Score.objects.get(scorecard__panellist=panel.dev, criterion=criterion).evidence


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- Comments: line breaks counted as typed, nothing ever cut ----------------------------------


def test_a_5000_character_comment_with_line_breaks_is_stored_exactly(
    by_link: Client, panel: Panel
) -> None:
    comment = typed_with_line_breaks(5000)
    assert len(comment) == 5000 and comment.count("\n") > 50
    response = by_link.post(
        panel.url("easy-question", 1),
        {"answer": "3", "comment": as_posted(comment), "action": "next"},
    )
    assert response["Location"] == panel.url("easy-question", 2)
    assert evidence(panel, panel.criteria[0]) == comment


def test_a_comment_over_the_limit_is_refused_with_a_message_and_kept_whole(
    by_link: Client, panel: Panel
) -> None:
    comment = typed_with_line_breaks(5003)
    response = by_link.post(
        panel.url("easy-question", 1),
        {"answer": "3", "comment": as_posted(comment), "action": "next"},
    )
    page = response.content.decode()
    assert response.status_code == 200, "the same question again, not the next one"
    assert "Please check: Question 1 of 3" in page
    assert "Your words are too long. Please take out 3 letters or spaces." in page
    # Every word typed is in the box again, and in the draft: nothing is lost.
    box = page.split('name="comment"')[1].split("</textarea>")[0]
    assert box.split(">", 1)[1].replace("\r\n", "\n").strip("\n") == comment
    assert 'aria-invalid="true"' in box and "autofocus" in box
    assert evidence(panel, panel.criteria[0]) == comment
    assert Score.objects.get(criterion=panel.criteria[0]).level == 3

    # Saving as it is typed says so too.
    saved = by_link.post(
        panel.url("easy-question", 1),
        {"answer": "3", "comment": as_posted(comment), "action": "autosave"},
    )
    assert "please take out 3 letters or spaces" in saved.content.decode()

    # The answers cannot be sent until it is shortened.
    for number in (2, 3):
        by_link.post(panel.url("easy-question", number), {"answer": "2" if number < 3 else "yes"})
    check = by_link.get(panel.url("easy-check")).content.decode()
    assert "Your words are too long: please take out 3 letters or spaces." in check
    refused = by_link.post(panel.url("easy-check"), follow=True).content.decode()
    assert "Please make your words shorter where it says so." in refused
    assert not Scorecard.objects.get(panellist=panel.dev).is_submitted

    by_link.post(
        panel.url("easy-question", 1), {"answer": "3", "comment": comment[:4990], "action": "next"}
    )
    by_link.post(panel.url("easy-check"))
    assert Scorecard.objects.get(panellist=panel.dev).is_submitted


def test_the_full_scorecard_counts_a_line_break_as_one_and_keeps_a_long_draft(
    as_bob: Client, panel: Panel
) -> None:
    url = panel.url("scorecard-edit")
    long = typed_with_line_breaks(5001)
    draft = {f"level_{c.pk}": "3" for c in panel.criteria}
    draft[f"evidence_{panel.criteria[0].pk}"] = as_posted(long)
    as_bob.post(url, draft)
    score = Score.objects.get(scorecard__panellist=panel.bob, criterion=panel.criteria[0])
    assert score.evidence == long, "a draft keeps every word typed"

    refused = as_bob.post(url, {**draft, "recommendation": "yes", "submit": "1"})
    assert "This is 5,001 characters long and the most is 5,000." in refused.content.decode()
    assert not Scorecard.objects.get(panellist=panel.bob).is_submitted

    exact = typed_with_line_breaks(5000)
    draft[f"evidence_{panel.criteria[0].pk}"] = as_posted(exact)
    as_bob.post(url, {**draft, "recommendation": "yes", "submit": "1"})
    scorecard = Scorecard.objects.get(panellist=panel.bob)
    assert scorecard.is_submitted
    assert scorecard.scores.get(criterion=panel.criteria[0]).evidence == exact


def test_the_person_supporteds_comment_counts_a_line_break_as_one(
    as_bob: Client, panel: Panel
) -> None:
    hand_over(as_bob, panel)
    comment = typed_with_line_breaks(2000)
    as_bob.post(
        picture_page(panel),
        {"person_name": "Mrs K", "consent": "yes", "answer": "yes", "comment": as_posted(comment)},
    )
    assert SupportedPersonView.objects.get().comment == comment


# -- The start page, the question, the check page ----------------------------------------------


def test_start_page_begins_from_working_with_me_and_offers_the_list_before_the_name(
    by_link: Client, panel: Panel
) -> None:
    page = by_link.get(panel.url("easy-start")).content.decode()
    assert re.search(r'value="self"[^>]*checked', page)
    AccessProfile.objects.create(user=panel.dev.user, has_supporter=True)
    page = by_link.get(panel.url("easy-start")).content.decode()
    assert re.search(r'value="supporter"[^>]*checked', page)
    assert not re.search(r'value="self"[^>]*checked', page)
    assert page.index('name="supporter"') < page.index('name="supporter_name"')
    assert "Or someone else (write their name)" in page


def test_the_question_comes_before_working_with_me_and_stop(by_link: Client, panel: Panel) -> None:
    page = by_link.get(panel.url("easy-question", 1)).content.decode()
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert "<a " not in header and "<button" not in header
    question = page.index("Did they talk about keeping people")
    assert question < page.index("Working with me") < page.index("Stop and sign out")
    assert page.index("</main>") < page.index("Stop and sign out")


def test_stop_on_a_question_keeps_its_answer_and_signs_out_to_a_plain_page(
    by_link: Client, panel: Panel
) -> None:
    response = by_link.post(
        panel.url("easy-question", 2), {"answer": "4", "comment": "Kind", "action": "stop"}
    )
    assert response["Location"] == reverse("join-signed-out")
    assert Score.objects.get(criterion=panel.criteria[1]).level == 4
    assert "_auth_user_id" not in by_link.session
    page = text_of(by_link.get(response["Location"]).content.decode())
    assert "You have stopped" in page and "Your answers so far are kept." in page
    assert "Sign in to VBR" not in page


def test_signing_out_elsewhere_lands_on_the_plain_page_too(by_link: Client, panel: Panel) -> None:
    page = by_link.get(panel.url("easy-check")).content.decode()
    assert f'name="next" value="{reverse("join-signed-out")}"' in page
    response = by_link.post(reverse("logout"), {"next": reverse("join-signed-out")})
    assert response["Location"] == reverse("join-signed-out")


def test_check_page_warns_before_the_send_button_and_offers_answer_where_unanswered(
    by_link: Client, panel: Panel
) -> None:
    by_link.post(panel.url("easy-question", 1), {"answer": "3", "action": "next"})
    page = by_link.get(panel.url("easy-check")).content.decode()
    assert page.index("After you send, you cannot change your answers.") < page.index(
        "Send my answers</button>"
    )
    assert text_of(page).count("Change answer") == 1
    assert "Answer question 2" in text_of(page) and "Answer question 3" in text_of(page)


# -- Read-aloud and the panel's own header from the first screen to the last -------------------


@pytest.mark.parametrize(
    "where, heading",
    [
        ("join", "Join your panel"),
        ("link", "Hello Dev Raman"),
        ("unknown", "We could not find this link"),
        ("too-old", "This link is too old"),
        ("stopped", "This link has been stopped"),
        ("ended", "You have been signed out"),
        ("signed-out", "You have stopped"),
    ],
)
def test_every_page_before_and_after_the_questions_can_be_read_aloud(
    client: Client, panel: Panel, where: str, heading: str
) -> None:
    token = panel.invitation.token
    if where == "too-old":
        PanelInvitation.objects.update(expires_at="2000-01-01T00:00Z")
    if where == "stopped":
        PanelInvitation.objects.update(revoked_at="2000-01-01T00:00Z")
    url = {
        "join": reverse("join"),
        "link": reverse("join-link", args=[token]),
        "unknown": reverse("join-link", args=["no-such-link"]),
        "too-old": reverse("join-link", args=[token]),
        "stopped": reverse("join-link", args=[token]),
        "ended": reverse("join-unusable"),
        "signed-out": reverse("join-signed-out"),
    }[where]
    page = client.get(url).content.decode()
    assert re.search(rf"<h1[^>]*data-read[^>]*>{heading}</h1>", page)
    assert "data-read-aloud" in page and "js/read-aloud.js" in page
    assert 'class="navbar' not in page


def test_working_with_me_in_a_link_session_has_the_panels_header_and_read_aloud(
    by_link: Client, panel: Panel
) -> None:
    page = by_link.get(reverse("access-profile")).content.decode()
    assert "Sunrise Care — panel" in page
    assert "Security" not in page and 'class="navbar' not in page
    assert f'href="{reverse("provider-home", args=["sunrise"])}"' not in page
    assert "data-read-aloud" in page
    assert f'href="{panel.url("easy-start")}"' in page  # "Back to my panel"


def test_working_with_me_for_staff_keeps_the_staff_header(as_bob: Client) -> None:
    page = as_bob.get(reverse("access-profile")).content.decode()
    assert 'class="navbar' in page and "Security" in page


def test_the_printed_qr_code_scales_to_its_box_instead_of_being_cut(
    as_bob: Client, panel: Panel
) -> None:
    response = as_bob.post(
        panel.url("invitation-create", panel.dev.pk), {"delivery": "print"}, follow=True
    )
    svg = response.content.decode().split('<div class="invitation-qr">')[1].split(">")[0]
    assert "viewBox=" in svg and "width=" not in svg and 'role="img"' in svg


# -- The person supported's tablet ---------------------------------------------------------------


def picture_page(panel: Panel) -> str:
    return reverse("supported-person-view-create", args=["sunrise", panel.shadowing.pk])


def hand_over(client: Client, panel: Panel) -> None:
    start = reverse("supported-person-kiosk-start", args=["sunrise", panel.shadowing.pk])
    assert client.post(start)["Location"] == picture_page(panel)


def test_staff_are_told_what_handing_the_tablet_over_means_first(
    as_bob: Client, panel: Panel
) -> None:
    page = text_of(as_bob.get(picture_page(panel)).content.decode())
    assert "no way into staff pages" in page and "type your password" in page
    assert "Would you like this person to support you?" not in page


def test_a_handed_over_tablet_shows_only_the_picture_page_until_staff_end_it(
    as_bob: Client, panel: Panel
) -> None:
    # No signed-in page is kept by the browser, so Back cannot show one from history.
    staff_page = as_bob.get(reverse("application-list", args=["sunrise"]))
    assert "no-store" in staff_page["Cache-Control"]
    hand_over(as_bob, panel)
    page = as_bob.get(picture_page(panel)).content.decode()
    assert "Would you like this person to support you?" in page
    assert 'class="navbar' not in page and "Sign out" not in page
    links = set(re.findall(r'href="([^"#]+)"', page)) - {
        u for u in re.findall(r'href="(/static/[^"]+)"', page)
    }
    finish = reverse("supported-person-kiosk-end", args=["sunrise", panel.shadowing.pk])
    assert links == {finish}

    # Any other page, staff or not, and even signing out, leads back to the picture page.
    for url in (
        reverse("application-list", args=["sunrise"]),
        reverse("provider-home", args=["sunrise"]),
        reverse("access-profile"),
        reverse("supported-person-view-create", args=["sunrise", panel.assessment.pk]),
        "/admin/",
    ):
        assert as_bob.get(url)["Location"] == picture_page(panel), url
    assert as_bob.post(reverse("logout"))["Location"] == picture_page(panel)

    # A wrong password keeps the tablet as it is; Bob's own password ends it.
    refused = as_bob.post(finish, {"password": "not-his-password"})
    assert "That is not your password." in refused.content.decode()
    assert as_bob.get(reverse("application-list", args=["sunrise"])).status_code == 302
    ended = as_bob.post(finish, {"password": f.PASSWORD})
    assert ended["Location"] == reverse("assessment-detail", args=["sunrise", panel.shadowing.pk])
    assert as_bob.get(reverse("application-list", args=["sunrise"])).status_code == 200
    assert "Ask the person supported" in as_bob.get(picture_page(panel)).content.decode()


def test_what_the_person_supported_says_is_saved_and_the_page_is_ready_for_the_next(
    as_bob: Client, panel: Panel
) -> None:
    hand_over(as_bob, panel)
    response = as_bob.post(
        picture_page(panel),
        {"person_name": "Mrs K", "consent": "yes", "answer": "yes", "comment": "Kind"},
        follow=True,
    )
    page = response.content.decode()
    assert "Thank you. What you said is saved. Please give the tablet back." in page
    assert "Mrs K" not in page
    view = SupportedPersonView.objects.get()
    assert (view.person_name, view.answer, view.recorded_by) == ("Mrs K", "yes", panel.bob.user)
