-- dash_lists: every list ICE published that we hold, newest first, with ICE's own counts.
SELECT as_of, list_kind, file_name, agreements, agencies, states, jem, tfm, wso, unknown_model,
       status, as_of_basis, quality_notes, sha256
FROM snapshot_summary
ORDER BY as_of DESC, list_kind, file_name DESC;
