ALTER TABLE swa_activations DROP CONSTRAINT IF EXISTS swa_activations_renewal_not_cooled_off, DROP COLUMN IF EXISTS kind;
