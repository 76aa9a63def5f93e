"""Public pages: a provider's vacancies, each vacancy, and the application form.

No sign-in. Everything is looked up from the provider named in the URL and only published
vacancies of open roles are shown: a draft, a closed role or another provider's vacancy is a
404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vbr.accounts.lockout import client_address
from vbr.accounts.models import Provider
from vbr.applicants import booking, calendar, drafts, notices, status, workflow
from vbr.applicants.forms import ApplyForm, SaveForLaterForm, WithdrawByCandidateForm
from vbr.applicants.jobposting import as_script, job_posting
from vbr.applicants.models import (
    ApplicationDraft,
    Booking,
    Notice,
    OnlineApplication,
    Vacancy,
    VacancyQuestion,
)
from vbr.recruitment.models import Application, Indicator
from vbr.reports.caching import reports_changed
from vbr.reports.models import EqualityResponse, MonitoringInvite

# Applications one internet address may send in an hour (a family or a jobcentre may share
# one address, so this is not one).
APPLICATIONS_PER_ADDRESS_PER_HOUR = getattr(settings, "VBR_APPLICATIONS_PER_ADDRESS", 5)


def _published_vacancy(provider_slug: str, vacancy_id: int) -> Vacancy:
    return get_object_or_404(
        Vacancy.objects.published().select_related("provider", "role"),
        provider__slug=provider_slug,
        pk=vacancy_id,
    )


@require_GET
def provider_vacancies(request: HttpRequest, provider_slug: str) -> HttpResponse:
    """The provider's open vacancies."""
    employer = get_object_or_404(Provider, slug=provider_slug)
    vacancies = employer.vacancies.published().select_related("role").order_by("role__title")
    return render(
        request,
        "applicants/vacancy_list.html",
        {"employer": employer, "vacancies": vacancies},
    )


@require_GET
def vacancy_detail(request: HttpRequest, provider_slug: str, vacancy_id: int) -> HttpResponse:
    """What the job is like, the provider's values in practice, and how recruitment goes."""
    vacancy = _published_vacancy(provider_slug, vacancy_id)
    employer = vacancy.provider
    core_values = employer.core_values.current().prefetch_related(
        Prefetch(
            "indicators",
            queryset=Indicator.objects.filter(kind=Indicator.Kind.POSITIVE),
            to_attr="shows",
        )
    )
    stages = list(vacancy.role.stages.all())
    posting = job_posting(vacancy, url=request.build_absolute_uri(vacancy.get_absolute_url()))
    return render(
        request,
        "applicants/vacancy_detail.html",
        {
            "employer": employer,
            "vacancy": vacancy,
            "core_values": core_values,
            "stages": stages,
            "has_shadowing": any(stage.is_shadowing for stage in stages),
            "job_posting": as_script(posting),
        },
    )


def _over_address_limit(request: HttpRequest) -> bool:
    """Counts an application from the caller's address; True past the hourly limit."""
    key = f"applicants:apply:{client_address(request) or 'unknown'}"
    cache.add(key, 0, timeout=60 * 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60 * 60)
        count = 1
    return count > APPLICATIONS_PER_ADDRESS_PER_HOUR


@require_http_methods(["GET", "POST"])
def vacancy_apply(request: HttpRequest, provider_slug: str, vacancy_id: int) -> HttpResponse:
    """The short application: contact details, how they heard, when they can work, and the
    role's values questions. Everything typed is kept when something needs correcting, and
    it can be saved part-way to finish later."""
    vacancy = _published_vacancy(provider_slug, vacancy_id)
    return _apply(request, vacancy)


@require_http_methods(["GET", "POST"])
def vacancy_apply_resume(
    request: HttpRequest, provider_slug: str, vacancy_id: int, token: str
) -> HttpResponse:
    """The application the candidate saved, opened by the link we emailed them: what they
    typed is back in the form, to finish and send (or save again)."""
    vacancy = _published_vacancy(provider_slug, vacancy_id)
    try:
        draft = drafts.find_draft(vacancy=vacancy, token=token)
    except drafts.DraftEnded:
        return _personal(
            render(
                request,
                "applicants/draft_ended.html",
                {"employer": vacancy.provider, "vacancy": vacancy},
                status=410,
            )
        )
    return _personal(_apply(request, vacancy, draft=draft))


