package sync_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
	"kruzhok/sync"
)

// today is the domain date of every database in the tests: inside the
// groups' enrolment window of the 2026-2027 period.
var today = time.Date(2026, 11, 10, 9, 0, 0, 0, time.FixedZone("MSK", 3*3600))

func day(s string) app.Date { return app.MustDate(s) }

// world is a regional server on a real store in t.TempDir(), served over real
// HTTP by httptest, seeded with the region and two active providers of
// municipality 27, each with a certified programme, a module and a group.
type world struct {
	t     *testing.T
	db    *store.DB
	srv   *sync.Server
	seal  *sync.SealKey // the server's key batch files are sealed to, kept across w.serve
	ts    *httptest.Server
	front atomic.Pointer[http.Handler] // what the test server runs: the API or a fault wrapping it
	cut   *cutTransport
	hc    *http.Client
	seq   int
	A, B  provider
	// clock is how far the server's clock runs ahead of today, in
	// nanoseconds: w.advance moves it (invite expiry, throttling windows).
	clock atomic.Int64
	// open opens the world's databases (server and nodes); nil: openDB.
	open func(t testing.TB, name string, now func() time.Time) *store.DB
}

// now is the server database's clock.
func (w *world) now() time.Time { return today.Add(time.Duration(w.clock.Load())) }

// advance moves the server database's clock forward by d.
func (w *world) advance(d time.Duration) { w.clock.Add(int64(d)) }

type provider struct{ ID, Prog, Mod, Group string }

// serve makes db the world's server, on a real HTTP listener behind the
// world's fault front and cut transport, logging at level and above.
func (w *world) serve(db *store.DB, level slog.Level) {
	w.db = db
	w.srv = sync.NewServer(db, slog.New(slog.NewTextHandler(testLog{w.t}, &slog.HandlerOptions{Level: level})))
	if w.seal == nil {
		k, err := sync.NewSealKey()
		if err != nil {
			w.t.Fatal(err)
		}
		w.seal = k
	}
	w.srv.SetSealKey(w.seal)
	h := w.srv.Handler()
	w.front.Store(&h)
	w.ts = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		(*w.front.Load()).ServeHTTP(rw, r)
	}))
	w.t.Cleanup(w.ts.Close)
	w.cut = &cutTransport{base: w.ts.Client().Transport}
	w.cut.push.Store(-1)
	w.cut.pull.Store(-1)
	w.hc = &http.Client{Transport: w.cut, Timeout: 30 * time.Second}
}

// worldOpt tunes a world before it is seeded.
type worldOpt struct {
	quota   int64
	nominal int64
	// Optional: the server's clock (default: today), the budget limit of
	// municipality 27 (default 100 000 000,00 ₽) and its days to the first
	// contract request (default 30).
	now    func() time.Time
	budget int64
	days   int
	// open, when set, opens every database of the world (sealed ones in
	// the leak test); nil: openDB, plaintext in t.TempDir().
	open func(t testing.TB, name string, now func() time.Time) *store.DB
}

func newWorld(t *testing.T) *world { return newWorldWith(t, worldOpt{quota: 10, nominal: 8_000_00}) }

func newWorldWith(t *testing.T, opt worldOpt) *world {
	t.Helper()
	w := &world{t: t, open: opt.open}
	if w.open == nil {
		w.open = openDB
	}
	now, budget, days := opt.now, opt.budget, opt.days
	if now == nil {
		now = w.now
	}
	if budget == 0 {
		budget = 100_000_000_00
	}
	if days == 0 {
		days = 30
	}
	w.serve(w.open(t, "server.db", now), slog.LevelWarn)

	w.must(assets.Seed(app.DateOf(now())))
	w.must(&app.SetPriceCap{Pct: 120})
	w.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing,
		Quota: opt.quota, Nominal: opt.nominal, DaysToRequest: days, Population: 1000, BudgetLimit: budget}})
	w.A = w.provider("prov-a", "2634000001")
	w.B = w.provider("prov-b", "2634000002")
	return w
}

// provider registers, activates and certifies a provider of municipality 27
// whose module costs 12 000,00 ₽ (NS 10 000,00 ₽), with a group of 20.
func (w *world) provider(id, inn string) provider {
	p := provider{ID: id, Prog: id + "-prog", Mod: id + "-mod", Group: id + "-grp"}
	w.must(&app.RegisterProvider{ID: p.ID, Name: "АНО ДО «Кружок " + id + "»", Type: app.ProviderTraining,
		Municipality: "27", INN: inn, Licence: "26Л01-" + inn[6:]})
	w.must(&app.SetProviderStatus{Provider: p.ID, Status: app.ProviderActive})
	w.must(&app.SaveProgramme{ID: p.Prog, Provider: p.ID, Title: "Робототехника", Direction: "tech",
		AgeMin: 5, AgeMax: 17, Form: "очная"})
	w.must(&app.SaveModule{ID: p.Mod, Programme: p.Prog, Name: "Базовый", Hours: 72, Months: 9,
		MinChildren: 5, MaxChildren: 20, Price: 12_000_00, NormPrice: 10_000_00})
	w.must(&app.SubmitProgramme{Programme: p.Prog})
	w.must(&app.CertifyProgramme{Programme: p.Prog})
	w.must(groupCmd(p.Group, p.Mod))
	return p
}

