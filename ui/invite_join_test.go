//go:build !nogui

package ui

import (
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
	ksync "kruzhok/sync"
)

// joinServer is a real sync server over TLS (its own self-signed
// certificate) on a real bbolt file, seeded with the region and a provider
// of municipality 27.
type joinServer struct {
	db    *store.DB
	ts    *httptest.Server
	fp    string // the certificate's fingerprint
	clock atomic.Int64
}

var joinToday = time.Date(2026, time.December, 8, 12, 0, 0, 0, time.UTC)

func newJoinServer(t *testing.T) *joinServer {
	t.Helper()
	s := &joinServer{}
	s.db = openChecked(t, s.now, nil)
	srv := ksync.NewServer(s.db, slog.New(slog.DiscardHandler))
	key, err := ksync.NewSealKey()
	if err != nil {
		t.Fatal(err)
	}
	srv.SetSealKey(key)
	s.ts = httptest.NewTLSServer(srv.Handler())
	t.Cleanup(s.ts.Close)
	s.fp = ksync.Fingerprint(s.ts.Certificate().Raw)
	for _, c := range []app.Command{assets.Seed(app.DateOf(joinToday)),
		&app.RegisterProvider{ID: "prov-a", Name: "АНО ДО «Ромашка»", Type: app.ProviderTraining,
			Municipality: "27", INN: "2634000001", Licence: "26Л01-000001"},
		&app.SetProviderStatus{Provider: "prov-a", Status: app.ProviderActive}} {
		if _, err := s.db.Exec(c); err != nil {
			t.Fatalf("server %s: %v", c.Op(), err)
		}
	}
	return s
}

func (s *joinServer) now() time.Time { return joinToday.Add(time.Duration(s.clock.Load())) }

// invite records an invite for scope on the server itself and returns its code.
func (s *joinServer) invite(t *testing.T, scope string, days int) string {
	t.Helper()
	code, _, hash, err := ksync.NewCode(s.fp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(&app.CreateInvite{Hash: hash, Scope: scope, Days: days}); err != nil {
		t.Fatal(err)
	}
	return code
}

// joinScreen is the first-start screen of a brand-new database that joins
// as the desktop does (sync.JoinWithToken), within timeout.
func joinScreen(t *testing.T, timeout time.Duration) (*firstStart, *store.DB, *bool) {
	t.Helper()
	db := openChecked(t, nil, nil)
	opened := new(bool)
	s := newFirstStart(db, Options{FirstStart: &FirstStart{
		Join: func(ctx context.Context, server, code string) error {
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			return ksync.JoinWithToken(ctx, db, server, code)
		},
	}}, func() { *opened = true })
	s.async = func(f func()) { f() }
	rgShow(t, s.content)
	return s, db, opened
}

// tryJoin types the address and the code and presses «Подключиться».
func tryJoin(t *testing.T, s *firstStart, server, code string) {
	t.Helper()
	rgType(s.join.server, server)
	rgType(s.join.code, code)
	rgTap(t, s.content, "Подключиться")
}

// Each way a join fails, against a real server, is told in its own plain
// words on the first-start screen; the form keeps what was typed, the
// database stays a brand-new one, and no message says data was saved.
func TestJoinFailuresAreToldPlainly(t *testing.T) {
	test.NewTempApp(t)
	srv := newJoinServer(t)

	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "https://" + l.Addr().String()
	l.Close()
	// A server that accepts the connection and says nothing.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()

	used := srv.invite(t, "municipality:27", 0)
	if err := ksync.JoinWithToken(context.Background(), openChecked(t, nil, nil), srv.ts.URL, used); err != nil {
		t.Fatalf("first join with the code: %v", err)
	}
	revoked := srv.invite(t, "provider:prov-a", 0)
	{
		_, secret, _ := ksync.ParseToken(revoked)
		if _, err := srv.db.Exec(&app.RevokeInvite{Hash: ksync.InviteHash(secret)}); err != nil {
			t.Fatal(err)
		}
	}
	expired := srv.invite(t, "provider:prov-a", 1)
	unknown, _, _, _ := ksync.NewCode(srv.fp)
	otherPin, _, _, _ := ksync.NewCode(strings.Repeat("ab", 32))

	unknownMsg := "Код не подходит: на сервере нет такого действующего приглашения"
	for _, c := range []struct {
		name, server, code, want string
		before                   func()
	}{
		{"NoConnection", closedURL, unknown, "не принимает подключения", nil},
		{"Timeout", "https://" + silent.Addr().String(), unknown, "не ответил вовремя", nil},
		{"WrongCode", srv.ts.URL, unknown, unknownMsg, nil},
		{"Revoked", srv.ts.URL, revoked, unknownMsg, nil},
		{"Used", srv.ts.URL, used, "Этот код уже использован", nil},
		{"Expired", srv.ts.URL, expired, "Срок действия кода истёк", func() { srv.clock.Store(int64(3 * 24 * time.Hour)) }},
		{"CertificateMismatch", srv.ts.URL, otherPin, "Сертификат сервера не совпадает с кодом приглашения", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.before != nil {
				c.before()
				defer srv.clock.Store(0)
			}
			s, db, opened := joinScreen(t, 2*time.Second)
			tryJoin(t, s, c.server, c.code)
			msg := s.join.message.Text
			if !strings.Contains(msg, c.want) {
				t.Fatalf("message %q, want %q", msg, c.want)
			}
			if *opened || !db.Authority() || db.Scope() != app.ScopeRegion {
				t.Fatalf("after a failure: opened %v, authority %v, scope %s", *opened, db.Authority(), db.Scope())
			}
			if s.join.server.text() != c.server || s.join.code.text() != c.code || s.join.button.Disabled() {
				t.Fatalf("the form was not left as typed: %q %q", s.join.server.text(), s.join.code.text())
			}
			for _, bad := range []string{"Данные сохранены", "повторится автоматически", "KRZ1", "‹"} {
				if strings.Contains(msg+s.status.Text, bad) {
					t.Fatalf("message %q says %q", msg, bad)
				}
			}
		})
	}
}

