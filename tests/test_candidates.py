"""Candidates and applications: adding, searching, moving on, withdrawing, who may."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.outages import free_port, private_redis, redis_cache
from vbr.accounts.models import Provider, User
from vbr.recruitment import paging
from vbr.recruitment.models import (
    Application,
    Assessment,
    Candidate,
    Role,
    Stage,
    StageEntry,
)
from vbr.recruitment.models.candidates import name_or_email_matches


@pytest.fixture
def care_assistant(sunrise: Provider) -> Role:
    role = f.make_role(provider=sunrise, title="Care assistant")
    f.make_stage(role=role, name="Values interview", order=1)
    f.make_stage(role=role, name="Shadowing", kind=Stage.Kind.SHADOWING, order=2)
    return role


@pytest.fixture
def night_role(sunrise: Provider) -> Role:
    role = f.make_role(provider=sunrise, title="Night care assistant")
    f.make_stage(role=role, name="Night interview", order=1)
    return role


def add_url(provider: Provider) -> str:
    return reverse("application-add", args=[provider.slug])


def list_url(provider: Provider) -> str:
    return reverse("application-list", args=[provider.slug])


def candidate_form(role: Role, **changes: str) -> dict[str, str]:
    data = {
        "first_name": "Amira",
        "last_name": "Hussain",
        "email": "amira@example.org",
        "phone": "07700 900123",
        "role": str(role.pk),
        "source": Application.Source.JOBCENTRE,
    }
    data.update(changes)
    return data


def test_adding_a_candidate_creates_their_application_at_the_first_stage(
    as_bob: Client, bob: User, sunrise: Provider, care_assistant: Role
) -> None:
    response = as_bob.post(add_url(sunrise), candidate_form(care_assistant), follow=True)

    candidate = Candidate.objects.get(provider=sunrise)
    application = candidate.applications.get()
    assert (candidate.full_name, candidate.email, candidate.phone) == (
        "Amira Hussain",
        "amira@example.org",
        "07700 900123",
    )
    assert application.provider == sunrise
    assert application.current_stage.name == "Values interview"
    assert application.source == Application.Source.JOBCENTRE
    entry = StageEntry.objects.get(application=application)
    assert (entry.stage.name, entry.moved_by) == ("Values interview", bob)
    assert response.redirect_chain[-1][0] == application.get_absolute_url()
    assert "Amira Hussain has been added and applied for Care assistant." in response.text


def test_add_candidate_offers_only_this_providers_open_roles(
    as_bob: Client, sunrise: Provider, hillside: Provider, care_assistant: Role
) -> None:
    closed = f.make_role(provider=sunrise, title="Cook")
    closed.is_open = False
    closed.save()
    elsewhere = f.make_role(provider=hillside, title="Hillside gardener")

    page = as_bob.get(add_url(sunrise))
    assert "Care assistant" in page.text
    assert "Cook" not in page.text and "Hillside gardener" not in page.text

    response = as_bob.post(add_url(sunrise), candidate_form(elsewhere))
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Candidate.objects.exists()


def test_a_form_with_errors_keeps_everything_typed(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    response = as_bob.post(
        add_url(sunrise), candidate_form(care_assistant, email="not-an-email", last_name="")
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.text
    assert 'value="Amira"' in response.text
    assert 'value="not-an-email"' in response.text
    assert 'value="07700 900123"' in response.text
    assert f'value="{care_assistant.pk}" selected' in response.text
    assert not Candidate.objects.exists()


def test_the_same_person_applying_twice_for_a_role_is_a_clear_error(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    as_bob.post(add_url(sunrise), candidate_form(care_assistant))
    response = as_bob.post(add_url(sunrise), candidate_form(care_assistant, first_name="Amira"))
    assert response.status_code == 200
    assert "Amira Hussain has already applied for Care assistant." in response.text
    assert Application.objects.count() == 1


def test_an_existing_candidate_can_apply_to_another_role_from_their_page(
    as_bob: Client, sunrise: Provider, care_assistant: Role, night_role: Role
) -> None:
    interview = care_assistant.stages.first()
    application = f.make_application(
        role=care_assistant,
        stage=interview,
        candidate=f.make_candidate(provider=sunrise, first_name="Daniel", last_name="Evans"),
    )
    detail = as_bob.get(application.get_absolute_url())
    apply_url = reverse("candidate-apply", args=[sunrise.slug, application.candidate_id])
    assert apply_url in detail.text

    response = as_bob.post(apply_url, {"role": night_role.pk, "source": ""}, follow=True)

    second = application.candidate.applications.get(role=night_role)
    assert second.current_stage.name == "Night interview"
    assert StageEntry.objects.filter(application=second).count() == 1
    assert "Daniel Evans has applied for Night care assistant." in response.text


def test_applying_a_candidate_again_to_the_same_role_is_a_form_error_not_a_crash(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    application = f.make_application(
        role=care_assistant,
        candidate=f.make_candidate(provider=sunrise, first_name="Daniel", last_name="Evans"),
    )
    url = reverse("candidate-apply", args=[sunrise.slug, application.candidate_id])
    response = as_bob.post(url, {"role": care_assistant.pk})
    assert response.status_code == 200
    assert "Daniel Evans has already applied for Care assistant." in response.text
    assert Application.objects.count() == 1


def test_search_finds_candidates_by_name_or_email(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    amira = f.make_candidate(provider=sunrise, first_name="Amira", last_name="Hussain")
    amira.email = "amira.h@example.org"
    amira.save()
    f.make_application(role=care_assistant, candidate=amira)
    f.make_application(
        role=care_assistant,
        candidate=f.make_candidate(provider=sunrise, first_name="Daniel", last_name="Evans"),
    )

    by_name = as_bob.get(list_url(sunrise), {"q": "amira huss"})
    by_email = as_bob.get(list_url(sunrise), {"q": "AMIRA.H@"})
    nobody = as_bob.get(list_url(sunrise), {"q": "zebedee"})

    assert "Amira Hussain" in by_name.text and "Daniel Evans" not in by_name.text
    assert "Amira Hussain" in by_email.text and "Daniel Evans" not in by_email.text
    assert "No applications match." in nobody.text
    assert "0 applications" not in nobody.text  # said once, not counted as well


@pytest.mark.parametrize("shortlist", [1000, 0])
def test_search_finds_names_whether_or_not_accents_are_typed(
    as_bob: Client,
    sunrise: Provider,
    care_assistant: Role,
    monkeypatch: pytest.MonkeyPatch,
    shortlist: int,
) -> None:
    """A manager types "wyn" for Wŷn and "sian" for Siân, and the other way round; both
    ways of searching (candidates first, or the list walked) find them."""
    from vbr.recruitment.models import candidates

    monkeypatch.setattr(candidates, "SEARCH_SHORTLIST", shortlist)
    for first, last in [
        ("Wŷn", "Llywelyn"),
        ("Siân", "Pritchard"),
        ("Sian", "Evans"),
        ("Gwenllïan", "Öztürk"),
        ("Bryn", "Jones"),
    ]:
        f.make_application(
            role=care_assistant,
            candidate=f.make_candidate(provider=sunrise, first_name=first, last_name=last),
        )

    def found(text: str) -> list[str]:
        page = as_bob.get(list_url(sunrise), {"q": text})
        return sorted(row.name for row in page.context["page"].object_list)

    assert found("wyn") == ["Wŷn Llywelyn"]
    assert found("sian") == ["Sian Evans", "Siân Pritchard"]
    assert found("SIÂN prit") == ["Siân Pritchard"]
    assert found("gwenllian ozturk") == ["Gwenllïan Öztürk"]
    assert found("ŵyn") == ["Wŷn Llywelyn"]
    # What a person typed is a word to find, never a pattern.
    assert found("s_an") == [] and found("%") == []
    page = as_bob.get(list_url(sunrise), {"q": "wyn"}).text
    assert "Wŷn Llywelyn" in page


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's"
)
def test_on_postgresql_searching_without_accents_reads_the_trigram_indexes(
    sunrise: Provider, care_assistant: Role
) -> None:
    for i in range(30):
        f.make_application(
            role=care_assistant,
            candidate=f.make_candidate(provider=sunrise, first_name=f"Person {i}", last_name="X"),
        )
    f.make_application(
        role=care_assistant,
        candidate=f.make_candidate(provider=sunrise, first_name="Wŷn", last_name="Llywelyn"),
    )
    found = sunrise.applications.search("wyn", among=sunrise.candidates.all())
    assert [a.candidate.first_name for a in found] == ["Wŷn"]
    # "wyn" typed anywhere in a name or email, as the search asks it.
    candidate_ids = Candidate.objects.filter(name_or_email_matches("wyn")).values("pk")
    sql, params = candidate_ids.query.sql_with_params()
    with connection.cursor() as cursor:
        # A table this small is read whole by choice; the question is whether the folded
        # indexes can answer the search at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "candidate_first_name_folded_trgm" in plan, plan
    assert "candidate_last_name_folded_trgm" in plan, plan
    assert "candidate_email_folded_trgm" in plan, plan
    assert "'%WYN%'" in plan, plan


@pytest.mark.parametrize("shortlist", [1000, 2])
def test_search_gives_the_same_answer_whether_few_or_many_candidates_match(
    as_bob: Client,
    sunrise: Provider,
    hillside: Provider,
    care_assistant: Role,
    monkeypatch: pytest.MonkeyPatch,
    shortlist: int,
) -> None:
    """Few matches: their ids first, then their applications; more than the shortlist: the
    list filtered as it is walked. Either way the same applications, and never another
    provider's candidate."""
    from vbr.recruitment.models import candidates

    monkeypatch.setattr(candidates, "SEARCH_SHORTLIST", shortlist)
    for first, last in [("Sam", "Ali"), ("Samir", "Khan"), ("Ann", "Samson"), ("Dan", "Evans")]:
        f.make_application(
            role=care_assistant,
            candidate=f.make_candidate(provider=sunrise, first_name=first, last_name=last),
        )
    elsewhere = f.make_role(provider=hillside)
    f.make_application(
        role=elsewhere,
        candidate=f.make_candidate(provider=hillside, first_name="Sam", last_name="Other"),
    )

    def found(text: str) -> list[str]:
        page = as_bob.get(list_url(sunrise), {"q": text}).context["page"]
        return sorted(row.name for row in page.object_list)

    assert found("sam") == ["Ann Samson", "Sam Ali", "Samir Khan"]
    assert found("sam KHAN") == ["Samir Khan"]
    assert found("zebedee") == []


