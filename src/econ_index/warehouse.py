"""The staging tables the classifier writes into the DuckDB warehouse (schema ``raw``), and the
cells the suppression repair adds (econ_index.repair).

Only labels, keys and counts are stored: never raw or scrubbed text.
"""

from __future__ import annotations

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
    scrubber            varchar   not null default 'fast'  -- fast | strong (issue #17)
);
-- warehouses from before the column: their runs all used what is now the fast scrubber
alter table {RAW_SCHEMA}.classification_runs
    add column if not exists scrubber varchar default 'fast';

-- cells econ_index.repair hides beyond the macros' rounds (one row per cell and build)
create table if not exists {RAW_SCHEMA}.suppression_repairs (
    period_grain  varchar   not null,
    period_start  date      not null,
    level         varchar   not null,
    node_id       varchar   not null,
    facet         varchar   not null,
    variable      varchar   not null,
    dbt_pass      integer   not null,  -- the build's repair pass that added the cell
    recorded_at   timestamp not null
);
"""
