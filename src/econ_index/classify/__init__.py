"""Classifier backends: ``local`` (offline, the default) and ``claude`` (the Anthropic API)."""

from __future__ import annotations

import os
from pathlib import Path

from econ_index.classify.base import Classifier
from econ_index.taxonomy import Taxonomy

BACKENDS = ("local", "claude")
CLAUDE_MODES = ("auto", "direct", "batch")


def make_classifier(
    backend: str,
    taxonomy: Taxonomy,
    *,
    model: str | None = None,
    mode: str | None = None,
    state_dir: Path | None = None,
) -> Classifier:
    """The backend by name; the Claude backend narrows the taxonomy with the local retriever.

    ``model``, ``mode`` (auto, direct or batch) and ``state_dir`` (where batch runs keep their
    resume state) apply to the Claude backend only; ``None`` keeps its default. Raises
    ``ValueError`` for an unknown backend, model or mode, and
    :class:`~econ_index.classify.claude.MissingAPIKeyError` when the Claude backend has no key.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if mode is not None and mode not in CLAUDE_MODES:
        raise ValueError(f"unknown mode {mode!r}: choose one of {', '.join(CLAUDE_MODES)}")
    # Imported lazily: each backend builds indexes or clients that the other does not need.
    from econ_index.classify.local import LocalClassifier

    # ECON_INDEX_LOCAL_MODE picks the local mode: learned (the default) or lexical.
    local = LocalClassifier(taxonomy, mode=os.environ.get("ECON_INDEX_LOCAL_MODE", "learned"))
    if backend == "local":
        return local
    from econ_index.classify.claude import DEFAULT_MODEL, DEFAULT_STATE_DIR, ClaudeClassifier

    return ClaudeClassifier(
        taxonomy,
        shortlister=local.shortlist,
        mode=mode or "auto",  # type: ignore[arg-type]  # checked above
        state_dir=state_dir or DEFAULT_STATE_DIR,
        model=model or DEFAULT_MODEL,
    )
