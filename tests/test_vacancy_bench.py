"""The synthetic dataset publishes a vacancy for each provider's first role, so `make bench`
opens the public vacancy page and the application form on real data; the vacancy page stays
within its budget of five queries however many values and questions the provider has."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from vbr.accounts.models import Provider
from vbr.applicants.models import Vacancy
from vbr.devtools.benchmark import PAGES, pick_subjects

pytestmark = pytest.mark.django_db

# The vacancy with its provider and role (1), the provider's values (1) with what they look
# like (1), the role's stages (1). The budget is five.
VACANCY_PAGE_QUERIES = 4


def generate(applications: int = 40) -> None:
    call_command(
        "generate_dataset", size="tiny", applications=applications, seed=7, stdout=StringIO()
    )


def test_every_synthetic_provider_has_its_first_role_published_with_questions() -> None:
    generate()
    providers = Provider.objects.filter(slug__startswith="bench-")
    assert providers.exists()
    for provider in providers:
        vacancy = Vacancy.objects.published().get(provider=provider)
        assert vacancy.role == provider.roles.order_by("pk").first()
        assert vacancy.questions.count() == 2


def test_the_bench_opens_the_vacancy_page_and_the_form_of_the_pipeline_role() -> None:
    generate()
    subjects = pick_subjects()
    labels = {spec.url_name: spec.who for spec in PAGES}
    assert labels["vacancy-detail"] == "public" and labels["vacancy-apply"] == "public"
    vacancy = Vacancy.objects.get(pk=subjects.params["public"]["vacancy_id"])
    assert vacancy.is_published and vacancy.provider.slug == "bench-000"
    assert Vacancy.objects.filter(provider=vacancy.provider).count() == 1  # none made by bench


@pytest.mark.parametrize("applications", [20, 80])
def test_the_vacancy_page_is_within_five_queries(
    applications: int, django_assert_num_queries: Any
) -> None:
    generate(applications)
    vacancy = Vacancy.objects.select_related("provider").get(provider__slug="bench-000")
    url = vacancy.get_absolute_url()
    client = Client()
    with django_assert_num_queries(VACANCY_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert "Tell us about a time you showed" not in response.content.decode()  # form only
    form = client.get(reverse("vacancy-apply", args=[vacancy.provider.slug, vacancy.pk]))
    assert "Tell us about a time you showed" in form.content.decode()
