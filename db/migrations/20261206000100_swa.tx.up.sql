-- Software Assurance, part 1 (SPEC.md SWA-1..9, SWA-14).
--
-- SWA units are shipped into a partner's SWA unit bin as orders with an expiry date (SWA-1, SWA-2).
-- An order's units are available, allocated (reserved by a pending activation, SWA-8) or consumed
-- (taken by an activated agreement): available + allocated + consumed = shipped at every moment.
CREATE TABLE swa_unit_orders (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id     uuid NOT NULL REFERENCES partners (id),
    sales_order    text NOT NULL CHECK (length(sales_order) BETWEEN 1 AND 100),
    purchase_order text NOT NULL CHECK (length(purchase_order) BETWEEN 1 AND 100),
    part_number    text NOT NULL REFERENCES parts (number),
    shipped        int NOT NULL CHECK (shipped > 0),
    available      int NOT NULL CHECK (available >= 0),
    allocated      int NOT NULL DEFAULT 0 CHECK (allocated >= 0),
    consumed       int NOT NULL DEFAULT 0 CHECK (consumed >= 0),
    expires_on     date NOT NULL,
    shipped_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    search_text    text GENERATED ALWAYS AS (lower(purchase_order || ' ' || sales_order)) STORED,
    CONSTRAINT swa_unit_orders_conserved CHECK (available + allocated + consumed = shipped),
    CONSTRAINT swa_unit_orders_sales_order_key UNIQUE (partner_id, sales_order)
);
-- The bin lists a partner's unexpired orders first-expiring-first (FEFO), the order units are taken in.
CREATE INDEX swa_unit_orders_bin_idx ON swa_unit_orders (partner_id, expires_on, id);

-- An assignment of SWA to a location's application (SWA-7): PENDING during the cooling-off period
-- (SWA-8), then ACTIVATED exactly once (by the due job or "Process immediately") or CANCELLED.
CREATE TABLE swa_activations (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id          uuid NOT NULL REFERENCES partners (id),
    location_id         uuid NOT NULL REFERENCES locations (id),
    application         text NOT NULL REFERENCES swa_applications (code),
    term_months         int NOT NULL CHECK (term_months > 0),
    term_units          int NOT NULL CHECK (term_units >= 0),
    lapsed_months       int NOT NULL DEFAULT 0 CHECK (lapsed_months >= 0),
    reinstatement_units int NOT NULL DEFAULT 0 CHECK (reinstatement_units >= 0),
    reference_note      text NOT NULL DEFAULT '',
    -- The day the quote was made: the agreement gets the dates it quoted (SWA-6).
    quoted_on           date NOT NULL,
    status              text NOT NULL CHECK (status IN ('PENDING', 'ACTIVATED', 'CANCELLED')),
    requested_by        uuid REFERENCES users (id),
    requested_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    due_at              timestamptz NOT NULL,
    resolved_by         uuid REFERENCES users (id),
    resolved_at         timestamptz,
    -- The reason given for "Process immediately", or for a cancellation.
    reason              text NOT NULL DEFAULT '',
    CONSTRAINT swa_activations_resolved CHECK ((status = 'PENDING') = (resolved_at IS NULL))
);
-- One pending activation per location and application.
CREATE UNIQUE INDEX swa_activations_one_pending ON swa_activations (location_id, application) WHERE status = 'PENDING';
CREATE INDEX swa_activations_partner_idx ON swa_activations (partner_id, status, due_at);

-- The units an activation holds, per unit order they came from: allocated while it is pending,
-- consumed once activated, given back to the same orders when it is cancelled.
CREATE TABLE swa_allocations (
    activation_id uuid NOT NULL REFERENCES swa_activations (id),
    unit_order_id uuid NOT NULL REFERENCES swa_unit_orders (id),
    quantity      int NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (activation_id, unit_order_id)
);
CREATE INDEX swa_allocations_order_idx ON swa_allocations (unit_order_id);

-- An SWA agreement period of a location's application (SWA-3, SWA-6): the agreement number
-- ("50" + agreement code + "-" + 4 letters + 5 digits) with its suffix (N new, W reinstated; part 2
-- adds R01, R02, … renewals of the same number), its dates and the units it took.
CREATE TABLE swa_agreements (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id          uuid NOT NULL REFERENCES partners (id),
    location_id         uuid NOT NULL REFERENCES locations (id),
    application         text NOT NULL REFERENCES swa_applications (code),
    number              text NOT NULL CHECK (number ~ '^50[0-9A-Z]{3}-[A-Z]{4}[0-9]{5}$'),
    suffix              text NOT NULL CHECK (suffix ~ '^(N|W|R[0-9]{2})$'),
    starts_on           date NOT NULL,
    ends_on             date NOT NULL,
    term_months         int NOT NULL CHECK (term_months > 0),
    units               int NOT NULL CHECK (units >= 0),
    reinstatement_units int NOT NULL DEFAULT 0 CHECK (reinstatement_units >= 0),
    reference_note      text NOT NULL DEFAULT '',
    activation_id       uuid UNIQUE REFERENCES swa_activations (id),
    created_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT swa_agreements_number_key UNIQUE (number, suffix),
    CONSTRAINT swa_agreements_dates CHECK (starts_on <= ends_on)
);
CREATE INDEX swa_agreements_location_idx ON swa_agreements (location_id, application, ends_on DESC);

-- Reminders sent once per subject and kind (SWA-9): a grace period's end (subject: the location
-- and application's first activation) or an agreement's end (subject: the agreement).
CREATE TABLE swa_reminders (
    kind        text NOT NULL CHECK (kind IN ('GRACE_ENDING', 'AGREEMENT_ENDING')),
    location_id uuid NOT NULL REFERENCES locations (id),
    application text NOT NULL REFERENCES swa_applications (code),
    subject     text NOT NULL,
    sent_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (kind, location_id, application, subject)
);
