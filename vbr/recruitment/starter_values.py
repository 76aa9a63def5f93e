"""The built-in starter set of values, interview questions and observed behaviours, written by
the VBR team.

The wording lives in one place, `fixtures/value_sets/vbr-starter.json`, which is also loaded as
a value set with its question bank; this module gives it the shapes the role and values setup
use. A provider copies these into its own library and then makes them its own; nothing here is
referenced by a provider's data after copying.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vbr.recruitment.value_sets import BankEntry, Levels, default_levels, starter_set


@dataclass(frozen=True)
class StarterValue:
    name: str
    description: str
    positive: tuple[str, ...]
    negative: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class StarterCriterion:
    """An interview question or a behaviour observed during shadowing, evidencing one starter
    value, with its four levels in plain and easy-read wording."""

    name: str
    value: str
    prompt: str
    levels: Levels
    prompt_easy_read: str = ""
    levels_easy_read: Levels = ("", "", "", "")


# The names the role setup and the demo have always used.
StarterBehaviour = StarterCriterion
StarterQuestion = StarterCriterion


def _criteria(kind: str) -> tuple[StarterCriterion, ...]:
    chosen = sorted(
        (
            (entry, value.name)
            for value in starter_set().values
            for entry in value.bank
            if entry.role_starter and entry.kind == kind
        ),
        key=lambda pair: pair[0].role_starter,
    )
    return tuple(_criterion(entry, value) for entry, value in chosen)


def _criterion(entry: BankEntry, value: str) -> StarterCriterion:
    return StarterCriterion(
        name=entry.title,
        value=value,
        prompt=entry.prompt,
        levels=entry.levels,
        prompt_easy_read=entry.prompt_easy_read,
        levels_easy_read=entry.levels_easy_read,
    )


STARTER_VALUES: tuple[StarterValue, ...] = tuple(
    StarterValue(value.name, value.description, value.positive, value.negative)
    for value in starter_set().values
)

# Interaction behaviours observed during shadowing.
STARTER_BEHAVIOURS: tuple[StarterCriterion, ...] = _criteria("shadowing_behaviour")

# One open question per starter value, asking for something the candidate did themselves:
# a specific example is what the interview levels look for.
STARTER_QUESTIONS: tuple[StarterCriterion, ...] = _criteria("interview_question")

# Four-level descriptions for an interview question about a value, used as defaults.
DEFAULT_INTERVIEW_LEVELS: Levels = default_levels()["interview_question"][0]

# Four-level descriptions for a behaviour observed (shadowing, group activity), as defaults.
DEFAULT_OBSERVATION_LEVELS: Levels = default_levels()["shadowing_behaviour"][0]
