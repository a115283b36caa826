DROP TABLE IF EXISTS swa_escalations;
