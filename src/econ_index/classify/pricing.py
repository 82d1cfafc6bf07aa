"""Per-model Anthropic API prices and the cost of a response's token usage.

Prices are USD per million tokens, from Anthropic's published pricing (checked 2026-11). They
change: pass a custom table to :class:`~econ_index.classify.claude.ClaudeClassifier` to override
them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from econ_index.types import Usage

# The Message Batches API bills every token kind at half price; it stacks with the cache discount.
BATCH_DISCOUNT = 0.5


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """USD per million tokens. ``cache_write`` is the 5-minute TTL write price."""

    input: float
    cache_write: float
    cache_read: float
    output: float


# Haiku 5.5 has a second, 5x price band for prompts over 100K tokens; the classifier's prompts are
# bounded far below that (the conversation is truncated), so only the lower band is listed.
DEFAULT_PRICES: Mapping[str, ModelPrice] = {
    "claude-haiku-5-5": ModelPrice(input=0.10, cache_write=0.125, cache_read=0.01, output=0.50),
    "claude-haiku-4-5": ModelPrice(input=1.00, cache_write=1.25, cache_read=0.10, output=5.00),
    "claude-haiku-4-5-20251001": ModelPrice(
        input=1.00, cache_write=1.25, cache_read=0.10, output=5.00
    ),
    "claude-sonnet-4-6": ModelPrice(input=3.00, cache_write=3.75, cache_read=0.30, output=15.00),
    "claude-sonnet-4-5": ModelPrice(input=3.00, cache_write=3.75, cache_read=0.30, output=15.00),
    "claude-opus-4-8": ModelPrice(input=5.00, cache_write=6.25, cache_read=0.50, output=25.00),
}


def priced_usage(
    price: ModelPrice,
    *,
    input_tokens: int,
    cache_read_tokens: int,
    cache_write_tokens: int,
    output_tokens: int,
    batch: bool,
) -> Usage:
    """The :class:`Usage` of one response, with its cost. ``input_tokens`` excludes cached tokens,
    as the API reports it."""
    per_token = (BATCH_DISCOUNT if batch else 1.0) / 1_000_000
    cost = per_token * (
        input_tokens * price.input
        + cache_write_tokens * price.cache_write
        + cache_read_tokens * price.cache_read
        + output_tokens * price.output
    )
    return Usage(
        input_tokens=input_tokens,
        cached_input_tokens=cache_read_tokens,
        cache_write_tokens=cache_write_tokens,
        output_tokens=output_tokens,
        cost_usd=cost,
    )
