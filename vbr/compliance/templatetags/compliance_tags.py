from __future__ import annotations

import logging
from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.templatetags.cache import CacheNode, do_cache

from vbr.compliance.deadlines import upcoming_for

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


@register.inclusion_tag("compliance/includes/deadlines.html", takes_context=True)
def compliance_deadlines(context: template.Context) -> dict[str, Any]:
    """The dashboard's "Deadlines after the start" section: one query."""
    membership = context["membership"]
    deadlines = upcoming_for(membership) if membership.is_staff_member else []
    return {"deadlines": deadlines, "provider": context["provider"]}
