"""The PDF renderer's shortcuts (trimmed default styles, no indentation between blocks) leave
what a reader sees exactly as it was: the same text, laid out the same, with list bullets."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from weasyprint import HTML
from weasyprint.html import UA

from tests.test_pdf_summaries import WorkedExample, example  # noqa: F401 -- fixture
from vbr.accounts.models import User
from vbr.recruitment import pdf

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext") or not shutil.which("pdftoppm"), reason="needs poppler-utils"
)


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def first_page_picture(content: bytes) -> bytes:
    # pdftoppm writes pictures to files (an output name of "-" is a file called "-.png").
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", "-singlefile", "-", "page"],
            input=content,
            capture_output=True,
            check=True,
            cwd=folder,
        )
        picture = (Path(folder) / "page.png").read_bytes()
    assert picture.startswith(b"\x89PNG")
    return picture


def with_weasyprint_defaults(html: str) -> bytes:
    """The document as WeasyPrint renders it with nothing of ours taken out."""
    loaded = pdf.renderer()
    document = HTML(string=html, base_url=pdf.STATIC_SCHEME, url_fetcher=loaded.fetcher)
    content: bytes = document.write_pdf(
        stylesheets=[loaded.stylesheet], font_config=loaded.font_config, pdf_variant="pdf/ua-1"
    )
    return content


@needs_poppler
@pytest.mark.django_db
def test_a_summary_reads_and_looks_the_same_as_with_weasyprints_own_defaults(
    example: WorkedExample,  # noqa: F811 -- the fixture imported above
    bob: User,
) -> None:
    html = pdf.render_summary_html(
        pdf.gather_summary(application=example.application, requested_by=bob)
    )
    ours = pdf.html_to_pdf(html)
    plain = with_weasyprint_defaults(html)

    text = pdf_text(ours)
    assert "Candidate summary: Amira Hussain" in text
    assert "Bob Okafor (chair): level 4" in text  # the space between the two spans stays
    assert text == pdf_text(plain)
    assert first_page_picture(ours) == first_page_picture(plain)


@needs_poppler
def test_lists_keep_their_bullets_and_preformatted_text_its_spaces() -> None:
    html = (
        "<html lang='en-GB'><body>\n  <ul>\n    <li>Knocks and waits</li>\n"
        "    <li>Asks before helping</li>\n  </ul>\n<pre>one\n    two</pre>\n</body></html>"
    )
    text = pdf_text(pdf.html_to_pdf(html))
    assert "• Knocks and waits" in text and "• Asks before helping" in text
    assert re.search(r"^one\n {4,}two$", text, re.MULTILINE)


def test_indentation_before_block_tags_goes_and_spaces_between_words_stay() -> None:
    html = (
        "<section>\n  <h4>Compassion</h4>\n  <ul class='scores'>\n"
        '    <li><span class="who">Bob (chair):</span> <span class="level">level 4</span>'
        ". Listened\n    </li>\n  </ul>\n</section>"
    )
    assert pdf.without_whitespace_before_blocks(html) == (
        "<section><h4>Compassion</h4><ul class='scores'>"
        '<li><span class="who">Bob (chair):</span> <span class="level">level 4</span>'
        ". Listened\n    </li></ul></section>"  # after text it is left: the layout drops it
    )
    with_pre = "<div>\n<pre>a\n  <p>b</p></pre>\n</div>"
    assert pdf.without_whitespace_before_blocks(with_pre) == with_pre


def test_default_styles_leave_out_only_footnote_and_note_markers_for_every_element() -> None:
    ours = pdf.user_agent_css().splitlines()
    theirs = UA.splitlines()
    assert len(ours) == len(theirs)
    changed = [(old, new) for old, new in zip(theirs, ours, strict=True) if old != new]
    # Five rules for footnotes and notes go; the rule for list markers applies to list items.
    assert [old.split(" {")[0] for old, new in changed if not new] == [
        "::footnote-call",
        "::footnote-marker",
        "::note-call",
        "::note-marker",
        "::note-callback",
    ]
    assert [new for old, new in changed if new] == [
        "li::marker { font-variant-numeric: tabular-nums; white-space: pre; text-transform: none }"
    ]
