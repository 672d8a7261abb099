package dav

import (
	"context"
	"fmt"
	"sync"
)

// MaxPutParallel caps PutMany's concurrency: CalDAV and CardDAV have no bulk write, and a few PUTs
// in flight per account are enough (about 30 ms effective each on a 2-core Nextcloud 32).
const MaxPutParallel = 8

// PutResult is the outcome of one PutRequest in PutMany.
type PutResult struct {
	Href string
	ETag string // the new ETag when Err is nil
	Err  error  // per-item failure, e.g. IsPreconditionFailed
}

// PutMany runs the conditional PUTs of reqs with at most parallel in flight (0 means
// DefaultPutParallel; capped at MaxPutParallel) and returns one result per request, in order. One
// failure never stops the others; once ctx is done the remaining requests fail with its error.
func (c *Client) PutMany(ctx context.Context, reqs []PutRequest, parallel int) []PutResult {
	if parallel <= 0 {
		parallel = DefaultPutParallel
	}
	parallel = min(parallel, MaxPutParallel, max(len(reqs), 1))
	out := make([]PutResult, len(reqs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = c.putOne(ctx, reqs[i])
			}
		}()
	}
	for i := range reqs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func (c *Client) putOne(ctx context.Context, pr PutRequest) (res PutResult) {
	res.Href = pr.Href
	defer func() {
		// A panic in one item (e.g. a caller's HTTPClient) must not take the batch down.
		if r := recover(); r != nil {
			res.Err = fmt.Errorf("dav: PUT %s: panic: %v", pr.Href, r)
		}
	}()
	if err := ctx.Err(); err != nil {
		res.Err = fmt.Errorf("dav: PUT %s: %w", pr.Href, err)
		return res
	}
	res.ETag, res.Err = c.Put(ctx, pr)
	return res
}
