package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
	"kruzhok/web"
)

// benchProgrammes is the size of the catalogue the benchmark searches.
const benchProgrammes = 6000

var (
	bigOnce sync.Once
	big     *region
	bigErr  error
)

// bigRegion is a region of benchProgrammes programmes made through app
// commands: 200 providers, each programme with one module and two groups;
// four in five certified, the rest in municipal registries.
func bigRegion(b *testing.B) *region {
	b.Helper()
	bigOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kruzhok-web-bench-")
		if err != nil {
			bigErr = err
			return
		}
		st, err := store.Open(filepath.Join(dir, "big.db"), store.Options{NoSync: true})
		if err != nil {
			bigErr = err
			return
		}
		big = &region{st: st, dir: dir}
		if bigErr = fillBig(st); bigErr != nil {
			return
		}
		big.srv = httptest.NewServer(web.New(st, slog.New(slog.DiscardHandler)))
	})
	if bigErr != nil {
		b.Fatalf("big region: %v", bigErr)
	}
	return big
}

func fillBig(st *store.DB) error {
	today := app.DateOf(time.Now())
	period := assets.PeriodOf(today)
	id := func() string { return uuid.Must(uuid.NewV7()).String() }
	cmds := []app.Command{assets.Seed(today)}
	muns := assets.Municipalities()
	dirs := []string{"tech", "science", "sport", "art", "tourism", "social"}
	titles := []string{"Робототехника", "Шахматы", "Футбол", "Юный эколог", "Изостудия", "Народный танец",
		"Программирование", "Туристы-краеведы", "Английский язык", "Журналистика", "Плавание", "Химия"}
	var provs []string
	for i := range 200 {
		p := id()
		provs = append(provs, p)
		cmds = append(cmds,
			&app.RegisterProvider{ID: p, Name: fmt.Sprintf("АНО ДО «Центр развития № %d»", i+1), Type: app.ProviderTraining,
				Municipality: muns[i%len(muns)].Code, INN: fmt.Sprintf("26%08d", i), Licence: fmt.Sprintf("Л035-%05d", i)},
			&app.SetProviderStatus{Provider: p, Status: app.ProviderActive})
	}
	for i := range benchProgrammes {
		p, m := id(), id()
		ageMin := 5 + i%8
		cmds = append(cmds,
			&app.SaveProgramme{ID: p, Provider: provs[i%len(provs)], Title: fmt.Sprintf("%s %d", titles[i%len(titles)], i/len(titles)+1),
				Direction: dirs[i%len(dirs)], AgeMin: ageMin, AgeMax: ageMin + 5, Form: app.Forms[i%len(app.Forms)],
				Description: "Занятия для детей: практика, проекты, соревнования и выступления. Программа " + fmt.Sprint(i) + "."},
			&app.SaveModule{ID: m, Programme: p, Name: "Базовый уровень", Hours: 72, Months: 9, MinChildren: 5, MaxChildren: 15,
				Price: int64(900_000 + i%50*10_000), NormPrice: 1_500_000},
			&app.SubmitProgramme{Programme: p})
		if i%5 == 0 {
			cmds = append(cmds, &app.ListProgramme{Municipality: muns[i%len(muns)].Code, Programme: p})
		} else {
			cmds = append(cmds, &app.CertifyProgramme{Programme: p})
		}
		for k := range 2 {
			cmds = append(cmds, &app.OpenGroup{ID: id(), Module: m, Name: fmt.Sprintf("Группа %d", k+1),
				Start: period.Start, End: period.End.AddDays(-30), Capacity: 15, AgeMin: ageMin, AgeMax: ageMin + 5,
				Schedule:  []app.Slot{{Weekday: 1 + (i+k)%6, Start: 15*60 + k*120, End: 16*60 + 30 + k*120, Address: "ул. Ленина, 1"}},
				EnrolFrom: period.Start.AddDays(-15), EnrolTo: period.End.AddDays(-60)})
		}
	}
	for lo := 0; lo < len(cmds); lo += 1000 {
		if _, err := st.ExecBatch(cmds[lo:min(lo+1000, len(cmds))]); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkCatalogueQuery searches a catalogue of 6 000 programmes with 50
// clients at once over loopback HTTP and reports the 50th and 99th
// percentiles of the response time. Repeated asks six common searches over
// and over, as visitors do (after the first, each is a rendered page of the
// snapshot); Distinct never asks the same thing twice (a word, a direction,
// an age and a municipality), so every request filters and renders its
// page; DistinctText asks for a word and an age only, so every request
// looks at all 6 000 programmes.
func BenchmarkCatalogueQuery(b *testing.B) {
	common := []string{
		"/?q=робот&age=10",
		"/?dir=sport&free=1",
		"/?mun=27&page=2",
		"/",
		"/?q=проекты+соревнования&dir=art&age=9&page=3",
		"/?reg=municipal&age=7",
	}
	dirs := []string{"tech", "science", "sport", "art", "tourism", "social"}
	b.Run("Repeated", func(b *testing.B) {
		benchQueries(b, func(i int) string { return common[i%len(common)] })
	})
	var round atomic.Int64 // the benchmark runs again with a larger b.N: no query repeats across runs
	b.Run("Distinct", func(b *testing.B) {
		r := round.Add(1)
		benchQueries(b, func(i int) string {
			i += int(r) * 1_000_000
			return fmt.Sprintf("/?q=%s&dir=%s&age=%d&mun=%02d&page=%d", []string{"занятия", "практика", "проекты", "для"}[i%4],
				dirs[i/4%6], 5+i/24%13, 1+i/312%33, 1+i/10296)
		})
	})
	b.Run("DistinctText", func(b *testing.B) { // no direction or municipality: every programme is looked at
		r := round.Add(1)
		benchQueries(b, func(i int) string {
			i += int(r) * 1_000_000
			return fmt.Sprintf("/?q=%s&age=%d&page=%d", []string{"занятия", "практика", "проекты", "для"}[i%4], 5+i/4%13, 1+i/52)
		})
	})
}

func benchQueries(b *testing.B, query func(i int) string) {
	r := bigRegion(b)
	const clients = 50
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	fetch := func(path string) error {
		resp, err := client.Get(r.srv.URL + path)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
		}
		return err
	}
	if err := fetch("/"); err != nil { // builds the index
		b.Fatal(err)
	}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := fetch(query(i)); err != nil {
					failed.Store(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}
