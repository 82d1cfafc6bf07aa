{#- Equal-split allocation, see the doc block `equal_split_allocation`: a conversation labelled
    with Task ID T counts toward T's statement, shared equally by every task row (occupation)
    holding that statement, so each labelled task's shares sum to 1. -#}
select
    labelled.onet_task_id,
    holder.onet_soc_code,
    sum(cast(1 as {{ type_double() }}) / holder.n_statement_holders) as allocation_share
from {{ ref('stg_onet__task_statements') }} as labelled
inner join {{ ref('stg_onet__task_statements') }} as holder
    on labelled.statement_key = holder.statement_key
group by labelled.onet_task_id, holder.onet_soc_code
