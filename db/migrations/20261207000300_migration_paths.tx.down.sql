ALTER TABLE system_types ADD COLUMN IF NOT EXISTS migrates_to text[] NOT NULL DEFAULT '{}';

--bun:split

UPDATE system_types AS st SET migrates_to = mp.targets
FROM (SELECT from_system_type, array_agg(to_system_type ORDER BY to_system_type) AS targets
      FROM migration_paths GROUP BY from_system_type) AS mp
WHERE mp.from_system_type = st.code;

--bun:split

DROP TABLE IF EXISTS migration_paths;
