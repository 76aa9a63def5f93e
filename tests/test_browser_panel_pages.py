"""The panel pages as the people who use them meet them, in Chromium: an expert by experience
on a tablet or a phone, from the link to "thank you"; a manager printing their invitation; the
person supported holding a tablet. axe-core must find nothing at all on the panel pages, at
every size, and no page may scroll sideways."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories as f
from tests.browser import assert_accessible, screenshot
from vbr.accounts.invitations import IssuedInvitation, revoke_invitation
from vbr.accounts.models import AccessProfile, PanelInvitation, Provider, User
from vbr.recruitment.models import (
    Assessment,
    Criterion,
    Panellist,
    Score,
    Stage,
    SupportedPersonView,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVERY_IMPACT = ("minor", "moderate", "serious", "critical")
SIZES = {
    "desktop": {"width": 1280, "height": 800},
    "tablet": {"width": 820, "height": 1180},
    "phone": {"width": 390, "height": 844},
}
# One word the width of a phone and more: a place name a panel member may well write.
WELSH_PLACE = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch"


@dataclass
class Panel:
    provider: Provider
    assessment: Assessment
    criteria: list[Criterion]
    dev: Panellist
    shadowing: Assessment
    invitation: IssuedInvitation


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
    f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    place = f.make_panellist(
        assessment=assessment, user=dev, panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
    )
    shadowing_stage = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    shadowing = f.make_assessment(application=application, stage=shadowing_stage)
    f.make_panellist(assessment=shadowing, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    return Panel(
        provider=sunrise,
        assessment=assessment,
        criteria=criteria,
        dev=place,
        shadowing=shadowing,
        invitation=f.make_invitation(panellist=place, created_by=bob),
    )


def url(panel: Panel, name: str, *extra: int) -> str:
    return reverse(name, args=[panel.provider.slug, panel.assessment.pk, *extra])


CONSOLE_ERRORS: dict[int, list[str]] = {}


def new_page(chromium: Any, live_server: Any, size: dict[str, int]) -> Any:
    """A page of its own browser context; console errors (a CSP refusal, a script error) are
    collected for `console_errors`."""
    context = chromium.new_context(viewport=size, base_url=live_server.url, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = CONSOLE_ERRORS.setdefault(id(page), [])

    def collect(message: Any) -> None:
        # A page answered 404 or 410 on purpose (an unknown or old link) is not an error.
        document = message.location.get("url") == page.url
        if message.type == "error" and not (document and "Failed to load" in message.text):
            errors.append(f"{page.url}: {message.text}")

    page.on("console", collect)
    return page


def console_errors(page: Any) -> list[str]:
    return CONSOLE_ERRORS.get(id(page), [])


def check_page(page: Any, name: str, size_name: str) -> None:
    """No axe-core finding of any impact, no sideways scrolling, a screenshot to look at."""
    assert_accessible(page, impacts=EVERY_IMPACT)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{name} scrolls sideways at {size_name}"
    )
    screenshot(page, f"panel-{name}-{size_name}")


def sign_in_as_bob(page: Any) -> None:
    page.goto(reverse("login"))
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


# -- Every panel page, at every size ------------------------------------------------------------


@pytest.mark.parametrize("size_name", list(SIZES))
def test_every_panel_page_has_no_axe_finding_and_no_sideways_scrolling(
    live_server: Any, chromium: Any, panel: Panel, bob: User, size_name: str
) -> None:
    AccessProfile.objects.create(user=panel.dev.user, has_supporter=True)
    page = new_page(chromium, live_server, SIZES[size_name])

    # Before signing in: the code page, a link nobody knows, a link too old, a stopped one.
    page.goto(reverse("join"))
    expect(page.locator("h1")).to_have_text("Join your panel")
    check_page(page, "join", size_name)
    page.goto(reverse("join-link", args=["no-such-link"]))
    expect(page.locator("h1")).to_have_text("We could not find this link")
    check_page(page, "link-unknown", size_name)
    old = f.make_invitation(panellist=panel.dev, created_by=bob)
    PanelInvitation.objects.filter(pk=old.invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    page.goto(reverse("join-link", args=[old.token]))
    expect(page.locator("h1")).to_have_text("This link is too old")
    check_page(page, "link-too-old", size_name)
    revoke_invitation(invitation=old.invitation)
    page.goto(reverse("join-link", args=[old.token]))
    expect(page.locator("h1")).to_have_text("This link has been stopped")
    check_page(page, "link-stopped", size_name)

    # The personal link, then the start page: a supporter helps, as "working with me" says.
    current = f.make_invitation(panellist=panel.dev, created_by=bob)
    page.goto(reverse("join-link", args=[current.token]))
    expect(page.locator("h1")).to_have_text("Hello Dev Raman")
    check_page(page, "link", size_name)
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_label("Someone is helping me")).to_be_checked()
    check_page(page, "start", size_name)
    page.get_by_label("Or someone else (write their name)").fill("Priya")
    page.get_by_role("button", name="Start").click()

    # Each question; a comment with a long Welsh place name.
    expect(page.locator("h1")).to_have_text("Question 1 of 3")
    page.get_by_text("Yes, a lot", exact=True).click()
    page.get_by_label("Anything you want to say?").fill(f"We talked about {WELSH_PLACE}.")
    check_page(page, "question", size_name)
    page.get_by_role("button", name="Next").click()
    expect(page.locator("h1")).to_have_text("Question 2 of 3")
    page.get_by_text("A little", exact=True).click()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("legend")).to_contain_text("Would you like Chloe to work here?")
    check_page(page, "question-overall", size_name)
    page.get_by_role("button", name="Check my answers").click()

    expect(page.locator("h1")).to_have_text("Check your answers")
    expect(page.get_by_role("link", name="Answer question 3")).to_be_visible()
    check_page(page, "check", size_name)

    # "Working with me" in the link session: the panel pages' own header.
    page.get_by_role("link", name="Working with me").click()
    expect(page.locator("h1")).to_have_text("Working with me")
    assert page.get_by_role("link", name="Security").count() == 0
    check_page(page, "working-with-me", size_name)

    # Stop, then come back by the link, answer the last question and send.
    page.get_by_role("button", name="Stop and sign out").click()
    expect(page.locator("h1")).to_have_text("You have stopped")
    check_page(page, "signed-out", size_name)
    page.goto(reverse("join-link", args=[current.token]))
    page.get_by_role("button", name="Start").click()
    page.goto(url(panel, "easy-question", 3))
    page.get_by_text("I would like them to work here.", exact=True).click()
    page.get_by_role("button", name="Check my answers").click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("h1")).to_have_text("Thank you")
    check_page(page, "sent", size_name)

    # A link stopped while in use: the session ends on the "signed out" page.
    page.goto(reverse("join-unusable"))
    expect(page.locator("h1")).to_have_text("You have been signed out")
    check_page(page, "link-ended", size_name)
    assert not console_errors(page), console_errors(page)
    page.context.close()

    # The person supported's picture page, handed over on a tablet by Bob.
    page = new_page(chromium, live_server, SIZES[size_name])
    sign_in_as_bob(page)
    page.goto(reverse("supported-person-view-create", args=["sunrise", panel.shadowing.pk]))
    page.get_by_role("button", name="Open the picture page for the tablet").click()
    expect(page.locator("h1")).to_have_text("What do you think?")
    check_page(page, "supported-person", size_name)
    page.get_by_role("link", name="For staff: finish").click()
    check_page(page, "supported-person-finish", size_name)
    assert not console_errors(page), console_errors(page)
    page.context.close()


# -- Focus that can be seen ---------------------------------------------------------------------

# What the focused element shows: its own outline or, for a radio button drawn as a card,
# its label's. Contrast (WCAG's formula) between the ring and what is just outside it, sampled
# on each side that is in view.
FOCUS_INDICATOR = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // Measured when the focus arrives; a native date box's inner stops are the browser's own.
  if (el.dataset.focusOrder) return {order: Number(el.dataset.focusOrder)};
  el.dataset.focusOrder = String(document.querySelectorAll('[data-focus-order]').length);
  let target = el;
  if (getComputedStyle(el).outlineStyle === 'none' && el.labels && el.labels.length) {
    target = el.labels[0];
  }
  target.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});
  const style = getComputedStyle(target);
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const background = (x, y) => {
    for (const under of document.elementsFromPoint(x, y)) {
      if (under === target || target.contains(under)) continue;
      const colour = rgb(getComputedStyle(under).backgroundColor);
      if (colour.length === 3 || colour[3] > 0) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const box = target.getBoundingClientRect();
  const width = parseFloat(style.outlineWidth) || 0;
  // Just outside the ring: the colour it touches.
  const reach = (parseFloat(style.outlineOffset) || 0) + width + 1;
  const midX = box.left + box.width / 2, midY = box.top + box.height / 2;
  const points = [[box.left - reach, midY], [box.right + reach, midY],
                  [midX, box.top - reach], [midX, box.bottom + reach]];
  const ring = rgb(style.outlineColor).slice(0, 3);
  const contrasts = points
    .filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight)
    .map(([x, y]) => contrast(ring, background(x, y)));
  const typed = el.type && el.tagName !== 'BUTTON';
  const kind = el.tagName.toLowerCase() + (typed ? `[${el.type}]` : '');
  return {
    order: Number(el.dataset.focusOrder), kind,
    text: (el.innerText || el.name || el.id || '').trim().slice(0, 40),
    style: style.outlineStyle, width, contrast: contrasts.length ? Math.min(...contrasts) : 0,
  };
}
"""


