package bench

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/demo"
	"kruzhok/store"
	"kruzhok/sync"
	"kruzhok/web"
)

// BuildWorld, when set, builds a region-scale server database at path: the
// fraction scale of the krai, deterministic from seed. `kruzhok bench region
// --scale F` calls it; the CLI sets it to the world generator (and its
// cache). Nil: --scale is refused and the bench runs on --world or on the
// demo region.
var BuildWorld func(path string, scale float64, seed int64) error

// RegionOptions of Region; zero fields take the defaults.
type RegionOptions struct {
	Dir     string  // working directory; default a temporary one, removed after
	World   string  // a prebuilt server database, copied into Dir (the file itself is never written)
	Scale   float64 // > 0: build the world with BuildWorld(path, Scale, Seed) instead
	Seed    int64   // of the built world (default 1)
	DataKey []byte  // the key of a sealed World (nil: plaintext)
	// The demo region built when neither World nor Scale is given:
	// children, providers and programmes (default 3 000, 40, 150: `kruzhok demo`).
	DemoChildren, DemoProviders, DemoProgrammes int

	Nodes       int // concurrent nodes (default 500)
	MunNodes    int // of them municipality nodes (default one per municipality, at most Nodes/15; negative: none)
	Days        int // rounds each node makes, one lesson day each (default 1)
	EnrolPerDay int // enrolments each node tries a day (default 2)
	Marks       int // marks of the end-to-end figure (default 100 000)
	Catalogue   int // concurrent catalogue clients (default 50)
	PerClient   int // catalogue requests of each client (default 40)

	// Serve, when set, runs the server as a child process: the command of
	// `kruzhok serve` (the binary and "serve"), to which the bench adds
	// --data, --addr, --url-file and KeyFile's --key-file. Its memory and
	// CPU are then the server's alone. Empty: the server runs in this
	// process (the tests), and those figures include the nodes.
	Serve   []string
	KeyFile string // --key-file of a sealed World, passed to Serve

	Today  app.Date // the date the bench runs at (default: today in Moscow)
	NoSync bool     // the server skips fsync (tests only)
	Log    *slog.Logger
}

// RegionResult is the JSON object `kruzhok bench region` prints. Every
// timing says what it times in docs/PERFORMANCE.md.
type RegionResult struct {
	World   string  `json:"world"`  // "file …", "scale …" or "demo …"
	Today   string  `json:"today"`  // the date the nodes mark lessons up to
	Server  string  `json:"server"` // how the server ran
	Sizes   Sizes   `json:"sizes"`
	Boot    []Boot  `json:"bootstrap"`
	Load    Load    `json:"nodes"`
	Catalog Catalog `json:"catalogue"`
	EndToEnd
	Go      string  `json:"go"`
	CPUs    int     `json:"cpus"`
	Seconds float64 `json:"seconds"`
}

// Sizes is the server database on disk.
type Sizes struct {
	FileBytes  int64                  `json:"file_bytes"`
	DataBytes  int64                  `json:"data_bytes"` // keys and values as stored (sealed if the database is)
	Records    int64                  `json:"records"`
	Kinds      map[string]KindSize    `json:"record_kinds"` // rec/<kind>
	Buckets    map[string]BucketGroup `json:"buckets"`      // records, index, feed, journal, results, …
	Ops        int64                  `json:"ops"`          // the server's own ops (outbox) and its nodes' (journal)
	BytesPerOp float64                `json:"file_bytes_per_op"`
}

// KindSize is one kind's records.
type KindSize struct {
	Count     int64   `json:"count"`
	Bytes     int64   `json:"bytes"`
	PerRecord float64 `json:"bytes_per_record"`
}

// BucketGroup is a group of buckets: keys and the bytes of keys and values.
type BucketGroup struct {
	Keys  int64 `json:"keys"`
	Bytes int64 `json:"bytes"`
}

// Boot is the bootstrap of one new node.
type Boot struct {
	Role      string  `json:"role"` // region, largest municipality, typical provider
	Scope     string  `json:"scope"`
	Seconds   float64 `json:"seconds"`
	WireBytes int64   `json:"wire_bytes"` // response bodies as sent: zstd pull pages, join and health JSON
	FileBytes int64   `json:"file_bytes"`
	Records   int     `json:"records"` // every record the node holds after it
	Match     bool    `json:"digest_match"`
}

// Load is the many-nodes figure.
type Load struct {
	Nodes      int     `json:"nodes"`
	MunNodes   int     `json:"municipality_nodes"` // of Nodes; the others are providers'
	Scopes     int     `json:"scopes"`
	JoinSecs   float64 `json:"join_seconds"`
	Rounds     int     `json:"rounds"`
	Ops        int     `json:"ops"`
	Marks      int     `json:"marks"`
	Enrolments int     `json:"enrolments"`
	P50        float64 `json:"round_p50_ms"`
	P99        float64 `json:"round_p99_ms"`
	Max        float64 `json:"round_max_ms"`
	Errors     int     `json:"errors"`   // failed rounds
	Rejected   int     `json:"rejected"` // ops the server refused (domain outcomes, e.g. a place taken)
	// Refused counts the refused ops by type and code, e.g. "enrol DIRECTION_LIMIT".
	Refused   map[string]int `json:"refused"`
	Converged int            `json:"converged"`
	WallSecs  float64        `json:"seconds"`
	// The server's alone when ServerOnly (a child server), else the
	// process's, server and nodes together (see RegionResult.Server).
	ServerOnly bool    `json:"memory_cpu_server_only"`
	RSSBytes   int64   `json:"rss_bytes"`
	HWMBytes   int64   `json:"rss_peak_bytes"`
	CPUSeconds float64 `json:"cpu_seconds"`
	HeapBytes  uint64  `json:"heap_inuse_peak_bytes"` // the Go heap of the bench's process: nodes (and an in-process server)
}

