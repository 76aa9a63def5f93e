"""What each UK nation's regulations ask a care provider to hold for every worker before
they start: the ready-made checklists, kept as data with the rule each item comes from.

A provider's own checklist (`models.Checklist`) is made from these and may then be extended;
the regulations themselves live here and nowhere else. Sources, as published:

- England: Health and Social Care Act 2008 (Regulated Activities) Regulations 2014,
  regulation 19 and Schedule 3; CQC guidance on regulation 19.
- Wales: Regulated Services (Service Providers and Responsible Individuals) (Wales)
  Regulations 2017, regulation 35 and Schedules 1 and 2; Social Care Wales registration.
- Scotland: Protection of Vulnerable Groups (Scotland) Act 2007 (the PVG scheme); SSSC
  registration under the Regulation of Care (Scotland) Act 2001; the Scottish Government's
  "Safer Recruitment Through Better Recruitment" guidance.
- Northern Ireland: AccessNI (Police Act 1997, Part V); NISCC registration (Health and
  Personal Social Services Act (Northern Ireland) 2001); RQIA minimum standards.
- Everywhere: right to work (Immigration, Asylum and Nationality Act 2006, sections 15 to 25,
  and the Home Office employer's guide to right to work checks).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class Kind(StrEnum):
    """What sort of evidence an item holds: it decides the fields its form asks for."""

    IDENTITY = "identity"
    RIGHT_TO_WORK = "right_to_work"
    CRIMINAL_RECORD = "criminal_record"
    REFERENCES = "references"
    EMPLOYMENT_HISTORY = "employment_history"
    REGISTRATION = "registration"
    QUALIFICATIONS = "qualifications"
    HEALTH = "health"
    OTHER = "other"


@dataclass(frozen=True)
class ItemSpec:
    """One item of a nation's checklist.

    `before_shadowing`: verified before the candidate meets people who draw on care.
    `after_start`: may be completed after the first shift (registration within six months),
    so it does not hold the start back; its due date is counted from the start date.
    `due_months_after_start`: when it falls due after the start, if it does.
    `renew_months`: how often it must be renewed once done (registration every three years).
    `references_needed`: for a references item, how many written references.
    """

    key: str
    name: str
    kind: Kind
    regulation: str
    guidance: str = ""
    before_shadowing: bool = False
    after_start: bool = False
    due_months_after_start: int | None = None
    renew_months: int | None = None
    references_needed: int = 0


RIGHT_TO_WORK_RULE = (
    "Immigration, Asylum and Nationality Act 2006, ss. 15–25; Home Office employer's guide "
    "to right to work checks"
)

IDENTITY = ItemSpec(
    "identity",
    "Proof of identity with a recent photograph",
    Kind.IDENTITY,
    "",
    guidance="See an original document with a photograph; note what was seen.",
)
RIGHT_TO_WORK = ItemSpec(
    "right_to_work",
    "Right to work in the UK",
    Kind.RIGHT_TO_WORK,
    RIGHT_TO_WORK_RULE,
    guidance=(
        "Before work starts: a manual document check, an identity document validation "
        "(IDVT) check, or the Home Office online check with a share code. For time-limited "
        "permission, set the follow-up date."
    ),
)
QUALIFICATIONS = ItemSpec(
    "qualifications",
    "Qualifications relevant to the role",
    Kind.QUALIFICATIONS,
    "",
    guidance="Certificates seen for the qualifications the role needs.",
)
HEALTH = ItemSpec(
    "health",
    "Health information relevant to the role",
    Kind.HEALTH,
    "",
    guidance=(
        "Whether the person can do the work after reasonable adjustments. Ask only what is "
        "relevant, after an offer (Equality Act 2010, s. 60)."
    ),
)

ENGLAND = "Health and Social Care Act 2008 (Regulated Activities) Regulations 2014"
WALES = (
    "Regulated Services (Service Providers and Responsible Individuals) (Wales) Regulations 2017"
)
SCOTLAND_PVG = "Protection of Vulnerable Groups (Scotland) Act 2007"
SCOTLAND_GUIDANCE = "Safer Recruitment Through Better Recruitment (Scottish Government)"
NI_RULES = "RQIA minimum standards; Police Act 1997, Part V (AccessNI)"

CHECKLISTS: dict[str, tuple[ItemSpec, ...]] = {
    "england": (
        replace(IDENTITY, regulation=f"{ENGLAND}, reg. 19(3) and Sch. 3, para. 1"),
        RIGHT_TO_WORK,
        ItemSpec(
            "criminal_record",
            "DBS check: enhanced, with the adults' barred list",
            Kind.CRIMINAL_RECORD,
            f"{ENGLAND}, reg. 19(3) and Sch. 3, paras. 2 and 3",
            guidance=(
                "Enhanced certificate with the adults' barred list for regulated activity. "
                "The DBS Update Service may be used for a certificate already held."
            ),
            before_shadowing=True,
        ),
        ItemSpec(
            "references",
            "Evidence of conduct in previous care work",
            Kind.REFERENCES,
            f"{ENGLAND}, Sch. 3, paras. 4 and 5",
            guidance=(
                "Evidence of how they behaved in any earlier work in health or social care, or "
                "with children or adults at risk; and, where that work was with children or "
                "adults at risk, why it ended (as far as you reasonably can find out)."
            ),
            references_needed=1,
        ),
        ItemSpec(
            "employment_history",
            "Full employment history, gaps explained in writing",
            Kind.EMPLOYMENT_HISTORY,
            f"{ENGLAND}, Sch. 3, para. 7",
        ),
        replace(QUALIFICATIONS, regulation=f"{ENGLAND}, reg. 19(1)(b); Sch. 3, para. 6"),
        replace(HEALTH, regulation=f"{ENGLAND}, reg. 19(1)(c); Sch. 3, para. 8"),
    ),
    "wales": (
        ItemSpec(**{**IDENTITY.__dict__, "regulation": f"{WALES}, reg. 35 and Sch. 1, para. 1"}),
        RIGHT_TO_WORK,
        ItemSpec(
            "criminal_record",
            "DBS check: the date and any action taken",
            Kind.CRIMINAL_RECORD,
            f"{WALES}, reg. 35; Sch. 1, paras. 2 and 3; Sch. 2, para. 8(g)",
            guidance="Record the certificate's date and any action taken on what it showed.",
            before_shadowing=True,
        ),
        ItemSpec(
            "references",
            "Two written references, one from the last employer",
            Kind.REFERENCES,
            f"{WALES}, Sch. 1",
            guidance="Check that each reference is genuine and record how.",
            references_needed=2,
        ),
        ItemSpec(
            "employment_history",
            "Full employment history, gaps explained",
            Kind.EMPLOYMENT_HISTORY,
            f"{WALES}, Sch. 1",
        ),
        ItemSpec(**{**QUALIFICATIONS.__dict__, "regulation": f"{WALES}, Sch. 1"}),
        ItemSpec(**{**HEALTH.__dict__, "regulation": f"{WALES}, Sch. 1"}),
        ItemSpec(
            "registration",
            "Registered with Social Care Wales",
            Kind.REGISTRATION,
            "Regulation and Inspection of Social Care (Wales) Act 2016; Social Care Wales",
            guidance="Within six months of starting; renewed every three years.",
            after_start=True,
            due_months_after_start=6,
            renew_months=36,
        ),
    ),
    "scotland": (
        replace(IDENTITY, regulation=SCOTLAND_GUIDANCE),
        RIGHT_TO_WORK,
        ItemSpec(
            "criminal_record",
            "PVG scheme membership (Disclosure Scotland)",
            Kind.CRIMINAL_RECORD,
            SCOTLAND_PVG,
            guidance="Checks before deployment, except in exceptional circumstances.",
            before_shadowing=True,
        ),
        ItemSpec(
            "references",
            "References, as the guidance sets out",
            Kind.REFERENCES,
            SCOTLAND_GUIDANCE,
            references_needed=2,
        ),
        ItemSpec(
            "employment_history",
            "Employment history",
            Kind.EMPLOYMENT_HISTORY,
            SCOTLAND_GUIDANCE,
        ),
        replace(QUALIFICATIONS, regulation="SSSC registration rules"),
        replace(HEALTH, regulation=SCOTLAND_GUIDANCE),
        ItemSpec(
            "registration",
            "Registered with the SSSC",
            Kind.REGISTRATION,
            "Regulation of Care (Scotland) Act 2001; SSSC Register",
            guidance=(
                "Within six months of starting; the qualification condition of the "
                "registration is met within five years."
            ),
            after_start=True,
            due_months_after_start=6,
        ),
    ),
    "northern_ireland": (
        replace(IDENTITY, regulation=NI_RULES),
        RIGHT_TO_WORK,
        ItemSpec(
            "criminal_record",
            "AccessNI check",
            Kind.CRIMINAL_RECORD,
            NI_RULES,
            guidance="Barred-list information is checked only for roles giving personal care.",
            before_shadowing=True,
        ),
        ItemSpec(
            "references",
            "Two written references, one from the present or last employer",
            Kind.REFERENCES,
            NI_RULES,
            references_needed=2,
        ),
        ItemSpec(
            "employment_history",
            "Employment history, gaps explored and recorded",
            Kind.EMPLOYMENT_HISTORY,
            NI_RULES,
        ),
        replace(QUALIFICATIONS, regulation=NI_RULES),
        replace(HEALTH, regulation=NI_RULES),
        ItemSpec(
            "registration",
            "Registered with NISCC",
            Kind.REGISTRATION,
            "Northern Ireland Social Care Council (Social Care Workers Prohibition) and Fitness "
            "of Workers Regulations (Northern Ireland) 2013; NISCC",
            guidance=(
                "Before the worker is supplied: employing someone unregistered in a social care "
                "role is an offence. Someone registered before must be registered again before "
                "they start; someone new to social care applies as soon as they start."
            ),
        ),
    ),
}


@dataclass(frozen=True)
class ConditionalStart:
    """A nation's lawful way to start before every check is back, and what it needs."""

    description: str
    needs_barred_list_check: bool
    needs_supervisor: bool
    needs_risk_assessment: bool
    regulation: str


