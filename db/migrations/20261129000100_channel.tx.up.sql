-- LIC-10, LIC-12, LIC-13, LIC-15, EXT-1, EXT-3: reships from a distributor's bin into a dealer's,
-- returns back to the distributor, demo license files and externally supplied license files.

-- A reship order in a dealer's bin names the distributor it came from (LIC-12).
ALTER TABLE license_orders ADD COLUMN reshipped_from uuid REFERENCES partners (id);
CREATE INDEX license_orders_reshipped_from_idx ON license_orders (reshipped_from, created_at DESC, id DESC)
    WHERE reshipped_from IS NOT NULL;

--bun:split

-- A reshipped line knows the distributor's line it came from (returns go back there). reshipped
-- is what a line passed on to dealers and did not get back; returned is what a dealer returned
-- from it. LIC-15: shipped = available + attached + activated + reshipped + returned.
ALTER TABLE order_lines
    ADD COLUMN source_line_id uuid REFERENCES order_lines (id),
    ADD COLUMN reshipped int NOT NULL DEFAULT 0,
    ADD COLUMN returned int NOT NULL DEFAULT 0,
    ADD CONSTRAINT order_lines_moved_check CHECK (reshipped >= 0 AND returned >= 0 AND available + reshipped + returned <= shipped);
CREATE INDEX order_lines_source_idx ON order_lines (source_line_id) WHERE source_line_id IS NOT NULL;

--bun:split

-- LIC-13: a dealer returned unattached bin quantity of a reshipped line to the distributor.
CREATE TABLE license_returns (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    dealer_id      uuid NOT NULL REFERENCES partners (id),
    distributor_id uuid NOT NULL REFERENCES partners (id),
    -- The dealer's line the quantity left, and the distributor's line it went back to.
    order_line_id  uuid NOT NULL REFERENCES order_lines (id),
    source_line_id uuid NOT NULL REFERENCES order_lines (id),
    part_number    text NOT NULL REFERENCES parts (number),
    quantity       int NOT NULL CHECK (quantity > 0),
    reason         text NOT NULL DEFAULT '',
    returned_by    uuid REFERENCES users (id),
    returned_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX license_returns_distributor_idx ON license_returns (distributor_id, returned_at DESC, id DESC);
CREATE INDEX license_returns_dealer_idx ON license_returns (dealer_id, returned_at DESC, id DESC);
CREATE INDEX license_returns_line_idx ON license_returns (order_line_id);
CREATE INDEX license_returns_source_idx ON license_returns (source_line_id);

--bun:split

-- LIC-10: demo files expire; EXT-1/EXT-3: an external product's file is uploaded by the license
-- desk for a sales order, and waits as PENDING (no job) until then.
ALTER TABLE license_files DROP CONSTRAINT license_files_reason_check;
ALTER TABLE license_files
    ADD CONSTRAINT license_files_reason_check
        CHECK (reason IN ('ACTIVATION', 'REGENERATION', 'VIRTUAL_HARDWARE_KEY_CODE', 'DEMO', 'EXTERNAL')),
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN sales_order text,
    ADD COLUMN uploaded_by uuid REFERENCES users (id),
    -- Only demo files expire, and a ready demo file always does.
    ADD CONSTRAINT license_files_demo_check CHECK (expires_at IS NULL OR reason = 'DEMO'),
    ADD CONSTRAINT license_files_demo_expiry_check CHECK (reason <> 'DEMO' OR status <> 'READY' OR expires_at IS NOT NULL),
    ADD CONSTRAINT license_files_external_check CHECK ((reason = 'EXTERNAL') = (sales_order IS NOT NULL));
-- At most one external file waits for upload per location and sales order.
CREATE UNIQUE INDEX license_files_external_pending_key ON license_files (location_id, sales_order)
    WHERE reason = 'EXTERNAL' AND status = 'PENDING';
CREATE INDEX license_files_external_pending_idx ON license_files (requested_at, id)
    WHERE reason = 'EXTERNAL' AND status = 'PENDING';
