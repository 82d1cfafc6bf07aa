"""The held-out fifth's decision rule for the name tagger (issue #17, session 16).

Written before any result of the run it judges. A candidate is one row of ``run.py``'s grid
(rule, t1, t2) at one epoch, scored on the held-out fifth of dev; the baseline is today's strong
scrubber on the same units. A candidate is accepted when, against the baseline,

- names found rise by at least 2;
- ``[NAME]`` precision falls by at most one placeholder's worth: p >= p_strong - 1 / n, n the
  candidate's own ``[NAME]`` placeholders (so one more wrong placeholder than the strong
  scrubber's rate allows is tolerated, no more);
- look-alikes kept fall by at most 0.005.

Of the accepted, the most names found wins; ties go to the higher precision, then the higher
share kept, then the earlier epoch (less training), then the order of ``RULES`` and the higher
thresholds (fewer of the tagger's own names).
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_GAIN = 2
KEPT_SLACK = 0.005
RULES = ("vet", "union", "encoder")


def accepted(row: dict, base: dict) -> bool:
    # right / n >= right_strong / n_strong - 1 / n, in integers so that the bound is exact
    n, n_strong = row["name_placeholders"], base["name_placeholders"]
    return (
        row["person_found"] >= base["person_found"] + MIN_GAIN
        and (row["name_right"] + 1) * n_strong >= base["name_right"] * n
        and row["kept"] >= base["kept"] - KEPT_SLACK
    )


def pick(epochs: Iterable[dict]) -> dict | None:
    """The winning row, with its run's labels (epoch, ...), over ``[{"epoch": k, "rows":
    [...]}, ...]``, whose first row is the strong scrubber's; None when no row is accepted."""
    best: tuple | None = None
    winner = None
    for result in epochs:
        base, *rows = result["rows"]
        for row in rows:
            if row["rule"] not in RULES or not accepted(row, base):
                continue
            n = row["name_placeholders"]
            key = (
                row["person_found"],
                row["name_right"] / n if n else 1.0,
                row["kept"],
                -result["epoch"],
                -RULES.index(row["rule"]),
                row["t1"],
                row["t2"],
            )
            if best is None or key > best:
                run = {k: v for k, v in result.items() if k != "rows"}
                best, winner = key, {**run, **row}
    return winner
