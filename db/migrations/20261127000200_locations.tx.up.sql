-- CUS-1, LOC-1..13: customers and their locations (the systems licenses are bound to).

-- Substring search over names and Hardware Key Codes (LOC type-ahead) uses trigram indexes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

--bun:split

CREATE TABLE customers (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id     uuid NOT NULL REFERENCES partners (id),
    name           text NOT NULL CHECK (btrim(name) <> ''),
    street         text NOT NULL DEFAULT '',
    city           text NOT NULL DEFAULT '',
    state          text NOT NULL DEFAULT '',
    country        text NOT NULL DEFAULT '',
    zip            text NOT NULL DEFAULT '',
    contact_name   text NOT NULL DEFAULT '',
    contact_phone  text NOT NULL DEFAULT '',
    contact_email  text NOT NULL DEFAULT '',
    eula_email     text NOT NULL DEFAULT '',
    reference_note text NOT NULL DEFAULT '',
    search_text    text GENERATED ALWAYS AS (lower(name || ' ' || reference_note)) STORED,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_partner_name_idx ON customers (partner_id, lower(name), id);
CREATE INDEX customers_search_idx ON customers USING gin (search_text gin_trgm_ops);

--bun:split

CREATE TABLE locations (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id                  uuid NOT NULL REFERENCES partners (id),
    customer_id                 uuid NOT NULL REFERENCES customers (id),
    parent_id                   uuid REFERENCES locations (id),
    child_kind                  text CHECK (child_kind IN ('LMC', 'SR_MGC', 'REDUNDANT')),
    system_type                 text NOT NULL REFERENCES system_types (code),
    name                        text NOT NULL CHECK (btrim(name) <> ''),
    street                      text NOT NULL DEFAULT '',
    city                        text NOT NULL DEFAULT '',
    state                       text NOT NULL DEFAULT '',
    country                     text NOT NULL DEFAULT '',
    zip                         text NOT NULL DEFAULT '',
    hardware_key_code           text NOT NULL,
    secondary_hardware_key_code text,
    hwkc_source                 text NOT NULL,
    full_computer_name          text,
    domain_name                 text,
    mac_address                 text CHECK (mac_address ~ '^[0-9A-F]{12}$'),
    small_enterprise            boolean NOT NULL DEFAULT false,
    product_key                 text,
    hardware_version            text NOT NULL DEFAULT '',
    software_version            text NOT NULL DEFAULT '',
    customer_email              text NOT NULL DEFAULT '',
    dealer_email                text NOT NULL DEFAULT '',
    reference_note              text NOT NULL DEFAULT '',
    vertical                    text NOT NULL DEFAULT 'NONE',
    search_text                 text GENERATED ALWAYS AS (lower(
                                    name || ' ' || hardware_key_code || ' ' ||
                                    coalesce(secondary_hardware_key_code, '') || ' ' ||
                                    coalesce(full_computer_name, '') || ' ' || coalesce(domain_name, ''))) STORED,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    deleted_at                  timestamptz,
    CONSTRAINT locations_child_check CHECK ((parent_id IS NULL) = (child_kind IS NULL)),
    CONSTRAINT locations_not_own_parent_check CHECK (parent_id <> id)
);
CREATE INDEX locations_partner_name_idx ON locations (partner_id, lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX locations_customer_name_idx ON locations (customer_id, lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX locations_parent_idx ON locations (parent_id, created_at, id) WHERE parent_id IS NOT NULL;
CREATE INDEX locations_search_idx ON locations USING gin (search_text gin_trgm_ops) WHERE deleted_at IS NULL;
-- One LMC child and one redundant secondary per location; any number of SR-MGC children.
CREATE UNIQUE INDEX locations_one_child_of_kind_key ON locations (parent_id, child_kind)
    WHERE child_kind IN ('LMC', 'REDUNDANT') AND deleted_at IS NULL;

--bun:split

-- LOC-2: a Hardware Key Code (primary, secondary or temporary key) belongs to at most one live
-- location. Every code a live location holds has a row here, so the primary key enforces the
-- rule across both columns of locations and whatever requests race.
CREATE TABLE hardware_key_codes (
    code        text PRIMARY KEY,
    location_id uuid NOT NULL REFERENCES locations (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    role        text NOT NULL CHECK (role IN ('PRIMARY', 'SECONDARY')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT hardware_key_codes_location_role_key UNIQUE (location_id, role)
);
