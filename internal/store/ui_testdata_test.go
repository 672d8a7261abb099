package store

import (
	"context"
	"errors"
	"testing"
)

func TestTestCollections(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	a := mkAccount(t, s, "alice")
	b := mkAccount(t, s, "bob")
	c := TestCollection{AccountID: a.ID, UserID: "alice", Kind: KindContacts, RemoteFolderID: "AAMkF1", LocalHref: "/remote.php/dav/addressbooks/users/alice/t/"}
	if err := s.AddTestCollection(ctx, &c); err != nil || c.ID == 0 {
		t.Fatalf("AddTestCollection() = %v, id %d", err, c.ID)
	}
	// Another user's account is not found.
	bad := TestCollection{AccountID: a.ID, UserID: "bob", Kind: KindCalendar, RemoteFolderID: "x", LocalHref: "/y/"}
	if err := s.AddTestCollection(ctx, &bad); !errors.Is(err, ErrNotFound) {
		t.Errorf("AddTestCollection(other user) = %v, want ErrNotFound", err)
	}
	got, err := s.TestCollections(ctx, "alice", a.ID)
	if err != nil || len(got) != 1 || got[0].Kind != KindContacts || got[0].LocalHref != c.LocalHref {
		t.Fatalf("TestCollections() = %+v, %v", got, err)
	}
	if got, _ := s.TestCollections(ctx, "bob", a.ID); len(got) != 0 {
		t.Errorf("TestCollections(bob, alice's account) = %+v, want none", got)
	}
	if err := s.DeleteTestCollection(ctx, "bob", c.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteTestCollection(bob) = %v, want ErrNotFound", err)
	}
	c2 := TestCollection{AccountID: b.ID, UserID: "bob", Kind: KindCalendar, RemoteFolderID: "AAMkF2", LocalHref: "/c/"}
	if err := s.AddTestCollection(ctx, &c2); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(ctx, "bob", b.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.TestCollections(ctx, "bob", b.ID); len(got) != 0 {
		t.Errorf("TestCollections after DeleteAccount = %+v, want none", got)
	}
	if err := s.DeleteTestCollection(ctx, "alice", c.ID); err != nil {
		t.Errorf("DeleteTestCollection() = %v", err)
	}
}
