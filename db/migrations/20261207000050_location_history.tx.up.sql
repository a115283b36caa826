-- A location's history (HWR-1, MIG-2): a read-only snapshot of its system before each change that
-- replaced its hardware or migrated it to another system type — the system type, the HWKC and
-- the licenses with their original PO/SO and dates — and what it became.
CREATE TABLE location_history (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    location_id           uuid NOT NULL REFERENCES locations (id),
    partner_id            uuid NOT NULL REFERENCES partners (id),
    kind                  text NOT NULL CHECK (kind IN ('HARDWARE_REPLACED', 'MIGRATED')),
    system_type           text NOT NULL REFERENCES system_types (code),
    hardware_key_code     text NOT NULL,
    new_system_type       text NOT NULL REFERENCES system_types (code),
    new_hardware_key_code text NOT NULL,
    reason                text NOT NULL DEFAULT '',
    -- The licenses as they were: [{partNumber, partName, quantity, status, softwareKeyCode,
    -- purchaseOrder, salesOrder, attachedAt, activatedAt}], ordered by part number.
    licenses              jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(licenses) = 'array'),
    changed_by            uuid REFERENCES users (id),
    changed_at            timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX location_history_location_idx ON location_history (location_id, changed_at DESC, id DESC);
