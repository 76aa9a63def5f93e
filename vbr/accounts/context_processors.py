"""What the templates of every provider page get without each view passing it."""

from __future__ import annotations

from django.http import HttpRequest

from vbr.accounts.models import Membership, Provider


def provider_context(request: HttpRequest) -> dict[str, Membership | Provider]:
    """The caller's `membership` and its `provider` on a page behind `provider_view`, which
    has already loaded both in one query, so this adds none.

    Nothing on any other page (link sessions, joining, the equality form): they have no
    membership. A view's own context still wins over these keys.
    """
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {"membership": membership, "provider": membership.provider}
