"""Collaboration-pattern rules of the local classifier, on hand-written dialogues."""

from __future__ import annotations

import pytest

from econ_index.classify.patterns import collaboration_pattern
from econ_index.types import Message, Pattern


def dialogue(*user_turns: str) -> tuple[Message, ...]:
    messages: list[Message] = []
    for turn in user_turns:
        messages.append(Message("user", turn))
        messages.append(Message("assistant", "Here you go: a draft, with notes on each part."))
    return tuple(messages)


CASES = [
    # directive: one request, perhaps a thank-you
    (Pattern.DIRECTIVE, ("Write a cover letter for a junior accountant position at a bank.",)),
    (
        Pattern.DIRECTIVE,
        ("Draft a press release announcing our new warehouse in Ohio.", "Thanks, perfect!"),
    ),
    (Pattern.DIRECTIVE, ("Summarize the attached quarterly report in five bullets.", "Great.")),
    # feedback loop: the environment's answer is relayed back
    (
        Pattern.FEEDBACK_LOOP,
        (
            "Write a Python function that parses these log lines into a dict.",
            'I ran it and got this:\nTraceback (most recent call last):\n  File "p.py", line 3\n'
            "KeyError: 'ts'",
        ),
    ),
    (
        Pattern.FEEDBACK_LOOP,
        (
            "Give me a SQL migration adding an index on orders.",
            "It fails with ERROR: relation orders_idx already exists",
        ),
    ),
    (
        Pattern.FEEDBACK_LOOP,
        ("My webpack build breaks, fix the config.", "Still getting errors after the change."),
    ),
    (Pattern.FEEDBACK_LOOP, ("npm ERR! code ERESOLVE when installing react-dom, what now",)),
    # task iteration: the user keeps shaping the result
    (
        Pattern.TASK_ITERATION,
        (
            "Write a product description for our ceramic mugs.",
            "Make it shorter and more playful.",
            "Now add a line about the dishwasher-safe glaze.",
        ),
    ),
    (
        Pattern.TASK_ITERATION,
        ("Draft a job ad for a line cook.", "Replace the salary range with 'competitive'."),
    ),
    # validation: check the user's own work
    (
        Pattern.VALIDATION,
        ("Here is my budget forecast for Q3. Can you check my formulas for mistakes?",),
    ),
    (Pattern.VALIDATION, ("Is this translation correct? 'Nous avons reçu votre commande.'",)),
    (Pattern.VALIDATION, ("Proofread my abstract before I submit it to the journal.",)),
    # learning: wants to understand
    (Pattern.LEARNING, ("Why does my regression have a negative R squared on the test set?",)),
    (
        Pattern.LEARNING,
        ("Can you explain how double-entry bookkeeping works?", "Rephrase that more simply."),
    ),
    (Pattern.LEARNING, ("What is the difference between a lien and an encumbrance?",)),
]


@pytest.mark.parametrize(("expected", "turns"), CASES)
def test_pattern_rules(expected: Pattern, turns: tuple[str, ...]) -> None:
    assert collaboration_pattern(dialogue(*turns), is_work=True) is expected


def test_not_work_is_none_whatever_the_shape() -> None:
    turns = dialogue("Tell me a joke about penguins.", "Make it shorter.")
    assert collaboration_pattern(turns, is_work=False) is Pattern.NONE


def test_no_user_turn_is_none() -> None:
    assert collaboration_pattern((Message("assistant", "Hello!"),), is_work=True) is Pattern.NONE


def test_long_paste_still_reads_the_ask_at_the_end() -> None:
    essay = "The committee met on Tuesday to discuss the new budget. " * 200
    turns = dialogue(essay + "\nCan you proofread my essay above?")
    assert collaboration_pattern(turns, is_work=True) is Pattern.VALIDATION


def test_explain_inside_a_deliverable_is_not_learning() -> None:
    turns = dialogue("Write a memo that explains the new travel policy to staff.")
    assert collaboration_pattern(turns, is_work=True) is Pattern.DIRECTIVE
