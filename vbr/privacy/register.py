"""The personal-data register: every field of the project's models that holds personal data
or free text about a person, and what anonymisation, erasure and subject access do with it.

Anonymisation (`workflow.anonymise_candidate`), erasure (`workflow.erase_candidate`), the
files they remove (`files.py`) and the subject access export (`subject_access.py`) walk
this register; none of them keeps a list of its own. Every text, JSON, e-mail and file field
of every model is listed here, as personal or as not personal with the reason, and a test
(tests/test_privacy_register.py) fails on any such field that is not: a new field is
classified here before it can be released.

Each table says how the rows about one candidate are found (`rows`): a lookup from the model
to the candidate's id, or, for rows linked in another way, a function giving the condition.
A table without `rows` is never walked for a candidate: its data is about somebody else
(panel members, staff, an individual employer) and their own requests are handled apart.

Third parties in a subject access export: the people supported who give their view of a
candidate during shadowing, their supporters, panellists and staff are not the subject of the
request. Their names are left out (UK GDPR Art. 15(4); DPA 2018 Sch. 2 Part 3 para 16):
panellists appear by their panel role, people supported and supporters not at all. What was
said or written about the candidate is the candidate's personal data and is included; the
admin who sends the export reads its free text for other people's names before sending it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from vbr.recruitment.models import Candidate


class Subject(StrEnum):
    """Whose personal data a field is."""

    CANDIDATE = "the candidate"
    PERSON_SUPPORTED = "a person supported, who gave their view during shadowing"
    SUPPORTER = "the supporter of a person supported or of a panel member"
    MEMBER = "a panel member or member of staff"
    EMPLOYER = "the provider: an individual employer is a person"
    REFEREE = "a referee, who gave a reference about the candidate"


class Anonymise(StrEnum):
    """What anonymising a candidate does with a field of their rows."""

    KEEP = "kept"  # not about the candidate, or a level, code or date that reports need
    BLANK = "blanked"
    PLACEHOLDER = "replaced with a placeholder"  # only where there was a value
    SCRUB = "free-text keys of the JSON emptied, levels kept"
    DELETE_FILE = "stored file deleted, the field blanked"
    DELETE_ROW = "row deleted (with any stored file)"


class Erase(StrEnum):
    """What erasing a candidate does with a field of their rows."""

    KEEP = "kept"  # not about the candidate
    BLANK = "blanked, the row kept"  # rows that outlive the candidate (the audit trail)
    DELETE_ROW = "row deleted (with any stored file)"


@dataclass(frozen=True)
class Personal:
    """A field holding personal data or free text about a person.

    `export`: its key in the subject access record (None: left out, `why` says why).
    `shown_as`: an attribute of the row exported instead of the raw value.
    `placeholder`: the text put in its place; "{pk}" stands for the row's id.
    `free_text_keys`: for a JSON snapshot scrubbed on anonymisation, the keys (at any depth)
    whose text values are emptied.
    """

    field: str
    subject: Subject
    anonymise: Anonymise
    erase: Erase
    export: str | None = None
    why: str = ""
    placeholder: str = ""
    shown_as: str = ""
    free_text_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class NotPersonal:
    field: str
    why: str


Rows = str | Callable[["Candidate"], Q] | None


@dataclass(frozen=True)
class Table:
    """One model: how its rows about a candidate are found, and each field's entry.

    `section`: the key under which a subject access export lists these rows.
    """

    model: str
    rows: Rows
    fields: tuple[Personal | NotPersonal, ...]
    section: str | None = None
    note: str = ""

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def personal(self) -> tuple[Personal, ...]:
        return tuple(entry for entry in self.fields if isinstance(entry, Personal))

    @property
    def exported(self) -> tuple[Personal, ...]:
        return tuple(entry for entry in self.personal if entry.export)

    def candidate_rows(self, candidate: Candidate) -> models.QuerySet[Any]:
        """This table's rows about `candidate`."""
        manager = self.model_class._default_manager
        if self.rows is None:
            return manager.none()
        if isinstance(self.rows, str):
            return manager.filter(**{self.rows: candidate.pk})
        return manager.filter(self.rows(candidate))


def _audit_events_about(candidate: Candidate) -> Q:
    """Events of the candidate's applications, and events whose subject is the candidate."""
    from vbr.recruitment.models import Application

    return Q(provider_id=candidate.provider_id) & (
        Q(application_id__in=Application.objects.filter(candidate_id=candidate.pk).values("pk"))
        | Q(subject_type="candidate", subject_id=candidate.pk)
    )


def _emails_about(candidate: Candidate) -> Q:
    """Invitations to the candidate's panels, and messages about decisions on them."""
    from vbr.recruitment.models import DecisionMessage

    return Q(invitation__panellist__assessment__application__candidate_id=candidate.pk) | Q(
        pk__in=DecisionMessage.objects.filter(
            decision__application__candidate_id=candidate.pk, email__isnull=False
        ).values("email_id")
    )


def _equality_answers_of(candidate: Candidate) -> Q:
    """Found only through the invitation's random key: the answers name nobody."""
    from vbr.reports.models import MonitoringInvite

    return Q(
        provider_id=candidate.provider_id,
        key__in=MonitoringInvite.objects.filter(application__candidate_id=candidate.pk).values(
            "key"
        ),
    )


# Exports whose files list candidates one per row, by name.
EXPORTS_LISTING_CANDIDATES = ("applications_xlsx", "scores_xlsx")


