-- SWA reservations (SPEC.md SWA-13): a distributor, or the dealer itself, escalates a pending
-- (cooling-off) SWA assignment to the license desk with a reason. Each escalation is kept, so an
-- assignment escalated twice (by the dealer, then by its distributor) shows both; who escalated is
-- recorded as named then, like an audit event's actor, because the dealer may not see its
-- distributor's users (ACT-3).
CREATE TABLE swa_escalations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    activation_id uuid NOT NULL REFERENCES swa_activations (id),
    -- The escalating partner: the assignment's own, or a distributor with a shipping allowance for it.
    partner_id    uuid NOT NULL REFERENCES partners (id),
    user_id       uuid REFERENCES users (id),
    user_label    jsonb NOT NULL,
    reason        text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX swa_escalations_activation_idx ON swa_escalations (activation_id, created_at, id);