def test_filters_narrow_the_list_by_role_stage_and_status(
    as_bob: Client, sunrise: Provider, care_assistant: Role, night_role: Role
) -> None:
    interview, shadowing = care_assistant.stages.all()
    people = {}
    for first, role, stage, status in [
        ("Ann", care_assistant, interview, Application.Status.ACTIVE),
        ("Ben", care_assistant, shadowing, Application.Status.ACTIVE),
        ("Cat", care_assistant, shadowing, Application.Status.WITHDRAWN),
        ("Dan", night_role, night_role.stages.first(), Application.Status.ACTIVE),
    ]:
        people[first] = f.make_application(
            role=role,
            stage=stage,
            status=status,
            candidate=f.make_candidate(provider=sunrise, first_name=first, last_name="Jones"),
        )

    def names(**params: object) -> list[str]:
        response = as_bob.get(list_url(sunrise), params)
        return [row.name.removesuffix(" Jones") for row in response.context["page"].object_list]

    assert names() == ["Dan", "Cat", "Ben", "Ann"]  # newest first
    assert names(role=night_role.pk) == ["Dan"]
    assert names(stage=shadowing.pk) == ["Cat", "Ben"]
    assert names(stage=shadowing.pk, status="active") == ["Ben"]
    assert names(status="withdrawn") == ["Cat"]


