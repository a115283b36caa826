-- ACT-1..7: partners, users, shipping allowances, API tokens, audit trail,
-- and the record of every email sent (§9).

CREATE TABLE partners (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        text NOT NULL CHECK (kind IN ('VENDOR', 'DISTRIBUTOR', 'DEALER')),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    email       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX partners_name_key ON partners (lower(name));
CREATE INDEX partners_created_at_idx ON partners (created_at, id);

CREATE TABLE users (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id  uuid NOT NULL REFERENCES partners (id),
    email       text NOT NULL CHECK (email LIKE '%_@_%'),
    name        text NOT NULL,
    roles       text[] NOT NULL DEFAULT '{USER}'
                CHECK (roles <@ ARRAY['USER', 'SWA_ADMIN', 'ADMIN']::text[]),
    disabled_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_partner_idx ON users (partner_id, created_at, id);

-- ACT-4: a distributor may reship to, and impersonate users of, a dealer.
CREATE TABLE shipping_allowances (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    distributor_id uuid NOT NULL REFERENCES partners (id),
    dealer_id      uuid NOT NULL REFERENCES partners (id),
    granted_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT shipping_allowances_pair_key UNIQUE (distributor_id, dealer_id),
    CHECK (distributor_id <> dealer_id)
);
CREATE INDEX shipping_allowances_dealer_idx ON shipping_allowances (dealer_id);

-- ACT-6: bearer tokens, stored only as a SHA-256 hash. An impersonation token
-- acts as user_id and carries the distributor user in impersonator_id (ACT-5).
CREATE TABLE api_tokens (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid NOT NULL REFERENCES users (id),
    impersonator_id uuid REFERENCES users (id),
    name            text NOT NULL,
    token_hash      bytea NOT NULL,
    prefix          text NOT NULL,
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz,
    revoked_at      timestamptz,
    last_used_at    timestamptz,
    CONSTRAINT api_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at, id);
CREATE INDEX api_tokens_impersonator_idx ON api_tokens (impersonator_id) WHERE impersonator_id IS NOT NULL;

-- ACT-7: one row per state-changing mutation, written in its transaction.
CREATE TABLE audit_events (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- The tenants whose trail shows the event: the partner whose data changed
    -- and, when impersonating, the distributor that acted.
    partner_ids             uuid[] NOT NULL DEFAULT '{}',
    actor_id                uuid REFERENCES users (id),
    impersonator_id         uuid REFERENCES users (id),
    impersonator_partner_id uuid REFERENCES partners (id),
    -- Who acted, as they were named then: the trail stays readable when users
    -- change, and shows identities the reader cannot otherwise look up.
    actor_label             jsonb,
    impersonator_label      jsonb,
    action                  text NOT NULL,
    object_ids              text[] NOT NULL DEFAULT '{}',
    summary                 jsonb NOT NULL DEFAULT '{}',
    request_id              text NOT NULL DEFAULT '',
    created_at              timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX audit_events_created_idx ON audit_events (created_at DESC, id DESC);
CREATE INDEX audit_events_partner_ids_idx ON audit_events USING gin (partner_ids);

-- §9: every email, rendered when its cause commits, sent by a River job.
CREATE TABLE emails (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id  uuid REFERENCES partners (id),
    recipient   text NOT NULL,
    template    text NOT NULL,
    subject     text NOT NULL,
    text_body   text NOT NULL,
    html_body   text NOT NULL,
    status      text NOT NULL DEFAULT 'QUEUED'
                CHECK (status IN ('QUEUED', 'SENT', 'RECORDED', 'FAILED')),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    sent_at     timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX emails_partner_idx ON emails (partner_id, created_at DESC, id DESC);
CREATE INDEX emails_created_idx ON emails (created_at DESC, id DESC);
