{{ config(**ledger_config()) }}
-- What the lakehouse has taken from the accelerometer landing files: read once per file, ever
-- (macros/ledger/reading_ledger.sql). A reading is a customer's; it is withheld while the
-- customer has no research consent.
{{ reading_ledger(
    records=ref('base_stedi__accelerometer_records'),
    landing='accelerometer_landing',
    key='customer_email',
    measures=[('x', 'double'), ('y', 'double'), ('z', 'double')],
    holders='select customer_email, is_withheld from ' ~ ref('withheld_customers'),
    erased=ref('erased_emails')
) }}
