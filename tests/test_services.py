"""A provider's services: admins list, add and rename them; roles are tied to one."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests import factories as f
from vbr.accounts.models import AuditEvent, Provider, User
from vbr.recruitment.models import Service


def test_an_admin_adds_a_service_and_sees_it_listed_with_its_roles(
    sunrise: Provider, alice: User, as_alice: Client
) -> None:
    url = reverse("service-list", args=[sunrise.slug])
    assert "No services yet" in as_alice.get(url).content.decode()
    response = as_alice.post(url, {"name": "  Sunrise   House "}, follow=True)
    page = response.content.decode()
    assert "“Sunrise House” added." in page
    house = sunrise.services.get()
    assert house.name == "Sunrise House"
    role = f.make_role(provider=sunrise, title="Night care assistant")
    role.service = house
    role.save()
    rows = as_alice.get(url).content.decode()
    assert '<th scope="row">Sunrise House</th>\n      <td>1</td>' in rows
    assert AuditEvent.objects.filter(
        provider=sunrise, summary="Added the service “Sunrise House”"
    ).exists()


def test_a_second_service_with_the_same_name_is_refused_and_the_name_kept(
    sunrise: Provider, as_alice: Client
) -> None:
    Service.objects.create(provider=sunrise, name="Sunrise House")
    response = as_alice.post(
        reverse("service-list", args=[sunrise.slug]), {"name": "sunrise house"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "You already have a service called “sunrise house”." in page
    assert 'value="sunrise house"' in page
    assert sunrise.services.count() == 1


def test_an_admin_renames_a_service_and_its_roles_follow(
    sunrise: Provider, as_alice: Client
) -> None:
    house = Service.objects.create(provider=sunrise, name="Sunrise House")
    role = f.make_role(provider=sunrise)
    role.service = house
    role.save()
    url = reverse("service-edit", args=[sunrise.slug, house.pk])
    assert "Rename “Sunrise House”" in as_alice.get(url).content.decode()
    page = as_alice.post(url, {"name": "Sunrise Court"}, follow=True).content.decode()
    assert "“Sunrise House” is now called “Sunrise Court”." in page
    role.refresh_from_db()
    assert role.service is not None and role.service.name == "Sunrise Court"


def test_another_providers_service_is_a_404_and_a_manager_is_refused(
    sunrise: Provider, hillside: Provider, as_alice: Client, as_bob: Client, as_charlie: Client
) -> None:
    theirs = Service.objects.create(provider=hillside, name="Hillside Lodge")
    assert as_alice.get(reverse("service-edit", args=[sunrise.slug, theirs.pk])).status_code == 404
    response = as_alice.post(
        reverse("service-edit", args=[sunrise.slug, theirs.pk]), {"name": "Taken over"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Hillside Lodge"
    assert as_bob.get(reverse("service-list", args=[sunrise.slug])).status_code == 403
    own = as_charlie.get(reverse("service-list", args=[hillside.slug])).content.decode()
    assert "Hillside Lodge" in own


def test_the_role_form_offers_the_providers_services_once_there_are_any(
    sunrise: Provider, hillside: Provider, as_alice: Client
) -> None:
    url = reverse("role-create", args=[sunrise.slug])
    assert "Not tied to one service" not in as_alice.get(url).content.decode()
    Service.objects.create(provider=sunrise, name="Sunrise House")
    Service.objects.create(provider=hillside, name="Hillside Lodge")
    page = as_alice.get(url).content.decode()
    assert "Not tied to one service" in page and "Sunrise House" in page
    assert "Hillside Lodge" not in page


def test_the_services_page_is_in_the_admin_menu(sunrise: Provider, as_alice: Client) -> None:
    page = as_alice.get(reverse("provider-home", args=[sunrise.slug])).content.decode()
    assert f'href="{reverse("service-list", args=[sunrise.slug])}">Services</a>' in page
