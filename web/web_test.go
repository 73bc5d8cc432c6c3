package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"kruzhok/app"
	"kruzhok/demo"
	"kruzhok/store"
	"kruzhok/web"
)

// region is the demo region every test reads: built once, on a real store
// file, and served by the catalogue through httptest.
type region struct {
	st  *store.DB
	srv *httptest.Server
	dir string
}

var (
	regionOnce sync.Once
	shared     *region
	sharedErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, r := range []*region{shared, big} {
		if r == nil {
			continue
		}
		if r.srv != nil {
			r.srv.Close()
		}
		_ = r.st.Close()
		_ = os.RemoveAll(r.dir)
	}
	os.Exit(code)
}

// demoRegion returns the shared demo region, building it on first use.
func demoRegion(t testing.TB) *region {
	t.Helper()
	regionOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kruzhok-web-")
		if err != nil {
			sharedErr = err
			return
		}
		clock := &demo.Clock{}
		st, err := store.Open(filepath.Join(dir, "demo.db"), store.Options{NoSync: true, Now: clock.Now})
		if err != nil {
			sharedErr = err
			return
		}
		if _, err := demo.Build(st, demo.Options{Children: 300, Providers: 8, Programmes: 60, Clock: clock}); err != nil {
			sharedErr = err
			return
		}
		shared = &region{st: st, dir: dir, srv: httptest.NewServer(web.New(st, slog.New(slog.DiscardHandler)))}
	})
	if sharedErr != nil {
		t.Fatalf("demo region: %v", sharedErr)
	}
	return shared
}

