"""Shared by the quality regression tests: which metrics fell outside their stated margins."""

from __future__ import annotations

from collections.abc import Mapping

from econ_index.evaluate import EvalReport

Margins = Mapping[str, tuple[float, float]]  # metric -> (measured value, allowed worsening)


def regressions(report: EvalReport, at_least: Margins, at_most: Margins) -> list[str]:
    """The metrics that fell outside their margin, with the measured and the allowed value.

    ``at_least`` metrics may fall by their margin, ``at_most`` ones rise by theirs.
    """
    metrics = report.as_dict()
    failed = []
    for name, (base, margin) in at_least.items():
        value = float(metrics[name])  # type: ignore[arg-type]
        if value < base - margin:
            failed.append(f"{name} {value:.3f} < {base - margin:.3f}")
    for name, (base, margin) in at_most.items():
        value = float(metrics[name])  # type: ignore[arg-type]
        if value > base + margin:
            failed.append(f"{name} {value:.3f} > {base + margin:.3f}")
    return failed
