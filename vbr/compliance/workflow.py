"""Steps on the safer-recruitment file: the checklist made from the nation's rules and
extended by the provider, opening a file, recording a check's evidence, the employment
history and its gaps, and the gates before shadowing and before the first shift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from vbr.accounts.models import Provider, User
from vbr.compliance import checklists, completeness
from vbr.compliance.checklists import Kind
from vbr.compliance.gaps import Gap, find_gaps
from vbr.compliance.models import (
    Check,
    CheckEvent,
    Checklist,
    ChecklistItem,
    ComplianceSettings,
    EmploymentSpell,
    GapExplanation,
    SaferRecruitmentFile,
)
from vbr.recruitment.models import Application, Outcome, Role, Stage
from vbr.reports.caching import reports_changed


class FileNotOpenable(Exception):
    """The application cannot have a file yet (or any more)."""


class CheckNotVerifiable(Exception):
    """The check lacks what verifying it needs; the message says what."""


class StartRefused(Exception):
    """A start date cannot be confirmed: checks are outstanding and no lawful conditional
    start was recorded. `outstanding` lists them."""

    def __init__(self, message: str, outstanding: list[Check] | None = None) -> None:
        super().__init__(message)
        self.outstanding = outstanding or []


# -- The checklist ------------------------------------------------------------------------


def current_checklist(provider: Provider) -> Checklist:
    """The provider's newest checklist version, made from its nation's rules the first time
    it is asked for."""
    checklist = provider.checklists.order_by("-version").first()
    if checklist is not None:
        return checklist
    return _make_ready_made(provider)


@transaction.atomic
def _make_ready_made(provider: Provider) -> Checklist:
    Provider.objects.select_for_update().filter(pk=provider.pk).get()
    existing = provider.checklists.order_by("-version").first()
    if existing is not None:
        return existing
    checklist = Checklist.objects.create(provider=provider, nation=provider.nation, version=1)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            checklist=checklist,
            key=spec.key,
            name=spec.name,
            kind=spec.kind.value,
            regulation=spec.regulation,
            guidance=spec.guidance,
            before_shadowing=spec.before_shadowing,
            after_start=spec.after_start,
            due_months_after_start=spec.due_months_after_start,
            renew_months=spec.renew_months,
            references_needed=spec.references_needed,
            order=position,
        )
        for position, spec in enumerate(
            checklists.checklist_for(
                provider.nation,
                individual_employer=provider.kind == Provider.Kind.INDIVIDUAL_EMPLOYER,
            )
        )
    )
    return checklist


@transaction.atomic
def editable_checklist(provider: Provider) -> Checklist:
    """The checklist version a change may be made to: the current one while no file uses
    it, else a copy as a new version, so that files keep the list they were opened with."""
    current = current_checklist(provider)
    Checklist.objects.select_for_update().filter(pk=current.pk).get()
    if not current.files.exists():
        return current
    copy = Checklist.objects.create(
        provider=provider, nation=current.nation, version=current.version + 1
    )
    for item in current.items.prefetch_related("not_applicable_for"):
        roles = list(item.not_applicable_for.all())
        old_pk = item.pk
        item.pk = None
        item.checklist = copy
        item.save()
        item.not_applicable_for.set(roles)
        assert item.pk != old_pk
    return copy


@transaction.atomic
def add_checklist_item(
    *, provider: Provider, name: str, regulation: str, before_shadowing: bool
) -> ChecklistItem:
    """A check of the provider's own, added to the end of its checklist."""
    checklist = editable_checklist(provider)
    last = checklist.items.aggregate(last=Max("order"))["last"]
    return ChecklistItem.objects.create(
        checklist=checklist,
        name=name.strip(),
        kind=Kind.OTHER.value,
        regulation=regulation.strip(),
        before_shadowing=before_shadowing,
        order=(last or 0) + 1,
    )