func groupCmd(id, mod string) *app.OpenGroup {
	return &app.OpenGroup{ID: id, Module: mod, Name: "Группа " + id, Start: day("2026-09-01"),
		End: day("2027-05-31"), Capacity: 20, AgeMin: 5, AgeMax: 17,
		Schedule:  []app.Slot{{Weekday: 2, Start: 15 * 60, End: 16*60 + 30, Room: "12"}, {Weekday: 4, Start: 15 * 60, End: 16*60 + 30, Room: "12"}},
		EnrolFrom: day("2026-08-15"), EnrolTo: day("2027-04-30")}
}

func (w *world) id(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s-%d", prefix, w.seq)
}

// must runs a command on the server's own database.
func (w *world) must(c app.Command) {
	w.t.Helper()
	if _, err := w.db.Exec(c); err != nil {
		w.t.Fatalf("server %s: %v", c.Op(), err)
	}
}

// invite creates an invite for scope on the server and returns its secret.
func (w *world) invite(scope string) string {
	w.t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		w.t.Fatal(err)
	}
	secret := hex.EncodeToString(b)
	w.must(&app.CreateInvite{Hash: sync.InviteHash(secret), Scope: scope})
	return secret
}

// node is a joined node database and its client.
type node struct {
	t     *testing.T
	w     *world
	db    *store.DB
	c     *sync.Client
	scope string
}

func (w *world) join(scope string) *node { return w.joinAt(scope, func() time.Time { return today }) }

// joinAt joins a new node database whose clock is now.
func (w *world) joinAt(scope string, now func() time.Time) *node {
	w.t.Helper()
	name := strings.NewReplacer(":", "-").Replace(scope) + fmt.Sprint(w.seq) + ".db"
	w.seq++
	open := w.open
	if open == nil {
		open = openDB
	}
	db := open(w.t, name, now)
	if err := sync.Join(context.Background(), db, w.ts.URL, w.invite(scope), w.hc); err != nil {
		w.t.Fatalf("join %s: %v", scope, err)
	}
	c, err := sync.NewClient(db, w.hc)
	if err != nil {
		w.t.Fatalf("client %s: %v", scope, err)
	}
	return &node{t: w.t, w: w, db: db, c: c, scope: scope}
}

func (n *node) must(c app.Command) app.Op {
	n.t.Helper()
	op, err := n.db.Exec(c)
	if err != nil {
		n.t.Fatalf("%s %s: %v", n.scope, c.Op(), err)
	}
	return op
}

// sync runs one round and fails the test on an error.
func (n *node) sync() sync.Report {
	n.t.Helper()
	rep, err := n.c.SyncOnce(context.Background())
	if err != nil {
		n.t.Fatalf("sync %s: %v", n.scope, err)
	}
	return rep
}

// converged syncs and requires nothing pending, nothing rejected unless
// expected, and the node's digest equal to the server's.
func (n *node) converged() {
	n.t.Helper()
	rep := n.sync()
	st, err := n.db.SyncState()
	if err != nil {
		n.t.Fatal(err)
	}
	if !rep.DigestMatch || st.Pending != 0 {
		n.t.Fatalf("%s not converged: %+v, state %+v", n.scope, rep, st)
	}
	srv, err := n.w.db.Digest(n.scope)
	if err != nil {
		n.t.Fatal(err)
	}
	if mine, err := n.db.Digest(n.scope); err != nil || mine != srv {
		n.t.Fatalf("%s digest %s, server %s (%v)", n.scope, mine, srv, err)
	}
	n.checkClean()
}

func (n *node) checkClean() {
	n.t.Helper()
	if b := n.db.Check(app.CheckNode); len(b) > 0 {
		n.t.Fatalf("%s check: %q", n.scope, b)
	}
}

func (w *world) checkClean() {
	w.t.Helper()
	if b := w.db.Check(app.Check); len(b) > 0 {
		w.t.Fatalf("server check: %q", b)
	}
}

// key is the node's private key, as stored at join.
func (n *node) key() ed25519.PrivateKey { return n.c.Key }

