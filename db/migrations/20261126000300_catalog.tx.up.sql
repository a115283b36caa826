-- Catalog (SPEC.md CAT-1..CAT-3, SWA-3, SWA-4): system types, license parts, SWA applications and
-- SWA term factors. The rows are data: catalog.Sync upserts the catalog file shipped with the
-- binary, and an admin may add rows that the file does not hold.

CREATE TABLE swa_applications (
    code               text        PRIMARY KEY,
    name               text        NOT NULL,
    agreement_code     char(3)     NOT NULL,
    system_types       text[]      NOT NULL DEFAULT '{}',
    terms              int[]       NOT NULL,
    max_renewal_months int         NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT swa_applications_agreement_code_key UNIQUE (agreement_code),
    CONSTRAINT swa_applications_agreement_code_check CHECK (agreement_code ~ '^[0-9A-Z]{3}$'),
    CONSTRAINT swa_applications_terms_check CHECK (cardinality(terms) > 0 AND 0 < ALL (terms)),
    CONSTRAINT swa_applications_max_renewal_months_check CHECK (max_renewal_months > 0)
);

--bun:split

CREATE TABLE system_types (
    code              text        PRIMARY KEY,
    name              text        NOT NULL,
    hwkc_format       text        NOT NULL,
    hwkc_examples     text[]      NOT NULL DEFAULT '{}',
    hwkc_prefix       text        NOT NULL,
    hwkc_sources      text[]      NOT NULL DEFAULT '{}',
    temp_key_format   text,
    flags             text[]      NOT NULL DEFAULT '{}',
    swa_application   text        REFERENCES swa_applications (code),
    demo_licenses     int         NOT NULL DEFAULT 0,
    demo_license_days int         NOT NULL DEFAULT 0,
    migrates_to       text[]      NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT system_types_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
    CONSTRAINT system_types_hwkc_format_check CHECK (hwkc_format LIKE '^%$'),
    CONSTRAINT system_types_hwkc_prefix_check CHECK (hwkc_prefix ~ '^[0-9A-Z]{2}$'),
    CONSTRAINT system_types_hwkc_sources_check CHECK (cardinality(hwkc_sources) > 0),
    CONSTRAINT system_types_demo_check CHECK (demo_licenses >= 0 AND demo_license_days >= 0)
);

--bun:split

CREATE TABLE parts (
    number          text          PRIMARY KEY,
    name            text          NOT NULL,
    system_types    text[]        NOT NULL DEFAULT '{}',
    stacking        text          NOT NULL,
    version         int,
    swa_weight      numeric(10,4) NOT NULL DEFAULT 0,
    max_per_system  int,
    flags           text[]        NOT NULL DEFAULT '{}',
    swa_application text          REFERENCES swa_applications (code),
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT parts_stacking_check CHECK (stacking IN ('QUANTITY', 'VERSION')),
    CONSTRAINT parts_version_check CHECK ((stacking = 'VERSION') = (version IS NOT NULL AND version > 0)),
    CONSTRAINT parts_swa_weight_check CHECK (swa_weight >= 0),
    CONSTRAINT parts_max_per_system_check CHECK (max_per_system IS NULL OR max_per_system > 0)
);

--bun:split

CREATE TABLE swa_term_factors (
    months     int          PRIMARY KEY,
    factor     numeric(6,4) NOT NULL,
    created_at timestamptz  NOT NULL DEFAULT now(),
    updated_at timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT swa_term_factors_months_check CHECK (months > 0),
    CONSTRAINT swa_term_factors_factor_check CHECK (factor > 0 AND factor <= 1)
);

--bun:split

-- One row: the version of the catalog file last synced, so that an older binary does not
-- overwrite a newer catalog.
CREATE TABLE catalog_meta (
    singleton boolean     PRIMARY KEY DEFAULT true,
    version   int         NOT NULL,
    synced_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT catalog_meta_singleton_check CHECK (singleton)
);
