package monitor_test

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"kruzhok/app"
	"kruzhok/demo"
	"kruzhok/monitor"
	"kruzhok/store"
)

var tmpDir string

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "monitor-test-")
	if err != nil {
		panic(err)
	}
	tmpDir = d
	code := m.Run()
	for _, r := range regions {
		r.db.Close()
	}
	os.RemoveAll(d)
	os.Exit(code)
}

// region is a demo region built once per size for all tests and benchmarks.
type region struct {
	db  *store.DB
	sum demo.Summary
	err error
}

var (
	regionsMu sync.Mutex
	regions   = map[string]*region{}
)

func demoRegion(tb testing.TB, name string, opt demo.Options) *region {
	tb.Helper()
	regionsMu.Lock()
	defer regionsMu.Unlock()
	r := regions[name]
	if r == nil {
		r = &region{}
		regions[name] = r
		opt.Clock = &demo.Clock{}
		r.db, r.err = store.Open(filepath.Join(tmpDir, name+".db"), store.Options{NoSync: true, Now: opt.Clock.Now})
		if r.err == nil {
			r.sum, r.err = demo.Build(r.db, opt)
		}
	}
	if r.err != nil {
		tb.Fatal(r.err)
	}
	return r
}

func small(t *testing.T) *region {
	return demoRegion(t, "small", demo.Options{Children: 400, Providers: 10, Programmes: 30})
}

