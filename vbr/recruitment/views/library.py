"""The shared library in a provider's pages: starting from a national value set, mapping a
value to national values, and the question and activity bank."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts.access import STAFF, provider_view
from vbr.accounts.models import Membership
from vbr.recruitment import workflow
from vbr.recruitment.forms.library import (
    BankAddForm,
    BankFilterForm,
    BankItemForm,
    MapValueForm,
)
from vbr.recruitment.models import BankItem, CoreValue, NationalValue, Stage, ValueSet


@require_POST
@provider_view(STAFF)
def value_set_adopt(request: HttpRequest, membership: Membership, set_id: int) -> HttpResponse:
    provider = membership.provider
    value_set = get_object_or_404(ValueSet.objects.latest_versions(), pk=set_id)
    result = workflow.adopt_value_set(provider=provider, value_set=value_set, actor=request.user)
    if result.created:
        names = ", ".join(value.name for value in result.created)
        messages.success(
            request,
            f"Added {len(result.created)} values from {value_set.name}: {names}. "
            "Change them to fit your organisation; they are yours now.",
        )
    if result.mapped:
        names = ", ".join(value.name for value in result.mapped)
        messages.info(
            request,
            f"You already had {names}: left as you wrote them, and linked to {value_set.name}.",
        )
    return redirect("corevalue-list", provider.slug)


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def corevalue_map(request: HttpRequest, membership: Membership, value_id: int) -> HttpResponse:
    provider = membership.provider
    core_value = get_object_or_404(provider.core_values, pk=value_id)
    if request.method == "POST":
        form = MapValueForm(request.POST, core_value=core_value)
        if form.is_valid():
            chosen = list(form.cleaned_data["evidences"])
            workflow.map_core_value(
                core_value=core_value, national_values=chosen, actor=request.user
            )
            if chosen:
                labels = ", ".join(n.label for n in chosen)
                messages.success(request, f"“{core_value.name}” now evidences {labels}.")
            else:
                messages.success(request, f"“{core_value.name}” is not linked to a national value.")
            return redirect(
                f"{reverse('corevalue-list', args=[provider.slug])}#value-{core_value.pk}"
            )
    else:
        form = MapValueForm(
            initial={"evidences": list(core_value.evidences.all())}, core_value=core_value
        )
    return render(
        request, "recruitment/corevalue_map.html", {"core_value": core_value, "form": form}
    )


@dataclass(frozen=True)
class BankGroup:
    """The items of the bank serving one value, as the bank page lists them."""

    heading: str
    anchor: str
    description: str
    items: list[BankItem]


def _suggested_values(provider_values: list[CoreValue]) -> dict[int, int]:
    """For each national value: the provider's value that evidences it (by mapping, else by
    the same name), so "add to this stage" starts with a sensible choice."""
    by_national: dict[int, int] = {}
    for core_value in provider_values:
        for national in core_value.evidences.all():
            by_national.setdefault(national.pk, core_value.pk)
    return by_national


@require_GET
@provider_view(STAFF)
def bank_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Browse the question and activity bank by value and kind; from a stage's setup, each
    item can be added to that stage."""
    provider = membership.provider
    sets = list(ValueSet.objects.latest_versions().order_by("order", "name"))
    form = BankFilterForm(request.GET or None, sets=sets)
    value_set = sets[0] if sets else None
    kind = ""
    if form.is_bound and form.is_valid():
        value_set = form.cleaned_data["value_set"] or value_set
        kind = form.cleaned_data["kind"]
    stage: Stage | None = None
    stage_id = request.GET.get("stage", "")
    if stage_id.isdigit():
        stage = get_object_or_404(
            Stage.objects.filter(role__provider=provider).with_setup_flags().select_related("role"),
            pk=int(stage_id),
        )
    items = BankItem.objects.filter(provider__isnull=True).select_related("national_value")
    if value_set is not None:
        items = items.filter(national_value__value_set=value_set)
    else:
        items = items.none()
    # The provider's own items, whatever value they serve, listed first.
    own = provider.bank_items.select_related("core_value", "national_value__value_set")
    if kind:
        items = items.filter(kind=kind)
        own = own.filter(kind=kind)
    own_items = list(own.order_by("core_value__order", "core_value__name", "pk"))
    groups: dict[int, BankGroup] = {}
    national_values: list[NationalValue] = (
        list(value_set.national_values.order_by("order", "pk")) if value_set else []
    )
    for national in national_values:
        groups[national.pk] = BankGroup(
            heading=national.name,
            anchor=f"value-{national.pk}",
            description=national.description,
            items=[],
        )
    for item in items.order_by("national_value__order", "order", "pk"):
        assert item.national_value_id is not None
        groups[item.national_value_id].items.append(item)
    provider_values: list[CoreValue] = []
    suggested: dict[int, int] = {}
    if stage is not None:
        provider_values = list(
            provider.core_values.current().order_by("order", "name").prefetch_related("evidences")
        )
        suggested = _suggested_values(provider_values)
        by_name = {value.name.casefold(): value.pk for value in provider_values}
        for national in national_values:
            suggested.setdefault(national.pk, by_name.get(national.name.casefold(), 0))
        for item in own_items:
            item.suggested_value_id = item.core_value_id  # type: ignore[attr-defined]
        for group in groups.values():
            for item in group.items:
                item.suggested_value_id = (  # type: ignore[attr-defined]
                    item.core_value_id or suggested.get(item.national_value_id or 0, 0)
                )
    return render(
        request,
        "recruitment/bank_list.html",
        {
            "form": form,
            "value_set": value_set,
            "kind": kind,
            "groups": list(groups.values()),
            "own_items": own_items,
            "stage": stage,
            "provider_values": provider_values,
        },
    )


