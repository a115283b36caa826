-- MIG-3: the system type pairs a location can be migrated along are catalog data, each with the
-- part its licenses of a part become on the new type (a part not listed stays itself, as SV9100
-- parts do between CP10 and CP20). catalog.Sync writes the file's paths; an operator may add
-- more. They replace system_types.migrates_to, which named the targets without the parts.
CREATE TABLE migration_paths (
    from_system_type text        NOT NULL REFERENCES system_types (code),
    to_system_type   text        NOT NULL REFERENCES system_types (code),
    parts            jsonb       NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (from_system_type, to_system_type),
    CONSTRAINT migration_paths_types_check CHECK (from_system_type <> to_system_type),
    CONSTRAINT migration_paths_parts_check CHECK (jsonb_typeof(parts) = 'object')
);

--bun:split

INSERT INTO migration_paths (from_system_type, to_system_type)
SELECT st.code, t.code FROM system_types AS st CROSS JOIN unnest(st.migrates_to) AS t (code);

--bun:split

ALTER TABLE system_types DROP COLUMN migrates_to;

--bun:split

-- Served from memory like the rest of the catalog (20261206000200).
CREATE TRIGGER migration_paths_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON migration_paths
  FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
