"""Reading conversations from JSON Lines, Claude.ai exports and ChatGPT exports.

``read_inputs(paths, fmt)`` yields exactly one :class:`~econ_index.types.Conversation` or
:class:`~econ_index.types.Quarantined` per input record, in input order, in bounded memory.
Decisions are documented where they are made:

* :mod:`.sources` - which files are read, zip and gzip handling, format detection, and the
  export-derived user id;
* :mod:`.reader` - streaming, error handling, and duplicate ids;
* :mod:`.jsonl`, :mod:`.claude`, :mod:`.chatgpt` - what each format's records must hold and which
  text becomes a message;
* :class:`.Reason` - the quarantine reason codes.

Across formats: timestamps become timezone-aware UTC (naive ISO values are taken as UTC); roles
become ``user`` / ``assistant`` (system messages are skipped); blank messages are dropped; a
conversation with no messages is still yielded (the pipeline filters it as ``no_user_turn``);
lone UTF-16 surrogates in text become U+FFFD. Quarantine details name fields, types and
positions, never text from the record.
"""

from econ_index.ingest.errors import InputError, Reason
from econ_index.ingest.reader import FORMATS, MAX_LINE_BYTES, known_record_count, read_inputs

__all__ = ["FORMATS", "MAX_LINE_BYTES", "InputError", "Reason", "known_record_count", "read_inputs"]