def test_the_filter_form_drawn_once_shows_each_search_and_every_change_of_its_menus(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    """The form's drawing is kept under a digest of what it shows: the same search draws the
    same form, and another search, a renamed role or a new stage draws afresh."""
    f.make_application(role=care_assistant)

    def form(**params: object) -> str:
        page = as_bob.get(list_url(sunrise), params).content.decode()
        start = page.index('<form method="get" class="card card-body mb-4 application-filters"')
        return page[start : page.index("</form>", start)]

    first = form()
    assert form() == first
    assert '<option value="" selected>Any role</option>' in first
    assert f'<option value="{care_assistant.pk}">Care assistant</option>' in first
    assert 'value="Amira"' in form(q="Amira")
    assert 'value="Amira"' not in form(q="Ben") and 'value="Ben"' in form(q="Ben")
    assert f'<option value="{care_assistant.pk}" selected>' in form(role=care_assistant.pk)
    ticked = re.compile(r'<input type="checkbox" name="waiting"[^>]* checked')
    assert ticked.search(form(waiting="on"))
    assert not ticked.search(form())

    Role.objects.filter(pk=care_assistant.pk).update(title="Senior carer")
    renamed = form()
    assert f'<option value="{care_assistant.pk}">Senior carer</option>' in renamed
    assert "Care assistant" not in renamed
    f.make_stage(role=care_assistant, name="Group activity", order=3)
    assert "Senior carer: Group activity" in form()
    # A filter that is not valid is ignored, and said so beside it, each time.
    refused = form(role="99999")
    assert "Select a valid choice" in refused
    assert "Select a valid choice" not in form()


def test_what_is_typed_to_search_is_never_kept_in_the_cache(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    """The menus' drawing is kept; the search text, often a person's name, is drawn each
    time and stored nowhere."""
    f.make_application(role=care_assistant)
    own_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "search-text",
        }
    }
    with override_settings(CACHES=own_cache):
        for _ in range(2):
            page = as_bob.get(list_url(sunrise), {"q": "Zainab Okonkwo"}).text
            assert 'value="Zainab Okonkwo"' in page
        kept = caches["default"]._cache  # type: ignore[attr-defined]
        assert kept  # the menus' drawing is there
        assert not any(b"Zainab" in value for value in kept.values())
        caches["default"].clear()


