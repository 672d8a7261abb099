package store

import (
	"context"
	"testing"
	"time"
)

func TestFailingCorrelations(t *testing.T) {
	t.Parallel()
	s, _, l := linkFixture(t)
	ctx := context.Background()
	for n := 1; n <= 3; n++ {
		c := corr(l.ID, n)
		if err := s.UpsertCorrelation(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.FailingCorrelations(ctx, l.ID, 10); err != nil || len(got) != 0 {
		t.Fatalf("FailingCorrelations(no failures) = %v, %v; want none", got, err)
	}
	for _, n := range []int{1, 3} {
		c := corr(l.ID, n)
		c.Failures, c.LastError, c.NextRetryAt = 1, "ews: createitem: ErrorInvalidPropertySet", time.Now().Add(time.Hour)
		if err := s.UpsertCorrelation(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.FailingCorrelations(ctx, l.ID, 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("FailingCorrelations = %d rows, %v; want 2", len(got), err)
	}
	for _, c := range got {
		if c.Failures != 1 || c.LastError == "" || c.UID == corr(l.ID, 2).UID {
			t.Errorf("failing correlation = %+v", c)
		}
	}
	if got, _ := s.FailingCorrelations(ctx, l.ID, 1); len(got) != 1 {
		t.Errorf("FailingCorrelations(limit 1) = %d rows", len(got))
	}
	if got, _ := s.FailingCorrelations(ctx, l.ID+1000, 10); len(got) != 0 {
		t.Errorf("another link's failures = %d rows, want 0", len(got))
	}
}
