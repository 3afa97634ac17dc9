{{ config(**ledger_config()) }}
-- What the lakehouse has taken from the step-trainer landing files: read once per file, ever
-- (macros/ledger/reading_ledger.sql). A reading is a device's; it is withheld while the device
-- has one owner and that customer has no research consent.
{{ reading_ledger(
    records=ref('base_stedi__step_trainer_records'),
    landing='step_trainer_landing',
    key='serial_number',
    measures=[('distance_from_object', 'integer')],
    holders='select serial_number, is_withheld from ' ~ ref('withheld_devices'),
    erased=ref('erased_serial_numbers')
) }}
