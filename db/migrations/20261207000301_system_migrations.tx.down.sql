ALTER TABLE licenses DROP CONSTRAINT IF EXISTS licenses_migration_check, DROP COLUMN IF EXISTS migration_id;

--bun:split

DROP TABLE IF EXISTS system_migrations;