// Catalog is the public catalogue under concurrent clients.
type Catalog struct {
	Clients    int     `json:"clients"`
	Requests   int     `json:"requests"`
	Programmes int     `json:"programmes"`
	P50        float64 `json:"p50_ms"`
	P99        float64 `json:"p99_ms"`
	Errors     int     `json:"errors"`
}

// EndToEnd is Marks marks of one provider node, three ways.
type EndToEnd struct {
	E2EMarks       int     `json:"e2e_marks"`
	RecordPerSec   float64 `json:"node_record_ops_per_s"` // ExecBatch on the node, 1 000 a transaction, no fsync
	E2ESeconds     float64 `json:"e2e_seconds"`           // first push byte → the node's digest match after the pull
	E2EPerSec      float64 `json:"e2e_ops_per_s"`
	E2EPushBytes   int64   `json:"e2e_push_bytes"`
	E2EMatch       bool    `json:"e2e_digest_match"`
	StorePerSec    float64 `json:"store_apply_ops_per_s"` // ApplyRemote of the same ops on a copy of the server, fsync on
	BarePerSec     float64 `json:"bare_bolt_puts_per_s"`
	E2EPctOfStore  float64 `json:"e2e_pct_of_store"`
	StorePctOfBare float64 `json:"store_pct_of_bare"`
	Check          int     `json:"server_check_breaches"` // app.Check on the server at the end
}

// Region runs the region figures (docs/PERFORMANCE.md, "kruzhok bench region").
func Region(ctx context.Context, opt RegionOptions) (RegionResult, error) {
	var res RegionResult
	t0 := time.Now()
	opt = opt.withDefaults()
	log := logOr(opt.Log)
	dir, done, err := workDir(opt.Dir, "kruzhok-region-")
	if err != nil {
		return res, err
	}
	defer done()
	res.Today = opt.Today.String()

	path := filepath.Join(dir, "server.db")
	if res.World, err = makeWorld(path, opt, log); err != nil {
		return res, err
	}
	clk := &Clock{}
	clk.Set(opt.Today)
	db, err := store.Open(path, store.Options{Now: clk.Now, NoSync: opt.NoSync, DataKey: opt.DataKey})
	if err != nil {
		return res, err
	}
	defer db.Close()
	if !db.Authority() || db.Scope() != app.ScopeRegion {
		return res, fmt.Errorf("база %s — не база сервера, а узел области %s", res.World, db.Scope())
	}

	log.Info("walking the buckets")
	if res.Sizes, err = DBSizes(db); err != nil {
		return res, err
	}
	w, err := survey(db, opt.Today)
	if err != nil {
		return res, err
	}
	if len(w.providers) == 0 {
		return res, errors.New("в мире нет исполнителя с действующими договорами на дату замера: укажите --today внутри учебного года мира")
	}

	// Every node's invite, made before the server starts (a child server
	// holds the file's lock).
	typical := w.providers[len(w.providers)/2]
	boots := []struct{ role, scope string }{
		{"region", app.ScopeRegion},
		{"largest municipality " + w.largestMun, app.MunicipalityScope(w.largestMun)},
		{"typical provider", app.ProviderScope(typical.id)},
	}
	nodeScopes, muns := loadScopes(w, opt)
	scopes := []string{app.ProviderScope(w.providers[len(w.providers)-1].id)} // the end-to-end node
	for _, b := range boots {
		scopes = append(scopes, b.scope)
	}
	invites, err := makeInvites(db, append(scopes, nodeScopes...))
	if err != nil {
		return res, err
	}

	var rs *regionServer
	if len(opt.Serve) > 0 {
		if err := db.Close(); err != nil {
			return res, err
		}
		rs, err = startChildServer(ctx, dir, path, opt, log)
		res.Server = "child process: `" + strings.Join(opt.Serve, " ") + "` on 127.0.0.1 over HTTPS with its pinned " +
			"self-signed certificate, the nodes and clients in the bench's process; memory and CPU are the server's alone"
	} else {
		rs, err = startRegionServer(db, path, log)
		res.Server = "in-process: the real sync API and catalogue on an HTTPS listener on 127.0.0.1 with the pinned " +
			"self-signed certificate, limits as `kruzhok serve`; memory and CPU are the process's, nodes included"
	}
	if err != nil {
		return res, err
	}
	defer rs.close()
	rs.now, rs.invites, rs.path = clk.Now, invites, path
	if rs.proc != nil {
		rs.now = time.Now // the child server keeps the real time
	}

	// 1. Bootstraps.
	for _, b := range boots {
		log.Info("bootstrap", "scope", b.scope)
		boot, node, err := rs.bootstrap(ctx, filepath.Join(dir, "boot-"+strings.NewReplacer(":", "-").Replace(b.scope)+".db"), b.scope)
		if err != nil {
			return res, fmt.Errorf("bootstrap %s: %w", b.scope, err)
		}
		node.DB.Close()
		boot.Role = b.role
		res.Boot = append(res.Boot, boot)
	}

	// 2. Many nodes at once.
	log.Info("nodes", "n", opt.Nodes)
	if res.Load, err = rs.load(ctx, dir, w, opt, nodeScopes, muns, log); err != nil {
		return res, err
	}

	// 3. The catalogue.
	log.Info("catalogue", "clients", opt.Catalogue)
	if res.Catalog, err = rs.catalogue(ctx, w, opt); err != nil {
		return res, err
	}

	// 4. Marks of one node, end to end.
	log.Info("end to end", "marks", opt.Marks)
	if res.EndToEnd, err = rs.endToEnd(ctx, dir, w, opt); err != nil {
		return res, err
	}
	if rs.db != nil {
		res.Check = len(db.Check(app.Check))
	} else {
		// The child server stopped, its database again for the check.
		if err := rs.stop(); err != nil {
			return res, err
		}
		after, err := store.Open(path, store.Options{Now: clk.Now, NoSync: opt.NoSync, DataKey: opt.DataKey})
		if err != nil {
			return res, err
		}
		res.Check = len(after.Check(app.Check))
		if err := after.Close(); err != nil {
			return res, err
		}
	}
	res.Go, res.CPUs = runtime.Version(), runtime.NumCPU()
	res.Seconds = time.Since(t0).Seconds()
	return res, nil
}

