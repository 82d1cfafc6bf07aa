{#- The share groups reach every share: a share of a member of a base's group is a member
    too. Fails when a base chain grows past the two steps int_disclosure_share_groups writes
    out (a new share of a share of a share), which would leave its end published beside a
    hidden base. -#}

select
    base_groups.base_cell_id,
    shares_of_members.cell_id
from {{ ref('int_disclosure_share_groups') }} as base_groups
inner join {{ ref('int_disclosure_share_groups') }} as shares_of_members
    on base_groups.cell_id = shares_of_members.base_cell_id
left join {{ ref('int_disclosure_share_groups') }} as closed
    on
        base_groups.base_cell_id = closed.base_cell_id
        and shares_of_members.cell_id = closed.cell_id
where closed.cell_id is null
