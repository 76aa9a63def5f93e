"""The values library: a provider's values and the behaviours that show them."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts.access import STAFF, provider_view
from vbr.accounts.audit import record
from vbr.accounts.models import AuditEvent, Membership
from vbr.recruitment import workflow
from vbr.recruitment.forms.values import BaseIndicatorFormSet, CoreValueForm, indicator_formset
from vbr.recruitment.models import CoreValue, Indicator, NationalValue, ValueSet
from vbr.reports.caching import reports_changed

ADD_ROWS = 3


@require_GET
@provider_view(STAFF)
def corevalue_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = membership.provider
    values = list(
        provider.core_values.with_use_count()
        .order_by("order", "name")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("kind", "order", "pk")),
            Prefetch(
                "evidences",
                queryset=NationalValue.objects.select_related("value_set").order_by(
                    "value_set__order", "order"
                ),
            ),
        )
    )
    for core_value in values:
        indicators = core_value.indicators.all()
        core_value.positive_indicators = [  # type: ignore[attr-defined]
            i for i in indicators if i.kind == Indicator.Kind.POSITIVE
        ]
        core_value.negative_indicators = [  # type: ignore[attr-defined]
            i for i in indicators if i.kind == Indicator.Kind.NEGATIVE
        ]
    return render(
        request,
        "recruitment/corevalue_list.html",
        {
            "current_values": [v for v in values if not v.is_retired],
            "retired_values": [v for v in values if v.is_retired],
            "value_sets": list(
                ValueSet.objects.latest_versions()
                .order_by("order", "name")
                .annotate(value_count=Count("national_values"))
            ),
        },
    )


def _save_value(form: CoreValueForm, formset: BaseIndicatorFormSet) -> CoreValue:
    """Save a value and its indicators, numbering the indicators in the order shown."""
    if form.instance.pk is None:
        # A new value goes to the end of the library.
        form.instance.order = workflow.next_value_order(form.instance.provider)
    core_value: CoreValue = form.save()
    # A value's name labels the values and panel reports.
    reports_changed(provider_id=core_value.provider_id)
    formset.instance = core_value
    indicators = formset.save(commit=False)
    for indicator in formset.deleted_objects:
        indicator.delete()
    for position, indicator in enumerate(indicators):
        indicator.order = position
        indicator.save()
    return core_value


def _value_form_page(
    request: HttpRequest, membership: Membership, core_value: CoreValue | None
) -> HttpResponse:
    provider = membership.provider
    instance = core_value or CoreValue(provider=provider)
    if request.method == "POST":
        adding_rows = "add_rows" in request.POST
        if adding_rows:
            # Only more rows were asked for: keep what was typed, show no errors yet.
            typed = {name: request.POST.get(name, "") for name in ("name", "description")}
            form = CoreValueForm(instance=instance, provider=provider, initial=typed)
        else:
            form = CoreValueForm(request.POST, instance=instance, provider=provider)
        formset = indicator_formset(
            instance=instance, data=request.POST, add_rows=ADD_ROWS if adding_rows else 0
        )
        if formset.counts_repaired:
            messages.error(
                request,
                "Part of this page did not come back as expected, so nothing is saved yet. "
                "Check the behaviours below, then save again.",
            )
        elif not adding_rows and form.is_valid() and formset.is_valid():
            with transaction.atomic():
                saved = _save_value(form, formset)
                record(
                    provider=provider,
                    actor=request.user,
                    action=AuditEvent.Action.CRITERIA_CHANGED,
                    subject=saved,
                    summary="Edited a value" if core_value else "Added a value",
                )
            messages.success(request, f"Saved the value “{saved.name}”.")
            return redirect("corevalue-list", provider.slug)
    else:
        form = CoreValueForm(instance=instance, provider=provider)
        formset = indicator_formset(instance=instance)
    return render(
        request,
        "recruitment/corevalue_form.html",
        {
            "core_value": core_value,
            "form": form,
            "formset": formset,
            "show_errors": request.method == "POST" and "add_rows" not in request.POST,
        },
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def corevalue_create(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _value_form_page(request, membership, None)


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def corevalue_edit(request: HttpRequest, membership: Membership, value_id: int) -> HttpResponse:
    core_value = get_object_or_404(membership.provider.core_values, pk=value_id)
    return _value_form_page(request, membership, core_value)


@require_POST
@provider_view(STAFF)
def corevalue_move(request: HttpRequest, membership: Membership, value_id: int) -> HttpResponse:
    provider = membership.provider
    core_value = get_object_or_404(provider.core_values, pk=value_id)
    up = request.POST.get("direction") == "up"
    if workflow.move_value(core_value=core_value, up=up):
        messages.success(request, f"Moved “{core_value.name}” {'up' if up else 'down'}.")
    return redirect(f"{_list_url(provider.slug)}#value-{core_value.pk}")


def _list_url(provider_slug: str) -> str:
    return reverse("corevalue-list", args=[provider_slug])


@require_POST
@provider_view(STAFF)
def corevalue_retire(request: HttpRequest, membership: Membership, value_id: int) -> HttpResponse:
    provider = membership.provider
    core_value = get_object_or_404(provider.core_values, pk=value_id)
    with transaction.atomic():
        core_value.retire()
        record(
            provider=provider,
            actor=request.user,
            action=AuditEvent.Action.CRITERIA_CHANGED,
            subject=core_value,
            summary="Retired a value",
        )
    messages.success(
        request,
        f"Retired “{core_value.name}”. It is no longer offered for new criteria; "
        "criteria and scorecards that use it keep it.",
    )
    return redirect("corevalue-list", provider.slug)


@require_POST
@provider_view(STAFF)
def corevalue_restore(request: HttpRequest, membership: Membership, value_id: int) -> HttpResponse:
    provider = membership.provider
    core_value = get_object_or_404(provider.core_values, pk=value_id)
    with transaction.atomic():
        core_value.restore()
        record(
            provider=provider,
            actor=request.user,
            action=AuditEvent.Action.CRITERIA_CHANGED,
            subject=core_value,
            summary="Restored a value",
        )
    messages.success(request, f"Restored “{core_value.name}”.")
    return redirect("corevalue-list", provider.slug)


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def corevalue_delete(request: HttpRequest, membership: Membership, value_id: int) -> HttpResponse:
    provider = membership.provider
    core_value = get_object_or_404(provider.core_values.with_use_count(), pk=value_id)
    if core_value.use_count:  # type: ignore[attr-defined]
        # Criteria protect the value: retiring keeps past criteria and scorecards whole.
        messages.error(
            request,
            f"“{core_value.name}” is used by {core_value.use_count} "  # type: ignore[attr-defined]
            "criteria, so it cannot be deleted. Retire it instead.",
        )
        return redirect("corevalue-list", provider.slug)
    if request.method == "POST":
        with transaction.atomic():
            record(
                provider=provider,
                actor=request.user,
                action=AuditEvent.Action.CRITERIA_CHANGED,
                subject=core_value,
                summary="Deleted an unused value",
            )
            name = core_value.name
            core_value.delete()
        messages.success(request, f"Deleted “{name}”.")
        return redirect("corevalue-list", provider.slug)
    return render(
        request,
        "recruitment/corevalue_confirm_delete.html",
        {"core_value": core_value},
    )


@require_POST
@provider_view(STAFF)
def starter_values_copy(request: HttpRequest, membership: Membership) -> HttpResponse:
    provider = membership.provider
    with transaction.atomic():
        created = workflow.copy_starter_values(provider=provider)
        if created:
            record(
                provider=provider,
                actor=request.user,
                action=AuditEvent.Action.CRITERIA_CHANGED,
                summary=f"Copied {len(created)} values from the starter set",
            )
    if created:
        names = ", ".join(value.name for value in created)
        messages.success(request, f"Added {len(created)} values from the starter set: {names}.")
    else:
        messages.info(request, "You already have every value of the starter set.")
    return redirect("corevalue-list", provider.slug)
