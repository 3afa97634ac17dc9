-- Which devices to erase: every serial number that any customer landing line of an erased email
-- names, whoever else claims the device, since its readings could be the erased person's. A
-- step-trainer reading of one of these keeps nothing but its landing file.
select distinct devices.serial_number

from {{ ref('base_stedi__customer_identities') }} as devices
inner join {{ ref('erased_emails') }} as erased
    on devices.email = erased.email
where devices.serial_number is not null
