-- asset: deal
-- severity: warn
-- description: Input rows were quarantined instead of loaded (nothing is dropped: see the quarantine table).
-- hint: Run `armsflow query "select source, reason, raw_text from quarantine"` and fix the source or the aliases.
SELECT source, stage, line_no, reason FROM quarantine
