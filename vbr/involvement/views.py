"""Pages of involvement before the interview.

The person asked for their views (usually an expert by experience, often by invitation link)
reads the advert one section at a time and shortlists one applicant at a time, in easy read.
Staff share the advert, read the comments beside the draft, record what changed, open
shortlisting, read the tally and move applications on. Every query starts from the provider;
the easy-read pages find only the signed-in person's own advert or shortlisting place.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts import invitations, mail
from vbr.accounts.access import ANY_MEMBER, STAFF, hidden_shortlist_entry_ids, provider_view
from vbr.accounts.invitations import link_scope
from vbr.accounts.models import AccessProfile, Membership, User
from vbr.applicants.models import Vacancy
from vbr.involvement import emails, workflow
from vbr.involvement.forms import (
    SHORTLIST_WORDS,
    AdvertCommentForm,
    AdvertShareForm,
    CommentOutcomeForm,
    ShortlistAnswerForm,
    ShortlistingOpenForm,
)
from vbr.involvement.models import (
    AdvertComment,
    AdvertReview,
    ShortlistAnswer,
    ShortlistEntry,
    Shortlister,
)
from vbr.involvement.summaries import tally


def _easy_context(request: HttpRequest, user: Any) -> dict[str, Any]:
    profile = AccessProfile.objects.filter(user=user).first() or AccessProfile(user=user)
    return {
        "profile": profile,
        "body_classes": f"easy-read {profile.body_classes}",
        "link_session": bool(link_scope(request)),
    }


# -- The advert, for the person asked --------------------------------------------------------------


def _own_review(membership: Membership, advert_review_id: int) -> AdvertReview:
    """The signed-in person's own advert review at this provider, or 404."""
    return get_object_or_404(
        AdvertReview.objects.select_related("vacancy__role", "shared_by"),
        provider=membership.provider,
        reviewer=membership.user,
        pk=advert_review_id,
    )


