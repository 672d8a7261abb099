package store

import "context"

// FailingCorrelations returns up to limit items of a link whose last sync
// failed (failures > 0), most recently updated first, with their error: the
// "errors with their items" of the link's status.
func (q *queries) FailingCorrelations(ctx context.Context, linkID int64, limit int) ([]Correlation, error) {
	return q.queryCorrelations(ctx, "failing correlations", `SELECT `+correlationColumns+` FROM correlations
		WHERE link_id = $1 AND failures > 0 ORDER BY updated_at DESC, id LIMIT $2`, linkID, limit)
}