func (o RegionOptions) withDefaults() RegionOptions {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Nodes, 500)
	def(&o.Days, 1)
	def(&o.EnrolPerDay, 2)
	def(&o.Marks, 100_000)
	def(&o.Catalogue, 50)
	def(&o.PerClient, 40)
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Today == 0 {
		o.Today = app.DateOf(time.Now().In(time.FixedZone("MSK", 3*3600)))
	}
	return o
}

// makeWorld puts the server database at path: a copy of opt.World, the
// world BuildWorld makes, or the demo region. It says which.
func makeWorld(path string, opt RegionOptions, log *slog.Logger) (string, error) {
	switch {
	case opt.World != "":
		if err := copyFile(opt.World, path); err != nil {
			return "", fmt.Errorf("world %s: %w", opt.World, err)
		}
		// A sealed world's key file goes beside the copy, where a child
		// server looks for it (keys.KeyPath).
		if _, err := os.Stat(opt.World + ".key"); err == nil {
			if err := copyFile(opt.World+".key", path+".key"); err != nil {
				return "", err
			}
		}
		return "file " + opt.World, nil
	case opt.Scale > 0:
		if BuildWorld == nil {
			return "", errors.New("в этой сборке нет построителя мира края для --scale: укажите готовую базу --world")
		}
		log.Info("building the world", "scale", opt.Scale, "seed", opt.Seed)
		if err := BuildWorld(path, opt.Scale, opt.Seed); err != nil {
			return "", err
		}
		return fmt.Sprintf("scale %g seed %d", opt.Scale, opt.Seed), nil
	}
	log.Info("building the demo region", "children", opt.DemoChildren)
	clk := &demo.Clock{}
	db, err := store.Open(path, store.Options{Now: clk.Now, NoSync: true, DataKey: opt.DataKey})
	if err != nil {
		return "", err
	}
	_, err = demo.Build(db, demo.Options{Children: opt.DemoChildren, Providers: opt.DemoProviders,
		Programmes: opt.DemoProgrammes, Seed: opt.Seed, Clock: clk})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("demo region: %w", err)
	}
	return fmt.Sprintf("demo children=%d providers=%d programmes=%d seed %d",
		cmp.Or(opt.DemoChildren, 3000), cmp.Or(opt.DemoProviders, 40), cmp.Or(opt.DemoProgrammes, 150), opt.Seed), nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// DBSizes walks every bucket of db: the records by kind, and the other
// buckets in groups (docs/SCALE.md, "What grows with what").
func DBSizes(db *store.DB) (Sizes, error) {
	s := Sizes{Kinds: map[string]KindSize{}, Buckets: map[string]BucketGroup{}}
	if fi, err := os.Stat(db.Path()); err == nil {
		s.FileBytes = fi.Size()
	}
	err := db.Bolt().View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			n := string(name)
			var keys, bytes int64
			err := b.ForEach(func(k, v []byte) error {
				keys++
				bytes += int64(len(k) + len(v))
				return nil
			})
			if err != nil {
				return err
			}
			s.DataBytes += bytes
			group := bucketGroup(n)
			g := s.Buckets[group]
			g.Keys += keys
			g.Bytes += bytes
			s.Buckets[group] = g
			if kind, ok := strings.CutPrefix(n, "rec/"); ok {
				s.Kinds[kind] = KindSize{Count: keys, Bytes: bytes}
				s.Records += keys
			}
			if n == "journal" || n == "outbox" {
				s.Ops += keys
			}
			return nil
		})
	})
	for k, v := range s.Kinds {
		if v.Count > 0 {
			v.PerRecord = float64(v.Bytes) / float64(v.Count)
			s.Kinds[k] = v
		}
	}
	if s.Ops > 0 {
		s.BytesPerOp = float64(s.FileBytes) / float64(s.Ops)
	}
	return s, err
}

// bucketGroup names what a bucket holds (store/schema.go).
func bucketGroup(name string) string {
	switch {
	case strings.HasPrefix(name, "rec/"):
		return "records"
	case strings.HasPrefix(name, "idx/"):
		return "index"
	case name == "changes", strings.HasPrefix(name, "chseq/"), strings.HasPrefix(name, "aud/"):
		return "feed"
	case strings.HasPrefix(name, "base/"):
		return "undo"
	}
	return name // journal, results, acked, outbox, opresults, meta, serial
}

// regionWorld is what the bench needs of the world: its providers by
// contracts, and the largest municipality by children.
type regionWorld struct {
	providers  []worldProvider // with at least one contract in force today, fewest contracts first
	largestMun string
	programmes []string // certified, for the catalogue
	muns       []string
}

type worldProvider struct {
	id        string
	contracts int
	groups    []string
}

