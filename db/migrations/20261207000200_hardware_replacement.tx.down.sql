DROP INDEX license_files_emergency_idx;
DROP TABLE hardware_replacement_requests;
DELETE FROM license_files WHERE reason IN ('EMERGENCY', 'HARDWARE_REPLACEMENT');
ALTER TABLE license_files
    DROP CONSTRAINT license_files_demo_expiry_check,
    ADD CONSTRAINT license_files_demo_expiry_check CHECK (reason <> 'DEMO' OR status <> 'READY' OR expires_at IS NOT NULL),
    DROP CONSTRAINT license_files_demo_check,
    ADD CONSTRAINT license_files_demo_check CHECK (expires_at IS NULL OR reason = 'DEMO'),
    DROP CONSTRAINT license_files_bound_code_check,
    DROP COLUMN hardware_key_code,
    DROP CONSTRAINT license_files_reason_check,
    ADD CONSTRAINT license_files_reason_check
        CHECK (reason IN ('ACTIVATION', 'REGENERATION', 'VIRTUAL_HARDWARE_KEY_CODE', 'DEMO', 'EXTERNAL'));
