-- MIG-1: a location migrated to another system type. Its activated licenses moved along, each
-- pointing at the migration, whose order number MIGSU_<yyyymmdd><nn> is then the license's
-- purchase and sales order (db.LicensePurchaseOrder); the license keeps its bin line, so the
-- bin's ledger (LIC-15) does not change and the original ("NEC") PO and SO stay readable from
-- it. The system as it was is in location_history (MIG-2).
CREATE TABLE system_migrations (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    location_id      uuid        NOT NULL REFERENCES locations (id),
    partner_id       uuid        NOT NULL REFERENCES partners (id),
    history_id       uuid        NOT NULL REFERENCES location_history (id),
    from_system_type text        NOT NULL REFERENCES system_types (code),
    to_system_type   text        NOT NULL REFERENCES system_types (code),
    order_number     text        NOT NULL,
    license_file_id  uuid        REFERENCES license_files (id),
    migrated_by      uuid        REFERENCES users (id),
    migrated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT system_migrations_history_id_key UNIQUE (history_id),
    CONSTRAINT system_migrations_order_number_key UNIQUE (order_number),
    CONSTRAINT system_migrations_order_number_check CHECK (order_number ~ '^MIGSU_[0-9]{8}[0-9]{2,}$')
);
CREATE INDEX system_migrations_location_idx ON system_migrations (location_id, migrated_at);

--bun:split

ALTER TABLE licenses ADD COLUMN migration_id uuid REFERENCES system_migrations (id),
    ADD CONSTRAINT licenses_migration_check CHECK (migration_id IS NULL OR status = 'ACTIVATED');
