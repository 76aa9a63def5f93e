"""Kept drawings of page fragments (`{% cache_when_reachable %}`)."""

from __future__ import annotations

from django.template import engines
from django.test import override_settings

FRAGMENTS = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments-under-test",
    }
}


def draw(markup: str, **context: object) -> str:
    template = engines["django"].from_string(
        "{% load fragment_cache %}{% cache_when_reachable 600 filters key %}"
        + markup
        + "{% endcache %}"
    )
    return template.render({"key": "the same key", **context})


@override_settings(CACHES=FRAGMENTS)
def test_a_fragment_is_kept_and_a_changed_one_is_drawn_anew() -> None:
    # Kept: the same fragment with the same key is not drawn again.
    assert draw("<p>{{ n }} of {{ key }}</p>", n=1) == "<p>1 of the same key</p>"
    assert draw("<p>{{ n }} of {{ key }}</p>", n=2) == "<p>1 of the same key</p>"
    # A release that changes the fragment's markup (here a class) draws it anew at once,
    # under the same name and key, instead of serving the old drawing until it expires.
    assert draw('<p class="wider">{{ n }} of {{ key }}</p>', n=3) == (
        '<p class="wider">3 of the same key</p>'
    )
