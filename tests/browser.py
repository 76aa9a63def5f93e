"""Browser tests: Debian's Chromium driven by Playwright, beside Django's live server, with an
axe-core accessibility check on every page a journey visits."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Sync Playwright runs an event loop in this thread; Django's live server is in another.
# This is set for the test session only, never in the app's settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or not AXE.exists():
        message = "Browser tests need Debian's chromium and node_modules/axe-core (make test)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any, live_server: Any) -> Iterator[Any]:
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    # The Content-Security-Policy forbids inline scripts and styles: any page that breaks it
    # (an inline style, a handler attribute, a library injecting CSS) fails the journey.
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def assert_accessible(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """Run axe-core on the page; fail on violations of the given impacts, naming them."""
    # Evaluated over the DevTools protocol, which the page's CSP does not govern; a <script>
    # tag with inline content would be refused by our policy, rightly.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = [v for v in result["violations"] if v.get("impact") in impacts]
    if violations:
        summary = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in violations
        ]
        raise AssertionError(
            f"axe-core found violations on {page.url}:\n{json.dumps(summary, indent=2)}"
        )


# Each drop-down list on the page whose chosen option is wider than the room the list has
# for it (its width less its padding, which leaves room for the arrow): the reader sees "Any
# st" instead of "Any status". Measured with the list's own font.
CLIPPED_CHOICES = """() => {
  const measure = document.createElement("canvas").getContext("2d");
  const clipped = [];
  for (const list of document.querySelectorAll("select")) {
    const chosen = list.selectedOptions[0];
    if (list.multiple || list.size > 1 || !chosen || !list.getClientRects().length) continue;
    const style = getComputedStyle(list);
    measure.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = list.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const needed = measure.measureText(chosen.text.trim()).width;
    if (needed > room + 1) {
      const shown = `${list.name || list.id}: "${chosen.text.trim()}"`;
      clipped.push(`${shown} needs ${Math.ceil(needed)} px, has ${Math.floor(room)}`);
    }
  }
  return clipped;
}"""


def clipped_choices(page: Any) -> list[str]:
    """The drop-down lists on the page that cut off the option they show."""
    found: list[str] = page.evaluate(CLIPPED_CHOICES)
    return found


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
