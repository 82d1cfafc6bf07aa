"""Pseudonymous keys: users by keyed hash, conversations by source id or content.

The HMAC key lives outside the warehouse (``ECON_INDEX_USER_KEY`` or a key file), so the stored
user keys cannot be reversed by someone who only has the warehouse: without the key, even a list
of candidate user ids cannot be hashed to match.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from econ_index.types import Conversation

USER_KEY_ENV = "ECON_INDEX_USER_KEY"
_MIN_KEY_BYTES = 16


class MissingUserKeyError(RuntimeError):
    """No pseudonymisation key was supplied."""


def load_user_key(key_file: Path | None = None) -> bytes:
    """The HMAC key from ``--user-key-file`` or ``$ECON_INDEX_USER_KEY``; refuses without one."""
    if key_file is not None:
        try:
            raw = key_file.read_bytes().strip()
        except OSError as exc:
            raise MissingUserKeyError(
                f"cannot read user key file {key_file}: {exc.strerror}"
            ) from exc
        source = str(key_file)
    else:
        raw = os.environ.get(USER_KEY_ENV, "").strip().encode()
        source = f"${USER_KEY_ENV}"
    if not raw:
        raise MissingUserKeyError(
            f"No user pseudonymisation key: set {USER_KEY_ENV} or pass --user-key-file PATH "
            "(keep it outside the warehouse; e.g. `python -c 'import secrets; "
            "print(secrets.token_hex(32))' > user.key`)"
        )
    if len(raw) < _MIN_KEY_BYTES:
        raise MissingUserKeyError(f"user key from {source} is shorter than {_MIN_KEY_BYTES} bytes")
    return raw


class Keyer:
    """Derives the stored keys of a conversation; the raw ids never leave this object."""

    def __init__(self, user_key: bytes) -> None:
        self._user_key = user_key

    def user_key(self, conversation: Conversation) -> str:
        """HMAC-SHA256 of the user id. A conversation without a user counts as its own user."""
        subject = (
            f"user:{conversation.user_id}"
            if conversation.user_id
            else f"anonymous:{self.conversation_key(conversation)}"
        )
        return hmac.new(self._user_key, subject.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def conversation_key(conversation: Conversation) -> str:
        """SHA-256 of the source's conversation id, so re-reading an export maps to the same row.

        Exports always carry an id (ingestion quarantines records without one); the id is hashed
        because export ids can be guessable or linkable across systems.
        """
        return hashlib.sha256(f"conversation:{conversation.source_id}".encode()).hexdigest()
