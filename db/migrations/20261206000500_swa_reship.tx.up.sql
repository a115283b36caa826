-- Reshipping SWA units (SPEC.md SWA-11): a distributor moves available units of its SWA unit
-- bin to a dealer it has a shipping allowance for. The units leave the distributor's orders as
-- reshipped: available + allocated + consumed + reshipped = shipped at every moment. They land in
-- the dealer's bin as new orders, one per expiry date of the units taken (each unit keeps its
-- expiry), which name the distributor they came from.
ALTER TABLE swa_unit_orders
    ADD COLUMN reshipped int NOT NULL DEFAULT 0 CHECK (reshipped >= 0),
    ADD COLUMN reshipped_from uuid REFERENCES partners (id),
    DROP CONSTRAINT swa_unit_orders_conserved,
    ADD CONSTRAINT swa_unit_orders_conserved CHECK (available + allocated + consumed + reshipped = shipped);

--bun:split

-- Which of the distributor's orders a reshipped order's units came from, and how many of each.
CREATE TABLE swa_unit_order_sources (
    unit_order_id   uuid NOT NULL REFERENCES swa_unit_orders (id),
    source_order_id uuid NOT NULL REFERENCES swa_unit_orders (id),
    quantity        int NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (unit_order_id, source_order_id)
);
CREATE INDEX swa_unit_order_sources_source_idx ON swa_unit_order_sources (source_order_id);
