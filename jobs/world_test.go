package jobs_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/jobs"
	"kruzhok/store"
)

var msk = time.FixedZone("MSK", 3*3600)

// clock is the one clock of a test's store and scheduler; the test moves it.
type clock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to the date s (YYYY-MM-DD) at hh:mm Moscow time.
func (c *clock) Set(s string, hh, mm int) {
	y, m, d := app.MustDate(s).Parts()
	c.mu.Lock()
	c.t = time.Date(y, m, d, hh, mm, 0, 0, msk)
	c.mu.Unlock()
}

// world is a seeded region database on a real store in t.TempDir(), with a
// provider of municipality 27 (module 12 000,00 ₽, NS 10 000,00 ₽, a group
// from 2026-09-01 to 2027-05-31), as app/fixture_test.go builds it.
type world struct {
	t     *testing.T
	db    *store.DB
	clk   *clock
	logs  *logBuf
	seq   int
	Group string
}

func newWorld(t *testing.T, today string) *world {
	t.Helper()
	w := &world{t: t, clk: &clock{}, logs: &logBuf{}}
	w.clk.Set(today, 9, 0)
	db, err := store.Open(filepath.Join(t.TempDir(), "data", "kruzhok.db"), store.Options{NoSync: true, Now: w.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	w.db = db
	t.Cleanup(func() {
		if b := db.Check(app.Check); len(b) > 0 {
			t.Errorf("check after test: %q", b)
		}
		db.Close()
	})
	w.must(assets.Seed(app.DateOf(w.clk.Now())))
	return w
}

func (w *world) must(c app.Command) {
	w.t.Helper()
	if _, err := w.db.Exec(c); err != nil {
		w.t.Fatalf("%s: %v", c.Op(), err)
	}
}

func (w *world) id(p string) string {
	w.seq++
	return fmt.Sprintf("%s-%d", p, w.seq)
}

// provider makes the municipality financing (quota 10, nominal
// 20 000,00 ₽, 30 days to request) and a provider with a certified programme
// and a group.
func (w *world) provider() {
	w.must(&app.SetPriceCap{Pct: 120})
	w.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing,
		Quota: 10, Nominal: 20_000_00, DaysToRequest: 30, Population: 1000, BudgetLimit: 100_000_000_00}})
	prov, prog, mod := w.id("prov"), w.id("prog"), w.id("mod")
	w.Group = w.id("grp")
	w.must(&app.RegisterProvider{ID: prov, Name: "АНО ДО «Робототехника»", Type: app.ProviderTraining,
		Municipality: "27", INN: "2634000001", Licence: "26Л01-0001"})
	w.must(&app.SetProviderStatus{Provider: prov, Status: app.ProviderActive})
	w.must(&app.SaveProgramme{ID: prog, Provider: prov, Title: "Робототехника", Direction: "tech",
		AgeMin: 5, AgeMax: 17, Form: "очная"})
	w.must(&app.SaveModule{ID: mod, Programme: prog, Name: "Базовый", Hours: 72, Months: 9,
		MinChildren: 5, MaxChildren: 20, Price: 12_000_00, NormPrice: 10_000_00})
	w.must(&app.SubmitProgramme{Programme: prog})
	w.must(&app.CertifyProgramme{Programme: prog})
	w.must(&app.OpenGroup{ID: w.Group, Module: mod, Name: "Группа 1", Start: app.MustDate("2026-09-01"),
		End: app.MustDate("2027-05-31"), Capacity: 20, AgeMin: 5, AgeMax: 17,
		Schedule:  []app.Slot{{Weekday: 2, Start: 15 * 60, End: 16*60 + 30, Room: "12"}},
		EnrolFrom: app.MustDate("2026-08-15"), EnrolTo: app.MustDate("2027-04-30")})
}

// financed registers a child of municipality 27 and gives it a financing certificate.
func (w *world) financed() string {
	w.t.Helper()
	child, cert := w.id("child"), w.id("cert")
	w.must(&app.RegisterChild{Child: app.Child{ID: child, LastName: "Петров", FirstName: "Иван",
		MiddleName: "Сергеевич", BirthDate: app.MustDate("2015-03-10"), Municipality: "27",
		GuardianName: "Петрова Анна Ивановна", GuardianPhone: "+7 918 000-00-00",
		ConsentDate: app.DateOf(w.clk.Now()), ConsentBy: "Сидорова М. П."}})
	w.must(&app.IssueCertificate{ID: cert, Child: child})
	w.must(&app.RequestFinancing{ID: w.id("req"), Certificate: cert})
	return cert
}

// enrol makes a contract of cert in the group from start at the quoted figures.
func (w *world) enrol(cert, start string) string {
	w.t.Helper()
	var q app.Quote
	err := w.db.View(func(r app.Reader) error {
		e, err := app.PrepareEnrolment(r, cert, w.Group, app.MustDate(start), app.DateOf(w.clk.Now()))
		q = e.Quote
		return err
	})
	if err != nil {
		w.t.Fatalf("quote: %v", err)
	}
	id := w.id("contract")
	w.must(&app.Enrol{ID: id, Certificate: cert, Group: w.Group, Start: app.MustDate(start),
		QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: true})
	return id
}

func get[T any, P interface {
	*T
	app.Record
}](w *world, id string) T {
	w.t.Helper()
	var v T
	err := w.db.View(func(r app.Reader) error {
		var err error
		v, err = app.Get[T, P](r, id)
		return err
	})
	if err != nil {
		w.t.Fatalf("get %s: %v", id, err)
	}
	return v
}

func (w *world) region() app.Region { return get[app.Region](w, "region") }

func (w *world) ops() int {
	n, err := w.db.OutboxLen()
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// scheduler makes the world's scheduler with its clock, logging to w.logs.
// It is not started; cleanup shuts it down.
func (w *world) scheduler(opt jobs.Options) *jobs.Scheduler {
	w.t.Helper()
	if opt.Now == nil {
		opt.Now = w.clk.Now
	}
	if opt.RetryDelay == 0 {
		opt.RetryDelay = time.Millisecond
	}
	s, err := jobs.New(w.db, slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), opt)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() {
		if err := s.Shutdown(); err != nil {
			w.t.Errorf("Shutdown: %v", err)
		}
	})
	return s
}

// logBuf collects log lines; safe for concurrent use.
type logBuf struct {
	mu gosync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuf) Count(s string) int { return strings.Count(l.String(), s) }
