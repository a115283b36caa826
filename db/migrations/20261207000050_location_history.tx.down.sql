DROP TABLE IF EXISTS location_history;
