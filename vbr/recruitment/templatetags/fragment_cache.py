"""`{% cache_when_reachable %}`: Django's fragment cache for drawings that are the same for
the same key, and that a page can always draw again when the cache is away."""

from __future__ import annotations

import hashlib
import logging

from django import template
from django.template.base import Node, NodeList, Parser, Token
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


def source_digest(nodelist: NodeList) -> str:
    """A digest of the fragment's own template code: its text and the tags and variables
    in it, nested ones included (the parser keeps each node's source in its token)."""
    parts = [getattr(node.token, "contents", "") for node in nodelist.get_nodes_by_type(Node)]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


@register.tag("cache_when_reachable")
def cache_when_reachable(parser: Parser, token: Token) -> CacheWhenReachableNode:
    """`{% cache_when_reachable seconds name key... %}...{% endcache %}`: as `{% cache %}`,
    except that the fragment's name carries a digest of its template code, so that a
    release which changes the markup never serves the drawing an earlier release kept."""
    node = do_cache(parser, token)
    return CacheWhenReachableNode(
        node.nodelist,
        node.expire_time_var,
        f"{node.fragment_name}.{source_digest(node.nodelist)}",
        node.vary_on,
        node.cache_name,
    )