func survey(db *store.DB, today app.Date) (regionWorld, error) {
	var w regionWorld
	err := db.View(func(r app.Reader) error {
		kids := map[string]int{}
		var ids []string
		if err := r.Scan(app.KindChild, "", "", func(id string) bool { ids = append(ids, id); return true }); err != nil {
			return err
		}
		for _, id := range ids {
			c, err := app.Get[app.Child](r, id)
			if err != nil {
				return err
			}
			kids[c.Municipality]++
		}
		for m, n := range kids {
			w.muns = append(w.muns, m)
			if n > kids[w.largestMun] || (n == kids[w.largestMun] && m < w.largestMun) {
				w.largestMun = m
			}
		}
		slices.Sort(w.muns)
		byProv := map[string]*worldProvider{}
		ids = ids[:0]
		if err := r.Scan(app.KindContract, "", "", func(id string) bool { ids = append(ids, id); return true }); err != nil {
			return err
		}
		for _, id := range ids {
			k, err := app.Get[app.Contract](r, id)
			if err != nil {
				return err
			}
			if !inForce(k, today) {
				continue
			}
			p := byProv[k.Provider]
			if p == nil {
				p = &worldProvider{id: k.Provider}
				byProv[k.Provider] = p
			}
			p.contracts++
			if !slices.Contains(p.groups, k.Group) {
				p.groups = append(p.groups, k.Group)
			}
		}
		for _, p := range byProv {
			w.providers = append(w.providers, *p)
		}
		slices.SortFunc(w.providers, func(a, b worldProvider) int {
			return cmp.Or(cmp.Compare(a.contracts, b.contracts), cmp.Compare(a.id, b.id))
		})
		ids = ids[:0]
		if err := r.Scan(app.KindProgramme, "", "", func(id string) bool { ids = append(ids, id); return true }); err != nil {
			return err
		}
		for _, id := range ids {
			p, err := app.Get[app.Programme](r, id)
			if err != nil {
				return err
			}
			if p.Status == app.ProgCertified {
				w.programmes = append(w.programmes, id)
			}
		}
		return nil
	})
	return w, err
}

func inForce(k app.Contract, d app.Date) bool {
	return (k.Status == app.ContractActive || k.Status == app.ContractTerminating) && k.Start <= d && d <= k.End
}

// regionServer is the server of the bench: the sync API and the catalogue
// behind one HTTPS listener, as `kruzhok serve` runs them.
type regionServer struct {
	db      *store.DB    // in-process; nil for a child server
	proc    *exec.Cmd    // a child server
	exited  chan error   // its Wait
	path    string       // the server's database
	invites *invitePool  // made before it started
	hs      *http.Server // in-process
	url     string
	fp      string
	wire    *Wire
	first   atomic.Int64     // unix nanoseconds of the first push request since reset
	now     func() time.Time // the nodes' clock: the server's
}

func startRegionServer(db *store.DB, path string, log *slog.Logger) (*regionServer, error) {
	cert, fp, err := sync.LoadOrCreateServerTLS(path)
	if err != nil {
		return nil, err
	}
	seal, err := sync.LoadOrCreateSealKey(path)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	api := sync.NewServer(db, log)
	api.SetSealKey(seal)
	mux.Handle("/v1/", api.Handler())
	mux.Handle("/", web.New(db, log))
	hs := &http.Server{Handler: mux, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	sync.ConfigureHTTP(hs, sync.DefaultLimits())
	hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	ln = sync.LimitListener(ln, sync.MaxConns)
	go hs.ServeTLS(ln, "", "")
	return &regionServer{db: db, hs: hs, url: "https://" + ln.Addr().String(), fp: fp, wire: &Wire{}}, nil
}

func (s *regionServer) close() {
	if s.hs != nil {
		_ = s.hs.Close()
	}
	_ = s.stop()
}

// client is a pinned HTTPS client whose traffic is counted in s.wire and
// whose first push is noted in s.first.
func (s *regionServer) client() *http.Client {
	base := sync.PinnedClient(s.fp)
	t := base.Transport.(*http.Transport)
	t.MaxIdleConnsPerHost = 4
	return &http.Client{Transport: &firstPush{s: s, base: &countingTransport{base: t, w: s.wire}}, Timeout: 5 * time.Minute}
}

type firstPush struct {
	s    *regionServer
	base http.RoundTripper
}

func (f *firstPush) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == "/v1/push" {
		f.s.first.CompareAndSwap(0, time.Now().UnixNano())
	}
	return f.base.RoundTrip(req)
}

// join makes a node for scope at path through one of the invites made
// before the server started, and the real join.
func (s *regionServer) join(ctx context.Context, path, scope string, hc *http.Client) (*Node, error) {
	secret, err := s.invites.take(scope)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(path, store.Options{NoSync: true, Now: s.now})
	if err != nil {
		return nil, err
	}
	if err := sync.Join(ctx, db, s.url, secret, hc); err != nil {
		db.Close()
		return nil, err
	}
	c, err := sync.NewClient(db, hc)
	if err != nil {
		db.Close()
		return nil, err
	}
	c.Now = s.now
	return &Node{DB: db, Client: c}, nil
}