def focus_indicators(page: Any, limit: int = 80) -> list[dict[str, Any]]:
    """Tab through the page, from the top, once round; each stop's focus indicator."""
    page.wait_for_load_state()
    page.evaluate("window.scrollTo(0, 0)")
    seen: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        indicator = page.evaluate(FOCUS_INDICATOR)
        if indicator is None or (seen and indicator["order"] == 0):
            break
        if "kind" in indicator:
            seen.append(indicator)
    return seen


def assert_focus_visible(indicators: list[dict[str, Any]], page_name: str) -> set[str]:
    weak = [i for i in indicators if i["style"] == "none" or i["width"] < 2 or i["contrast"] < 3]
    assert not weak, f"Focus hard to see on {page_name}: {weak}"
    return {i["kind"] for i in indicators}


def test_every_kind_of_control_shows_focus_at_3_to_1_or_more(
    live_server: Any, chromium: Any, panel: Panel, bob: User
) -> None:
    kinds: set[str] = set()
    page = new_page(chromium, live_server, SIZES["tablet"])
    page.goto(reverse("join"))
    kinds |= assert_focus_visible(focus_indicators(page), "join")
    page.goto(reverse("join-link", args=[panel.invitation.token]))
    page.get_by_role("button", name="Start").click()
    kinds |= assert_focus_visible(focus_indicators(page), "start")
    page.get_by_role("button", name="Start").click()
    kinds |= assert_focus_visible(focus_indicators(page), "question")
    page.goto(reverse("access-profile"))
    kinds |= assert_focus_visible(focus_indicators(page), "working with me")
    # The same pages in high contrast: yellow on black.
    page.get_by_label("High contrast colours").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_have_text("Thank you. Your choices are saved.")
    kinds |= assert_focus_visible(focus_indicators(page), "working with me, high contrast")
    page.goto(url(panel, "easy-question", 1))
    kinds |= assert_focus_visible(focus_indicators(page), "question, high contrast")
    page.context.close()
    for kind in (
        "a",
        "button",
        "input[radio]",
        "input[checkbox]",
        "input[text]",
        "textarea[textarea]",
        "select[select-one]",
    ):
        assert kind in kinds, f"no {kind} was focused on the panel pages: {sorted(kinds)}"

    # Staff pages: the blue bar's links and buttons, and a form's controls.
    page = new_page(chromium, live_server, SIZES["desktop"])
    sign_in_as_bob(page)
    staff_kinds: set[str] = set()
    page.goto(reverse("involvement-list", args=["sunrise"]))
    staff_kinds |= assert_focus_visible(focus_indicators(page), "involvement")
    page.goto(url(panel, "invitation-list"))
    staff_kinds |= assert_focus_visible(focus_indicators(page), "panel links")
    page.context.close()
    for kind in ("a", "button", "input[checkbox]", "input[text]", "select[select-one]"):
        assert kind in staff_kinds, f"no {kind} was focused on staff pages: {sorted(staff_kinds)}"


