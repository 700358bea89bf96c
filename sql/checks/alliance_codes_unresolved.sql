-- asset: alliance
-- severity: warn
-- description: ATOP/COW member spells whose COW code matches no armsflow entity on those dates (kept in alliance_unresolved, not dropped).
-- hint: Add the state (with its COW code and validity dates) to data_contracts/reference/entities.csv if it matters for your question.
SELECT dataset, alliance_id, cow_code, member_name, gap_start, gap_end, reason FROM alliance_unresolved