// bootstrap joins a new node for scope and pulls until its digest matches,
// timed from the join request to the match.
func (s *regionServer) bootstrap(ctx context.Context, path, scope string) (Boot, *Node, error) {
	b := Boot{Scope: scope}
	hc := s.client()
	before := s.wire.PullReply.Load() + s.wire.Other.Load()
	t := time.Now()
	n, err := s.join(ctx, path, scope, hc)
	if err != nil {
		return b, nil, err
	}
	rep, err := n.Client.SyncOnce(ctx)
	if err != nil {
		n.DB.Close()
		return b, nil, err
	}
	b.Seconds = time.Since(t).Seconds()
	b.WireBytes = s.wire.PullReply.Load() + s.wire.Other.Load() - before
	b.Match = rep.DigestMatch
	if fi, err := os.Stat(path); err == nil {
		b.FileBytes = fi.Size()
	}
	err = n.DB.View(func(r app.Reader) error {
		for _, k := range app.Kinds {
			if err := r.Scan(k, "", "", func(string) bool { b.Records++; return true }); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		n.DB.Close()
		return b, nil, err
	}
	if !b.Match {
		n.DB.Close()
		return b, nil, fmt.Errorf("bootstrap of %s: the digest does not match", scope)
	}
	return b, n, nil
}

// dayMarks are a node's marks for one lesson day: every lesson of its
// groups on day d not cancelled, every child in force.
func dayMarks(r app.Reader, groups []string, d app.Date, rnd *mrand.Rand) ([]app.Command, error) {
	var cmds []app.Command
	for _, gid := range groups {
		g, err := app.Get[app.Group](r, gid)
		if err != nil {
			return nil, err
		}
		ks, err := app.List[app.Contract](r, app.IdxGroup, gid+"|", 0)
		if err != nil {
			return nil, err
		}
		for _, l := range app.ScheduledLessons(g, d.Month()) {
			if l.Date != d {
				continue
			}
			if held, err := app.Get[app.Lesson](r, l.ID); err == nil && held.Cancelled {
				continue // a cancelled lesson takes no marks
			}
			for _, k := range ks {
				if inForce(k, d) {
					cmds = append(cmds, &app.MarkAttendance{Group: gid, Date: d, Start: l.Start, Child: k.Child, Mark: randomMark(rnd)})
				}
			}
		}
	}
	return cmds, nil
}

// dayEnrolments are up to n enrolments from day d of children the node
// knows (through contracts in force with its provider) into another group of
// the provider, of a module they do not study yet, with a free place and a
// balance the node's view accepts. Each certificate is used once (used);
// a node takes the certificates with index ≡ slot (mod slots), so that nodes
// of one provider do not race for the same child. Nodes of different
// providers still may (a child at two providers, a municipality's limit):
// the server refuses the later one, as it would in the krai.
func dayEnrolments(r app.Reader, groups []string, d app.Date, n, slot, slots int, used map[string]bool) ([]app.Command, error) {
	type cand struct{ cert, group string }
	var cands []cand
	modules := map[string]map[string]bool{} // certificate → modules it studies
	var certs []string
	groupModule := map[string]string{}
	for _, gid := range groups {
		g, err := app.Get[app.Group](r, gid)
		if err != nil {
			return nil, err
		}
		groupModule[gid] = g.Module
		ks, err := app.List[app.Contract](r, app.IdxGroup, gid+"|", 0)
		if err != nil {
			return nil, err
		}
		for _, k := range ks {
			if modules[k.Certificate] == nil {
				modules[k.Certificate] = map[string]bool{}
				if inForce(k, d) {
					certs = append(certs, k.Certificate)
				}
			}
			modules[k.Certificate][k.Module] = true
		}
	}
	for i := slot; i < len(certs); i += max(slots, 1) {
		c := certs[i]
		for _, gid := range groups {
			if !modules[c][groupModule[gid]] {
				cands = append(cands, cand{c, gid})
			}
		}
	}
	var cmds []app.Command
	for _, c := range cands {
		if len(cmds) >= n {
			break
		}
		if used[c.cert] {
			continue
		}
		e, err := app.PrepareEnrolment(r, c.cert, c.group, d, d)
		if err != nil || e.Group.Free() <= 0 {
			continue
		}
		used[c.cert] = true
		cmds = append(cmds, &app.Enrol{ID: newID(), Certificate: c.cert, Group: c.group, Start: d,
			QuotedCert: e.Quote.Cert, QuotedParent: e.Quote.Parent, ParentConfirmed: true})
	}
	return cmds, nil
}

// lessonDays are the dates, latest first, at most n, on or before today
// and not in a closed month, on which any of the groups has a lesson.
func lessonDays(r app.Reader, groups []string, today app.Date, n int) ([]app.Date, error) {
	reg, err := app.Get[app.Region](r, "region")
	if err != nil {
		return nil, err
	}
	seen := map[app.Date]bool{}
	for _, gid := range groups {
		g, err := app.Get[app.Group](r, gid)
		if err != nil {
			return nil, err
		}
		for m := today.Month(); m >= reg.LastClosed && m >= today.Month()-1; m-- {
			for _, l := range app.ScheduledLessons(g, m) {
				if l.Date <= today {
					seen[l.Date] = true
				}
			}
		}
	}
	var out []app.Date
	for d := range seen {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b app.Date) int { return cmp.Compare(b, a) })
	return out[:min(n, len(out))], nil
}

// load joins a node for each of scopes (loadScopes: provider nodes, then
// muns municipality nodes). Then all of them at once make opt.Days
// rounds: on a provider node a lesson day's marks and a few enrolments, then
// one sync round (push and pull), timed; a municipality node only syncs
// (its own work, certificates and requests, is a few ops a day).
func (s *regionServer) load(ctx context.Context, dir string, w regionWorld, opt RegionOptions, scopes []string, muns int, log *slog.Logger) (Load, error) {
	l := Load{Nodes: opt.Nodes, MunNodes: muns, Refused: map[string]int{}}
	hc := s.client()
	nodes := make([]*Node, opt.Nodes)
	nprov := opt.Nodes - muns
	provs := w.providers
	l.Scopes = min(len(provs), nprov) + muns
	scopeOf := func(i int) string { return scopes[i] }
	t := time.Now()
	var joinErr error
	var mu gosync.Mutex
	sem := make(chan struct{}, 8)
	var wg gosync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			n, err := s.join(ctx, filepath.Join(dir, fmt.Sprintf("node-%04d.db", i)), scopeOf(i), hc)
			if err == nil {
				_, err = n.Client.SyncOnce(ctx)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil && joinErr == nil {
				joinErr = fmt.Errorf("node %d: %w", i, err)
			}
			nodes[i] = n
		}()
	}
	wg.Wait()
	defer func() {
		for _, n := range nodes {
			if n != nil {
				n.DB.Close()
			}
		}
	}()
	if joinErr != nil {
		return l, joinErr
	}
	l.JoinSecs = time.Since(t).Seconds()
	log.Info("nodes joined", "seconds", l.JoinSecs)

	// Each node's days and marks, made before the clock starts.
	type plan struct {
		days        []app.Date
		marks       [][]app.Command
		slot, slots int
		groups      []string
	}
	plans := make([]plan, len(nodes))
	for i, n := range nodes {
		pl := &plans[i]
		if i >= nprov {
			pl.days, pl.marks = make([]app.Date, opt.Days), make([][]app.Command, opt.Days)
			continue
		}
		p := provs[len(provs)-1-i%len(provs)]
		pl.groups = p.groups
		pl.slot, pl.slots = i/len(provs), (nprov+len(provs)-1-i%len(provs))/len(provs)
		rnd := mrand.New(mrand.NewPCG(uint64(opt.Seed), uint64(i)))
		err := n.DB.View(func(r app.Reader) error {
			days, err := lessonDays(r, p.groups, opt.Today, opt.Days)
			if err != nil {
				return err
			}
			for k := range opt.Days {
				var cmds []app.Command
				var d app.Date
				if k < len(days) {
					d = days[len(days)-1-k] // the earliest first
					if cmds, err = dayMarks(r, p.groups, d, rnd); err != nil {
						return err
					}
				}
				pl.days = append(pl.days, d)
				pl.marks = append(pl.marks, cmds)
				l.Marks += len(cmds)
			}
			return nil
		})
		if err != nil {
			return l, fmt.Errorf("node %d: plan: %w", i, err)
		}
	}

	var times []time.Duration
	peakHeap := sampleHeap(100 * time.Millisecond)
	cpu0 := s.cpuSeconds()
	t = time.Now()
	start := make(chan struct{})
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			pl := plans[i]
			used := map[string]bool{}
			for k, marks := range pl.marks {
				fail := func(what string, err error) {
					mu.Lock()
					l.Errors++
					mu.Unlock()
					log.Warn(what, "node", i, "err", err)
				}
				if len(marks) > 0 {
					if _, err := n.DB.ExecBatch(marks); err != nil {
						fail("node marks", err)
					}
				}
				// Enrolments as an operator makes them, one by one on the
				// node's own view: one the node itself refuses is not made.
				if d := pl.days[k]; d != 0 && opt.EnrolPerDay > 0 {
					var enrols []app.Command
					err := n.DB.View(func(r app.Reader) (err error) {
						enrols, err = dayEnrolments(r, pl.groups, d, opt.EnrolPerDay, pl.slot, pl.slots, used)
						return err
					})
					if err != nil {
						fail("node enrolments", err)
					}
					for _, c := range enrols {
						if _, err := n.DB.Exec(c); err == nil {
							mu.Lock()
							l.Enrolments++
							mu.Unlock()
						}
					}
				}
				t := time.Now()
				rep, err := n.Client.SyncOnce(ctx)
				d := time.Since(t)
				mu.Lock()
				l.Rounds++
				l.Ops += rep.Pushed
				l.Rejected += rep.Rejected
				times = append(times, d)
				mu.Unlock()
				if err != nil {
					fail("node round", err)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	l.WallSecs = time.Since(t).Seconds()
	l.CPUSeconds = s.cpuSeconds() - cpu0
	l.HeapBytes = peakHeap()
	l.RSSBytes, l.HWMBytes = s.memory()
	l.ServerOnly = s.proc != nil
	l.P50, l.P99, l.Max = percentiles(times)

	// Quiet: one more round each, and every node equals the server's view.
	for i, n := range nodes {
		rep, err := n.Client.SyncOnce(ctx)
		rs, _ := n.DB.OpResults(true, 0)
		for _, r := range rs {
			l.Refused[r.Op.Type+" "+r.Result.Code]++
		}
		if err == nil && rep.DigestMatch {
			l.Converged++
		} else {
			log.Warn("node after the load", "node", i, "report", rep, "err", err)
		}
	}
	return l, nil
}

// percentiles are the 50th and 99th percentile and the maximum, in ms.
func percentiles(ds []time.Duration) (p50, p99, most float64) {
	if len(ds) == 0 {
		return 0, 0, 0
	}
	slices.Sort(ds)
	at := func(p float64) float64 {
		i := min(int(p*float64(len(ds))), len(ds)-1)
		return float64(ds[i].Microseconds()) / 1000
	}
	return at(0.50), at(0.99), float64(ds[len(ds)-1].Microseconds()) / 1000
}

// procMemory is a process's resident set now and at its peak, from
// /proc/<pid>/status (pid "self": this one; 0 where there is none).
func procMemory(pid string) (rss, hwm int64) {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = n << 10
		case "VmHWM:":
			hwm = n << 10
		}
	}
	return rss, hwm
}

