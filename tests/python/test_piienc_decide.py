"""The name tagger's held-out decision rule (evaluation/piienc/decide.py, issue #17)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2] / "evaluation/piienc"))
from decide import accepted, pick  # noqa: E402

BASE = {"rule": "strong", "t1": None, "t2": None, "person_found": 30}
BASE |= {"name_placeholders": 60, "name_right": 30, "kept": 0.966}


def make(rule: str, t: float, found: int, placed: int, right: int, kept: float) -> dict:
    return {"rule": rule, "t1": t, "t2": t, "person_found": found, "kept": kept} | {
        "name_placeholders": placed,
        "name_right": right,
    }


def test_gain_of_two_names_is_needed() -> None:
    assert not accepted(make("union", 0.5, 31, 62, 31, 0.966), BASE)
    assert accepted(make("union", 0.5, 32, 64, 32, 0.966), BASE)


def test_precision_may_fall_by_one_placeholder_only() -> None:
    # strong precision 0.5; with 70 placeholders the floor is 0.5 - 1/70: 34 right passes
    # (0.486), 33 right (0.471) is two placeholders' worth below
    assert accepted(make("union", 0.5, 34, 70, 34, 0.966), BASE)
    assert not accepted(make("union", 0.5, 34, 70, 33, 0.966), BASE)


def test_lookalikes_kept_may_fall_by_half_a_percent() -> None:
    assert accepted(make("union", 0.5, 34, 64, 32, 0.961), BASE)
    assert not accepted(make("union", 0.5, 34, 64, 32, 0.960), BASE)


def test_pick_takes_most_names_then_precision_then_earlier_epoch() -> None:
    epochs = [
        {"epoch": 1, "rows": [BASE, make("vet", 0.3, 33, 60, 31, 0.97)]},
        {
            "epoch": 2,
            "rows": [
                BASE,
                make("union", 0.3, 40, 200, 40, 0.95),  # rejected: precision and kept
                make("union", 0.7, 33, 60, 31, 0.97),  # ties epoch 1's vet, later epoch
                make("encoder", 0.9, 33, 58, 31, 0.97),  # same names, higher precision
            ],
        },
    ]
    assert pick(epochs) == {"epoch": 2, **make("encoder", 0.9, 33, 58, 31, 0.97)}
    epochs[1]["rows"].pop()  # without it, epoch 1's vet beats epoch 2's equal union
    assert pick(epochs) == {"epoch": 1, **make("vet", 0.3, 33, 60, 31, 0.97)}
    assert pick([{"epoch": 1, "rows": [BASE, make("vet", 0.3, 31, 60, 31, 0.97)]}]) is None
    more = make("union", 0.3, 35, 66, 33, 0.965)  # more names at a lower, accepted precision
    assert pick([{"epoch": 3, "rows": [BASE, make("vet", 0.3, 33, 60, 31, 0.97), more]}]) == {
        "epoch": 3,
        **more,
    }
