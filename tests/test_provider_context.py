"""Every provider page's templates get the caller's provider and membership from one context
processor; pages outside a provider get neither."""

from __future__ import annotations

from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse

from vbr.accounts.context_processors import provider_context
from vbr.accounts.models import Provider, User


def test_a_provider_page_shows_its_provider_without_the_view_passing_it(
    as_bob: Client, sunrise: Provider, bob: User
) -> None:
    response = as_bob.get(reverse("corevalue-list", args=[sunrise.slug]))

    assert response.status_code == 200
    assert response.context["provider"] == sunrise
    assert response.context["membership"].user == bob
    assert '<small class="brand-provider">Sunrise Care</small>' in response.text


def test_a_page_outside_any_provider_has_no_provider(as_bob: Client) -> None:
    response = as_bob.get(reverse("access-profile"))

    assert response.status_code == 200
    assert "provider" not in response.context
    assert "membership" not in response.context
    assert "brand-provider" not in response.text


def test_without_a_membership_the_processor_gives_nothing(rf: RequestFactory) -> None:
    assert provider_context(rf.get("/join/")) == {}


def test_a_provider_passed_by_the_view_wins_over_the_processor(
    rf: RequestFactory, sunrise: Provider, hillside: Provider, bob: User
) -> None:
    request = rf.get("/")
    request.membership = bob.memberships.select_related("provider").get()  # type: ignore[attr-defined]
    template = engines["django"].from_string("{{ provider.name }} / {{ membership.user }}")

    assert template.render({"provider": hillside}, request) == f"Hillside Homes / {bob}"
