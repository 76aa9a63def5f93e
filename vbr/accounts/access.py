"""Who may see what. Tenancy rules live here and nowhere else.

Every provider page is under /p/<provider_slug>/. `provider_view` resolves the slug to the
caller's Membership: somebody who is not a member gets a 404 (never a 403: we do not reveal
that another provider exists); a member whose role is not allowed gets a 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from vbr.accounts.backends import MEMBERSHIPS_READ
from vbr.accounts.models import Membership
from vbr.compiled import CompiledQuery, columns, parts

P = ParamSpec("P")
ProviderView = Callable[Concatenate[HttpRequest, Membership, P], HttpResponseBase]

ADMIN = (Membership.Role.ADMIN,)
STAFF = (Membership.Role.ADMIN, Membership.Role.MANAGER)
ANY_MEMBER = (Membership.Role.ADMIN, Membership.Role.MANAGER, Membership.Role.PANEL)


def memberships_of(user_id: Any, provider_slug: str) -> QuerySet[Membership]:
    """The person's membership of the provider, with the provider and the user, and whether
    they owe a scorecard anywhere at this provider (see `scores_hidden_from`): when they owe
    none, no page needs to ask again whose scores they may see."""
    from vbr.recruitment.models import Panellist, Scorecard

    # Places whose stored flag says "not submitted" (its partial index finds a person's few
    # among thousands of past places), then checked against the scorecards themselves. The
    # flag turns true only in the transaction that submits, and a submitted scorecard stays
    # submitted, so every place not submitted has it false: the same rule as
    # `Panellist.objects.not_submitted()`, read without walking every past place.
    submitted = Scorecard.objects.filter(panellist=OuterRef("pk"), submitted_at__isnull=False)
    return (
        Membership.objects.select_related("provider", "user")
        .filter(user_id=user_id, provider__slug=provider_slug)
        .annotate(
            owes_scorecard=Exists(
                Panellist.objects.filter(
                    user=OuterRef("user"),
                    assessment__application__provider=OuterRef("provider"),
                    scorecard_submitted=False,
                ).filter(~Exists(submitted))
            )
        )
    )


def _membership_row(user_id: Any, provider_slug: str) -> QuerySet[Any]:
    from vbr.accounts.models import Provider, User

    return memberships_of(user_id, provider_slug).values_list(
        *columns(Membership),
        *columns(User, "user__"),
        *columns(Provider, "provider__"),
        "owes_scorecard",
    )


# Every signed-in provider page reads it: its SQL is written once (see vbr.compiled).
_MEMBERSHIP: CompiledQuery[Membership] = CompiledQuery(
    _membership_row, user_id=int, provider_slug=str
)


def read_membership(user_id: Any, provider_slug: str) -> Membership | None:
    """`memberships_of(user_id, provider_slug).first()`, built from one row of the same
    query, whose SQL is compiled once: the membership with its user, provider and
    `owes_scorecard`."""
    from vbr.accounts.models import Provider, User

    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    rows = _MEMBERSHIP.rows(user_id=user_id, provider_slug=provider_slug)
    if not rows:
        return None
    own, user, provider, (owes,) = parts(rows[0], (Membership, User, Provider))
    membership = Membership.from_db(DEFAULT_DB_ALIAS, columns(Membership), own)
    membership.user = User.from_db(DEFAULT_DB_ALIAS, columns(User), user)
    membership.provider = Provider.from_db(DEFAULT_DB_ALIAS, columns(Provider), provider)
    membership.owes_scorecard = owes  # type: ignore[attr-defined]
    return membership


def get_membership(request: HttpRequest, provider_slug: str) -> Membership:
    """The caller's membership of the provider named in the URL, or 404. Usually read with
    the signed-in user already (`backends.MemberBackend`); otherwise asked for here."""
    if not request.user.is_authenticated:
        raise Http404
    read: dict[str, Membership | None] = getattr(request.user, MEMBERSHIPS_READ, {})
    if provider_slug in read:
        membership = read[provider_slug]
    else:
        membership = read_membership(request.user.pk, provider_slug)
    if membership is None:
        # 404, not 403: do not reveal that another provider exists.
        raise Http404("No such provider")
    return membership


def provider_view(
    roles: tuple[str, ...] = STAFF,
) -> Callable[[ProviderView[P]], Callable[..., HttpResponseBase]]:
    """Resolve `provider_slug` to the caller's Membership and check its role.

    The wrapped view receives the membership as its second argument instead of the slug.
    """

    def decorator(view: ProviderView[P]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        @login_required
        def wrapper(
            request: HttpRequest, provider_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            membership = get_membership(request, provider_slug)
            if membership.role not in roles:
                raise PermissionDenied
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator


# Independence: who may see whose scores. Every page, fragment, PDF, zip, export, report and
# subject-access export asks the functions below, and nothing else decides it.
#
# The rule is per application: while a reader sits on a panel of any stage of an application
# and has not submitted their own scorecard there, they see nothing of any other panellist's
# scorecards for any stage of that application — levels, evidence, recommendations, summaries
# and every figure made from them. Closing scoring opens the debrief for those who have
# submitted; it does not release the scores to someone who still owes theirs.


def _user_of(reader: Any) -> Any:
    """A Membership or a User: the person reading."""
    return reader.user if isinstance(reader, Membership) else reader


def _owes_nothing(reader: Any) -> bool:
    """True when the reader is a membership already known to owe no scorecard at its
    provider (`get_membership` works it out in the same query), so no further query is
    needed. False means "not known": ask the database."""
    return getattr(reader, "owes_scorecard", True) is False


def may_owe_scorecard(reader: Any) -> bool:
    """False only when it is already known, without a query, that the reader owes no
    scorecard (a page can then skip working out what to leave out)."""
    return not _owes_nothing(reader)


def owed_panel_places(reader: Any) -> QuerySet[Any]:
    """The reader's panel places whose own scorecard is missing or still a draft."""
    from vbr.recruitment.models import Panellist

    return Panellist.objects.filter(user=_user_of(reader)).not_submitted()


