"""schema.org JobPosting data for a vacancy, so that job search engines list it."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from vbr.applicants.models import Vacancy

# Inside <script>, "</script>" or "<!--" in the text must not end the element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def job_posting(vacancy: Vacancy, *, url: str) -> dict[str, Any]:
    """The vacancy as a JobPosting (https://schema.org/JobPosting)."""
    provider = vacancy.provider
    description = linebreaks(escape(vacancy.summary)) + linebreaks(escape(vacancy.day_to_day))
    amount: dict[str, Any] = {"@type": "QuantitativeValue", "unitText": vacancy.pay_period}
    if vacancy.pay_to is not None and vacancy.pay_to != vacancy.pay_from:
        amount |= {"minValue": float(vacancy.pay_from), "maxValue": float(vacancy.pay_to)}
    else:
        amount["value"] = float(vacancy.pay_from)
    address: dict[str, Any] = {
        "@type": "PostalAddress",
        "addressLocality": vacancy.town,
        "addressCountry": "GB",
    }
    if vacancy.postcode:
        address["postalCode"] = vacancy.postcode
    posted = vacancy.published_at or vacancy.updated_at
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": vacancy.role.title,
        "description": description,
        "datePosted": timezone.localdate(posted).isoformat(),
        "employmentType": vacancy.employment_type,
        "hiringOrganization": {"@type": "Organization", "name": provider.name},
        "jobLocation": {"@type": "Place", "address": address},
        "baseSalary": {"@type": "MonetaryAmount", "currency": "GBP", "value": amount},
        "occupationalCategory": vacancy.get_pathway_category_display(),
        "identifier": {
            "@type": "PropertyValue",
            "name": provider.name,
            "value": f"{provider.slug}-{vacancy.pk}",
        },
        "directApply": True,
        "url": url,
    }
    if vacancy.closes_on:
        end = timezone.make_aware(datetime.combine(vacancy.closes_on, time(23, 59)))
        data["validThrough"] = end.isoformat()
    return data


def as_script(data: dict[str, Any]) -> SafeString:
    """JSON-LD to place inside <script type="application/ld+json">."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308
