"""PDF candidate summaries: gather what the summary says, render it to HTML, then to PDF.

No Celery here: tasks.py calls `render_summary_pdf`; tests and the benchmark call it directly.

Everything comes from scoring.py (`debriefs_for`, `value_stage_grid`), which reads submitted
scorecards only, so a draft never reaches a summary.

Sections that other features will add (the supported person's view, timed shadowing
observation notes) plug in through `SUMMARY_SECTIONS`: a function that takes the application
and returns a `SummarySection`, or None when there is nothing to show.
"""

from __future__ import annotations

import base64
import hashlib
import io
import mimetypes
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from PIL import Image, ImageOps
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA, UA_FORM_STYLESHEET
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from vbr.accounts.models import Provider, User
from vbr.recruitment.charts import LEVEL_KEY, values_profile_html
from vbr.recruitment.models import Application, Assessment, CoreValue, Decision, Stage
from vbr.recruitment.models.library import evidences_by_value
from vbr.recruitment.scoring import (
    LEVEL_LABELS,
    CriterionDebrief,
    Debrief,
    LevelStats,
    Recommendation,
    ValueStageGrid,
    debriefs_for,
    value_stage_grid,
)

# The only scheme our templates use for files; everything else is refused.
STATIC_SCHEME = "vbr-static:"
RETENTION_LINE = "Personal data — handle under your retention policy."


@dataclass(frozen=True)
class SummarySection:
    """A titled block of paragraphs added by another feature (e.g. the supported person's
    view). `notes` are (heading, text) pairs; headings may be empty."""

    title: str
    notes: tuple[tuple[str, str], ...]


SectionSource = Callable[[Application], SummarySection | None]
# Features append here (at import time of their own module) to add a section to summaries.
SUMMARY_SECTIONS: list[SectionSource] = []


@dataclass(frozen=True)
class StageTaken:
    stage: Stage
    assessment: Assessment
    debrief: Debrief
    panel: tuple[tuple[str, str], ...]  # (name, panel role)


@dataclass(frozen=True)
class ValueAtStage:
    stage: Stage
    criteria: tuple[CriterionDebrief, ...]
    stats: LevelStats


@dataclass(frozen=True)
class ValueEvidence:
    core_value: CoreValue
    stages: tuple[ValueAtStage, ...]
    overall: LevelStats
    flags: tuple[str, ...]
    # The national values it evidences, e.g. "Respect (Care Workforce Pathway)"; "" if none.
    evidences: str = ""


@dataclass(frozen=True)
class ExpertView:
    stage: Stage
    view: str
    recommendations: tuple[Recommendation, ...]


@dataclass(frozen=True)
class CandidateSummary:
    provider: Provider
    application: Application
    stages: tuple[StageTaken, ...]
    values: tuple[ValueEvidence, ...]
    expert_views: tuple[ExpertView, ...]
    # Every panellist's recommendation and summary: at interviews and other stages here, at
    # shadowing with the observations.
    recommending: tuple[StageTaken, ...]
    shadowing: tuple[StageTaken, ...]
    decision: Decision | None
    grid: ValueStageGrid
    chart: SafeString
    requested_by: str
    generated_at: datetime
    extra_sections: tuple[SummarySection, ...] = field(default_factory=tuple)

    @property
    def flag_count(self) -> int:
        return sum(len(v.flags) for v in self.values)


