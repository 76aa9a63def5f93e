"""Every page each person can open, walked from the project's URL names, in Chromium at a
laptop, a tablet and a phone: no serious or critical axe-core finding at any size (none at
all on the panel pages), no sideways scrolling on the phone, no console or CSP error, and a
screenshot of each page at each size in test-artifacts/.

The people: Alice the admin (two-factor verified), Bob the hiring manager, Pat a staff panel
member, and Dev, an expert by experience, signed in by his invitation link. Their world is the
demo's, so the pages carry the data a newcomer sees.

Left out, and why: routes that only take a POST; downloads (files, CSV, XLSX, JSON, PDF,
images), which are not pages; and the routes of vbr.compliance and vbr.applicants, whose pages
are being built now and are walked by their own browser tests.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from tests.browser import assert_accessible, clipped_choices, screenshot
from tests.test_url_access import ACCESS
from vbr.accounts.models import AccessProfile, Membership, Provider, User
from vbr.recruitment.models import (
    Application,
    Assessment,
    Panellist,
    Role,
    Stage,
    SummaryBatch,
)
from vbr.recruitment.workflow import save_criterion_to_bank
from vbr.reports.models import ExportJob, MonitoringInvite
from vbr.reports.queries import REPORT_TITLES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = ((1280, 800), (820, 1180), (390, 844))
EVERY_IMPACT = ("minor", "moderate", "serious", "critical")

# Being built by other engineers right now, with their own browser tests.
EXCLUDED_MODULES = ("vbr.compliance.", "vbr.applicants.")
# Files, not pages: the browser downloads them.
DOWNLOADS = {
    "application-export",
    "score-export",
    "research-export",
    "involvement-export",
    "candidate-export-json",
    "candidate-export-pdf",
    "dbs-certificate-download",
    "export-job-download",
    "summary-download",
    "summary-batch-download",
    "provider-logo-image",
}
# Django's health check answers JSON for machines.
NOT_FOR_PEOPLE = {"healthz"}
# The easy-read pages and the link pages around them: axe may find nothing at all there.
PANEL_PAGES = {
    "easy-start",
    "easy-question",
    "easy-check",
    "easy-sent",
    "join",
    "join-link",
    "join-unusable",
    "join-signed-out",
    "access-profile",
    "supported-person-view-create",
    "advert-start",
    "advert-section",
    "advert-check",
    "shortlist-start",
    "shortlist-answer",
}


def page_routes() -> dict[str, list[str]]:
    """URL name -> its parameters, for every GET page in scope."""
    routes: dict[str, list[str]] = {}

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                module = pattern.callback.__module__ + "."
                if module.startswith(EXCLUDED_MODULES):
                    continue
                routes[pattern.name] = list(
                    get_resolver().reverse_dict.getlist(pattern.name)[0][0][0][1]
                )

    walk(get_resolver().url_patterns)
    return {
        name: params
        for name, params in routes.items()
        if ACCESS[name].method == "GET" and name not in DOWNLOADS | NOT_FOR_PEOPLE
    }


@dataclass
class Persona:
    name: str
    client: Client
    ids: dict[str, Any]
    # More visits of a route with other objects: (label, URL name, ids that differ).
    extra: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)


def verified(user: User) -> Client:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def demo_personas() -> list[Persona]:
    call_command("seed_demo", stdout=io.StringIO())
    sunrise = Provider.objects.get(slug="sunrise")
    alice, bob, dev = (User.objects.get(username=u) for u in ("alice", "bob", "dev"))
    care = Role.objects.get(provider=sunrise, title="Care assistant")
    interview = care.stages.order_by("order").first()
    assert interview is not None
    chloe = Application.objects.get(candidate__first_name="Chloe")
    ellie = Application.objects.get(candidate__first_name="Ellie")
    amira = Application.objects.get(candidate__first_name="Amira")
    night = Role.objects.get(provider=sunrise, title="Night care assistant")
    night_stage = night.stages.order_by("order").first()
    assert night_stage is not None
    chloe_interview = Assessment.objects.get(application=chloe, stage=interview)
    amira_interview = Assessment.objects.get(application=amira, stage=interview)
    daniel_shadowing = Assessment.objects.get(
        application__candidate__first_name="Daniel", stage__kind=Stage.Kind.SHADOWING
    )
    # A staff panel member, on Amira's interview and Daniel's shadowing.
    pat = f.make_member(
        provider=sunrise, role=Membership.Role.PANEL, username="pat", full_name="Pat Hughes"
    )
    # Pat scores on the full scorecard, not the easy-read pages.
    AccessProfile.objects.create(user=pat, easy_read=False)
    for assessment in (amira_interview, daniel_shadowing):
        f.make_panellist(assessment=assessment, user=pat, panel_role=Panellist.PanelRole.STAFF_PEER)
    batch = SummaryBatch.objects.create(
        provider=sunrise, role=care, stage=interview, requested_by=bob
    )
    job = ExportJob.objects.create(
        provider=sunrise, requested_by=bob, kind=ExportJob.Kind.SCORES_XLSX
    )
    dev_place = Panellist.objects.get(assessment=amira_interview, user=dev)
    issued = f.make_invitation(panellist=dev_place, created_by=bob)
    monitoring = MonitoringInvite.objects.filter(application=amira).first()
    if monitoring is None:
        monitoring = MonitoringInvite.objects.create(application=amira)
    staff_ids = {
        "provider_slug": sunrise.slug,
        "role_id": care.pk,
        "stage_id": interview.pk,
        "value_id": sunrise.core_values.first().pk,  # type: ignore[union-attr]
        "criterion_id": interview.criteria.first().pk,  # type: ignore[union-attr]
        "application_id": chloe.pk,
        "candidate_id": chloe.candidate_id,
        "assessment_id": chloe_interview.pk,
        "membership_id": pat.memberships.get().pk,
        "invitation_id": issued.invitation.pk,
        "batch_id": batch.pk,
        "job_id": job.pk,
        "token": issued.token,
        "key": monitoring.key,
        "number": 1,
        "report": "funnel",
        # The demo's first service (Sunrise House): the services page and its rename page.
        "service_id": sunrise.services.order_by("name").first().pk,  # type: ignore[union-attr]
        # The demo's message telling Dev of Ellie's hire, and his time at Daniel's interview.
        "message_id": dev.decision_messages.first().pk,  # type: ignore[union-attr]
        "involvement_id": sunrise.involvements.first().pk,  # type: ignore[union-attr]
        # One of Sunrise's own bank items (its interview's first question, saved to its bank),
        # so that changing and removing an own item are walked too.
        "bank_item_id": save_criterion_to_bank(
            criterion=interview.criteria.first()  # type: ignore[arg-type]
        )[0].pk,
        **involvement_ids(sunrise, bob, pat),
    }
    staff_extra = [
        *(
            (f"report-detail-{slug}", "report-detail", {"report": slug})
            for slug in REPORT_TITLES
            if slug != "funnel"
        ),
        ("outcome-edit-hired", "outcome-edit", {"application_id": ellie.pk}),
        ("application-detail-hired", "application-detail", {"application_id": ellie.pk}),
        ("assessment-detail-upcoming", "assessment-detail", {"assessment_id": amira_interview.pk}),
        (
            "supported-person-shadowing",
            "supported-person-view-create",
            {"assessment_id": daniel_shadowing.pk},
        ),
        ("join-link-stopped", "join-link", {"token": "no-such-link"}),
        # Scored assessments and criteria in use are no longer edited: these are the ones
        # that still are, an upcoming interview and the night role nobody has been scored on.
        ("assessment-edit-upcoming", "assessment-edit", {"assessment_id": amira_interview.pk}),
        (
            "criterion-create-editable",
            "criterion-create",
            {"role_id": night.pk, "stage_id": night_stage.pk},
        ),
        (
            "criterion-edit-editable",
            "criterion-edit",
            {
                "role_id": night.pk,
                "stage_id": night_stage.pk,
                "criterion_id": night_stage.criteria.first().pk,  # type: ignore[union-attr]
            },
        ),
    ]
    bob_extra = [
        *staff_extra,
        ("scorecard-draft", "scorecard-edit", {"assessment_id": amira_interview.pk}),
    ]
    pat_ids = {**staff_ids, "assessment_id": amira_interview.pk}
    pat_extra = [
        (
            "supported-person-shadowing",
            "supported-person-view-create",
            {"assessment_id": daniel_shadowing.pk},
        ),
    ]
    dev_ids = {**staff_ids, "assessment_id": amira_interview.pk}
    dev_client = Client()
    return [
        Persona("alice", verified(alice), staff_ids, staff_extra),
        Persona("bob", signed_in(bob), staff_ids, bob_extra),
        Persona("pat", signed_in(pat), pat_ids, pat_extra),
        # Dev's session is opened in the browser itself, from his invitation link.
        Persona("dev", dev_client, dev_ids),
    ]


def involvement_ids(provider: Provider, bob: User, pat: User) -> dict[str, Any]:
    """Pat's views on the demo's advert, sent with a comment, and Pat's place in the demo's
    shortlisting (Bob and Dev shortlist there too)."""
    from vbr.applicants.models import Vacancy
    from vbr.involvement import workflow as involvement

    vacancy = Vacancy.objects.get(provider=provider, role__title="Care assistant")
    (review,) = involvement.share_advert(vacancy=vacancy, people=[pat], shared_by=bob)
    comment = involvement.save_advert_comment(
        review=review,
        part=involvement.vacancy_parts(vacancy)[0],
        comment="Say it is days only.",
        suggested_words="",
    )
    involvement.send_advert_comments(review=review)
    shortlisting = vacancy.role.shortlistings.get()
    assert comment is not None
    return {
        "advert_review_id": review.pk,
        "comment_id": comment.pk,
        "shortlisting_id": shortlisting.pk,
        "shortlister_id": shortlisting.shortlisters.create(user=pat).pk,
        "entry_id": shortlisting.entries.first().pk,  # type: ignore[union-attr]
    }


def url_of(name: str, params: list[str], ids: dict[str, Any]) -> str:
    missing = [p for p in params if p not in ids]
    assert not missing, f"{name}: no value for {missing} in the demo world"
    return reverse(name, kwargs={p: ids[p] for p in params})


def visits_for(persona: Persona, routes: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(label, URL name, URL) for every page in scope; the persona may be refused some."""
    visits = [(name, name, url_of(name, params, persona.ids)) for name, params in routes.items()]
    for label, name, overrides in persona.extra:
        visits.append((label, name, url_of(name, routes[name], {**persona.ids, **overrides})))
    return sorted(visits)


