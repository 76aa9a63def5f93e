"""A synthetic dataset for measuring VBR at a large provider's scale.

Everything is generated locally from `random.Random(seed)`: the same seed and size always give
the same providers, people, scores and outcomes (ids aside). Generated providers have slugs
starting with `bench-` and their people usernames starting with `bench-`; that prefix is how
the generator recognises, and deletes, what it made before.

Speed matters more than the ORM here (three million scores): rows are written as tuples with
ids assigned in Python, through PostgreSQL's COPY when available and batched INSERTs
elsewhere. Columns that the generator does not know about (added by later migrations) get
their model default, so the generator keeps working as the models grow.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from vbr.accounts.models import Membership, Provider, User
from vbr.applicants.models import Vacancy, VacancyQuestion
from vbr.recruitment.models import (
    Application,
    Assessment,
    Candidate,
    CoreValue,
    Criterion,
    Decision,
    Indicator,
    Outcome,
    Panellist,
    Role,
    Score,
    Scorecard,
    Service,
    Stage,
    StageEntry,
)
from vbr.recruitment.rules import goes_against_experts, recommendation_view
from vbr.recruitment.starter_values import (
    DEFAULT_INTERVIEW_LEVELS,
    STARTER_BEHAVIOURS,
    STARTER_VALUES,
)

SLUG_PREFIX = "bench-"
HISTORY_DAYS = 540  # applications arrive over the last 18 months


@dataclass(frozen=True)
class Size:
    """How big a dataset is. The first provider is the largest; its first role is the one the
    benchmark opens as "the role pipeline"."""

    providers: int
    largest_roles: int
    largest_applications: int
    total_applications: int
    pipeline_role_applications: int

    def with_applications(self, total: int) -> Size:
        """The same shape scaled to `total` applications (for tests and quick runs)."""
        ratio = total / self.total_applications
        largest = max(1, round(self.largest_applications * ratio))
        return replace(
            self,
            total_applications=total,
            largest_applications=largest if self.providers > 1 else total,
            pipeline_role_applications=max(1, round(self.pipeline_role_applications * ratio)),
        )


SIZES: dict[str, Size] = {
    "tiny": Size(1, 2, 40, 40, 30),
    # A busy care home group: the pipeline role has 2,000 applications, a second role 500.
    "small": Size(1, 2, 2_500, 2_500, 2_000),
    # A software-as-a-service deployment: 200 providers, the largest with 40 roles.
    "large": Size(200, 40, 60_000, 150_000, 2_000),
}

FIRST_NAMES = (  # noqa: SIM905 -- a list of words reads best as words
    "Amira Ben Chloe Daniel Ellie Farid Grace Harry Isla Jack Kavita Liam Maya Noah Olivia "
    "Priya Quentin Ruby Samuel Tariq Uma Victor Wendy Xavier Yasmin Zoe Aaron Bethany "
    "Callum Deborah Eamon Fatima George Hannah Imran Joanna Kofi Leah Mohammed Niamh Owen "
    "Patricia Rhys Siobhan Thomas Usha Vanessa William Abdul Agnieszka Bogdan Chidi Delroy "
    "Elena Femi Gurpreet Hui Ioana Jamal Krzysztof Lerato Mariam Nadia Oluwaseun Pawel "
    "Rashida Sunita Tomasz Winston Yusuf Zainab Aled Bronwen Catrin Dylan Eilidh Fraser "
    "Morag Ciaran Aoife"
).split()
LAST_NAMES = (  # noqa: SIM905 -- a list of words reads best as words
    "Hussain Carter Davies Evans Foster Khan Lewis Moss Nowak Okafor Patel Quinn Roberts "
    "Singh Taylor Usman Vaughan Williams Xu Young Zielinski Adeyemi Brown Campbell Dhillon "
    "Edwards Fletcher Green Hughes Iqbal Jones Kowalski Lloyd Murphy Nguyen O'Brien Price "
    "Rahman Smith Thomas Walsh Ahmed Begum Chowdhury Donnelly Ellis Fraser Gallagher Hall "
    "Ibrahim Jackson Kaur Mensah Morgan Owusu Popescu Reid Stewart Thompson Wright Yilmaz "
    "Baker Cooper Dixon Gray Harris Jenkins Kelly Martin Mitchell Parry Rees Scott Turner "
    "Walker Watson"
).split()
PLACE_WORDS = (  # noqa: SIM905 -- a list of words reads best as words
    "Meadow Oak Willow Cedar Rowan Heather Bramble Elm Harbour Riverside Hillcrest Larch "
    "Beacon Orchard Primrose Bluebell Maple Ashgrove Fernlea Kingfisher Lavender Moorland "
    "Thistle Hawthorn Greenacre Sandpiper Juniper Foxglove Birch Clover"
).split()
ORGANISATION_WORDS = (
    "Care Home",
    "Care Group",
    "Home Care",
    "Supported Living",
    "Nursing Home",
    "Community Care",
    "Care Partnership",
    "Day Services",
)
ROLE_TITLES = (
    "Care assistant",
    "Senior care assistant",
    "Night care assistant",
    "Support worker",
    "Home carer",
    "Activities coordinator",
    "Team leader",
    "Deputy manager",
    "Kitchen assistant",
    "Housekeeper",
    "Personal assistant",
    "Nurse",
)
SERVICE_NAMES = ("House", "Lodge", "Court", "Gardens", "View", "Place", "Mews", "Hall")

INTERVIEW_QUESTIONS: tuple[tuple[str, str, bool], ...] = (
    ("Dignity and respect", "Tell us about a time you made sure someone kept their dignity.", True),
    ("Compassion", "Describe a time you noticed someone was upset. What did you do?", True),
    ("Courage", "Tell us about a time you spoke up because something was not right.", False),
    ("Working together", "How have you helped a colleague who was struggling?", False),
    ("Person-centred", "How would you find out what matters to someone you support?", True),
    ("Compassion", "What would you do if someone refused their lunch for the third day?", False),
    ("Dignity and respect", "How do you make personal care feel private and unhurried?", False),
    ("Courage", "What would you do if a colleague was rough with someone you support?", True),
    ("Working together", "Tell us about handing over to the next shift. What matters?", False),
)
GROUP_TASKS: tuple[tuple[str, str, bool], ...] = (
    ("Working together", "Listens to others and builds on their ideas.", False),
    ("Working together", "Shares the task fairly and checks everyone is included.", True),
    ("Person-centred", "Keeps the people being supported at the centre of the plan.", True),
    ("Courage", "Says so, kindly, when the group is heading the wrong way.", False),
    ("Dignity and respect", "Talks about people who draw on care with respect.", False),
    ("Compassion", "Notices when someone in the group is struggling and helps.", False),
    ("Person-centred", "Asks what the person would want rather than assuming.", False),
)
EVIDENCE = {
    1: (
        "Could not give an example; talked about tasks rather than the person.",
        "Spoke over the resident and did not wait for an answer.",
        "The example was about what others did, not their own actions.",
    ),
    2: (
        "A general answer; little about what they did themselves.",
        "Friendly but rushed; checked in once.",
        "Knew the right words but no example from their own experience.",
    ),
    3: (
        "Gave a clear example from caring for their grandmother.",
        "Asked before helping and explained what they were doing.",
        "Waited for the person to finish and answered what was said.",
    ),
    4: (
        "Specific example of closing the door and asking before helping; reflected on it.",
        "Adapted how they spoke for each resident and checked they were understood.",
        "Raised a concern with a manager and followed it up; explained what they learnt.",
    ),
}
SUMMARIES = (
    "Warm and thoughtful; good examples about choice.",
    "Kind but needs support to give specific examples.",
    "Residents responded well; would suit nights.",
    "Strong on teamwork; less sure on speaking up.",
    "Not ready yet; little evidence on dignity.",
)
DECISION_REASONS: dict[str, str] = {
    Decision.Kind.PROGRESS: "Good evidence across the values; the panel agreed.",
    Decision.Kind.OFFER: "Strong evidence on every essential value; references fine.",
    Decision.Kind.HIRE: "Accepted the offer; checks completed.",
    Decision.Kind.DECLINE: "Weak evidence on an essential value; feedback offered.",
}
SCREENED_OUT_REASON = "Did not meet the essential requirements on the application form."
OVERRIDE_REASON = "The panel's evidence on the essential values outweighed it; discussed with them."
SOURCES = [s for s, _ in Application.Source.choices]
# Website, job board, referral, Jobcentre, social media, agency, returning to care, other.
SOURCE_WEIGHTS = [28, 24, 15, 8, 12, 6, 3, 4]
LEAVING_REASONS = [r for r, _ in Outcome.LeavingReason.choices]
LEAVING_WEIGHTS = [30, 25, 20, 8, 12, 5]


# -- writing rows fast -----------------------------------------------------------------------


class RowWriter:
    """Buffers rows per model and writes them in bulk: COPY on PostgreSQL, INSERTs elsewhere.

    Ids are assigned here, from the table's current maximum, so that children can point at
    parents before anything is written. Run it on a database nobody else writes to while it
    runs; the sequences are moved past the new ids at the end (`finish`).
    """

    BATCH = 20_000

    def __init__(self, models_in_order: Sequence[type[models.Model]]) -> None:
        self.order = list(models_in_order)
        self.buffers: dict[type[models.Model], list[tuple[Any, ...]]] = {m: [] for m in self.order}
        self.columns: dict[type[models.Model], list[models.Field]] = {}  # type: ignore[type-arg]
        self.given: dict[type[models.Model], dict[str, int]] = {}
        self.defaults: dict[type[models.Model], list[Any]] = {}
        self.next_id: dict[type[models.Model], int] = {}
        self.counts: dict[type[models.Model], int] = dict.fromkeys(self.order, 0)
        self.is_postgres = connection.vendor == "postgresql"
        for model in self.order:
            top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
            self.next_id[model] = (top or 0) + 1

    def declare(self, model: type[models.Model], names: Sequence[str]) -> None:
        """The attributes (attnames, e.g. `provider_id`) the generator gives for `model`, in
        the order of the tuples passed to `add`; `id` is always first and implicit."""
        fields = [f for f in model._meta.concrete_fields]
        by_attname = {f.attname: f for f in fields}
        unknown = set(names) - set(by_attname)
        if unknown:
            raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
        self.columns[model] = fields
        self.given[model] = {name: i for i, name in enumerate(["id", *names])}
        now = timezone.now()
        defaults = []
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults.append(now)
            else:
                defaults.append(f.get_default())
        self.defaults[model] = defaults

    def new_id(self, model: type[models.Model]) -> int:
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def add(self, model: type[models.Model], row: tuple[Any, ...]) -> None:
        self.buffers[model].append(row)

    def flush_if_full(self) -> None:
        """Flush when a buffer is full. Call it only where every buffered child's parent is
        buffered too (between applications), because foreign keys are checked per COPY."""
        if any(len(buffer) >= self.BATCH for buffer in self.buffers.values()):
            self.flush()

    def flush(self) -> None:
        """Write every buffer, parents before children."""
        for model in self.order:
            if self.buffers[model]:
                self._write(model, self.buffers[model])
                self.counts[model] += len(self.buffers[model])
                self.buffers[model] = []

    def _full_rows(
        self, model: type[models.Model], rows: list[tuple[Any, ...]]
    ) -> Iterable[tuple[Any, ...]]:
        given = self.given[model]
        positions = [given.get(f.attname) for f in self.columns[model]]
        defaults = self.defaults[model]
        adapters = [self._adapter(f) for f in self.columns[model]]
        for row in rows:
            yield tuple(
                adapt(row[pos] if pos is not None else default)
                for pos, default, adapt in zip(positions, defaults, adapters, strict=True)
            )

    def _adapter(self, field: models.Field) -> Callable[[Any], Any]:  # type: ignore[type-arg]
        if self.is_postgres:
            # COPY takes JSON as its text; everything else as it is.
            return json.dumps if isinstance(field, models.JSONField) else _same
        if isinstance(field, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return connection.ops.adapt_datefield_value
        if isinstance(field, models.JSONField):
            return lambda value: field.get_db_prep_value(value, connection)
        return _same

    def _write(self, model: type[models.Model], rows: list[tuple[Any, ...]]) -> None:
        table = connection.ops.quote_name(model._meta.db_table)
        names = [connection.ops.quote_name(str(f.column)) for f in self.columns[model]]
        with connection.cursor() as cursor:
            if self.is_postgres:
                sql = f"COPY {table} ({', '.join(names)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in self._full_rows(model, rows):
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(names))
                sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, list(self._full_rows(model, rows)))

    def finish(self) -> None:
        """Flush, then move id sequences past the ids assigned here."""
        self.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), self.order)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _same(value: Any) -> Any:
    return value


# -- deleting what an earlier run made -------------------------------------------------------


def delete_synthetic() -> int:
    """Delete every `bench-` provider with everything under it, and the `bench-` users.

    Django's cascading delete loads every row into memory first, which takes minutes for
    millions of scores; here each table is emptied with one DELETE … WHERE id IN (subquery),
    children first, following the models' relations (so tables added later are covered).
    """
    providers = Provider.objects.filter(slug__startswith=SLUG_PREFIX)
    count = providers.count()
    with transaction.atomic():
        skip_row_triggers()
        _purge(Provider, providers, depth=0)
        _purge(User, User.objects.filter(username__startswith=SLUG_PREFIX), depth=0)
    return count


def skip_row_triggers() -> None:
    """In the current transaction on PostgreSQL, skip the per-row foreign-key triggers, as
    `pg_restore --disable-triggers` does: the generator assigns every id itself, so each
    reference is known to exist (the tests check the relations), and deletes go children
    first; the checks would otherwise triple the time. It needs a superuser; without one,
    foreign keys are checked at the end of each statement instead of queued to the commit.
    """
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _purge(model: type[models.Model], queryset: models.QuerySet, *, depth: int) -> None:  # type: ignore[type-arg]
    if depth > 12:
        raise RuntimeError(f"Relations nest too deeply under {model.__name__}")
    ids = queryset.values("pk")
    for relation in model._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        related = relation.related_model
        lookup = {f"{relation.field.name}__in": ids}
        on_delete = relation.on_delete
        if on_delete in (models.SET_NULL, models.SET_DEFAULT, models.DO_NOTHING):
            if on_delete is models.SET_NULL:
                related._base_manager.filter(**lookup).update(**{relation.field.name: None})
            continue
        _purge(related, related._base_manager.filter(**lookup), depth=depth + 1)
    sql, params = ids.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(str(model._meta.pk.column))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)  # noqa: S608


# -- generating ------------------------------------------------------------------------------


@dataclass
class Person:
    user_id: int
    name: str
    expert: bool


@dataclass
class StagePlan:
    stage_id: int
    kind: str
    # criteria version -> [(criterion id, core value id)]
    criteria: dict[int, list[tuple[int, int]]]
    current_version: int
    version_changed_at: datetime | None = None

    def version_at(self, when: datetime) -> int:
        if self.version_changed_at is not None and when < self.version_changed_at:
            return self.current_version - 1
        return self.current_version


@dataclass
class RolePlan:
    role_id: int
    stages: list[StagePlan]
    applications: int


@dataclass
class Summary:
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


MODELS_IN_ORDER: tuple[type[models.Model], ...] = (
    Provider,
    User,
    Membership,
    CoreValue,
    Indicator,
    Service,
    Role,
    Vacancy,
    VacancyQuestion,
    Stage,
    Criterion,
    Candidate,
    Application,
    StageEntry,
    Assessment,
    Panellist,
    Scorecard,
    Score,
    Decision,
    Outcome,
)


class Generator:
    """Builds the dataset provider by provider, one transaction each."""

    def __init__(self, *, size: Size, seed: int, now: datetime | None = None) -> None:
        self.size = size
        self.seed = seed
        self.rng = random.Random(seed)
        # Dates are relative to a fixed day so that a seed always gives the same dataset.
        self.now = now or timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
        self.unusable_password = make_password(None)

    def run(self, progress: Callable[[str], None] = lambda _: None) -> Summary:
        started = time.perf_counter()
        writer = RowWriter(MODELS_IN_ORDER)
        self._declare(writer)
        self.w = writer
        for index, (roles, applications) in enumerate(self._provider_sizes()):
            with transaction.atomic():
                skip_row_triggers()
                self._provider(index, roles, applications)
                writer.flush()
            if index % 20 == 0 or index == self.size.providers - 1:
                progress(
                    f"provider {index + 1}/{self.size.providers}: "
                    f"{writer.counts[Application]:,} applications, "
                    f"{writer.counts[Score]:,} scores ({time.perf_counter() - started:.0f} s)"
                )
        with transaction.atomic():
            writer.finish()
        # Scores were written directly: store the per-value totals that submitting each
        # scorecard would have stored.
        from vbr.recruitment.workflow import refresh_all_value_levels

        refreshed = refresh_all_value_levels(
            Application.objects.filter(provider__slug__startswith=SLUG_PREFIX)
        )
        progress(f"per-value totals stored for {refreshed:,} applications")
        with transaction.atomic():
            counted = Assessment.objects.filter(
                application__provider__slug__startswith=SLUG_PREFIX
            ).refresh_scoring_progress()
        progress(f"scoring progress stored for {counted:,} assessments")
        # And the panel report's tallies, as submitting would have stored them.
        from vbr.reports.agreement import refresh_all_agreement

        tallied = refresh_all_agreement(
            Scorecard.objects.filter(
                assessment__application__provider__slug__startswith=SLUG_PREFIX,
                submitted_at__isnull=False,
            )
            .order_by()  # no default ordering, or DISTINCT would keep one row per scorecard
            .values_list("assessment_id", flat=True)
            .distinct()
        )
        progress(f"panel agreement tallies stored for {tallied:,} assessments")
        # And a new reports version for each provider, as any write would give it.
        from vbr.reports.caching import reports_changed

        for provider_id in Provider.objects.filter(slug__startswith=SLUG_PREFIX).values_list(
            "pk", flat=True
        ):
            reports_changed(provider_id=provider_id)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if connection.in_atomic_block:
                    cursor.execute("ANALYZE")
                else:
                    # Fresh statistics for the planner, and a visibility map so that
                    # index-only scans are index-only, as autovacuum would leave them.
                    cursor.execute("VACUUM ANALYZE")
        return Summary(
            seconds=time.perf_counter() - started,
            counts={m._meta.verbose_name_plural: n for m, n in writer.counts.items()},  # type: ignore[misc]
        )

    # -- shape -----------------------------------------------------------------------------

    def _provider_sizes(self) -> list[tuple[int, int]]:
        """(roles, applications) per provider; the first is the largest."""
        size = self.size
        sizes = [(size.largest_roles, size.largest_applications)]
        others = size.providers - 1
        if others <= 0:
            return sizes
        remaining = max(others, size.total_applications - size.largest_applications)
        # A long tail: many small providers and a few big ones (Pareto weights).
        weights = [min(self.rng.paretovariate(1.3), 40.0) for _ in range(others)]
        scale = remaining / sum(weights)
        for weight in weights:
            applications = max(1, round(weight * scale))
            roles = max(1, min(size.largest_roles - 1, round(math.sqrt(applications) / 4)))
            sizes.append((roles, applications))
        return sizes

    def _declare(self, w: RowWriter) -> None:
        w.declare(Provider, ["name", "slug", "kind", "nation", "retention_months", "created_at"])
        w.declare(User, ["username", "password", "full_name", "first_name", "last_name"])
        w.declare(Membership, ["user_id", "provider_id", "role", "is_expert_by_experience"])
        w.declare(CoreValue, ["provider_id", "name", "description", "order"])
        w.declare(Indicator, ["core_value_id", "kind", "text", "order"])
        w.declare(Service, ["provider_id", "name", "created_at"])
        w.declare(
            Role, ["provider_id", "service_id", "title", "description", "is_open", "created_at"]
        )
        w.declare(Stage, ["role_id", "name", "kind", "order", "description", "criteria_version"])
        w.declare(
            Vacancy,
            [
                "provider_id",
                "role_id",
                "status",
                "summary",
                "day_to_day",
                "hours",
                "pay_from",
                "pay_to",
                "town",
                "published_at",
            ],
        )
        w.declare(VacancyQuestion, ["vacancy_id", "core_value_id", "prompt", "order"])
        w.declare(
            Criterion,
            [
                "stage_id",
                "core_value_id",
                "version",
                "order",
                "prompt",
                "level_1",
                "level_2",
                "level_3",
                "level_4",
                "essential",
            ],
        )
        w.declare(
            Candidate, ["provider_id", "first_name", "last_name", "email", "phone", "created_at"]
        )
        w.declare(
            Application,
            [
                "provider_id",
                "candidate_id",
                "role_id",
                "current_stage_id",
                "status",
                "source",
                "applied_at",
                "stage_entered_at",
                "status_changed_at",
            ],
        )
        w.declare(StageEntry, ["application_id", "stage_id", "entered_at"])
        w.declare(
            Assessment,
            [
                "application_id",
                "provider_id",
                "stage_id",
                "criteria_version",
                "scheduled_at",
                "place",
                "status",
                "closed_at",
                "created_at",
            ],
        )
        w.declare(Panellist, ["assessment_id", "user_id", "panel_role"])
        w.declare(
            Scorecard,
            [
                "assessment_id",
                "panellist_id",
                "recommendation",
                "summary",
                "submitted_at",
                "updated_at",
            ],
        )
        w.declare(Score, ["scorecard_id", "criterion_id", "level", "not_observed", "evidence"])
        w.declare(
            Decision,
            [
                "application_id",
                "stage_id",
                "kind",
                "reasons",
                "override_reason",
                "decided_by_id",
                "decided_at",
            ],
        )
        w.declare(
            Outcome,
            ["application_id", "start_date", "probation", "left_on", "leaving_reason", "notes"],
        )

    # -- one provider ----------------------------------------------------------------------

    def _provider(self, index: int, role_count: int, application_count: int) -> None:
        rng, w = self.rng, self.w
        slug = f"{SLUG_PREFIX}{index:03d}"
        individual = index > 0 and role_count == 1 and application_count < 40
        kind: str
        if individual:
            kind = Provider.Kind.INDIVIDUAL_EMPLOYER
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (individual employer)"
        else:
            kind = rng.choice(
                [k for k, _ in Provider.Kind.choices if k != Provider.Kind.INDIVIDUAL_EMPLOYER]
            )
            name = f"{rng.choice(PLACE_WORDS)} {rng.choice(ORGANISATION_WORDS)}"
        nation = rng.choices([n for n, _ in Provider.Nation.choices], [84, 5, 8, 3])[0]
        provider_id = w.new_id(Provider)
        w.add(Provider, (provider_id, name, slug, kind, nation, 6, self.now))

        self.managers, self.experts = self._people(
            provider_id, slug, role_count, individual=individual
        )
        self.value_ids = self._values(provider_id)
        plans = self._roles(provider_id, index, role_count, application_count, individual)
        for plan in plans:
            for _ in range(plan.applications):
                self._application(provider_id, plan)
                self.w.flush_if_full()

    def _people(
        self, provider_id: int, slug: str, role_count: int, *, individual: bool
    ) -> tuple[list[Person], list[Person]]:
        rng, w = self.rng, self.w
        managers_wanted = 1 if individual else max(2, min(12, role_count))
        experts_wanted = 0 if individual else max(1, min(8, role_count // 2 + 1))
        people: list[tuple[str, str, bool]] = [(f"{slug}-admin", Membership.Role.ADMIN, False)]
        people += [
            (f"{slug}-manager-{i}", Membership.Role.MANAGER, False)
            for i in range(1, 1 + managers_wanted)
        ]
        people += [
            (f"{slug}-expert-{i}", Membership.Role.PANEL, True)
            for i in range(1, 1 + experts_wanted)
        ]
        managers, experts = [], []
        for username, role, expert in people:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            user_id = w.new_id(User)
            w.add(User, (user_id, username, self.unusable_password, f"{first} {last}", first, last))
            w.add(Membership, (w.new_id(Membership), user_id, provider_id, role, expert))
            person = Person(user_id=user_id, name=f"{first} {last}", expert=expert)
            if expert:
                experts.append(person)
            elif role == Membership.Role.MANAGER or individual:
                managers.append(person)
        return managers, experts

    def _values(self, provider_id: int) -> dict[str, int]:
        w = self.w
        ids = {}
        for order, starter in enumerate(STARTER_VALUES, start=1):
            value_id = w.new_id(CoreValue)
            ids[starter.name] = value_id
            w.add(CoreValue, (value_id, provider_id, starter.name, starter.description, order))
            for kind, texts in (
                (Indicator.Kind.POSITIVE, starter.positive),
                (Indicator.Kind.NEGATIVE, starter.negative),
            ):
                for i, text in enumerate(texts):
                    w.add(Indicator, (w.new_id(Indicator), value_id, kind, text, i))
        return ids

    def _roles(
        self, provider_id: int, index: int, role_count: int, applications: int, individual: bool
    ) -> list[RolePlan]:
        rng = self.rng
        if index == 0:
            first = min(self.size.pipeline_role_applications, applications)
            rest = applications - first
            weights = [rng.uniform(0.3, 1.5) for _ in range(role_count - 1)]
            shares = [first, *_split(rest, weights)]
        else:
            shares = _split(applications, [rng.uniform(0.3, 1.5) for _ in range(role_count)])
        # A care home or two, branches or teams: the files and reports are grouped by them.
        # Drawn from their own generator, so that the rest of the dataset is as it was.
        services: list[int | None] = [None]
        if not individual:
            names_rng = random.Random(f"{self.seed}-services-{provider_id}")
            names = {
                f"{names_rng.choice(PLACE_WORDS)} {names_rng.choice(SERVICE_NAMES)}"
                for _ in range(max(1, min(6, role_count // 3 + 1)))
            }
            services = []
            for name in sorted(names):
                services.append(self.w.new_id(Service))
                self.w.add(Service, (services[-1], provider_id, name, self.now))
        plans = []
        for i, share in enumerate(shares):
            if individual:
                title = "Personal assistant"
            else:
                title = ROLE_TITLES[i % len(ROLE_TITLES)]
                if i >= len(ROLE_TITLES) or i > 0:
                    title = f"{title} — {rng.choice(PLACE_WORDS)} {rng.choice(SERVICE_NAMES)}"
            plans.append(
                self._role(
                    provider_id,
                    title,
                    share,
                    service_id=services[i % len(services)],
                    pipeline=index == 0 and i == 0,
                )
            )
        self._vacancy(provider_id, plans[0].role_id)
        return plans

    def _role(
        self,
        provider_id: int,
        title: str,
        applications: int,
        *,
        service_id: int | None,
        pipeline: bool,
    ) -> RolePlan:
        rng, w = self.rng, self.w
        role_id = w.new_id(Role)
        open_now = rng.random() < 0.9 or pipeline
        w.add(Role, (role_id, provider_id, service_id, title, "", open_now, self.now))
        kinds = [Stage.Kind.INTERVIEW]
        if pipeline or rng.random() < 0.25:
            kinds.append(Stage.Kind.GROUP_ACTIVITY)
        if pipeline or rng.random() < 0.85:
            kinds.append(Stage.Kind.SHADOWING)
        stages = []
        for order, kind in enumerate(kinds, start=1):
            # Some roles changed their interview questions part-way: older assessments keep v1.
            versions = 2 if kind == Stage.Kind.INTERVIEW and rng.random() < 0.15 else 1
            stage_id = w.new_id(Stage)
            w.add(
                Stage,
                (stage_id, role_id, Stage.Kind(kind).label, kind, order, "", versions),
            )
            criteria = {v: self._criteria(stage_id, kind, v) for v in range(1, versions + 1)}
            changed = self.now - timedelta(days=rng.randint(60, 300)) if versions == 2 else None
            stages.append(StagePlan(stage_id, kind, criteria, versions, changed))
        return RolePlan(role_id=role_id, stages=stages, applications=applications)

    def _vacancy(self, provider_id: int, role_id: int) -> None:
        """Each provider's first role is published as a vacancy with two values questions
        (the benchmark opens the pipeline role's). No random numbers are drawn, so a seed
        gives the same candidates and scores as before."""
        w = self.w
        vacancy_id = w.new_id(Vacancy)
        w.add(
            Vacancy,
            (
                vacancy_id,
                provider_id,
                role_id,
                Vacancy.Status.PUBLISHED,
                "Support people to live well, their way.",
                "You help people get up, wash and dress, at their pace.\n\nYou cook and eat "
                "with them, and go out with them to the shops and the park.",
                "Three 12-hour shifts a week",
                Decimal("12.60"),
                Decimal("13.40"),
                "Leeds",
                self.now - timedelta(days=14),
            ),
        )
        for order, name in enumerate(list(self.value_ids)[:2]):
            w.add(
                VacancyQuestion,
                (
                    w.new_id(VacancyQuestion),
                    vacancy_id,
                    self.value_ids[name],
                    f"Tell us about a time you showed {name.lower()} to someone.",
                    order,
                ),
            )

    def _criteria(self, stage_id: int, kind: str, version: int) -> list[tuple[int, int]]:
        w = self.w
        if kind == Stage.Kind.SHADOWING:
            items = [
                (b.value, b.prompt, b.name in ("Warmth", "Respectful touch"), b.levels)
                for b in STARTER_BEHAVIOURS
            ]
        else:
            source = INTERVIEW_QUESTIONS if kind == Stage.Kind.INTERVIEW else GROUP_TASKS
            items = [(v, p, e, DEFAULT_INTERVIEW_LEVELS) for v, p, e in source]
            if version == 1 and kind == Stage.Kind.INTERVIEW:
                items = items[:-1]  # the first version had one question fewer
        result = []
        for order, (value, prompt, essential, levels) in enumerate(items, start=1):
            criterion_id = w.new_id(Criterion)
            value_id = self.value_ids[value]
            w.add(
                Criterion,
                (criterion_id, stage_id, value_id, version, order, prompt, *levels, essential),
            )
            result.append((criterion_id, value_id))
        return result

    # -- one application ---------------------------------------------------------------------

    def _candidate(self, provider_id: int, applied: datetime) -> int:
        rng, w = self.rng, self.w
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        candidate_id = w.new_id(Candidate)
        email = f"{first.lower()}.{last.lower().replace(chr(39), '')}{candidate_id}@example.com"
        phone = f"07{rng.randint(100000000, 999999999)}"
        w.add(Candidate, (candidate_id, provider_id, first, last, email, phone, applied))
        return candidate_id

    def _application(self, provider_id: int, plan: RolePlan) -> None:
        rng, w = self.rng, self.w
        applied = self.now - timedelta(minutes=rng.randint(0, HISTORY_DAYS * 24 * 60))
        candidate_id = self._candidate(provider_id, applied)
        application_id = w.new_id(Application)
        quality = min(3.9, max(1.2, rng.gauss(2.75, 0.55)))
        leanings = {value_id: rng.gauss(0, 0.3) for value_id in self.value_ids.values()}

        status = Application.Status.ACTIVE
        stage_index = 0
        entered = applied
        last_change = applied
        for stage_index, stage in enumerate(plan.stages):
            w.add(StageEntry, (w.new_id(StageEntry), application_id, stage.stage_id, entered))
            if stage_index == 0 and rng.random() < 0.40:
                # Screened out on the application form, or still waiting to be screened.
                if self.now - applied > timedelta(days=10):
                    if rng.random() < 0.25:
                        status = Application.Status.WITHDRAWN
                    else:
                        status = Application.Status.DECLINED
                        self._decision(
                            application_id,
                            stage.stage_id,
                            Decision.Kind.DECLINE,
                            applied,
                            reasons=SCREENED_OUT_REASON,
                        )
                    last_change = applied + timedelta(days=rng.randint(2, 10))
                break
            if rng.random() < 0.06:
                status, last_change = Application.Status.WITHDRAWN, entered + timedelta(days=2)
                break
            when = entered + timedelta(days=rng.uniform(3, 12))
            result = self._assessment(provider_id, application_id, stage, when, quality, leanings)
            if result is None:  # still to happen, or still being scored
                break
            mean_level, decided_at, experts = result
            last_change = decided_at
            if mean_level + rng.gauss(0, 0.25) < 2.55:
                status = Application.Status.DECLINED
                self._decision(
                    application_id, stage.stage_id, Decision.Kind.DECLINE, decided_at, experts
                )
                break
            if rng.random() < 0.05:
                status = Application.Status.WITHDRAWN
                break
            if stage_index == len(plan.stages) - 1:
                self._decision(
                    application_id, stage.stage_id, Decision.Kind.OFFER, decided_at, experts
                )
                if rng.random() < 0.1:
                    status = Application.Status.WITHDRAWN  # turned the offer down
                elif self.now - decided_at < timedelta(days=7):
                    status = Application.Status.OFFERED
                else:
                    hired_at = decided_at + timedelta(days=7)
                    status, last_change = Application.Status.HIRED, hired_at
                    self._decision(
                        application_id, stage.stage_id, Decision.Kind.HIRE, hired_at, experts
                    )
                    self._outcome(application_id, hired_at, quality)
                break
            self._decision(
                application_id, stage.stage_id, Decision.Kind.PROGRESS, decided_at, experts
            )
            entered = decided_at
        source = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
        w.add(
            Application,
            (
                application_id,
                provider_id,
                candidate_id,
                plan.role_id,
                plan.stages[stage_index].stage_id,
                status,
                source,
                applied,
                entered,
                last_change,
            ),
        )

    def _assessment(
        self,
        provider_id: int,
        application_id: int,
        stage: StagePlan,
        when: datetime,
        quality: float,
        leanings: dict[int, float],
    ) -> tuple[float, datetime, str] | None:
        """Schedule, panel and score one assessment. Returns (mean level, decided at, the
        experts' view) once the panel has finished, else None."""
        rng, w = self.rng, self.w
        assessment_id = w.new_id(Assessment)
        version = stage.version_at(when)
        criteria = stage.criteria[version]
        future = when > self.now
        scoring = not future and self.now - when < timedelta(days=4)
        decided_at = when + timedelta(days=rng.uniform(1, 3))
        status = (
            Assessment.Status.SCHEDULED
            if future
            else Assessment.Status.SCORING
            if scoring
            else Assessment.Status.CLOSED
        )
        place = "Garden room" if stage.kind == Stage.Kind.INTERVIEW else "Rose unit"
        w.add(
            Assessment,
            (
                assessment_id,
                application_id,
                provider_id,
                stage.stage_id,
                version,
                when,
                place,
                status,
                None if future or scoring else decided_at,
                when - timedelta(days=5),
            ),
        )
        panel = self._panel()
        not_observed_rates: dict[str, float] = {
            Stage.Kind.SHADOWING: 0.10,
            Stage.Kind.GROUP_ACTIVITY: 0.08,
        }
        not_observed_rate = not_observed_rates.get(stage.kind, 0.03)
        all_levels: list[int] = []
        expert_recommendations: list[str] = []
        for person, panel_role in panel:
            panellist_id = w.new_id(Panellist)
            w.add(Panellist, (panellist_id, assessment_id, person.user_id, panel_role))
            if future:
                continue
            submitted = not scoring or rng.random() < 0.5
            answered = criteria if submitted else criteria[: rng.randint(0, len(criteria))]
            if not submitted and not answered and rng.random() < 0.5:
                continue  # has not opened the scorecard yet
            scorecard_id = w.new_id(Scorecard)
            bias = rng.gauss(0, 0.2)
            noise = 0.7 if person.expert else 0.55
            levels: list[int] = []
            for criterion_id, value_id in answered:
                if rng.random() < not_observed_rate:
                    w.add(Score, (w.new_id(Score), scorecard_id, criterion_id, None, True, ""))
                    continue
                raw = quality + leanings[value_id] + bias + rng.gauss(0, noise)
                level = min(4, max(1, round(raw)))
                levels.append(level)
                evidence = rng.choice(EVIDENCE[level])
                w.add(Score, (w.new_id(Score), scorecard_id, criterion_id, level, False, evidence))
            mean = sum(levels) / len(levels) if levels else 0.0
            recommendation = ""
            summary = ""
            submitted_at = None
            if submitted:
                recommendation = _recommendation(mean)
                summary = rng.choice(SUMMARIES)
                submitted_at = when + timedelta(hours=rng.uniform(1, 20))
                all_levels.extend(levels)
                if panel_role == Panellist.PanelRole.EXPERT_BY_EXPERIENCE:
                    expert_recommendations.append(recommendation)
            updated = submitted_at or when + timedelta(hours=1)
            w.add(
                Scorecard,
                (
                    scorecard_id,
                    assessment_id,
                    panellist_id,
                    recommendation,
                    summary,
                    submitted_at,
                    updated,
                ),
            )
        if future or scoring:
            return None
        mean_level = sum(all_levels) / len(all_levels) if all_levels else 0.0
        return mean_level, decided_at, recommendation_view(expert_recommendations)

    def _panel(self) -> list[tuple[Person, str]]:
        rng = self.rng
        size = rng.choices([2, 3, 4], [25, 45, 30])[0]
        chair = rng.choice(self.managers)
        panel: list[tuple[Person, str]] = [(chair, Panellist.PanelRole.CHAIR)]
        peers = [m for m in self.managers if m is not chair]
        experts = list(self.experts)
        while len(panel) < size and (peers or experts):
            want_expert = experts and (not peers or rng.random() < 0.55)
            pool = experts if want_expert else peers
            person = pool.pop(rng.randrange(len(pool)))
            role = (
                Panellist.PanelRole.EXPERT_BY_EXPERIENCE
                if want_expert
                else Panellist.PanelRole.STAFF_PEER
            )
            panel.append((person, role))
        return panel

    def _decision(
        self,
        application_id: int,
        stage_id: int,
        kind: str,
        when: datetime,
        experts: str = "none",
        *,
        reasons: str = "",
    ) -> None:
        """A decision at a stage, with a reason wherever it goes against the experts' view
        there, as `record_decision` would insist."""
        manager = self.rng.choice(self.managers)
        against = goes_against_experts(view=experts, kind=kind)
        self.w.add(
            Decision,
            (
                self.w.new_id(Decision),
                application_id,
                stage_id,
                kind,
                reasons or DECISION_REASONS[kind],
                OVERRIDE_REASON if against else "",
                manager.user_id,
                when,
            ),
        )

    def _outcome(self, application_id: int, hired_at: datetime, quality: float) -> None:
        """Start, probation and leaving over the 18 months: stronger values evidence stays
        a little longer, which is the relationship the outcome reports look for."""
        rng = self.rng
        start = (hired_at + timedelta(days=rng.randint(14, 35))).date()
        today = self.now.date()
        if start > today:
            self.w.add(
                Outcome, (self.w.new_id(Outcome), application_id, start, "pending", None, "", "")
            )
            return
        yearly_leaving = max(0.08, 0.45 - 0.12 * (quality - 2.5))
        days_to_leave = int(rng.expovariate(-math.log(1 - yearly_leaving) / 365))
        left_on: date | None = start + timedelta(days=days_to_leave)
        reason = ""
        if left_on is not None and left_on <= today:
            reason = rng.choices(LEAVING_REASONS, LEAVING_WEIGHTS)[0]
        else:
            left_on = None
        served = ((left_on or today) - start).days
        if served < 180:
            probation = Outcome.Probation.FAILED if left_on and rng.random() < 0.3 else "pending"
        else:
            probation = rng.choices(["passed", "extended", "failed"], [88, 8, 4])[0]
        self.w.add(
            Outcome,
            (self.w.new_id(Outcome), application_id, start, probation, left_on, reason, ""),
        )


def _recommendation(mean: float) -> str:
    if mean >= 3.3:
        return Scorecard.Recommendation.STRONG_YES
    if mean >= 2.6:
        return Scorecard.Recommendation.YES
    if mean >= 1.9:
        return Scorecard.Recommendation.NO
    return Scorecard.Recommendation.STRONG_NO


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` into integer parts in proportion to `weights`, summing exactly."""
    if not weights:
        return []
    scale = total / sum(weights)
    parts = [int(weight * scale) for weight in weights]
    for i in range(total - sum(parts)):
        parts[i % len(parts)] += 1
    return parts


def synthetic_providers_present() -> bool:
    return Provider.objects.filter(slug__startswith=SLUG_PREFIX).exists()


def other_providers_present() -> bool:
    """True when the database holds providers the generator did not make (e.g. the demo)."""
    return Provider.objects.exclude(slug__startswith=SLUG_PREFIX).exists()