def _bank_url(request: HttpRequest, *, provider_slug: str, stage: Stage, item: BankItem) -> str:
    """Back to the bank page as it was (same set, kind and stage), at the item just added."""
    query = {"stage": str(stage.pk)}
    value_set = request.POST.get("value_set", "")
    if value_set.isdigit():
        query["value_set"] = value_set
    kind = request.POST.get("kind", "")
    if kind in BankItem.Kind.values:
        query["kind"] = kind
    url = reverse("bank-list", args=[provider_slug])
    return f"{url}?{urlencode(query)}#bank-item-{item.pk}"


@require_POST
@provider_view(STAFF)
def bank_item_add(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int, item_id: int
) -> HttpResponse:
    provider = membership.provider
    role = get_object_or_404(provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    item = get_object_or_404(BankItem.objects.available_to(provider), pk=item_id)
    form = BankAddForm(request.POST, provider=provider)
    back_here = _bank_url(request, provider_slug=provider.slug, stage=stage, item=item)
    if not form.is_valid():
        messages.error(request, "Choose which of your values this evidences, then add it again.")
        return redirect(back_here)
    core_value = form.cleaned_data["core_value"]
    try:
        workflow.copy_bank_item_into_stage(
            item=item, stage=stage, core_value=core_value, actor=request.user
        )
    except workflow.CriteriaFrozen:
        messages.error(
            request,
            f"The criteria of “{stage.name}” have been scored against, so nothing can be added. "
            "Start a new version on the role's setup page first.",
        )
        return redirect(back_here)
    messages.success(
        request,
        f"Added “{item.title}” to {stage.name}, evidencing {core_value.name}. "
        "You can change its wording on the role's setup page.",
    )
    return redirect(back_here)


@require_POST
@provider_view(STAFF)
def criterion_to_bank(
    request: HttpRequest, membership: Membership, role_id: int, stage_id: int, criterion_id: int
) -> HttpResponse:
    provider = membership.provider
    role = get_object_or_404(provider.roles, pk=role_id)
    stage = get_object_or_404(role.stages, pk=stage_id)
    criterion = get_object_or_404(
        stage.criteria.select_related("core_value", "stage__role__provider"), pk=criterion_id
    )
    item, created = workflow.save_criterion_to_bank(criterion=criterion, actor=request.user)
    if created:
        messages.success(
            request,
            f"Saved “{item.title}” to your question bank, for {criterion.core_value.name}. "
            "Other roles can add it from there.",
        )
    else:
        messages.info(request, f"“{item.title}” is already in your question bank.")
    url = reverse("role-setup", args=[provider.slug, role.pk])
    return redirect(f"{url}#stage-{stage.pk}")


# -- The provider's own bank items -----------------------------------------------------------------


@require_GET
@provider_view(STAFF)
def bank_own_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The provider's own questions and activities, to write, change or remove. The shared
    library is read on the bank page and cannot be changed here."""
    provider = membership.provider
    items = list(
        provider.bank_items.select_related("core_value", "national_value__value_set")
        # How many criteria were copied from each: they keep their wording whatever happens.
        .annotate(copies=Count("criteria"))
        .order_by("core_value__order", "core_value__name", "kind", "pk")
    )
    return render(request, "recruitment/bank_own_list.html", {"items": items})


def _bank_item_form_page(
    request: HttpRequest, membership: Membership, item: BankItem | None
) -> HttpResponse:
    provider = membership.provider
    form = BankItemForm(request.POST or None, instance=item, provider=provider)
    if request.method == "POST" and form.is_valid():
        saved = workflow.save_own_bank_item(
            item=form.save(commit=False), provider=provider, actor=request.user
        )
        if item is None:
            messages.success(
                request,
                f"Added “{saved.title}” to your question bank. Any of your roles can use it.",
            )
        else:
            messages.success(
                request,
                f"Saved “{saved.title}”. Stages that already use it keep the words they had.",
            )
        return redirect(f"{reverse('bank-own-list', args=[provider.slug])}#bank-item-{saved.pk}")
    return render(request, "recruitment/bank_item_form.html", {"form": form, "item": item})


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def bank_item_new(request: HttpRequest, membership: Membership) -> HttpResponse:
    return _bank_item_form_page(request, membership, None)


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def bank_item_edit(request: HttpRequest, membership: Membership, bank_item_id: int) -> HttpResponse:
    # Only the provider's own items: a shared or another provider's item is not found.
    item = get_object_or_404(membership.provider.bank_items, pk=bank_item_id)
    return _bank_item_form_page(request, membership, item)


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def bank_item_delete(
    request: HttpRequest, membership: Membership, bank_item_id: int
) -> HttpResponse:
    provider = membership.provider
    item = get_object_or_404(
        provider.bank_items.annotate(copies=Count("criteria")), pk=bank_item_id
    )
    if request.method == "POST":
        title = item.title
        workflow.remove_own_bank_item(item=item, actor=request.user)
        messages.success(
            request, f"Removed “{title}” from your question bank. Stages that use it keep it."
        )
        return redirect("bank-own-list", provider.slug)
    return render(request, "recruitment/bank_item_confirm_delete.html", {"item": item})
