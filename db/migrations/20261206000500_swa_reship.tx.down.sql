DROP TABLE IF EXISTS swa_unit_order_sources;

--bun:split

ALTER TABLE swa_unit_orders
    DROP CONSTRAINT swa_unit_orders_conserved,
    DROP COLUMN reshipped_from,
    DROP COLUMN reshipped;
-- Reshipped units are gone from the distributors' orders; the rule without them holds only for
-- orders never reshipped from, so it is checked for new rows only.
ALTER TABLE swa_unit_orders
    ADD CONSTRAINT swa_unit_orders_conserved CHECK (available + allocated + consumed = shipped) NOT VALID;