def _stored_exports_that_may_name(candidate: Candidate) -> Q:
    """Finished exports of the provider made since the candidate was added: each may list
    them by name, and a file cannot lose one row, so the file goes (it can be made again)."""
    return Q(
        provider_id=candidate.provider_id,
        kind__in=EXPORTS_LISTING_CANDIDATES,
        created_at__gte=candidate.created_at,
    ) & ~Q(file="")


# Short names, so that each entry reads as one line of a table.
C, PS, SU, M, E = (
    Subject.CANDIDATE,
    Subject.PERSON_SUPPORTED,
    Subject.SUPPORTER,
    Subject.MEMBER,
    Subject.EMPLOYER,
)
A, X = Anonymise, Erase
CODE = "a code from a fixed list, not about anybody"
MEMBER_OWN = "the member's own data, about no candidate; left to the member's own requests"
THIRD_PARTY = "a third party's name: left out of the candidate's subject access export"

# Personal(field, whose, anonymise, erase, key in the subject access export, ...)
REGISTER: tuple[Table, ...] = (
    # -- The candidate and their applications ------------------------------------------------
    Table(
        "recruitment.Candidate",
        rows="pk",
        section="candidate",
        fields=(
            Personal(
                "first_name", C, A.PLACEHOLDER, X.DELETE_ROW, "first_name", placeholder="Anonymised"
            ),
            Personal(
                "last_name",
                C,
                A.PLACEHOLDER,
                X.DELETE_ROW,
                "last_name",
                placeholder="candidate #{pk}",
            ),
            Personal("email", C, A.BLANK, X.DELETE_ROW, "email"),
            Personal("phone", C, A.BLANK, X.DELETE_ROW, "phone"),
            Personal("created_at", C, A.KEEP, X.DELETE_ROW, "added_on"),
            Personal(
                "anonymised_at",
                C,
                A.KEEP,
                X.DELETE_ROW,
                "anonymised_on",
                why="set by anonymisation itself",
            ),
        ),
    ),
    Table(
        "recruitment.Application",
        rows="candidate_id",
        section="applications",
        fields=(
            Personal("status", C, A.KEEP, X.DELETE_ROW, "status", why="reports need it"),
            Personal("source", C, A.KEEP, X.DELETE_ROW, "source", why="reports need it"),
            Personal("applied_at", C, A.KEEP, X.DELETE_ROW, "applied_on"),
            Personal("current_stage", C, A.KEEP, X.DELETE_ROW, "current_stage"),
            Personal("withdrawal_reason", C, A.BLANK, X.DELETE_ROW, "withdrawal_reason"),
            Personal(
                "value_levels",
                C,
                A.KEEP,
                X.DELETE_ROW,
                why="totals of the levels exported with each score; reports need them",
            ),
        ),
    ),
    Table(
        "recruitment.StageEntry",
        rows="application__candidate_id",
        section="stages_entered",
        fields=(Personal("entered_at", C, A.KEEP, X.DELETE_ROW, "entered_on"),),
    ),
    # -- Applications candidates send themselves (applicants) ---------------------------------
    Table(
        "applicants.OnlineApplication",
        rows="application__candidate_id",
        section="online_application",
        fields=(
            Personal(
                "referrer_name",
                M,
                A.BLANK,
                X.DELETE_ROW,
                why="the name of the member of staff who recommended them: " + THIRD_PARTY,
            ),
            Personal("availability", C, A.BLANK, X.DELETE_ROW, "availability"),
            Personal("privacy_acknowledged_at", C, A.KEEP, X.DELETE_ROW, "privacy_notice_read_on"),
            NotPersonal(
                "status_token_hash", "a keyed hash of the status page's link: opens nothing"
            ),
        ),
    ),
    Table(
        "applicants.ValuesAnswer",
        rows="online_application__application__candidate_id",
        section="values_answers",
        fields=(
            Personal(
                "prompt",
                C,
                A.KEEP,
                X.DELETE_ROW,
                "question",
                why="the provider's question, exported beside the answer it was asked for",
            ),
            Personal("answer", C, A.BLANK, X.DELETE_ROW, "answer"),
        ),
    ),
    Table(
        "applicants.Notice",
        rows="application__candidate_id",
        section="notices",
        fields=(
            Personal("kind", C, A.KEEP, X.DELETE_ROW, "notice"),
            Personal("channel", C, A.KEEP, X.DELETE_ROW, "sent_by"),
            Personal("to_address", C, A.BLANK, X.DELETE_ROW, "sent_to"),
            NotPersonal("subject", "our fixed words, the role and the provider's name"),
            NotPersonal("ics", "a booked time and place as a calendar file, naming nobody"),
            Personal(
                "body",
                C,
                A.BLANK,
                X.DELETE_ROW,
                why="greets the candidate and carries their personal link; emptied once sent",
            ),
            Personal("status", C, A.KEEP, X.DELETE_ROW, "status"),
            Personal("created_at", C, A.KEEP, X.DELETE_ROW, "written_on"),
            NotPersonal("error", "the mail server's or SMS service's reply, about the service"),
        ),
    ),
    Table(
        "applicants.Slot",
        rows=None,
        note="A candidate's booking of a slot is found through their application.",
        fields=(
            NotPersonal("place", "where the slot is held, for everyone who books it"),
            NotPersonal("video_link", "the meeting link of the slot, for everyone who books it"),
            Personal(
                "supervisor_name",
                M,
                A.KEEP,
                X.KEEP,
                why="the member of staff who supervises shadowing; about no candidate",
            ),
        ),
    ),
    Table(
        "applicants.PanelMessage",
        rows="assessment__application__candidate_id",
        note="A daily list of overdue scorecards belongs to no one assessment: it goes by "
        "email only, its words kept in the outbox until sent.",
        fields=(
            NotPersonal("kind", CODE),
            NotPersonal("channel", CODE),
            NotPersonal("subject", "our fixed words, the stage and the time, naming nobody"),
            Personal(
                "body",
                C,
                A.BLANK,
                X.DELETE_ROW,
                why="a note for a panel member naming the candidate by first name; emptied "
                "once printed",
            ),
            Personal(
                "ics",
                C,
                A.BLANK,
                X.DELETE_ROW,
                why="the panel's calendar file naming the candidate; emptied once printed",
            ),
        ),
    ),
    Table(
        "applicants.Vacancy",
        rows=None,
        fields=(
            NotPersonal("status", CODE),
            NotPersonal("summary", "the provider's job advert, published to everyone"),
            NotPersonal("day_to_day", "the provider's job advert, published to everyone"),
            NotPersonal("hours", "the provider's job advert, published to everyone"),
            NotPersonal("employment_type", CODE),
            NotPersonal("pay_period", CODE),
            NotPersonal("town", "where the job is, published to everyone"),
            NotPersonal("postcode", "where the job is, published to everyone"),
            NotPersonal("pathway_category", CODE),
            NotPersonal("what_to_bring", "the provider's job advert, published to everyone"),
        ),
    ),
    Table(
        "applicants.VacancyQuestion",
        rows=None,
        fields=(NotPersonal("prompt", "a values question the provider asks everyone"),),
    ),
    Table(
        "pa.PaJob",
        rows=None,
        note="An individual employer's own words about the PA job they offer.",
        fields=(
            Personal(
                "help_needed",
                E,
                A.KEEP,
                X.KEEP,
                why="the employer's own words about the help they need, which they publish in "
                "their advert; about no candidate",
            ),
            Personal(
                "what_matters",
                E,
                A.KEEP,
                X.KEEP,
                why="what matters to the employer (it may tell their culture or faith), which "
                "they publish in their advert; about no candidate",
            ),
            NotPersonal("companion_relationship", CODE),
        ),
    ),
    Table(
        "applicants.NoticeWording",
        rows=None,
        fields=(
            NotPersonal("kind", CODE),
            NotPersonal("subject", "the provider's own wording of a notice, naming nobody"),
            NotPersonal("email", "the provider's own wording of a notice, naming nobody"),
            NotPersonal("sms", "the provider's own wording of a notice, naming nobody"),
        ),
    ),
    Table(
        "applicants.ApplicationDraft",
        rows=None,
        note="An unfinished application belongs to no candidate yet: it is deleted when it "
        "is sent (becoming the application) or, unsent, by the daily sweep once the "
        "provider's days to keep it have passed. No staff page reads it.",
        fields=(
            Personal(
                "email",
                C,
                A.KEEP,
                X.KEEP,
                why="where the link back to it was sent; deleted with the draft",
            ),
            Personal(
                "answers",
                C,
                A.KEEP,
                X.KEEP,
                why="what the person had typed so far; deleted with the draft",
            ),
            NotPersonal("token_hash", "a keyed hash of the link back to it: opens nothing"),
        ),
    ),
    Table(
        "recruitment.Assessment",
        rows="application__candidate_id",
        section="assessments",
        fields=(
            Personal("scheduled_at", C, A.KEEP, X.DELETE_ROW, "scheduled_for"),
            Personal(
                "place",
                C,
                A.KEEP,
                X.DELETE_ROW,
                "place",
                why="where the assessment was held: a place, not about the candidate",
            ),
            Personal("status", C, A.KEEP, X.DELETE_ROW, "status"),
            Personal(
                "notes_for_panel",
                C,
                A.BLANK,
                X.DELETE_ROW,
                "notes_for_panel",
                why="written about the candidate for their panel",
            ),
        ),
    ),
    Table(
        "recruitment.Scorecard",
        rows="assessment__application__candidate_id",
        section="scorecards",
        note="Only submitted scorecards are exported: a draft is not yet anyone's view. "
        "Panellists appear by their panel role, never by name.",
        fields=(
            Personal("submitted_at", C, A.KEEP, X.DELETE_ROW, "submitted_on"),
            Personal("recommendation", C, A.KEEP, X.DELETE_ROW, "recommendation"),
            Personal("summary", C, A.BLANK, X.DELETE_ROW, "summary"),
            Personal(
                "supporter_name",
                SU,
                A.BLANK,
                X.DELETE_ROW,
                why=f"who typed a panel member's answers: needed while the decision may be "
                f"questioned, not once the candidate is anonymous; {THIRD_PARTY}",
            ),
        ),
    ),
    Table(
        "recruitment.Score",
        rows="scorecard__assessment__application__candidate_id",
        section="scores",
        fields=(
            Personal(
                "level",
                C,
                A.KEEP,
                X.DELETE_ROW,
                "level",
                shown_as="display_level",
                why="the anonymous level is what reports are made of",
            ),
            Personal("evidence", C, A.BLANK, X.DELETE_ROW, "evidence"),
        ),
    ),
    Table(
        "recruitment.ShadowingNote",
        rows="scorecard__assessment__application__candidate_id",
        section="shadowing_notes",
        note="Exported with their scorecard, so only once it is submitted.",
        fields=(
            Personal(
                "noted_at",
                C,
                A.DELETE_ROW,
                X.DELETE_ROW,
                "time",
                why="a note is nothing but its time and text: no figure needs it",
            ),
            Personal("text", C, A.DELETE_ROW, X.DELETE_ROW, "note"),
        ),
    ),
    Table(
        "recruitment.ScorecardRevision",
        rows="scorecard__assessment__application__candidate_id",
        fields=(
            Personal(
                "reason",
                C,
                A.PLACEHOLDER,
                X.DELETE_ROW,
                placeholder="(anonymised)",
                why="not yet exported: the scorecard as it stands is",
            ),
            Personal(
                "previous",
                C,
                A.SCRUB,
                X.DELETE_ROW,
                free_text_keys=("summary", "evidence", "notes", "reason", "reasons"),
                why="what the scorecard said before; levels kept, text emptied. Not yet "
                "exported: the scorecard as it stands is",
            ),
        ),
    ),
    Table(
        "recruitment.SupportedPersonView",
        rows="assessment__application__candidate_id",
        section="views_of_people_supported",
        note="What the person supported said is about the candidate and is exported; who "
        "they are, and who supported them, is not.",
        fields=(
            Personal("consent_given", C, A.KEEP, X.DELETE_ROW, "took_part"),
            Personal("consent_recorded_at", C, A.KEEP, X.DELETE_ROW, "recorded_on"),
            Personal(
                "answer",
                C,
                A.KEEP,
                X.DELETE_ROW,
                "answer",
                why="yes, not sure or no: kept like a level",
            ),
            Personal("comment", C, A.BLANK, X.DELETE_ROW, "comment"),
            Personal(
                "person_name",
                PS,
                A.PLACEHOLDER,
                X.DELETE_ROW,
                placeholder="Person supported",
                why=THIRD_PARTY,
            ),
            Personal("supporter_name", SU, A.BLANK, X.DELETE_ROW, why=THIRD_PARTY),
        ),
    ),
    Table(
        "involvement.ShortlistEntry",
        rows="application__candidate_id",
        section="shortlisting",
        note="The candidate was shown to the people shortlisting by number, never by name.",
        fields=(
            Personal(
                "outcome",
                C,
                A.KEEP,
                X.DELETE_ROW,
                "outcome",
                why="moved on or not after shortlisting: a code that reports count",
            ),
        ),
    ),
    Table(
        "involvement.ShortlistAnswer",
        rows="entry__application__candidate_id",
        section="shortlisting_answers",
        note="What the people shortlisting said of the candidate's values answers is about "
        "the candidate and is exported; who said it is not.",
        fields=(
            Personal(
                "answer",
                C,
                A.KEEP,
                X.DELETE_ROW,
                "answer",
                why="yes, not sure or no: kept like a level",
            ),
            Personal("comment", C, A.BLANK, X.DELETE_ROW, "comment"),
        ),
    ),
    Table(
        "recruitment.Decision",
        rows="application__candidate_id",
        section="decisions",
        fields=(
            Personal("kind", C, A.KEEP, X.DELETE_ROW, "decision"),
            Personal("decided_at", C, A.KEEP, X.DELETE_ROW, "decided_on"),
            Personal(
                "reasons", C, A.PLACEHOLDER, X.DELETE_ROW, "reasons", placeholder="(anonymised)"
            ),
            Personal("override_reason", C, A.BLANK, X.DELETE_ROW, "override_reason"),
            Personal("feedback_to_candidate", C, A.BLANK, X.DELETE_ROW, "feedback_sent_to_you"),
        ),
    ),
    Table(
        "recruitment.DecisionMessage",
        rows="decision__application__candidate_id",
        note="What an expert by experience was told of a decision on the candidate: the words "
        "are made from the decision when shown, so they follow its anonymisation; the row "
        "goes with the decision on erasure.",
        fields=(
            NotPersonal("channel", CODE),
            Personal(
                "own_view",
                C,
                A.KEEP,
                X.DELETE_ROW,
                why="the expert's recommendation as it was at the decision, kept like the "
                "scorecard's; exported there, not again here",
            ),
            Personal(
                "weighed",
                C,
                A.KEEP,
                X.DELETE_ROW,
                why="whether the decision went with the experts' view: a code the decision's "
                "own export already says",
            ),
        ),
    ),
    Table(
        "recruitment.Outcome",
        rows="application__candidate_id",
        section="outcome",
        fields=(
            Personal("start_date", C, A.KEEP, X.DELETE_ROW, "started_on"),
            Personal("probation", C, A.KEEP, X.DELETE_ROW, "probation"),
            Personal("left_on", C, A.KEEP, X.DELETE_ROW, "left_on"),
            Personal(
                "leaving_reason",
                C,
                A.KEEP,
                X.DELETE_ROW,
                "leaving_reason",
                why="a code the retention report groups by",
            ),
            Personal("notes", C, A.BLANK, X.DELETE_ROW, "notes"),
        ),
    ),
    Table(
        "privacy.DbsCheck",
        rows="application__candidate_id",
        section="dbs_checks",
        fields=(
            Personal("certificate_number", C, A.BLANK, X.DELETE_ROW, "certificate_number"),
            Personal("issued_on", C, A.KEEP, X.DELETE_ROW, "issued_on"),
            Personal("level", C, A.KEEP, X.DELETE_ROW, "level"),
            Personal("decision", C, A.KEEP, X.DELETE_ROW, "decision"),
            Personal("seen_on", C, A.KEEP, X.DELETE_ROW, "seen_on"),
            Personal(
                "certificate",
                C,
                A.DELETE_FILE,
                X.DELETE_ROW,
                "copy_of_certificate_held",
                why="exported as whether a copy is held: the scan is downloaded apart",
            ),
        ),
    ),
    # -- The safer-recruitment file (compliance) ---------------------------------------------
    Table(
        "compliance.SaferRecruitmentFile",
        rows="application__candidate_id",
        section="safer_recruitment_file",
        fields=(
            Personal("start_date", C, A.KEEP, X.DELETE_ROW, "start_date"),
            Personal("conditional_start", C, A.KEEP, X.DELETE_ROW, "conditional_start"),
            Personal("conditional_reason", C, A.BLANK, X.DELETE_ROW, "conditional_start_reason"),
            Personal(
                "conditional_supervisor",
                M,
                A.BLANK,
                X.DELETE_ROW,
                why="a member of staff's name: left out of the candidate's export",
            ),
            Personal(
                "conditional_risk_assessment",
                C,
                A.BLANK,
                X.DELETE_ROW,
                "conditional_start_risk_assessment",
            ),
            Personal(
                "conditional_barred_list_reference",
                C,
                A.BLANK,
                X.DELETE_ROW,
                "conditional_start_barred_list_reference",
            ),
        ),
    ),
    Table(
        "compliance.Check",
        rows="file__application__candidate_id",
        section="safer_recruitment_checks",
        fields=(
            Personal("status", C, A.KEEP, X.DELETE_ROW, "status"),
            Personal("evidence_seen", C, A.BLANK, X.DELETE_ROW, "evidence_seen"),
            Personal("seen_on", C, A.KEEP, X.DELETE_ROW, "seen_on"),
            Personal("reference_number", C, A.BLANK, X.DELETE_ROW, "reference_number"),
            Personal("issued_on", C, A.KEEP, X.DELETE_ROW, "issued_on"),
            Personal("follow_up_on", C, A.KEEP, X.DELETE_ROW, "follow_up_on"),
            Personal("level", C, A.KEEP, X.DELETE_ROW, "level"),
            Personal("barred_list_result", C, A.KEEP, X.DELETE_ROW, "barred_list_result"),
            Personal("decision", C, A.KEEP, X.DELETE_ROW, "decision"),
            NotPersonal("right_to_work_method", CODE),
            Personal("authenticity", C, A.BLANK, X.DELETE_ROW, "authenticity_checked"),
            Personal("notes", C, A.BLANK, X.DELETE_ROW, "notes"),
        ),
    ),
    Table(
        "compliance.ReferenceRequest",
        rows="file__application__candidate_id",
        section="references",
        note="What a referee wrote about the candidate is the candidate's; the referee is a "
        "third party, left out of the export.",
        fields=(
            Personal("referee_name", Subject.REFEREE, A.DELETE_ROW, X.DELETE_ROW, why=THIRD_PARTY),
            Personal("referee_email", Subject.REFEREE, A.DELETE_ROW, X.DELETE_ROW, why=THIRD_PARTY),
            Personal(
                "referee_organisation",
                C,
                A.DELETE_ROW,
                X.DELETE_ROW,
                "referee_organisation",
            ),
            Personal(
                "declaration_name", Subject.REFEREE, A.DELETE_ROW, X.DELETE_ROW, why=THIRD_PARTY
            ),
            NotPersonal("token_hash", "a keyed hash of the link's token"),
            NotPersonal("site_origin", "the address of the site the link points to"),
            Personal("received_at", C, A.DELETE_ROW, X.DELETE_ROW, "received_at"),
            Personal("employed_from", C, A.DELETE_ROW, X.DELETE_ROW, "employed_from"),
            Personal("employed_to", C, A.DELETE_ROW, X.DELETE_ROW, "employed_to"),
            Personal("job_title", C, A.DELETE_ROW, X.DELETE_ROW, "job_title"),
            Personal("dates_only", C, A.DELETE_ROW, X.DELETE_ROW, "dates_only"),
            Personal("conduct", C, A.DELETE_ROW, X.DELETE_ROW, "conduct"),
            Personal(
                "safeguarding_concerns", C, A.DELETE_ROW, X.DELETE_ROW, "safeguarding_concerns"
            ),
            Personal("disciplinary_action", C, A.DELETE_ROW, X.DELETE_ROW, "disciplinary_action"),
            Personal("concerns_detail", C, A.DELETE_ROW, X.DELETE_ROW, "concerns_detail"),
            Personal("reason_for_leaving", C, A.DELETE_ROW, X.DELETE_ROW, "reason_for_leaving"),
            Personal("would_reemploy", C, A.DELETE_ROW, X.DELETE_ROW, "would_reemploy"),
            Personal("authenticity", C, A.DELETE_ROW, X.DELETE_ROW, "authenticity_checked"),
        ),
    ),
    Table("compliance.ReferenceEvent", rows=None, fields=(NotPersonal("kind", CODE),)),
    Table(
        "compliance.HistoryLink",
        rows="file__application__candidate_id",
        fields=(
            NotPersonal("token_hash", "a keyed hash of the link's token"),
            NotPersonal("site_origin", "the address of the site the link points to"),
            Personal(
                "emailed_to",
                C,
                A.DELETE_ROW,
                X.DELETE_ROW,
                why="the candidate's email, exported with the candidate",
            ),
        ),
    ),
    Table(
        "compliance.FilePdfJob",
        rows="file__application__candidate_id",
        fields=(
            NotPersonal("status", CODE),
            NotPersonal("error", "a message in plain words that names nobody"),
            Personal(
                "pdf",
                C,
                A.DELETE_ROW,
                X.DELETE_ROW,
                why="made from the file's rows, which the export already holds",
            ),
        ),
    ),
    Table(
        "compliance.ReferenceLinkTry",
        rows=None,
        fields=(NotPersonal("address_key", "a keyed hash of an address, deleted within minutes"),),
    ),
    Table(
        "compliance.CheckEvent",
        rows=None,
        note="Found through its check, deleted with it on erasure.",
        fields=(
            NotPersonal("status", CODE),
            NotPersonal("summary", "made from codes, names nobody"),
        ),
    ),
    Table(
        "compliance.EmploymentSpell",
        rows="file__application__candidate_id",
        section="employment_history",
        fields=(
            Personal("employer", C, A.DELETE_ROW, X.DELETE_ROW, "employer"),
            Personal("job_title", C, A.DELETE_ROW, X.DELETE_ROW, "job_title"),
            Personal("started_on", C, A.DELETE_ROW, X.DELETE_ROW, "started_on"),
            Personal("ended_on", C, A.DELETE_ROW, X.DELETE_ROW, "ended_on"),
            Personal("reason_for_leaving", C, A.DELETE_ROW, X.DELETE_ROW, "reason_for_leaving"),
        ),
    ),
    Table(
        "compliance.GapExplanation",
        rows="file__application__candidate_id",
        section="employment_gaps",
        fields=(
            Personal("starts_on", C, A.DELETE_ROW, X.DELETE_ROW, "starts_on"),
            Personal("ends_on", C, A.DELETE_ROW, X.DELETE_ROW, "ends_on"),
            Personal("explanation", C, A.DELETE_ROW, X.DELETE_ROW, "explanation"),
        ),
    ),
    Table(
        "privacy.Consent",
        rows="assessment__application__candidate_id",
        note="The consents found by a candidate are those of people supported at their "
        "shadowing; panel members' consents belong to no assessment.",
        fields=(
            NotPersonal("kind", CODE),
            NotPersonal("statement", "the provider's words shown to the person"),
            Personal(
                "person_label",
                PS,
                A.PLACEHOLDER,
                X.DELETE_ROW,
                placeholder="Person supported",
                why=THIRD_PARTY,
            ),
        ),
    ),
    Table(
        "recruitment.SummaryJob",
        rows="application__candidate_id",
        fields=(
            NotPersonal("status", CODE),
            NotPersonal("lease_owner", "a random id of the worker making the file"),
            NotPersonal("error", "a fixed message about the job, naming nobody"),
            Personal(
                "file",
                C,
                A.DELETE_ROW,
                X.DELETE_ROW,
                why="a PDF made from data exported elsewhere; the file and its job go",
            ),
        ),
    ),
    Table(
        "reports.ReportRebuild",
        rows=None,
        fields=(
            NotPersonal("report", CODE),
            NotPersonal("status", CODE),
            NotPersonal("filters", "the report's filters and the reader's roles, as ids"),
            NotPersonal("key", "a hash of the report and its filters"),
            NotPersonal("lease_owner", "a random id of the worker building the report"),
            NotPersonal("error", "a fixed message about the rebuild, naming nobody"),
        ),
    ),
    Table(
        "reports.ExportJob",
        rows=_stored_exports_that_may_name,
        fields=(
            NotPersonal("kind", CODE),
            NotPersonal("status", CODE),
            NotPersonal("filters", "the report's filters: role, stage, dates"),
            NotPersonal("lease_owner", "a random id of the worker making the file"),
            NotPersonal("error", "a fixed message about the job, naming nobody"),
            Personal(
                "file",
                C,
                A.DELETE_ROW,
                X.DELETE_ROW,
                why="a spreadsheet listing candidates by name: it cannot lose one "
                "person's row, so the whole export goes and can be made again",
            ),
        ),
    ),
    Table(
        "reports.MonitoringInvite",
        rows="application__candidate_id",
        fields=(NotPersonal("key", "a random key, the only link to the equality answers"),),
    ),
    Table(
        "reports.EqualityResponse",
        rows=_equality_answers_of,
        note="Special category data, kept apart from the candidate's record and never shown "
        "one person at a time, so it is left out of the export an admin makes: VBR gives "
        "nobody a way to read one person's answers.",
        fields=(
            NotPersonal("key", "a random key, the only link to the invitation"),
            *(
                Personal(
                    name,
                    C,
                    A.KEEP,
                    X.DELETE_ROW,
                    why="anonymous once the application names nobody; the fairness report needs it",
                )
                for name in (
                    "age_band",
                    "sex",
                    "gender_same_as_birth",
                    "ethnicity",
                    "disability",
                    "religion",
                    "sexual_orientation",
                )
            ),
        ),
    ),
    Table(
        "accounts.AuditEvent",
        rows=_audit_events_about,
        note="The trail is kept: who did what and when, about which id.",
        fields=(
            NotPersonal("action", CODE),
            NotPersonal("subject_type", "the kind of record an event is about, e.g. candidate"),
            Personal(
                "summary",
                C,
                A.BLANK,
                X.BLANK,
                why="by rule names nobody, but is free text: blanked for the candidate's "
                "events; not exported, it is the provider's record of what staff did",
            ),
        ),
    ),
    Table(
        "accounts.PanelInvitation",
        rows="panellist__assessment__application__candidate_id",
        fields=(
            NotPersonal("token_hash", "a keyed hash of the link"),
            NotPersonal("code_hash", "a keyed hash of the short code"),
            Personal(
                "emailed_to",
                M,
                A.KEEP,
                X.DELETE_ROW,
                why="the panel member's address; goes with the panel place on erasure",
            ),
        ),
    ),
    Table(
        "accounts.JoinCodeTry",
        rows=None,
        note="Tries at a panel code, for the limits on guessing; deleted after 15 minutes.",
        fields=(
            Personal(
                "address_key",
                M,
                A.KEEP,
                X.KEEP,
                why="a keyed hash of the network address a code was typed from: pseudonymous, "
                "about whoever typed it (never a candidate), and gone within 15 minutes",
            ),
            NotPersonal("prefix_key", "a keyed hash of the first letters of the code typed"),
        ),
    ),
    Table(
        "accounts.OutgoingEmail",
        rows=_emails_about,
        note="The emails that carried a panel member's invitation, and those that told an "
        "expert by experience of a decision on the candidate; they go with them.",
        fields=(
            NotPersonal("status", CODE),
            NotPersonal("subject", "our fixed words and the provider's name"),
            NotPersonal("error", "the mail server's reply, about the server"),
            Personal(
                "to_address",
                M,
                A.KEEP,
                X.DELETE_ROW,
                why="the panel member's address; goes with the invitation on erasure",
            ),
            Personal(
                "body",
                M,
                A.KEEP,
                X.DELETE_ROW,
                why="greets the panel member and carries their link, or tells an expert by "
                "experience of a decision on a candidate they assessed (by first name only); "
                "emptied once sent, within minutes of being written",
            ),
            Personal(
                "ics",
                M,
                A.KEEP,
                X.DELETE_ROW,
                why="a panel member's booked time, naming the candidate; emptied with the body "
                "once sent",
            ),
        ),
    ),
    # -- Panel members, staff and the provider: about no candidate --------------------------
    Table(
        "accounts.User",
        rows=None,
        fields=(
            NotPersonal("password", "a salted one-way hash: nothing can be read from it"),
            Personal("username", M, A.KEEP, X.KEEP, why=MEMBER_OWN),
            Personal("first_name", M, A.KEEP, X.KEEP, why=MEMBER_OWN),
            Personal("last_name", M, A.KEEP, X.KEEP, why=MEMBER_OWN),
            Personal("full_name", M, A.KEEP, X.KEEP, why=MEMBER_OWN),
            Personal("email", M, A.KEEP, X.KEEP, why=MEMBER_OWN),
        ),
    ),
    Table(
        "accounts.Membership",
        rows=None,
        fields=(
            Personal("role", M, A.KEEP, X.KEEP, why=MEMBER_OWN),
            Personal(
                "is_expert_by_experience",
                M,
                A.KEEP,
                X.KEEP,
                why="says the member draws on care: health-related; " + MEMBER_OWN,
            ),
        ),
    ),
    Table(
        "accounts.AccessProfile",
        rows=None,
        fields=(
            Personal("text_size", M, A.KEEP, X.KEEP, why=MEMBER_OWN),
            Personal(
                "notes_for_chair",
                M,
                A.KEEP,
                X.KEEP,
                why="access needs, often health-related; " + MEMBER_OWN,
            ),
            Personal("contact_by", M, A.KEEP, X.KEEP, why=MEMBER_OWN),
            Personal(
                "contact_email",
                M,
                A.KEEP,
                X.KEEP,
                why="where the panel member hears about panel times; " + MEMBER_OWN,
            ),
            Personal("hear_about_decisions", M, A.KEEP, X.KEEP, why=MEMBER_OWN),
        ),
    ),
    Table(
        "involvement.AdvertComment",
        rows=None,
        note="Comments on a draft advert by the people asked for their views: about the "
        "advert, never about a candidate.",
        fields=(
            NotPersonal("section", CODE),
            NotPersonal("section_text", "the provider's own advert words, as they were read"),
            Personal("comment", M, A.KEEP, X.KEEP, why="what the member thinks; " + MEMBER_OWN),
            Personal(
                "suggested_words", M, A.KEEP, X.KEEP, why="words the member offered; " + MEMBER_OWN
            ),
            NotPersonal("outcome", CODE),
            Personal(
                "outcome_note",
                M,
                A.KEEP,
                X.KEEP,
                why="the manager's answer to the member's comment; " + MEMBER_OWN,
            ),
        ),
    ),
    Table(
        "recruitment.Involvement",
        rows=None,
        note="The link to an erased candidate's assessment is cleared by the database.",
        fields=(
            Personal("payment_kind", M, A.KEEP, X.KEEP, why=MEMBER_OWN),
            Personal(
                "notes",
                M,
                A.KEEP,
                X.KEEP,
                why="the member's time and payment, for finance; " + MEMBER_OWN,
            ),
        ),
    ),
    Table(
        "accounts.Provider",
        rows=None,
        fields=(
            Personal(
                "name", E, A.KEEP, X.KEEP, why="the export names the provider as who holds the data"
            ),
            Personal("slug", E, A.KEEP, X.KEEP, why="the name, as it appears in web addresses"),
            NotPersonal("kind", CODE),
            NotPersonal("nation", CODE),
            NotPersonal("logo", "the organisation's logo image"),
        ),
    ),
    # -- The provider's own texts and codes ------------------------------------------------
    Table(
        "recruitment.Panellist",
        rows=None,
        fields=(NotPersonal("panel_role", "the seat taken, shown in place of a panellist's name"),),
    ),
    Table(
        "recruitment.CoreValue",
        rows=None,
        fields=(
            NotPersonal("name", "a value of the provider"),
            NotPersonal("description", "what the value means to the provider"),
        ),
    ),
    Table(
        "recruitment.Indicator",
        rows=None,
        fields=(
            NotPersonal("kind", CODE),
            NotPersonal("text", "a behaviour that shows a value, in general"),
        ),
    ),
    Table(
        "recruitment.Service",
        rows=None,
        fields=(NotPersonal("name", "the name of a care home, branch or team"),),
    ),
    Table(
        "recruitment.Role",
        rows=None,
        fields=(
            NotPersonal("title", "a job's title"),
            NotPersonal("description", "what the job is"),
        ),
    ),
    Table(
        "recruitment.Stage",
        rows=None,
        fields=(
            NotPersonal("name", "a step of the recruitment process"),
            NotPersonal("kind", CODE),
            NotPersonal("description", "what happens at the step"),
        ),
    ),
    Table(
        "recruitment.Criterion",
        rows=None,
        fields=(
            NotPersonal("prompt", "the question asked or behaviour observed, for everyone"),
            *(
                NotPersonal(f"level_{n}", "what the level means, for everyone")
                for n in (1, 2, 3, 4)
            ),
            NotPersonal("prompt_easy_read", "the same question in easy read, for everyone"),
            *(
                NotPersonal(f"level_{n}_easy_read", "what the level means, in easy read")
                for n in (1, 2, 3, 4)
            ),
        ),
    ),
    Table(
        "recruitment.ValueSet",
        rows=None,
        fields=(
            NotPersonal("slug", CODE),
            NotPersonal("name", "the name of a published set of values"),
            NotPersonal("source", "who published the set of values"),
            NotPersonal("description", "what the set of values is for"),
        ),
    ),
    Table(
        "recruitment.NationalValue",
        rows=None,
        fields=(
            NotPersonal("name", "a value of a published set"),
            NotPersonal("description", "what the value means, in our words"),
            NotPersonal("positive_indicators", "behaviours that show the value, in general"),
            NotPersonal("negative_indicators", "behaviours against the value, in general"),
        ),
    ),
    Table(
        "recruitment.BankItem",
        rows=None,
        fields=(
            NotPersonal("key", CODE),
            NotPersonal("kind", CODE),
            NotPersonal("title", "the name of a question or activity, for everyone"),
            NotPersonal("prompt", "a question or activity asked of every candidate"),
            NotPersonal("prompt_easy_read", "the same question or activity in easy read"),
            *(
                NotPersonal(f"level_{n}", "what the level means, for everyone")
                for n in (1, 2, 3, 4)
            ),
            *(
                NotPersonal(f"level_{n}_easy_read", "what the level means, in easy read")
                for n in (1, 2, 3, 4)
            ),
        ),
    ),
    Table(
        "compliance.Checklist",
        rows=None,
        fields=(NotPersonal("nation", CODE),),
    ),
    Table(
        "compliance.ChecklistItem",
        rows=None,
        fields=(
            NotPersonal("key", CODE),
            NotPersonal("name", "an item of the provider's checklist, for everyone"),
            NotPersonal("kind", CODE),
            NotPersonal("regulation", "the rule an item comes from"),
            NotPersonal("guidance", "what to check, for everyone"),
        ),
    ),
    Table(
        "compliance.ComplianceSettings",
        rows=None,
        fields=(NotPersonal("open_at", CODE),),
    ),
    Table(
        "recruitment.ProviderCheck",
        rows=None,
        fields=(NotPersonal("name", "a check the provider requires, e.g. DBS seen"),),
    ),
    Table(
        "reports.ReportsVersion",
        rows=None,
        fields=(
            NotPersonal("token", "a random version token for cached reports"),
            NotPersonal("lineage", "a random token keying the last build of each report"),
        ),
    ),
    Table("reports.AgreementTally", rows=None, fields=(NotPersonal("kind", CODE),)),
    Table(
        "privacy.PrivacySettings",
        rows=None,
        fields=(NotPersonal("privacy_notice", "the provider's notice to its members"),),
    ),
)


_BY_MODEL = {table.model: table for table in REGISTER}


def table_for(model: type[models.Model]) -> Table:
    try:
        return _BY_MODEL[model._meta.label]
    except KeyError:
        raise LookupError(f"{model._meta.label} is not in the personal-data register") from None


def candidate_tables() -> list[Table]:
    """Tables walked for a candidate, rows of children before rows of their parents: a row
    found through its parent is dealt with while the parent is still there (the equality
    answers through the invitation, a note through its scorecard)."""

    def depth(table: Table) -> int:
        if not isinstance(table.rows, str):
            return 99
        return table.rows.count("__") + (0 if table.rows == "pk" else 1)

    walked = [table for table in REGISTER if table.rows is not None]
    return sorted(walked, key=depth, reverse=True)
