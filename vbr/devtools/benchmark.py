"""Measure the pages people wait for, on the synthetic dataset (see BENCHMARKS.md).

Each page is requested in-process through Django's test client, signed in as the person who
would open it: a few warm-up requests, then timed ones; the query count comes from one more
request under CaptureQueriesContext. A page whose URL name does not exist yet is reported as
"not built yet", so the harness runs on any branch.

To add a page: append a `PageSpec` to `PAGES` (URL name, who opens it, and which dataset
object fills its parameters). URL parameters are filled by name from `Subjects.params`.
"""

from __future__ import annotations

import gc
import platform
import re
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Count
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.module_loading import import_string

from vbr.accounts.models import Membership, Provider, User
from vbr.applicants.models import Vacancy
from vbr.devtools.synthetic import SLUG_PREFIX
from vbr.recruitment.models import Application, Assessment, Role, Scorecard

NOT_BUILT = "not built yet"


@dataclass(frozen=True)
class PageSpec:
    label: str
    url_name: str
    # Who opens it: "manager", "admin", "chair" (a panellist who has submitted), "drafter"
    # (a panellist with a draft scorecard) or "public" (nobody signed in).
    who: str = "manager"
    query: dict[str, str] = field(default_factory=dict)


PAGES: tuple[PageSpec, ...] = (
    # The provider home is also the manager's dashboard (to do, this week, waiting).
    PageSpec("Provider home (manager dashboard)", "provider-home"),
    PageSpec("Role pipeline", "role-detail"),
    PageSpec("Role pipeline, every status", "role-detail", query={"status": "all"}),
    PageSpec(
        "Role pipeline, every status, last page",
        "role-detail",
        query={"status": "all", "page": "last"},
    ),
    PageSpec("Application detail (value × stage grid)", "application-detail"),
    PageSpec("Assessment detail", "assessment-detail"),
    PageSpec("Debrief", "assessment-debrief", who="chair"),
    PageSpec("Scorecard (GET)", "scorecard-edit", who="drafter"),
    PageSpec("Applications list", "application-list"),
    # Where "see all" leads from the dashboard's "waiting for a decision".
    PageSpec(
        "Applications list, waiting for a decision",
        "application-list",
        query={"waiting": "on"},
    ),
    PageSpec("Assessments list", "assessment-list"),
    PageSpec("Role setup (stages and criteria)", "role-setup"),
    PageSpec("Values library", "corevalue-list", who="admin"),
    PageSpec("Reports", "report-index", who="admin"),
    PageSpec("Report", "report-detail", who="admin"),
    # The candidate's side: public pages, opened without signing in.
    PageSpec("Vacancy page (public)", "vacancy-detail", who="public"),
    PageSpec("Application form (public)", "vacancy-apply", who="public"),
    # The safer-recruitment file of a hire, and the provider's completeness for inspectors.
    PageSpec("Safer-recruitment file", "compliance-file-detail", who="admin"),
    PageSpec("Safer-recruitment files", "compliance-file-list", who="admin"),
    PageSpec("Safer-recruitment completeness", "compliance-completeness", who="admin"),
)
# Every page in these namespaces is measured too, opened by the provider admin.
NAMESPACES = ("reports",)
# Exports: streamed, measured as rows per second and peak memory.
EXPORTS: tuple[PageSpec, ...] = (
    PageSpec("CSV export of applications", "application-export", who="admin"),
    PageSpec("CSV export of scores", "score-export", who="admin"),
    PageSpec("CSV of safer-recruitment completeness", "compliance-completeness-csv", who="admin"),
)
# Parameters that are not ids: fixed values, or the import path of a mapping whose keys are
# every value the parameter takes (one measured page each).
FIXED_PARAMS: dict[str, str] = {"file_format": "csv"}
EXPANDED_PARAMS: dict[str, str] = {"report": "vbr.reports.queries.REPORT_TITLES"}


