"""Easy-read scoring: one question per screen, pictures, read-aloud, supporter mode.

It writes the same scorecard as the full form through the same workflow steps, so the same
independence and lock rules apply: nothing of other panellists is shown here at all, and a
sent scorecard cannot be changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from vbr.accounts.access import ANY_MEMBER, provider_view
from vbr.accounts.invitations import link_scope
from vbr.accounts.models import AccessProfile, Membership
from vbr.recruitment import workflow
from vbr.recruitment.forms.easy_read import (
    LEVEL_WORDS,
    OVERALL_WORDS,
    EasyAnswerForm,
    SupporterForm,
)
from vbr.recruitment.forms.scoring import MAX_EVIDENCE, NOT_OBSERVED
from vbr.recruitment.models import Criterion, Panellist, Scorecard
from vbr.recruitment.views.scoring import _panel_place


def _profile(user: Any) -> AccessProfile:
    return AccessProfile.objects.filter(user=user).first() or AccessProfile(user=user)


def _scorecard(panellist: Panellist) -> Scorecard | None:
    return (
        Scorecard.objects.filter(panellist=panellist)
        .select_related("entered_by")
        .prefetch_related("scores")
        .first()
    )


def _context(request: HttpRequest, membership: Membership, panellist: Panellist) -> dict[str, Any]:
    profile = _profile(panellist.user)
    return {
        "panellist": panellist,
        "assessment": panellist.assessment,
        "candidate_name": panellist.assessment.application.candidate.first_name,
        "profile": profile,
        "body_classes": f"easy-read {profile.body_classes}",
        "link_session": bool(link_scope(request)),
    }


def _current_answers(scorecard: Scorecard | None) -> dict[int, workflow.Answer]:
    if scorecard is None:
        return {}
    return {
        s.criterion_id: workflow.Answer(
            level=s.level, not_observed=s.not_observed, evidence=s.evidence
        )
        for s in scorecard.scores.all()
    }


def _answer_value(answer: workflow.Answer | None) -> str:
    if answer is None:
        return ""
    if answer.not_observed:
        return NOT_OBSERVED
    return str(answer.level) if answer.level else ""


def _sent_redirect(membership: Membership, panellist: Panellist) -> HttpResponse:
    return redirect("easy-sent", membership.provider.slug, panellist.assessment_id)


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def easy_start(request: HttpRequest, membership: Membership, assessment_id: int) -> HttpResponse:
    """Welcome, what happens next, and who is answering (the member or a supporter)."""
    panellist = _panel_place(membership, assessment_id)
    scorecard = _scorecard(panellist)
    if scorecard is not None and scorecard.is_submitted:
        return _sent_redirect(membership, panellist)
    initial: dict[str, Any] = {"helper": "self"}
    if scorecard is not None and scorecard.entered_by_label:
        initial = {"helper": "supporter", "supporter_name": scorecard.supporter_name}
        if scorecard.entered_by_id:
            initial["supporter"] = membership.provider.memberships.filter(
                user_id=scorecard.entered_by_id
            ).first()
    form = SupporterForm(request.POST or None, initial=initial, provider=membership.provider)
    if request.method == "POST" and form.is_valid():
        helped = form.cleaned_data["helper"] == "supporter"
        chosen = form.cleaned_data.get("supporter") if helped else None
        workflow.set_scorecard_supporter(
            panellist=panellist,
            supporter=chosen.user if chosen else None,
            supporter_name=form.cleaned_data.get("supporter_name", "") if helped else "",
        )
        return redirect("easy-question", membership.provider.slug, assessment_id, 1)
    context = _context(request, membership, panellist)
    context.update(
        form=form,
        question_count=len(list(panellist.assessment.criteria())) + 1,
        started=scorecard is not None and scorecard.scores.exists(),
    )
    return render(request, "recruitment/easy/start.html", context)


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def easy_question(
    request: HttpRequest, membership: Membership, assessment_id: int, number: int
) -> HttpResponse:
    """One question. Every answer is saved as it is chosen (and again on Back or Next)."""
    panellist = _panel_place(membership, assessment_id)
    scorecard = _scorecard(panellist)
    if scorecard is not None and scorecard.is_submitted:
        return _sent_redirect(membership, panellist)
    criteria: list[Criterion] = list(panellist.assessment.criteria())
    count = len(criteria) + 1
    if not 1 <= number <= count:
        return redirect("easy-question", membership.provider.slug, assessment_id, 1)
    overall = number == count
    criterion = None if overall else criteria[number - 1]
    answers = _current_answers(scorecard)
    entered_by = scorecard.entered_by if scorecard is not None else None

    if request.method == "POST":
        form = EasyAnswerForm(request.POST, overall=overall)
        form.is_valid()
        value = str(request.POST.get("answer", ""))
        comment = str(request.POST.get("comment", "")).replace("\x00", "")[:MAX_EVIDENCE].strip()
        recommendation = scorecard.recommendation if scorecard else ""
        summary = scorecard.summary if scorecard else ""
        new_answers: dict[int, workflow.Answer] = {}
        if overall:
            if value in OVERALL_WORDS:
                recommendation = value
            summary = comment
        else:
            assert criterion is not None
            new_answers[criterion.pk] = workflow.Answer(
                level=int(value) if value in {"1", "2", "3", "4"} else None,
                not_observed=value == NOT_OBSERVED,
                evidence=comment,
            )
        try:
            workflow.save_scorecard_draft(
                panellist=panellist,
                answers=new_answers,
                recommendation=recommendation,
                summary=summary,
                entered_by=entered_by,
            )
        except workflow.ScorecardLocked:
            return _sent_redirect(membership, panellist)
        if request.POST.get("action") == "autosave":
            return render(request, "recruitment/easy/saved.html", {"saved_at": timezone.now()})
        slug = membership.provider.slug
        if request.POST.get("action") == "back":
            if number == 1:
                return redirect("easy-start", slug, assessment_id)
            return redirect("easy-question", slug, assessment_id, number - 1)
        if number == count:
            return redirect("easy-check", slug, assessment_id)
        return redirect("easy-question", slug, assessment_id, number + 1)

    if overall:
        initial = {
            "answer": scorecard.recommendation if scorecard else "",
            "comment": scorecard.summary if scorecard else "",
        }
    else:
        assert criterion is not None
        current = answers.get(criterion.pk)
        initial = {
            "answer": _answer_value(current),
            "comment": current.evidence if current else "",
        }
    form = EasyAnswerForm(initial=initial, overall=overall)
    context = _context(request, membership, panellist)
    context.update(
        form=form,
        criterion=criterion,
        overall=overall,
        number=number,
        count=count,
        progress_percent=round(100 * (number - 1) / count),
        back_url=(
            reverse("easy-start", args=[membership.provider.slug, assessment_id])
            if number == 1
            else reverse(
                "easy-question", args=[membership.provider.slug, assessment_id, number - 1]
            )
        ),
        scorecard=scorecard,
    )
    return render(request, "recruitment/easy/question.html", context)


def _check_rows(
    criteria: list[Criterion], scorecard: Scorecard | None
) -> tuple[list[dict[str, Any]], int]:
    answers = _current_answers(scorecard)
    rows, missing = [], 0
    for number, criterion in enumerate(criteria, start=1):
        answer = answers.get(criterion.pk)
        choice = LEVEL_WORDS.get(_answer_value(answer))
        missing += choice is None
        rows.append(
            {
                "number": number,
                "question": criterion.prompt,
                "choice": choice,
                "comment": answer.evidence if answer else "",
            }
        )
    overall = OVERALL_WORDS.get(scorecard.recommendation if scorecard else "")
    missing += overall is None
    rows.append(
        {
            "number": len(criteria) + 1,
            "question": None,
            "choice": overall,
            "comment": scorecard.summary if scorecard else "",
        }
    )
    return rows, missing


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def easy_check(request: HttpRequest, membership: Membership, assessment_id: int) -> HttpResponse:
    """Check your answers, then send. Sending locks the scorecard."""
    panellist = _panel_place(membership, assessment_id)
    scorecard = _scorecard(panellist)
    if scorecard is not None and scorecard.is_submitted:
        return _sent_redirect(membership, panellist)
    criteria: list[Criterion] = list(panellist.assessment.criteria())
    rows, missing = _check_rows(criteria, scorecard)
    if request.method == "POST":
        if missing or scorecard is None:
            messages.error(
                request,
                f"Please answer every question first. Still to answer: {missing}.",
            )
            return redirect(request.path)
        workflow.submit_scorecard(
            panellist=panellist,
            answers=_current_answers(scorecard),
            recommendation=scorecard.recommendation,
            summary=scorecard.summary,
            entered_by=scorecard.entered_by,
        )
        return _sent_redirect(membership, panellist)
    context = _context(request, membership, panellist)
    context.update(rows=rows, missing=missing, scorecard=scorecard, count=len(criteria) + 1)
    return render(request, "recruitment/easy/check.html", context)


@require_GET
@provider_view(ANY_MEMBER)
def easy_sent(request: HttpRequest, membership: Membership, assessment_id: int) -> HttpResponse:
    """Thank you. On a shared tablet the session ends here."""
    panellist = _panel_place(membership, assessment_id)
    scorecard = _scorecard(panellist)
    if scorecard is None or not scorecard.is_submitted:
        return redirect("easy-check", membership.provider.slug, assessment_id)
    context = _context(request, membership, panellist)
    scope = link_scope(request)
    kiosk = bool(scope and scope.get("kiosk"))
    context.update(scorecard=scorecard, kiosk=kiosk)
    if kiosk:
        logout(request)
        context["link_session"] = False
    return render(request, "recruitment/easy/sent.html", context)