# -- A long comment, kept exactly ----------------------------------------------------------------


def test_a_5000_character_comment_with_line_breaks_is_stored_exactly_and_a_longer_one_kept(
    live_server: Any, chromium: Any, panel: Panel
) -> None:
    page = new_page(chromium, live_server, SIZES["tablet"])
    page.goto(reverse("join-link", args=[panel.invitation.token]))
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Start").click()

    # 50 lines: 49 of 99 letters and a line break, and a last one of 100 letters.
    line = ("Chloe asked before helping, and waited for the answer. " * 2)[:99]
    comment = "\n".join([line] * 49 + [line + "."])
    assert len(comment) == 5000 and comment.count("\n") == 49
    page.get_by_text("Yes, a lot", exact=True).click()
    box = page.get_by_label("Anything you want to say?")
    box.fill(comment)
    assert box.input_value() == comment
    page.get_by_role("button", name="Next").click()
    expect(page.locator("h1")).to_have_text("Question 2 of 3")
    stored = Score.objects.get(criterion=panel.criteria[0], scorecard__panellist=panel.dev)
    assert stored.evidence == comment

    # One letter more: refused with a message, and every letter kept in the box and draft.
    too_long = comment + "s"
    page.get_by_text("A little", exact=True).click()
    box = page.get_by_label("Anything you want to say?")
    box.fill(too_long)
    page.get_by_role("button", name="Next").click()
    expect(page.locator("h1")).to_have_text("Question 2 of 3")
    expect(page.locator(".easy-error")).to_have_text(
        "Your words are too long. Please take out 1 letter or space. What you wrote is kept below."
    )
    expect(box).to_have_value(too_long)
    expect(box).to_be_focused()
    assert box.get_attribute("aria-invalid") == "true"
    draft = Score.objects.get(criterion=panel.criteria[1], scorecard__panellist=panel.dev)
    assert draft.evidence == too_long
    assert_accessible(page, impacts=EVERY_IMPACT)
    screenshot(page, "panel-comment-too-long")
    page.context.close()


