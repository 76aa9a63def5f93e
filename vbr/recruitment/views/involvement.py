"""Staff pages for the involvement log's payments and for the messages that tell experts by
experience what was decided: the letters to print, and each printable letter."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from vbr.accounts.access import ADMIN, STAFF, provider_view, scores_hidden_from, visible_to
from vbr.accounts.models import Membership
from vbr.recruitment import workflow
from vbr.recruitment.forms.involvement import PaidForm, PayWithinForm
from vbr.recruitment.models import DecisionMessage

# The letters page lists this many of the latest messages of every kind, as their log.
MESSAGES_LISTED = 100


@require_POST
@provider_view(STAFF)
def involvement_paid(
    request: HttpRequest, membership: Membership, involvement_id: int
) -> HttpResponse:
    involvement = get_object_or_404(
        membership.provider.involvements.select_related("user"), pk=involvement_id
    )
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("paid_on", [])))
    else:
        workflow.mark_paid(involvement=involvement, paid_on=form.cleaned_data["paid_on"])
        messages.success(
            request,
            f"Marked paid: {involvement.user.display_name}, for {involvement.date:%d %B %Y}.",
        )
    return redirect("involvement-list", membership.provider.slug)


@require_POST
@provider_view(ADMIN)
def involvement_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = PayWithinForm(request.POST, instance=membership.provider)
    if form.is_valid():
        form.save()
        messages.success(
            request,
            f"Panel members are paid within {membership.provider.pay_within_days} days of "
            "taking part, from now on.",
        )
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("pay_within_days", [])))
    return redirect("involvement-list", membership.provider.slug)


def _messages_of(membership: Membership) -> QuerySet[DecisionMessage]:
    """The provider's messages as this reader may see them: those of applications whose
    scores are hidden from them (they owe a scorecard there) are left out, since a message
    carries an expert's own view (independence, `access.visible_to`)."""
    return visible_to(
        membership,
        DecisionMessage.objects.filter(
            provider=membership.provider,
            decision__application__candidate__anonymised_at__isnull=True,
        ),
        "decision__application_id",
    )


@require_GET
@provider_view(STAFF)
def letter_list(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Letters about decisions for the manager to print and hand over, and the log of every
    message sent to experts by experience (by email, letter or on their next visit)."""
    shown = _messages_of(membership)
    # 1 query: the letters to print; 1: the latest messages with their emails.
    to_print = list(
        workflow.messages_with_letters(
            shown.filter(channel=DecisionMessage.Channel.LETTER, delivered_at__isnull=True)
        ).order_by("created_at", "pk")
    )
    latest = list(
        shown.select_related(
            "user", "email", "decision__application__candidate", "decision__application__role"
        ).order_by("-created_at", "-pk")[:MESSAGES_LISTED]
    )
    return render(
        request,
        "recruitment/letter_list.html",
        {"to_print": to_print, "latest": latest},
    )


def _message(membership: Membership, message_id: int) -> DecisionMessage:
    return get_object_or_404(
        workflow.messages_with_letters(
            DecisionMessage.objects.filter(
                provider=membership.provider,
                decision__application__candidate__anonymised_at__isnull=True,
            )
        ),
        pk=message_id,
    )


@require_GET
@provider_view(STAFF)
def letter_detail(request: HttpRequest, membership: Membership, message_id: int) -> HttpResponse:
    """One easy-read letter, laid out to print: large type, a picture, short sentences."""
    message = _message(membership, message_id)
    if scores_hidden_from(membership, message.decision.application):
        # The letter carries the expert's own view of the candidate.
        return render(
            request,
            "recruitment/letter_hidden.html",
            {"message": message},
            status=403,
        )
    return render(
        request,
        "recruitment/letter_detail.html",
        {"message": message, "letter": workflow.letter_for(message)},
    )


@require_POST
@provider_view(STAFF)
def letter_given(request: HttpRequest, membership: Membership, message_id: int) -> HttpResponse:
    message = _message(membership, message_id)
    if message.channel != DecisionMessage.Channel.LETTER:
        raise Http404("Only printed letters are given by hand")
    workflow.mark_letter_given(message=message)
    messages.success(
        request, f"The letter to {message.user.display_name} is marked as given. Thank you."
    )
    return redirect("letter-list", membership.provider.slug)
