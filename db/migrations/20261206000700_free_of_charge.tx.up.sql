-- SWA-12: a free-of-charge license is attached without a bin line. It carries its own purchase
-- and sales order (FOC-<yyyymmdd>) where a license from the bin has its line's order; a
-- license has exactly one of the two. A location takes one license of a part with its own order
-- (free of charge, or imported by DECT-3 later).

ALTER TABLE licenses ALTER COLUMN order_line_id DROP NOT NULL;
ALTER TABLE licenses ADD COLUMN purchase_order text, ADD COLUMN sales_order text;
ALTER TABLE licenses ADD CONSTRAINT licenses_order_check
    CHECK ((order_line_id IS NULL) = (purchase_order IS NOT NULL AND sales_order IS NOT NULL)),
    ADD CONSTRAINT licenses_own_order_check CHECK (btrim(purchase_order) <> '' AND btrim(sales_order) <> '');
CREATE UNIQUE INDEX licenses_own_order_part_key ON licenses (location_id, part_number) WHERE order_line_id IS NULL;
