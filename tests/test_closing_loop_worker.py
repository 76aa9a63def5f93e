"""With a real Celery worker on Redis and PostgreSQL: the message telling an expert of a
decision, and the daily reminder of payments due, are sent by the worker, not the request."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.celery_worker import running_worker
from tests.servers import smtp_server
from tests.test_closing_loop import World
from vbr.accounts.models import OutgoingEmail, Provider, User
from vbr.recruitment.models import Involvement
from vbr.recruitment.tasks import remind_unpaid_involvement


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_tells_the_expert_and_reminds_the_admins(
    sunrise: Provider,
    alice: User,
    bob: User,
    settings,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    from tests.test_pdf_worker import require_postgres_url, test_database_url

    require_postgres_url()
    world = World(sunrise, bob)
    User.objects.filter(pk=alice.pk).update(email="alice@example.org")
    with smtp_server() as mailbox:
        worker_env = {
            "DATABASE_URL": test_database_url(settings),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(mailbox.port),
            "EMAIL_USE_TLS": "false",
        }
        with running_worker(extra_env=worker_env) as queue:
            settings.MAIL_QUEUE = queue
            world.decide("decline", override_reason="Ann could not work nights.")
            (told,) = mailbox.wait_for(1)
            Involvement.objects.create(
                provider=sunrise,
                user=world.dev,
                date=world.ann.applied_at.date() - timedelta(days=30),
                minutes=60,
                payment_amount=Decimal("25.00"),
                pay_by=world.ann.applied_at.date() - timedelta(days=16),
            )
            # Beat's task, run here so that the email it writes goes to this test's queue
            # (a worker hands emails to the configured mail queue, not to a test's own).
            assert remind_unpaid_involvement() == 1
            reminder = mailbox.wait_for(2)[1]
    assert told["To"] == "dev@example.org"
    body = told.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "This is why: Ann could not work nights." in body
    assert reminder["To"] == "alice@example.org"
    assert "Dev Raman" in reminder.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count() == 2
