{#- Spark's default tables (parquet) have neither merge nor delete: there the fact is rebuilt
    in full on every run (builds_incrementally, macros/incremental). -#}
{%- set incremental = builds_incrementally() -%}
{{
    config(
        materialized='incremental' if incremental else 'table',
        unique_key='conversation_key',
        incremental_strategy='merge' if incremental else none,
        on_schema_change='fail',
        post_hook=[
            "delete from {{ this }} where conversation_key in (
                select conversation_key from {{ ref('stg_econ_index__conversation_labels') }}
                where not is_classified
            )"
        ] if incremental else []
    )
}}

{#- One row per classified conversation. Incremental on loaded_at: a re-run or a late-arriving
    label re-writes its row (merge on conversation_key), and the post-hook drops conversations
    whose latest label is no longer `classified`, so an incremental run equals a full refresh. -#}

with labels as (
    select
        conversation_key,
        user_key,
        created_at,
        onet_task_id,
        onet_version,
        collaboration_pattern,
        confidence,
        is_redacted,
        classifier_name,
        classifier_version,
        run_id,
        loaded_at
    from {{ ref('stg_econ_index__conversation_labels') }}
    where
        is_classified
    {% if is_incremental() %}
        and loaded_at >= (
            select
                coalesce(
                    max(this_run.loaded_at), cast('1900-01-01' as timestamp)
                ) as max_loaded_at
            from {{ this }} as this_run
        )
    {% endif %}
)

select
    conversation_key,
    user_key,
    created_at,
    {{ period_start('day', 'created_at') }} as period_day,
    {{ period_start('week', 'created_at') }} as period_week,
    {{ period_start('month', 'created_at') }} as period_month,
    onet_task_id,
    onet_version,
    collaboration_pattern,
    {{ is_automation('collaboration_pattern') }} as is_automation,
    {{ is_augmentation('collaboration_pattern') }} as is_augmentation,
    confidence,
    is_redacted,
    classifier_name,
    classifier_version,
    run_id,
    loaded_at
from labels
