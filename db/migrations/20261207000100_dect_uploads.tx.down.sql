DROP TABLE IF EXISTS dect_order_numbers;
DROP TABLE IF EXISTS dect_uploads;
