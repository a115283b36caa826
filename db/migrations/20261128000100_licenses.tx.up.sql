-- LIC-1..9, LIC-15, LOC-6, SPEC §12: shipped orders and their lines (the license bin), the
-- licenses attached to and activated on locations, the generated license files, and the
-- idempotency keys of inventory mutations.

CREATE TABLE license_orders (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id          uuid NOT NULL REFERENCES partners (id),
    sales_order         text NOT NULL CHECK (btrim(sales_order) <> ''),
    purchase_order      text NOT NULL CHECK (btrim(purchase_order) <> ''),
    swa_duration_months int CHECK (swa_duration_months > 0),
    swa_note            text NOT NULL DEFAULT '',
    shipped_by          uuid REFERENCES users (id),
    created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    search_text         text GENERATED ALWAYS AS (lower(purchase_order || ' ' || sales_order)) STORED,
    -- Shipping the same sales order twice is a duplicate (an order import retried).
    CONSTRAINT license_orders_sales_order_key UNIQUE (partner_id, sales_order)
);
CREATE INDEX license_orders_partner_po_idx ON license_orders (partner_id, lower(purchase_order), id);

--bun:split

-- A line of a shipped order. available is what is still in the bin; the rest of shipped is held
-- by the licenses made from the line (attached or activated) and, later, by reships and
-- returns. LIC-15: shipped = available + attached + activated + reshipped + returned.
CREATE TABLE order_lines (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    order_id    uuid NOT NULL REFERENCES license_orders (id),
    partner_id  uuid NOT NULL REFERENCES partners (id),
    line_no     int NOT NULL CHECK (line_no > 0),
    part_number text NOT NULL REFERENCES parts (number),
    shipped     int NOT NULL CHECK (shipped > 0),
    available   int NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT order_lines_available_check CHECK (available BETWEEN 0 AND shipped),
    CONSTRAINT order_lines_line_key UNIQUE (order_id, line_no)
);
CREATE INDEX order_lines_bin_idx ON order_lines (partner_id, part_number, order_id) WHERE available > 0;

--bun:split

CREATE TABLE licenses (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    software_key_code text NOT NULL CHECK (software_key_code ~ '^[0-9A-Z]{20}$'),
    partner_id        uuid NOT NULL REFERENCES partners (id),
    location_id       uuid NOT NULL REFERENCES locations (id),
    order_line_id     uuid NOT NULL REFERENCES order_lines (id),
    part_number       text NOT NULL REFERENCES parts (number),
    quantity          int NOT NULL CHECK (quantity > 0),
    status            text NOT NULL CHECK (status IN ('ATTACHED', 'ACTIVATED')),
    attached_at       timestamptz NOT NULL,
    attached_by       uuid REFERENCES users (id),
    activated_at      timestamptz,
    activated_by      uuid REFERENCES users (id),
    -- The license file generation whose request activated it: generation v holds the licenses
    -- with file_version <= v, whenever its job runs.
    file_version      int,
    CONSTRAINT licenses_software_key_code_key UNIQUE (software_key_code),
    CONSTRAINT licenses_activation_check CHECK ((status = 'ACTIVATED') = (activated_at IS NOT NULL AND file_version IS NOT NULL))
);
CREATE INDEX licenses_location_idx ON licenses (location_id, status, attached_at, id);
CREATE INDEX licenses_order_line_idx ON licenses (order_line_id);
CREATE INDEX licenses_recently_attached_idx ON licenses (partner_id, attached_at DESC, id DESC) WHERE status = 'ATTACHED';
CREATE INDEX licenses_recently_activated_idx ON licenses (partner_id, activated_at DESC, id DESC) WHERE status = 'ACTIVATED';

--bun:split

-- Every generation of a location's license file is kept; the highest version is current.
CREATE TABLE license_files (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    location_id     uuid NOT NULL REFERENCES locations (id),
    partner_id      uuid NOT NULL REFERENCES partners (id),
    version         int NOT NULL CHECK (version > 0),
    reason          text NOT NULL CHECK (reason IN ('ACTIVATION', 'REGENERATION', 'VIRTUAL_HARDWARE_KEY_CODE')),
    status          text NOT NULL CHECK (status IN ('PENDING', 'READY', 'FAILED')),
    requested_by    uuid REFERENCES users (id),
    requested_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    ready_at        timestamptz,
    file_name       text,
    content         bytea,
    sha256          text,
    activation_code text,
    key_id          text,
    features        jsonb,
    error           text NOT NULL DEFAULT '',
    CONSTRAINT license_files_version_key UNIQUE (location_id, version),
    CONSTRAINT license_files_ready_check CHECK ((status = 'READY') = (content IS NOT NULL AND ready_at IS NOT NULL))
);

--bun:split

-- SPEC §12: a retried inventory mutation with the same key returns the first answer.
CREATE TABLE idempotency_keys (
    partner_id   uuid NOT NULL REFERENCES partners (id),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    operation    text NOT NULL,
    request_hash bytea NOT NULL,
    response     jsonb,
    user_id      uuid REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (partner_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

--bun:split

-- LOC-6: the LAN1 (ACT) IP address an SV9500 Standard Server's HWKC was derived from.
ALTER TABLE locations ADD COLUMN ip_address text;
