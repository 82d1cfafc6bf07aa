-- int_data_coverage is one row, its first day not after its last: periods are dated by it.
select
    count(*) as n_rows,
    max(case when first_date > last_date then 1 else 0 end) as is_reversed
from {{ ref('int_data_coverage') }}
having count(*) != 1 or max(case when first_date > last_date then 1 else 0 end) = 1