def owed_application_ids(reader: Any) -> QuerySet[Any]:
    """The applications whose scores are hidden from the reader, as a subquery."""
    return owed_panel_places(reader).values("assessment__application_id")


def scores_hidden_from(reader: Any, application: Any) -> bool:
    """Independence for one application: True while the reader still owes a scorecard on
    any stage of it."""
    if _owes_nothing(reader):
        return False
    return owed_panel_places(reader).filter(assessment__application=application).exists()


def owed_places_on(reader: Any, application: Any) -> list[Any]:
    """The reader's unsubmitted panel places on any stage of this application, with their
    stage (for a page that sends them to score): empty when its scores are not hidden."""
    if _owes_nothing(reader):
        return []
    return _OWED_PLACES_ON.objects(user_id=_user_of(reader).pk, application_id=application.pk)


def _owed_places_on(user_id: int, application_id: int) -> QuerySet[Any]:
    from vbr.recruitment.models import Panellist

    return (
        Panellist.objects.filter(user_id=user_id, assessment__application_id=application_id)
        .not_submitted()
        .select_related("assessment__stage")
        .order_by("assessment__stage__order", "pk")
    )


# Asked on every view of a debrief and of a scorecard (see vbr.compiled).
_OWED_PLACES_ON: CompiledQuery[Any] = CompiledQuery(
    _owed_places_on, user_id=int, application_id=int
)


def owes_scorecard_among(reader: Any, panel_places: Iterable[Any]) -> bool:
    """`scores_hidden_from` for a page that has already loaded every panel place of the
    application (all its stages): no query."""
    user_id = _user_of(reader).pk
    return any(p.user_id == user_id and not p.has_submitted for p in panel_places)