CONDITIONAL_STARTS: dict[str, ConditionalStart] = {
    "england": ConditionalStart(
        "Start before the DBS certificate arrives, only with a clear DBS Adult First check "
        "of the adults' barred list, a named supervisor and a written risk assessment.",
        needs_barred_list_check=True,
        needs_supervisor=True,
        needs_risk_assessment=True,
        regulation=f"{ENGLAND}, reg. 19; CQC guidance on regulation 19",
    ),
    "northern_ireland": ConditionalStart(
        "Conditional start with written confirmation of the barred-list check.",
        needs_barred_list_check=True,
        needs_supervisor=False,
        needs_risk_assessment=False,
        regulation=NI_RULES,
    ),
    "scotland": ConditionalStart(
        "Only in exceptional circumstances: say what they are, who supervises, and the risk "
        "assessment.",
        needs_barred_list_check=False,
        needs_supervisor=True,
        needs_risk_assessment=True,
        regulation=SCOTLAND_GUIDANCE,
    ),
}


# -- Individual employers -------------------------------------------------------------------
#
# A disabled person who employs their own personal assistant (PA) is not a regulated service:
# the regulations above do not bind them, and a PA employed directly by the person they help
# need not register with the workforce regulator. What such an employer still needs is the
# law every employer follows (right to work, employer's liability insurance) and the checks
# that keep them safe (a criminal record check through an umbrella body, since a private
# person cannot ask for one directly, and references). The wording is for the employer.