// catalogue runs opt.Catalogue clients at once, each making opt.PerClient
// requests of the public catalogue: the first page, filtered lists, later
// pages, a search, a programme's card.
func (s *regionServer) catalogue(ctx context.Context, w regionWorld, opt RegionOptions) (Catalog, error) {
	c := Catalog{Clients: opt.Catalogue, Programmes: len(w.programmes)}
	var mu gosync.Mutex
	var times []time.Duration
	var wg gosync.WaitGroup
	for i := range opt.Catalogue {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := sync.PinnedClient(s.fp)
			hc.Timeout = time.Minute
			rnd := mrand.New(mrand.NewPCG(uint64(opt.Seed), uint64(1000+i)))
			for range opt.PerClient {
				u := s.url + catalogueURL(w, rnd)
				t := time.Now()
				ok := get(ctx, hc, u)
				d := time.Since(t)
				mu.Lock()
				times = append(times, d)
				if !ok {
					c.Errors++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	c.Requests = len(times)
	c.P50, c.P99, _ = percentiles(times)
	return c, nil
}

func catalogueURL(w regionWorld, rnd *mrand.Rand) string {
	switch x := rnd.IntN(10); {
	case x < 2:
		return "/"
	case x < 4 && len(w.muns) > 0:
		return "/?mun=" + w.muns[rnd.IntN(len(w.muns))]
	case x < 5:
		return "/?page=" + strconv.Itoa(2+rnd.IntN(5))
	case x < 6:
		return "/?q=" + []string{"%D1%80%D0%BE%D0%B1%D0%BE%D1%82", "%D1%82%D0%B0%D0%BD%D0%B5%D1%86", "%D1%88%D0%B0%D1%85%D0%BC%D0%B0%D1%82"}[rnd.IntN(3)]
	case x < 7:
		return "/?age=" + strconv.Itoa(5+rnd.IntN(13)) + "&free=1"
	case len(w.programmes) > 0:
		return "/programme/" + w.programmes[rnd.IntN(len(w.programmes))]
	}
	return "/municipalities"
}

// get fetches u and reads the whole body: true on 200 OK.
func get(ctx context.Context, hc *http.Client, u string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err == nil && resp.StatusCode == http.StatusOK
}

// endToEnd records opt.Marks marks on a new node of the largest provider
// (re-marking its lessons of the open days in turn), then times three
// things in one run: the real sync round that pushes them and pulls until
// the digest matches; store.ApplyRemote of the same ops on a copy of the
// server taken just before; bare bbolt puts of as many values.
func (s *regionServer) endToEnd(ctx context.Context, dir string, w regionWorld, opt RegionOptions) (EndToEnd, error) {
	var e EndToEnd
	p := w.providers[len(w.providers)-1]
	_, n, err := s.bootstrap(ctx, filepath.Join(dir, "marks.db"), app.ProviderScope(p.id))
	if err != nil {
		return e, err
	}
	defer n.DB.Close()
	rnd := mrand.New(mrand.NewPCG(uint64(opt.Seed), 99))
	var all []app.Command
	err = n.DB.View(func(r app.Reader) error {
		days, err := lessonDays(r, p.groups, opt.Today, 8)
		if err != nil {
			return err
		}
		var one []app.Command
		for _, d := range days {
			cmds, err := dayMarks(r, p.groups, d, rnd)
			if err != nil {
				return err
			}
			one = append(one, cmds...)
		}
		if len(one) == 0 {
			return fmt.Errorf("у исполнителя %s нет занятий в открытом месяце по %s: укажите --today внутри учебного года мира", p.id, opt.Today.Russian())
		}
		for len(all) < opt.Marks {
			for _, c := range one[:min(len(one), opt.Marks-len(all))] {
				m := *c.(*app.MarkAttendance)
				m.Mark = randomMark(rnd)
				all = append(all, &m)
			}
		}
		return nil
	})
	if err != nil {
		return e, err
	}
	e.E2EMarks = len(all)
	t := time.Now()
	if err := execAll(n.DB, all); err != nil {
		return e, fmt.Errorf("marks on the node: %w", err)
	}
	e.RecordPerSec = float64(len(all)) / time.Since(t).Seconds()

	// The same ops, decoded from the frames the client will send.
	var batches [][]app.Op
	st, err := n.DB.SyncState()
	if err != nil {
		return e, err
	}
	for next := st.Acked + 1; ; {
		ops, err := n.DB.Outbox(next, sync.MaxOps)
		if err != nil {
			return e, err
		}
		if len(ops) == 0 {
			break
		}
		frame, err := sync.EncodeBatch(n.Client.Key, sync.NewBatch(n.DB.Node(), ops))
		if err != nil {
			return e, err
		}
		_, b, err := sync.DecodeBatch(frame)
		if err != nil {
			return e, err
		}
		batches = append(batches, b.Ops)
		next = ops[len(ops)-1].Seq + 1
	}
	cp := filepath.Join(dir, "apply-copy.db")
	if s.db != nil {
		err = s.db.Bolt().View(func(tx *bbolt.Tx) error { return tx.CopyFile(cp, 0o600) })
	} else {
		// A child server holds the lock; nothing writes now (every node
		// is done, the catalogue only reads), so the file is its last commit.
		err = copyFile(s.path, cp)
	}
	if err != nil {
		return e, err
	}

	// End to end: the first push byte to the node's digest match.
	sent := s.wire.PushSent.Load()
	s.first.Store(0)
	var rep sync.Report
	for range 3 {
		r, err := n.Client.SyncOnce(ctx)
		if err != nil {
			return e, fmt.Errorf("end to end: %w", err)
		}
		rep.Pushed += r.Pushed
		rep.Rejected += r.Rejected
		if rep.DigestMatch = r.DigestMatch; r.DigestMatch {
			break
		}
	}
	end := time.Now()
	if rep.Pushed != len(all) || rep.Rejected != 0 || !rep.DigestMatch {
		return e, fmt.Errorf("end to end: %+v, want %d ops pushed, none rejected, digests equal", rep, len(all))
	}
	e.E2ESeconds = end.Sub(time.Unix(0, s.first.Load())).Seconds()
	e.E2EPerSec = float64(len(all)) / e.E2ESeconds
	e.E2EPushBytes = s.wire.PushSent.Load() - sent
	e.E2EMatch = rep.DigestMatch

	// Store only: ApplyRemote of the same ops on the copy, fsync as the server.
	copyDB, err := store.Open(cp, store.Options{Now: s.now, NoSync: opt.NoSync, DataKey: opt.DataKey})
	if err != nil {
		return e, err
	}
	defer copyDB.Close()
	node, err := copyDB.NodeByKey(n.Client.Key.Public().(ed25519.PublicKey))
	if err != nil {
		return e, err
	}
	var apply time.Duration
	for _, ops := range batches {
		t := time.Now()
		_, results, needFrom, err := copyDB.ApplyRemote(node, ops)
		apply += time.Since(t)
		if err != nil {
			return e, err
		}
		if needFrom != 0 {
			return e, fmt.Errorf("store only: the copy needs ops from %d", needFrom)
		}
		for _, r := range results {
			if r.Status != store.StatusApplied {
				return e, fmt.Errorf("store only: op %d %s %s", r.Seq, r.Code, r.Message)
			}
		}
	}
	e.StorePerSec = float64(len(all)) / apply.Seconds()
	if e.BarePerSec, err = BarePuts(filepath.Join(dir, "bare.db"), len(all), 1000); err != nil {
		return e, err
	}
	e.E2EPctOfStore = 100 * e.E2EPerSec / e.StorePerSec
	e.StorePctOfBare = 100 * e.StorePerSec / e.BarePerSec
	return e, nil
}

// Table is the short human table of r, in Russian.
func (r RegionResult) Table(w io.Writer) {
	var b bytes.Buffer
	mb := func(n int64) string { return fmt.Sprintf("%.1f МБ", float64(n)/(1<<20)) }
	fmt.Fprintf(&b, "Мир: %s, дата %s\n", r.World, r.Today)
	fmt.Fprintf(&b, "База сервера: %s, данных %s, записей %d, %.0f Б файла на операцию (%d операций)\n",
		mb(r.Sizes.FileBytes), mb(r.Sizes.DataBytes), r.Sizes.Records, r.Sizes.BytesPerOp, r.Sizes.Ops)
	groups := make([]string, 0, len(r.Sizes.Buckets))
	for g := range r.Sizes.Buckets {
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, c string) int {
		return cmp.Or(cmp.Compare(r.Sizes.Buckets[c].Bytes, r.Sizes.Buckets[a].Bytes), cmp.Compare(a, c))
	})
	for _, g := range groups[:min(5, len(groups))] {
		fmt.Fprintf(&b, "  %-34s %s\n", bucketRu[g]+":", mb(r.Sizes.Buckets[g].Bytes))
	}
	for _, x := range r.Boot {
		fmt.Fprintf(&b, "Подключение узла %-30s %.2f с, по сети %s, файл %s\n", roleRu(x)+":", x.Seconds, mb(x.WireBytes), mb(x.FileBytes))
	}
	l := r.Load
	fmt.Fprintf(&b, "Узлов сразу %d (муниципалитетов %d): раунд p50 %.0f мс, p99 %.0f мс, сбоев %d, отказов сервера %d\n",
		l.Nodes, l.MunNodes, l.P50, l.P99, l.Errors, l.Rejected)
	whose := "процесса: сервер и узлы вместе"
	if l.ServerOnly {
		whose = "сервера (отдельный процесс)"
	}
	fmt.Fprintf(&b, "  память %s — %s (пик %s), процессор %.1f с за %.1f с\n",
		whose, mb(l.RSSBytes), mb(l.HWMBytes), l.CPUSeconds, l.WallSecs)
	fmt.Fprintf(&b, "Каталог, посетителей %d: p50 %.1f мс, p99 %.1f мс, сбоев %d\n", r.Catalog.Clients, r.Catalog.P50, r.Catalog.P99, r.Catalog.Errors)
	fmt.Fprintf(&b, "Отметок %d: запись на узле %.0f в секунду; от узла до совпадения сводки %.0f в секунду —\n"+
		"  %.0f%% от применения в хранилище (%.0f в секунду); чистый bbolt %.0f записей в секунду\n",
		r.E2EMarks, r.RecordPerSec, r.E2EPerSec, r.E2EPctOfStore, r.StorePerSec, r.BarePerSec)
	fmt.Fprintf(&b, "Проверка базы сервера: нарушений %d\n", r.Check)
	_, _ = w.Write(b.Bytes())
}

// bucketRu names the bucket groups of DBSizes in the table.
var bucketRu = map[string]string{
	"records": "записи", "index": "индексы", "feed": "лента изменений", "journal": "журнал операций узлов",
	"outbox": "операции самого сервера", "results": "отказы узлам", "acked": "подтверждения узлам",
	"undo": "журнал отката", "meta": "служебное", "serial": "счётчики номеров", "opresults": "ответы сервера",
}

// roleRu is the bootstrap's role in the table.
func roleRu(b Boot) string {
	kind, id, _ := app.ParseScope(b.Scope)
	switch {
	case b.Scope == app.ScopeRegion:
		return "области"
	case strings.HasPrefix(b.Role, "largest"):
		return "крупнейшего муниципалитета " + id
	case kind != "":
		return "типичного исполнителя"
	}
	return b.Role
}

// sampleHeap samples the Go heap in use every period until the function it
// returns is called, which stops the sampling and gives the peak seen.
func sampleHeap(every time.Duration) (peak func() uint64) {
	var max atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > max.Load() {
				max.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(every):
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-sampled
		return max.Load()
	}
}
