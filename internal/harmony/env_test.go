package harmony

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ewsconnector/ews_connector/internal/appapi"
	"github.com/ewsconnector/ews_connector/internal/dav"
	"github.com/ewsconnector/ews_connector/internal/ews"
	"github.com/ewsconnector/ews_connector/internal/ews/wire"
	"github.com/ewsconnector/ews_connector/internal/ewssim"
	"github.com/ewsconnector/ews_connector/internal/nextcloudsim"
	"github.com/ewsconnector/ews_connector/internal/pgtest"
	"github.com/ewsconnector/ews_connector/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const (
	testUser   = "alice"
	testPass   = "password"
	testAppID  = "ews_connector"
	testSecret = "harmony-test-secret-0123456789"
)

// env is one test world: PostgreSQL, the simulated Exchange, the fake
// Nextcloud, clients for both (possibly failing), and an engine.
type env struct {
	t      testing.TB
	ctx    context.Context
	st     *store.Store
	ewsSim *ewssim.Server
	ncSim  *nextcloudsim.Server
	ewsURL string
	ncURL  string

	ews *ews.Client // direct client, for test manipulation
	dav *dav.Client

	// failAfter, when > 0, makes the engine's transports fail every request
	// after that many (a crash between requests).
	failAfter atomic.Int64
	requests  atomic.Int64
	// onCrash, when set, is called at the crash: cancelling the run's
	// context models the process dying (nothing after it is committed).
	onCrash atomic.Pointer[context.CancelFunc]

	eng     *Engine
	account store.Account
}

// crashTransport counts requests and fails them all once the budget is used.
type crashTransport struct {
	e    *env
	base http.RoundTripper
}

var errCrash = fmt.Errorf("test: simulated crash")

func (c crashTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.e.requests.Add(1)
	if lim := c.e.failAfter.Load(); lim > 0 && n > lim {
		if f := c.e.onCrash.Load(); f != nil {
			(*f)()
		}
		return nil, errCrash
	}
	return c.base.RoundTrip(r)
}

func newEnv(t testing.TB, dsn string, opts Options) *env {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	if err != nil {
		t.Fatalf("store.Open() = %v", err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate() = %v", err)
	}
	e := &env{t: t, ctx: ctx, st: st}
	e.ewsSim = ewssim.New(ewssim.Options{Users: []ewssim.User{{Name: testUser, Password: testPass}}})
	es := httptest.NewServer(e.ewsSim)
	t.Cleanup(es.Close)
	e.ewsURL = es.URL + "/EWS/Exchange.asmx"
	e.ncSim = nextcloudsim.New(nextcloudsim.Options{AppID: testAppID, AppVersion: "1.0.0", AppSecret: testSecret})
	ns := httptest.NewServer(e.ncSim)
	t.Cleanup(ns.Close)
	t.Cleanup(e.ncSim.Close)
	e.ncURL = ns.URL
	e.ews = e.newEWS(http.DefaultTransport)
	e.dav = e.newDAV(http.DefaultTransport)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e.eng = New(st, Deps{
		EWS: func(ctx context.Context, _ store.Account) (EWS, error) {
			return e.newEWS(crashTransport{e, http.DefaultTransport}), nil
		},
		DAV: func(ctx context.Context, user string) (DAV, error) {
			return e.newDAV(crashTransport{e, http.DefaultTransport}), nil
		},
	}, opts)
	id, err := st.NewAccountID(ctx)
	if err != nil {
		t.Fatalf("NewAccountID() = %v", err)
	}
	e.account = store.Account{ID: id, UserID: testUser, Endpoint: e.ewsURL, Username: testUser, AuthMethod: store.AuthBasic}
	if err := st.CreateAccount(ctx, &e.account); err != nil {
		t.Fatalf("CreateAccount() = %v", err)
	}
	return e
}

func (e *env) newEWS(rt http.RoundTripper) *ews.Client {
	// A virtual clock: back-off waits advance it instead of sleeping.
	var skew atomic.Int64
	c, err := ews.NewClient(e.ewsURL, &ews.Options{Auth: ews.AuthBasic, Username: testUser, Password: testPass,
		HTTPClient: &http.Client{Transport: rt, Timeout: 30 * time.Second}, MaxRetries: 2,
		Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) },
		Sleep: func(ctx context.Context, d time.Duration) error {
			skew.Add(int64(d))
			return ctx.Err()
		}})
	if err != nil {
		e.t.Fatalf("ews.NewClient() = %v", err)
	}
	return c
}

func (e *env) newDAV(rt http.RoundTripper) *dav.Client {
	ac, err := appapi.NewClient(&http.Client{Transport: rt, Timeout: 30 * time.Second}, appapi.Options{
		NextcloudURL: e.ncURL, AppID: testAppID, AppVersion: "1.0.0", Secret: testSecret})
	if err != nil {
		e.t.Fatalf("appapi.NewClient() = %v", err)
	}
	dc, err := ac.DAV(testUser)
	if err != nil {
		e.t.Fatalf("DAV() = %v", err)
	}
	c, err := dav.NewClient(dc, ac.DAVURL(), nil)
	if err != nil {
		e.t.Fatalf("dav.NewClient() = %v", err)
	}
	return c
}

// newLink creates an EWS folder and a Nextcloud collection of kind k named
// name and links them.
func (e *env) newLink(k store.LinkKind, name string, mod func(*store.Link)) store.Link {
	e.t.Helper()
	fk, parent := wire.FolderKindContacts, "contacts"
	if k == store.KindCalendar {
		fk, parent = wire.FolderKindCalendar, "calendar"
	}
	fid, err := e.ews.CreateFolder(e.ctx, ews.Distinguished(parent), fk, name)
	if err != nil {
		e.t.Fatalf("CreateFolder(%s) = %v", name, err)
	}
	uri := strings.ToLower(name)
	var href string
	if k == store.KindCalendar {
		err = e.ncSim.CreateCalendar(testUser, uri, name, []string{"VEVENT"})
		href = "/remote.php/dav/calendars/" + testUser + "/" + uri + "/"
	} else {
		err = e.ncSim.CreateAddressBook(testUser, uri, name)
		href = "/remote.php/dav/addressbooks/users/" + testUser + "/" + uri + "/"
	}
	if err != nil {
		e.t.Fatalf("create collection %s = %v", name, err)
	}
	return e.linkPair(k, fid.Id, href, mod)
}

func (e *env) linkPair(k store.LinkKind, folderID, href string, mod func(*store.Link)) store.Link {
	e.t.Helper()
	l := store.Link{AccountID: e.account.ID, UserID: testUser, Kind: k, RemoteFolderID: folderID, LocalHref: href}
	if mod != nil {
		mod(&l)
	}
	if err := e.st.CreateLink(e.ctx, &l); err != nil {
		e.t.Fatalf("CreateLink() = %v", err)
	}
	return l
}

func (e *env) sync(l store.Link) Result {
	e.t.Helper()
	res, err := e.eng.SyncLink(e.ctx, testUser, l.ID, RunOptions{})
	if err != nil {
		e.t.Fatalf("SyncLink(%d) = %v", l.ID, err)
	}
	return res
}
