"""Save and come back: an application a candidate saves part-way, and the emailed link that
brings them back to it.

The link is the only way in (no account): a random token of which only a keyed hash is
stored, valid until the draft's expiry, the provider's "days to keep an unfinished
application" after it was first saved. Saving again from the link keeps the same link.
A draft is the candidate's alone: no staff page reads it, and it becomes an application only
when they send it, which deletes it. The beat sweep deletes drafts nobody finished in time.
Either way the outbox's copy of the email that carried the link goes too, so the address is
not kept anywhere once the draft is gone.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format

from vbr.accounts.mail import queue_email
from vbr.accounts.models import OutgoingEmail
from vbr.applicants.models import ApplicantSettings, ApplicationDraft, Vacancy

DEFAULT_DRAFT_DAYS = ApplicantSettings._meta.get_field("draft_days").default

# What a draft keeps of the form: what the candidate typed, never the privacy box (ticked
# again when they send it) or the checks against scripts.
KEPT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "texts_agreed",
    "source",
    "referrer_name",
    "availability",
)


class DraftEnded(Exception):
    """The link was right but the draft's time is up."""


def _digest(token: str) -> str:
    return salted_hmac("vbr.applicants.draft", token).hexdigest()


def draft_days(vacancy: Vacancy) -> int:
    days = (
        ApplicantSettings.objects.filter(provider_id=vacancy.provider_id)
        .values_list("draft_days", flat=True)
        .first()
    )
    return days or DEFAULT_DRAFT_DAYS


def kept_answers(data: Any, *, answer_fields: list[str]) -> dict[str, str]:
    """The part of the posted form a draft keeps, as text."""
    kept: dict[str, str] = {}
    for name in (*KEPT_FIELDS, *answer_fields):
        value = data.get(name, "")
        if name == "texts_agreed":
            kept[name] = "on" if value else ""
        else:
            kept[name] = str(value)[:4000]
    return kept


def _link_email(*, vacancy: Vacancy, link: str, expires_at: datetime, first_name: str) -> str:
    until = date_format(timezone.localtime(expires_at), "l j F Y")
    greeting = f"Hello {first_name}," if first_name else "Hello,"
    return (
        f"{greeting}\n\n"
        f"You have saved your application to {vacancy.provider.name} for the job of "
        f"{vacancy.role.title}. To finish it and send it, open this link:\n"
        f"{link}\n\n"
        f"The link works until {until}. After that, what you saved is deleted.\n\n"
        f"Nothing has been sent to {vacancy.provider.name} yet: they see your application "
        "only when you send it. If you did not ask for this email, you can ignore it.\n\n"
        "Keep this link private: anyone who has it can see what you saved.\n\n"
        f"{vacancy.provider.name}\n"
    )


@transaction.atomic
def save_new_draft(*, vacancy: Vacancy, answers: dict[str, str], site: str) -> ApplicationDraft:
    """Keep what the candidate typed and email them the link back to it (sent by the worker
    once this commits). `site`: the address VBR is served at."""
    from django.urls import reverse

    token = secrets.token_urlsafe(32)
    draft = ApplicationDraft.objects.create(
        provider_id=vacancy.provider_id,
        vacancy=vacancy,
        email=answers["email"],
        answers=answers,
        token_hash=_digest(token),
        expires_at=timezone.now() + timedelta(days=draft_days(vacancy)),
    )
    link = site.rstrip("/") + reverse(
        "vacancy-apply-resume", args=[vacancy.provider.slug, vacancy.pk, token]
    )
    draft.link_email = queue_email(
        provider=vacancy.provider,
        to=draft.email,
        subject=f"Your saved application for {vacancy.role.title}",
        body=_link_email(
            vacancy=vacancy,
            link=link,
            expires_at=draft.expires_at,
            first_name=answers.get("first_name", "").strip(),
        ),
    )
    draft.save(update_fields=["link_email"])
    return draft


def update_draft(*, draft: ApplicationDraft, answers: dict[str, str]) -> None:
    """Saved again from the link: the same link, the same expiry. The address the link was
    sent to stays as it was, whatever the email box now says."""
    draft.answers = answers
    draft.save(update_fields=["answers", "updated_at"])


def find_draft(*, vacancy: Vacancy, token: str) -> ApplicationDraft:
    """The draft this link opens, for this vacancy only: Http404 when there is none (a wrong
    token, or another vacancy's draft), DraftEnded when its time is up."""
    draft = ApplicationDraft.objects.filter(token_hash=_digest(token), vacancy=vacancy).first()
    if draft is None:
        raise Http404("No such link")
    if draft.expires_at <= timezone.now():
        raise DraftEnded
    return draft


def delete_expired_drafts(*, now: datetime | None = None) -> int:
    """Run by celery beat every day: unfinished applications past their time are deleted,
    with the outbox's copy of the email that carried each link. Returns how many."""
    expired = ApplicationDraft.objects.filter(expires_at__lte=now or timezone.now())
    with transaction.atomic():
        OutgoingEmail.objects.filter(
            pk__in=expired.filter(link_email__isnull=False).values("link_email_id")
        ).delete()
        deleted, _ = expired.delete()
    return deleted
