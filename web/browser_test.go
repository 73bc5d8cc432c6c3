package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kruzhok/app"
)

// chromiumPath is Debian's chromium (apt-get install chromium).
const chromiumPath = "/usr/bin/chromium"

// browser starts a headless Chromium for the test, or skips the test when
// there is none outside CI.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("no %s (apt-get install chromium): %v", chromiumPath, err)
		}
		t.Fatalf("CI needs %s (apt-get install chromium): %v", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	return ctx
}

// screenshotPath is where a screenshot named name goes: docs/screenshots
// when KRUZHOK_SCREENSHOTS=1, else the test's temporary directory.
func screenshotPath(t *testing.T, name string) string {
	if os.Getenv("KRUZHOK_SCREENSHOTS") == "1" {
		dir := filepath.Join("..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(dir, name)
	}
	return filepath.Join(t.TempDir(), name)
}

// TestBrowser drives a real Chromium through the catalogue without
// JavaScript of its own: it searches, filters, opens a programme and checks
// the numbers it reads from the page against the store.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	r := demoRegion(t)
	c := readCatalogue(t, r.st)

	// A certified programme with free places, searched by its title.
	today := app.DateOf(timeNow())
	hasFree := func(id string) bool {
		for _, g := range c.groups[id] {
			if g.Free() > 0 && g.EnrolTo >= today {
				return true
			}
		}
		return false
	}
	var prog app.Programme
	for id, p := range c.progs {
		if p.Status == app.ProgCertified && hasFree(id) && len(c.modules[id]) > 0 &&
			(prog.ID == "" || p.ID < prog.ID) {
			prog = p
		}
	}
	if prog.ID == "" {
		t.Fatal("no certified programme with groups")
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	kops := func(sel, attr string) []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`[...document.querySelectorAll("`+sel+`")].map(e => `+attr+`)`))
		if err != nil {
			t.Fatalf("values of %s: %v", sel, err)
		}
		return v
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(r.srv.URL+"/")); err != nil {
		t.Fatalf("open /: %v", err)
	}
	countAll := text("#count")
	// Search and filter through the form, as a person would.
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), prog.Title),
		chromedp.SetValue(chromedp.CSS(`select[name="dir"]`), prog.Direction),
		chromedp.SendKeys(chromedp.CSS(`input[name="age"]`), strconv.Itoa(prog.AgeMin)),
		chromedp.Click(chromedp.CSS(`input[name="free"]`)),
	); err != nil {
		t.Fatalf("fill the filters: %v", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`))); err != nil {
		t.Fatalf("search: %v", err)
	}
	countFiltered := text("#count")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(loc, "dir="+prog.Direction) || !strings.Contains(loc, "age="+strconv.Itoa(prog.AgeMin)) ||
		!strings.Contains(loc, "free=1") {
		t.Errorf("after the search the address is %s: the filters did not go into it", loc)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[href="/programme/`+prog.ID+`"]`))); err != nil {
		t.Fatalf("open the programme: %v", err)
	}
	title, provider := text("#title"), text("#provider")
	priceKop, coverKop := kops(".price", "e.dataset.kop"), kops(".cover", "e.dataset.kop")
	freeTexts := kops(".gfree", "e.textContent")
	if !strings.Contains(countAll, strconv.Itoa(len(c.progs))) {
		t.Errorf("count on /: %q, want %d programmes", countAll, len(c.progs))
	}
	if countFiltered == countAll || !strings.Contains(countFiltered, "Найдено программ:") {
		t.Errorf("filtered count %q, all %q: the filters did nothing", countFiltered, countAll)
	}
	if title != prog.Title || !strings.Contains(provider, c.provs[prog.Provider].Name) {
		t.Errorf("programme page: title %q provider %q, want %q by %q", title, provider, prog.Title, c.provs[prog.Provider].Name)
	}
	var wantPrice, wantCover []string
	for _, m := range c.modules[prog.ID] {
		wantPrice = append(wantPrice, i64(m.Price))
		wantCover = append(wantCover, i64(min(m.Price, m.NormPrice)))
	}
	if !sameSet(priceKop, wantPrice) || !sameSet(coverKop, wantCover) {
		t.Errorf("prices %v covers %v, want %v and %v", priceKop, coverKop, wantPrice, wantCover)
	}
	var wantFree []string
	for _, g := range c.groups[prog.ID] {
		if g.End >= today {
			wantFree = append(wantFree, i64(max(0, g.Free())))
		}
	}
	if !sameSet(freeTexts, wantFree) {
		t.Errorf("free places %v, want %v", freeTexts, wantFree)
	}

	// Screenshots of the list and a programme, on a desktop and a phone.
	for _, shot := range []struct {
		name, path string
		w, h       int64
		full       bool // the whole page, not only the first screen
	}{
		{"catalogue.png", "/?dir=" + prog.Direction, 1280, 900, false},
		{"catalogue-programme.png", "/programme/" + prog.ID, 1280, 900, false},
		{"catalogue-phone.png", "/?dir=" + prog.Direction, 390, 844, false},
		{"catalogue-programme-phone.png", "/programme/" + prog.ID, 390, 844, true},
		{"catalogue-municipalities-phone.png", "/municipalities", 390, 844, false},
	} {
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(shot.w, shot.h),
			chromedp.Navigate(r.srv.URL+shot.path),
			chromedp.WaitVisible(chromedp.CSS(`main`)),
		)
		var png []byte
		if err == nil && shot.full {
			png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		} else if err == nil {
			png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
		}
		if err != nil {
			t.Fatalf("screenshot %s: %v", shot.name, err)
		}
		path := screenshotPath(t, shot.name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", path)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	n := map[string]int{}
	for _, s := range a {
		n[s]++
	}
	for _, s := range b {
		n[s]--
	}
	for _, v := range n {
		if v != 0 {
			return false
		}
	}
	return true
}