# -- The printed invitation ---------------------------------------------------------------------


def decode_qr(png: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_printed_invitations_qr_code_scans_to_the_personal_link(
    live_server: Any, chromium: Any, panel: Panel
) -> None:
    page = new_page(chromium, live_server, SIZES["desktop"])
    sign_in_as_bob(page)
    page.goto(url(panel, "invitation-list"))
    page.get_by_role("button", name="Create link and print for Dev Raman").click()
    expect(page.locator("h1")).to_have_text("Hello Dev Raman")
    link = page.locator("p", has_text="Link:").inner_text().removeprefix("Link:").strip()
    assert "/join/" in link
    assert decode_qr(page.screenshot(full_page=True)) == [link]
    screenshot(page, "invitation-print-screen")

    # On paper: the print stylesheet, at A4's width.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})
    assert decode_qr(page.screenshot(full_page=True)) == [link]
    screenshot(page, "invitation-print-paper")

    # And the link it holds opens Dev's panel.
    visitor = new_page(chromium, live_server, SIZES["phone"])
    visitor.goto(link)
    expect(visitor.locator("h1")).to_have_text("Hello Dev Raman")
    visitor.context.close()
    page.context.close()


# -- The person supported's tablet --------------------------------------------------------------


def test_the_person_supported_gets_a_tablet_page_with_no_way_into_staff_pages(
    live_server: Any, chromium: Any, panel: Panel
) -> None:
    page = new_page(chromium, live_server, SIZES["tablet"])
    sign_in_as_bob(page)
    picture_page = reverse("supported-person-view-create", args=["sunrise", panel.shadowing.pk])
    page.goto(reverse("assessment-detail", args=["sunrise", panel.shadowing.pk]))
    page.goto(picture_page)
    page.get_by_role("button", name="Open the picture page for the tablet").click()
    expect(page.locator("h1")).to_have_text("What do you think?")

    # Nothing on it leads to a staff page: no menu, no sign-out; links only to this page and
    # to the staff member's "finish", which asks for their password.
    assert page.get_by_role("navigation").count() == 0
    for name in ("Roles", "Candidates", "Reports", "Sign out"):
        assert page.get_by_role("link", name=name).count() == 0
        assert page.get_by_role("button", name=name).count() == 0
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.pathname)")
    finish = reverse("supported-person-kiosk-end", args=["sunrise", panel.shadowing.pk])
    assert set(hrefs) <= {picture_page, finish}, hrefs
    actions = page.eval_on_selector_all("form", "forms => forms.map(f => f.action)")
    assert all(action.endswith(picture_page) for action in actions), actions
    screenshot(page, "supported-person-kiosk")

    # Typing a staff address leads to the picture page again, and so does Back, however far:
    # the browser kept no copy of the staff pages before it.
    page.goto(reverse("application-list", args=["sunrise"]))
    expect(page.locator("h1")).to_have_text("What do you think?")
    for _ in range(4):
        page.go_back()
        expect(page.locator("h1")).to_have_text("What do you think?")
        assert page.get_by_role("navigation").count() == 0

    page.get_by_label("Your first name or initials").fill("Mrs K")
    page.get_by_text("Yes, I agree").click()
    page.get_by_text("Yes", exact=True).click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert")).to_contain_text("Thank you. What you said is saved.")
    expect(page.get_by_label("Your first name or initials")).to_have_value("")
    assert SupportedPersonView.objects.get().person_name == "Mrs K"

    # Only the staff member's own password ends it.
    page.get_by_role("link", name="For staff: finish").click()
    page.get_by_label("Your password").fill("not-the-password")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator(".easy-error")).to_have_text("That is not your password. Please try again.")
    page.goto(reverse("application-list", args=["sunrise"]))
    expect(page.locator("h1")).to_have_text("What do you think?")
    page.get_by_role("link", name="For staff: finish").click()
    page.get_by_label("Your password").fill(f.PASSWORD)
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.goto(reverse("application-list", args=["sunrise"]))
    expect(page.locator("h1")).not_to_have_text("What do you think?")
    page.context.close()
