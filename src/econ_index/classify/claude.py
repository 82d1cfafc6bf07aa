"""The production Claude backend: closed-list classification through the Anthropic API.

By default it walks the taxonomy occupation first, as the published pipeline does: step 1 picks one
of the taxonomy's occupations (or none) from a closed list that is cached with the system prompt;
step 2 sends the conversation with that occupation's statements, plus the local classifier's five
best candidates as a hedge, and the model must answer through a strict tool whose task-id enum is
that shortlist plus "none". So no task is out of reach, as it was when the local retriever's 20
candidates were the only choice (``traversal="shortlist"``, still available). Small runs
call the Messages API directly (bounded concurrency; the SDK retries 408/409/429/5xx, timeouts and
connection errors with exponential backoff and jitter, honouring ``retry-after``). Large runs use
the Message Batches API at half price, resumable after a crash.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, Literal

import anthropic
import httpx2
from anthropic.types import Message as ApiMessage
from anthropic.types.messages import MessageBatchResult

from econ_index.classify.claude_batch import BatchRunner, BatchStateError
from econ_index.classify.claude_prompt import (
    OCCUPATION_TOOL_NAME,
    PROMPT_VERSION,
    occupation_content,
    occupation_system_blocks,
    occupation_tool,
    position_content,
    position_tool,
    read_answer,
    read_occupation,
    read_position,
    system_blocks,
    tool,
    tool_choice,
    user_content,
)
from econ_index.classify.pricing import DEFAULT_PRICES, ModelPrice, priced_usage
from econ_index.taxonomy import Task, Taxonomy
from econ_index.types import ClassifierFailure, Label, Pattern, ScrubbedConversation, Usage

Shortlister = Callable[[Sequence[ScrubbedConversation], int], list[list[tuple[Task, float]]]]
Mode = Literal["direct", "batch", "auto"]
Traversal = Literal["occupation", "shortlist"]
Result = Label | ClassifierFailure
Reader = Callable[[ApiMessage], Any]
# Local candidates added to the occupation's statements: a hedge against a wrong occupation.
HEDGE_CANDIDATES = 5
# Step 1 needs only the request to name the occupation: a shorter transcript than step 2's.
OCCUPATION_TOKEN_BUDGET = 600

DEFAULT_MODEL = "claude-haiku-5-5"
DEFAULT_STATE_DIR = Path(".econ-index") / "claude-batches"
_CUSTOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ClaudeBackendError(RuntimeError):
    """The Claude backend cannot run at all (no credentials, rejected credentials, batch failure).

    Messages never contain conversation text or the API key, so the CLI can print them as they are.
    """


class MissingAPIKeyError(ClaudeBackendError):
    def __init__(self) -> None:
        super().__init__(
            "the claude backend needs an Anthropic API key: set ANTHROPIC_API_KEY "
            "(or use the local backend)"
        )


class _DropRequestBodies(logging.Filter):
    """The SDK logs every request's JSON body at DEBUG; bodies hold scrubbed text, which must never
    reach a log. Attached to the SDK's logger, so it holds whatever handlers the CLI configures."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Request options")


_SDK_LOGGER = logging.getLogger("anthropic._base_client")
if not any(isinstance(f, _DropRequestBodies) for f in _SDK_LOGGER.filters):
    _SDK_LOGGER.addFilter(_DropRequestBodies())


