"""The interface every classifier backend implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from econ_index.types import ClassifierFailure, Label, ScrubbedConversation, Usage


class Classifier(Protocol):
    """Labels scrubbed conversations with one O*NET task (or none) and a collaboration pattern.

    ``classify`` returns one result per input, in order. A backend never guesses: what it cannot
    label comes back as a :class:`ClassifierFailure` with a reason, and the pipeline quarantines it.
    """

    name: str
    version: str
    usage: Usage

    def classify(
        self, conversations: Sequence[ScrubbedConversation]
    ) -> list[Label | ClassifierFailure]: ...
