//go:build !nogui

package ui

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// seed is a small region: enough to see rows, types and dates in the table.
func seed() *app.SeedRegion {
	return &app.SeedRegion{
		Municipalities: []app.Municipality{
			{Code: "01", Name: "Александровский", Types: []app.DatedType{{From: app.MustDate("2020-06-01"), Type: app.MunDistrict}}},
			{Code: "27", Name: "Ставрополь", Types: []app.DatedType{{From: app.MustDate("2004-01-01"), Type: app.MunCity}}},
			{Code: "33", Name: "Шпаковский", Types: []app.DatedType{
				{From: app.MustDate("2004-01-01"), Type: "муниципальный район"},
				{From: app.MustDate("2020-06-01"), Type: app.MunDistrict},
			}},
		},
		Directions: []app.Direction{{Code: "tech", Name: "техническая"}},
		Periods:    []app.Period{{ID: "2026-2027", Start: app.MustDate("2026-09-01"), End: app.MustDate("2027-08-31")}},
		Current:    "2026-2027",
	}
}

// tabTitles returns the titles of the window's role tabs.
func tabTitles(t *testing.T, w fyne.Window) []string {
	t.Helper()
	tabs := findTabs(w.Content())
	if tabs == nil {
		t.Fatal("window has no AppTabs")
	}
	var out []string
	for _, it := range tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

func findTabs(o fyne.CanvasObject) *container.AppTabs {
	switch v := o.(type) {
	case *container.AppTabs:
		return v
	case *fyne.Container:
		for _, c := range v.Objects {
			if t := findTabs(c); t != nil {
				return t
			}
		}
	}
	return nil
}

func TestRegionWindow(t *testing.T) {
	a := test.NewApp()
	defer a.Quit()
	st := newTestStore(t, "region")
	if _, err := st.Exec(seed()); err != nil {
		t.Fatalf("seed: %v", err)
	}
	w := newMainWindow(a, st, "/tmp/kruzhok.db")
	defer w.Close()

	if got := w.Title(); got != "Кружок — ПФДО Ставропольского края" {
		t.Errorf("title = %q", got)
	}
	if got, want := tabTitles(t, w), regionTabs; !slices.Equal(got, want) {
		t.Errorf("tabs = %q, want %q", got, want)
	}
	bar := newTopBar(st, Options{DataPath: "/tmp/kruzhok.db"}, nil)
	if got := bar.scope.Text(); got != "Регион (РМЦ)" {
		t.Errorf("scope label = %q", got)
	}
	// A standalone region database is its own authority: nothing to sync.
	if got := bar.sync.status.Text; got != "Автономная база региона" {
		t.Errorf("sync label = %q", got)
	}
	if bar.sync.syncNow.Visible() {
		t.Error("«Синхронизировать сейчас» is shown on a database that syncs with no one")
	}
}

func TestMunicipalitiesScreen(t *testing.T) {
	a := test.NewApp()
	defer a.Quit()
	st := newTestStore(t, "region")

	s := newMunicipalitiesScreen(st, time.Now)
	if rows, _ := s.size(); rows != 0 {
		t.Errorf("empty store: %d rows", rows)
	}
	if got := s.status.Text; got != "Муниципалитетов нет: справочник ещё не загружен." {
		t.Errorf("empty store: status = %q", got)
	}

	if _, err := st.Exec(seed()); err != nil {
		t.Fatalf("seed: %v", err)
	}
	s.refresh()
	s.today = app.MustDate("2026-11-27")
	want := [][]string{
		{"01", "Александровский", app.MunDistrict},
		{"27", "Ставрополь", app.MunCity},
		{"33", "Шпаковский", app.MunDistrict},
	}
	rows, cols := s.size()
	if rows != len(want) || cols != len(municipalityColumns) {
		t.Fatalf("size = %d×%d, want %d×%d", rows, cols, len(want), len(municipalityColumns))
	}
	for r, row := range want {
		for c, cell := range row {
			if got := s.cell(r, c); got != cell {
				t.Errorf("cell(%d,%d) = %q, want %q", r, c, got, cell)
			}
		}
	}
	if got := s.status.Text; got != "Муниципалитетов: 3 · период 2026-2027" {
		t.Errorf("status = %q", got)
	}
	// The cells the table shows are the same text, through row reuse.
	l := s.createCell().(*widget.Label)
	s.updateCell(widget.TableCellID{Row: 1, Col: 1}, l)
	if l.Text != "Ставрополь" {
		t.Errorf("rendered cell = %q", l.Text)
	}
	s.table.UpdateHeader(widget.TableCellID{Row: -1, Col: 2}, l)
	if l.Text != "Тип" {
		t.Errorf("header = %q", l.Text)
	}
}

func TestMunicipalityWindow(t *testing.T) {
	a := test.NewApp()
	defer a.Quit()
	st := newTestStore(t, "region")
	if _, err := st.Exec(seed()); err != nil {
		t.Fatalf("seed: %v", err)
	}
	mun := reopenAs(t, st, "municipality:27")
	w := newMainWindow(a, mun, "")
	defer w.Close()
	if got, want := tabTitles(t, w), municipalityTabs; !slices.Equal(got, want) {
		t.Errorf("tabs = %q, want %q", got, want)
	}
	if got := scopeLabel(mun); got != "Муниципалитет 27 — Ставрополь" {
		t.Errorf("scope label = %q", got)
	}
}

func TestProviderWindowHasNoRegionOrMunicipalityTabs(t *testing.T) {
	a := test.NewApp()
	defer a.Quit()
	st := newTestStore(t, "provider:0197b2c4-0000-7000-8000-000000000001")
	w := newMainWindow(a, st, "")
	defer w.Close()

	got := tabTitles(t, w)
	if !slices.Equal(got, providerTabs) {
		t.Errorf("tabs = %q, want %q", got, providerTabs)
	}
	for _, title := range slices.Concat(regionTabs, municipalityTabs) {
		if slices.Contains(got, title) && !slices.Contains(providerTabs, title) {
			t.Errorf("provider sees tab %q", title)
		}
	}
	// The provider's record has not reached this node: the id stands in.
	if got := scopeLabel(st); got != "Исполнитель 0197b2c4-0000-7000-8000-000000000001" {
		t.Errorf("scope label = %q", got)
	}
}

func TestParseScope(t *testing.T) {
	for _, tc := range []struct {
		name  string
		scope string
		role  role
		id    string
		ok    bool
	}{
		{"Region", "region", roleRegion, "", true},
		{"Municipality", "municipality:27", roleMunicipality, "27", true},
		{"Provider", "provider:abc", roleProvider, "abc", true},
		{"MunicipalityWithoutCode", "municipality:", 0, "", false},
		{"RegionWithID", "region:1", 0, "", false},
		{"Unknown", "school:1", 0, "", false},
		{"Empty", "", 0, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, id, ok := parseScope(tc.scope)
			if r != tc.role || id != tc.id || ok != tc.ok {
				t.Errorf("parseScope(%q) = %v, %q, %v; want %v, %q, %v", tc.scope, r, id, ok, tc.role, tc.id, tc.ok)
			}
		})
	}
}

