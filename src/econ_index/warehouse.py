"""The staging tables the classifier writes into the DuckDB warehouse (schema ``raw``), and the
cells the suppression repair adds (econ_index.repair).

Only labels, keys and counts are stored: never raw or scrubbed text.
"""

from __future__ import annotations

from pathlib import Path

RAW_SCHEMA = "raw"

DDL = f"""
create schema if not exists {RAW_SCHEMA};

create table if not exists {RAW_SCHEMA}.conversation_labels (
    conversation_key      varchar   not null primary key, -- sha256 hex (privacy.conversation_key)
    user_key              varchar   not null,             -- HMAC-SHA256 hex of the user id
    created_at            timestamp not null,             -- UTC, naive
    status                varchar   not null,             -- classified | filtered
    filter_reason         varchar,                        -- null when classified
    onet_task_id          varchar,                        -- null when filtered
    collaboration_pattern varchar   not null,             -- directive ... none
    confidence            double    not null,
    is_redacted           boolean   not null,
    classifier_name       varchar   not null,
    classifier_version    varchar   not null,
    onet_version          varchar   not null,
    run_id                varchar   not null,
    loaded_at             timestamp not null
);

create table if not exists {RAW_SCHEMA}.quarantine (
    run_id        varchar   not null,
    source_file   varchar   not null,
    record_unit   varchar   not null,  -- line | record
    record_number bigint    not null,
    reason        varchar   not null,
    quarantined_at timestamp not null
);

create table if not exists {RAW_SCHEMA}.classification_runs (
    run_id              varchar   not null primary key,
    started_at          timestamp not null,
    finished_at         timestamp not null,
    backend             varchar   not null,
    classifier_name     varchar   not null,
    classifier_version  varchar   not null,
    onet_version        varchar   not null,
    n_read              bigint    not null,
    n_classified        bigint    not null,
    n_filtered          bigint    not null,
    n_quarantined       bigint    not null,
    input_tokens        bigint    not null,
    cached_input_tokens bigint    not null,
    cache_write_tokens  bigint    not null,
    output_tokens       bigint    not null,
    cost_usd            double    not null,
    scrubber            varchar   not null default 'fast', -- fast | strong (issue #17)
    -- the partition the run classified (econ_index.partitions): a partition has one run, the
    -- latest; its labels and quarantined records are those with its run_id
    partition_name      varchar,
    -- conversations of this run now held by a run that finished later (another partition
    -- classified the same conversation id afterwards): n_classified + n_filtered - n_superseded
    -- of its labels are in conversation_labels
    n_superseded        bigint    not null default 0
);
-- warehouses from before the column: their runs all used what is now the fast scrubber
alter table {RAW_SCHEMA}.classification_runs
    add column if not exists scrubber varchar default 'fast';
-- warehouses from before partitions: each earlier run is a partition of its own
alter table {RAW_SCHEMA}.classification_runs add column if not exists partition_name varchar;
alter table {RAW_SCHEMA}.classification_runs
    add column if not exists n_superseded bigint default 0;
update {RAW_SCHEMA}.classification_runs set partition_name = run_id where partition_name is null;

-- cells econ_index.repair hides beyond the secondary suppression's rounds (one row per cell
-- and build)
create table if not exists {RAW_SCHEMA}.suppression_repairs (
    period_grain  varchar   not null,
    period_start  date      not null,
    level         varchar   not null,
    node_id       varchar   not null,
    facet         varchar   not null,
    variable      varchar   not null,
    dbt_pass      integer   not null,  -- the build's repair pass that added the cell
    recorded_at   timestamp not null,
    -- int_disclosure_fingerprint of the cells the repair was planned on: a dbt build over
    -- other cells fails instead of reusing it
    cells_fingerprint varchar,
    -- 'hide', or 'release': a hidden headline cell nothing needs hidden, published again
    -- (econ_index.span_repair.release)
    action varchar not null default 'hide'
);
alter table {RAW_SCHEMA}.suppression_repairs add column if not exists cells_fingerprint varchar;
alter table {RAW_SCHEMA}.suppression_repairs add column if not exists action varchar default 'hide';

-- what was published for the cells of closed periods (incremental time suppression): written
-- by econ-index build once a period closes, read by int_suppression_frozen, which keeps these
-- decisions on every later build (one row per cell)
create table if not exists {RAW_SCHEMA}.published_decisions (
    period_grain      varchar   not null,
    period_start      date      not null,
    level             varchar   not null,
    node_id           varchar   not null,
    facet             varchar   not null,
    variable          varchar   not null,
    is_suppressed     boolean   not null,
    suppression_reason varchar,
    -- the cell's unsuppressed counts when it was frozen: a build whose counts differ (late or
    -- re-labelled data in a closed period) fails instead of publishing another value
    n_users           bigint    not null,
    n_conversations   double    not null,
    -- int_disclosure_fingerprint of the publication that decided the cell
    cells_fingerprint varchar   not null,
    frozen_at         timestamp not null
);
"""


class WarehouseError(RuntimeError):
    """The warehouse cannot be opened or written; the message says why and what to do."""


# What DuckDB and the OS say (DuckDB's messages carry the OS's strerror) and what to do about it.
_LOCKED = ("Could not set lock", "Conflicting lock")
_NO_SPACE = ("No space left on device", "File too large", "Disk quota exceeded")
_NOT_WRITABLE = ("Permission denied", "Read-only file system", "Not a directory", "Is a directory")


def explain_error(path: Path, exc: BaseException, option: str = "--warehouse") -> str:
    """A message for a DuckDB or OS error on the file ``path``: what went wrong, and what to do.

    DuckDB's own text is kept at the end (it names files and the holder of a lock, never data).
    """
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror}: {exc.filename or path}"
    if isinstance(exc, FileExistsError | NotADirectoryError) and exc.filename:
        # a file where a folder of the path should be
        what = (
            f"cannot create the folder of {path}: {exc.filename} is not a folder; "
            f"remove it or give {option} another path"
        )
    elif any(s in text for s in _LOCKED):
        what = (
            f"{path} is in use by another process: wait for it to finish (or stop it) and run again"
        )
    elif any(s in text for s in _NO_SPACE):
        what = (
            f"cannot write {path}: the disk is full; free space there (or give {option} "
            "another disk) and run again"
        )
    elif any(s in text for s in _NOT_WRITABLE):
        what = (
            f"cannot write {path}: make it and its folder writable, "
            f"or give {option} a writable path"
        )
    else:
        what = f"cannot use {path}"
    return f"{what} ({text})"