@dataclass
class Subjects:
    """The dataset objects the pages are opened on: the largest synthetic provider."""

    provider: Provider
    # Who opens the pages (None: nobody of that kind in the dataset).
    users: dict[str, User | None]
    params: dict[str, dict[str, Any]]
    draft: Scorecard | None
    notes: list[str]


def pick_subjects() -> Subjects:
    provider = (
        Provider.objects.filter(slug__startswith=SLUG_PREFIX)
        .annotate(size=Count("applications"))
        .order_by("-size", "slug")
        .first()
    )
    if provider is None:
        raise LookupError("No synthetic provider: run generate_dataset first.")
    staff = {
        m.role: m.user
        for m in Membership.objects.filter(provider=provider)
        .select_related("user")
        .order_by("-role", "user__username")
    }
    # The generator's first role is the pipeline role (2,000 applications at small and large).
    role = provider.roles.order_by("pk").first()
    applications = provider.applications.filter(role=role)
    application = (
        applications.filter(status=Application.Status.HIRED).order_by("pk").first()
        or applications.annotate(n=Count("assessments")).order_by("-n", "pk").first()
    )
    closed = Assessment.objects.filter(
        application__provider=provider,
        application__role=role,
        status=Assessment.Status.CLOSED,
    ).order_by("-scheduled_at", "pk")
    debrief = closed.filter(application=application).first() or closed.first()
    draft = (
        Scorecard.objects.filter(
            assessment__application__provider=provider,
            assessment__application__role=role,
            submitted_at__isnull=True,
        )
        .select_related("panellist__user", "assessment")
        .order_by("pk")
        .first()
    )
    users = {
        "manager": staff.get(Membership.Role.MANAGER),
        "admin": staff.get(Membership.Role.ADMIN),
    }
    notes = []
    base = {"provider_slug": provider.slug, "role_id": role.pk if role else None}
    params: dict[str, dict[str, Any]] = {"manager": {}, "admin": {}}
    if application is not None:
        base |= {
            "application_id": application.pk,
            "candidate_id": application.candidate_id,
            "stage_id": application.current_stage_id,
        }
    if debrief is not None:
        base["assessment_id"] = debrief.pk
        chair = debrief.panellists.filter(scorecard__submitted_at__isnull=False).first()
        users["chair"] = chair.user if chair else users["manager"]
    else:
        notes.append("No closed assessment in the dataset: the debrief is opened by the manager.")
        users["chair"] = users["manager"]
    if draft is not None:
        users["drafter"] = draft.panellist.user
        params["drafter"] = {"assessment_id": draft.assessment_id, "scorecard_id": draft.pk}
    else:
        notes.append("No draft scorecard in the dataset: scorecard pages are not measured.")
    if role is not None:
        base["vacancy_id"] = published_vacancy(role).pk
        files = safer_recruitment_files(provider, opened_by=users["admin"])
        if files:
            base["file_id"] = files[0]
            notes.append(f"Safer-recruitment files: {len(files):,} (offers and hires).")
    for who in ("manager", "admin", "chair", "drafter", "public"):
        params[who] = base | params.get(who, {})
    if role is not None:
        count = role.applications.count()
        notes.append(f"Role pipeline: {role.title!r} with {count:,} applications.")
    return Subjects(provider=provider, users=users, params=params, draft=draft, notes=notes)


# -- URL names -------------------------------------------------------------------------------


def url_parameters() -> dict[str, list[str]]:
    """Every URL name (with its namespace) and the parameters its path takes."""
    found: dict[str, list[str]] = {}

    def walk(patterns: list[Any], namespace: str, inherited: list[str]) -> None:
        for entry in patterns:
            names = inherited + _pattern_params(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner, names)
            elif isinstance(entry, URLPattern) and entry.name:
                found.setdefault(f"{namespace}{entry.name}", names)

    walk(get_resolver().url_patterns, "", [])
    return found


def _pattern_params(pattern: Any) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return list(converters)
    regex = getattr(pattern, "regex", None)
    return list(regex.groupindex) if regex is not None else []


