"""Classifier backends: ``local`` (offline, the default) and ``claude`` (the Anthropic API)."""

from __future__ import annotations

from econ_index.classify.base import Classifier
from econ_index.taxonomy import Taxonomy

BACKENDS = ("local", "claude")


def make_classifier(backend: str, taxonomy: Taxonomy, *, model: str | None = None) -> Classifier:
    """The backend by name; the Claude backend narrows the taxonomy with the local retriever."""
    # Imported lazily: each backend builds indexes or clients that the other does not need.
    from econ_index.classify.local import LocalClassifier

    local = LocalClassifier(taxonomy)
    if backend == "local":
        return local
    if backend == "claude":
        from econ_index.classify.claude import ClaudeClassifier

        return ClaudeClassifier(
            taxonomy, shortlister=local.shortlist, **({"model": model} if model else {})
        )
    raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