// A failure that never reaches a server is named too: a host that does not
// resolve (built here, not looked up: tests reach no outside resolver).
func TestJoinErrorNamesUnknownHost(t *testing.T) {
	err := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "rmc.example.ru", IsNotFound: true}}
	if got := joinErrorRu(err); !strings.Contains(got, "Сервер «rmc.example.ru» не найден") {
		t.Fatalf("joinErrorRu = %q", got)
	}
}

// nodeSyncer is a node's sync as the desktop gives it to the window.
type nodeSyncer struct {
	db *store.DB
	c  *ksync.Client
}

func (n nodeSyncer) SyncState() (store.SyncState, error) { return n.db.SyncState() }
func (n nodeSyncer) OpResults(only bool, limit int) ([]store.OpResult, error) {
	return n.db.OpResults(only, limit)
}
func (n nodeSyncer) SyncNow(ctx context.Context) (ksync.Report, error) { return n.c.SyncOnce(ctx) }

// A municipality's invite made in its app lets a provider join from the
// first-start screen once the municipality has synced: before that the
// server does not know the code, and the provider is told so.
func TestMunicipalityInviteLetsProviderJoin(t *testing.T) {
	test.NewTempApp(t)
	srv := newJoinServer(t)
	munDB := openChecked(t, nil, nil)
	if err := ksync.JoinWithToken(context.Background(), munDB, srv.ts.URL, srv.invite(t, "municipality:27", 0)); err != nil {
		t.Fatalf("municipality join: %v", err)
	}
	cfg, err := munDB.SyncConfig()
	if err != nil || cfg.Fingerprint != srv.fp {
		t.Fatalf("the municipality keeps pin %q, want the full fingerprint %q (%v)", cfg.Fingerprint, srv.fp, err)
	}
	client, err := ksync.NewClient(munDB, ksync.ClientFor(cfg.Server, cfg.Fingerprint))
	if err != nil {
		t.Fatal(err)
	}
	var sy Syncer = nodeSyncer{db: munDB, c: client}
	opts := Options{
		Sync: func() Syncer { return sy },
		NewInvite: func() (string, string, error) {
			code, _, hash, err := ksync.NewCode(cfg.Fingerprint)
			return code, hash, err
		},
		ServerAddress: func() string { return cfg.Server },
		Now:           func() time.Time { return joinToday },
	}
	tabs := newRoleTabs(munDB, opts)
	var screenTab bool
	for _, it := range tabs.Items {
		screenTab = screenTab || it.Text == munInvitesTab
	}
	if !screenTab {
		t.Fatalf("the municipality has no tab %q", munInvitesTab)
	}
	s := newMunInvitesScreen(munDB, "27", opts)
	var pending func()
	s.async = func(f func()) { pending = f } // the sync runs when the test says
	rgShow(t, s.content)
	s.refresh()
	if !s.empty.Visible() {
		t.Error("an empty list of invites does not say so")
	}
	if size := s.content.MinSize(); size.Width > 1000 || size.Height > 480 {
		t.Errorf("the screen needs %v: more than 1024×600 leaves it", size)
	}
	if len(s.target.sel.Options) != 1 || !strings.Contains(s.target.sel.Options[0], "Ромашка") {
		t.Fatalf("providers offered: %q", s.target.sel.Options)
	}
	s.target.sel.SetSelectedIndex(0)
	rgTap(t, s.content, "Создать приглашение")
	code := s.code.Text
	if s.empty.Visible() {
		t.Error("«Приглашений пока нет» over the new invite")
	}
	if _, _, err := ksync.ParseToken(code); err != nil || pending == nil {
		t.Fatalf("code %q (%v), sync started %v; status %q", code, err, pending != nil, s.status.Text)
	}
	sheet, err := s.sheet()
	if err != nil || len(sheet) < 1000 {
		t.Fatalf("invite sheet: %d bytes, %v", len(sheet), err)
	}

	// Before the municipality syncs, the server does not know the code.
	p, provDB, opened := joinScreen(t, 10*time.Second)
	tryJoin(t, p, srv.ts.URL, strings.ToLower(code))
	if *opened || !strings.Contains(p.join.message.Text, "попросите муниципалитет нажать «Синхронизировать сейчас»") {
		t.Fatalf("before the sync: opened %v, message %q", *opened, p.join.message.Text)
	}

	pending()
	if !strings.Contains(s.note.Text, "код уже работает, до 15.12.2026") {
		t.Fatalf("after the sync the note says %q", s.note.Text)
	}
	rgTap(t, p.content, "Подключиться")
	if !*opened {
		t.Fatalf("the provider did not join: %q", p.join.message.Text)
	}
	if provDB.Authority() || provDB.Scope() != "provider:prov-a" {
		t.Fatalf("provider database: authority %v, scope %s", provDB.Authority(), provDB.Scope())
	}
	pcfg, _ := provDB.SyncConfig()
	if pcfg.Fingerprint != srv.fp || pcfg.Server != srv.ts.URL {
		t.Fatalf("provider keeps server %q pin %q", pcfg.Server, pcfg.Fingerprint)
	}
	var prov app.Provider
	if err := provDB.View(func(r app.Reader) error {
		var err error
		prov, err = app.Get[app.Provider](r, "prov-a")
		return err
	}); err != nil || prov.Name != "АНО ДО «Ромашка»" {
		t.Fatalf("the provider's own record after the join: %+v, %v", prov, err)
	}
	s.refresh()
	if got := s.cell(0, 3); got != "использовано" {
		// The municipality learns it at its next sync.
		if _, err := sy.SyncNow(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.refresh()
		if got := s.cell(0, 3); got != "использовано" {
			t.Fatalf("invite status after the join: %q", got)
		}
	}
}

// «Синхронизация: не настроена» offers «Подключить…», which opens the join
// form once the window wires it.
func TestSyncBarOffersToConnect(t *testing.T) {
	test.NewTempApp(t)
	st := newTestStore(t, "provider:prov-a")
	b := newSyncBar(st, nil)
	if b.status.Text != "Синхронизация: не настроена" || b.syncNow.Text != "Подключить…" || !b.syncNow.Disabled() {
		t.Fatalf("bar: %q, button %q disabled %v", b.status.Text, b.syncNow.Text, b.syncNow.Disabled())
	}
	asked := 0
	b.setConnect(func() { asked++ })
	test.Tap(b.syncNow)
	if asked != 1 {
		t.Fatalf("«Подключить…» opened the form %d times", asked)
	}
	region := newSyncBar(newTestStore(t, "region"), nil)
	region.setConnect(func() { asked++ })
	if region.syncNow.Visible() {
		t.Fatal("a standalone region offers to connect")
	}
}

// «Подключить…» in the top bar opens the join form over the window; a join
// that works rebuilds the window as the node it has become.
func TestSyncBarConnectJoins(t *testing.T) {
	a := test.NewTempApp(t)
	st := newTestStore(t, "provider:prov-a")
	joined := make(chan string, 1)
	opts := Options{Join: func(_ context.Context, server, code string) error {
		joined <- server + " " + code
		return nil
	}}
	w := a.NewWindow("t")
	defer w.Close()
	w.Resize(fyne.NewSize(1024, 600))
	joinAsync = func(f func()) { f() }
	defer func() { joinAsync = func(f func()) { go f() } }()
	m := showMain(w, st, opts)
	rgTap(t, m.content, "Подключить…")
	overlay := w.Canvas().Overlays().Top()
	if overlay == nil || !rgShows(overlay, "Адрес сервера и код приглашения напечатаны на листе") {
		t.Fatal("«Подключить…» did not open the join form")
	}
	var server, code *input
	rgWalk(overlay, func(o fyne.CanvasObject) bool {
		if e, ok := o.(*input); ok {
			if server == nil {
				server = e
			} else if code == nil {
				code = e
			}
		}
		return false
	})
	if server == nil || code == nil {
		t.Fatal("the form has no fields")
	}
	good, _, _, _ := ksync.NewCode(strings.Repeat("ab", 32))
	test.Type(server, "https://rmc.example.ru:8443")
	test.Type(code, good)
	rgTap(t, overlay, "Подключиться")
	select {
	case got := <-joined:
		if got != "https://rmc.example.ru:8443 "+good {
			t.Fatalf("joined with %q", got)
		}
	default:
		t.Fatal("the form did not join")
	}
	if w.Canvas().Overlays().Top() != nil || w.Content() == m.content {
		t.Fatal("after the join the form stays, or the window was not rebuilt")
	}
}
