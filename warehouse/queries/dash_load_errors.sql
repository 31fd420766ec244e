-- dash_load_errors: files that failed to load, newest first.
SELECT failed_at, file_name, error, sha256 FROM load_errors ORDER BY failed_at DESC, file_name;
