"""For inspectors: the completeness page and CSV (who is missing what, by role, with who
verified each check and when), in a constant number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import AuditEvent, Provider, User
from vbr.compliance import workflow
from vbr.compliance.models import Check, SaferRecruitmentFile
from vbr.recruitment.models import Application, Role


def offered_file(role: Role, by: User, first_name: str, last_name: str) -> SaferRecruitmentFile:
    candidate = f.make_candidate(provider=role.provider, first_name=first_name, last_name=last_name)
    application = f.make_application(
        role=role, candidate=candidate, status=Application.Status.OFFERED
    )
    return workflow.open_file(application=application, by=by)


def verify(file: SaferRecruitmentFile, key: str, by: User) -> None:
    check = file.checks.select_related("item", "file__provider").get(item__key=key)
    workflow.record_check(
        check=check,
        by=by,
        status=Check.Status.VERIFIED,
        evidence_seen="Passport, original",
        seen_on=date(2026, 3, 1),
    )


def rows_of(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_completeness_csv_lists_who_is_missing_what_row_by_row(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    carers = f.make_role(provider=sunrise, title="Care assistant")
    cooks = f.make_role(provider=sunrise, title="Cook")
    amira = offered_file(carers, alice, "Amira", "Hussain")
    ben = offered_file(cooks, alice, "Ben", "Adams")
    verify(amira, "identity", alice)
    ben.checks.exclude(item__key="health").update(status=Check.Status.VERIFIED)
    ben.checks.filter(item__key="health").update(status=Check.Status.CONCERN)
    response = as_alice.get(reverse("compliance-completeness-csv", args=[sunrise.slug]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    first, second = rows_of(response)
    assert (first["Person"], first["Role"]) == ("Amira Hussain", "Care assistant")
    assert first["Complete"] == "No"
    assert first["Missing"].split("; ") == [
        "Right to work in the UK",
        "DBS check: enhanced, with the adults' barred list",
        "Evidence of conduct in previous care work",
        "Full employment history, gaps explained in writing",
        "Qualifications relevant to the role",
        "Health information relevant to the role",
    ]
    assert first["Proof of identity with a recent photograph"].startswith("Verified ")
    assert first["Proof of identity with a recent photograph"].endswith(" by Alice Morgan")
    assert first["Right to work in the UK"] == "Not started"
    assert (second["Person"], second["Role"]) == ("Ben Adams", "Cook")
    assert second["Missing"] == "Health information relevant to the role"
    assert second["Concerns"] == "Health information relevant to the role"
    assert second["Health information relevant to the role"] == "Concern raised"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).count() == 1


def test_the_completeness_page_groups_by_role_and_shows_only_a_managers_roles(
    sunrise: Provider, alice: User, bob: User, as_bob: Client
) -> None:
    carers = f.make_role(provider=sunrise, title="Care assistant")
    carers.managers.add(bob.memberships.get())
    cooks = f.make_role(provider=sunrise, title="Cook")
    offered_file(carers, alice, "Amira", "Hussain")
    offered_file(cooks, alice, "Ben", "Adams")
    page = as_bob.get(reverse("compliance-completeness", args=[sunrise.slug])).content.decode()
    assert "0 of 1 file complete" in page
    assert "Care assistant" in page and "Amira Hussain" in page
    assert "Ben Adams" not in page and "Cook" not in page
    rows = rows_of(as_bob.get(reverse("compliance-completeness-csv", args=[sunrise.slug])))
    assert [row["Person"] for row in rows] == ["Amira Hussain"]


def test_completeness_takes_the_same_queries_for_one_file_and_fifty(
    sunrise: Provider, alice: User, as_alice: Client, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    role = f.make_role(provider=sunrise)
    offered_file(role, alice, "P", "0")
    url = reverse("compliance-completeness", args=[sunrise.slug])
    # session, user, membership, files, checks with items and verifiers
    with django_assert_num_queries(5):
        as_alice.get(url)
    for n in range(1, 50):
        offered_file(role, alice, "P", str(n))
    with django_assert_num_queries(5):
        page = as_alice.get(url)
    assert "0 of 50 files complete" in page.content.decode()
