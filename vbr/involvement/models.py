"""People who draw on care taking part before the interview.

- The advert: a draft vacancy shared with chosen people (`AdvertReview`), who comment on it or
  suggest other words one section at a time (`AdvertComment`); the manager records, for each
  comment, what was changed and why.
- Shortlisting: a manager opens shortlisting for a role or a stage (`Shortlisting`), with the
  applications it covers, each shown only as "Applicant N" (`ShortlistEntry`), and the people
  who shortlist (`Shortlister`); each gives "yes / not sure / no" per applicant
  (`ShortlistAnswer`), seeing the candidate's values answers only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from vbr.accounts.models import Provider

MAX_COMMENT = 2000


class AdvertSection(models.TextChoices):
    """The parts of a vacancy shown one at a time in the easy-read advert."""

    SUMMARY = "summary", "The job in one sentence"
    DAY_TO_DAY = "day_to_day", "What the job is like"
    HOURS_AND_PAY = "hours_and_pay", "Hours, pay and where"
    WHAT_TO_BRING = "what_to_bring", "What to bring"
    QUESTIONS = "questions", "Questions for people who apply"


class AdvertReview(models.Model):
    """A vacancy's text shared with one person for their views, usually an expert by
    experience. `sent_at`: when they sent their comments; the manager sees them from then."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="advert_reviews")
    vacancy = models.ForeignKey(
        "applicants.Vacancy", on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advert_reviews"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["vacancy", "shared_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["vacancy", "reviewer"], name="one_review_per_person")
        ]

    def __str__(self) -> str:
        return f"Views of {self.reviewer} on {self.vacancy}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class AdvertComment(models.Model):
    """One person's comment or suggested words on one section of the advert, and what the
    manager did about it."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted as suggested"
        CHANGED = "changed", "Changed in another way"
        NOT_CHANGED = "not_changed", "Not changed"

    review = models.ForeignKey(AdvertReview, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(max_length=20, choices=AdvertSection.choices)
    # The words of the section as they read when the comment was written, for the record.
    section_text = models.TextField(blank=True)
    comment = models.TextField(blank=True, max_length=MAX_COMMENT)
    suggested_words = models.TextField(blank=True, max_length=MAX_COMMENT)
    updated_at = models.DateTimeField(auto_now=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("What we changed, or why not", blank=True, max_length=1000)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "section"], name="one_comment_per_section_and_review"
            )
        ]

    def __str__(self) -> str:
        return f"Comment on {self.get_section_display()}"

    @property
    def is_empty(self) -> bool:
        return not (self.comment.strip() or self.suggested_words.strip())


class Shortlisting(models.Model):
    """Shortlisting the applications of a role (or of one of its stages) with chosen people."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="shortlistings")
    role = models.ForeignKey(
        "recruitment.Role", on_delete=models.CASCADE, related_name="shortlistings"
    )
    stage = models.ForeignKey(
        "recruitment.Stage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shortlistings",
        help_text="Only the applications at this stage; empty: every open application.",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"Shortlisting for {self.role}" + (f" at {self.stage}" if self.stage_id else "")


class ShortlistEntry(models.Model):
    """One application in a shortlisting, shown to shortlisters only as "Applicant N"."""

    class Outcome(models.TextChoices):
        MOVED_ON = "moved_on", "Moved on"
        NOT_MOVED_ON = "not_moved_on", "Not moved on"

    shortlisting = models.ForeignKey(Shortlisting, on_delete=models.CASCADE, related_name="entries")
    application = models.ForeignKey(
        "recruitment.Application", on_delete=models.CASCADE, related_name="shortlist_entries"
    )
    number = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shortlisting", "number"]
        verbose_name_plural = "shortlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["shortlisting", "application"], name="one_entry_per_application"
            ),
            models.UniqueConstraint(
                fields=["shortlisting", "number"], name="one_applicant_number_per_shortlisting"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"Applicant {self.number}"


class Shortlister(models.Model):
    """A person who shortlists: an expert by experience (by link or with an account) or staff."""

    shortlisting = models.ForeignKey(
        Shortlisting, on_delete=models.CASCADE, related_name="shortlisters"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shortlister_places"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shortlisting", "user__full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shortlisting", "user"], name="one_place_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} shortlisting"


class ShortlistAnswer(models.Model):
    """One shortlister's answer for one applicant. Written when they send it, and never
    changed after: nobody sees the others' answers on an applicant before sending their own,
    and a sent answer cannot be changed to follow them."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NOT_SURE = "not_sure", "Not sure"
        NO = "no", "No"

    shortlister = models.ForeignKey(Shortlister, on_delete=models.CASCADE, related_name="answers")
    entry = models.ForeignKey(ShortlistEntry, on_delete=models.CASCADE, related_name="answers")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    comment = models.TextField(blank=True, max_length=1000)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shortlister", "entry"], name="one_answer_per_shortlister_and_entry"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_answer_display()} for {self.entry}"
