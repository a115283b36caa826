DROP TABLE IF EXISTS catalog_meta;

--bun:split

DROP TABLE IF EXISTS parts;

--bun:split

DROP TABLE IF EXISTS system_types;

--bun:split

DROP TABLE IF EXISTS swa_term_factors;

--bun:split

DROP TABLE IF EXISTS swa_applications;