@transaction.atomic
def set_item_options(
    *, provider: Provider, item_key: int, before_shadowing: bool, not_applicable_for: list[Role]
) -> ChecklistItem:
    """Change whether an item is verified before shadowing and the roles it does not apply
    to. `item_key` is the pk of the item in the current version; in a new version the item
    is found again by its position."""
    current = current_checklist(provider)
    position = current.items.values_list("order", flat=True).get(pk=item_key)
    checklist = editable_checklist(provider)
    item = checklist.items.get(order=position)
    item.before_shadowing = before_shadowing
    item.save(update_fields=["before_shadowing"])
    item.not_applicable_for.set(
        [role for role in not_applicable_for if role.provider_id == provider.pk]
    )
    return item


NOT_FOR_THIS_ROLE = "Not applicable to this role (the provider's checklist)."

# -- The file -------------------------------------------------------------------------------


def may_open_file(application: Application, settings_row: ComplianceSettings) -> bool:
    """From the offer; earlier when the provider chooses, or when the role has a shadowing
    stage (its "before shadowing" checks are verified in the file, before any offer)."""
    if application.status in (Application.Status.OFFERED, Application.Status.HIRED):
        return True
    if application.status != Application.Status.ACTIVE:
        return False
    return (
        settings_row.open_at == ComplianceSettings.OpenAt.ANY_TIME
        or application.role.stages.filter(kind=Stage.Kind.SHADOWING).exists()
    )


@transaction.atomic
def open_file(*, application: Application, by: User) -> SaferRecruitmentFile:
    """Open the application's file with the provider's current checklist: one check per item,
    already "not applicable" where the provider marked the item so for the role. Opening
    twice returns the file already open."""
    Application.objects.select_for_update().filter(pk=application.pk).get()
    existing = SaferRecruitmentFile.objects.filter(application=application).first()
    if existing is not None:
        return existing
    provider = application.provider
    if not may_open_file(application, ComplianceSettings.for_provider(provider)):
        raise FileNotOpenable(
            "A safer-recruitment file is opened when an offer is made"
            if application.is_open
            else f"This application is {application.get_status_display().lower()}."
        )
    checklist = current_checklist(provider)
    file = SaferRecruitmentFile.objects.create(
        provider=provider, application=application, checklist=checklist, opened_by=by
    )
    exempt = set(
        checklist.items.filter(not_applicable_for=application.role_id).values_list("pk", flat=True)
    )
    Check.objects.bulk_create(
        Check(
            file=file,
            item_id=item_id,
            status=Check.Status.NOT_APPLICABLE if item_id in exempt else Check.Status.NOT_STARTED,
            notes=NOT_FOR_THIS_ROLE if item_id in exempt else "",
        )
        for item_id in checklist.items.values_list("pk", flat=True)
    )
    completeness.refresh_roles([application.role_id])
    return file


@transaction.atomic
def record_check(*, check: Check, by: User, status: str, **evidence: object) -> Check:
    """Keep what was seen for a check and its new status, with an event in its trail.
    Verifying needs the evidence the item's kind asks for (`verification_problems`)."""
    locked = (
        Check.objects.select_for_update()
        .select_related("item", "file__application")
        .get(pk=check.pk)
    )
    for field, value in evidence.items():
        setattr(locked, field, value)
    if status == Check.Status.VERIFIED:
        problems = verification_problems(locked)
        if problems:
            raise CheckNotVerifiable(" ".join(problems))
        if locked.status != Check.Status.VERIFIED:
            locked.verified_by = by
            locked.verified_at = timezone.now()
    elif status != Check.Status.VERIFIED:
        locked.verified_by = None
        locked.verified_at = None
    changed = locked.status != status
    locked.status = status
    if locked.seen_by_id is None and locked.seen_on is not None:
        locked.seen_by = by
    locked.save()
    CheckEvent.objects.create(
        check_row=locked,
        actor=by,
        status=status,
        summary=("Status changed" if changed else "Evidence updated"),
    )
    _refresh_completed(locked.file)
    if changed:
        completeness.refresh_roles([locked.file.application.role_id])
    return locked