@require_GET
@provider_view(ANY_MEMBER)
def advert_start(
    request: HttpRequest, membership: Membership, advert_review_id: int
) -> HttpResponse:
    """What we are asking, and how; or thank you, once the comments are sent."""
    review = _own_review(membership, advert_review_id)
    parts = workflow.vacancy_parts(review.vacancy)
    context = _easy_context(request, membership.user)
    context.update(review=review, part_count=len(parts), started=review.comments.exists())
    return render(request, "involvement/advert_start.html", context)


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def advert_section(
    request: HttpRequest, membership: Membership, advert_review_id: int, number: int
) -> HttpResponse:
    """One section of the advert, with a box for what they think and one for other words."""
    review = _own_review(membership, advert_review_id)
    slug = membership.provider.slug
    if review.is_sent:
        return redirect("advert-start", slug, review.pk)
    parts = workflow.vacancy_parts(review.vacancy)
    if not 1 <= number <= len(parts):
        return redirect("advert-section", slug, review.pk, 1)
    part = parts[number - 1]
    current = review.comments.filter(section=part.section).first()
    form = AdvertCommentForm(
        request.POST or None,
        initial={
            "comment": current.comment if current else "",
            "suggested_words": current.suggested_words if current else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            workflow.save_advert_comment(
                review=review,
                part=part,
                comment=form.cleaned_data["comment"],
                suggested_words=form.cleaned_data["suggested_words"],
            )
        except workflow.AdvertAlreadySent:
            messages.info(request, "Your comments were already sent from another screen.")
            return redirect("advert-start", slug, review.pk)
        if request.POST.get("action") == "back":
            if number == 1:
                return redirect("advert-start", slug, review.pk)
            return redirect("advert-section", slug, review.pk, number - 1)
        if number == len(parts):
            return redirect("advert-check", slug, review.pk)
        return redirect("advert-section", slug, review.pk, number + 1)
    context = _easy_context(request, membership.user)
    context.update(
        review=review,
        part=part,
        form=form,
        number=number,
        count=len(parts),
        saved=current is not None,
    )
    return render(request, "involvement/advert_section.html", context)


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def advert_check(
    request: HttpRequest, membership: Membership, advert_review_id: int
) -> HttpResponse:
    """Everything they wrote, then "Send my comments"."""
    review = _own_review(membership, advert_review_id)
    slug = membership.provider.slug
    if review.is_sent:
        return redirect("advert-start", slug, review.pk)
    if request.method == "POST":
        try:
            workflow.send_advert_comments(review=review)
        except workflow.AdvertAlreadySent:
            messages.info(request, "Your comments were already sent from another screen.")
        return redirect("advert-start", slug, review.pk)
    parts = workflow.vacancy_parts(review.vacancy)
    comments = {c.section: c for c in review.comments.all()}
    rows = [
        {"number": n, "part": part, "comment": comments.get(part.section)}
        for n, part in enumerate(parts, start=1)
    ]
    context = _easy_context(request, membership.user)
    context.update(review=review, rows=rows, count=len(parts))
    return render(request, "involvement/advert_check.html", context)


# -- The advert, for staff -------------------------------------------------------------------------


def advert_comments_beside(vacancy: Vacancy) -> dict[str, Any]:
    """What the vacancy page shows beside the draft: who it is shared with, the comments
    each has sent, section by section, with the form to record what changed, and the form
    to share it with more people."""
    provider = vacancy.provider
    context: dict[str, Any] = {"share_form": AdvertShareForm(provider=provider)}
    if vacancy.pk is None:
        return context
    reviews = list(
        vacancy.reviews.select_related("reviewer").prefetch_related(
            Prefetch("comments", queryset=AdvertComment.objects.select_related("outcome_by"))
        )
    )
    # People without a staff account open the advert by a personal link.
    link_people = set(
        provider.memberships.filter(
            user__in=[r.reviewer_id for r in reviews], role=Membership.Role.PANEL
        ).values_list("user_id", flat=True)
    )
    context.update(
        advert_reviews=reviews,
        link_people=link_people,
        advert_comments=[
            {
                "comment": comment,
                "review": review,
                # Ids of its own: several of these forms share the page.
                "form": CommentOutcomeForm(instance=comment, auto_id=f"c{comment.pk}_%s"),
            }
            for review in reviews
            if review.is_sent
            for comment in review.comments.all()
        ],
    )
    return context


@require_POST
@provider_view(STAFF)
def advert_share(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    """Ask chosen people for their views on the vacancy's words."""
    provider = membership.provider
    vacancy = get_object_or_404(Vacancy.objects.filter(provider=provider), role_id=role_id)
    form = AdvertShareForm(request.POST, provider=provider)
    if form.is_valid():
        reviews = workflow.share_advert(
            vacancy=vacancy,
            people=form.cleaned_data["people"],
            shared_by=request.user,  # type: ignore[arg-type]
        )
        names = ", ".join(r.reviewer.display_name for r in reviews)
        messages.success(
            request,
            f"Shared with {names}. Give a personal link to anyone without a staff account.",
        )
    else:
        messages.error(request, " ".join(str(e) for e in form["people"].errors))
    return redirect(reverse("vacancy-edit", args=[provider.slug, role_id]) + "#advert-views")


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def advert_comment_outcome(
    request: HttpRequest, membership: Membership, comment_id: int
) -> HttpResponse:
    """Record what was done about one comment. The vacancy page posts here; with something
    to correct, this page shows the comment again with what was typed."""
    comment = get_object_or_404(
        AdvertComment.objects.select_related("review__reviewer", "review__vacancy__role"),
        review__provider=membership.provider,
        review__sent_at__isnull=False,
        pk=comment_id,
    )
    form = CommentOutcomeForm(request.POST or None, instance=comment)
    if request.method == "POST" and form.is_valid():
        workflow.record_comment_outcome(
            comment=comment,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["outcome_note"],
            by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, "Saved what you did about the comment.")
        role_id = comment.review.vacancy.role_id
        return redirect(
            reverse("vacancy-edit", args=[membership.provider.slug, role_id])
            + f"#comment-{comment.pk}"
        )
    return render(request, "involvement/comment_outcome.html", {"comment": comment, "form": form})


# -- Personal links for people without a staff account ---------------------------------------------


def _link_page(
    request: HttpRequest, issued: invitations.IssuedInvitation, person: User, back_url: str
) -> HttpResponse:
    link = request.build_absolute_uri(reverse("join-link", args=[issued.token]))
    return render(
        request,
        "involvement/link_issued.html",
        {
            "person": person,
            "link": link,
            "code": issued.display_code,
            "join_url": request.build_absolute_uri(reverse("join")),
            "expires_at": issued.invitation.expires_at,
            "back_url": back_url,
        },
    )


def _deliver_link(
    request: HttpRequest,
    membership: Membership,
    *,
    person: User,
    issue: Callable[[str], invitations.IssuedInvitation],
    write: Callable[..., emails.Email],
    page_url: str,
    back_url: str,
) -> HttpResponse:
    """Make a personal link and show it once to print or copy, or email it (delivery=email)
    through the outbox. A person who signs in gets no link: emailing them sends the page's
    address instead. The email leaves from the worker once this commits."""
    email = request.POST.get("delivery") == "email"
    if email and not person.email:
        messages.error(
            request, f"{person.display_name} has no email address: make a link to print instead."
        )
        return redirect(back_url)
    provider = membership.provider
    words = {
        "name": person.display_name,
        "provider": provider.name,
        "asked_by": request.user.display_name,  # type: ignore[union-attr]
    }
    try:
        with transaction.atomic():
            issued = issue(person.email if email else "")
            personal = emails.PersonalLink(
                link=request.build_absolute_uri(reverse("join-link", args=[issued.token])),
                code=issued.display_code,
                join_url=request.build_absolute_uri(reverse("join")),
                expires_at=issued.invitation.expires_at,
            )
            if email:
                message = write(**words, personal=personal)
                mail.queue_email(
                    provider=provider,
                    invitation=issued.invitation,
                    to=person.email,
                    subject=message.subject,
                    body=message.body,
                )
    except ValueError as refused:
        if not email:
            messages.error(request, f"{refused} {person.display_name} can sign in instead.")
            return redirect(back_url)
        message = write(**words, page_url=request.build_absolute_uri(page_url))
        mail.queue_email(
            provider=provider, to=person.email, subject=message.subject, body=message.body
        )
        messages.success(
            request,
            f"An email telling {person.display_name} where to find it is on its way. "
            "They sign in to open it.",
        )
        return redirect(back_url)
    if email:
        messages.success(
            request, f"A personal link is on its way to {person.display_name} by email."
        )
        return redirect(back_url)
    return _link_page(request, issued, person, back_url)


@require_POST
@never_cache
@provider_view(STAFF)
def advert_review_link(
    request: HttpRequest, membership: Membership, advert_review_id: int
) -> HttpResponse:
    """A personal link to the advert, to print or by email, for a person without a staff
    account; by email, a person who signs in is told where to find it."""
    review = get_object_or_404(
        AdvertReview.objects.select_related("reviewer", "vacancy__role"),
        provider=membership.provider,
        pk=advert_review_id,
    )
    back_url = reverse("vacancy-edit", args=[membership.provider.slug, review.vacancy.role_id])
    return _deliver_link(
        request,
        membership,
        person=review.reviewer,
        issue=lambda emailed_to: invitations.create_involvement_invitation(
            advert_review=review,
            created_by=request.user,  # type: ignore[arg-type]
            emailed_to=emailed_to,
        ),
        write=partial(emails.advert_email, role=review.vacancy.role.title),
        page_url=reverse("advert-start", args=[membership.provider.slug, review.pk]),
        back_url=back_url,
    )


@require_POST
@never_cache
@provider_view(STAFF)
def shortlister_link(
    request: HttpRequest, membership: Membership, shortlister_id: int
) -> HttpResponse:
    """A personal link to shortlisting, to print or by email, for a person without a staff
    account; by email, a person who signs in is told where to find it."""
    shortlister = get_object_or_404(
        Shortlister.objects.select_related("user", "shortlisting__role"),
        shortlisting__provider=membership.provider,
        pk=shortlister_id,
    )
    back_url = reverse(
        "shortlisting-detail", args=[membership.provider.slug, shortlister.shortlisting_id]
    )
    return _deliver_link(
        request,
        membership,
        person=shortlister.user,
        issue=lambda emailed_to: invitations.create_involvement_invitation(
            shortlister=shortlister,
            created_by=request.user,  # type: ignore[arg-type]
            emailed_to=emailed_to,
        ),
        write=partial(emails.shortlisting_email, role=shortlister.shortlisting.role.title),
        page_url=reverse("shortlist-start", args=[membership.provider.slug, shortlister.pk]),
        back_url=back_url,
    )


# -- Shortlisting, for staff -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def shortlisting_list(request: HttpRequest, membership: Membership, role_id: int) -> HttpResponse:
    """The role's shortlistings, and opening a new one."""
    provider = membership.provider
    role = get_object_or_404(provider.roles, pk=role_id)
    form = ShortlistingOpenForm(request.POST or None, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            shortlisting = workflow.open_shortlisting(
                role=role,
                stage=form.cleaned_data["stage"],
                people=form.cleaned_data["people"],
                opened_by=request.user,  # type: ignore[arg-type]
            )
        except workflow.NotShortlistable:
            form.add_error(
                "stage",
                "There is no open application with values answers here to shortlist yet.",
            )
        else:
            messages.success(request, "Shortlisting is open.")
            return redirect("shortlisting-detail", provider.slug, shortlisting.pk)
    shortlistings = role.shortlistings.select_related("stage").annotate(
        entry_count=Count("entries", distinct=True),
        shortlister_count=Count("shortlisters", distinct=True),
    )
    return render(
        request,
        "involvement/shortlisting_list.html",
        {"role": role, "form": form, "shortlistings": shortlistings},
    )


@require_http_methods(["GET", "POST"])
@provider_view(STAFF)
def shortlisting_detail(
    request: HttpRequest, membership: Membership, shortlisting_id: int
) -> HttpResponse:
    """The tally for each applicant, the comments, and moving applications on. While the
    reader shortlists an applicant themselves and has not answered, that applicant's answers
    are hidden from them (`access.hidden_shortlist_entry_ids`)."""
    provider = membership.provider
    shortlisting = get_object_or_404(
        provider.shortlistings.select_related("role", "stage"), pk=shortlisting_id
    )
    if request.method == "POST":
        added = workflow.add_new_entries(shortlisting=shortlisting)
        messages.success(
            request,
            f"{added} new application{'s' if added != 1 else ''} added."
            if added
            else "There are no new applications to add.",
        )
        return redirect("shortlisting-detail", provider.slug, shortlisting.pk)
    hidden = hidden_shortlist_entry_ids(membership, shortlisting)
    answers = Prefetch(
        "answers", queryset=ShortlistAnswer.objects.select_related("shortlister__user")
    )
    entries = list(
        shortlisting.entries.select_related("application__current_stage").prefetch_related(answers)
    )
    rows = []
    for entry in entries:
        shown = [] if entry.pk in hidden else list(entry.answers.all())
        rows.append(
            {"entry": entry, "hidden": entry.pk in hidden, "answers": shown, "tally": tally(shown)}
        )
    shortlisters = list(
        shortlisting.shortlisters.select_related("user").annotate(
            answered=Count("answers"),
        )
    )
    expert_ids = set(
        provider.memberships.filter(
            user__in=[s.user_id for s in shortlisters], is_expert_by_experience=True
        ).values_list("user_id", flat=True)
    )
    staff_ids = set(
        provider.memberships.staff()
        .filter(user__in=[s.user_id for s in shortlisters])
        .values_list("user_id", flat=True)
    )
    own = next((s for s in shortlisters if s.user_id == membership.user_id), None)
    return render(
        request,
        "involvement/shortlisting_detail.html",
        {
            "shortlisting": shortlisting,
            "rows": rows,
            "shortlisters": shortlisters,
            "expert_ids": expert_ids,
            "staff_ids": staff_ids,
            "own_place": own,
            # How far the others have got says when they answered the applicants the reader
            # has still to answer: shown once the reader has answered every applicant.
            "progress_shown": not hidden,
            "entry_count": len(entries),
            "words": SHORTLIST_WORDS,
        },
    )


@require_POST
@provider_view(STAFF)
def shortlist_entry_decide(
    request: HttpRequest, membership: Membership, entry_id: int
) -> HttpResponse:
    """Move an applicant's application on to the next stage, or not."""
    entry = get_object_or_404(
        ShortlistEntry.objects.select_related("application__role", "shortlisting"),
        shortlisting__provider=membership.provider,
        pk=entry_id,
    )
    move_on = request.POST.get("move_on") == "yes"
    try:
        workflow.decide_entry(entry=entry, move_on=move_on, by=request.user)  # type: ignore[arg-type]
    except ValidationError as refused:
        messages.error(request, f"{entry.label}: {' '.join(refused.messages)}")
    else:
        messages.success(request, f"{entry.label}: {'moved on' if move_on else 'not moved on'}.")
    return redirect(
        reverse("shortlisting-detail", args=[membership.provider.slug, entry.shortlisting_id])
        + f"#entry-{entry.pk}"
    )


# -- Shortlisting, for the person shortlisting -----------------------------------------------------


def _own_place(membership: Membership, shortlister_id: int) -> Shortlister:
    return get_object_or_404(
        Shortlister.objects.select_related("shortlisting__role", "user"),
        shortlisting__provider=membership.provider,
        user=membership.user,
        pk=shortlister_id,
    )


@require_GET
@provider_view(ANY_MEMBER)
def shortlist_start(
    request: HttpRequest, membership: Membership, shortlister_id: int
) -> HttpResponse:
    """What shortlisting is, how many applicants, which are answered; start or carry on."""
    place = _own_place(membership, shortlister_id)
    entries = list(
        place.shortlisting.entries.annotate(
            mine=Count("answers", filter=Q(answers__shortlister=place))
        )
    )
    first_open = next((e for e in entries if not e.mine), None)
    context = _easy_context(request, membership.user)
    context.update(
        place=place,
        entries=entries,
        answered=sum(1 for e in entries if e.mine),
        first_open=first_open,
    )
    return render(request, "involvement/shortlist_start.html", context)


@require_http_methods(["GET", "POST"])
@provider_view(ANY_MEMBER)
def shortlist_answer(
    request: HttpRequest, membership: Membership, shortlister_id: int, number: int
) -> HttpResponse:
    """One applicant: their values answers only, then yes, not sure or no, and a comment."""
    place = _own_place(membership, shortlister_id)
    slug = membership.provider.slug
    entry = get_object_or_404(
        place.shortlisting.entries.select_related("application__candidate"), number=number
    )
    count = place.shortlisting.entries.count()
    mine = ShortlistAnswer.objects.filter(shortlister=place, entry=entry).first()
    form = ShortlistAnswerForm(request.POST or None)
    if request.method == "POST" and mine is None:
        if request.POST.get("action") == "skip":
            return _next_applicant(slug, place, number, count)
        if form.is_valid():
            try:
                workflow.send_shortlist_answer(
                    shortlister=place,
                    entry=entry,
                    answer=form.cleaned_data["answer"],
                    comment=form.cleaned_data["comment"],
                )
            except workflow.AlreadyAnswered:
                messages.info(request, "Your answer was already sent from another screen.")
            return _next_applicant(slug, place, number, count)
    elif request.method == "POST":
        return _next_applicant(slug, place, number, count)
    context = _easy_context(request, membership.user)
    context.update(
        place=place,
        entry=entry,
        number=number,
        count=count,
        answers=workflow.anonymous_answers(entry),
        form=form,
        mine=mine,
        mine_words=SHORTLIST_WORDS.get(mine.answer) if mine else None,
    )
    return render(request, "involvement/shortlist_answer.html", context)


def _next_applicant(slug: str, place: Shortlister, number: int, count: int) -> HttpResponse:
    if number < count:
        return redirect("shortlist-answer", slug, place.pk, number + 1)
    return redirect("shortlist-start", slug, place.pk)
