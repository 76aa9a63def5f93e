"""For inspectors: who is missing what, by service and role, with each verification's who
and when.

The page shows a summary per service and role, read from figures stored per role
(`refresh_roles` recounts them on every change), and one page of files (two more queries);
the CSV streams every file in batches of `BATCH` files, each batch's checks in one query of
plain tuples, so that neither time per row nor memory grows with the provider.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from vbr.accounts.models import Membership, User
from vbr.compiled import CompiledQuery
from vbr.compliance.models import (
    Check,
    Checklist,
    ChecklistItem,
    MissingCount,
    RoleCompleteness,
    SaferRecruitmentFile,
)
from vbr.recruitment.models import Application, Role
from vbr.recruitment.rows import person_name
from vbr.reports.exports import neutralise

# Files per batch of the CSV (and per query of their checks).
BATCH = 2000
NO_SERVICE = "Not tied to a service"
DONE = frozenset(Check.DONE)
STATUS_LABELS = dict(Check.Status.choices)

# FILE_ORDER and FILE_COLUMNS read from the applications that have a file.
APPLICATION_ORDER = (
    F("role__service__name").asc(nulls_last=True),
    "role__title",
    "role_id",
    "candidate__last_name",
    "candidate__first_name",
    "safer_recruitment_file__pk",
)
APPLICATION_COLUMNS = (
    "safer_recruitment_file__pk",
    "candidate__first_name",
    "candidate__last_name",
    "role__service__name",
    "role__title",
    "safer_recruitment_file__opened_at",
    "safer_recruitment_file__start_date",
    "safer_recruitment_file__conditional_start",
)
# Roles in the order of their files on the page and in the CSV.
ROLE_ORDER = (F("service__name").asc(nulls_last=True), "title", "pk")
# Files in the order inspectors read them: by service, by role, then by person.
FILE_ORDER = (
    F("application__role__service__name").asc(nulls_last=True),
    "application__role__title",
    "application__role_id",
    "application__candidate__last_name",
    "application__candidate__first_name",
    "pk",
)
FILE_COLUMNS = (
    "pk",
    "application__candidate__first_name",
    "application__candidate__last_name",
    "application__role__service__name",
    "application__role__title",
    "opened_at",
    "start_date",
    "conditional_start",
)


@dataclass(frozen=True)
class FileRow:
    file_id: int
    person: str
    service: str
    role: str
    opened_at: datetime
    start_date: date | None
    conditional_start: bool
    # By item name: the check's status and how the CSV describes it.
    checks: dict[str, tuple[str, str]]
    # Item names in checklist order.
    missing: list[str]
    concerns: list[str]

    @property
    def missing_text(self) -> str:
        return ", ".join(self.missing)

    @property
    def concerns_text(self) -> str:
        return ", ".join(self.concerns)


@dataclass
class Group:
    """The files of one role (within its service): how many, how many complete, and how
    many files lack each item."""

    service: str
    role: str
    role_id: int
    files: int = 0
    complete: int = 0
    conditional: int = 0
    missing: list[tuple[str, int]] = field(default_factory=list)

    @property
    def missing_text(self) -> str:
        """What the files lack, as the page says it: "Right to work (2); References (1)"."""
        return "; ".join(f"{name} ({count})" for name, count in self.missing)


@dataclass(frozen=True)
class Filters:
    """The service and role chosen on the page (None: all). `service` is a service's id, or
    0 for the roles tied to no service."""

    service: int | None = None
    role: int | None = None

    def apply(self, files: QuerySet[SaferRecruitmentFile]) -> QuerySet[SaferRecruitmentFile]:
        if self.service == 0:
            files = files.filter(application__role__service__isnull=True)
        elif self.service is not None:
            files = files.filter(application__role__service_id=self.service)
        if self.role is not None:
            files = files.filter(application__role_id=self.role)
        return files

    def admits(self, role: Role) -> bool:
        """Whether the files of `role` are among those chosen."""
        if self.service == 0 and role.service_id is not None:
            return False
        if self.service and role.service_id != self.service:
            return False
        return self.role is None or role.pk == self.role

    def as_query(self) -> dict[str, str]:
        query = {}
        if self.service is not None:
            query["service"] = str(self.service) if self.service else "none"
        if self.role is not None:
            query["role"] = str(self.role)
        return query


def parse_filters(params: Any, roles: Sequence[Role]) -> Filters:
    """The filters asked for in `params`, kept only where they name a role the reader may see
    (or that role's service): anything else is ignored rather than refused."""
    service_ids = {role.service_id for role in roles if role.service_id is not None}
    service: int | None = None
    raw = params.get("service", "")
    if raw == "none":
        service = 0
    elif raw.isdigit() and int(raw) in service_ids:
        service = int(raw)
    role_id: int | None = None
    raw = params.get("role", "")
    if raw.isdigit() and int(raw) in {role.pk for role in roles}:
        role_id = int(raw)
    return Filters(service=service, role=role_id)


def _with_open_checks(files: QuerySet[SaferRecruitmentFile]) -> QuerySet[SaferRecruitmentFile]:
    return files.annotate(has_open=Exists(Check.objects.filter(file=OuterRef("pk")).missing()))


def _sorted(by_role: dict[int, Group]) -> list[Group]:
    for group in by_role.values():
        group.missing.sort(key=lambda pair: (-pair[1], pair[0]))
    return sorted(
        by_role.values(),
        key=lambda g: (g.service == NO_SERVICE, g.service.casefold(), g.role.casefold()),
    )


def _count(files: QuerySet[SaferRecruitmentFile]) -> tuple[dict[int, Group], list[Any]]:
    """Counted from the checks themselves: the groups by role id, and (role id, an item of
    the name, the name, files lacking it) for each name missing somewhere. Two queries."""
    counted = (
        _with_open_checks(files)
        .order_by()
        .values("application__role_id")
        .annotate(
            service=F("application__role__service__name"),
            role=F("application__role__title"),
            files=Count("pk"),
            complete=Count("pk", filter=Q(has_open=False)),
            conditional=Count("pk", filter=Q(has_open=True, conditional_start=True)),
        )
    )
    by_role = {
        row["application__role_id"]: Group(
            service=row["service"] or NO_SERVICE,
            role=row["role"],
            role_id=row["application__role_id"],
            files=row["files"],
            complete=row["complete"],
            conditional=row["conditional"],
        )
        for row in counted
    }
    missing = list(
        Check.objects.filter(file__in=files.order_by().values("pk"))
        .missing()
        .order_by()
        .values("file__application__role_id", "item__name")
        .annotate(first_item=Min("item_id"), files=Count("file_id", distinct=True))
        .values_list("file__application__role_id", "first_item", "item__name", "files")
    )
    return by_role, missing


def count_groups(files: QuerySet[SaferRecruitmentFile]) -> list[Group]:
    """Per service and role: files, complete files, conditional starts not yet complete, and
    how many files lack each item (most often missing first), counted from every check of
    `files`. The stored figures (`refresh_roles`) are this count; tests compare the two."""
    by_role, missing = _count(files)
    for role_id, _item_id, name, count in missing:
        if role_id in by_role:
            by_role[role_id].missing.append((name, count))
    return _sorted(by_role)


@transaction.atomic
def refresh_roles(role_ids: Iterable[int], *, add: bool = True) -> None:
    """Recount the stored completeness figures of these roles from their files' checks.

    Called in the transaction of every change to what they count: a file opened or deleted,
    a check's status changed, a conditional start recorded. The roles' rows are locked
    first, so two changes to one role's files are counted one after the other and the
    second count sees the first change. With `add=False` only roles that already have
    figures are recounted (a delete may be removing the role or the provider itself).
    """
    ids = sorted(set(role_ids))
    if not ids:
        return
    if add:
        RoleCompleteness.objects.bulk_create(
            [
                RoleCompleteness(role_id=pk, provider_id=provider_id)
                for pk, provider_id in Role.objects.filter(pk__in=ids).values_list(
                    "pk", "provider_id"
                )
            ],
            ignore_conflicts=True,
        )
    locked = list(
        RoleCompleteness.objects.select_for_update()
        .filter(role_id__in=ids)
        .order_by("role_id")
        .values_list("role_id", flat=True)
    )
    if not locked:
        return
    by_role, missing = _count(SaferRecruitmentFile.objects.filter(application__role_id__in=locked))
    empty = Group(service="", role="", role_id=0)
    RoleCompleteness.objects.bulk_update(
        [
            RoleCompleteness(
                role_id=pk,
                files=by_role.get(pk, empty).files,
                complete=by_role.get(pk, empty).complete,
                conditional=by_role.get(pk, empty).conditional,
            )
            for pk in locked
        ],
        ["files", "complete", "conditional"],
    )
    MissingCount.objects.filter(role_id__in=locked).delete()
    MissingCount.objects.bulk_create(
        MissingCount(role_id=role_id, item_id=item_id, files=count)
        for role_id, item_id, _name, count in missing
    )


def refresh_provider(provider_id: int) -> None:
    """Recount every role of a provider (after files were written directly, in bulk)."""
    refresh_roles(Role.objects.filter(provider_id=provider_id).values_list("pk", flat=True))


def summary_key(
    provider_slug: str, roles: Sequence[Role], chosen: Filters, groups: Sequence[Group]
) -> str:
    """A digest of everything the page's filter form and summary table show (the provider's
    address, the roles to choose from with their services, what was chosen, the summary),
    under which their drawn HTML is cached: the same digest is the same HTML, and any
    change of a figure or a name is another digest, so nothing stale is ever shown."""
    shown = (
        provider_slug,
        chosen,
        [
            (role.pk, role.title, role.service_id, role.service.name if role.service else None)
            for role in roles
        ],
        groups,
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def stored_file_count(membership: Membership) -> int:
    """How many files `membership` may see (`SaferRecruitmentFile.objects.visible_to`), from
    the stored figures of the roles it may see: no count of the files themselves."""
    figures = RoleCompleteness.objects.filter(
        provider_id=membership.provider_id, role__in=Role.objects.reported_to(membership)
    )
    return figures.aggregate(files=Sum("files"))["files"] or 0


def stored_groups(provider_id: int, roles: Sequence[Role], chosen: Filters) -> list[Group]:
    """`count_groups` of the files of `roles` (read with their services) that `chosen`
    admits, from the stored figures: two queries of a row per role and per missing item of
    the provider (kept here for the roles wanted), however many files and checks there
    are."""
    wanted = {role.pk: role for role in roles if chosen.admits(role)}
    by_role = {
        role_id: Group(
            service=wanted[role_id].service.name  # type: ignore[union-attr]
            if wanted[role_id].service_id is not None
            else NO_SERVICE,
            role=wanted[role_id].title,
            role_id=role_id,
            files=files,
            complete=complete,
            conditional=conditional,
        )
        for role_id, files, complete, conditional in _STORED_ROLES.rows(provider_id=provider_id)
        if role_id in wanted
    }
    if by_role:
        for role_id, name, count in _STORED_MISSING.rows(provider_id=provider_id):
            if role_id in by_role:
                by_role[role_id].missing.append((name, count))
    return _sorted(by_role)


# The stored figures of a provider's roles with files, and what their files lack (see
# vbr.compiled): the same two queries on every view of the page.
_STORED_ROLES: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id: RoleCompleteness.objects.filter(
        provider_id=provider_id, files__gt=0
    ).values_list("role_id", "files", "complete", "conditional"),
    provider_id=int,
)
_STORED_MISSING: CompiledQuery[Any] = CompiledQuery(
    lambda provider_id: MissingCount.objects.filter(role__provider_id=provider_id).values_list(
        "role_id", "item__name", "files"
    ),
    provider_id=int,
)


def reported_roles(membership: Membership) -> list[Role]:
    """`Role.objects.reported_to(membership)` with their services, in `ROLE_ORDER`: an
    admin's and a manager's read through a query written once (see vbr.compiled); which
    roles each sees is still `reported_to`'s rule."""
    if membership.role == Membership.Role.ADMIN:
        return _ADMIN_ROLES.objects(provider_id=membership.provider_id)
    if membership.role == Membership.Role.MANAGER:
        return _MANAGER_ROLES.objects(
            provider_id=membership.provider_id, membership_id=membership.pk
        )
    return list(_with_services(Role.objects.reported_to(membership)))


def _with_services(roles: QuerySet[Role]) -> QuerySet[Role]:
    return roles.select_related("service").order_by(*ROLE_ORDER)


# An admin's roles depend on the provider only, a manager's on the membership too.
_ADMIN_ROLES: CompiledQuery[Role] = CompiledQuery(
    lambda provider_id: _with_services(
        Role.objects.reported_to(Membership(provider_id=provider_id, role=Membership.Role.ADMIN))
    ),
    provider_id=int,
)
_MANAGER_ROLES: CompiledQuery[Role] = CompiledQuery(
    lambda provider_id, membership_id: _with_services(
        Role.objects.reported_to(
            Membership(pk=membership_id, provider_id=provider_id, role=Membership.Role.MANAGER)
        )
    ),
    provider_id=int,
    membership_id=int,
)


def ordered(
    files: QuerySet[SaferRecruitmentFile],
) -> QuerySet[SaferRecruitmentFile, tuple[Any, ...]]:
    """The files as plain tuples (FILE_COLUMNS), by service, role and person."""
    return files.order_by(*FILE_ORDER).values_list(*FILE_COLUMNS)


class PagedFiles:
    """`ordered` files of `roles`, sliced a page at a time without sorting every file. The
    files come role by role (`roles` in `ROLE_ORDER`), so the stored count of each role's
    files (`counts`, from `stored_groups`: only roles the reader chose and may see) says
    which roles a page spans and where the page starts among their files; only those
    roles' files are read and sorted."""

    def __init__(self, roles: Sequence[Role], counts: dict[int, int]) -> None:
        self.roles = [role.pk for role in roles if counts.get(role.pk)]
        self.counts = counts

    def __len__(self) -> int:
        return sum(self.counts[pk] for pk in self.roles)

    def __getitem__(self, window: slice) -> list[tuple[Any, ...]]:
        start, stop = window.start or 0, window.stop if window.stop is not None else len(self)
        spanned: list[int] = []
        before = seen = 0
        for pk in self.roles:
            if seen < stop and seen + self.counts[pk] > start:
                if not spanned:
                    before = seen
                spanned.append(pk)
            seen += self.counts[pk]
        if not spanned:
            return []
        # Read from the spanned roles' applications that have a file: the query starts from
        # the index of the roles' applications, even where the planner has no statistics for
        # the files yet (a table just filled in bulk).
        return list(
            Application.objects.filter(role_id__in=spanned, safer_recruitment_file__isnull=False)
            .order_by(*APPLICATION_ORDER)
            .values_list(*APPLICATION_COLUMNS)[start - before : stop - before]
        )


class CheckReader:
    """Reads the checks of files a batch at a time, for the page and the CSV.

    The names of the items of every checklist version in use are read once (one query), as
    are the names of the people who verified checks (one query, when a batch names someone
    not seen before). Checks are read without the ORM's conversion of each value, which
    would cost more than all the rest of a CSV row, and described as the CSV shows them.
    """

    def __init__(self, files: QuerySet[SaferRecruitmentFile], *, describe: bool = True) -> None:
        # A version is in use when one of the files has it. Looked up per version of the
        # provider (there are few), the first file found is enough: the subquery's limit
        # keeps the database from reading every file to join them to the versions.
        one_file = files.filter(checklist_id=OuterRef("pk")).order_by().values("pk")[:1]
        provider = files.order_by().values("provider_id")[:1]
        in_use = (
            Checklist.objects.filter(provider_id=Subquery(provider))
            .annotate(a_file=Subquery(one_file))
            .filter(a_file__isnull=False)
        )
        items = (
            ChecklistItem.objects.filter(checklist__in=in_use)
            .order_by("order", "pk")
            .values_list("pk", "name")
        )
        self.item_names = dict(items)
        # One column per name, in checklist order, over every version in use.
        self.names = list(dict.fromkeys(self.item_names.values()))
        self.describe = describe
        self.local = timezone.get_current_timezone()
        self.verifiers: dict[int, str] = {}
        self.verified_texts: dict[tuple[Any, int | None], str] = {}
        # The table's name comes from the model; the ids are passed as parameters. The
        # driver would parse every time into a datetime: as text (in UTC, the connection's
        # time zone), only the first of each minute is parsed.
        table = connection.ops.quote_name(Check._meta.db_table)
        self.sql = (
            "SELECT file_id, item_id, status, CAST(verified_at AS TEXT), verified_by_id "  # noqa: S608
            f"FROM {table} WHERE file_id IN ({{}})"
        )

    def read(self, file_ids: Sequence[int]) -> dict[int, dict[str, tuple[str, str]]]:
        """By file id, by item name: (status, the CSV's description)."""
        if not file_ids:
            return {}
        with connection.cursor() as cursor:
            cursor.execute(self.sql.format(", ".join(["%s"] * len(file_ids))), list(file_ids))
            found = cursor.fetchall()
        if self.describe:
            self._learn_verifiers({row[4] for row in found if row[4] is not None})
        labels, names, verified = STATUS_LABELS, self.item_names, Check.Status.VERIFIED.value
        checks: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
        for file_id, item_id, status, at, by in found:
            if status == verified and at is not None and self.describe:
                text = self._verified(at, by)
            else:
                text = labels[status]
            checks[file_id].setdefault(names[item_id], (status, text))
        return checks

    def _learn_verifiers(self, user_ids: set[int]) -> None:
        unknown = user_ids - self.verifiers.keys()
        if unknown:
            for user in User.objects.filter(pk__in=unknown).only(
                "full_name", "first_name", "last_name", "username"
            ):
                self.verifiers[user.pk] = user.display_name

    def _verified(self, at: datetime | str, by: int | None) -> str:
        # Read as text in UTC ("2026-03-01 09:30:00.123456", PostgreSQL adding "+00"). Offsets
        # are whole minutes, so the local day is the same for every time within one UTC minute.
        key = (at[:16] if isinstance(at, str) else at, by)
        text = self.verified_texts.get(key)
        if text is None:
            moment = datetime.fromisoformat(at) if isinstance(at, str) else at
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            when = moment.astimezone(self.local)
            who = self.verifiers.get(by, "") if by is not None else ""
            text = f"Verified {when.day} {when:%b %Y} by {who or 'a former member'}"
            self.verified_texts[key] = text
        return text


def file_rows(reader: CheckReader, file_tuples: Iterable[Sequence[Any]]) -> Iterator[FileRow]:
    """FileRows for `file_tuples` (from `ordered`), BATCH files at a time: one query of
    checks per batch."""
    tuples = iter(file_tuples)
    names = reader.names
    concern = Check.Status.CONCERN.value
    while batch := list(islice(tuples, BATCH)):
        checks = reader.read([row[0] for row in batch])
        for pk, first_name, last_name, service, role, opened, start, conditional in batch:
            cells = checks.get(pk, {})
            states = [(name, cells[name][0]) for name in names if name in cells]
            yield FileRow(
                file_id=pk,
                person=person_name(first_name, last_name),
                service=service or NO_SERVICE,
                role=role,
                opened_at=opened,
                start_date=start,
                conditional_start=conditional,
                checks=cells,
                missing=[name for name, status in states if status not in DONE],
                concerns=[name for name, status in states if status == concern],
            )


NOT_ON_CHECKLIST = ("", "Not on this file's checklist")


def csv_headers(items: Sequence[str]) -> list[str]:
    return [
        "Service",
        "Role",
        "Person",
        "Opened",
        "Start date",
        "Conditional start",
        "Complete",
        "Missing",
        "Concerns",
        *items,
    ]


def csv_chunks(files: QuerySet[SaferRecruitmentFile]) -> Iterator[bytes]:
    """The CSV of `files`, one chunk of bytes per batch. Every cell someone typed (names of
    people, services, roles and items) goes through `neutralise`: no spreadsheet formula."""
    reader = CheckReader(files)
    items = reader.names
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([neutralise(header) for header in csv_headers(items)])
    local = reader.local
    opened_on: dict[date, str] = {}
    rows = file_rows(reader, ordered(files).iterator(chunk_size=BATCH))
    while chunk := list(islice(rows, BATCH)):
        for row in chunk:
            cells = row.checks
            day = row.opened_at.astimezone(local).date()
            opened = opened_on.get(day) or opened_on.setdefault(day, day.isoformat())
            writer.writerow(
                (
                    neutralise(row.service),
                    neutralise(row.role),
                    neutralise(row.person),
                    opened,
                    row.start_date.isoformat() if row.start_date else "",
                    "Yes" if row.conditional_start else "No",
                    "No" if row.missing else "Yes",
                    neutralise("; ".join(row.missing)),
                    neutralise("; ".join(row.concerns)),
                    *[cells.get(name, NOT_ON_CHECKLIST)[1] for name in items],
                )
            )
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()