def verification_problems(check: Check) -> list[str]:
    """What a check still lacks before it can be verified, in words for the manager."""
    kind = check.item.kind
    problems: list[str] = []
    seen_kinds = (Kind.IDENTITY, Kind.RIGHT_TO_WORK, Kind.QUALIFICATIONS, Kind.HEALTH)
    if kind in seen_kinds and (not check.evidence_seen or check.seen_on is None):
        problems.append("Say what was seen and when.")
    if kind == Kind.RIGHT_TO_WORK and not check.right_to_work_method:
        problems.append("Say how the right to work was checked.")
    if kind == Kind.CRIMINAL_RECORD:
        if not check.reference_number or check.issued_on is None or not check.level:
            problems.append("Give the certificate number, issue date and level.")
        if not check.decision:
            problems.append("Record the decision made on the certificate.")
        elif check.decision == Check.Decision.NOT_SUITABLE:
            problems.append("A certificate found not suitable cannot be verified: raise a concern.")
    if kind == Kind.REGISTRATION and not check.reference_number:
        problems.append("Give the registration number.")
    if kind == Kind.EMPLOYMENT_HISTORY:
        history = employment_history(check.file)
        if not history.spells:
            problems.append("Enter the employment history first.")
        if history.unexplained:
            count = len(history.unexplained)
            problems.append(
                f"{count} gap{'s' if count != 1 else ''} in the employment history "
                f"need{'s' if count == 1 else ''} a written explanation."
            )
    if kind == Kind.REFERENCES:
        problems.extend(reference_problems(check))
    return problems


def reference_problems(check: Check) -> list[str]:
    """What the references still lack: enough verified written references that speak of
    conduct (one that confirms dates only does not), one from the present or last employer."""
    needed = max(check.item.references_needed, 1)
    references = list(check.file.references.all())
    good = [r for r in references if r.verified_at is not None and r.evidences_conduct]
    problems = []
    if len(good) < needed:
        problems.append(
            f"{needed} verified written reference{'s' if needed != 1 else ''} with evidence "
            f"of conduct {'are' if needed != 1 else 'is'} needed ({len(good)} so far)."
        )
    if len(good) < needed and any(r.received_at is not None and r.dates_only for r in references):
        problems.append("A reference confirming dates only is not enough evidence of conduct.")
    if good and not any(r.is_last_employer for r in good):
        problems.append("One reference must be from the present or last employer.")
    return problems


def _refresh_completed(file: SaferRecruitmentFile) -> None:
    complete = not file.checks.missing().exists()
    if complete and file.completed_at is None:
        file.completed_at = timezone.now()
        file.save(update_fields=["completed_at"])
    elif not complete and file.completed_at is not None:
        file.completed_at = None
        file.save(update_fields=["completed_at"])


# -- Employment history ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExplainedGap:
    gap: Gap
    explanation: GapExplanation | None


@dataclass(frozen=True)
class History:
    spells: list[EmploymentSpell]
    gaps: list[ExplainedGap]

    @property
    def unexplained(self) -> list[Gap]:
        return [entry.gap for entry in self.gaps if entry.explanation is None]


def employment_history(file: SaferRecruitmentFile) -> History:
    """The file's jobs in order and the gaps longer than the provider allows, each with its
    written explanation if there is one. Two queries and the settings row."""
    spells = list(file.employment.all())
    months = ComplianceSettings.for_provider(file.provider).gap_months
    gaps = find_gaps(
        [(spell.started_on, spell.ended_on) for spell in spells],
        longer_than_months=months,
        until=timezone.localtime(file.opened_at).date(),
    )
    explanations = (
        {(row.starts_on, row.ends_on): row for row in file.gap_explanations.all()} if gaps else {}
    )
    return History(
        spells=spells,
        gaps=[ExplainedGap(gap, explanations.get((gap.starts_on, gap.ends_on))) for gap in gaps],
    )


@transaction.atomic
def explain_gap(
    *,
    file: SaferRecruitmentFile,
    starts_on: date,
    ends_on: date,
    explanation: str,
    by: User | None,
) -> GapExplanation:
    """Keep the written explanation of a gap, from the manager or the candidate (by = None,
    through their link)."""
    row, _ = GapExplanation.objects.update_or_create(
        file=file,
        starts_on=starts_on,
        ends_on=ends_on,
        defaults={"explanation": explanation.strip(), "recorded_by": by},
    )
    return row


