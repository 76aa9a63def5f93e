"""Independence on every surface: while a reader owes a scorecard on any stage of an
application, nothing they can open changes when another panellist's scorecard changes.

The reader (Alice the admin, or Bob the manager of the role) sat on Ann's values interview and
submitted; she is now at shadowing, where the reader has only a draft. Carol (a staff peer) and
Dev (an expert by experience) have submitted at both stages. The test opens every URL name of
the project with real ids of Ann's application, its assessments, role, stages, jobs and
provider — pages, fragments, exports in both formats, PDFs, zips, reports and their CSV/XLSX —
then Carol and Dev amend their scorecards (levels, evidence, recommendation and summary, at
both stages), and everything is opened again. The responses must be the same bytes, apart from
tokens and times. Once the reader has submitted, the same walk must see the difference.
"""

from __future__ import annotations

import difflib
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from vbr.accounts.models import AuditEvent, Membership, Provider, User
from vbr.applicants.status import issue_status_link
from vbr.compliance import workflow as compliance
from vbr.recruitment import workflow
from vbr.recruitment.models import (
    BankItem,
    DecisionMessage,
    Involvement,
    NationalValue,
    Panellist,
    Scorecard,
    Service,
    Stage,
    SummaryJob,
    ValueSet,
)
from vbr.reports import tasks as report_tasks
from vbr.reports.models import ExportJob, MonitoringInvite
from vbr.reports.queries import REPORT_TITLES

# Reports are rebuilt by tasks after each change: here they run in this process, so a page
# shows current figures (tests/test_reports_fresh.py covers a separate worker).
pytestmark = pytest.mark.usefixtures("tasks_in_process")

SKIPPED_NAMESPACES = {"admin"}

# Names of the "world" whose routes take a value; several values where a route should be
# opened for each (both of Ann's assessments, both formats, every report …).
Params = dict[str, list[Any]]


def url_names() -> dict[str, list[str]]:
    """Every named route outside the Django admin, with its parameters."""
    found: dict[str, list[str]] = {}
    for key, entries in get_resolver().reverse_dict.lists():
        if isinstance(key, str):
            found[key] = list(entries[0][0][0][1])
    return found


def urls(params: Params) -> Iterator[str]:
    for name, needed in sorted(url_names().items()):
        if name.startswith(tuple(f"{ns}:" for ns in SKIPPED_NAMESPACES)):
            continue
        missing = [p for p in needed if p not in params]
        assert not missing, f"Give the independence world a value for {missing} ({name})"
        for values in itertools.product(*(params[p] for p in needed)):
            path = reverse(name, kwargs=dict(zip(needed, values, strict=True)))
            yield path
            if name in ("report-detail", "report-index", "application-export", "score-export"):
                # The same with the filters narrowed to Ann's role and stage, and as files.
                yield f"{path}?role={params['role_id'][0]}&stage={params['stage_id'][1]}"
                if name == "report-detail":
                    yield f"{path}?format=csv"
                    yield f"{path}?format=xlsx"
                    yield f"{path}?role={params['role_id'][0]}&format=csv"


# What differs between two identical views: tokens, nonces and the clock.
VOLATILE = [
    re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*'),
    re.compile(rb'(nonce=")[^"]*'),
    re.compile(rb'(csrf[-_]token"? content=")[^"]*'),
    re.compile(rb'("X-CSRFToken": ")[^"]*'),
    # The application form signs the time it was shown (its check against scripts).
    re.compile(rb'(name="started" value=")[^"]*'),
    # Charts number their SVG ids per process, so that two on one page never clash.
    re.compile(rb"(chart)\d+"),
    # Dates and times as pages, CSVs and file names print them.
    re.compile(rb"()\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?"),
    re.compile(rb"()\d{8}-\d{4}"),
    re.compile(rb"()\d{1,2} [A-Z][a-z]{2,8} \d{4},? \d{1,2}:\d{2}"),
    re.compile(rb"()\d{1,2}:\d{2}(:\d{2})?"),
]


def normalised(body: bytes) -> bytes:
    for pattern in VOLATILE:
        body = pattern.sub(rb"\1~", body)
    return body


