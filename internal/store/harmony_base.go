package store

import (
	"context"
	"fmt"
)

// CorrelationBases returns the merge bases of the correlations ids of link
// linkID (see migration 0002), by id; a correlation without one is absent.
func (q *queries) CorrelationBases(ctx context.Context, linkID int64, ids []int64) (map[int64][]byte, error) {
	rows, err := q.db.Query(ctx, `SELECT id, merge_base FROM correlations
		WHERE link_id = $1 AND id = ANY($2) AND merge_base IS NOT NULL`, linkID, ids)
	if err != nil {
		return nil, wrap("correlation bases", err)
	}
	defer rows.Close()
	out := make(map[int64][]byte, len(ids))
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, wrap("correlation bases", err)
		}
		out[id] = b
	}
	return out, wrap("correlation bases", rows.Err())
}

// SetCorrelationBases stores the merge bases of correlations of link linkID
// (id → base) in one statement. Ids the link does not have are ignored.
func (q *queries) SetCorrelationBases(ctx context.Context, linkID int64, bases map[int64][]byte) error {
	if len(bases) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(bases))
	vals := make([][]byte, 0, len(bases))
	for id, b := range bases {
		if b == nil {
			b = []byte{}
		}
		ids = append(ids, id)
		vals = append(vals, b)
	}
	_, err := q.db.Exec(ctx, `UPDATE correlations AS c SET merge_base = x.b
		FROM unnest($2::bigint[], $3::bytea[]) AS x(id, b)
		WHERE c.link_id = $1 AND c.id = x.id`, linkID, ids, vals)
	if err != nil {
		return fmt.Errorf("store: set correlation bases: %w", mapErr(err))
	}
	return nil
}