func report(t testing.TB, db *store.DB) app.Report {
	t.Helper()
	var rep app.Report
	if err := db.View(func(r app.Reader) error {
		var err error
		rep, err = app.Monitoring(r, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return rep
}

// The figures agree with what the demo says it made.
func TestMonitoringAgreesWithDemo(t *testing.T) {
	reg := small(t)
	rep, s := report(t, reg.db), reg.sum
	g := rep.Region
	if rep.FinancingMuns != s.Financing || rep.AccountingMuns != s.Financing+s.Accounting ||
		g.Nominals != s.Nominals || g.Reserved != s.Reserved || g.Paid != s.Paid ||
		g.Financing != int64(s.CertFinancing) || g.Waiting != int64(s.Waiting) || g.Certificates != int64(s.Children) {
		t.Fatalf("report %+v\nsummary %+v", g, s)
	}
	var certified int64
	for _, d := range g.Directions {
		certified += d.Certified
	}
	if certified != int64(s.Certified) {
		t.Fatalf("certified %d, demo %d", certified, s.Certified)
	}
}

func TestChartsArePNG(t *testing.T) {
	rep := report(t, small(t).db)
	charts, err := monitor.Charts(rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 4 {
		t.Fatalf("%d charts", len(charts))
	}
	for _, c := range charts {
		img, err := png.Decode(bytes.NewReader(c.PNG))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		// Drawn at 96 dpi: 4/3 pixels a point.
		if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != int(c.W.Points()*4/3+0.5) || h != int(c.H.Points()*4/3+0.5) || c.Title == "" {
			t.Errorf("%s: %d×%d for %v×%v %q", c.Name, w, h, c.W, c.H, c.Title)
		}
	}
	if os.Getenv("MONITOR_SCREENSHOT") != "" { // go test ./monitor -run Charts with MONITOR_SCREENSHOT=dir
		for _, c := range charts {
			if err := os.WriteFile(filepath.Join(os.Getenv("MONITOR_SCREENSHOT"), "monitoring-"+c.Name+".png"), c.PNG, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// kop is kopecks as the exact decimal an XLSX number cell stores: 1234.50.
func kop(k int64) string { return fmt.Sprintf("%d.%02d", k/100, k%100) }

// share is basis points as the stored fraction: 42 → 0.0042.
func share(bp int64) string {
	if bp < 0 {
		return "—"
	}
	return fmt.Sprintf("%d.%04d", bp/10000, bp%10000)
}

func TestXLSXHasTheFigures(t *testing.T) {
	reg := small(t)
	rep := report(t, reg.db)
	var data []byte
	if err := reg.db.View(func(r app.Reader) error {
		var err error
		data, err = monitor.XLSX(r, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "Показатели,Муниципалитеты,Направленности,Диаграммы" {
		t.Fatalf("sheets %q", got)
	}
	rows, err := f.GetRows("Муниципалитеты", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2+len(rep.Municipalities) {
		t.Fatalf("%d rows", len(rows))
	}
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	want := func(m app.Figures) []string {
		return []string{i64(m.Quota), i64(m.Financing), i64(m.Waiting), i64(m.Population), share(m.CoverageBP), "",
			kop(m.BudgetLimit), kop(m.SumLimit), kop(m.SumNominals), kop(m.Nominals), kop(m.Reserved), kop(m.Paid),
			kop(m.Free()), i64(m.Enrolled), i64(m.ContractsInForce)}
	}
	check := func(row []string, code, name string, m app.Figures) {
		t.Helper()
		if len(row) < 18 || row[0] != code || row[1] != name {
			t.Fatalf("row %q, want %s %s", row, code, name)
		}
		got := append([]string(nil), row[3:18]...)
		got[5] = "" // the «достигнуто» text
		if w := want(m); strings.Join(got, "|") != strings.Join(w, "|") {
			t.Fatalf("%s %s:\n got %q\nwant %q", code, name, got, w)
		}
	}
	for i, m := range rep.Municipalities {
		check(rows[1+i], m.Code, m.Name, m)
	}
	check(rows[len(rows)-1], "", app.RegionName, rep.Region)

	targets, _ := f.GetRows("Показатели")
	if len(targets) < 6 || targets[3][1] != strconv.Itoa(rep.AccountingMuns)+" из 33" || targets[4][1] != strconv.Itoa(rep.FinancingMuns) ||
		!strings.HasPrefix(targets[5][1], app.FormatBP(rep.Region.CoverageBP)) {
		t.Fatalf("targets %q", targets)
	}
	dirs, _ := f.GetRows("Направленности")
	for i, d := range rep.Region.Directions {
		r := dirs[1+i]
		if r[2] != d.Name || r[3] != i64(d.Children) || r[4] != i64(d.Contracts) || r[5] != i64(d.Providers) || r[6] != i64(d.Certified) {
			t.Fatalf("direction %q, want %+v", r, d)
		}
	}
	pics := 0
	cells, _ := f.GetPictureCells("Диаграммы")
	for _, c := range cells {
		p, _ := f.GetPictures("Диаграммы", c)
		pics += len(p)
	}
	if pics != 4 {
		t.Fatalf("%d pictures in %q", pics, cells)
	}
}

// pdfText is the text of a PDF by pdftotext, non-breaking spaces as spaces,
// blanks squeezed.
func pdfText(t *testing.T, data []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("pdftotext (poppler-utils) is not installed")
		}
		t.Fatal("pdftotext (poppler-utils) is not installed; CI must have it")
	}
	file := filepath.Join(t.TempDir(), "m.pdf")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(string(out), "\u00a0", " "), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(lines, "\n")
}

func TestPDFHasHeadingsAndCoverage(t *testing.T) {
	reg := small(t)
	rep := report(t, reg.db)
	var data []byte
	if err := reg.db.View(func(r app.Reader) error {
		var err error
		data, err = monitor.PDF(r, "")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, data)
	for _, s := range []string{"МОНИТОРИНГ ПОКАЗАТЕЛЕЙ КОНЦЕПЦИИ", "Целевые показатели", "Показатели муниципалитетов",
		"Зачисления, исполнители и программы по направленностям", "Средства периода",
		"Муниципалитеты с персонифицированным финансированием", "период " + rep.Period} {
		if !strings.Contains(text, s) {
			t.Errorf("no %q in\n%s", s, text)
		}
	}
	m, _ := rep.Municipality("27")
	cov := strings.ReplaceAll(app.FormatBP(m.CoverageBP), "\u00a0", " ")
	found := false
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "27 г. Ставрополь финансирование") {
			found = strings.Contains(l, " "+cov+" ") && strings.Contains(l, strings.ReplaceAll(app.FormatRub(m.Paid), "\u00a0", " "))
			if !found {
				t.Fatalf("line %q lacks %q", l, cov)
			}
		}
	}
	if !found || m.CoverageBP <= 0 {
		t.Fatalf("no line of г. Ставрополь (coverage %d bp) in\n%s", m.CoverageBP, text)
	}
}

// BenchmarkReport is the full monitoring report — XLSX and PDF, each with
// its charts — of the default demo region (built once, outside the timer).
func BenchmarkReport(b *testing.B) {
	reg := demoRegion(b, "default", demo.Options{})
	b.ResetTimer()
	for b.Loop() {
		if err := reg.db.View(func(r app.Reader) error {
			if _, err := monitor.XLSX(r, ""); err != nil {
				return err
			}
			_, err := monitor.PDF(r, "")
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
}
