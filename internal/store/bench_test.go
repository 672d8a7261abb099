package store

import (
	"context"
	"fmt"
	"testing"
)

// benchLink returns a store and a link holding n correlations.
func benchLink(b *testing.B, n int) (*Store, Link) {
	b.Helper()
	s := newStore(b)
	ctx := context.Background()
	a := Account{UserID: "bench", Endpoint: "https://x/EWS/Exchange.asmx"}
	if err := s.CreateAccount(ctx, &a); err != nil {
		b.Fatal(err)
	}
	l := Link{AccountID: a.ID, UserID: "bench", Kind: KindContacts, RemoteFolderID: "F", LocalHref: "/c/"}
	if err := s.CreateLink(ctx, &l); err != nil {
		b.Fatal(err)
	}
	cs := make([]Correlation, n)
	for i := range cs {
		cs[i] = corr(l.ID, i)
	}
	if err := s.UpsertCorrelations(ctx, cs); err != nil {
		b.Fatal(err)
	}
	return s, l
}

// BenchmarkUpsertCorrelationsPage writes a page of 512 correlations (the
// SyncFolderItems page size) and its sync state in one transaction.
func BenchmarkUpsertCorrelationsPage(b *testing.B) {
	s, l := benchLink(b, 0)
	ctx := context.Background()
	page := make([]Correlation, 512)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range page {
			page[j] = corr(l.ID, j)
			page[j].LocalETag = fmt.Sprintf(`"%d"`, i)
		}
		err := s.InTx(ctx, func(tx *Tx) error {
			if err := tx.UpsertCorrelations(ctx, page); err != nil {
				return err
			}
			return tx.SetRemoteSyncState(ctx, l.ID, fmt.Sprint(i))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(page)), "µs/item")
}

// BenchmarkCorrelationsByRemoteIDs looks up a page of 512 changed items in a
// link of 5,000.
func BenchmarkCorrelationsByRemoteIDs(b *testing.B) {
	s, l := benchLink(b, 5000)
	ctx := context.Background()
	ids := make([]string, 512)
	for i := range ids {
		ids[i] = corr(l.ID, i*9).RemoteID
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := s.CorrelationsByRemoteIDs(ctx, l.ID, ids)
		if err != nil || len(got) != 512 {
			b.Fatalf("CorrelationsByRemoteIDs() = %d, %v", len(got), err)
		}
	}
}

// BenchmarkCorrelationsLoad reads all 5,000 correlations of a link.
func BenchmarkCorrelationsLoad(b *testing.B) {
	s, l := benchLink(b, 5000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, err := s.Correlations(ctx, l.ID)
		if err != nil || len(got) != 5000 {
			b.Fatalf("Correlations() = %d, %v", len(got), err)
		}
	}
}