# -- Gates ----------------------------------------------------------------------------------


def outstanding_before_shadowing(application: Application) -> list[str]:
    """The names of the file's checks marked "before shadowing" that are not verified (or
    the checklist's such items while no file is open yet). One or two queries."""
    file = SaferRecruitmentFile.objects.filter(application=application).first()
    if file is None:
        checklist = application.provider.checklists.order_by("-version").first()
        if checklist is None:
            return []
        return list(
            checklist.items.filter(before_shadowing=True)
            .exclude(not_applicable_for=application.role_id)
            .values_list("name", flat=True)
        )
    return list(
        file.checks.filter(item__before_shadowing=True)
        .missing()
        .order_by("item__order", "pk")
        .values_list("item__name", flat=True)
    )


def outstanding_before_start(file: SaferRecruitmentFile) -> list[Check]:
    """Checks to be done before the first shift (items that may follow the start excluded)."""
    return list(
        file.checks.select_related("item")
        .filter(item__after_start=False)
        .missing()
        .order_by("item__order", "pk")
    )


@transaction.atomic
def confirm_start(*, file: SaferRecruitmentFile, start_date: date, by: User) -> None:
    """Confirm the first shift's date: only when every check due before the start is done,
    or a conditional start has been recorded."""
    locked = SaferRecruitmentFile.objects.select_for_update().get(pk=file.pk)
    outstanding = outstanding_before_start(locked)
    if outstanding and not locked.conditional_start:
        raise StartRefused(
            "The start date can be confirmed once every check is verified, or through a "
            "recorded conditional start.",
            outstanding,
        )
    concerns = [check for check in outstanding if check.status == Check.Status.CONCERN]
    if concerns:
        raise StartRefused("A concern is raised on a check: resolve it first.", concerns)
    locked.start_date = start_date
    locked.start_confirmed_by = by
    locked.start_confirmed_at = timezone.now()
    locked.save(update_fields=["start_date", "start_confirmed_by", "start_confirmed_at"])
    # The hire's outcome (retention figures) starts from the same confirmed first shift,
    # unless someone has already recorded a start there.
    if Outcome.objects.filter(application_id=locked.application_id, start_date__isnull=True).update(
        start_date=start_date
    ):
        reports_changed(provider_id=locked.provider_id)


@transaction.atomic
def record_conditional_start(
    *,
    file: SaferRecruitmentFile,
    by: User,
    reason: str,
    supervisor: str,
    risk_assessment: str,
    barred_list_reference: str,
) -> None:
    """Record the nation's conditional start, with who allowed it and why. Where the nation
    has none (Wales) or its conditions are not met, StartRefused."""
    nation = file.provider.nation
    rule = checklists.CONDITIONAL_STARTS.get(nation)
    if rule is None:
        raise StartRefused("There is no conditional start in this nation: every check comes first.")
    missing = []
    if not reason.strip():
        missing.append("why the person starts before every check is back")
    if rule.needs_barred_list_check and not barred_list_reference.strip():
        missing.append("the reference of the clear barred-list check")
    if rule.needs_supervisor and not supervisor.strip():
        missing.append("the named supervisor")
    if rule.needs_risk_assessment and not risk_assessment.strip():
        missing.append("the written risk assessment")
    if missing:
        raise StartRefused("A conditional start needs " + ", ".join(missing) + ".")
    locked = SaferRecruitmentFile.objects.select_for_update().get(pk=file.pk)
    concerns = locked.checks.filter(status=Check.Status.CONCERN).exists()
    if concerns:
        raise StartRefused("A concern is raised on a check: no conditional start.")
    locked.conditional_start = True
    locked.conditional_reason = reason.strip()
    locked.conditional_supervisor = supervisor.strip()
    locked.conditional_risk_assessment = risk_assessment.strip()
    locked.conditional_barred_list_reference = barred_list_reference.strip()
    locked.conditional_by = by
    locked.conditional_at = timezone.now()
    locked.save()
    completeness.refresh_roles(
        Application.objects.filter(pk=locked.application_id).values_list("role_id", flat=True)
    )