def expand_kwargs(
    names: list[str], values: dict[str, Any]
) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    """The kwargs to open a URL with (several when a parameter expands to every report),
    or an explanation of what is missing."""
    options: list[tuple[str, dict[str, Any]]] = [("", {})]
    for name in names:
        if values.get(name) is not None:
            options = [(suffix, kw | {name: values[name]}) for suffix, kw in options]
        elif name in FIXED_PARAMS:
            options = [(suffix, kw | {name: FIXED_PARAMS[name]}) for suffix, kw in options]
        elif name in EXPANDED_PARAMS:
            try:
                choices = list(import_string(EXPANDED_PARAMS[name]))
            except ImportError:
                return [], f"cannot list the values of <{name}>"
            options = [
                (f"{suffix} {choice}".strip(), kw | {name: choice})
                for suffix, kw in options
                for choice in choices
            ]
        else:
            return [], f"no dataset value for <{name}>"
    return options, ""


# -- measuring -------------------------------------------------------------------------------


@dataclass
class PageResult:
    label: str
    url_name: str
    url: str = ""
    status: str = "ok"
    median_ms: float | None = None
    p95_ms: float | None = None
    cpu_median_ms: float | None = None
    queries: int | None = None
    http_status: int | None = None
    sql: list[str] = field(default_factory=list, repr=False)
    # The same statements as the driver was given them: SQL with placeholders, and values.
    statements: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list, repr=False)


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample at or above `fraction` of them."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def published_vacancy(role: Role) -> Vacancy:
    """The pipeline role's vacancy, published (made once on a dataset that has none), with
    a values question for each of the provider's first three values."""
    vacancy, made = Vacancy.objects.get_or_create(
        role=role,
        defaults={
            "provider_id": role.provider_id,
            "status": Vacancy.Status.PUBLISHED,
            "summary": "Support people to live well at home.",
            "day_to_day": "You help people get up, wash and dress.\n\nYou cook with them.",
            "hours": "Three 12-hour shifts a week",
            "pay_from": Decimal("12.60"),
            "pay_to": Decimal("13.10"),
            "town": "Leeds",
        },
    )
    if made:
        for order, core_value in enumerate(role.provider.core_values.current()[:3]):
            vacancy.questions.create(
                core_value=core_value,
                prompt=f"Tell us about a time you showed {core_value.name.lower()}.",
                order=order,
            )
    return vacancy


def safer_recruitment_files(provider: Provider, *, opened_by: User | None) -> list[int]:
    """A file for every offer and hire of the provider (opened once on a dataset that has
    none), half of their checks verified: the files' ids, oldest first."""
    from vbr.compliance.completeness import refresh_provider
    from vbr.compliance.models import Check, SaferRecruitmentFile
    from vbr.compliance.workflow import current_checklist

    existing = list(provider.safer_recruitment_files.order_by("pk").values_list("pk", flat=True))
    if existing:
        return existing
    checklist = current_checklist(provider)
    items = list(checklist.items.values_list("pk", flat=True))
    hired = provider.applications.filter(
        status__in=[Application.Status.OFFERED, Application.Status.HIRED]
    ).values_list("pk", flat=True)
    files = SaferRecruitmentFile.objects.bulk_create(
        SaferRecruitmentFile(
            provider=provider, application_id=pk, checklist=checklist, opened_by=opened_by
        )
        for pk in hired
    )
    Check.objects.bulk_create(
        (
            Check(
                file=file,
                item_id=item_id,
                status=Check.Status.VERIFIED if n % 2 else Check.Status.NOT_STARTED,
                verified_by=opened_by if n % 2 else None,
            )
            for file in files
            for n, item_id in enumerate(items)
        ),
        batch_size=2000,
    )
    # Written in bulk, past the workflow: count the stored completeness figures as the
    # workflow would have.
    refresh_provider(provider.pk)
    if connection.vendor == "postgresql":
        # As autovacuum would after a real load: a planner with no statistics for the files
        # (a database where autovacuum is off, or has not come round yet) guesses their
        # number, and the files pages would be timed with plans no provider gets.
        with connection.cursor() as cursor:
            for model in (SaferRecruitmentFile, Check):
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    return [file.pk for file in files]