def gather_summary(
    *, application: Application, requested_by: User | None, generated_at: datetime | None = None
) -> CandidateSummary:
    """Collect everything a summary shows, from submitted scorecards only."""
    application = (
        Application.objects.select_related("candidate", "role", "provider", "current_stage")
        .filter(pk=application.pk)
        .get()
    )
    assessments = list(
        application.assessments.exclude(status=Assessment.Status.CANCELLED)
        .select_related("stage")
        .prefetch_related("panellists__user")
        .order_by("stage__order", "scheduled_at", "pk")
    )
    debriefs = debriefs_for(assessments)
    stages_taken = tuple(
        StageTaken(
            stage=a.stage,
            assessment=a,
            debrief=debriefs[a.pk],
            panel=tuple(
                (p.user.display_name, p.get_panel_role_display()) for p in a.panellists.all()
            ),
        )
        for a in assessments
    )

    values: dict[int, tuple[CoreValue, list[ValueAtStage]]] = {}
    for taken in stages_taken:
        for value_debrief in taken.debrief.values:
            entry = values.setdefault(value_debrief.core_value.pk, (value_debrief.core_value, []))
            entry[1].append(
                ValueAtStage(
                    stage=taken.stage, criteria=value_debrief.criteria, stats=value_debrief.stats
                )
            )
    value_evidence = []
    # The grid has read what its values evidence: ask again only for a value it lacks.
    grid = value_stage_grid(application)
    evidences = {row.core_value.pk: row.evidences for row in grid.rows}
    missing = [pk for pk in values if pk not in evidences]
    if missing:
        evidences.update(evidences_by_value(missing))
    for core_value, at_stages in sorted(values.values(), key=lambda v: (v[0].order, v[0].name)):
        flags: list[str] = []
        for at_stage in at_stages:
            for item in at_stage.criteria:
                if item.weak_essential:
                    flags.append(
                        f"Weak evidence on an essential value at {at_stage.stage.name}: "
                        f"{item.criterion.prompt}"
                    )
                if item.disagreement:
                    flags.append(
                        f"Panel differs by {item.stats.spread} levels at {at_stage.stage.name}: "
                        f"{item.criterion.prompt}"
                    )
        value_evidence.append(
            ValueEvidence(
                core_value=core_value,
                stages=tuple(at_stages),
                overall=LevelStats(
                    levels=tuple(sorted(lv for s in at_stages for lv in s.stats.levels)),
                    not_observed=sum(s.stats.not_observed for s in at_stages),
                ),
                flags=tuple(flags),
                evidences=evidences.get(core_value.pk, ""),
            )
        )

    expert_views = tuple(
        ExpertView(
            stage=taken.stage,
            view=taken.debrief.expert_view,
            recommendations=tuple(r for r in taken.debrief.recommendations if r.is_expert),
        )
        for taken in stages_taken
        if taken.debrief.has_experts
    )
    extra = tuple(
        section for source in SUMMARY_SECTIONS if (section := source(application)) is not None
    )
    return CandidateSummary(
        provider=application.provider,
        application=application,
        stages=stages_taken,
        values=tuple(value_evidence),
        expert_views=expert_views,
        recommending=tuple(t for t in stages_taken if not t.stage.is_shadowing),
        shadowing=tuple(t for t in stages_taken if t.stage.is_shadowing),
        decision=application.decisions.select_related("decided_by").first(),
        grid=grid,
        chart=values_profile_html(grid),
        requested_by=requested_by.display_name if requested_by else "",
        generated_at=generated_at or timezone.now(),
        extra_sections=extra,
    )


# print.css prints the logo at most 45 × 16 mm: 600 × 200 pixels is over 300 dpi there.
LOGO_PRINT_PIXELS = (600, 200)
# Logos already made print-sized in this process, by a digest of the uploaded file.
_print_logos: dict[bytes, tuple[str, bytes]] = {}
_PRINT_LOGOS_KEPT = 32
# Entries in a renderer's image cache (a logo is one or two) before it is emptied.
IMAGES_KEPT = 64


