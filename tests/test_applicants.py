"""Vacancies and applying: public pages that show one provider's published jobs, and the
short application that lands in the role's pipeline."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import signed_in
from vbr.accounts.models import Provider, User
from vbr.applicants import views as applicant_views
from vbr.applicants.forms import _STARTED_SALT
from vbr.applicants.models import OnlineApplication, Vacancy
from vbr.recruitment.models import Application, Candidate, Indicator, Stage, StageEntry


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    cache.clear()


def job_posting_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD on the page"
    return json.loads(found.group(1))  # type: ignore[no-any-return]


# -- Vacancy pages ---------------------------------------------------------------------------


def test_provider_page_lists_its_published_vacancies_of_open_roles_only(
    sunrise: Provider, hillside: Provider
) -> None:
    f.make_vacancy(role=f.make_role(provider=sunrise, title="Night care assistant"))
    f.make_vacancy(role=f.make_role(provider=sunrise, title="Cook"), status=Vacancy.Status.DRAFT)
    closed_role = f.make_role(provider=sunrise, title="Driver")
    closed_role.is_open = False
    closed_role.save()
    f.make_vacancy(role=closed_role)
    past = f.make_vacancy(role=f.make_role(provider=sunrise, title="Gardener"))
    past.closes_on = timezone.localdate() - timedelta(days=1)
    past.save()
    f.make_vacancy(role=f.make_role(provider=hillside, title="Hillside team leader"))

    page = Client().get(reverse("provider-vacancies", args=["sunrise"])).content.decode()

    assert "Night care assistant" in page
    for not_shown in ("Cook", "Driver", "Gardener", "Hillside", "team leader"):
        assert not_shown not in page


def test_a_provider_without_vacancies_says_so(sunrise: Provider) -> None:
    page = Client().get(reverse("provider-vacancies", args=["sunrise"])).content.decode()
    assert "There are no open jobs at the moment" in page


@pytest.mark.parametrize("status", [Vacancy.Status.DRAFT, Vacancy.Status.CLOSED])
def test_a_vacancy_not_published_is_not_found(sunrise: Provider, status: str) -> None:
    vacancy = f.make_vacancy(role=f.make_role(provider=sunrise), status=status)
    client = Client()
    for name in ("vacancy-detail", "vacancy-apply", "vacancy-applied"):
        assert client.get(reverse(name, args=["sunrise", vacancy.pk])).status_code == 404


def test_another_providers_vacancy_is_not_found_under_this_provider(
    sunrise: Provider, hillside: Provider
) -> None:
    theirs = f.make_vacancy(role=f.make_role(provider=hillside))
    response = Client().get(reverse("vacancy-detail", args=["sunrise", theirs.pk]))
    assert response.status_code == 404


def test_vacancy_page_shows_the_job_values_in_practice_and_how_recruitment_goes(
    sunrise: Provider, hillside: Provider
) -> None:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    f.make_stage(role=role, name="Values interview", order=1)
    f.make_stage(role=role, name="Shadowing at Rose House", kind=Stage.Kind.SHADOWING, order=2)
    dignity = f.make_value(provider=sunrise, name="Dignity")
    Indicator.objects.create(core_value=dignity, text="Knocks and waits before going in")
    Indicator.objects.create(
        core_value=dignity, text="Talks over the person", kind=Indicator.Kind.NEGATIVE
    )
    f.make_value(provider=hillside, name="Hillside Courage")
    vacancy = f.make_vacancy(role=role)

    page = Client().get(vacancy.get_absolute_url()).content.decode()

    assert "Night care assistant" in page
    assert "You help people get up, wash and dress." in page
    assert "£12.60 to £13.10 an hour" in page
    assert "Care or support worker" in page
    assert "Dignity" in page and "Knocks and waits before going in" in page
    assert "Talks over the person" not in page
    assert "Hillside Courage" not in page
    assert page.index("Values interview") < page.index("Shadowing at Rose House")
    assert "spend time with the people you would support" in page


def test_job_posting_data_has_what_job_search_engines_require(sunrise: Provider) -> None:
    vacancy = f.make_vacancy(role=f.make_role(provider=sunrise, title="Night care assistant"))
    vacancy.closes_on = timezone.localdate() + timedelta(days=10)
    vacancy.save()

    posting = job_posting_of(Client().get(vacancy.get_absolute_url()).content.decode())

    assert posting["@context"] == "https://schema.org/"
    assert posting["@type"] == "JobPosting"
    assert posting["title"] == "Night care assistant"
    assert "wash and dress" in posting["description"]
    assert posting["datePosted"] == timezone.localdate().isoformat()
    assert posting["validThrough"].startswith(vacancy.closes_on.isoformat())
    assert posting["hiringOrganization"] == {"@type": "Organization", "name": "Sunrise Care"}
    address = posting["jobLocation"]["address"]
    assert (address["addressLocality"], address["postalCode"], address["addressCountry"]) == (
        "Leeds",
        "LS1 4AP",
        "GB",
    )
    assert posting["baseSalary"]["currency"] == "GBP"
    assert posting["baseSalary"]["value"] == {
        "@type": "QuantitativeValue",
        "unitText": "HOUR",
        "minValue": 12.6,
        "maxValue": 13.1,
    }
    assert posting["employmentType"] == "PART_TIME"
    assert posting["url"].endswith(vacancy.get_absolute_url())


def test_job_posting_cannot_be_broken_out_of_by_the_words_of_an_advert(
    sunrise: Provider,
) -> None:
    role = f.make_role(provider=sunrise, title='Carer </script><script>alert("x")</script>')
    vacancy = f.make_vacancy(role=role)
    html = Client().get(vacancy.get_absolute_url()).content.decode()
    assert '<script>alert("x")' not in html
    assert job_posting_of(html)["title"] == role.title


def test_vacancy_page_reads_a_fixed_number_of_queries(
    sunrise: Provider, django_assert_max_num_queries: Any, django_assert_num_queries: Any
) -> None:
    role = f.make_role(provider=sunrise)
    vacancy = f.make_vacancy(role=role)
    client = Client()
    url = vacancy.get_absolute_url()
    # Vacancy with its provider and role, values, their indicators, stages.
    with django_assert_max_num_queries(5):
        assert client.get(url).status_code == 200
    for number in range(8):
        core_value = f.make_value(provider=sunrise)
        Indicator.objects.create(core_value=core_value, text=f"Shows it {number}")
        f.make_stage(role=role, name=f"Stage {number}", order=number + 2)
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200


# -- Publishing a vacancy (staff) ------------------------------------------------------------


def vacancy_post(**changes: str) -> dict[str, str]:
    data = {
        "status": "published",
        "summary": "Nights at Rose House",
        "day_to_day": "You help people settle for the night.",
        "hours": "Three nights a week",
        "employment_type": "PART_TIME",
        "pay_from": "12.60",
        "pay_to": "",
        "pay_period": "HOUR",
        "town": "Leeds",
        "postcode": "LS1 4AP",
        "pathway_category": "new_to_care",
        "what_to_bring": "Photo ID",
        "closes_on": "",
        "questions-TOTAL_FORMS": "3",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "3",
    }
    data.update(changes)
    return data


def test_manager_publishes_a_vacancy_with_values_questions(sunrise: Provider, bob: User) -> None:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    dignity = f.make_value(provider=sunrise, name="Dignity")
    client = signed_in(bob)
    url = reverse("vacancy-edit", args=["sunrise", role.pk])
    response = client.post(
        url,
        vacancy_post(
            **{
                "questions-0-core_value": str(dignity.pk),
                "questions-0-prompt": "What does dignity mean to you?",
            }
        ),
    )
    assert response.status_code == 302
    vacancy = Vacancy.objects.get(role=role)
    assert vacancy.is_published and vacancy.published_at is not None
    assert [q.prompt for q in vacancy.questions.all()] == ["What does dignity mean to you?"]
    public = Client().get(reverse("vacancy-apply", args=["sunrise", vacancy.pk]))
    assert "What does dignity mean to you?" in public.content.decode()


def test_a_question_cannot_use_another_providers_value(
    sunrise: Provider, hillside: Provider, bob: User
) -> None:
    role = f.make_role(provider=sunrise)
    theirs = f.make_value(provider=hillside, name="Their value")
    response = signed_in(bob).post(
        reverse("vacancy-edit", args=["sunrise", role.pk]),
        vacancy_post(
            **{
                "questions-0-core_value": str(theirs.pk),
                "questions-0-prompt": "Sneaky?",
            }
        ),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Vacancy.objects.exists()


# -- Applying --------------------------------------------------------------------------------


def started(seconds_ago: float = 60) -> str:
    return signing.dumps(time.time() - seconds_ago, salt=_STARTED_SALT)


def application_post(vacancy: Vacancy, **changes: str) -> dict[str, str]:
    data = {
        "first_name": "Siân",
        "last_name": "ap Gruffydd",
        "email": "sian@example.org",
        "phone": "07700 900123",
        "source": "job_board",
        "referrer_name": "",
        "availability": "Any nights, not Sundays",
        "privacy": "on",
        "website": "",
        "started": started(),
    }
    for question in vacancy.questions.all():
        data[f"answer_{question.pk}"] = f"My answer to {question.prompt}"
    data.update(changes)
    return data


@pytest.fixture
def vacancy(sunrise: Provider) -> Vacancy:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    f.make_stage(role=role, name="Values interview")
    return f.make_vacancy(role=role, questions=2)


def apply(vacancy: Vacancy, client: Client | None = None, **changes: str) -> Any:
    url = reverse("vacancy-apply", args=[vacancy.provider.slug, vacancy.pk])
    return (client or Client()).post(url, application_post(vacancy, **changes))


def test_an_application_lands_at_the_roles_first_stage_with_its_source_and_answers(
    vacancy: Vacancy, bob: User
) -> None:
    response = apply(vacancy, source="referral", referrer_name="Grace Obi")

    assert response.status_code == 302
    application = Application.objects.get()
    assert application.role == vacancy.role
    assert application.current_stage is not None
    assert application.current_stage.name == "Values interview"
    assert application.source == Application.Source.REFERRAL
    assert StageEntry.objects.filter(application=application).count() == 1
    assert application.candidate.full_name == "Siân ap Gruffydd"
    own_page = Client().get(response["Location"]).content.decode()
    assert "We have your application for Night care assistant." in own_page
    detail = signed_in(bob).get(application.get_absolute_url()).content.decode()
    assert "via referral by staff" in detail
    assert "Recommended by" in detail and "Grace Obi" in detail
    assert "Any nights, not Sundays" in detail
    for question in vacancy.questions.all():
        assert question.prompt in detail
        assert f"My answer to {question.prompt}" in detail


def test_after_applying_the_candidate_lands_on_their_own_page_with_equality_questions_apart(
    vacancy: Vacancy,
) -> None:
    response = apply(vacancy)
    assert response["Location"].startswith("/application/")
    page = Client().get(response["Location"]).content.decode()
    assert "Hello Siân" in page
    key = Application.objects.get().monitoring_invite.key
    assert reverse("equality-form", args=[key]) in page


def test_a_form_with_mistakes_keeps_everything_typed(vacancy: Vacancy) -> None:
    long_answer = "Gofalu am bobl. " * 200  # 3,200 characters: long, and allowed
    question = vacancy.questions.first()
    assert question is not None
    response = apply(
        vacancy, privacy="", email="not-an-email", **{f"answer_{question.pk}": long_answer}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Please check your answers" in page
    assert "Tick the box to say you have read how we use your information." in page
    assert "Enter a valid email address." in page
    assert 'value="Siân"' in page and 'value="ap Gruffydd"' in page
    assert long_answer.strip() in page
    assert "Any nights, not Sundays" in page
    assert not Application.objects.exists()


def test_an_answer_longer_than_two_pages_is_refused_and_kept(vacancy: Vacancy) -> None:
    question = vacancy.questions.first()
    assert question is not None
    too_long = "a" * 4001
    page = apply(vacancy, **{f"answer_{question.pk}": too_long}).content.decode()
    assert "Ensure this value has at most 4000 characters (it has 4001)." in page
    assert too_long in page
    assert not Application.objects.exists()


def test_a_way_to_reply_is_needed(vacancy: Vacancy) -> None:
    page = apply(vacancy, email="", phone="").content.decode()
    assert "Give an email address or a mobile number, so we can reply." in page
    assert not Application.objects.exists()


def test_a_mobile_number_alone_is_enough(vacancy: Vacancy) -> None:
    assert apply(vacancy, email="").status_code == 302
    assert Candidate.objects.get().phone == "07700 900123"


def test_a_recommendation_needs_the_name_of_who_recommended(vacancy: Vacancy) -> None:
    page = apply(vacancy, source="referral", referrer_name="  ").content.decode()
    assert "Write the name of the person who recommended you." in page
    assert not Application.objects.exists()


def test_a_referrer_name_is_dropped_when_the_source_is_not_a_referral(vacancy: Vacancy) -> None:
    apply(vacancy, source="jobcentre", referrer_name="Somebody")
    assert OnlineApplication.objects.get().referrer_name == ""


def test_hostile_text_is_shown_as_typed_never_run(vacancy: Vacancy, bob: User) -> None:
    question = vacancy.questions.first()
    assert question is not None
    apply(
        vacancy,
        first_name="<b>Zoë</b>",
        **{f"answer_{question.pk}": "<script>alert('x')</script> & I care"},
    )
    detail = signed_in(bob).get(Application.objects.get().get_absolute_url()).content.decode()
    assert "<script>alert" not in detail
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; I care" in detail
    assert "&lt;b&gt;Zoë&lt;/b&gt;" in detail


# -- Bot protection --------------------------------------------------------------------------


def test_a_filled_honeypot_looks_received_but_keeps_nothing(vacancy: Vacancy) -> None:
    response = apply(vacancy, website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("vacancy-applied", args=["sunrise", vacancy.pk])
    assert not Candidate.objects.exists()


@pytest.mark.parametrize("token", ["now", "forged", "missing"])
def test_a_form_sent_too_quickly_or_without_its_time_is_refused_and_kept(
    vacancy: Vacancy, token: str
) -> None:
    value = {"now": started(0), "forged": "1700000000:forged", "missing": ""}[token]
    response = apply(vacancy, started=value)
    page = response.content.decode()
    assert "That was very quick. Please check your answers, then send them again." in page
    assert 'value="Siân"' in page
    assert not Application.objects.exists()
    # The form carries a new time: sent again after a moment, it goes through.
    new_token = re.search(r'name="started" value="([^"]+)"', page)
    assert new_token and new_token.group(1) != value


def test_one_address_may_send_only_so_many_applications_an_hour(
    vacancy: Vacancy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(applicant_views, "APPLICATIONS_PER_ADDRESS_PER_HOUR", 2)
    assert apply(vacancy, email="one@example.org", phone="").status_code == 302
    assert apply(vacancy, email="two@example.org", phone="").status_code == 302
    refused = apply(vacancy, email="three@example.org", phone="")
    assert refused.status_code == 429
    assert "Too many applications have come from your internet connection" in (
        refused.content.decode()
    )
    assert 'value="three@example.org"' in refused.content.decode()
    assert Application.objects.count() == 2


# -- Duplicates ------------------------------------------------------------------------------


def earlier_candidate(provider: Provider, **contact: str) -> Candidate:
    role = f.make_role(provider=provider, title="Day care assistant")
    candidate = Candidate.objects.create(
        provider=provider, first_name="Siân", last_name="Gruffydd", **contact
    )
    f.make_application(role=role, candidate=candidate, status=Application.Status.DECLINED)
    return candidate


def test_a_match_by_email_is_noted_not_merged(vacancy: Vacancy, bob: User) -> None:
    earlier = earlier_candidate(vacancy.provider, email="SIAN@example.org")
    apply(vacancy, phone="")

    online = OnlineApplication.objects.get()
    assert online.possible_duplicate == earlier
    assert online.application.candidate != earlier
    assert Candidate.objects.count() == 2
    detail = signed_in(bob).get(online.application.get_absolute_url()).content.decode()
    assert "An earlier candidate has the same email address or phone number" in detail


def test_a_match_by_phone_typed_another_way_is_noted(vacancy: Vacancy) -> None:
    earlier = earlier_candidate(vacancy.provider, phone="+44 7700 900123")
    apply(vacancy, email="new@example.org", phone="07700900123")
    assert OnlineApplication.objects.get().possible_duplicate == earlier


def test_no_match_with_another_providers_candidate(vacancy: Vacancy, hillside: Provider) -> None:
    earlier_candidate(hillside, email="sian@example.org")
    apply(vacancy)
    assert OnlineApplication.objects.get().possible_duplicate is None


def test_manager_confirms_the_same_person_and_their_history_shows(
    vacancy: Vacancy, bob: User
) -> None:
    earlier = earlier_candidate(vacancy.provider, email="sian@example.org")
    apply(vacancy)
    online = OnlineApplication.objects.get()
    client = signed_in(bob)
    url = reverse("duplicate-check", args=["sunrise", online.application_id])

    page = client.get(url).content.decode()
    assert "Day care assistant" in page  # the earlier application, to compare

    assert client.post(url, {"answer": "same"}).status_code == 302
    earlier.refresh_from_db()
    assert sorted(a.role.title for a in earlier.applications.all()) == [
        "Day care assistant",
        "Night care assistant",
    ]
    assert earlier.phone == "07700 900123"
    assert Candidate.objects.count() == 1
    assert client.get(url).status_code == 302  # nothing left to check


def test_manager_keeps_different_people_apart(vacancy: Vacancy, bob: User) -> None:
    earlier = earlier_candidate(vacancy.provider, email="sian@example.org")
    apply(vacancy)
    online = OnlineApplication.objects.get()
    signed_in(bob).post(
        reverse("duplicate-check", args=["sunrise", online.application_id]),
        {"answer": "different"},
    )
    online.refresh_from_db()
    assert online.duplicate_checked_at is not None
    assert earlier.applications.count() == 1
    assert Candidate.objects.count() == 2


def test_linking_is_refused_when_the_earlier_candidate_applied_for_the_same_role(
    vacancy: Vacancy, bob: User
) -> None:
    earlier = earlier_candidate(vacancy.provider, email="sian@example.org")
    f.make_application(role=vacancy.role, candidate=earlier)
    apply(vacancy)
    online = OnlineApplication.objects.get()
    url = reverse("duplicate-check", args=["sunrise", online.application_id])
    response = signed_in(bob).post(url, {"answer": "same"}, follow=True)
    assert "has already applied for Night care assistant" in response.content.decode()
    assert Candidate.objects.count() == 2


def test_another_providers_staff_cannot_check_a_match(vacancy: Vacancy, charlie: User) -> None:
    earlier_candidate(vacancy.provider, email="sian@example.org")
    apply(vacancy)
    online = OnlineApplication.objects.get()
    client = Client()
    client.force_login(charlie)
    url = reverse("duplicate-check", args=["hillside", online.application_id])
    assert client.get(url).status_code == 404
