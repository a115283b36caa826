DROP INDEX license_files_external_pending_idx;
DROP INDEX license_files_external_pending_key;
DELETE FROM license_files WHERE reason IN ('DEMO', 'EXTERNAL');
ALTER TABLE license_files
    DROP CONSTRAINT license_files_external_check,
    DROP CONSTRAINT license_files_demo_expiry_check,
    DROP CONSTRAINT license_files_demo_check,
    DROP COLUMN uploaded_by,
    DROP COLUMN sales_order,
    DROP COLUMN expires_at,
    DROP CONSTRAINT license_files_reason_check,
    ADD CONSTRAINT license_files_reason_check CHECK (reason IN ('ACTIVATION', 'REGENERATION', 'VIRTUAL_HARDWARE_KEY_CODE'));

--bun:split

DROP TABLE license_returns;

--bun:split

ALTER TABLE order_lines DROP CONSTRAINT order_lines_moved_check, DROP COLUMN returned, DROP COLUMN reshipped, DROP COLUMN source_line_id;

--bun:split

ALTER TABLE license_orders DROP COLUMN reshipped_from;
