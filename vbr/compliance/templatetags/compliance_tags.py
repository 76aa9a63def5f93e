from __future__ import annotations

from typing import Any

from django import template

from vbr.compliance.deadlines import upcoming_for

register = template.Library()


@register.inclusion_tag("compliance/includes/deadlines.html", takes_context=True)
def compliance_deadlines(context: template.Context) -> dict[str, Any]:
    """The dashboard's "Deadlines after the start" section: one query."""
    membership = context["membership"]
    deadlines = upcoming_for(membership) if membership.is_staff_member else []
    return {"deadlines": deadlines, "provider": context["provider"]}
