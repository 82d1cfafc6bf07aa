"""An in-process fake of the Anthropic Messages and Message Batches APIs, driven by the real SDK.

It plugs into ``anthropic.Anthropic`` as an ``httpx2.MockTransport``, so requests go through the
SDK's own serialisation, retry loop, error mapping and response parsing. It answers like the API:
``message`` objects with ``tool_use`` blocks and usage (prompt-cache fields included),
``message_batch`` objects that go from ``in_progress`` to ``ended``, and JSONL results. Failures
can be injected: 429 with ``retry-after``, 529 ``overloaded_error``, 500, read timeouts, malformed
answers (through ``answer``) and per-request batch outcomes (through ``batch_outcome``).

Token counts are estimated at 3 characters per token. Prompt caching follows the API's rule that
the cached prefix is everything up to the breakpoint in the order tools, system, messages, and is
only cached from ``min_cacheable_tokens`` up.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import anthropic
import httpx2

BASE_URL = "https://fake-anthropic.test"
FAKE_API_KEY = "sk-ant-fake-0123456789"
CHARS_PER_TOKEN = 3


class SimulatedCrash(BaseException):
    """Raised inside a request to stand for the process dying: the SDK does not catch it."""


@dataclass(frozen=True)
class Reply:
    """What the model 'says': content blocks and stop reason."""

    content: list[dict[str, Any]]
    stop_reason: str


def tool_reply(answer: dict[str, Any], name: str = "record_classification") -> Reply:
    block = {"type": "tool_use", "id": f"toolu_{_uid()}", "name": name, "input": answer}
    return Reply(content=[block], stop_reason="tool_use")


def text_reply(text: str) -> Reply:
    return Reply(content=[{"type": "text", "text": text}], stop_reason="end_turn")


def first_candidate(params: dict[str, Any]) -> Reply:
    """A well-behaved model: picks the first listed occupation, then the first shortlisted task."""
    properties = params["tools"][0]["input_schema"]["properties"]
    if "occupation" in properties:
        return tool_reply(
            {"occupation": properties["occupation"]["enum"][0], "confidence": 0.8},
            name="record_occupation",
        )
    enum = properties["onet_task_id"]["enum"]
    return tool_reply(
        {
            "onet_task_id": enum[0],
            "collaboration_pattern": "directive",
            "confidence": 0.9,
            "is_work": True,
        }
    )


def request_text(params: dict[str, Any]) -> str:
    """The text of a request's messages (what the test put in the conversation)."""
    return "".join(
        block.get("text", "") for m in params["messages"] for block in _blocks(m["content"])
    )


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    timeout: dict[str, float | None]

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class _Batch:
    id: str
    created_at: datetime
    requests: list[dict[str, Any]]
    polls_left: int
    results: list[dict[str, Any]] | None = None
    ended_at: datetime | None = None


