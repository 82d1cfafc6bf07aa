"""Confidence calibration for the local classifier.

The confidence of a work label is a Platt-scaled probability that the chosen task is right:

    p = sigmoid(intercept + w1 * top1 + w2 * margin + w3 * work_logit)

where ``top1`` is the best combined retrieval score, ``margin`` its lead over the runner-up and
``work_logit`` the screen's log-odds. The weights are fitted by maximum likelihood on a labelled
set with every weight bounded at zero or above, so confidence can only rise with a better match,
a clearer lead or stronger work evidence (monotone by construction). The fitted parameters live
in ``calibration.json`` next to this module; :func:`fit_platt` refits them and
:func:`write_calibration` stores them (the ``econ-index calibrate`` command).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

FEATURES = ("top1", "margin", "work_logit")
# Filter a label when the estimated chance that its task is right is under one in five. Labels
# of realistic requests mostly score 0.3-0.9, so this drops only the least supported (about 10%
# of hand-written requests, fewer of generated ones) rather than a fixed quantile of some set.
DEFAULT_THRESHOLD = 0.2
CALIBRATION_FILE = "calibration.json"

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Calibration:
    intercept: float
    weights: tuple[float, float, float]  # in the order of FEATURES
    threshold: float  # default confidence below which the pipeline filters (below_confidence)
    filtered_share: float  # share of the fitting set below the threshold
    fitted_on: str  # description of the labelled set
    n: int  # labelled conversations used
    task_accuracy: float  # share of those whose top-1 task was right
    brier: float  # mean squared error of the fitted probabilities on that set

    def probability(self, features: FloatArray) -> FloatArray:
        """Calibrated probability per row of ``features`` (n x 3, columns as FEATURES)."""
        logit = self.intercept + features @ np.asarray(self.weights)
        return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float64)


def _negative_log_likelihood(
    params: FloatArray, x: FloatArray, y: FloatArray
) -> tuple[float, FloatArray]:
    logit = params[0] + x @ params[1:]
    p = 1.0 / (1.0 + np.exp(-logit))
    eps = 1e-12
    loss = -float(np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
    residual = (p - y) / len(y)
    gradient = np.concatenate([[residual.sum()], x.T @ residual])
    return loss, gradient


def fit_platt(
    features: FloatArray,
    correct: Sequence[bool],
    *,
    fitted_on: str,
    threshold: float = DEFAULT_THRESHOLD,
) -> Calibration:
    """Fit Platt scaling with non-negative weights by maximum likelihood (L-BFGS-B).

    ``features`` are the classifier's raw confidence features for labelled work conversations
    (n x 3, columns as FEATURES), ``correct`` whether its top-1 task was right. The result records
    the share of that set the ``threshold`` would filter.
    """
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != len(FEATURES) or len(y) != len(x) or len(y) == 0:
        raise ValueError("features must be n x 3 and match the labels")
    start = np.zeros(1 + len(FEATURES))
    bounds = [(None, None)] + [(0.0, None)] * len(FEATURES)
    params = minimize(
        _negative_log_likelihood, start, args=(x, y), jac=True, method="L-BFGS-B", bounds=bounds
    ).x
    intercept = float(params[0])
    weights = (float(params[1]), float(params[2]), float(params[3]))
    logit = intercept + x @ np.asarray(weights)
    p = 1.0 / (1.0 + np.exp(-logit))
    return Calibration(
        intercept=intercept,
        weights=weights,
        threshold=threshold,
        filtered_share=float(np.mean(p < threshold)),
        fitted_on=fitted_on,
        n=len(y),
        task_accuracy=float(y.mean()),
        brier=float(np.mean((p - y) ** 2)),
    )


def write_calibration(calibration: Calibration, path: Path | None = None) -> Path:
    """Store ``calibration`` as JSON (by default as the package's shipped calibration)."""
    target = (
        path or Path(str(resources.files(__package__ or "econ_index.classify"))) / CALIBRATION_FILE
    )
    target.write_text(json.dumps(asdict(calibration), indent=2) + "\n", encoding="utf-8")
    return target


def load_calibration(path: Path | None = None) -> Calibration:
    """The shipped calibration, or the one at ``path``."""
    if path is None:
        text = (
            resources.files(__package__ or "econ_index.classify")
            .joinpath(CALIBRATION_FILE)
            .read_text(encoding="utf-8")
        )
    else:
        text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    data["weights"] = tuple(data["weights"])
    return Calibration(**data)
