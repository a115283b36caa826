-- DECT-3: the license export of a DECT Manager that a partner uploads to register the licenses
-- of an IP DECT system from before Release 6. A worker parses it (PARSING → PREVIEW with its
-- lines, or FAILED with the guide's code); Import turns the preview's lines into activated
-- licenses with their own purchase and sales order M-1<yyyymmdd><nnn> (IMPORTED). A location
-- takes one upload that is not FAILED: a refused file may be corrected and uploaded again.
CREATE TABLE dect_uploads (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    location_id     uuid NOT NULL REFERENCES locations (id),
    partner_id      uuid NOT NULL REFERENCES partners (id),
    status          text NOT NULL CHECK (status IN ('PARSING', 'PREVIEW', 'FAILED', 'IMPORTED')),
    file_name       text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    content         bytea NOT NULL,
    sha256          text NOT NULL,
    size            int NOT NULL,
    uploaded_by     uuid REFERENCES users (id),
    uploaded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    parsed_at       timestamptz,
    -- PREVIEW and IMPORTED: what the file says. lines is [{"partNumber", "quantity"}], in the
    -- order of the file.
    hardware_key_code text,
    release         int,
    exported_at     timestamptz,
    lines           jsonb NOT NULL DEFAULT '[]',
    -- FAILED: the guide's code, the line (0: the whole file) and the message.
    error_code      text,
    error_line      int,
    error_message   text,
    -- IMPORTED.
    order_number    text,
    imported_by     uuid REFERENCES users (id),
    imported_at     timestamptz,
    license_file_id uuid REFERENCES license_files (id),
    CONSTRAINT dect_uploads_size_check CHECK (size > 0 AND size = length(content)),
    CONSTRAINT dect_uploads_parsed_check CHECK ((status IN ('PREVIEW', 'IMPORTED'))
        = (hardware_key_code IS NOT NULL AND release IS NOT NULL AND exported_at IS NOT NULL AND jsonb_array_length(lines) > 0)),
    CONSTRAINT dect_uploads_failed_check CHECK ((status = 'FAILED') = (error_code IS NOT NULL AND error_message IS NOT NULL)),
    CONSTRAINT dect_uploads_imported_check CHECK ((status = 'IMPORTED')
        = (order_number IS NOT NULL AND imported_at IS NOT NULL AND license_file_id IS NOT NULL))
);
-- Allowed once (DECT-3): a second upload is refused unless the first was FAILED.
CREATE UNIQUE INDEX dect_uploads_once_idx ON dect_uploads (location_id) WHERE status <> 'FAILED';
CREATE INDEX dect_uploads_location_idx ON dect_uploads (location_id, uploaded_at DESC, id DESC);

-- The last number given out per series and day of the order numbers LMS makes up for licenses
-- without a purchase order of their own: a DECT import's M-1<yyyymmdd><nnn> (series M-1), a
-- migration's MIGSU_<yyyymmdd><nn> (series MIGSU). Taking the next one locks the day's row until
-- the transaction ends, so concurrent requests number one after the other and a rolled-back one
-- gives its number back (inventory.NextOrderNumber).
CREATE TABLE order_number_counters (
    series text NOT NULL,
    day    date NOT NULL,
    last   int  NOT NULL CHECK (last > 0),
    PRIMARY KEY (series, day)
);
