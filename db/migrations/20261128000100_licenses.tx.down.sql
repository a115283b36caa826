ALTER TABLE locations DROP COLUMN IF EXISTS ip_address;

--bun:split

DROP TABLE IF EXISTS idempotency_keys;

--bun:split

DROP TABLE IF EXISTS license_files;

--bun:split

DROP TABLE IF EXISTS licenses;

--bun:split

DROP TABLE IF EXISTS order_lines;

--bun:split

DROP TABLE IF EXISTS license_orders;