class ClaudeClassifier:
    """Labels conversations with a Claude model; see the module docstring."""

    name = "claude"

    def __init__(
        self,
        taxonomy: Taxonomy,
        shortlister: Shortlister,
        *,
        model: str = DEFAULT_MODEL,
        client: anthropic.Anthropic | None = None,
        mode: Mode = "auto",
        traversal: Traversal = "occupation",
        batch_threshold: int = 100,
        max_concurrency: int = 8,
        max_retries: int = 3,
        timeout: float = 60.0,
        shortlist_size: int = 20,
        conversation_token_budget: int = 800,
        max_output_tokens: int = 256,
        prices: Mapping[str, ModelPrice] = DEFAULT_PRICES,
        state_dir: Path = DEFAULT_STATE_DIR,
        poll_interval: float = 30.0,
        max_poll_interval: float = 600.0,
    ) -> None:
        if model not in prices:
            raise ValueError(
                f"no price for model {model!r}: pass prices= with its per-token prices"
            )
        if mode not in ("direct", "batch", "auto"):
            raise ValueError(f"mode must be direct, batch or auto, not {mode!r}")
        if traversal not in ("occupation", "shortlist"):
            raise ValueError(f"traversal must be occupation or shortlist, not {traversal!r}")
        if client is None:
            if not os.environ.get("ANTHROPIC_API_KEY"):
                raise MissingAPIKeyError()
            client = anthropic.Anthropic()  # the SDK reads ANTHROPIC_API_KEY itself
        # Connect fails fast; a classification answer is short, so a minute to read it is ample.
        self._client = client.with_options(
            max_retries=max_retries, timeout=httpx2.Timeout(timeout, connect=5.0)
        )
        self.taxonomy = taxonomy
        self.model = model
        self.version = f"{model}+{PROMPT_VERSION}+{traversal}"
        self.usage = Usage()
        self._shortlister = shortlister
        self._mode = mode
        self._traversal = traversal
        self._batch_threshold = batch_threshold
        self._max_concurrency = max_concurrency
        self._shortlist_size = shortlist_size
        self._token_budget = conversation_token_budget
        self._max_output_tokens = max_output_tokens
        self._price = prices[model]
        self._system = system_blocks(taxonomy)
        self._occupation_system = occupation_system_blocks(taxonomy)
        self._occupation_tool = occupation_tool(taxonomy)
        self._by_occupation: dict[str, list[Task]] = {}
        for task in taxonomy.tasks:
            self._by_occupation.setdefault(task.onet_soc_code, []).append(task)
        self._codes = frozenset(self._by_occupation)
        self._position_tool = position_tool(
            max(map(len, self._by_occupation.values())) + HEDGE_CANDIDATES
        )
        self._batches = BatchRunner(
            self._client,
            state_dir,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
        )
        self._lock = threading.Lock()

    def classify(self, conversations: Sequence[ScrubbedConversation]) -> list[Result]:
        # Keys address content, so a repeated key is the same conversation: label it once.
        unique = list({c.key: c for c in conversations}.values())
        answers: dict[str, Result] = {}
        live = []
        for conversation in unique:
            if conversation.messages:
                live.append(conversation)
            else:
                answers[conversation.key] = ClassifierFailure(reason="empty_conversation")
        if self._traversal == "occupation":
            shortlists = self._occupation_shortlists(live, answers)
            live = [c for c in live if c.key in shortlists]
        else:
            ranked = self._shortlists(live, self._shortlist_size)
            shortlists = dict(zip((c.key for c in live), ranked, strict=True))
        requests = {c.key: self._params(c, shortlists[c.key]) for c in live}
        read = read_position if self._traversal == "occupation" else read_answer
        readers: dict[str, Reader] = {
            key: partial(read, shortlist=shortlists[key]) for key in requests
        }
        answers.update(self._run(requests, readers, "task"))
        return [answers[c.key] for c in conversations]

    def _run(
        self, requests: dict[str, dict[str, Any]], readers: dict[str, Reader], step: str
    ) -> dict[str, Any]:
        if not requests:
            return {}
        batch = self._mode == "batch" or (
            self._mode == "auto" and len(requests) >= self._batch_threshold
        )
        if batch:
            return self._run_batch(requests, readers, step)
        return self._run_direct(requests, readers)

    def _occupation_shortlists(
        self, conversations: list[ScrubbedConversation], answers: dict[str, Result]
    ) -> dict[str, list[Task]]:
        """Step 1: each conversation's occupation; its statements (plus the hedge) are step 2's
        shortlist. "none" and failures are answered here and get no shortlist."""
        requests = {c.key: self._occupation_params(c) for c in conversations}
        read = partial(read_occupation, codes=self._codes)
        readers: dict[str, Reader] = dict.fromkeys(requests, read)
        chosen = self._run(requests, readers, "occupation")
        hedges = dict(
            zip(
                (c.key for c in conversations),
                self._shortlists(conversations, HEDGE_CANDIDATES) if conversations else [],
                strict=True,
            )
        )
        shortlists: dict[str, list[Task]] = {}
        for key, answer in chosen.items():
            if isinstance(answer, ClassifierFailure):
                answers[key] = answer
            elif answer.onet_soc_code is None:
                answers[key] = Label(None, Pattern.NONE, answer.confidence, False)
            else:
                tasks = self._by_occupation[answer.onet_soc_code]
                hedge = [t for t in hedges[key] if t not in tasks]
                shortlists[key] = [*tasks, *hedge]
        return shortlists

    def _occupation_params(self, conversation: ScrubbedConversation) -> dict[str, Any]:
        """Step 1's parameters: only the transcript varies, the rest is read from the cache."""
        return {
            "model": self.model,
            "max_tokens": self._max_output_tokens,
            "system": self._occupation_system,
            "tools": [self._occupation_tool],
            "tool_choice": tool_choice(OCCUPATION_TOOL_NAME),
            "thinking": {"type": "disabled"},
            "messages": [
                {
                    "role": "user",
                    "content": occupation_content(
                        conversation, min(self._token_budget, OCCUPATION_TOKEN_BUDGET)
                    ),
                }
            ],
        }

    def _shortlists(
        self, conversations: Sequence[ScrubbedConversation], k: int
    ) -> list[list[Task]]:
        """The shortlister's ``k`` best tasks per conversation, checked against the taxonomy."""
        ranked = self._shortlister(conversations, k)
        if len(ranked) != len(conversations):
            raise ValueError("the shortlister must return one list per conversation")
        known = self.taxonomy.by_id
        shortlists = [[task for task, _ in candidates] for candidates in ranked]
        for shortlist in shortlists:
            for task in shortlist:
                if known.get(task.task_id) != task:
                    raise ValueError(f"shortlisted task {task.task_id} is not in the taxonomy")
        return shortlists

    def _params(self, conversation: ScrubbedConversation, shortlist: list[Task]) -> dict[str, Any]:
        """Messages API parameters; only the scrubbed turns and the shortlist vary per call."""
        if self._traversal == "occupation":
            task_tool = self._position_tool
            content = position_content(conversation, shortlist, self._token_budget)
        else:
            task_tool = tool(shortlist)
            content = user_content(conversation, shortlist, self._token_budget)
        return {
            "model": self.model,
            "max_tokens": self._max_output_tokens,
            "system": self._system,
            "tools": [task_tool],
            "tool_choice": tool_choice(),
            # A forced tool choice is incompatible with extended or adaptive thinking.
            "thinking": {"type": "disabled"},
            "messages": [{"role": "user", "content": content}],
        }

    def _record(self, message: ApiMessage, *, batch: bool) -> None:
        usage = message.usage
        priced = priced_usage(
            self._price,
            input_tokens=usage.input_tokens,
            cache_read_tokens=usage.cache_read_input_tokens or 0,
            cache_write_tokens=usage.cache_creation_input_tokens or 0,
            output_tokens=usage.output_tokens,
            batch=batch,
        )
        with self._lock:
            self.usage.add(priced)

    # -- direct ---------------------------------------------------------------------------------

    def _run_direct(
        self, requests: dict[str, dict[str, Any]], readers: dict[str, Reader]
    ) -> dict[str, Any]:
        def one(key: str) -> Any:
            return self._call(requests[key], readers[key])

        with ThreadPoolExecutor(max_workers=self._max_concurrency) as pool:
            return dict(zip(requests, pool.map(one, requests), strict=True))

    def _call(self, params: dict[str, Any], read: Reader) -> Any:
        try:
            message = self._client.messages.create(**params)
        except (anthropic.AuthenticationError, anthropic.PermissionDeniedError) as err:
            raise ClaudeBackendError(
                f"the Anthropic API refused the credentials ({err.status_code} {err.type})"
            ) from None
        except anthropic.APIStatusError as err:
            return ClassifierFailure(
                reason=f"api_error:{err.status_code} {err.type or 'unknown'} "
                f"{_after(err.response.request)}"
            )
        except anthropic.APITimeoutError as err:
            return ClassifierFailure(reason=f"api_timeout {_after(err.request)}")
        except anthropic.APIConnectionError as err:
            return ClassifierFailure(reason=f"api_connection_error {_after(err.request)}")
        self._record(message, batch=False)
        return read(message)

    # -- batch ----------------------------------------------------------------------------------

    def _run_batch(
        self, requests: dict[str, dict[str, Any]], readers: dict[str, Reader], step: str
    ) -> dict[str, Any]:
        custom_ids = {key: _custom_id(key) for key in requests}
        try:
            results = self._batches.run(
                {custom_ids[key]: params for key, params in requests.items()},
                f"{self.version}:{step}",
            )
        except (anthropic.AuthenticationError, anthropic.PermissionDeniedError) as err:
            raise ClaudeBackendError(
                f"the Anthropic API refused the credentials ({err.status_code} {err.type})"
            ) from None
        except BatchStateError as err:
            raise ClaudeBackendError(str(err)) from None
        except anthropic.APIError as err:
            # Nothing is lost: the state file lets a rerun resume the submitted batches.
            raise ClaudeBackendError(
                f"message batch run failed ({type(err).__name__}); rerun to resume it"
            ) from None
        return {
            key: self._batch_answer(results.get(custom_ids[key]), readers[key]) for key in requests
        }

    def _batch_answer(self, result: MessageBatchResult | None, read: Reader) -> Any:
        if result is None:
            return ClassifierFailure(reason="batch_result_missing")
        if result.type == "errored":
            return ClassifierFailure(reason=f"batch_errored:{result.error.error.type}")
        if result.type == "expired" or result.type == "canceled":
            return ClassifierFailure(reason=f"batch_{result.type}")
        self._record(result.message, batch=True)
        return read(result.message)


def _after(request: httpx2.Request) -> str:
    """How many times the SDK sent the request: it stamps each attempt with its retry count."""
    attempts = int(request.headers.get("x-stainless-retry-count", "0")) + 1
    return f"after {attempts} attempt{'s' if attempts > 1 else ''}"


def _custom_id(key: str) -> str:
    """Batch custom ids must match ^[A-Za-z0-9_-]{1,64}$; hex keys do, others are hashed to fit."""
    return key if _CUSTOM_ID.match(key) else hashlib.sha256(key.encode()).hexdigest()
