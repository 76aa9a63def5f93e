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
from vbr.applicants.answers import answers_for_panel
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


def _context(
    request: HttpRequest,
    membership: Membership,
    panellist: Panellist,
    profile: AccessProfile | None = None,
) -> dict[str, Any]:
    profile = profile or _profile(panellist.user)
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


def _already_sent(
    request: HttpRequest, membership: Membership, panellist: Panellist
) -> HttpResponse:
    """The answers were sent from another screen while this one was open: say so on the
    "sent" page (they are locked, so what was chosen here is not kept)."""
    messages.info(request, "Your answers were already sent from another screen.")
    return _sent_redirect(membership, panellist)


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def easy_start(request: HttpRequest, membership: Membership, assessment_id: int) -> HttpResponse:
    """Welcome, what happens next, and who is answering (the member or a supporter)."""
    panellist = _panel_place(membership, assessment_id)
    scorecard = _scorecard(panellist)
    if scorecard is not None and scorecard.is_submitted:
        return _sent_redirect(membership, panellist)
    profile = _profile(panellist.user)
    # "Working with me" says whether a supporter usually helps: start from that.
    initial: dict[str, Any] = {"helper": "supporter" if profile.has_supporter else "self"}
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
        try:
            workflow.set_scorecard_supporter(
                panellist=panellist,
                supporter=chosen.user if chosen else None,
                supporter_name=form.cleaned_data.get("supporter_name", "") if helped else "",
            )
        except workflow.ScorecardLocked:
            return _already_sent(request, membership, panellist)
        return redirect("easy-question", membership.provider.slug, assessment_id, 1)
    if form.is_bound:
        messages.error(
            request, "We could not start yet. Please look below: it says what to change."
        )
    context = _context(request, membership, panellist, profile)
    context.update(
        form=form,
        question_count=len(list(panellist.assessment.criteria())) + 1,
        started=scorecard is not None and scorecard.scores.exists(),
        # Closing the loop: decisions they chose to hear about on their next visit.
        news=workflow.next_visit_news(user=panellist.user, provider=membership.provider),
        # What the candidate wrote when applying, in their own words (not scores).
        values_answers=answers_for_panel(panellist.assessment),
    )
    return render(request, "recruitment/easy/start.html", context)


def _initial(scorecard: Scorecard | None, criterion: Criterion | None) -> dict[str, str]:
    """What a question shows as answered so far; `criterion` None: the overall question."""
    if criterion is None:
        return {
            "answer": scorecard.recommendation if scorecard else "",
            "comment": scorecard.summary if scorecard else "",
        }
    current = _current_answers(scorecard).get(criterion.pk)
    return {"answer": _answer_value(current), "comment": current.evidence if current else ""}


def _level_words(criterion: Criterion | None) -> dict[int, str]:
    """The criterion's own easy-read levels, when it came from the question bank with them."""
    return criterion.easy_levels() if criterion is not None else {}


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
    entered_by = scorecard.entered_by if scorecard is not None else None

    form: EasyAnswerForm | None = None
    if request.method == "POST":
        form = EasyAnswerForm(request.POST, overall=overall, level_words=_level_words(criterion))
        form.is_valid()
        value = form.typed_answer()
        # Never cut: a comment over the limit is kept in the draft, and the person is asked
        # to shorten it before going on (and before sending).
        comment = form.typed_comment()
        recommendation = scorecard.recommendation if scorecard else ""
        summary = scorecard.summary if scorecard else ""
        new_answers: dict[int, workflow.Answer] = {}
        if overall:
            if value:
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
            return _already_sent(request, membership, panellist)
        action = request.POST.get("action")
        if action == "autosave":
            return render(
                request,
                "recruitment/easy/saved.html",
                {"saved_at": timezone.now(), "too_long": len(comment) - MAX_EVIDENCE},
            )
        if action == "stop":
            # "Stop and sign out" on a question saves the answer on the page first.
            logout(request)
            return redirect("join-signed-out")
        slug = membership.provider.slug
        if not form.comment_too_long:
            if action == "back":
                if number == 1:
                    return redirect("easy-start", slug, assessment_id)
                return redirect("easy-question", slug, assessment_id, number - 1)
            if number == count:
                return redirect("easy-check", slug, assessment_id)
            return redirect("easy-question", slug, assessment_id, number + 1)
        # The page again, with the message, every word typed, and the focus on the words.
        form.fields["comment"].widget.attrs["autofocus"] = True
        scorecard = _scorecard(panellist)

    if form is None:
        form = EasyAnswerForm(
            initial=_initial(scorecard, criterion),
            overall=overall,
            level_words=_level_words(criterion),
        )
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


def _check_row(number: int, question: str | None, choice: Any, comment: str) -> dict[str, Any]:
    return {
        "number": number,
        "question": question,
        "choice": choice,
        "comment": comment,
        "too_long": max(0, len(comment) - MAX_EVIDENCE),
    }


def _check_rows(
    criteria: list[Criterion], scorecard: Scorecard | None
) -> tuple[list[dict[str, Any]], int, int]:
    """Each question with its answer, how many are not answered yet, and how many comments
    are too long to send (a draft keeps every word typed; sending needs them shortened)."""
    answers = _current_answers(scorecard)
    rows = []
    for number, criterion in enumerate(criteria, start=1):
        answer = answers.get(criterion.pk)
        choice = LEVEL_WORDS.get(_answer_value(answer))
        rows.append(_check_row(number, criterion.prompt, choice, answer.evidence if answer else ""))
    overall = OVERALL_WORDS.get(scorecard.recommendation if scorecard else "")
    summary = scorecard.summary if scorecard else ""
    rows.append(_check_row(len(criteria) + 1, None, overall, summary))
    missing = sum(row["choice"] is None for row in rows)
    too_long = sum(bool(row["too_long"]) for row in rows)
    return rows, missing, too_long


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def easy_check(request: HttpRequest, membership: Membership, assessment_id: int) -> HttpResponse:
    """Check your answers, then send. Sending locks the scorecard."""
    panellist = _panel_place(membership, assessment_id)
    scorecard = _scorecard(panellist)
    if scorecard is not None and scorecard.is_submitted:
        return _sent_redirect(membership, panellist)
    criteria: list[Criterion] = list(panellist.assessment.criteria())
    rows, missing, too_long = _check_rows(criteria, scorecard)
    if request.method == "POST":
        if missing or scorecard is None:
            messages.error(
                request,
                f"Please answer every question first. Still to answer: {missing}.",
            )
            return redirect(request.path)
        if too_long:
            messages.error(request, "Please make your words shorter where it says so.")
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
    context.update(
        rows=rows,
        missing=missing,
        too_long=too_long,
        scorecard=scorecard,
        count=len(criteria) + 1,
    )
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
    context.update(
        scorecard=scorecard,
        kiosk=kiosk,
        news=workflow.next_visit_news(user=panellist.user, provider=membership.provider),
    )
    if kiosk:
        logout(request)
        context["link_session"] = False
    return render(request, "recruitment/easy/sent.html", context)