func TestHaveDisplay(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"None", map[string]string{}, false},
		{"X11", map[string]string{"DISPLAY": ":0"}, true},
		{"Wayland", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := haveDisplay(func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("haveDisplay = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRunWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	if err := Run(newTestStore(t, "region"), Options{}); err != ErrNoDisplay {
		t.Errorf("Run = %v, want ErrNoDisplay", err)
	}
}

// The binary sets its metadata in code (a plain `go build` finds FyneApp.toml
// only beside the binary); it must say what FyneApp.toml says.
func TestMetadataMatchesFyneAppToml(t *testing.T) {
	b, err := os.ReadFile("../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{
		`(?m)^\s*ID = "` + regexp.QuoteMeta(AppID) + `"$`,
		`(?m)^\s*Version = "` + regexp.QuoteMeta(version) + `"$`,
		`(?m)^\s*Build = ` + strconv.Itoa(build) + `$`,
		`(?m)^\s*Name = "Kruzhok"$`,
		`(?m)^\s*fyneDo = true$`,
	} {
		if !regexp.MustCompile(re).Match(b) {
			t.Errorf("FyneApp.toml does not match %s", re)
		}
	}
}

// The region's window as a person sees it, in the real theme. A changed
// rendering writes testdata/failed/region_window.png: look at it, and move it
// into testdata/ if the change is meant.
func TestRegionWindowImage(t *testing.T) {
	a := test.NewTempApp(t)
	test.ApplyTheme(t, newTheme())
	rw := newRgWorld(t, "2026-11-27")
	rw.fill()
	opts := rw.opts()
	opts.DataPath = "/home/rmc/.config/kruzhok/kruzhok.db"
	w := newWindow(a, rw.db, opts)
	defer w.Close()
	w.Resize(fyne.NewSize(1200, 760))
	test.AssertImageMatches(t, "region_window.png", w.Canvas().Capture())
}