@require_GET
def vacancy_draft_saved(request: HttpRequest, provider_slug: str, vacancy_id: int) -> HttpResponse:
    """Where saving for later lands: the link is on its way by email."""
    vacancy = _published_vacancy(provider_slug, vacancy_id)
    return render(
        request,
        "applicants/draft_saved.html",
        {"employer": vacancy.provider, "vacancy": vacancy, "days": drafts.draft_days(vacancy)},
    )


def _apply(
    request: HttpRequest, vacancy: Vacancy, *, draft: ApplicationDraft | None = None
) -> HttpResponse:
    questions = list(vacancy.questions.all())
    saving = request.method == "POST" and "save_for_later" in request.POST
    initial = dict(draft.answers) if draft is not None else None
    form = ApplyForm(
        request.POST if request.method == "POST" and not saving else None,
        questions=questions,
        initial=initial,
    )
    context = {"employer": vacancy.provider, "vacancy": vacancy, "form": form, "draft": draft}
    if request.method != "POST":
        return render(request, "applicants/apply_form.html", context)
    if form.is_bot or (saving and str(request.POST.get("website", "")).strip()):
        # Looks received to the script that filled the hidden box; nothing is kept.
        return redirect("vacancy-applied", vacancy.provider.slug, vacancy.pk)
    if saving:
        return _save_for_later(request, vacancy, questions=questions, draft=draft)
    if not form.is_valid():
        return render(request, "applicants/apply_form.html", context)
    if _over_address_limit(request):
        context["too_many"] = True
        return render(request, "applicants/apply_form.html", context, status=429)
    data = form.cleaned_data
    with transaction.atomic():
        submitted = workflow.submit_application(
            vacancy=vacancy,
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            source=data["source"],
            referrer_name=data["referrer_name"],
            availability=data["availability"],
            answers=form.answers(),
            texts_agreed=data["texts_agreed"],
        )
        if draft is not None:
            # Sent: what was saved is the application now.
            draft.delete_with_its_email()
        MonitoringInvite.objects.create(application=submitted.application)
        token = status.issue_status_link(online=submitted.online)
        notices.send_notices(
            application=submitted.application,
            kind=Notice.Kind.RECEIVED,
            status_url=request.build_absolute_uri(reverse("candidate-status", args=[token])),
        )
    # Straight to their own page: it thanks them, says what happens next, and is theirs to
    # come back to by the link in the acknowledgement.
    return redirect("candidate-status", token)


def _save_for_later(
    request: HttpRequest,
    vacancy: Vacancy,
    *,
    questions: list[VacancyQuestion],
    draft: ApplicationDraft | None,
) -> HttpResponse:
    """Keep what was typed and email the link back to it. Only an email address is needed
    (the link goes there); nothing else is checked until the application is sent."""
    answers = drafts.kept_answers(request.POST, answer_fields=[f"answer_{q.pk}" for q in questions])
    if draft is not None:
        drafts.update_draft(draft=draft, answers=answers)
        until = date_format(timezone.localtime(draft.expires_at), "j F")
        messages.success(
            request,
            f"Saved. Come back by the link in our email to finish it, until {until}.",
        )
        return redirect(request.path)
    form = SaveForLaterForm(request.POST)
    if not form.is_valid():
        # Everything typed is shown again; the only thing to change is the email address.
        retry = ApplyForm(request.POST, questions=questions)
        retry.is_valid()
        retry.errors.clear()
        retry.add_error("email", form.errors["email"])
        context = {"employer": vacancy.provider, "vacancy": vacancy, "form": retry}
        return render(request, "applicants/apply_form.html", context)
    if _over_address_limit(request):
        context = {
            "employer": vacancy.provider,
            "vacancy": vacancy,
            "form": ApplyForm(initial=answers, questions=questions),
            "too_many": True,
        }
        return render(request, "applicants/apply_form.html", context, status=429)
    answers["email"] = form.cleaned_data["email"]
    drafts.save_new_draft(vacancy=vacancy, answers=answers, site=request.build_absolute_uri("/"))
    return redirect("vacancy-draft-saved", vacancy.provider.slug, vacancy.pk)


