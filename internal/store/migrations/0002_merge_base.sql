-- 0002: the merge base of each correlation.
-- Append-only: never edit this file once released; add 0003_*.sql instead.

-- The canonical form of the Exchange item as of the last sync (contacts:
-- contact.Canonical.Bytes), the base of the next three-way merge into the
-- vCard. NULL until the engine first records one.
ALTER TABLE correlations ADD COLUMN merge_base bytea;
