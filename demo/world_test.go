package demo_test

import (
	"path/filepath"
	"testing"

	"kruzhok/app"
	"kruzhok/demo"
	"kruzhok/store"
)

// buildWorld builds the world at scale from seed in a new store file, as
// `kruzhok demo --scale` does.
func buildWorld(t *testing.T, scale float64, seed int64) (*store.DB, demo.Summary) {
	t.Helper()
	opt, err := demo.World(scale, seed)
	if err != nil {
		t.Fatal(err)
	}
	opt.Clock = &demo.Clock{}
	st, err := store.Open(filepath.Join(t.TempDir(), "world.db"),
		store.Options{NoSync: true, Now: opt.Clock.Now, Node: demo.WorldNode})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	s, err := demo.Build(st, opt)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return st, s
}

// The world from a seed is the same records every time: the digests of the
// region and of a municipality agree; another seed gives another world.
// A small scale (0.001) keeps it quick under -race; TestDemoWorld in the
// main package builds 0.01 and checks the sizes.
func TestWorldIsDeterministic(t *testing.T) {
	a, sa := buildWorld(t, 0.001, 9)
	b, sb := buildWorld(t, 0.001, 9)
	c, _ := buildWorld(t, 0.001, 10)
	if sa != sb {
		t.Errorf("two builds with seed 9 differ:\n%s\n%s", sa, sb)
	}
	if breaches := a.Check(app.Check); len(breaches) > 0 {
		t.Fatalf("check found %d breaches, first: %q", len(breaches), breaches[:min(5, len(breaches))])
	}
	if sa.Marks == 0 || sa.InvPaid == 0 || sa.Contracts == 0 {
		t.Errorf("a world without a year: %+v", sa)
	}
	for _, scope := range []string{app.ScopeRegion, app.MunicipalityScope("27")} {
		da, err := a.Digest(scope)
		if err != nil {
			t.Fatal(err)
		}
		db, _ := b.Digest(scope)
		dc, _ := c.Digest(scope)
		if da != db {
			t.Errorf("%s: seed 9 gave digests %s and %s", scope, da, db)
		}
		if da == dc {
			t.Errorf("%s: seeds 9 and 10 gave the same digest %s", scope, da)
		}
	}
}

func TestWorldRefusesBadScale(t *testing.T) {
	for _, s := range []float64{0, -0.5, 1.5} {
		if _, err := demo.World(s, 1); err == nil {
			t.Errorf("World(%v) built options", s)
		}
	}
	if opt, err := demo.World(1, 1); err != nil || opt.Programmes != demo.TargetProgrammes || opt.Providers != demo.TargetProviders {
		t.Errorf("World(1) = %+v, %v: want the targets", opt, err)
	}
}