def content_of(response: Any) -> bytes:
    """What the person receives, as comparable bytes: a zip's or XLSX's members one by one
    (a zip records when it was written), anything else as it is."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":
        parts = []
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if info.filename == "docProps/core.xml":
                    continue  # the XLSX's creation time
                parts.append(info.filename.encode() + b"\n" + archive.read(info))
        body = b"\n--\n".join(parts)
    location = response.get("Location", "").encode()
    return f"{response.status_code}\n".encode() + location + b"\n" + normalised(body)


def snapshot(client: Client, params: Params, reader: User) -> dict[str, bytes]:
    """Every URL as the reader sees it. What the walk itself recorded in the audit trail (the
    reader's own exports and downloads) is removed afterwards: the next walk must see only
    what changed because of the others."""
    latest = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    seen = {url: content_of(client.get(url)) for url in urls(params)}
    AuditEvent.objects.filter(pk__gt=latest, actor=reader).delete()
    return seen


def explain(before: dict[str, bytes], after: dict[str, bytes], changed: list[str]) -> str:
    """The first lines that differ, for the first few URLs that changed."""
    shown = []
    for url in changed[:3]:
        diff = difflib.unified_diff(
            before[url].decode(errors="replace").splitlines(),
            after[url].decode(errors="replace").splitlines(),
            lineterm="",
            n=0,
        )
        shown.append(f"{url}:\n" + "\n".join(line[:300] for line in list(diff)[2:12]))
    return "\n".join(shown)


def verified(user: User) -> Client:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def amend_all(place: Panellist, *, level: int, words: str, recommendation: str) -> None:
    scorecard = Scorecard.objects.get(panellist=place)
    answers = {
        criterion.pk: workflow.Answer(level=level, evidence=f"{words} ({criterion.prompt})")
        for criterion in place.assessment.criteria()
    }
    workflow.amend_scorecard(
        scorecard=scorecard,
        answers=answers,
        recommendation=recommendation,
        summary=f"{words}: summary",
        reason=f"{words}: looked at my notes again",
        amended_by=place.user,
    )


def submit(place: Panellist, *, level: int, recommendation: str = "yes") -> None:
    answers = {
        c.pk: workflow.Answer(level=level, evidence=f"Saw level {level} ({c.prompt})")
        for c in place.assessment.criteria()
    }
    workflow.submit_scorecard(
        panellist=place, answers=answers, recommendation=recommendation, summary="My summary"
    )


@pytest.fixture
def world(
    sunrise: Provider, alice: User, bob: User, dev: User, settings: Any, tmp_path: Any
) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    settings.VBR_REQUIRE_ADMIN_2FA = True
    carol = f.make_member(provider=sunrise, role=Membership.Role.MANAGER, username="carol")
    role = f.make_role(provider=sunrise)
    role.managers.add(bob.memberships.get())
    interview = f.make_stage(role=role, name="Values interview", order=1)
    shadowing = f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    values = [f.make_value(provider=sunrise, name=n) for n in ("Compassion", "Respect")]
    criteria = [
        f.make_criterion(stage=stage, core_value=value, prompt=f"{stage.name}: {value.name}")
        for stage in (interview, shadowing)
        for value in values
    ]
    ann = f.make_application(
        role=role,
        stage=interview,
        candidate=f.make_candidate(provider=sunrise, first_name="Ann", last_name="Lee"),
    )
    ben = f.make_application(
        role=role,
        stage=interview,
        candidate=f.make_candidate(provider=sunrise, first_name="Ben", last_name="Carter"),
    )
    places: dict[str, Panellist] = {}
    for application in (ann, ben):
        assessment = f.make_assessment(application=application, stage=interview)
        readers = [alice, bob] if application is ann else []
        for user in [*readers, carol, dev]:
            place = f.make_panellist(
                assessment=assessment,
                user=user,
                panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
                if user == dev
                else Panellist.PanelRole.MANAGER,
            )
            submit(place, level=3 if user != dev else 2, recommendation="yes")
            places[f"{application.candidate.first_name}-interview-{user.username}"] = place
    workflow.record_decision(
        application=ann, kind="progress", reasons="Good evidence.", decided_by=alice
    )
    ann.refresh_from_db()
    shadow = f.make_assessment(application=ann, stage=shadowing)
    for user in (alice, bob, carol, dev):
        place = f.make_panellist(
            assessment=shadow,
            user=user,
            panel_role=Panellist.PanelRole.EXPERT_BY_EXPERIENCE
            if user == dev
            else Panellist.PanelRole.MANAGER,
        )
        places[f"Ann-shadowing-{user.username}"] = place
        if user in (carol, dev):
            submit(place, level=4, recommendation="strong_yes")
        else:
            # The readers have started: a draft, not submitted.
            workflow.save_scorecard_draft(
                panellist=place,
                answers={criteria[2].pk: workflow.Answer(level=2, evidence="So far")},
                recommendation="",
                summary="",
            )
    # Files made earlier by Carol: a summary of Ann, a zip of the shadowing stage, exports.
    single = workflow.request_summary(application=ann, requested_by=carol)
    workflow.run_summary_job(job_id=single.pk)
    batch = workflow.request_summary_batch(role=role, stage=shadowing, requested_by=carol)
    for job in batch.jobs.all():
        workflow.run_summary_job(job_id=job.pk)
    export_jobs = []
    for requester in (carol, alice, bob):
        for kind in ExportJob.Kind.values:
            job = ExportJob.objects.create(provider=sunrise, requested_by=requester, kind=kind)
            report_tasks.make_export(job.pk)
            export_jobs.append(job.pk)
    assert SummaryJob.objects.filter(status=SummaryJob.Status.READY).count() == 2
    assert ExportJob.objects.filter(status=ExportJob.Status.DONE).count() == 9
    invite = MonitoringInvite.objects.create(application=ann)
    issued = f.make_invitation(panellist=places["Ann-shadowing-dev"], created_by=carol)
    safer_recruitment_file = compliance.open_file(application=ann, by=carol)
    # Ann applied online: her own status page must not change with anybody's scores either.
    vacancy = f.make_vacancy(role=role)
    status_token = issue_status_link(online=f.make_online_application(application=ann))
    bank_item = BankItem.objects.create(
        national_value=NationalValue.objects.create(
            value_set=ValueSet.objects.create(slug="care-workforce-pathway", name="Pathway"),
            name="Respect",
        ),
        kind=BankItem.Kind.INTERVIEW_QUESTION,
        title="A choice",
        prompt="Tell us about a choice you respected.",
        level_1="1",
        level_2="2",
        level_3="3",
        level_4="4",
    )
    params: Params = {
        "provider_slug": [sunrise.slug],
        "role_id": [role.pk],
        "stage_id": [interview.pk, shadowing.pk],
        "application_id": [ann.pk],
        "candidate_id": [ann.candidate_id],
        "assessment_id": [places["Ann-interview-carol"].assessment_id, shadow.pk],
        "panellist_id": [places["Ann-shadowing-carol"].pk],
        "criterion_id": [criteria[0].pk],
        "value_id": [values[0].pk],
        "file_format": ["csv", "xlsx"],
        "report": list(REPORT_TITLES),
        "job_id": [single.pk, *export_jobs],
        "batch_id": [batch.pk],
        "invitation_id": [issued.invitation.pk],
        "token": [issued.token, status_token],
        "vacancy_id": [vacancy.pk],
        "key": [invite.key],
        "number": [1],
        "note_id": [1],
        # A manager's time offered for a stage (withdrawing it is a POST: nothing to read).
        "slot_id": [1],
        # The wording of a message to candidates: words and a preview, never a score.
        "kind": ["not_this_time"],
        "check_id": [1],
        "membership_id": [carol.memberships.get().pk],
        # A value set and a bank item: the bank and the values library hold no scores; adding
        # to a stage and starting from a set are POSTs (nothing to read).
        "set_id": [bank_item.national_value.value_set_id],
        "item_id": [bank_item.pk],
        # One of Sunrise's own bank items: writing questions holds no scores either.
        "bank_item_id": [
            BankItem.objects.create(
                provider=sunrise,
                core_value=values[0],
                kind=BankItem.Kind.SCENARIO,
                title="Ours",
                prompt="What would you do if someone refused their tea?",
                level_1="1",
                level_2="2",
                level_3="3",
                level_4="4",
            ).pk
        ],
        # A service (care home): its page holds no scores, so nothing may change there.
        "service_id": [Service.objects.create(provider=sunrise, name="Sunrise House").pk],
        # Ann's safer-recruitment file: no scores in it, so nothing may change there either.
        "file_id": [safer_recruitment_file.pk],
        "file_check_id": [safer_recruitment_file.checks.values_list("pk", flat=True)[0]],
        "reference_id": [1],
        "pdf_job_id": [1],
        # The letter telling Dev of the decision to move Ann on (it carries his own view),
        # and an entry of the involvement log.
        "message_id": [DecisionMessage.objects.get(user=dev).pk],
        "involvement_id": [
            Involvement.objects.create(
                provider=sunrise, user=dev, date=date(2026, 11, 2), minutes=60
            ).pk
        ],
    }
    # Shortlisting of Ann and Ben by the readers, Carol and Dev: nobody has answered yet.
    params.update(_shortlisting_world(role=role, ann=ann, ben=ben, people=[alice, bob, carol, dev]))
    return {"params": params, "places": places, "alice": alice, "bob": bob}


def _shortlisting_world(role: Any, ann: Any, ben: Any, people: list[User]) -> Params:
    from vbr.involvement.models import Shortlisting

    shortlisting = Shortlisting.objects.create(provider=role.provider, role=role)
    entries = [
        shortlisting.entries.create(application=application, number=number)
        for number, application in enumerate((ann, ben), start=1)
    ]
    places = [shortlisting.shortlisters.create(user=person) for person in people]
    return {
        "shortlisting_id": [shortlisting.pk],
        "shortlister_id": [place.pk for place in places],
        "entry_id": [entries[0].pk],
        "advert_review_id": [1],
        "comment_id": [1],
    }


def others_change_their_minds(world: dict[str, Any], round_: int) -> None:
    places = world["places"]
    for key, level, recommendation in (
        ("Ann-interview-carol", 1, "strong_no"),
        ("Ann-interview-dev", 4, "strong_yes"),
        ("Ann-shadowing-carol", 2, "no"),
        ("Ann-shadowing-dev", 1, "strong_no"),
    ):
        if round_ == 2:
            level = 5 - level
        amend_all(
            places[key],
            level=level,
            words=f"Changed in round {round_} by {key}",
            recommendation=recommendation if round_ == 1 else "yes",
        )


@pytest.mark.parametrize("reader", ["alice", "bob"])
def test_nothing_a_panellist_can_open_changes_with_the_others_scores_until_they_submit(
    reader: str, world: dict[str, Any]
) -> None:
    user = world[reader]
    client = verified(user) if reader == "alice" else Client()
    if reader == "bob":
        client.force_login(user)
    params = world["params"]

    before = snapshot(client, params, user)
    assert len(before) > 150, "the walk should open every route with the world's ids"
    opened = [url for url, body in before.items() if body.startswith(b"200")]
    assert len(opened) > 40, f"too few pages opened as {reader}: {len(opened)}"

    others_change_their_minds(world, round_=1)
    after = snapshot(client, params, user)
    changed = sorted(url for url in before if before[url] != after[url])
    assert not changed, (
        f"{reader} still owes a scorecard for Ann, yet these changed: {changed}\n"
        + explain(before, after, changed)
    )

    # Once the reader has submitted, the same walk sees the others' change: it can fail.
    submit(world["places"][f"Ann-shadowing-{user.username}"], level=3)
    released = snapshot(client, params, user)
    others_change_their_minds(world, round_=2)
    later = snapshot(client, params, user)
    changed = {url for url in released if released[url] != later[url]}
    slug = params["provider_slug"][0]
    interview_debrief = reverse("assessment-debrief", args=[slug, params["assessment_id"][0]])
    must_change = {
        interview_debrief,
        reverse("application-detail", args=[slug, params["application_id"][0]]),
        reverse("score-export", args=[slug, "csv"]),
        reverse("score-export", args=[slug, "xlsx"]),
        reverse("application-export", args=[slug, "csv"]),
        reverse("report-detail", args=[slug, "values"]),
    }
    assert must_change <= changed, f"not changed after submitting: {must_change - changed}"


def test_the_debrief_of_an_earlier_stage_waits_for_the_scorecard_owed_at_a_later_one(
    world: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(world["bob"])
    slug = world["params"]["provider_slug"][0]
    interview, shadowing = world["params"]["assessment_id"]
    page = client.get(reverse("assessment-debrief", args=[slug, interview])).content.decode()
    assert "Please submit your own scorecard first" in page
    assert reverse("scorecard-edit", args=[slug, shadowing]) in page
    assert "Changed" not in page and "Saw level" not in page


def test_a_zip_made_by_someone_else_leaves_out_the_candidate_whose_scorecard_you_owe(
    world: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(world["bob"])
    slug = world["params"]["provider_slug"][0]
    batch = world["params"]["batch_id"][0]
    page = client.get(reverse("summary-batch-detail", args=[slug, batch])).content.decode()
    assert "1 summary is left out of your download" in page
    # Ann is the only candidate at shadowing: nothing is left to download.
    assert client.get(reverse("summary-batch-download", args=[slug, batch])).status_code == 403
    submit(world["places"]["Ann-shadowing-bob"], level=3)
    response = client.get(reverse("summary-batch-download", args=[slug, batch]))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert len(archive.namelist()) == 1 and "ann" in archive.namelist()[0].lower()


def test_reports_and_exports_say_what_they_leave_out_and_old_files_are_refused(
    world: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(world["bob"])
    slug = world["params"]["provider_slug"][0]
    page = client.get(reverse("report-detail", args=[slug, "values"])).content.decode()
    assert "1 application is left out of these figures" in page
    rows = b"".join(
        client.get(reverse("score-export", args=[slug, "csv"])).streaming_content
    ).decode()
    assert "Ann" not in rows and "Ben" in rows
    # An export Carol made earlier holds Ann's scores: Bob may not download it.
    carol_job = ExportJob.objects.filter(requested_by__username="carol").first()
    assert carol_job is not None
    carol_job.requested_by = world["bob"]  # as if Bob had asked for it before joining the panel
    carol_job.save()
    detail = client.get(reverse("export-job-detail", args=[slug, carol_job.pk])).content.decode()
    assert "you cannot download it" in detail
    assert client.get(reverse("export-job-download", args=[slug, carol_job.pk])).status_code == 403


def test_a_manager_who_owes_a_scorecard_is_sent_to_score_before_deciding(
    world: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(world["bob"])
    slug = world["params"]["provider_slug"][0]
    application = world["params"]["application_id"][0]
    response = client.get(reverse("decision-create", args=[slug, application]), follow=True)
    assert "have not submitted your scorecard yet" in response.content.decode()
    assert "experts by experience were" not in response.content.decode()


def others_shortlist_ann(round_: int) -> None:
    """Carol and Dev answer for Ann (Applicant 1), and change their minds in round 2."""
    from vbr.involvement.models import ShortlistAnswer, Shortlister

    for place in Shortlister.objects.filter(user__username__in=["carol", "dev"]):
        ShortlistAnswer.objects.update_or_create(
            shortlister=place,
            entry=place.shortlisting.entries.get(number=1),
            defaults={
                "answer": "yes" if round_ == 1 else "no",
                "comment": f"Round {round_}: {place.user.username} read Applicant 1",
            },
        )


@pytest.mark.parametrize("reader", ["alice", "bob"])
def test_nothing_shows_the_others_shortlisting_answers_until_you_send_your_own(
    reader: str, world: dict[str, Any]
) -> None:
    from vbr.involvement import workflow as involvement
    from vbr.involvement.models import Shortlister

    user = world[reader]
    client = verified(user) if reader == "alice" else Client()
    if reader == "bob":
        client.force_login(user)
    params = world["params"]

    before = snapshot(client, params, user)
    others_shortlist_ann(round_=1)
    after = snapshot(client, params, user)
    changed = sorted(url for url in before if before[url] != after[url])
    assert not changed, (
        f"{reader} has not answered for Ann, yet these changed: {changed}\n"
        + explain(before, after, changed)
    )

    # Once the reader has sent their own answer for Ann, the others' answers show: it can fail.
    place = Shortlister.objects.get(user=user)
    involvement.send_shortlist_answer(
        shortlister=place, entry=place.shortlisting.entries.get(number=1), answer="yes", comment=""
    )
    released = snapshot(client, params, user)
    others_shortlist_ann(round_=2)
    later = snapshot(client, params, user)
    changed_now = {url for url in released if released[url] != later[url]}
    slug = params["provider_slug"][0]
    must_change = {
        reverse("shortlisting-detail", args=[slug, params["shortlisting_id"][0]]),
        reverse("application-detail", args=[slug, params["application_id"][0]]),
    }
    assert must_change <= changed_now, f"not changed after answering: {must_change - changed_now}"
