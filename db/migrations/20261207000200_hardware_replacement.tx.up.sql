-- Hardware replacement (HWR-1, HWR-2). A partner files a request (old HWKC, new HWKC, reason) that the
-- license desk completes or rejects; the request yields at once an emergency license file for the new
-- HWKC (beyond the guide: it expires 14 days after the request, at most two per location in 12 months).
CREATE TABLE hardware_replacement_requests (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    location_id           uuid NOT NULL REFERENCES locations (id),
    -- The location's partner, who filed it (a distributor reads its dealers' requests, ACT-4).
    partner_id            uuid NOT NULL REFERENCES partners (id),
    old_hardware_key_code text NOT NULL,
    new_hardware_key_code text NOT NULL CHECK (new_hardware_key_code <> old_hardware_key_code),
    reason                text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    status                text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'COMPLETED', 'REJECTED')),
    -- Who filed and who resolved it, as named then (the partner may not see the license desk's users).
    requested_by          uuid REFERENCES users (id),
    requested_by_label    jsonb NOT NULL,
    requested_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    emergency_file_id     uuid REFERENCES license_files (id),
    -- Why no emergency file came with the request: {code, message} (LIMIT_EXCEEDED, NOT_APPLICABLE).
    emergency_refusal     jsonb,
    resolved_by           uuid REFERENCES users (id),
    resolved_by_label     jsonb,
    resolved_at           timestamptz,
    resolution            text NOT NULL DEFAULT '' CHECK (length(resolution) <= 2000),
    -- The permanent file for the new HWKC, once completed (none when nothing is activated).
    license_file_id       uuid REFERENCES license_files (id),
    CONSTRAINT hardware_replacement_requests_emergency_check CHECK (emergency_file_id IS NULL OR emergency_refusal IS NULL),
    CONSTRAINT hardware_replacement_requests_resolved_check
        CHECK ((status = 'PENDING') = (resolved_at IS NULL) AND (resolved_at IS NULL) = (resolved_by_label IS NULL)),
    CONSTRAINT hardware_replacement_requests_rejected_check CHECK (status <> 'REJECTED' OR resolution <> '')
);
-- One open request per location, and one pending claim on a new HWKC (two sites cannot both get
-- emergency files for the same hardware).
CREATE UNIQUE INDEX hardware_replacement_requests_pending_location_key ON hardware_replacement_requests (location_id)
    WHERE status = 'PENDING';
CREATE UNIQUE INDEX hardware_replacement_requests_pending_code_key ON hardware_replacement_requests (new_hardware_key_code)
    WHERE status = 'PENDING';
-- The queue: the license desk's by status, a partner's (and its dealers') by partner, oldest first.
CREATE INDEX hardware_replacement_requests_status_idx ON hardware_replacement_requests (status, requested_at, id);
CREATE INDEX hardware_replacement_requests_partner_idx ON hardware_replacement_requests (partner_id, requested_at, id);

--bun:split

-- An emergency file is bound to the new HWKC of its request, not to its location's, and expires like a
-- demo file; the permanent file after a replacement has its own reason. Neither emergency nor demo
-- files are ever a location's current file.
ALTER TABLE license_files DROP CONSTRAINT license_files_reason_check;
ALTER TABLE license_files
    ADD CONSTRAINT license_files_reason_check
        CHECK (reason IN ('ACTIVATION', 'REGENERATION', 'VIRTUAL_HARDWARE_KEY_CODE', 'DEMO', 'EXTERNAL',
                          'EMERGENCY', 'HARDWARE_REPLACEMENT')),
    ADD COLUMN hardware_key_code text,
    ADD CONSTRAINT license_files_bound_code_check CHECK ((reason = 'EMERGENCY') = (hardware_key_code IS NOT NULL)),
    DROP CONSTRAINT license_files_demo_check,
    ADD CONSTRAINT license_files_demo_check CHECK (expires_at IS NULL OR reason IN ('DEMO', 'EMERGENCY')),
    DROP CONSTRAINT license_files_demo_expiry_check,
    ADD CONSTRAINT license_files_demo_expiry_check
        CHECK (reason NOT IN ('DEMO', 'EMERGENCY') OR status <> 'READY' OR expires_at IS NOT NULL);
-- Counting a location's emergency files of the last 12 months.
CREATE INDEX license_files_emergency_idx ON license_files (location_id, requested_at) WHERE reason = 'EMERGENCY';
