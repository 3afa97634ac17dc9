-- Every trusted reading belongs to a trusted customer (the inner join in readings_trusted).
select readings.reading_id
from {{ ref('readings_trusted') }} as readings
left join {{ ref('customer_trusted') }} as customers
    on readings.email = customers.email
where customers.email is null
