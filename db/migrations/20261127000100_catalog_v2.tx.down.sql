ALTER TABLE system_types
    DROP COLUMN IF EXISTS secondary_type,
    DROP COLUMN IF EXISTS product_key_format,
    DROP COLUMN IF EXISTS product_key_required_for;
