//go:build !nogui

package ui

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
)

var (
	benchSurnames = []string{"Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Васильев",
		"Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов",
		"Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
		"Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев",
		"Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов",
		"Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов", "Жуков",
		"Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов"}
	benchBoys    = []string{"Александр", "Максим", "Иван", "Артём", "Дмитрий", "Никита", "Михаил", "Даниил", "Егор", "Андрей", "Кирилл", "Илья", "Матвей", "Тимофей", "Роман"}
	benchGirls   = []string{"Анастасия", "Мария", "Анна", "Виктория", "Екатерина", "Дарья", "Полина", "Софья", "Алиса", "Ксения", "Елизавета", "Варвара", "Вероника", "Ульяна", "Арина"}
	benchFathers = []string{"Александров", "Сергеев", "Андреев", "Дмитриев", "Алексеев", "Владимиров", "Николаев", "Игорев", "Олегов", "Викторов"}
)

// benchChildren is a node database holding n children with certificates,
// written as a real import is: RegisterChild and IssueCertificate through
// store.ExecBatch, 1 000 commands a transaction, without fsync.
func benchChildren(b *testing.B, n int) *store.DB {
	b.Helper()
	now := time.Date(2026, 11, 10, 10, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	db, err := store.Open(filepath.Join(b.TempDir(), "kruzhok.db"), store.Options{NoSync: true, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(assets.Seed(app.DateOf(now))); err != nil {
		b.Fatal(err)
	}
	muns := assets.Municipalities()
	rng := rand.New(rand.NewPCG(1, 2))
	started := time.Now()
	ids := make([]string, 0, n)
	batch := make([]app.Command, 0, 1000)
	flush := func() {
		if _, err := db.ExecBatch(batch); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range n {
		last, first, father := benchSurnames[rng.IntN(len(benchSurnames))], "", benchFathers[rng.IntN(len(benchFathers))]
		if rng.IntN(2) == 0 {
			first, father = benchBoys[rng.IntN(len(benchBoys))], father+"ич"
		} else {
			first, last, father = benchGirls[rng.IntN(len(benchGirls))], last+"а", father+"на"
		}
		id := fmt.Sprintf("child-%08d", i)
		ids = append(ids, id)
		batch = append(batch, &app.RegisterChild{Child: app.Child{ID: id, LastName: last, FirstName: first,
			MiddleName: father, BirthDate: app.MustDate("2009-12-01").AddDays(rng.IntN(11 * 365)),
			Municipality: muns[rng.IntN(len(muns))].Code, GuardianName: "Представитель " + last,
			ConsentDate: app.MustDate("2026-09-01"), ConsentBy: "Оператор МОЦ"}})
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	for i, id := range ids {
		batch = append(batch, &app.IssueCertificate{ID: fmt.Sprintf("cert-%08d", i), Child: id})
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	b.Logf("imported %d children with certificates in %s", n, time.Since(started).Round(time.Millisecond))
	return db
}

// typing is what a person types, one keystroke at a time: every prefix.
func typing(words ...string) []string {
	var out []string
	for _, w := range words {
		r := []rune(w)
		for i := 1; i <= len(r); i++ {
			out = append(out, string(r[:i]))
		}
	}
	return out
}

// BenchmarkChildSearch measures search as you type over 100 000 children:
// one op is one keystroke, from the entry's change to the list's rows being
// filled and refreshed. max-ms is the slowest keystroke (target ≤ 50 ms).
func BenchmarkChildSearch(b *testing.B) {
	test.NewTempApp(b)
	db := benchChildren(b, 100_000)
	f := newChildFinder(db, nil)
	win := test.NewWindow(f.content)
	win.Resize(fyne.NewSize(480, 760))
	b.Cleanup(win.Close)

	for _, bc := range []struct {
		name    string
		queries []string
	}{
		{"Name", typing("Петрова Мария", "Смирнов Ил", "Жуков Егор Андреевич", "Ковалёва")},
		{"CertificateNumber", typing("26-27-000123", "26-05-0001", "26-33-00")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var slowest time.Duration
			rows, i := 0, 0
			for b.Loop() {
				q := bc.queries[i%len(bc.queries)]
				i++
				t0 := time.Now()
				f.query.SetText(q) // what a keystroke does: OnChanged runs the search
				if d := time.Since(t0); d > slowest {
					slowest = d
				}
				rows += len(f.rows)
			}
			b.ReportMetric(float64(slowest.Microseconds())/1000, "max-ms")
			b.ReportMetric(float64(rows)/float64(i), "rows/op")
		})
	}
	// The store's part alone: the index prefix scan and the reads of up to
	// 50 children with their certificates and requests, without the list.
	b.Run("StoreOnly", func(b *testing.B) {
		queries := typing("Петрова Мария", "Смирнов Ил", "26-27-000123")
		i := 0
		for b.Loop() {
			if _, err := f.search(queries[i%len(queries)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// syntheticRows are n rows for the list without a database behind them.
func syntheticRows(n int) []childRow {
	rows := make([]childRow, n)
	for i := range rows {
		rows[i] = childRow{child: app.Child{ID: fmt.Sprintf("c%d", i), LastName: benchSurnames[i%len(benchSurnames)],
			FirstName: benchBoys[i%len(benchBoys)], BirthDate: app.MustDate("2015-03-10")}, mun: "г. Ставрополь",
			hasCert: true, cert: app.Certificate{Number: fmt.Sprintf("26-27-%06d", i), Type: app.CertAccounting}}
	}
	return rows
}

// rowCount counts the row widgets a list makes and how many of them are
// still alive (not yet collected).
type rowCount struct {
	made atomic.Int64
	live atomic.Int64
}

// scrollFinder is a finder over n rows in a window of a laptop's height,
// whose list's CreateItem is counted.
func scrollFinder(tb testing.TB, n int) (*childFinder, *rowCount) {
	test.NewTempApp(tb)
	f := newChildFinder(nil, nil)
	c := &rowCount{}
	create := f.list.CreateItem
	f.list.CreateItem = func() fyne.CanvasObject {
		o := create()
		c.made.Add(1)
		c.live.Add(1)
		runtime.AddCleanup(o.(*fyne.Container), func(n *atomic.Int64) { n.Add(-1) }, &c.live)
		return o
	}
	win := test.NewWindow(f.content)
	win.Resize(fyne.NewSize(480, 760))
	tb.Cleanup(win.Close)
	f.rows = syntheticRows(n)
	f.list.Refresh()
	return f, c
}

// settle collects garbage until the count of live rows stops changing:
// cleanups run on their own goroutine after a collection.
func (c *rowCount) settle() int64 {
	last := int64(-1)
	for range 50 {
		runtime.GC()
		time.Sleep(2 * time.Millisecond)
		if n := c.live.Load(); n == last {
			return n
		} else {
			last = n
		}
	}
	return last
}

// rowHeight is the height of a row and its separator: one wheel step.
func rowHeight(f *childFinder) float32 {
	return f.createRow().MinSize().Height + theme.Padding()
}

// BenchmarkChildListScroll scrolls a list of 100 000 children the way a
// person does, through the scroll offset: «Wheel» a row at a time, «Jump» to
// far rows as a dragged scroll bar does. rows-made counts CreateItem calls,
// rows-live the row widgets still in memory afterwards. Both stay at about a
// screenful: widget.List reuses its rows (a garbage collection may empty its
// pool of spares, which costs a few new rows, never one per child). Run it
// without -race: the race detector's sync.Pool drops spares on purpose.
func BenchmarkChildListScroll(b *testing.B) {
	for _, bc := range []struct {
		name string
		step int
	}{{"Wheel", 1}, {"Jump", 7919}} {
		b.Run(bc.name, func(b *testing.B) {
			f, c := scrollFinder(b, 100_000)
			h := rowHeight(f)
			i := 0
			for b.Loop() {
				i = (i + bc.step) % (len(f.rows) - 20)
				f.list.ScrollToOffset(float32(i) * h)
			}
			b.ReportMetric(float64(c.made.Load()), "rows-made")
			b.ReportMetric(float64(c.settle()), "rows-live")
		})
	}
}

// raceBuild reports whether the test binary runs under the race detector,
// whose sync.Pool drops items on purpose.
func raceBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}

// scrollAbout scrolls the list as a person does: a wheel step of three rows
// at a time through the first 600 children, then jumps with the scroll bar.
func scrollAbout(f *childFinder) {
	h := rowHeight(f)
	for i := 0; i < 600; i += 3 {
		f.list.ScrollToOffset(float32(i) * h)
	}
	for _, i := range []int{9_000, 100, 5_000, 9_950} {
		f.list.ScrollToOffset(float32(i) * h)
	}
}

// Scrolling through the list reuses the row widgets: CreateItem is called for
// about a screenful of rows and a few spares, however far the list scrolls.
// The collector is held off so that it cannot empty the list's pool of spare
// rows (a sync.Pool) in the middle of the count.
func TestChildListReusesRows(t *testing.T) {
	if raceBuild() {
		t.Skip("under the race detector sync.Pool drops spare rows on purpose, so the list makes new ones")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	f, c := scrollFinder(t, 10_000)
	visible := c.made.Load()
	if visible == 0 || visible > 20 {
		t.Fatalf("%d rows made for the first screen", visible)
	}
	scrollAbout(f)
	if f.list.GetScrollOffset() == 0 {
		t.Fatal("the list did not scroll")
	}
	if made := c.made.Load(); made > 2*visible+2 {
		t.Errorf("scrolling made %d row widgets, %d for the first screen: rows are not reused", made, visible)
	}
}
