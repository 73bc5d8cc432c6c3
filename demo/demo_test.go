package demo_test

import (
	"path/filepath"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/demo"
	"kruzhok/store"
)

// open opens a new store file in t.TempDir(), on the clock if one is given,
// and closes it when the test ends.
func open(t *testing.T, clock *demo.Clock) *store.DB {
	t.Helper()
	opt := store.Options{NoSync: true}
	if clock != nil {
		opt.Now = clock.Now
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "demo.db"), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return st
}

// build makes a demo region in a real store file with the demo's clock.
func build(t *testing.T, opt demo.Options) (*store.DB, demo.Summary) {
	t.Helper()
	opt.Clock = &demo.Clock{}
	st := open(t, opt.Clock)
	s, err := demo.Build(st, opt)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return st, s
}

var small = demo.Options{Children: 300, Providers: 8, Programmes: 20}

func TestBuildSmallRegion(t *testing.T) {
	st, s := build(t, small)
	t.Logf("\n%s", s)

	if breaches := st.Check(app.Check); len(breaches) > 0 {
		t.Fatalf("check found %d breaches, first: %q", len(breaches), breaches[:min(5, len(breaches))])
	}
	for name, n := range map[string]int{
		"municipalities": s.Municipalities, "financing municipalities": s.Financing,
		"accounting municipalities": s.Accounting, "providers": s.Providers, "programmes": s.Programmes,
		"certified": s.Certified, "submitted": s.Submitted, "denied": s.Denied,
		"drafts": s.Programmes - s.Certified - s.Submitted - s.Denied, "listings": s.Listings,
		"modules": s.Modules, "groups": s.Groups, "children": s.Children,
		"financing certificates": s.CertFinancing, "accounting certificates": s.CertAccounting,
		"waiting requests": s.Waiting, "contracts": s.Contracts, "active contracts": s.ContractsActive,
		"terminated contracts": s.ContractsTerminated, "funded contracts": s.ContractsFunded,
		"municipal contracts": s.Contracts - s.ContractsFunded, "lessons": s.Lessons,
		"cancelled lessons": s.Cancelled, "marks": s.Marks, "invoices": s.Invoices, "paid invoices": s.InvPaid,
	} {
		if n <= 0 {
			t.Errorf("%s: %d, want > 0", name, n)
		}
	}
	if s.Municipalities != 33 || s.Financing < 20 || s.Financing+s.Accounting != 33 {
		t.Errorf("municipalities %d, financing %d, accounting %d: want 33, ≥ 20 financing, all with parameters",
			s.Municipalities, s.Financing, s.Accounting)
	}
	if s.Children != small.Children || s.CertFinancing+s.CertAccounting != s.Children {
		t.Errorf("children %d, certificates %d + %d: want %d, one each", s.Children, s.CertFinancing, s.CertAccounting, small.Children)
	}
	if s.Paid <= 0 || s.Reserved <= 0 || s.Nominals != s.Balance+s.Reserved+s.Paid {
		t.Errorf("money: nominals %d ≠ balance %d + reserved %d + paid %d, or nothing paid", s.Nominals, s.Balance, s.Reserved, s.Paid)
	}

	err := st.View(func(r app.Reader) error {
		certs, err := app.List[app.Certificate](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, c := range certs {
			for _, l := range c.Ledgers {
				if !l.Holds() {
					t.Errorf("certificate %s: ledger %+v does not hold", c.Number, l)
				}
			}
		}
		// Every child is 5–17 today; most study somewhere.
		today := app.DateOf(time.Now())
		kids, err := app.List[app.Child](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, k := range kids {
			if a := app.AgeOn(k.BirthDate, today); a < 5 || a > 17 {
				t.Errorf("child %s is %d today", k.FullName(), a)
			}
		}
		ks, err := app.List[app.Contract](r, "", "", 0)
		if err != nil {
			return err
		}
		enrolled := map[string]bool{}
		for _, k := range ks {
			enrolled[k.Child] = true
		}
		t.Logf("enrolled: %d of %d children (%d%%)", len(enrolled), len(kids), 100*len(enrolled)/len(kids))
		if pct := 100 * len(enrolled) / len(kids); pct < 50 || pct > 80 {
			t.Errorf("enrolled %d%% of children, want about 60–70%%", pct)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The same seed gives the same region: only the UUIDs differ.
func TestBuildIsDeterministic(t *testing.T) {
	opt := demo.Options{Children: 80, Providers: 4, Programmes: 10, Seed: 7}
	_, a := build(t, opt)
	_, b := build(t, opt)
	if a != b {
		t.Errorf("two builds with seed 7 differ:\n%s\n%s", a, b)
	}
	opt.Seed = 8
	if _, c := build(t, opt); c == a {
		t.Errorf("seeds 7 and 8 gave the same region:\n%s", a)
	}
}

// Without a clock everything is dated today; the region still holds every invariant.
func TestBuildWithoutClock(t *testing.T) {
	st := open(t, nil)
	s, err := demo.Build(st, demo.Options{Children: 100, Providers: 5, Programmes: 12})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if s.Contracts == 0 || s.Marks == 0 || s.Invoices == 0 {
		t.Errorf("without a clock: %d contracts, %d marks, %d invoices, want all > 0", s.Contracts, s.Marks, s.Invoices)
	}
	if breaches := st.Check(app.Check); len(breaches) > 0 {
		t.Fatalf("check found %d breaches, first: %q", len(breaches), breaches[:min(5, len(breaches))])
	}
}

// A database that has a region already is not the demo's to fill.
func TestBuildRefusesSeededRegion(t *testing.T) {
	st := open(t, nil)
	if _, err := st.Exec(assets.Seed(app.DateOf(time.Now()))); err != nil {
		t.Fatal(err)
	}
	before, _ := st.OutboxLen()
	_, err := demo.Build(st, demo.Options{Children: 10})
	if app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("Build on a seeded region: %v, want %s", err, app.ECONFLICT)
	}
	if after, _ := st.OutboxLen(); after != before {
		t.Errorf("outbox grew from %d to %d ops on a refused build", before, after)
	}
}