def test_another_providers_stage_in_the_filter_is_ignored(
    as_bob: Client, sunrise: Provider, hillside: Provider, care_assistant: Role
) -> None:
    f.make_application(role=care_assistant)
    theirs = f.make_stage(role=f.make_role(provider=hillside))
    response = as_bob.get(list_url(sunrise), {"stage": theirs.pk})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def test_the_list_shows_fifty_a_page_newest_first(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    start = timezone.now() - timedelta(days=60)
    made = [f.make_application(role=care_assistant) for _ in range(51)]
    for days, application in enumerate(made):  # made[0] applied first, made[50] last
        Application.objects.filter(pk=application.pk).update(
            applied_at=start + timedelta(days=days)
        )
    # Two applied at the same moment are still ordered, by id.
    Application.objects.filter(pk=made[1].pk).update(applied_at=start)
    first = as_bob.get(list_url(sunrise), {"status": "active"})
    assert [a.pk for a in first.context["page"].object_list] == [a.pk for a in made[:0:-1]]
    assert "51 applications match, newest first." in first.text
    assert f"?status=active&amp;before={made[1].pk}" in first.text
    assert "Newer" not in first.text
    older = as_bob.get(list_url(sunrise), {"status": "active", "before": made[1].pk})
    assert [a.pk for a in older.context["page"].object_list] == [made[0].pk]
    assert "Older</a>" not in older.text
    assert f"?status=active&amp;after={made[0].pk}" in older.text
    newer = as_bob.get(list_url(sunrise), {"status": "active", "after": made[0].pk})
    assert newer.context["page"].object_list == first.context["page"].object_list
    assert "Newer</a>" not in newer.text
    # A cursor of another provider, or nonsense, starts at the top.
    elsewhere = f.make_application(role=f.make_role(provider=f.make_provider()))
    for cursor in (elsewhere.pk, "x"):
        page = as_bob.get(list_url(sunrise), {"before": cursor}).context["page"]
        assert page.object_list[0].pk == made[50].pk


def test_a_long_list_does_not_count_every_application(
    as_bob: Client, sunrise: Provider, care_assistant: Role, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_UP_TO", 3)
    for _ in range(5):
        f.make_application(role=care_assistant)
    response = as_bob.get(list_url(sunrise))
    assert "More than 3 applications, newest first" in response.text


@pytest.mark.parametrize(("n", "queries"), [(1, 6), (50, 6), (51, 7)])
def test_the_list_runs_the_same_queries_for_one_or_fifty_rows(
    as_bob: Client,
    sunrise: Provider,
    care_assistant: Role,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
    n: int,
    queries: int,
) -> None:
    for _ in range(n):
        f.make_application(role=care_assistant, stage=care_assistant.stages.first())
    # the signed-in person with their membership, the role filter checked, the matching candidates,
    # page rows (candidate, role and stage joined), role choices, stage choices; and the count
    # of those that match only when they do not all fit on the page
    with django_assert_num_queries(queries):
        response = as_bob.get(list_url(sunrise), {"q": "sam", "role": care_assistant.pk})
    assert len(response.context["page"].object_list) == min(n, 50)
    matches = "51 applications match, newest first." if n == 51 else f"{n} application"
    assert matches in response.text


@pytest.mark.parametrize(("waiting", "count_up_to"), [(50, 1000), (51, 1000), (51, 50)])
def test_the_list_of_those_waiting_counts_them_as_it_reads_them(
    as_bob: Client,
    sunrise: Provider,
    care_assistant: Role,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    waiting: int,
    count_up_to: int,
) -> None:
    """Those waiting for a decision are found through joins that no index gives in date
    order, so the first page reads every one of them to sort them: counted in that walk,
    with no second query however many there are."""
    interview = care_assistant.stages.first()
    assert interview is not None
    made, closed = [], []
    for _ in range(waiting):
        application = f.make_application(role=care_assistant, stage=interview)
        assessment = f.make_assessment(application=application, stage=interview)
        made.append(application)
        closed.append(assessment.pk)
    Assessment.objects.filter(pk__in=closed).update(status=Assessment.Status.CLOSED)
    f.make_application(role=care_assistant, stage=interview)  # not assessed: not waiting
    monkeypatch.setattr(paging, "COUNT_UP_TO", count_up_to)
    # the signed-in person with their membership, the page's rows counted as they are read,
    # role choices, stage choices
    with django_assert_num_queries(4):
        response = as_bob.get(list_url(sunrise), {"waiting": "on"})
    page = response.context["page"]
    assert [row.pk for row in page.object_list] == [a.pk for a in made[::-1][:50]]
    if waiting > count_up_to:
        assert f"More than {count_up_to} applications match, newest first" in response.text
    else:
        assert f"{waiting} applications match, newest first." in response.text
    assert ("Older</a>" in response.text) == (waiting > 50)


def test_a_page_further_on_counts_them_all(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    made = [f.make_application(role=care_assistant) for _ in range(3)]
    # Paging on from the newest: the two older ones, and the count of all three that match.
    response = as_bob.get(list_url(sunrise), {"status": "active", "before": made[2].pk})
    assert [row.pk for row in response.context["page"].object_list] == [made[1].pk, made[0].pk]
    assert "3 applications match, newest first." in response.text
    # A short list on its first page is counted from its rows.
    first = as_bob.get(list_url(sunrise), {"status": "active"})
    assert "3 applications match, newest first." in first.text
    assert "Older" not in first.text and "Newer" not in first.text


def test_move_to_next_stage_records_the_stage_entry(
    as_bob: Client, bob: User, sunrise: Provider, care_assistant: Role
) -> None:
    interview, shadowing = care_assistant.stages.all()
    application = f.make_application(role=care_assistant, stage=interview)
    url = reverse("application-move", args=[sunrise.slug, application.pk])

    response = as_bob.post(url, follow=True)

    application.refresh_from_db()
    assert application.current_stage == shadowing
    entry = StageEntry.objects.get(application=application, stage=shadowing)
    assert entry.moved_by == bob
    assert entry.entered_at == application.stage_entered_at
    assert "moved to Shadowing." in response.text


def test_move_to_next_stage_is_refused_at_the_last_stage(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    _, shadowing = care_assistant.stages.all()
    application = f.make_application(role=care_assistant, stage=shadowing)
    detail = as_bob.get(application.get_absolute_url())
    assert "This is the last stage of the role." in detail.text
    assert "Move to next stage" not in detail.text

    url = reverse("application-move", args=[sunrise.slug, application.pk])
    response = as_bob.post(url, follow=True)

    application.refresh_from_db()
    assert application.current_stage == shadowing
    assert not StageEntry.objects.filter(application=application).exists()
    assert "This application is at the last stage of the role" in response.text


def test_withdrawing_records_the_reason_and_when(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    application = f.make_application(role=care_assistant, stage=care_assistant.stages.first())
    before = application.status_changed_at
    url = reverse("application-withdraw", args=[sunrise.slug, application.pk])

    response = as_bob.post(url, {"reason": "Took a job nearer home."}, follow=True)

    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert application.withdrawal_reason == "Took a job nearer home."
    assert application.status_changed_at > before
    assert "is marked as withdrawn" in response.text
    assert "Took a job nearer home." in response.text


def test_withdrawing_needs_no_reason(
    as_bob: Client, sunrise: Provider, care_assistant: Role
) -> None:
    application = f.make_application(role=care_assistant)
    as_bob.post(reverse("application-withdraw", args=[sunrise.slug, application.pk]))
    application.refresh_from_db()
    assert (application.status, application.withdrawal_reason) == ("withdrawn", "")


def test_another_providers_application_is_a_404(
    as_charlie: Client, hillside: Provider, care_assistant: Role
) -> None:
    application = f.make_application(role=care_assistant)
    for name in ["application-move", "application-withdraw"]:
        response = as_charlie.post(reverse(name, args=[hillside.slug, application.pk]))
        assert response.status_code == 404
    url = reverse("candidate-apply", args=[hillside.slug, application.candidate_id])
    assert as_charlie.get(url).status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.ACTIVE


def test_panel_member_cannot_open_the_candidate_pages(
    as_dev: Client, sunrise: Provider, care_assistant: Role
) -> None:
    application = f.make_application(role=care_assistant)
    for url in [
        list_url(sunrise),
        add_url(sunrise),
        reverse("application-withdraw", args=[sunrise.slug, application.pk]),
        reverse("candidate-apply", args=[sunrise.slug, application.candidate_id]),
    ]:
        assert as_dev.get(url).status_code == 403
    move = reverse("application-move", args=[sunrise.slug, application.pk])
    assert as_dev.post(move).status_code == 403


def test_with_the_cache_stopped_the_list_still_answers_with_its_form(
    as_bob: Client, sunrise: Provider, care_assistant: Role, caplog: pytest.LogCaptureFixture
) -> None:
    """The drawn filter form is cached; a stopped Redis only costs the time it saved."""
    f.make_application(role=care_assistant)
    port = free_port()
    with private_redis(port) as redis_process, override_settings(CACHES=redis_cache(port)):
        assert "Any role" in as_bob.get(list_url(sunrise)).text  # drawn and cached
        redis_process.terminate()
        redis_process.wait(timeout=10)
        page = as_bob.get(list_url(sunrise), {"q": "Amira"})
    assert page.status_code == 200
    assert 'value="Amira"' in page.text and "Care assistant" in page.text
    assert "Fragment cache unreachable" in caplog.text


@pytest.mark.django_db
def test_only_simple_constants_of_ours_are_written_into_the_sql() -> None:
    from vbr.planning import Written

    active = Application.objects.filter(status=Written("active"))
    assert "\"status\" = 'active'" in str(active.query)
    for unsafe in ("it's", "active; --", "Active", 1):
        with pytest.raises(ValueError):
            str(Application.objects.filter(status=Written(unsafe)).query)