def _client(user: User | None) -> Client:
    """Signed in as `user`; nobody signed in for a public page."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _time_request(send: Callable[[], HttpResponseBase]) -> tuple[float, float, HttpResponseBase]:
    """Wall-clock and this process's CPU milliseconds for one request. The CPU figure
    leaves out the database server and any wait for a busy machine's cores."""
    started, started_cpu = time.perf_counter(), time.process_time()
    response = send()
    if isinstance(response, StreamingHttpResponse):
        for _chunk in response:  # the whole stream, as a client would read it
            pass
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, (time.process_time() - started_cpu) * 1000, response


def measure(
    label: str,
    url_name: str,
    url: str,
    send: Callable[[], HttpResponseBase],
    *,
    warmup: int,
    requests: int,
    expect: tuple[int, ...] = (200,),
) -> PageResult:
    result = PageResult(label=label, url_name=url_name, url=url)
    for _ in range(warmup):
        _, _, response = _time_request(send)
        if response.status_code not in expect:
            result.status = f"HTTP {response.status_code}"
            result.http_status = response.status_code
            return result
    samples, cpu_samples = [], []
    gc.collect()
    for _ in range(requests):
        elapsed, cpu, response = _time_request(send)
        samples.append(elapsed)
        cpu_samples.append(cpu)
    with (
        CaptureQueriesContext(connection) as captured,
        connection.execute_wrapper(partial(_record, result.statements)),
    ):
        _, _, response = _time_request(send)
    result.http_status = response.status_code
    result.sql = [query["sql"] for query in captured.captured_queries]
    result.median_ms = round(statistics.median(samples), 2)
    result.p95_ms = round(percentile(samples, 0.95), 2)
    result.cpu_median_ms = round(statistics.median(cpu_samples), 2)
    # Savepoints come from the harness undoing each write (`rolled_back`); in production
    # the view's own transaction is a BEGIN/COMMIT, which Django does not log either.
    statements = [q["sql"] for q in captured.captured_queries]
    result.queries = sum(1 for sql in statements if not _is_savepoint(sql))
    return result


def _record(
    statements: list[tuple[str, tuple[Any, ...]]],
    execute: Callable[..., Any],
    sql: str,
    params: Any,
    many: bool,
    context: dict[str, Any],
) -> Any:
    """An execute wrapper keeping each statement with its values, as the driver gets them."""
    if not many and isinstance(sql, str):
        statements.append((sql, tuple(params or ())))
    return execute(sql, params, many, context)


