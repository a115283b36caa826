-- Issue 14: the catalog is served from memory. Every statement that changes
-- it, from a sync at start-up or an operator's hand, tells the processes
-- serving it (catalog.Serve) to reload, when its transaction commits.
CREATE FUNCTION notify_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lms_catalog_changed', TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TRIGGER swa_applications_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON swa_applications
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER system_types_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON system_types
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER parts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON parts
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER swa_term_factors_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON swa_term_factors
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
