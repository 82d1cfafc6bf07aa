"""Message Batches API runs that survive a crash.

A run's batch ids and custom ids are written to a state file as soon as each batch is created, so a
rerun over the same conversations resumes polling the same batches instead of paying for them twice.
The state file holds ids only (hashed conversation keys and batch ids), never text.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import anthropic
from anthropic.types.messages import MessageBatch, MessageBatchResult
from anthropic.types.messages.batch_create_params import Request

# The API accepts up to 100,000 requests (256 MB) per batch; smaller batches keep each upload
# modest and let results of early batches arrive sooner.
CHUNK_SIZE = 10_000
_STATE_FORMAT = 1


class BatchStateError(RuntimeError):
    """The state file exists but cannot be read; it is left in place for a person to look at."""


class BatchRunner:
    def __init__(
        self,
        client: anthropic.Anthropic,
        state_dir: Path,
        *,
        poll_interval: float,
        max_poll_interval: float,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self._client = client
        self._state_dir = state_dir
        self._poll_interval = poll_interval
        self._max_poll_interval = max_poll_interval
        self._chunk_size = chunk_size

    def state_path(self, run_tag: str, custom_ids: Iterable[str]) -> Path:
        """One state file per (classifier version, set of conversations)."""
        digest = hashlib.sha256(run_tag.encode())
        for custom_id in sorted(custom_ids):
            digest.update(b"\0" + custom_id.encode())
        return self._state_dir / f"batch-{digest.hexdigest()[:24]}.json"

    def run(
        self, requests: Mapping[str, dict[str, Any]], run_tag: str
    ) -> dict[str, MessageBatchResult]:
        """Results by custom id for ``requests`` (custom id -> Messages API params).

        A custom id missing from the returned mapping got no result line from the API.
        """
        ids = sorted(requests)
        chunks = [ids[i : i + self._chunk_size] for i in range(0, len(ids), self._chunk_size)]
        path = self.state_path(run_tag, ids)
        batches = self._load(path, chunks)
        results: dict[str, MessageBatchResult] = {}
        for index, chunk in enumerate(chunks):
            if index == len(batches):
                batches.append(self._submit(requests, chunk))
                self._save(path, batches, chunks)
            try:
                ended = self._wait(batches[index])
            except anthropic.NotFoundError:
                # The batch is gone (deleted, or past the 29-day retention): submit it afresh.
                batches[index] = self._submit(requests, chunk)
                self._save(path, batches, chunks)
                ended = self._wait(batches[index])
            wanted = set(chunk)
            for line in self._client.messages.batches.results(ended.id):
                if line.custom_id in wanted:
                    results[line.custom_id] = line.result
        return results

    def _submit(self, requests: Mapping[str, dict[str, Any]], chunk: list[str]) -> str:
        batch_requests: list[Request] = [
            {"custom_id": custom_id, "params": requests[custom_id]}  # type: ignore[typeddict-item]
            for custom_id in chunk
        ]
        return self._client.messages.batches.create(requests=batch_requests).id

    def _wait(self, batch_id: str) -> MessageBatch:
        delay = self._poll_interval
        while True:
            batch = self._client.messages.batches.retrieve(batch_id)
            if batch.processing_status == "ended":
                return batch
            time.sleep(delay)
            delay = min(delay * 2, self._max_poll_interval)

    def _load(self, path: Path, chunks: list[list[str]]) -> list[str]:
        """Batch ids already created for the leading chunks of this run."""
        if not path.exists():
            return []
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            entries = state["batches"]
            if state["format"] != _STATE_FORMAT or len(entries) > len(chunks):
                raise ValueError("unexpected layout")
            for entry, chunk in zip(entries, chunks, strict=False):
                if entry["custom_ids"] != chunk:
                    raise ValueError("custom ids differ from this run's")
            return [str(entry["id"]) for entry in entries]
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise BatchStateError(f"cannot resume from batch state {path}: {err}") from err

    def _save(self, path: Path, batch_ids: list[str], chunks: list[list[str]]) -> None:
        state = {
            "format": _STATE_FORMAT,
            "batches": [
                {"id": batch_id, "custom_ids": chunk}
                for batch_id, chunk in zip(batch_ids, chunks, strict=False)
            ],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a crash mid-write never leaves a torn state file