def _is_savepoint(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO"))


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run a write and undo it, so that every sample sees the same dataset."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def wanted(label: str, only: list[str] | None) -> bool:
    """Whether `--only` asks for this measurement (any of its words in the label)."""
    return not only or any(word.lower() in label.lower() for word in only)


def measure_pages(
    subjects: Subjects,
    *,
    warmup: int,
    requests: int,
    log: Callable[[str], None],
    only: list[str] | None = None,
) -> list[PageResult]:
    known = url_parameters()
    specs = list(PAGES)
    listed = {spec.url_name for spec in specs} | {spec.url_name for spec in EXPORTS}
    for namespace in NAMESPACES:
        for name in sorted(known):
            if name.startswith(f"{namespace}:") and name not in listed and "export" not in name:
                specs.append(PageSpec(f"Report {name.split(':', 1)[1]}", name, who="admin"))
    results: list[PageResult] = []
    seen_missing = set()
    for spec in specs:
        if not wanted(spec.label, only):
            continue
        if spec.url_name not in known:
            if spec.label not in seen_missing and not any(r.label == spec.label for r in results):
                seen_missing.add(spec.label)
                results.append(PageResult(spec.label, spec.url_name, status=NOT_BUILT))
            continue
        results = [r for r in results if not (r.label == spec.label and r.status == NOT_BUILT)]
        seen_missing.add(spec.label)
        results.extend(_measure_spec(spec, known, subjects, warmup, requests, log))
    return results


def _measure_spec(
    spec: PageSpec,
    known: dict[str, list[str]],
    subjects: Subjects,
    warmup: int,
    requests: int,
    log: Callable[[str], None],
) -> list[PageResult]:
    user = subjects.users.get(spec.who)
    if user is None and spec.who != "public":
        return [PageResult(spec.label, spec.url_name, status=f"nobody to open it ({spec.who})")]
    options, problem = expand_kwargs(known[spec.url_name], subjects.params[spec.who])
    if problem:
        return [PageResult(spec.label, spec.url_name, status=problem)]
    client = _client(user)
    results = []
    for suffix, kwargs in options:
        url = reverse(spec.url_name, kwargs=kwargs)
        query = dict(spec.query)
        if query.get("page") == "last":
            query["page"] = "999999"  # the paginator answers with its last page
        label = f"{spec.label} {suffix}".strip()
        log(f"  {label}: {url}")
        results.append(
            measure(
                label,
                spec.url_name,
                url,
                partial(client.get, url, query),
                warmup=warmup,
                requests=requests,
            )
        )
    return results


@dataclass
class ExportResult:
    label: str
    url_name: str
    url: str = ""
    status: str = "ok"
    rows: int | None = None
    seconds: float | None = None
    rows_per_second: float | None = None
    peak_memory_mb: float | None = None
    queries: int | None = None


def measure_exports(
    subjects: Subjects, log: Callable[[str], None], only: list[str] | None = None
) -> list[ExportResult]:
    """Stream each export once (after one warm-up) and count rows, time and peak memory.

    Peak memory is what Python allocated while streaming (tracemalloc), i.e. the growth
    caused by the export, not the process size.
    """
    known = url_parameters()
    results = []
    for spec in EXPORTS:
        if not wanted(spec.label, only):
            continue
        if spec.url_name not in known:
            results.append(ExportResult(spec.label, spec.url_name, status=NOT_BUILT))
            continue
        options, problem = expand_kwargs(known[spec.url_name], subjects.params[spec.who])
        user = subjects.users.get(spec.who)
        if problem or user is None:
            results.append(ExportResult(spec.label, spec.url_name, status=problem or "nobody"))
            continue
        url = reverse(spec.url_name, kwargs=options[0][1])
        log(f"  {spec.label}: {url}")
        client = _client(user)
        client.get(url)  # warm-up (and to leave a session behind)
        gc.collect()
        tracemalloc.start()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            lines = 0
            chunks = (
                response.streaming_content
                if isinstance(response, StreamingHttpResponse)
                else [response.content]
            )
            for chunk in chunks:
                lines += bytes(chunk).count(b"\n")
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows = max(0, lines - 1)  # the header line
        results.append(
            ExportResult(
                spec.label,
                spec.url_name,
                url=url,
                status="ok" if response.status_code == 200 else f"HTTP {response.status_code}",
                rows=rows,
                seconds=round(seconds, 3),
                rows_per_second=round(rows / seconds) if seconds else None,
                peak_memory_mb=round(peak / 1_000_000, 1),
                queries=len(captured),
            )
        )
    return results


def measure_scorecard_writes(
    subjects: Subjects,
    *,
    warmup: int,
    requests: int,
    log: Callable[[str], None],
    only: list[str] | None = None,
) -> list[PageResult]:
    """Autosave (one score changed per request) and submit, each undone after timing."""
    known = url_parameters()
    draft = subjects.draft
    results = []
    writes = (
        ("Scorecard autosave (POST)", "scorecard-autosave"),
        ("Scorecard submit (POST)", "scorecard-edit"),
    )
    for label, name in writes:
        if not wanted(label, only):
            continue
        if name not in known:
            results.append(PageResult(label, name, status=NOT_BUILT))
            continue
        if draft is None:
            results.append(PageResult(label, name, status="no draft scorecard in the dataset"))
            continue
        options, problem = expand_kwargs(known[name], subjects.params["drafter"])
        if problem:
            results.append(PageResult(label, name, status=problem))
            continue
        url = reverse(name, kwargs=options[0][1])
        log(f"  {label}: {url}")
        drafter = subjects.users.get("drafter")
        if drafter is None:
            results.append(PageResult(label, name, status="nobody to open it (drafter)"))
            continue
        client = _client(drafter)
        submit = name == "scorecard-edit"
        payload = scorecard_payload(draft, submit=submit)
        changes = iter(range(10_000))

        def send(
            url: str = url,
            payload: dict[str, str] = payload,
            client: Client = client,
            changes: Iterator[int] = changes,
            submit: bool = submit,
        ) -> HttpResponseBase:
            data = dict(payload)
            first_level = next((k for k in data if k.startswith("level_")), None)
            if first_level:
                data[first_level] = str(next(changes) % 4 + 1)
            if not submit:
                return client.post(url, data)
            with rolled_back():
                return client.post(url, data)

        expect = (302,) if submit else (200, 204)
        # A submit is undone after each one, so that each finds the same draft. Autosaves
        # are undone together at the end: each one saves the draft over the last, as in
        # use, and a ROLLBACK after each would also empty the connection's prepared
        # statements (psycopg forgets them on a rollback), which no autosave in use does.
        with nullcontext() if submit else rolled_back():
            results.append(
                measure(label, name, url, send, warmup=warmup, requests=requests, expect=expect)
            )
    return results


def scorecard_payload(scorecard: Scorecard, *, submit: bool) -> dict[str, str]:
    """The scorecard form as a browser would post it: `level_<criterion>` and
    `evidence_<criterion>` per criterion; every criterion answered when submitting."""
    existing = {score.criterion_id: score for score in scorecard.scores.all()}
    data: dict[str, str] = {"recommendation": "yes", "summary": "Warm, clear examples."}
    for criterion in scorecard.assessment.criteria():
        score = existing.get(criterion.pk)
        level = ""
        if score is not None:
            level = _not_observed_choice() if score.not_observed else str(score.level or "")
        if submit and not level:
            level = "3"
        data[f"level_{criterion.pk}"] = level
        data[f"evidence_{criterion.pk}"] = (score.evidence if score else "") or "Asked first."
    if submit:
        data["submit"] = "1"
    return data


def _not_observed_choice() -> str:
    """The scorecard form's value for "not observed" (the form owns it)."""
    try:
        return str(import_string("vbr.recruitment.forms.scoring.NOT_OBSERVED"))
    except ImportError:
        return "n"


# -- the report ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import os

    memory_gb = None
    try:
        with open("/proc/meminfo") as meminfo:
            kb = int(meminfo.readline().split()[1])
            memory_gb = round(kb / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    database = connection.vendor
    version = ""
    with connection.cursor() as cursor:
        if database == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        elif database == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = cursor.fetchone()[0]
    return {
        # Other work on the machine inflates wall-clock figures: read them with this.
        "load_average_after": [round(load, 2) for load in os.getloadavg()],
        "cpus": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": database,
        "database_version": version,
    }


def calibration_ms() -> float:
    """Milliseconds for a fixed piece of pure Python (median of 5), to compare runs: when it
    is several times higher than in another run, the machine was busier and the wall-clock
    figures are inflated by about the same factor."""
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += number % 7
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


def as_dict(results: list[Any]) -> list[dict[str, Any]]:
    rows = [asdict(result) for result in results]
    for row in rows:
        row.pop("sql", None)
        row.pop("statements", None)
    return rows


def explain(pages: list[PageResult]) -> str:
    """EXPLAIN ANALYZE of every SELECT each page ran (PostgreSQL only): the evidence for
    which indexes the pages need. Then each statement with values as a prepared statement
    is, timed with the plan made for its values and with the one PostgreSQL may keep for any
    values after a few runs; a statement much slower the second way is listed first, with
    that plan (a partial index whose condition is a value, say, cannot be used by it)."""
    if connection.vendor != "postgresql":
        return "EXPLAIN output is collected on PostgreSQL only.\n"
    parts = []
    with connection.cursor() as cursor:
        for page in pages:
            for sql in page.sql:
                if not _is_select(sql):
                    continue
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
                parts.append(f"## {page.label}\n{sql}\n\n{plan}\n")
        slower, timings = [], []
        for page in pages:
            for sql, params in page.statements:
                if not _is_select(sql) or not params:
                    continue
                for_values, for_any, plan = plans_for_values_and_any(cursor, sql, params)
                timings.append(
                    f"- {page.label}: {for_values:.2f} ms for its values, {for_any:.2f} ms for "
                    f"any values: {sql[:100]}"
                )
                if for_any > 2 * for_values + 1:
                    slower.append(
                        f"## {page.label}: {for_any:.2f} ms planned for any values, "
                        f"{for_values:.2f} for its own\n{sql}\n\n{plan}\n"
                    )
    heading = "# Planned for any values (as a prepared statement may be)\n\n"
    summary = heading + (
        "\n".join(slower) if slower else "No statement is more than twice as slow.\n"
    )
    return "\n".join([summary, *parts, "# Each statement both ways\n", *timings, ""])


def _is_select(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT") and "django_session" not in sql


def plans_for_values_and_any(
    cursor: Any, sql: str, params: tuple[Any, ...]
) -> tuple[float, float, str]:
    """Milliseconds of `sql` prepared and run with the plan made for `params` and with the
    plan made for any values (the best of three each), and the second plan."""
    numbered = iter(range(1, len(params) + 1))
    # Placeholders become $1, $2…; a literal "%%" the driver would have unescaped becomes "%".
    text = re.sub(r"%([s%])", lambda m: f"${next(numbered)}" if m[1] == "s" else "%", sql)
    cursor.execute(f"PREPARE vbr_bench AS {text}")
    arguments = ", ".join(["%s"] * len(params))
    # The values written into EXECUTE's text: a utility statement takes no parameters.
    execute = cast(Any, connection.ops).compose_sql(
        f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE vbr_bench({arguments})", params
    )
    try:
        times = []
        for mode in ("force_custom_plan", "force_generic_plan"):
            cursor.execute(f"SET plan_cache_mode = {mode}")
            runs = []
            for _ in range(3):
                cursor.execute(execute)
                runs.append(cursor.fetchone()[0][0])
            times.append(min(run["Execution Time"] for run in runs))
        cursor.execute(execute.replace("(ANALYZE, FORMAT JSON)", "(ANALYZE)", 1))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    finally:
        cursor.execute("RESET plan_cache_mode")
        cursor.execute("DEALLOCATE vbr_bench")
    return times[0], times[1], plan


def table(pages: list[PageResult], exports: list[ExportResult]) -> str:
    """A plain-text table, also valid Markdown."""
    lines = [
        "| page | median ms | p95 ms | CPU median ms | queries | status |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for page in pages:
        lines.append(
            f"| {page.label} | {_fmt(page.median_ms)} | {_fmt(page.p95_ms)} | "
            f"{_fmt(page.cpu_median_ms)} | {_fmt(page.queries)} | {page.status} |"
        )
    if exports:
        lines += [
            "",
            "| export | rows | seconds | rows/s | peak memory MB | queries | status |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for export in exports:
            lines.append(
                f"| {export.label} | {_fmt(export.rows)} | {_fmt(export.seconds)} | "
                f"{_fmt(export.rows_per_second)} | {_fmt(export.peak_memory_mb)} | "
                f"{_fmt(export.queries)} | {export.status} |"
            )
    return "\n".join(lines)


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return f"{int(value):,}"
