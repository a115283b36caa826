DROP TABLE protect_dat_files;
