DROP TABLE IF EXISTS hardware_key_codes;

--bun:split

DROP TABLE IF EXISTS locations;

--bun:split

DROP TABLE IF EXISTS customers;
