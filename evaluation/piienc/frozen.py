"""Frozen-encoder word features for the name head (issue #17, experiment, step 1).

    python evaluation/piienc/frozen.py   # -> build/piienc/frozen-{dev,test}.npz + strong spans

Runs all-MiniLM-L6-v2 once, without training it, over every dev and test unit of the PII set and
keeps, for each word of the tokenizer's pre-tokenisation, the mean of its last four layers over
its pieces (and over the overlapping windows that hold them), beside what the uncased encoder
cannot see: the word's case shape, where it stands in its line and sentence, whether the strong
scrubber or spaCy proposed it (and with which label), and the census and wordfreq figures the
strong scrubber already uses. The test features are stored for the single final score and never
looked at before it. The strong scrubber's own spans are stored too, so the rules that combine
its names with the head's (``head.py``) need not run it again.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(Path(__file__).parent))
from encoder import STRIDE, WINDOW, base_dir  # noqa: E402

from econ_index.piiset_eval import KEEP, Unit, load_gold  # noqa: E402
from econ_index.scrub import PiiType, _census_names  # noqa: E402
from econ_index.scrub_strong import StrongScrubber, _places, _surname_share, _zipf  # noqa: E402

ROOT = Path(__file__).parents[2]
GOLD = ROOT / "build/piiset/gold.jsonl"
OUT = ROOT / "build/piienc"
LAYERS = 4  # the last four of six
SHAPES = ("title", "lower", "upper", "mixed", "other")
ENT_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "WORK_OF_ART", "PRODUCT", "FAC", "EVENT")
HAND = (
    *(f"shape:{s}" for s in SHAPES),
    "line_initial",
    "sentence_initial",
    "strong_name",
    "strong_other",
    *(f"ent:{e}" for e in ENT_LABELS),
    "ent:other",
    "census_first",
    "census_last",
    "surname_share",
    "zipf",
    "place",
    "prev_title",
    "next_title",
    "prev_first",
    "next_last",
    "has_digit",
    "pieces",
)


def shape(word: str) -> str:
    letters = [c for c in word if c.isalpha()]
    if not letters:
        return "other"
    if all(c.islower() for c in letters):
        return "lower"
    if all(c.isupper() for c in letters):
        return "upper" if len(letters) > 1 else "title"
    if letters[0].isupper() and all(c.islower() for c in letters[1:]):
        return "title"
    return "mixed"


class Extractor:
    def __init__(self) -> None:
        self.tokenizer = AutoTokenizer.from_pretrained(base_dir())
        self.model = AutoModel.from_pretrained(base_dir()).eval()
        self.scrubber = StrongScrubber()
        self.first, self.last = _census_names()
        self.share = _surname_share()
        self.places = _places()
        self.encoder_cpu = 0.0
        self.scrubber_cpu = 0.0

    @torch.inference_mode()
    def _vectors(self, ids: list[int]) -> np.ndarray:
        """Per piece: the mean of the last layers, averaged over the windows holding it."""
        size = WINDOW - 2
        starts = list(range(0, max(len(ids) - size, 0) + 1, STRIDE))
        if starts[-1] + size < len(ids):
            starts.append(len(ids) - size)
        cls, sep, pad = (
            self.tokenizer.cls_token_id,
            self.tokenizer.sep_token_id,
            self.tokenizer.pad_token_id,
        )
        rows = [[cls, *ids[i : i + size], sep] for i in starts]
        width = max(len(r) for r in rows)
        batch = torch.tensor([r + [pad] * (width - len(r)) for r in rows])
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
        states = self.model(input_ids=batch, attention_mask=mask, output_hidden_states=True)
        mean = torch.stack(states.hidden_states[-LAYERS:]).mean(0).numpy()
        total = np.zeros((len(ids), mean.shape[-1]), dtype=np.float32)
        seen = np.zeros(len(ids), dtype=np.float32)
        for row, i in enumerate(starts):
            n = len(rows[row]) - 2
            total[i : i + n] += mean[row, 1 : n + 1]
            seen[i : i + n] += 1
        return total / seen[:, None]

    def unit(
        self, u: Unit
    ) -> tuple[list[tuple[int, int]], np.ndarray, np.ndarray, list[tuple[int, int, str]]]:
        """Words (start, end), their encoder vectors and hand features; the strong spans."""
        text = u.text
        c0 = time.process_time()
        enc = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids, offsets = enc["input_ids"], enc["offset_mapping"]
        pieces: dict[int, list[int]] = {}
        for k, w in enumerate(enc.word_ids()):
            if w is not None:
                pieces.setdefault(w, []).append(k)
        words = [(offsets[p[0]][0], offsets[p[-1]][1]) for p in pieces.values()]
        vec = np.zeros((len(words), 384), dtype=np.float32)
        if ids:
            per_piece = self._vectors(ids)
            vec = np.stack([per_piece[p].mean(0) for p in pieces.values()])
        c1 = time.process_time()
        strong = self.scrubber.spans(text)
        ents = [(e.start_char, e.end_char, e.label_) for e in self.scrubber._nlp(text).ents]
        self.encoder_cpu += c1 - c0
        self.scrubber_cpu += time.process_time() - c1
        hand = np.zeros((len(words), len(HAND)), dtype=np.float32)
        col = {h: i for i, h in enumerate(HAND)}
        texts = [text[s:e] for s, e in words]
        for i, ((s, e), word) in enumerate(zip(words, texts, strict=True)):
            row = hand[i]
            row[col[f"shape:{shape(word)}"]] = 1
            before = text[:s].rstrip(" \t")
            row[col["line_initial"]] = not before or before.endswith("\n")
            row[col["sentence_initial"]] = not before or before[-1] in ".!?:\n"
            for a, b, kind in strong:
                if a < e and s < b:
                    row[col["strong_name" if kind is PiiType.NAME else "strong_other"]] = 1
            for a, b, label in ents:
                if a < e and s < b:
                    row[col[f"ent:{label}" if label in ENT_LABELS else "ent:other"]] = 1
            cap = word.capitalize()
            row[col["census_first"]] = cap in self.first
            row[col["census_last"]] = cap in self.last
            row[col["surname_share"]] = math.log10(self.share.get(word.lower(), 0.0) + 1e-4)
            row[col["zipf"]] = _zipf(word.lower()) / 8 if word.isalpha() else 0.0
            row[col["place"]] = word.lower() in self.places
            row[col["has_digit"]] = any(c.isdigit() for c in word)
            row[col["pieces"]] = len(list(pieces.values())[i]) / 4
            if i > 0:
                row[col["prev_title"]] = shape(texts[i - 1]) == "title"
                row[col["prev_first"]] = texts[i - 1].capitalize() in self.first
            if i + 1 < len(words):
                row[col["next_title"]] = shape(texts[i + 1]) == "title"
                row[col["next_last"]] = texts[i + 1].capitalize() in self.last
        return words, vec, hand, [(a, b, k.value) for a, b, k in strong]


def labels(u: Unit, words: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Per word: inside a gold name; inside a look-alike (for the error analysis only)."""
    names = [(s.start, s.end) for s in u.spans if s.type == "PERSON"]
    keep = [(s.start, s.end) for s in u.spans if s.type in KEEP]
    y = np.array([any(a <= s and e <= b for a, b in names) for s, e in words], dtype=np.int8)
    k = np.array([any(a < e and s < b for a, b in keep) for s, e in words], dtype=np.int8)
    return y, k


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--gold", type=Path, default=GOLD)
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--splits", nargs="+", default=["dev", "test"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--limit", type=int, help="the first N units of each split (a smoke run)")
    args = p.parse_args()
    # at most 2 on the shared machine; under load one thread per process wastes least on spinning
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    ex = Extractor()
    for split in args.splits:
        units = load_gold(args.gold, split)[: args.limit]
        ex.encoder_cpu = ex.scrubber_cpu = 0.0
        rows: dict[str, list[Any]] = {
            k: [] for k in ("unit", "start", "end", "vec", "hand", "y", "k")
        }
        strong: dict[str, list[tuple[int, int, str]]] = {}
        for n, u in enumerate(units):
            words, vec, hand, spans = ex.unit(u)
            y, k = labels(u, words)
            rows["unit"] += [n] * len(words)
            rows["start"] += [s for s, _ in words]
            rows["end"] += [e for _, e in words]
            rows["vec"].append(vec.astype(np.float16))
            rows["hand"].append(hand)
            rows["y"].append(y)
            rows["k"].append(k)
            strong[u.unit] = spans
        np.savez(
            args.out / f"frozen-{split}.npz",
            unit=np.array(rows["unit"], dtype=np.int32),
            start=np.array(rows["start"], dtype=np.int32),
            end=np.array(rows["end"], dtype=np.int32),
            vec=np.concatenate(rows["vec"]),
            hand=np.concatenate(rows["hand"]),
            y=np.concatenate(rows["y"]),
            k=np.concatenate(rows["k"]),
            units=np.array([u.unit for u in units]),
        )
        (args.out / f"strong-{split}.json").write_text(json.dumps(strong))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{split}: {len(units)} units, {len(rows['unit'])} words; encoder "
            f"{ex.encoder_cpu:.0f} CPU s ({len(units) / ex.encoder_cpu:.1f} texts per CPU s), "
            f"strong scrubber + spaCy labels {ex.scrubber_cpu:.0f} CPU s; peak RSS {rss:.0f} MiB",
            flush=True,
        )


if __name__ == "__main__":
    main()