// journal counts the server's journal entries per seq of the node.
func (w *world) journal(nodeID string) map[uint64]int {
	w.t.Helper()
	es, err := w.db.Journal(1, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[uint64]int{}
	for _, e := range es {
		if e.Op.Node == nodeID {
			out[e.Op.Seq]++
		}
	}
	return out
}

// exactlyOnce requires every op of the node's outbox to be in the server's
// journal once and applied, and the node to know every result.
func (n *node) exactlyOnce() {
	n.t.Helper()
	ops, err := n.db.Outbox(1, 0)
	if err != nil {
		n.t.Fatal(err)
	}
	j := n.w.journal(n.db.Node())
	if len(j) != len(ops) {
		n.t.Fatalf("server journal has %d seqs of %s, outbox %d", len(j), n.scope, len(ops))
	}
	for _, op := range ops {
		if j[op.Seq] != 1 {
			n.t.Fatalf("op %d (%s) is %d times in the server journal", op.Seq, op.Type, j[op.Seq])
		}
	}
	rs, err := n.db.OpResults(false, 0)
	if err != nil {
		n.t.Fatal(err)
	}
	for _, r := range rs {
		if r.Pending || r.Result.Status != store.StatusApplied {
			n.t.Fatalf("op %d (%s): %+v", r.Op.Seq, r.Op.Type, r.Result)
		}
	}
	if acked, _ := n.w.db.Acked(n.db.Node()); acked != uint64(len(ops)) {
		n.t.Fatalf("server acked %d of %d", acked, len(ops))
	}
}

func openDB(t testing.TB, name string, now func() time.Time) *store.DB {
	t.Helper()
	return openDBKey(t, name, now, nil)
}

// openDBKey is openDB sealed with key (nil: plaintext).
func openDBKey(t testing.TB, name string, now func() time.Time, key []byte) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), name), store.Options{NoSync: true, Now: now, DataKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// testLog sends the server's log lines to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// cutTransport cuts the link: after push bytes of a push body (the request
// breaks off) and after pull(ContentLength) bytes of a pull reply. A negative
// setting lets everything through.
type cutTransport struct {
	base        http.RoundTripper
	push        atomic.Int64
	pull        atomic.Int64
	pullCleanly atomic.Bool // end the cut reply with EOF instead of an error
	pushes      atomic.Int64
}

func (c *cutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/v1/push" {
		c.pushes.Add(1)
	}
	if n := c.push.Load(); n >= 0 && req.URL.Path == "/v1/push" && req.Body != nil {
		req = req.Clone(req.Context())
		req.GetBody = nil
		req.Body = io.NopCloser(&cutReader{r: req.Body, n: n, err: io.ErrUnexpectedEOF})
	}
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if n := c.pull.Load(); n >= 0 && req.URL.Path == "/v1/pull" {
		keep := n
		if resp.ContentLength > 0 && keep >= resp.ContentLength {
			keep = resp.ContentLength - 1
		}
		e := io.ErrUnexpectedEOF
		if c.pullCleanly.Load() {
			e = io.EOF
		}
		resp.Body = struct {
			io.Reader
			io.Closer
		}{&cutReader{r: resp.Body, n: keep, err: e}, resp.Body}
	}
	return resp, nil
}

type cutReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, c.err
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

// rawFrame signs any bytes as a batch frame: zstd(data) when compress, else data as is.
func rawFrame(priv ed25519.PrivateKey, data []byte, compress bool) []byte {
	z := data
	if compress {
		enc, _ := zstd.NewWriter(nil)
		z = enc.EncodeAll(data, nil)
	}
	return signed(priv, z)
}

func signed(priv ed25519.PrivateKey, z []byte) []byte {
	var b bytes.Buffer
	b.WriteString("KRZ1")
	b.Write(priv.Public().(ed25519.PublicKey))
	b.Write(ed25519.Sign(priv, z))
	b.Write(z)
	return b.Bytes()
}

// post delivers body to the server without headers (/v1/deliver, as a
// batch file is) and returns the status and reply.
func (w *world) post(body []byte) (int, string) {
	w.t.Helper()
	resp, err := w.ts.Client().Post(w.ts.URL+"/v1/deliver", "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		w.t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// push sends body to /v1/push with headers signed by key in the server's
// time, changed by edit if it is not nil, and returns the status and reply.
func (w *world) push(key ed25519.PrivateKey, body []byte, edit func(http.Header)) (int, string) {
	w.t.Helper()
	return w.pushRequest(key, body, body, edit)
}

// pushSigned sends body with headers that sign signedBody.
func (w *world) pushSigned(key ed25519.PrivateKey, body, signedBody []byte) (int, string) {
	w.t.Helper()
	return w.pushRequest(key, body, signedBody, nil)
}

func (w *world) pushRequest(key ed25519.PrivateKey, body, signedBody []byte, edit func(http.Header)) (int, string) {
	w.t.Helper()
	req, err := http.NewRequest(http.MethodPost, w.ts.URL+"/v1/push", bytes.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	sync.SignPush(req, key, signedBody, time.Now())
	if edit != nil {
		edit(req.Header)
	}
	resp, err := w.ts.Client().Do(req)
	if err != nil {
		w.t.Fatalf("push: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func newKey(t testing.TB) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// openSealed is openDB sealed with a new random data key of its own: a
// world's open for tests whose every database is sealed (issue 10).
func openSealed(t testing.TB, name string, now func() time.Time) *store.DB {
	t.Helper()
	return openDBKey(t, name, now, newDataKey(t))
}

// newDataKey is a random 32-byte data key.
func newDataKey(t testing.TB) []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}
