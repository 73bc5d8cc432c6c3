package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
	"kruzhok/sync"
)

// Clock is the one clock of a bench world's databases; the bench moves it
// through the simulated months.
type Clock struct {
	mu gosync.Mutex
	t  time.Time
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set puts the clock on date d at 18:00 Moscow time, after the day's lessons.
func (c *Clock) Set(d app.Date) {
	y, m, dd := d.Parts()
	c.mu.Lock()
	c.t = time.Date(y, m, dd, 18, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	c.mu.Unlock()
}

// Group is a provider's group as the bench uses it.
type Group struct {
	ID       string
	Children []string // enrolled from 1 September
	Contract []string // their contracts, in the same order
}

// Provider is a provider of the bench world.
type Provider struct {
	ID     string
	Groups []Group
	Spare  []string // financed certificates applied to the provider, not enrolled
}

// Server is a regional server on a real store, served over loopback HTTP.
type Server struct {
	DB    *store.DB
	Clock *Clock
	HTTP  *httptest.Server
	// Wire counts the bytes of push and pull that went through Client().
	Wire *Wire

	Providers []Provider
}

// Close stops the HTTP server and closes the database.
func (s *Server) Close() error {
	s.HTTP.Close()
	return s.DB.Close()
}

// Client is an HTTP client to the server whose traffic is counted in Wire.
func (s *Server) Client() *http.Client {
	base := s.HTTP.Client().Transport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 512 // many nodes at once keep their connections
	return &http.Client{Transport: &countingTransport{base: base, w: s.Wire}, Timeout: 2 * time.Minute}
}

// WorldOptions size a bench world.
type WorldOptions struct {
	Providers int  // default 1
	Groups    int  // groups of each provider; default 24
	Children  int  // enrolled per group; default 20
	Spare     int  // financed children applied to the provider but not enrolled; default 6
	NoSync    bool // the server's database skips fsync (tests); the bench keeps it
	Log       *slog.Logger
}

// Start and the lesson time of every group: Tuesdays and Thursdays at 15:00.
var (
	groupStart  = app.MustDate("2026-09-01")
	groupEnd    = app.MustDate("2027-05-31")
	lessonStart = 15 * 60
	schedule    = []app.Slot{{Weekday: 2, Start: 15 * 60, End: 16*60 + 30, Room: "12"},
		{Weekday: 4, Start: 15 * 60, End: 16*60 + 30, Room: "12"}}
)

// NewServer builds a region server database in dir through app commands
// only: the reference data, municipality 27 in financing mode, opt.Providers
// active providers, each with a certified programme and opt.Groups groups of
// opt.Children children of the municipality with financing certificates
// enrolled from 1 September 2026, plus opt.Spare more children (negative:
// none) who applied to the provider. The clock stands at 1 September 2026.
func NewServer(dir string, opt WorldOptions) (*Server, error) {
	if opt.Providers <= 0 {
		opt.Providers = 1
	}
	if opt.Groups <= 0 {
		opt.Groups = 24
	}
	if opt.Children <= 0 {
		opt.Children = 20
	}
	if opt.Spare < 0 {
		opt.Spare = 0
	} else if opt.Spare == 0 {
		opt.Spare = 6
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	clk := &Clock{}
	clk.Set(groupStart)
	db, err := store.Open(filepath.Join(dir, "server.db"), store.Options{Now: clk.Now, NoSync: opt.NoSync})
	if err != nil {
		return nil, err
	}
	s := &Server{DB: db, Clock: clk, Wire: &Wire{}}
	if err := s.seed(opt); err != nil {
		db.Close()
		return nil, fmt.Errorf("bench world: %w", err)
	}
	s.HTTP = httptest.NewServer(sync.NewServer(db, opt.Log).Handler())
	return s, nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func (s *Server) seed(opt WorldOptions) error {
	today := app.DateOf(s.Clock.Now())
	perProv := opt.Groups*opt.Children + opt.Spare
	cmds := []app.Command{
		assets.Seed(today),
		&app.SetPriceCap{Pct: 120},
		&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing,
			Quota: int64(opt.Providers*perProv + 10), Nominal: 20_000_00, DaysToRequest: 30,
			Population: 100_000, BudgetLimit: 1_000_000_000_00}},
	}
	var certs, children []string
	for p := range opt.Providers {
		prov := Provider{ID: newID()}
		prog, mod := newID(), newID()
		inn := fmt.Sprintf("26340%05d", p+1)
		cmds = append(cmds,
			&app.RegisterProvider{ID: prov.ID, Name: fmt.Sprintf("МБУ ДО «Центр детского творчества №%d»", p+1),
				Type: app.ProviderTraining, Municipality: "27", INN: inn, Licence: "26Л01-" + inn[5:]},
			&app.SetProviderStatus{Provider: prov.ID, Status: app.ProviderActive},
			&app.SaveProgramme{ID: prog, Provider: prov.ID, Title: "Робототехника", Direction: "tech",
				AgeMin: 5, AgeMax: 17, Form: "очная"},
			&app.SaveModule{ID: mod, Programme: prog, Name: "Базовый", Hours: 72, Months: 9,
				MinChildren: 5, MaxChildren: opt.Children + 5, Price: 12_000_00, NormPrice: 10_000_00},
			&app.SubmitProgramme{Programme: prog},
			&app.CertifyProgramme{Programme: prog})
		for i := range opt.Groups {
			g := Group{ID: newID()}
			prov.Groups = append(prov.Groups, g)
			cmds = append(cmds, &app.OpenGroup{ID: g.ID, Module: mod, Name: fmt.Sprintf("Группа %d", i+1),
				Start: groupStart, End: groupEnd, Capacity: int64(opt.Children + 5), AgeMin: 5, AgeMax: 17,
				Schedule: schedule, EnrolFrom: app.MustDate("2026-08-15"), EnrolTo: app.MustDate("2027-04-30")})
		}
		s.Providers = append(s.Providers, prov)
		// Children, certificates and financing.
		for i := range perProv {
			child, cert := newID(), newID()
			children, certs = append(children, child), append(certs, cert)
			cmds = append(cmds,
				&app.RegisterChild{Child: app.Child{ID: child, LastName: "Иванов", FirstName: "Пётр",
					MiddleName: "Сергеевич", BirthDate: app.NewDate(2012+i%6, time.Month(1+i%12), 1+i%28),
					Municipality: "27", GuardianName: "Иванова Анна Петровна", GuardianPhone: "+7 918 000-00-00",
					ConsentDate: today, ConsentBy: "оператор МОЦ"}},
				&app.IssueCertificate{ID: cert, Child: child},
				&app.RequestFinancing{ID: newID(), Certificate: cert})
		}
	}
	if err := s.execAll(cmds); err != nil {
		return err
	}
	// Contracts at the quoted figures, and the spare children's applications.
	cmds = cmds[:0]
	err := s.DB.View(func(r app.Reader) error {
		for p := range s.Providers {
			prov := &s.Providers[p]
			base := p * perProv
			for gi := range prov.Groups {
				g := &prov.Groups[gi]
				for c := range opt.Children {
					i := base + gi*opt.Children + c
					e, err := app.PrepareEnrolment(r, certs[i], g.ID, groupStart, today)
					if err != nil {
						return fmt.Errorf("quote %d: %w", i, err)
					}
					k := newID()
					g.Children = append(g.Children, children[i])
					g.Contract = append(g.Contract, k)
					cmds = append(cmds, &app.Enrol{ID: k, Certificate: certs[i], Group: g.ID, Start: groupStart,
						QuotedCert: e.Quote.Cert, QuotedParent: e.Quote.Parent, ParentConfirmed: true})
				}
			}
			for i := base + opt.Groups*opt.Children; i < base+perProv; i++ {
				c, err := app.Get[app.Certificate](r, certs[i])
				if err != nil {
					return err
				}
				prov.Spare = append(prov.Spare, certs[i])
				cmds = append(cmds, &app.ApplyChild{Number: c.Number, Provider: prov.ID})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.execAll(cmds)
}

// execAll runs cmds on the server in transactions of 1 000 commands.
func (s *Server) execAll(cmds []app.Command) error { return execAll(s.DB, cmds) }

func execAll(db *store.DB, cmds []app.Command) error {
	for len(cmds) > 0 {
		n := min(len(cmds), 1000)
		if _, err := db.ExecBatch(cmds[:n]); err != nil {
			return err
		}
		cmds = cmds[n:]
	}
	return nil
}

// Invite creates an invite for scope and returns its secret.
func (s *Server) Invite(scope string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	secret := hex.EncodeToString(b)
	if _, err := s.DB.Exec(&app.CreateInvite{Hash: sync.InviteHash(secret), Scope: scope}); err != nil {
		return "", err
	}
	return secret, nil
}

// Node is a joined node database and its sync client.
type Node struct {
	DB     *store.DB
	Client *sync.Client
}

// Join makes a new node database at path, joined to the server for scope
// through the real join and bootstrap pull. Its clock is the server's.
func (s *Server) Join(ctx context.Context, path, scope string, hc *http.Client) (*Node, error) {
	secret, err := s.Invite(scope)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(path, store.Options{NoSync: true, Now: s.Clock.Now})
	if err != nil {
		return nil, err
	}
	if err := sync.Join(ctx, db, s.HTTP.URL, secret, hc); err != nil {
		db.Close()
		return nil, err
	}
	c, err := sync.NewClient(db, hc)
	if err != nil {
		db.Close()
		return nil, err
	}
	c.Now = s.Clock.Now
	return &Node{DB: db, Client: c}, nil
}

// Lessons returns the scheduled lesson dates of the groups in month m.
func Lessons(m app.Month) []app.Date {
	var out []app.Date
	for d := max(m.First(), groupStart); d <= min(m.Last(), groupEnd); d++ {
		if wd := d.Weekday(); wd == time.Tuesday || wd == time.Thursday {
			out = append(out, d)
		}
	}
	return out
}

// Wire counts HTTP body bytes by kind.
type Wire struct {
	PushSent, PushReply, PullReply, Other atomic.Int64
	Pushes                                atomic.Int64
}

type countingTransport struct {
	base http.RoundTripper
	w    *Wire
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	push := req.URL.Path == "/v1/push"
	if push {
		c.w.Pushes.Add(1)
		c.w.PushSent.Add(max(req.ContentLength, 0))
	}
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	into := &c.w.Other
	switch req.URL.Path {
	case "/v1/push":
		into = &c.w.PushReply
	case "/v1/pull":
		into = &c.w.PullReply
	}
	resp.Body = &countingBody{ReadCloser: resp.Body, n: into}
	return resp, nil
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}