def print_sized_logo(content: bytes) -> tuple[str, bytes]:
    """The logo's MIME type and bytes, scaled down to the size it is printed at.

    Uploads may be up to 4000 pixels a side: the renderer would decode such a picture and
    compress it again into every summary (a 4000-pixel logo took longer than the rest of
    the document). Made once per process for each logo, then reused."""
    key = hashlib.blake2b(content, digest_size=16).digest()
    if (made := _print_logos.get(key)) is not None:
        return made
    with Image.open(io.BytesIO(content)) as opened:
        picture_format = opened.format
        if opened.width <= LOGO_PRINT_PIXELS[0] and opened.height <= LOGO_PRINT_PIXELS[1]:
            made = (Image.MIME.get(picture_format or "", "image/png"), content)
        else:
            image = ImageOps.exif_transpose(opened)
            if image.mode in ("1", "P"):  # scale smoothly, not pixel by pixel
                image = image.convert("RGBA" if "transparency" in image.info else "RGB")
            image.thumbnail(LOGO_PRINT_PIXELS, Image.Resampling.LANCZOS)
            scaled = io.BytesIO()
            if picture_format == "JPEG":
                image.save(scaled, format="JPEG", quality=90)
                made = ("image/jpeg", scaled.getvalue())
            else:
                image.save(scaled, format="PNG")
                made = ("image/png", scaled.getvalue())
    if len(_print_logos) >= _PRINT_LOGOS_KEPT:
        _print_logos.clear()
    _print_logos[key] = made
    return made


def _logo_data_uri(provider: Provider) -> str:
    """The logo inlined as a data: URI, so the renderer never opens a file path."""
    if not provider.logo:
        return ""
    try:
        with provider.logo.open("rb") as logo:
            content = logo.read()
    except OSError:
        return ""
    try:
        mime, printed = print_sized_logo(content)
    except (OSError, ValueError, Image.DecompressionBombError):
        # Not a picture we can scale: give it to the renderer as it was uploaded.
        mime = mimetypes.guess_type(provider.logo.name or "")[0] or "image/png"
        printed = content
    return f"data:{mime};base64,{base64.b64encode(printed).decode()}"


def render_summary_html(summary: CandidateSummary) -> str:
    return render_to_string(
        "pdf/candidate_summary.html",
        {
            "summary": summary,
            "application": summary.application,
            "candidate": summary.application.candidate,
            "provider": summary.provider,
            "logo": _logo_data_uri(summary.provider),
            "level_labels": LEVEL_LABELS,
            "level_key": LEVEL_KEY,
            "retention_line": RETENTION_LINE,
        },
    )


class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serves our own static files (and inline data: URIs) to WeasyPrint, nothing else:
    no file://, no http(s)://, so nothing in a candidate's record can make the worker fetch."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_SCHEME):
            path = static_path(url.removeprefix(STATIC_SCHEME))
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": mime})
        raise ValueError(f"Refused to fetch {url[:80]}: only our static files are allowed")


def static_path(relative: str) -> Path:
    """A file of ours under static/, refusing anything that climbs out of it."""
    if ".." in Path(relative).parts or relative.startswith("/"):
        raise ValueError("Not a static file path")
    found = finders.find(relative)
    if not found:
        candidate = Path(settings.STATIC_ROOT) / relative
        if not candidate.is_file():
            raise FileNotFoundError(relative)
        return candidate
    return Path(found if isinstance(found, str) else found[0])


# Rules of WeasyPrint's user-agent stylesheet that match every element: footnote and note
# markers (our documents have neither) and list markers (only list items have them). Each
# gave every element of a document its own pseudo-element styles, computed and never used.
_EVERY_ELEMENT_PSEUDO = re.compile(r"^::(?:footnote|note)-[a-z-]+ \{[^\n]*\}$", re.MULTILINE)
_EVERY_ELEMENT_MARKER = re.compile(r"^::marker \{", re.MULTILINE)


def user_agent_css(text: str = UA) -> str:
    """WeasyPrint's default styles for HTML elements, less the rules that give every element
    pseudo-elements our documents never show; list items keep their markers. Nothing that
    shows changes; a summary renders about 2–3 % faster."""
    trimmed = _EVERY_ELEMENT_PSEUDO.sub("", text)
    return _EVERY_ELEMENT_MARKER.sub("li::marker {", trimmed)


