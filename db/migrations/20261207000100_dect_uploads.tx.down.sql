DROP TABLE IF EXISTS order_number_counters;
DROP TABLE IF EXISTS dect_uploads;
