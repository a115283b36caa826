DROP TABLE IF EXISTS swa_reminders;
DROP TABLE IF EXISTS swa_agreements;
DROP TABLE IF EXISTS swa_allocations;
DROP TABLE IF EXISTS swa_activations;
DROP TABLE IF EXISTS swa_unit_orders;