@dataclass
class FakeAnthropic:
    answer: Callable[[dict[str, Any]], Reply] = first_candidate
    # custom_id, params -> "succeeded" | "errored" | "expired" | "canceled" | "missing"
    batch_outcome: Callable[[str, dict[str, Any]], str] = lambda custom_id, params: "succeeded"
    polls_until_ended: int = 2
    min_cacheable_tokens: int = 1024
    crash_on_retrieve: bool = False
    requests: list[Recorded] = field(default_factory=list)
    batches: dict[str, _Batch] = field(default_factory=dict)
    _faults: deque[tuple[str, float | None]] = field(default_factory=deque)
    _cache: set[str] = field(default_factory=set)
    # re-entrant: a batch that ends on a poll builds its messages (and usage) under the lock
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # -- set-up -----------------------------------------------------------------------------

    def client(self, *, max_retries: int = 3, api_key: str = FAKE_API_KEY) -> anthropic.Anthropic:
        return anthropic.Anthropic(
            api_key=api_key,
            base_url=BASE_URL,
            max_retries=max_retries,
            http_client=httpx2.Client(transport=httpx2.MockTransport(self.handle)),
        )

    def fail_next(self, kind: str, times: int = 1, retry_after: float | None = None) -> None:
        """The next ``times`` Messages calls fail with ``kind``: rate_limit (429), overloaded
        (529), server_error (500), timeout (read timeout) or bad_request (400)."""
        with self._lock:
            self._faults.extend([(kind, retry_after)] * times)

    def message_calls(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == "/v1/messages"]

    def all_sent_text(self) -> str:
        """Every byte the SDK sent: URLs, headers and bodies."""
        return "\n".join(
            f"{r.method} {r.path} {json.dumps(r.headers)} {r.body.decode()}" for r in self.requests
        )

    # -- transport --------------------------------------------------------------------------

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        timeout = request.extensions.get("timeout", {})
        recorded = Recorded(
            request.method, request.url.path, dict(request.headers), request.content, timeout
        )
        with self._lock:
            self.requests.append(recorded)
        auth = request.headers.get("authorization", "") or request.headers.get("x-api-key", "")
        if FAKE_API_KEY not in auth:
            return _error(401, "authentication_error", "invalid x-api-key")
        path, method = request.url.path, request.method
        if method == "POST" and path == "/v1/messages":
            return self._messages(request, recorded.json)
        if method == "POST" and path == "/v1/messages/batches":
            return self._create_batch(recorded.json)
        parts = path.strip("/").split("/")
        if method == "GET" and parts[:3] == ["v1", "messages", "batches"] and len(parts) in (4, 5):
            batch = self.batches.get(parts[3])
            if batch is None:
                return _error(404, "not_found_error", "batch not found")
            if len(parts) == 4:
                if self.crash_on_retrieve:
                    raise SimulatedCrash()
                return self._retrieve(batch)
            return self._results(batch)
        return _error(404, "not_found_error", f"no route {method} {path}")

    def _messages(self, request: httpx2.Request, params: dict[str, Any]) -> httpx2.Response:
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
        if fault is not None:
            kind, retry_after = fault
            headers = {} if retry_after is None else {"retry-after": str(retry_after)}
            if kind == "timeout":
                raise httpx2.ReadTimeout("The read operation timed out", request=request)
            status, error_type = {
                "rate_limit": (429, "rate_limit_error"),
                "overloaded": (529, "overloaded_error"),
                "server_error": (500, "api_error"),
                "bad_request": (400, "invalid_request_error"),
            }[kind]
            return _error(status, error_type, f"injected {kind}", headers)
        problem = _invalid(params)
        if problem:
            return _error(400, "invalid_request_error", problem)
        return httpx2.Response(200, json=self._message(params, service_tier="standard"))

    def _message(self, params: dict[str, Any], *, service_tier: str) -> dict[str, Any]:
        reply = self.answer(params)
        return {
            "id": f"msg_{_uid()}",
            "type": "message",
            "role": "assistant",
            "model": params["model"],
            "content": reply.content,
            "stop_reason": reply.stop_reason,
            "stop_sequence": None,
            "usage": self._usage(params, reply, service_tier),
        }

    def _usage(self, params: dict[str, Any], reply: Reply, service_tier: str) -> dict[str, Any]:
        tools = _tokens(json.dumps(params.get("tools", [])))
        system = _blocks(params.get("system", []))
        system_tokens = _tokens("".join(b["text"] for b in system))
        total = tools + system_tokens + _tokens(request_text(params))
        read = write = 0
        if any("cache_control" in b for b in system):
            prefix = tools + system_tokens
            key = hashlib.sha256(
                (json.dumps(params.get("tools", [])) + json.dumps(system)).encode()
            ).hexdigest()
            with self._lock:
                if prefix >= self.min_cacheable_tokens:
                    if key in self._cache:
                        read = prefix
                    else:
                        write = prefix
                        self._cache.add(key)
        out = (
            sum(_tokens(json.dumps(b.get("input", b.get("text", "")))) for b in reply.content) + 10
        )
        return {
            "input_tokens": total - read - write,
            "cache_creation_input_tokens": write,
            "cache_read_input_tokens": read,
            "cache_creation": {"ephemeral_5m_input_tokens": write, "ephemeral_1h_input_tokens": 0},
            "output_tokens": out,
            "service_tier": service_tier,
        }

    # -- batches ----------------------------------------------------------------------------

    def _create_batch(self, body: dict[str, Any]) -> httpx2.Response:
        requests = body.get("requests") or []
        ids = [r.get("custom_id", "") for r in requests]
        if not requests or len(set(ids)) != len(ids):
            return _error(400, "invalid_request_error", "requests must be non-empty and unique")
        for r in requests:
            problem = _invalid(r.get("params", {}))
            if problem or not _valid_custom_id(r["custom_id"]):
                return _error(400, "invalid_request_error", problem or "bad custom_id")
        batch = _Batch(
            id=f"msgbatch_{_uid()}",
            created_at=datetime.now(UTC),
            requests=requests,
            polls_left=self.polls_until_ended,
        )
        with self._lock:
            self.batches[batch.id] = batch
        return httpx2.Response(200, json=self._batch_json(batch))

    def _retrieve(self, batch: _Batch) -> httpx2.Response:
        with self._lock:
            if batch.results is None:
                batch.polls_left -= 1
                if batch.polls_left <= 0:
                    batch.results = [self._result(r) for r in batch.requests]
                    batch.ended_at = datetime.now(UTC)
        return httpx2.Response(200, json=self._batch_json(batch))

    def _result(self, request: dict[str, Any]) -> dict[str, Any]:
        custom_id, params = request["custom_id"], request["params"]
        outcome = self.batch_outcome(custom_id, params)
        result: dict[str, Any] = {"type": outcome}
        if outcome == "succeeded":
            result["message"] = self._message(params, service_tier="batch")
        elif outcome == "errored":
            result["error"] = {
                "type": "error",
                "error": {"type": "invalid_request_error", "message": "injected error"},
            }
        return {"custom_id": custom_id, "result": result}

    def _results(self, batch: _Batch) -> httpx2.Response:
        if batch.results is None:
            return _error(400, "invalid_request_error", "batch has not ended")
        # The API gives no order guarantee; reversing makes the client match on custom_id.
        lines = [r for r in reversed(batch.results) if r["result"]["type"] != "missing"]
        body = "".join(json.dumps(line) + "\n" for line in lines)
        return httpx2.Response(
            200, content=body.encode(), headers={"content-type": "application/binary"}
        )

    def _batch_json(self, batch: _Batch) -> dict[str, Any]:
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        if batch.results is None:
            counts["processing"] = len(batch.requests)
        else:
            for line in batch.results:
                kind = line["result"]["type"]
                counts[kind if kind in counts else "errored"] += 1
        ended = batch.results is not None
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts,
            "created_at": batch.created_at.isoformat(),
            "expires_at": (batch.created_at + timedelta(hours=24)).isoformat(),
            "ended_at": batch.ended_at.isoformat() if batch.ended_at else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{BASE_URL}/v1/messages/batches/{batch.id}/results" if ended else None,
        }