EMPLOYERS_LIABILITY_GB = "Employers' Liability (Compulsory Insurance) Act 1969"
EMPLOYERS_LIABILITY_NI = (
    "Employers' Liability (Defective Equipment and Compulsory Insurance) (Northern Ireland) "
    "Order 1972"
)
PA_GUIDANCE = "Good practice for people who employ their own personal assistants"


def _pa_identity() -> ItemSpec:
    return replace(
        IDENTITY,
        regulation=PA_GUIDANCE,
        guidance="Look at a document with their photo, like a passport or driving licence. "
        "Write down what you saw.",
    )


def _pa_right_to_work() -> ItemSpec:
    return replace(
        RIGHT_TO_WORK,
        guidance="Before they start. Look at their passport, or ask for a share code and check "
        "it on the Home Office website. If their permission ends on a date, write the date down.",
    )


def _pa_criminal_record(name: str, regulation: str, guidance: str) -> ItemSpec:
    return ItemSpec(
        "criminal_record",
        name,
        Kind.CRIMINAL_RECORD,
        regulation,
        guidance=guidance,
        before_shadowing=True,
    )


def _pa_references() -> ItemSpec:
    return ItemSpec(
        "references",
        "Two references, one from their last employer if they had one",
        Kind.REFERENCES,
        PA_GUIDANCE,
        guidance="Ask the referee by email or phone. Check the reference is real, for example "
        "by phoning the employer's own number.",
        references_needed=2,
    )