# Whitespace in the markup just before a block's start or end tag: never printed (it would
# end or start a line, where it is collapsed), but parsed and boxed all the same.
_BEFORE_BLOCK_TAG = re.compile(
    r">\s+(?=</?(?:html|head|body|header|section|div|figure|figcaption|h[1-6]|p|ul|ol|li|"
    r"table|thead|tbody|tr|td|th|dl|dt|dd|title|meta)[\s>])"
)


def without_whitespace_before_blocks(html: str) -> str:
    """The document with the indentation between block tags taken out. Text is untouched:
    whitespace between inline elements (`</span> <span>`), and anything inside <pre>, stay."""
    if "<pre" in html or "<textarea" in html:
        return html
    return _BEFORE_BLOCK_TAG.sub(">", html)


@dataclass
class Renderer:
    """The fonts and the parsed print stylesheet, made once and reused by every render:
    loading Fontconfig and a fresh Pango font map for each summary, and parsing print.css
    again, cost as much as laying out a page."""

    fetcher: StaticOnlyFetcher
    font_config: FontConfiguration
    stylesheet: CSS
    user_agent: CSS
    # WeasyPrint's image cache (decoded pictures and their PDF streams, by URL), kept across
    # renders so that a provider's logo is prepared once, not for every summary.
    images: dict[str, object] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Renderer:
        fetcher = StaticOnlyFetcher()
        font_config = FontConfiguration()
        stylesheet = CSS(
            url=f"{STATIC_SCHEME}css/print.css", url_fetcher=fetcher, font_config=font_config
        )
        # A counter-style table of its own: the documents use WeasyPrint's own list markers.
        user_agent = CSS(string=user_agent_css(), counter_style=CounterStyle())
        return cls(
            fetcher=fetcher, font_config=font_config, stylesheet=stylesheet, user_agent=user_agent
        )

    def image_cache(self) -> dict[str, object]:
        """The image cache, emptied when it holds more than a few providers' logos."""
        if len(self.images) > IMAGES_KEPT:
            self.images.clear()
        return self.images


class PrintHTML(HTML):  # type: ignore[misc]
    """A document styled with the trimmed user-agent stylesheet (WeasyPrint asks the document
    for its default styles, so this is where they are swapped)."""

    def __init__(self, *, string: str, user_agent: CSS, url_fetcher: URLFetcher) -> None:
        super().__init__(string=string, base_url=STATIC_SCHEME, url_fetcher=url_fetcher)
        self.user_agent = user_agent

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [self.user_agent, UA_FORM_STYLESHEET] if forms else [self.user_agent]


# One per thread: Pango objects must not be shared between threads (the demo renders in the
# web server's threads; a Celery worker process has one).
_per_thread = threading.local()


def renderer() -> Renderer:
    """This thread's renderer, loaded on first use (a worker loads it when it starts)."""
    loaded: Renderer | None = getattr(_per_thread, "renderer", None)
    if loaded is None:
        loaded = _per_thread.renderer = Renderer.load()
    return loaded


def html_to_pdf(html: str) -> bytes:
    """Tagged PDF/UA-1 with embedded (subset) fonts and real, selectable text, styled by
    our print stylesheet."""
    loaded = renderer()
    document = PrintHTML(
        string=without_whitespace_before_blocks(html),
        user_agent=loaded.user_agent,
        url_fetcher=loaded.fetcher,
    )
    pdf: bytes = document.write_pdf(
        stylesheets=[loaded.stylesheet],
        font_config=loaded.font_config,
        pdf_variant="pdf/ua-1",
        cache=loaded.image_cache(),
    )
    return pdf


def render_summary_pdf(
    *, application: Application, requested_by: User | None, generated_at: datetime | None = None
) -> bytes:
    summary = gather_summary(
        application=application, requested_by=requested_by, generated_at=generated_at
    )
    return html_to_pdf(render_summary_html(summary))
