-- Free-of-charge licenses have no bin line to keep them: they go with the columns.
DELETE FROM licenses WHERE order_line_id IS NULL;
DROP INDEX IF EXISTS licenses_own_order_part_key;
ALTER TABLE licenses DROP CONSTRAINT IF EXISTS licenses_own_order_check, DROP CONSTRAINT IF EXISTS licenses_order_check;
ALTER TABLE licenses DROP COLUMN IF EXISTS purchase_order, DROP COLUMN IF EXISTS sales_order;
ALTER TABLE licenses ALTER COLUMN order_line_id SET NOT NULL;
