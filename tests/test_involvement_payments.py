"""Payments that are safe for benefits: the involvement log keeps the reward each person
chose, their expenses and a supporter's costs, when it is due by the provider's setting, and
whether it is paid; admins are reminded of what is not paid near or after its date."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.servers import Mailbox, smtp_server
from tests.test_mail import point_at
from vbr.accounts.models import Membership, OutgoingEmail, Provider, User
from vbr.celery import app as celery_app
from vbr.recruitment import workflow
from vbr.recruitment.models import Involvement

# 09:00 on Monday 16 November 2026, London (GMT): the clock every reminder test reads.
MONDAY = timezone.make_aware(datetime(2026, 11, 16, 9, 0))


def log(
    provider: Provider,
    user: User,
    day: date,
    *,
    payment: str = "0",
    expenses: str = "0",
    supporter: str = "0",
    kind: str = Involvement.PaymentKind.PAYMENT,
    paid_on: date | None = None,
) -> Involvement:
    return Involvement.objects.create(
        provider=provider,
        user=user,
        date=day,
        minutes=60,
        payment_kind=kind,
        payment_amount=Decimal(payment),
        expenses_amount=Decimal(expenses),
        supporter_expenses=Decimal(supporter),
        pay_by=workflow.involvement.pay_by(provider=provider, day=day),
        paid_on=paid_on,
    )


@pytest.fixture
def mailbox(settings) -> Iterator[Mailbox]:  # type: ignore[no-untyped-def]
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    with smtp_server() as box:
        point_at(settings, box.port)
        yield box
    celery_app.conf.task_always_eager = previous


def test_recording_involvement_keeps_the_reward_expenses_and_the_date_to_pay_by(
    as_bob: Client, dev: User, sunrise: Provider
) -> None:
    url = reverse("involvement-list", args=["sunrise"])
    response = as_bob.post(
        url,
        {
            "user": dev.pk,
            "date": "2026-11-20",
            "minutes": 120,
            "payment_kind": "voucher",
            "payment_amount": "25.00",
            "expenses_amount": "6.40",
            "supporter_expenses": "18.00",
        },
        follow=True,
    )
    involvement = Involvement.objects.get()
    assert involvement.payment_kind == "voucher"
    assert involvement.supporter_expenses == Decimal("18.00")
    assert involvement.pay_by == date(2026, 12, 4)  # 14 days, the default
    assert involvement.amount_owed == Decimal("49.40")
    assert "Involvement recorded. Pay it by 04 December 2026." in response.content.decode()


def test_the_provider_sets_how_soon_it_pays_and_new_entries_follow_it(
    as_alice: Client, as_bob: Client, dev: User, sunrise: Provider
) -> None:
    settings_url = reverse("involvement-settings", args=["sunrise"])
    assert as_bob.post(settings_url, {"pay_within_days": 7}).status_code == 403
    page = as_alice.post(settings_url, {"pay_within_days": 0}, follow=True).content.decode()
    assert "Choose a number of days from 1 to 90." in page
    as_alice.post(settings_url, {"pay_within_days": 7})
    sunrise.refresh_from_db()
    assert sunrise.pay_within_days == 7
    as_bob.post(
        reverse("involvement-list", args=["sunrise"]),
        {
            "user": dev.pk,
            "date": "2026-11-20",
            "minutes": 60,
            "payment_kind": "payment",
            "payment_amount": "20",
            "expenses_amount": "0",
        },
    )
    assert Involvement.objects.get().pay_by == date(2026, 11, 27)


def test_the_involvement_page_lists_what_is_due_and_marks_it_paid(
    as_bob: Client, dev: User, sunrise: Provider
) -> None:
    today = timezone.localdate()
    overdue = log(sunrise, dev, today - timedelta(days=20), payment="30")
    soon = log(sunrise, dev, today - timedelta(days=12), expenses="4.50")
    log(sunrise, dev, today - timedelta(days=2), payment="30")  # due in 12 days: not yet
    log(sunrise, dev, today - timedelta(days=30), kind="none")  # nothing to pay
    log(sunrise, dev, today - timedelta(days=25), payment="10", paid_on=today)
    url = reverse("involvement-list", args=["sunrise"])
    page = as_bob.get(url).content.decode()
    due = page[page.index("Not yet paid, due soon or overdue") : page.index("</table>")]
    assert due.count('<th scope="row">Dev Raman</th>') == 2
    assert "£30.00" in due and "(overdue)" in due and "£4.50" in due

    response = as_bob.post(
        reverse("involvement-paid", args=["sunrise", overdue.pk]),
        {"paid_on": today.isoformat()},
        follow=True,
    )
    assert "Marked paid: Dev Raman" in response.content.decode()
    overdue.refresh_from_db()
    assert overdue.paid_on == today
    refused = as_bob.post(
        reverse("involvement-paid", args=["sunrise", soon.pk]),
        {"paid_on": (today + timedelta(days=1)).isoformat()},
        follow=True,
    )
    assert "cannot be in the future" in refused.content.decode()
    soon.refresh_from_db()
    assert soon.paid_on is None


def test_another_providers_involvement_cannot_be_marked_paid(
    as_charlie: Client, dev: User, sunrise: Provider
) -> None:
    entry = log(sunrise, dev, date(2026, 11, 1), payment="30")
    response = as_charlie.post(
        reverse("involvement-paid", args=["hillside", entry.pk]), {"paid_on": "2026-11-02"}
    )
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.paid_on is None


def test_admins_are_reminded_by_email_of_payments_due_soon_or_overdue(
    sunrise: Provider,
    alice: User,
    bob: User,
    dev: User,
    mailbox: Mailbox,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@example.org")
    User.objects.filter(pk=bob.pk).update(email="bob@example.org")  # a manager: not emailed
    second_admin = f.make_member(
        provider=sunrise, role=Membership.Role.ADMIN, username="ann", full_name="Ann Admin"
    )
    User.objects.filter(pk=second_admin.pk).update(email="ann@example.org")
    log(sunrise, dev, date(2026, 10, 30), payment="25", supporter="12")  # due 13 Nov: overdue
    log(sunrise, dev, date(2026, 11, 4), expenses="6.40")  # due 18 Nov: within three days
    log(sunrise, dev, date(2026, 11, 10), payment="25")  # due 24 Nov: not yet
    log(sunrise, dev, date(2026, 10, 1), payment="25", paid_on=date(2026, 10, 10))
    log(sunrise, dev, date(2026, 10, 1), kind="none")

    with django_capture_on_commit_callbacks(execute=True):
        assert workflow.remind_unpaid(now=MONDAY) == 2
    received = mailbox.wait_for(2)
    assert sorted(m["To"] for m in received) == ["alice@example.org", "ann@example.org"]
    body = str(received[0].get_payload(decode=True).decode())  # type: ignore[union-attr]
    assert "You pay within 14 days" in body
    assert (
        "- Dev Raman, for 30 October 2026: payment, £37.00 in all, overdue since 13 November 2026"
        in body
    )
    assert (
        "- Dev Raman, for 04 November 2026: payment, £6.40 in all, due by 18 November 2026" in body
    )
    assert "10 November" not in body and "01 October" not in body

    # Not again the next day; again a week later while still unpaid.
    with django_capture_on_commit_callbacks(execute=True):
        assert workflow.remind_unpaid(now=MONDAY + timedelta(days=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert workflow.remind_unpaid(now=MONDAY + timedelta(days=7, minutes=1)) == 2
    later = str(mailbox.wait_for(4)[-1].get_payload(decode=True).decode())  # type: ignore[union-attr]
    # By then the one due on 24 November is within three days too.
    assert "for 10 November 2026" in later
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count() == 4


def test_no_reminder_when_everything_is_paid(sunrise: Provider, alice: User, dev: User) -> None:
    User.objects.filter(pk=alice.pk).update(email="alice@example.org")
    log(sunrise, dev, date(2026, 10, 30), payment="25", paid_on=date(2026, 11, 2))
    assert workflow.remind_unpaid(now=MONDAY) == 0
    assert not OutgoingEmail.objects.exists()


def test_the_finance_csv_has_the_new_columns(as_bob: Client, dev: User, sunrise: Provider) -> None:
    log(sunrise, dev, date(2026, 11, 2), payment="25", supporter="12", paid_on=date(2026, 11, 9))
    response = as_bob.get(reverse("involvement-export", args=["sunrise"]))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].endswith("Notes,Supporter's or PA's costs,Pay by,Paid on")
    assert lines[1].endswith(",12.00,2026-11-16,2026-11-09")


def test_the_involvement_page_reads_the_same_number_of_queries_for_one_or_many(
    as_bob: Client, dev: User, sunrise: Provider, django_assert_num_queries: Callable[..., Any]
) -> None:
    url = reverse("involvement-list", args=["sunrise"])
    today = timezone.localdate()
    log(sunrise, dev, today - timedelta(days=20), payment="30")
    # 1 the signed-in person with their membership (the session comes from the cache),
    # 1 log, 1 due, 1 letters waiting, 2 the form's choices.
    with django_assert_num_queries(6):
        as_bob.get(url)
    for days in range(21, 70):
        log(sunrise, dev, today - timedelta(days=days), payment="30")
    with django_assert_num_queries(6):
        page = as_bob.get(url).content.decode()
    assert page.count("(overdue)") == 50


def test_the_dashboard_lists_panel_members_to_pay_and_letters_to_print(
    as_bob: Client, dev: User, sunrise: Provider
) -> None:
    from vbr.recruitment.models import DecisionMessage

    today = timezone.localdate()
    log(sunrise, dev, today - timedelta(days=20), payment="30", supporter="8")
    log(sunrise, dev, today - timedelta(days=2), payment="30")  # not due for 12 days
    application = f.make_application(role=f.make_role(provider=sunrise))
    DecisionMessage.objects.create(
        provider=sunrise,
        decision=f.make_decision(application=application, kind="decline"),
        user=dev,
        channel=DecisionMessage.Channel.LETTER,
        weighed=DecisionMessage.Weighed.OTHER,
    )
    page = as_bob.get(reverse("provider-home", args=["sunrise"])).content.decode()
    section = page[page.index("Panel members to pay") :]
    assert f"Dev Raman, for {(today - timedelta(days=20)):%-d %b %Y}: £38.00" in section
    assert "overdue</strong> since" in section
    assert section.count("Dev Raman, for") == 1
    assert "1 letter about decisions to print" in section