def _pa_insurance(regulation: str) -> ItemSpec:
    return ItemSpec(
        "employers_liability",
        "Employer's liability insurance in place",
        Kind.OTHER,
        regulation,
        guidance="The law says most employers must have it from the first day. It is often "
        "part of a PA insurance policy, and direct payments can pay for it. Write down the "
        "insurer and the policy number.",
    )


INDIVIDUAL_EMPLOYER_CHECKLISTS: dict[str, tuple[ItemSpec, ...]] = {
    "england": (
        _pa_identity(),
        _pa_right_to_work(),
        _pa_criminal_record(
            "DBS check through an umbrella body: enhanced, with the adults' barred list",
            "Police Act 1997, Part V; Safeguarding Vulnerable Groups Act 2006",
            "You cannot ask the DBS yourself: an umbrella body does it for you (your direct "
            "payments support service can name one). A PA giving personal care can have an "
            "enhanced check with the adults' barred list.",
        ),
        _pa_references(),
        _pa_insurance(EMPLOYERS_LIABILITY_GB),
    ),
    "wales": (
        _pa_identity(),
        _pa_right_to_work(),
        _pa_criminal_record(
            "DBS check through an umbrella body: enhanced, with the adults' barred list",
            "Police Act 1997, Part V; Safeguarding Vulnerable Groups Act 2006",
            "You cannot ask the DBS yourself: an umbrella body does it for you (your direct "
            "payments support service can name one). A PA giving personal care can have an "
            "enhanced check with the adults' barred list.",
        ),
        _pa_references(),
        _pa_insurance(EMPLOYERS_LIABILITY_GB),
    ),
    "scotland": (
        _pa_identity(),
        _pa_right_to_work(),
        _pa_criminal_record(
            "PVG scheme record from Disclosure Scotland",
            SCOTLAND_PVG,
            "As a personal employer you can ask Disclosure Scotland yourself, or through an "
            "organisation that helps people using self-directed support.",
        ),
        _pa_references(),
        _pa_insurance(EMPLOYERS_LIABILITY_GB),
    ),
    "northern_ireland": (
        _pa_identity(),
        _pa_right_to_work(),
        _pa_criminal_record(
            "AccessNI enhanced check through a registered body",
            "Police Act 1997, Part V (AccessNI)",
            "You cannot ask AccessNI yourself: a registered body, often your direct payments "
            "support service, does it for you.",
        ),
        _pa_references(),
        _pa_insurance(EMPLOYERS_LIABILITY_NI),
    ),
}


def checklist_for(nation: str, *, individual_employer: bool = False) -> tuple[ItemSpec, ...]:
    """The ready-made checklist of a nation: a care provider's, or an individual employer's
    (a person employing their own personal assistant)."""
    if individual_employer:
        return INDIVIDUAL_EMPLOYER_CHECKLISTS[nation]
    return CHECKLISTS[nation]
