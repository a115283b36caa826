-- A renewal (SWA-10) takes its units like an assignment does, through an activation that holds
-- them, so units are conserved by the one FEFO and settle code; a renewal is not cooled off: it is
-- ACTIVATED from the start, and its agreement keeps the renewed agreement's number with the next
-- suffix R01, R02, …
ALTER TABLE swa_activations
    ADD COLUMN kind text NOT NULL DEFAULT 'ASSIGNMENT' CHECK (kind IN ('ASSIGNMENT', 'RENEWAL')),
    ADD CONSTRAINT swa_activations_renewal_not_cooled_off CHECK (kind = 'ASSIGNMENT' OR status = 'ACTIVATED');
