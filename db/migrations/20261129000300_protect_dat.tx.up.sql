-- EXT-4: the customer's protect.dat that a partner uploads for the license desk, for a location
-- whose system type needs one (Expense Management). Every upload is kept; the newest is current.
CREATE TABLE protect_dat_files (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    location_id uuid NOT NULL REFERENCES locations (id),
    partner_id  uuid NOT NULL REFERENCES partners (id),
    file_name   text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    content     bytea NOT NULL,
    sha256      text NOT NULL,
    size        int NOT NULL,
    uploaded_by uuid REFERENCES users (id),
    uploaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT protect_dat_files_size_check CHECK (size > 0 AND size = length(content))
);
CREATE INDEX protect_dat_files_location_idx ON protect_dat_files (location_id, uploaded_at DESC, id DESC);