@require_GET
def vacancy_applied(request: HttpRequest, provider_slug: str, vacancy_id: int) -> HttpResponse:
    """Where a submission caught by the honeypot is sent: it reads as received."""
    vacancy = _published_vacancy(provider_slug, vacancy_id)
    return render(
        request, "applicants/apply_done.html", {"employer": vacancy.provider, "vacancy": vacancy}
    )


def _status_page(request: HttpRequest, token: str) -> OnlineApplication | HttpResponse:
    try:
        return status.find_by_status_token(token)
    except status.LinkEnded:
        return render(request, "applicants/status_ended.html", status=410)


def _personal(response: HttpResponse) -> HttpResponse:
    """A personal page: kept by no browser cache or proxy, listed by no search engine."""
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def candidate_status(request: HttpRequest, token: str) -> HttpResponse:
    """The candidate's own page: where their application stands, what happens next, their
    booked times and a way to withdraw. Nothing of scores, notes or the panel's views."""
    found = _status_page(request, token)
    if isinstance(found, HttpResponse):
        return _personal(found)
    application = found.application
    slots = booking.bookable_slots(application)
    invite = MonitoringInvite.objects.filter(application=application).first()
    equality_key = (
        invite.key
        if invite and not EqualityResponse.objects.filter(key=invite.key).exists()
        else None
    )
    return _personal(
        render(
            request,
            "applicants/status.html",
            {
                "employer": application.provider,
                "application": application,
                "candidate": application.candidate,
                "standing": status.standing(application, times_offered=bool(slots)),
                "token": token,
                "booking": booking.live_booking(application),
                "slots": slots,
                "equality_key": equality_key,
            },
        )
    )


@require_http_methods(["GET", "POST"])
def candidate_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """The candidate withdraws, with a reason if they want to give one."""
    found = _status_page(request, token)
    if isinstance(found, HttpResponse):
        return _personal(found)
    application = found.application
    form = WithdrawByCandidateForm(request.POST or None)
    if not application.is_open or application.status == Application.Status.HIRED:
        return redirect("candidate-status", token)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            application.withdraw(reason=form.cleaned_data["reason"])
            reports_changed(provider_id=application.provider_id)
            notices.send_notices(application=application, kind=Notice.Kind.WITHDRAWN)
        return redirect("candidate-status", token)
    return _personal(
        render(
            request,
            "applicants/status_withdraw.html",
            {"employer": application.provider, "application": application, "form": form},
        )
    )


@require_POST
def candidate_book(request: HttpRequest, token: str) -> HttpResponse:
    """Book, or move to, one of the times offered at the candidate's stage."""
    found = _status_page(request, token)
    if isinstance(found, HttpResponse):
        return _personal(found)
    try:
        slot_id = int(request.POST.get("slot", ""))
    except ValueError:
        return redirect("candidate-status", token)
    before = timezone.now()
    try:
        booked = booking.book_slot(application=found.application, slot_id=slot_id)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect("candidate-status", token)
    if booked.booked_at >= before:  # not the time they already had
        _booking_notice(request, booked, token=token, kind=Notice.Kind.BOOKED)
    messages.success(request, "Booked. Your time is below.")
    return redirect("candidate-status", token)


def _booking_notice(request: HttpRequest, booked: Booking, *, token: str, kind: str) -> None:
    """The candidate's notice of a booked or cancelled time, with its calendar file: each
    change of the same stage's booking updates one calendar event."""
    sequence = booked.application.bookings.filter(slot__stage_id=booked.slot.stage_id).count()
    if kind == Notice.Kind.BOOKING_CANCELLED:
        sequence += 1
    notices.send_notices(
        application=booked.application,
        kind=kind,
        status_url=request.build_absolute_uri(reverse("candidate-status", args=[token])),
        booked=booked,
        ics=calendar.booking_event(
            booked, sequence=sequence, cancelled=kind == Notice.Kind.BOOKING_CANCELLED
        ),
    )


@require_POST
def candidate_cancel_booking(request: HttpRequest, token: str) -> HttpResponse:
    found = _status_page(request, token)
    if isinstance(found, HttpResponse):
        return _personal(found)
    try:
        cancelled = booking.cancel_booking(application=found.application)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        _booking_notice(request, cancelled, token=token, kind=Notice.Kind.BOOKING_CANCELLED)
        messages.success(request, "Your booking is cancelled. You can choose another time.")
    return redirect("candidate-status", token)
