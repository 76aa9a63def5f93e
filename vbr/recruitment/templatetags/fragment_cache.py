"""`{% cache_when_reachable %}`: Django's fragment cache for drawings that are the same for
the same key, and that a page can always draw again when the cache is away."""

from __future__ import annotations

import logging

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.templatetags.cache import CacheNode, do_cache

register = template.Library()
logger = logging.getLogger("vbr.cache")


class CacheWhenReachableNode(CacheNode):
    """Django's fragment cache, except that a cache that cannot be reached (Redis stopped or
    restarting) only costs the time it would have saved: the fragment is drawn as if it
    were not cached, and the page answers."""

    def render(self, context: Context) -> str:
        try:
            return str(super().render(context))
        except Exception:
            logger.warning("Fragment cache unreachable; drawing %s", self.fragment_name)
            return str(self.nodelist.render(context))


@register.tag("cache_when_reachable")
def cache_when_reachable(parser: Parser, token: Token) -> CacheWhenReachableNode:
    """`{% cache_when_reachable seconds name key... %}...{% endcache %}`: as `{% cache %}`."""
    node = do_cache(parser, token)
    return CacheWhenReachableNode(
        node.nodelist, node.expire_time_var, node.fragment_name, node.vary_on, node.cache_name
    )
