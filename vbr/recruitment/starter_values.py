"""The built-in starter set of values, interview questions and observed behaviours, written by
the VBR team.

A provider copies these into its own library and then makes them its own; nothing here is
referenced by a provider's data after copying.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StarterValue:
    name: str
    description: str
    positive: tuple[str, ...]
    negative: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class StarterBehaviour:
    """An interaction behaviour observed during shadowing, evidencing one starter value."""

    name: str
    value: str
    prompt: str
    levels: tuple[str, str, str, str]


@dataclass(frozen=True)
class StarterQuestion:
    """A values-interview question evidencing one starter value, scored on the default
    interview levels."""

    name: str
    value: str
    prompt: str

    @property
    def levels(self) -> tuple[str, str, str, str]:
        return DEFAULT_INTERVIEW_LEVELS


STARTER_VALUES: tuple[StarterValue, ...] = (
    StarterValue(
        "Dignity and respect",
        "Treats each person as an equal adult with their own history, choices and privacy.",
        (
            "Asks before helping and waits for an answer",
            "Knocks, introduces themselves and explains what they are doing",
            "Talks about people in a way they would be glad to overhear",
        ),
        (
            "Talks over the person or about them as if they were not there",
            "Uses pet names or a childish tone without being asked to",
        ),
    ),
    StarterValue(
        "Compassion",
        "Notices how someone is feeling and does something kind about it.",
        (
            "Notices distress or discomfort and responds gently",
            "Gives time without making the person feel rushed",
            "Speaks about past caring experiences with warmth",
        ),
        ("Treats care as a list of tasks to finish", "Shows impatience with slow answers"),
    ),
    StarterValue(
        "Courage",
        "Speaks up when something is not right, even when that is uncomfortable.",
        (
            "Describes raising a concern and what happened next",
            "Admits a mistake and what they learnt from it",
            "Challenges poor practice politely and clearly",
        ),
        ("Would stay quiet to avoid upsetting colleagues", "Blames others for mistakes"),
    ),
    StarterValue(
        "Working together",
        "Shares information, helps colleagues and works with families and other services.",
        (
            "Gives examples of supporting a colleague without being asked",
            "Passes on important information accurately",
            "Values the views of families and the people supported",
        ),
        ("Prefers to work alone and keep things to themselves",),
    ),
    StarterValue(
        "Person-centred",
        "Finds out what matters to each person and shapes support around it.",
        (
            "Asks about likes, routines and what a good day looks like",
            "Offers real choices rather than a yes/no",
            "Adapts their approach to the person, not the rota",
        ),
        ("Assumes everyone wants the same thing", "Decides for the person to save time"),
    ),
    StarterValue(
        "Integrity",
        "Is honest and reliable; does what they say they will.",
        (
            "Is open about what they do not know",
            "Keeps confidences and respects privacy",
            "Turns up when expected and follows through",
        ),
        ("Gives answers they think we want rather than their own",),
    ),
)


STARTER_BEHAVIOURS: tuple[StarterBehaviour, ...] = (
    StarterBehaviour(
        "Warmth",
        "Compassion",
        "Warmth: smiles, uses a friendly tone and puts the person at ease.",
        (
            "Seemed cold or distant; the person did not seem at ease",
            "Friendly at times, but warmth came and went",
            "Friendly and relaxed for most of the time",
            "Genuinely warm throughout; the person visibly relaxed",
        ),
    ),
    StarterBehaviour(
        "Good listening",
        "Person-centred",
        "Good listening: gives the person time, does not interrupt, responds to what was said.",
        (
            "Interrupted or did not respond to what the person said",
            "Listened sometimes but often moved on too quickly",
            "Listened and responded to most of what was said",
            "Listened closely, checked understanding and followed the person's lead",
        ),
    ),
    StarterBehaviour(
        "Responsiveness",
        "Compassion",
        "Responsiveness: notices requests, signs of discomfort or need, and acts on them.",
        (
            "Missed clear requests or signs of need",
            "Noticed some needs but needed prompting",
            "Noticed and acted on needs without prompting",
            "Anticipated needs and responded kindly and quickly",
        ),
    ),
    StarterBehaviour(
        "Personalised communication",
        "Person-centred",
        "Personalised communication: adapts words, pace and method to the person "
        "(e.g. signs, pictures, slower speech).",
        (
            "Spoke the same way regardless of the person's needs",
            "Made some effort to adapt but it did not always work",
            "Adapted their communication to suit the person",
            "Communicated in the person's own way and checked it worked",
        ),
    ),
    StarterBehaviour(
        "Respectful touch",
        "Dignity and respect",
        "Respectful touch: asks or signals before touching; touch is gentle and appropriate.",
        (
            "Touched without asking, or in a way that seemed uncomfortable",
            "Asked sometimes but not consistently",
            "Asked first and touch was gentle",
            "Always sought consent and used touch to reassure when welcome",
        ),
    ),
    StarterBehaviour(
        "Posture and positioning",
        "Dignity and respect",
        "Posture: gets to the person's eye level, faces them, keeps an open, relaxed posture.",
        (
            "Stood over the person or turned away while talking",
            "Sometimes at eye level, often not",
            "Usually at eye level with an open posture",
            "Consistently positioned to make the person feel equal and included",
        ),
    ),
    StarterBehaviour(
        "Being creative",
        "Person-centred",
        "Being creative: finds ways to engage the person in an activity or conversation "
        "they enjoy.",
        (
            "Made no attempt to engage the person",
            "Tried one idea and gave up",
            "Found a way to engage the person",
            "Used imagination to engage the person in something they clearly enjoyed",
        ),
    ),
)

# One open question per starter value, asking for something the candidate did themselves:
# a specific example is what the interview levels look for.
STARTER_QUESTIONS: tuple[StarterQuestion, ...] = (
    StarterQuestion(
        "Keeping someone's dignity",
        "Dignity and respect",
        "Think of a time you helped someone with something personal. How did you make sure "
        "they kept their dignity and stayed in charge of what happened?",
    ),
    StarterQuestion(
        "Noticing how someone feels",
        "Compassion",
        "Tell us about a time you noticed someone was worried or upset. What did you notice, "
        "and what did you do?",
    ),
    StarterQuestion(
        "Speaking up",
        "Courage",
        "Describe a time you saw something that was not right and said so. What happened next?",
    ),
    StarterQuestion(
        "Helping a colleague",
        "Working together",
        "Tell us about a time you helped a colleague, a neighbour or a family without being "
        "asked. How did it go?",
    ),
    StarterQuestion(
        "What a good day looks like",
        "Person-centred",
        "You have just started supporting someone you have not met before. How would you find "
        "out what a good day looks like for them?",
    ),
    StarterQuestion(
        "Owning a mistake",
        "Integrity",
        "Tell us about a mistake you made, at work or anywhere else. What did you do about it, "
        "and what did you learn?",
    ),
)

# Four-level descriptions for an interview question about a value, used as defaults.
DEFAULT_INTERVIEW_LEVELS: tuple[str, str, str, str] = (
    "No evidence shown: the answer did not show this value, or went against it",
    "Some evidence: a general answer with little that they did themselves",
    "Good evidence: a clear example of what they did and why",
    "Strong evidence: a specific, personal example showing the value and what they learnt",
)

# Four-level descriptions for a behaviour observed (shadowing, group activity), as defaults.
DEFAULT_OBSERVATION_LEVELS: tuple[str, str, str, str] = (
    "Not shown: we did not see this, or saw the opposite",
    "Shown a little: once or twice, or only when prompted",
    "Shown clearly: most of the time, without prompting",
    "Shown strongly: throughout, in a way the person clearly noticed",
)
