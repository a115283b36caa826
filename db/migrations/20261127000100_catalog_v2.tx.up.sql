-- Catalog version 2 (LOC-10, LOC-11): the product key of BX/OVOC locations and the system type
-- of a redundant secondary (a MobiCall Master's is a MobiCall Supervisor).

ALTER TABLE system_types
    ADD COLUMN secondary_type           text REFERENCES system_types (code),
    ADD COLUMN product_key_format       text CHECK (product_key_format LIKE '^%$'),
    ADD COLUMN product_key_required_for text CHECK (product_key_required_for LIKE '^%$');