def candidate_scores_hidden_from(reader: Any, candidate: Any) -> bool:
    """`scores_hidden_from` over all of a candidate's applications, in one query."""
    if _owes_nothing(reader):
        return False
    return owed_panel_places(reader).filter(assessment__application__candidate=candidate).exists()


def withheld_application_ids(reader: Any, provider: Any) -> tuple[int, ...]:
    """The provider's applications that the reader's reports and exports leave out, sorted
    (part of a report's cache key): those on which they still owe a scorecard."""
    if _owes_nothing(reader):
        return ()
    return tuple(
        sorted(
            set(
                owed_panel_places(reader)
                .filter(assessment__application__provider=provider)
                .values_list("assessment__application_id", flat=True)
            )
        )
    )


def visible_to(reader: Any, rows: QuerySet[Any], application_field: str) -> QuerySet[Any]:
    """`rows` without those of applications whose scores are hidden from the reader.
    `application_field` is the lookup from a row to its application's id, e.g.
    "application_id" for summary jobs or "assessment__application_id" for scorecards."""
    if _owes_nothing(reader):
        return rows
    return rows.exclude(**{f"{application_field}__in": owed_application_ids(reader)})


def may_have_summary(membership: Membership, application: Any) -> bool:
    """PDF candidate summaries: for staff, and for a panel member who chairs one of this
    application's assessments. Independence (`scores_hidden_from`) is checked on top."""
    from vbr.recruitment.models import Panellist

    if membership.is_staff_member:
        return True
    return Panellist.objects.filter(
        assessment__application=application,
        user=membership.user,
        panel_role=Panellist.PanelRole.CHAIR,
    ).exists()


def audit_events_visible_to(reader: Any, events: QuerySet[Any]) -> QuerySet[Any]:
    """The audit trail as the reader may see it: scorecard events (submitted, amended) of
    applications whose scores are hidden from them are left out, since when and how often
    the others scored or changed their scores is part of those scorecards."""
    if _owes_nothing(reader):
        return events
    from vbr.accounts.models import AuditEvent

    scorecard_events = (AuditEvent.Action.SCORECARD_SUBMITTED, AuditEvent.Action.SCORECARD_AMENDED)
    return events.exclude(
        action__in=scorecard_events, application_id__in=owed_application_ids(reader)
    )


# Independence in shortlisting, the same rule as for scorecards: while a reader shortlists
# an application and has not sent their own answer for it, they see nobody else's answer
# for it (nor the tally, nor the comments). Every page, export and report that shows
# shortlisting answers asks the functions below.


def owed_shortlist_entries(reader: Any) -> QuerySet[Any]:
    """The shortlist entries (applications in a shortlisting) the reader shortlists and has
    not yet answered."""
    from vbr.involvement.models import ShortlistAnswer, ShortlistEntry, Shortlister

    user = _user_of(reader)
    return ShortlistEntry.objects.filter(
        Exists(Shortlister.objects.filter(shortlisting=OuterRef("shortlisting"), user=user)),
        ~Exists(ShortlistAnswer.objects.filter(entry=OuterRef("pk"), shortlister__user=user)),
    )


def shortlist_answers_visible_to(reader: Any, answers: QuerySet[Any]) -> QuerySet[Any]:
    """`answers` (shortlisting answers) without those the reader may not see yet."""
    return answers.exclude(entry_id__in=owed_shortlist_entries(reader).values("pk"))


def hidden_shortlist_entry_ids(reader: Any, shortlisting: Any) -> set[int]:
    """The entries of one shortlisting whose answers are hidden from the reader."""
    return set(
        owed_shortlist_entries(reader)
        .filter(shortlisting=shortlisting)
        .values_list("pk", flat=True)
    )


def candidate_shortlisting_hidden_from(reader: Any, candidate: Any) -> bool:
    """True while the reader shortlists any of the candidate's applications and has not sent
    their own answer for it (for exports of all of a candidate's data)."""
    return owed_shortlist_entries(reader).filter(application__candidate=candidate).exists()
