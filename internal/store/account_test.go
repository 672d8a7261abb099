package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func mkAccount(t *testing.T, s *Store, userID string) Account {
	t.Helper()
	ctx := context.Background()
	id, err := s.NewAccountID(ctx)
	if err != nil {
		t.Fatalf("NewAccountID() = %v", err)
	}
	a := Account{ID: id, UserID: userID, Endpoint: "https://mail.example.com/EWS/Exchange.asmx",
		Email: userID + "@example.com", Username: userID, AuthMethod: AuthNTLM, Secret: []byte("sealed:" + userID)}
	if err := s.CreateAccount(ctx, &a); err != nil {
		t.Fatalf("CreateAccount() = %v", err)
	}
	if a.ID != id || a.CreatedAt.IsZero() {
		t.Fatalf("CreateAccount set ID %d (want %d), CreatedAt %v", a.ID, id, a.CreatedAt)
	}
	return a
}

func TestAccountCRUD(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	a := mkAccount(t, s, "alice")
	got, err := s.Account(ctx, "alice", a.ID)
	if err != nil {
		t.Fatalf("Account() = %v", err)
	}
	if got.Email != a.Email || got.AuthMethod != AuthNTLM || got.State != AccountNew || !bytes.Equal(got.Secret, a.Secret) {
		t.Fatalf("Account() = %+v, want %+v", got, a)
	}

	b := Account{UserID: "alice", Endpoint: "https://other/EWS/Exchange.asmx"}
	if err := s.CreateAccount(ctx, &b); err != nil || b.ID == 0 || b.AuthMethod != AuthAuto {
		t.Fatalf("CreateAccount(no id) = %v, id %d, auth %q", err, b.ID, b.AuthMethod)
	}
	list, err := s.Accounts(ctx, "alice")
	if err != nil || len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID {
		t.Fatalf("Accounts() = %v, %v; want [%d %d]", list, err, a.ID, b.ID)
	}

	got.Email, got.AuthMethod, got.State, got.ServerVersion = "new@example.com", AuthBasic, AccountConnected, "Exchange2016"
	if err := s.UpdateAccount(ctx, &got); err != nil {
		t.Fatalf("UpdateAccount() = %v", err)
	}
	if err := s.SetAccountSecret(ctx, "alice", a.ID, []byte("resealed")); err != nil {
		t.Fatalf("SetAccountSecret() = %v", err)
	}
	if err := s.SetAccountState(ctx, "alice", a.ID, AccountError, "401 Unauthorized", ""); err != nil {
		t.Fatalf("SetAccountState() = %v", err)
	}
	got2, _ := s.Account(ctx, "alice", a.ID)
	if got2.Email != "new@example.com" || got2.AuthMethod != AuthBasic || string(got2.Secret) != "resealed" ||
		got2.State != AccountError || got2.LastError != "401 Unauthorized" || got2.ServerVersion != "Exchange2016" {
		t.Fatalf("after updates Account() = %+v", got2)
	}

	bad := got2
	bad.AuthMethod = "kerberos"
	if err := s.UpdateAccount(ctx, &bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("UpdateAccount(auth kerberos) = %v, want ErrInvalid", err)
	}
	if err := s.CreateAccount(ctx, &Account{UserID: "", Endpoint: "x"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("CreateAccount(empty user) = %v, want ErrInvalid", err)
	}

	if err := s.DeleteAccount(ctx, "alice", a.ID); err != nil {
		t.Fatalf("DeleteAccount() = %v", err)
	}
	if _, err := s.Account(ctx, "alice", a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Account(deleted) = %v, want ErrNotFound", err)
	}
	if err := s.DeleteAccount(ctx, "alice", a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("DeleteAccount(deleted) = %v, want ErrNotFound", err)
	}
}

func TestAccountSecretNotInJSON(t *testing.T) {
	b, err := json.Marshal(Account{Secret: []byte("topsecret")})
	if err != nil || bytes.Contains(b, []byte("topsecret")) || bytes.Contains(b, []byte("dG9wc2VjcmV0")) {
		t.Fatalf("json.Marshal(Account) = %s, %v: leaks the secret", b, err)
	}
}

// TestUserIsolation: user B can neither read, change nor delete user A's
// account and links, and gets ErrNotFound as if they did not exist.
func TestUserIsolation(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	a := mkAccount(t, s, "alice")
	la := mkLink(t, s, a, "/remote.php/dav/calendars/alice/personal/")

	if _, err := s.Account(ctx, "bob", a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob Account(alice's) = %v, want ErrNotFound", err)
	}
	if list, err := s.Accounts(ctx, "bob"); err != nil || len(list) != 0 {
		t.Errorf("bob Accounts() = %v, %v; want none", list, err)
	}
	steal := a
	steal.UserID, steal.Endpoint = "bob", "https://evil.example/EWS/Exchange.asmx"
	if err := s.UpdateAccount(ctx, &steal); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob UpdateAccount(alice's) = %v, want ErrNotFound", err)
	}
	if err := s.SetAccountSecret(ctx, "bob", a.ID, []byte("x")); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob SetAccountSecret(alice's) = %v, want ErrNotFound", err)
	}
	if err := s.SetAccountState(ctx, "bob", a.ID, AccountDisabled, "", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob SetAccountState(alice's) = %v, want ErrNotFound", err)
	}
	if err := s.DeleteAccount(ctx, "bob", a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob DeleteAccount(alice's) = %v, want ErrNotFound", err)
	}
	if n, err := s.DeleteUserData(ctx, "bob"); err != nil || n != 0 {
		t.Errorf("DeleteUserData(bob) = %d, %v; want 0", n, err)
	}

	if _, err := s.Link(ctx, "bob", la.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob Link(alice's) = %v, want ErrNotFound", err)
	}
	if list, err := s.Links(ctx, "bob"); err != nil || len(list) != 0 {
		t.Errorf("bob Links() = %v, %v; want none", list, err)
	}
	if list, err := s.AccountLinks(ctx, "bob", a.ID); err != nil || len(list) != 0 {
		t.Errorf("bob AccountLinks(alice's account) = %v, %v; want none", list, err)
	}
	sl := la
	sl.UserID, sl.Direction = "bob", ToExchange
	if err := s.UpdateLink(ctx, &sl); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob UpdateLink(alice's) = %v, want ErrNotFound", err)
	}
	if err := s.DeleteLink(ctx, "bob", la.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob DeleteLink(alice's) = %v, want ErrNotFound", err)
	}
	// Bob cannot hang a link on Alice's account.
	bl := Link{AccountID: a.ID, UserID: "bob", Kind: KindContacts, RemoteFolderID: "F2", LocalHref: "/remote.php/dav/addressbooks/users/bob/c/"}
	if err := s.CreateLink(ctx, &bl); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob CreateLink(on alice's account) = %v, want ErrNotFound", err)
	}

	// Nothing of Alice's changed.
	got, err := s.Account(ctx, "alice", a.ID)
	if err != nil || got.Endpoint != a.Endpoint || string(got.Secret) != string(a.Secret) || got.State != AccountNew {
		t.Errorf("alice's account after bob's attempts = %+v, %v", got, err)
	}
	gl, err := s.Link(ctx, "alice", la.ID)
	if err != nil || gl.Direction != TwoWay {
		t.Errorf("alice's link after bob's attempts = %+v, %v", gl, err)
	}
}

func TestAllAccountsAndDeleteUserData(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	a := mkAccount(t, s, "alice")
	mkLink(t, s, a, "/remote.php/dav/calendars/alice/personal/")
	mkAccount(t, s, "alice")
	b := mkAccount(t, s, "bob")

	all, err := s.AllAccounts(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("AllAccounts() = %d, %v; want 3", len(all), err)
	}
	if all[0].ID != a.ID || all[0].Links != 1 || !all[0].HasSecret || all[2].UserID != "bob" {
		t.Fatalf("AllAccounts()[0] = %+v, [2] = %+v", all[0], all[2])
	}
	n, err := s.DeleteUserData(ctx, "alice")
	if err != nil || n != 2 {
		t.Fatalf("DeleteUserData(alice) = %d, %v; want 2", n, err)
	}
	if links, _ := s.Links(ctx, "alice"); len(links) != 0 {
		t.Fatalf("alice's links after DeleteUserData = %d", len(links))
	}
	if _, err := s.Account(ctx, "bob", b.ID); err != nil {
		t.Fatalf("bob's account after DeleteUserData(alice) = %v", err)
	}
}
