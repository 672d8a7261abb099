package store

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/ewsconnector/ews_connector/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// newStore opens a migrated store on a fresh database.
func newStore(t testing.TB) *Store {
	t.Helper()
	s := openStore(t, pgtest.DSN(t))
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate() = %v", err)
	}
	return s
}

func openStore(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestOpenBadDSN(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, "postgres://u:hunter2@127.0.0.1:1/x?connect_timeout=2", nil); err == nil {
		t.Fatalf("Open(unreachable) = nil error")
	} else if bytes.Contains([]byte(err.Error()), []byte("hunter2")) {
		t.Fatalf("Open error reveals the password: %v", err)
	}
	if _, err := Open(ctx, "postgres://u:hunter2@[bad", nil); err == nil {
		t.Fatalf("Open(malformed) = nil error")
	} else if bytes.Contains([]byte(err.Error()), []byte("hunter2")) {
		t.Fatalf("Open error reveals the password: %v", err)
	}
}

func TestInTxCommitsOrRollsBack(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.CreateAccount(ctx, &Account{UserID: "alice", Endpoint: "https://x/EWS/Exchange.asmx"}); err != nil {
			t.Fatalf("CreateAccount in tx = %v", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx() = %v, want boom", err)
	}
	if as, err := s.Accounts(ctx, "alice"); err != nil || len(as) != 0 {
		t.Fatalf("Accounts after rollback = %d, %v; want 0", len(as), err)
	}
	err = s.InTx(ctx, func(tx *Tx) error {
		return tx.CreateAccount(ctx, &Account{UserID: "alice", Endpoint: "https://x/EWS/Exchange.asmx"})
	})
	if err != nil {
		t.Fatalf("InTx() = %v", err)
	}
	if as, err := s.Accounts(ctx, "alice"); err != nil || len(as) != 1 {
		t.Fatalf("Accounts after commit = %d, %v; want 1", len(as), err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping() = %v", err)
	}
}