// get fetches path from the catalogue and returns the body; any status but
// 200 fails the test.
func get(t testing.TB, r *region, path string) string {
	t.Helper()
	resp, err := http.Get(r.srv.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	return string(body)
}

// catalogue is what the test expects the catalogue to hold, read from the store.
type catalogue struct {
	progs    map[string]app.Programme // certified or listed, not archived
	hidden   []app.Programme          // neither: drafts, submitted, denied, archived
	provs    map[string]app.Provider
	listed   map[string][]string // programme → municipalities listing it
	groups   map[string][]app.Group
	modules  map[string][]app.Module
	children []app.Child
	certs    []app.Certificate
}

func readCatalogue(t testing.TB, st *store.DB) catalogue {
	t.Helper()
	c := catalogue{progs: map[string]app.Programme{}, provs: map[string]app.Provider{}, listed: map[string][]string{},
		groups: map[string][]app.Group{}, modules: map[string][]app.Module{}}
	err := st.View(func(r app.Reader) error {
		ls, err := app.List[app.Listing](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, l := range ls {
			c.listed[l.Programme] = append(c.listed[l.Programme], l.Municipality)
		}
		ps, err := app.List[app.Programme](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.Status != app.ProgArchived && (p.Status == app.ProgCertified || len(c.listed[p.ID]) > 0) {
				c.progs[p.ID] = p
			} else {
				c.hidden = append(c.hidden, p)
			}
		}
		provs, err := app.List[app.Provider](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, p := range provs {
			c.provs[p.ID] = p
		}
		gs, err := app.List[app.Group](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, g := range gs {
			c.groups[g.Programme] = append(c.groups[g.Programme], g)
		}
		ms, err := app.List[app.Module](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, m := range ms {
			c.modules[m.Programme] = append(c.modules[m.Programme], m)
		}
		if c.children, err = app.List[app.Child](r, "", "", 0); err != nil {
			return err
		}
		c.certs, err = app.List[app.Certificate](r, "", "", 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	countRe = regexp.MustCompile(`Найдено программ: <b>(\d+)</b>`)
	linkRe  = regexp.MustCompile(`href="(/programme/[^"]+)"`)
	hrefRe  = regexp.MustCompile(`href="(/[^"]*)"`)
)

// listed returns the total of a list page and the programme IDs on it.
func listed(t testing.TB, body string) (total int, ids []string) {
	t.Helper()
	m := countRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no count on the list page")
	}
	for _, c := range m[1] {
		total = total*10 + int(c-'0')
	}
	for _, l := range linkRe.FindAllStringSubmatch(body, -1) {
		ids = append(ids, strings.TrimPrefix(l[1], "/programme/"))
	}
	return total, ids
}

// allPages follows the list's pages from query and returns every programme ID.
func allPages(t testing.TB, r *region, query url.Values) (total int, ids []string) {
	t.Helper()
	for page := 1; ; page++ {
		if page > 1 {
			query.Set("page", itoa(page))
		}
		body := get(t, r, "/?"+query.Encode())
		n, got := listed(t, body)
		total = n
		ids = append(ids, got...)
		if len(got) == 0 || len(ids) >= total {
			return total, ids
		}
		if page > 1000 {
			t.Fatal("pages never end")
		}
	}
}

func TestFilters(t *testing.T) {
	r := demoRegion(t)
	c := readCatalogue(t, r.st)
	if len(c.progs) < 10 || len(c.hidden) == 0 {
		t.Fatalf("demo has %d catalogue programmes and %d hidden: want ≥ 10 and some hidden", len(c.progs), len(c.hidden))
	}
	var someProg app.Programme
	for _, p := range c.progs {
		if len(c.listed[p.ID]) > 0 && p.Status == app.ProgCertified {
			someProg = p
			break
		}
	}
	want := func(keep func(p app.Programme) bool) map[string]bool {
		out := map[string]bool{}
		for id, p := range c.progs {
			if keep(p) {
				out[id] = true
			}
		}
		return out
	}
	hasMun := func(p app.Programme, mun string) bool {
		if c.provs[p.Provider].Municipality == mun {
			return true
		}
		for _, m := range c.listed[p.ID] {
			if m == mun {
				return true
			}
		}
		return false
	}
	mun := c.provs[someProg.Provider].Municipality
	word := strings.Fields(someProg.Title)[0]
	descWords := strings.Fields(someProg.Description)
	desc2 := descWords[len(descWords)-1] + " " + string([]rune(descWords[0])[:max(1, len([]rune(descWords[0]))/2)]) // a part of a word too
	for _, tc := range []struct {
		name  string
		query url.Values
		keep  func(p app.Programme) bool
	}{
		{"All", url.Values{}, func(app.Programme) bool { return true }},
		{"Direction", url.Values{"dir": {"sport"}}, func(p app.Programme) bool { return p.Direction == "sport" }},
		{"Age", url.Values{"age": {"6"}}, func(p app.Programme) bool { return p.AgeMin <= 6 && 6 <= p.AgeMax }},
		{"Municipality", url.Values{"mun": {mun}}, func(p app.Programme) bool { return hasMun(p, mun) }},
		{"Text", url.Values{"q": {strings.ToUpper(word)}}, func(p app.Programme) bool {
			return strings.Contains(app.NameKey(p.Title+" "+p.Description), app.NameKey(word))
		}},
		{"TwoWordsOfDescription", url.Values{"q": {desc2}}, func(p app.Programme) bool {
			text := app.NameKey(p.Title + " " + p.Description)
			for _, w := range strings.Fields(app.NameKey(desc2)) {
				if !strings.Contains(text, w) {
					return false
				}
			}
			return true
		}},
		{"NoSuchWord", url.Values{"q": {"зззнетслова"}}, func(app.Programme) bool { return false }},
		{"Certified", url.Values{"reg": {"certified"}}, func(p app.Programme) bool { return p.Status == app.ProgCertified }},
		{"Municipal", url.Values{"reg": {"municipal"}}, func(p app.Programme) bool { return len(c.listed[p.ID]) > 0 }},
		{"Free", url.Values{"free": {"1"}}, func(p app.Programme) bool {
			today := app.DateOf(timeNow())
			if c.provs[p.Provider].Status != app.ProviderActive {
				return false
			}
			for _, g := range c.groups[p.ID] {
				if g.Free() > 0 && g.EnrolTo >= today && g.End >= today {
					return true
				}
			}
			return false
		}},
		{"Combined", url.Values{"dir": {someProg.Direction}, "age": {itoa(someProg.AgeMin)}, "q": {word}},
			func(p app.Programme) bool {
				return p.Direction == someProg.Direction && p.AgeMin <= someProg.AgeMin && someProg.AgeMin <= p.AgeMax &&
					strings.Contains(app.NameKey(p.Title+" "+p.Description), app.NameKey(word))
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantIDs := want(tc.keep)
			total, ids := allPages(t, r, tc.query)
			if total != len(wantIDs) || len(ids) != len(wantIDs) {
				t.Errorf("total %d, listed %d, want %d", total, len(ids), len(wantIDs))
			}
			seen := map[string]bool{}
			for _, id := range ids {
				if !wantIDs[id] {
					t.Errorf("programme %s (%s) listed, should not be", id, c.progs[id].Title)
				}
				if seen[id] {
					t.Errorf("programme %s listed twice", id)
				}
				seen[id] = true
			}
			if tc.name == "All" {
				for _, p := range c.hidden {
					if seen[p.ID] {
						t.Errorf("%s programme %s listed", p.Status, p.Title)
					}
				}
			}
		})
	}
	t.Run("HiddenProgrammePage", func(t *testing.T) {
		resp, err := http.Get(r.srv.URL + "/programme/" + c.hidden[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d for a %s programme, want 404", resp.StatusCode, c.hidden[0].Status)
		}
	})
}

func TestProgrammePage(t *testing.T) {
	r := demoRegion(t)
	c := readCatalogue(t, r.st)
	today := app.DateOf(timeNow())
	checked := 0
	for id, p := range c.progs {
		if p.Status != app.ProgCertified || len(c.groups[id]) == 0 {
			continue
		}
		body := get(t, r, "/programme/"+id)
		for _, want := range []string{escape(p.Title), escape(c.provs[p.Provider].Name), p.Form} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: page lacks %q", p.Title, want)
			}
		}
		for _, m := range c.modules[id] {
			price := "<b class=\"price\" data-kop=\"" + i64(m.Price) + "\">" + app.FormatRub(m.Price) + "</b>"
			cover := "Сертификат покрывает до <b class=\"cover\" data-kop=\"" + i64(min(m.Price, m.NormPrice)) + "\">" +
				app.FormatRub(min(m.Price, m.NormPrice)) + "</b>"
			if !strings.Contains(body, price) || !strings.Contains(body, cover) {
				t.Errorf("%s: module %s lacks price %s or cover %s", p.Title, m.Name, app.FormatRub(m.Price), app.FormatRub(min(m.Price, m.NormPrice)))
			}
		}
		for _, g := range c.groups[id] {
			if g.End < today {
				continue
			}
			for _, want := range []string{escape(g.Name), "Свободных мест: <b class=\"gfree\">" + i64(g.Free()) + "</b> из " + i64(g.Capacity),
				g.Start.Russian() + " – " + g.End.Russian(), app.ClockRu(g.Schedule[0].Start), escape(g.Schedule[0].Address)} {
				if !strings.Contains(body, want) {
					t.Errorf("%s: group %s lacks %q", p.Title, g.Name, want)
				}
			}
		}
		if checked++; checked >= 5 {
			break
		}
	}
	if checked == 0 {
		t.Fatal("no certified programme with groups in the demo")
	}
}

func TestMunicipalitiesAndRules(t *testing.T) {
	r := demoRegion(t)
	body := get(t, r, "/municipalities")
	if n := strings.Count(body, `<tr id="mun-`); n != 33 {
		t.Errorf("municipalities page has %d rows, want 33", n)
	}
	for _, want := range []string{"г. Ставрополь", "учёт и персонифицированное финансирование", "персонифицированный учёт", "₽"} {
		if !strings.Contains(body, want) {
			t.Errorf("municipalities page lacks %q", want)
		}
	}
	err := r.st.View(func(rd app.Reader) error {
		reg, err := app.Get[app.Region](rd, "region")
		if err != nil {
			return err
		}
		p, err := app.Get[app.Params](rd, "27/"+reg.Current)
		if err != nil {
			return err
		}
		if p.Mode == app.ModeFinancing && !strings.Contains(body, app.FormatRub(p.Nominal)) {
			t.Errorf("municipalities page lacks Stavropol's nominal %s", app.FormatRub(p.Nominal))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if list := get(t, r, "/?dir=sport&mun=27"); !strings.Contains(list, `<option value="sport" selected>`) ||
		!strings.Contains(list, `<option value="27" selected>`) {
		t.Error("the list does not show the chosen direction and municipality as selected")
	}
	rules := get(t, r, "/rules")
	for _, want := range []string{"от 5 до 18 лет", "в порядке поступления", "сертификат учёта", "нормативной стоимости"} {
		if !strings.Contains(rules, want) {
			t.Errorf("rules page lacks %q", want)
		}
	}
	resp, err := http.Get(r.srv.URL + "/no-such-page")
	if err != nil {
		t.Fatal(err)
	}
	body404, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body404), "Страница не найдена") {
		t.Errorf("unknown page: status %d, want 404 with the catalogue's own page", resp.StatusCode)
	}
}

// TestNoPersonalData crawls every page reachable from "/" and looks for any
// child's name, guardian's name or phone, SNILS or certificate number.
func TestNoPersonalData(t *testing.T) {
	r := demoRegion(t)
	c := readCatalogue(t, r.st)
	var secrets []string
	for _, ch := range c.children {
		secrets = append(secrets, ch.FullName(), ch.LastName+" "+ch.FirstName, ch.GuardianName, ch.GuardianPhone)
		if ch.SNILS != "" {
			secrets = append(secrets, ch.SNILS)
		}
	}
	for _, k := range c.certs {
		secrets = append(secrets, k.Number)
	}
	if len(c.children) == 0 || len(c.certs) == 0 {
		t.Fatal("demo has no children or certificates")
	}
	seen := map[string]bool{}
	queue := []string{"/"}
	pages := 0
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		body := get(t, r, path)
		pages++
		text := unescape(body)
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("%s shows personal data %q", path, s)
			}
		}
		for _, m := range hrefRe.FindAllStringSubmatch(body, -1) {
			link := unescape(m[1])
			u, err := url.Parse(link)
			if err != nil {
				t.Errorf("%s: bad link %q", path, link)
				continue
			}
			// The list's own filters are not followed: only its pages are.
			if u.Path == "/" && (len(u.Query()) > 1 || (len(u.Query()) == 1 && u.Query().Get("page") == "")) {
				continue
			}
			if !seen[link] {
				queue = append(queue, link)
			}
		}
	}
	for _, want := range []string{"/municipalities", "/rules"} {
		if !seen[want] {
			t.Errorf("%s not reached from /", want)
		}
	}
	for id := range c.progs {
		if !seen["/programme/"+id] {
			t.Errorf("programme %s not reached from /", c.progs[id].Title)
		}
	}
	t.Logf("crawled %d pages, %d secrets", pages, len(secrets))
}