def open_session(context: Any, persona: Persona, base_url: str) -> None:
    """Staff sessions are made by the test client; Dev opens his own, as he really does, by
    pressing Start on his invitation link. The same session then serves every size."""
    name = settings.SESSION_COOKIE_NAME
    if persona.name == "dev" and name not in persona.client.cookies:
        page = context.new_page()
        page.goto(reverse("join-link", args=[persona.ids["token"]]))
        page.get_by_role("button", name="Start").click()
        page.wait_for_load_state()
        page.close()
        (cookie,) = [c for c in context.cookies() if c["name"] == name]
        persona.client.cookies[name] = cookie["value"]
        return
    cookie = persona.client.cookies[name]
    context.add_cookies([{"name": name, "value": cookie.value, "url": base_url}])


def new_page(context: Any, problems: list[str]) -> Any:
    page = context.new_page()
    page.set_default_timeout(15_000)

    def collect(message: Any) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"{page.url}: console: {message.text}")

    page.on("console", collect)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error: {error}"))
    return page


def test_every_page_each_person_reaches_is_accessible_at_every_size(
    chromium: Any, live_server: Any, settings: Any
) -> None:
    settings.VBR_REQUIRE_ADMIN_2FA = True
    routes = page_routes()
    personas = demo_personas()
    problems: list[str] = []
    reached: dict[str, set[str]] = {}
    for persona in personas:
        context = chromium.new_context(base_url=live_server.url)
        open_session(context, persona, live_server.url)
        context.close()
        # The pages this person may open: those answering 200 to their own session. Refused
        # pages (403, 404) and redirects to another page are not theirs to check here.
        visits = [
            visit
            for visit in visits_for(persona, routes)
            if persona.client.get(visit[2]).status_code == 200
        ]
        reached[persona.name] = {name for _label, name, _url in visits}
        for width, height in SIZES:
            context = chromium.new_context(
                viewport={"width": width, "height": height}, base_url=live_server.url
            )
            open_session(context, persona, live_server.url)
            page = new_page(context, problems)
            for label, name, url in visits:
                page.goto(url)
                page.wait_for_load_state("networkidle")
                where = f"{persona.name} {label} at {width} px"
                if width == 390:
                    sideways = page.evaluate(
                        "document.documentElement.scrollWidth"
                        " - document.documentElement.clientWidth"
                    )
                    if sideways > 0:
                        problems.append(f"{where} scrolls sideways by {sideways} px")
                problems.extend(f"{where}: cuts off {cut}" for cut in clipped_choices(page))
                impacts = EVERY_IMPACT if name in PANEL_PAGES else ("serious", "critical")
                try:
                    assert_accessible(page, impacts=impacts)
                except AssertionError as finding:
                    problems.append(f"{where}: {finding}")
                screenshot(page, f"every-{persona.name}-{label}-{width}")
            context.close()
    # The walk is not empty: each person reaches every page the access table gives them.
    row_of = {"alice": "admin", "bob": "manager", "pat": "panel", "dev": "expert"}
    for persona in personas:
        expected = {name for name in routes if getattr(ACCESS[name], row_of[persona.name]) == 200}
        unreached = sorted(expected - reached[persona.name])
        if unreached:
            problems.append(f"{persona.name} could not open: {unreached}")
    assert not problems, "\n".join(problems)