def _invalid(params: dict[str, Any]) -> str | None:
    """The subset of the API's request validation that the classifier could trip."""
    if not isinstance(params.get("model"), str):
        return "model: Field required"
    if not isinstance(params.get("max_tokens"), int) or params["max_tokens"] < 1:
        return "max_tokens: Field required"
    if not params.get("messages"):
        return "messages: at least one message is required"
    choice = params.get("tool_choice") or {}
    names = {t.get("name") for t in params.get("tools", [])}
    if choice.get("type") == "tool":
        if choice.get("name") not in names:
            return "tool_choice.name: no such tool"
        if (params.get("thinking") or {}).get("type") in ("enabled", "adaptive"):
            return "Thinking may not be enabled when tool_choice forces tool use."
    return None


def _blocks(content: Any) -> list[dict[str, Any]]:
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def _tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def _valid_custom_id(custom_id: str) -> bool:
    return 1 <= len(custom_id) <= 64 and all(c.isalnum() or c in "_-" for c in custom_id)


_ids = itertools.count(1)


def _uid() -> str:
    return f"01FAKE{next(_ids):012d}"


def _error(
    status: int, error_type: str, message: str, headers: dict[str, str] | None = None
) -> httpx2.Response:
    request_id = f"req_{_uid()}"
    body = {
        "type": "error",
        "error": {"type": error_type, "message": message},
        "request_id": request_id,
    }
    return httpx2.Response(status, json=body, headers={"request-id": request_id, **(headers or {})})
