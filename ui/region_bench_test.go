//go:build !nogui

package ui

import (
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"kruzhok/app"
	"kruzhok/demo"
	"kruzhok/store"
)

// BenchmarkMainWindowFirstFrame measures what stands between starting the
// app on the demo database (3 000 children, 40 providers, 150 programmes, the
// autumn's contracts, journal and invoices) and its first frame: building the
// window of each role and rendering it once (test driver, real theme). The
// target is well under 1 s; max-ms is the slowest op.
func BenchmarkMainWindowFirstFrame(b *testing.B) {
	a := test.NewTempApp(b)
	a.Settings().SetTheme(theme.DefaultTheme())
	clock := &demo.Clock{}
	db, err := store.Open(filepath.Join(b.TempDir(), "demo.db"), store.Options{NoSync: true, Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	t0 := time.Now()
	sum, err := demo.Build(db, demo.Options{Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("demo built in %s: %d children, %d contracts", time.Since(t0).Round(time.Millisecond), sum.Children, sum.Contracts)
	var provider string
	_ = db.View(func(r app.Reader) error {
		ps, err := app.List[app.Provider](r, "", "", 1)
		if len(ps) > 0 {
			provider = ps[0].ID
		}
		return err
	})
	for _, bc := range []struct{ name, scope string }{
		{"Region", app.ScopeRegion},
		{"Municipality", app.MunicipalityScope("27")},
		{"Provider", app.ProviderScope(provider)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if err := db.SetScope(bc.scope, true); err != nil {
				b.Fatal(err)
			}
			var slowest time.Duration
			for b.Loop() {
				start := time.Now()
				w := newWindow(a, db, Options{DataPath: db.Path()})
				w.Resize(fyne.NewSize(1200, 760))
				w.Canvas().Capture() // the first frame
				if d := time.Since(start); d > slowest {
					slowest = d
				}
				w.Close()
			}
			b.ReportMetric(float64(slowest.Microseconds())/1000, "max-ms")
		})
	}
}
