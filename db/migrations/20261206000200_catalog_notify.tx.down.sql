DROP TRIGGER IF EXISTS swa_term_factors_changed ON swa_term_factors;
DROP TRIGGER IF EXISTS parts_changed ON parts;
DROP TRIGGER IF EXISTS system_types_changed ON system_types;
DROP TRIGGER IF EXISTS swa_applications_changed ON swa_applications;
DROP FUNCTION IF EXISTS notify_catalog_changed();
