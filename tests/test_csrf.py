"""The CSRF cookie is HttpOnly: no script reads it. Forms carry the token, and htmx gets it
from the page (hx-headers on <body>), so every htmx request still passes Django's check."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories as f
from tests.browser import sign_in
from vbr.accounts.models import Provider, User
from vbr.recruitment.models import Application, Panellist, SummaryJob

ROOT = Path(__file__).resolve().parent.parent
PAGE_TOKEN = re.compile(r"<body[^>]*hx-headers='\{\"X-CSRFToken\": \"([A-Za-z0-9]+)\"\}'")


@pytest.fixture
def decided(sunrise: Provider, bob: User) -> Application:
    """An application whose interview Bob has scored, so he may ask for its PDF summary."""
    role = f.make_role(provider=sunrise)
    interview = f.make_stage(role=role)
    criterion = f.make_criterion(stage=interview, core_value=f.make_value(provider=sunrise))
    application = f.make_application(role=role, stage=interview)
    assessment = f.make_assessment(application=application, stage=interview)
    place = f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    f.make_scorecard(panellist=place, levels={criterion: 3}, submitted=True)
    return application


def test_the_csrf_cookie_is_httponly(client: Client, db: None) -> None:
    response = client.get(reverse("login"))
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True


def test_an_htmx_request_with_the_pages_token_passes_and_one_without_is_refused(
    bob: User, sunrise: Provider, decided: Application
) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(bob)
    page = browser.get(reverse("application-detail", args=[sunrise.slug, decided.pk]))
    match = PAGE_TOKEN.search(page.text)
    assert match, "the page gives htmx the CSRF token"
    create = reverse("summary-create", args=[sunrise.slug, decided.pk])

    # As htmx sends a request from an element outside any form: the header, no form field.
    refused = browser.post(create, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    assert not SummaryJob.objects.exists()

    sent = browser.post(create, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=match.group(1))
    assert sent.status_code == 200
    assert SummaryJob.objects.filter(application=decided).count() == 1


def test_every_page_a_browser_shows_has_the_body_that_carries_the_token() -> None:
    """Only base.html opens <body> for the browser (the others are PDF templates, rendered by
    WeasyPrint): every page, and every htmx request made from one, has the token."""
    opening_body = [
        str(template.relative_to(ROOT / "templates"))
        for template in (ROOT / "templates").rglob("*.html")
        if "<body" in template.read_text()
    ]
    browser_pages = [name for name in opening_body if "pdf" not in name]
    assert browser_pages == ["base.html"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_scripts_cannot_read_the_cookie_and_htmx_still_posts(
    browser_page: Any,
) -> None:
    sunrise = f.make_provider(name="Sunrise Care", slug="sunrise")
    f.make_member(provider=sunrise, username="bob", full_name="Bob Okafor")
    bob = User.objects.get(username="bob")
    role = f.make_role(provider=sunrise)
    interview = f.make_stage(role=role)
    criterion = f.make_criterion(stage=interview, core_value=f.make_value(provider=sunrise))
    application = f.make_application(role=role, stage=interview)
    assessment = f.make_assessment(application=application, stage=interview)
    place = f.make_panellist(assessment=assessment, user=bob, panel_role=Panellist.PanelRole.CHAIR)
    f.make_scorecard(panellist=place, levels={criterion: 3}, submitted=True)
    page = browser_page
    sign_in(page, "bob", f.PASSWORD)
    page.goto(f"/p/sunrise/applications/{application.pk}/")
    page.wait_for_function("() => window.htmx !== undefined")

    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["csrftoken"]["httpOnly"] is True
    assert "csrftoken" not in page.evaluate("document.cookie")

    # A request htmx makes from the page itself, with no form and so no form field: the
    # token comes from <body>.
    create = f"/p/sunrise/applications/{application.pk}/summary/create/"
    with page.expect_response(lambda response: response.url.endswith(create)) as answer:
        page.evaluate(
            """url => htmx.ajax("POST", url, {source: document.body, target: "#summary-progress",
                                              swap: "outerHTML"})""",
            create,
        )
    assert answer.value.status == 200
    assert SummaryJob.objects.filter(application=application).count() == 1
