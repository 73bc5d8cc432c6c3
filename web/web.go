package web

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kruzhok/app"
)

// staleAfter is how old the catalogue's snapshot may get before a request
// has it rebuilt: new programmes and changed free places show within it.
const staleAfter = 10 * time.Second

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

// catalogue is the handler of the public catalogue.
type catalogue struct {
	st   app.Store
	log  *slog.Logger
	now  func() time.Time
	tmpl *template.Template
	mux  *http.ServeMux

	snap       atomic.Pointer[index]
	mu         sync.Mutex // one rebuild at a time
	rebuilding atomic.Bool
}

// New returns the public catalogue over st: "/" (search and filters over the
// programmes that are certified or listed in a municipal registry),
// "/programme/<id>", "/municipalities", "/rules" and "/static/style.css". It
// needs no login and no JavaScript, and it reads st only through st.View,
// only the records every node receives (app.AudienceAll), so it shows no
// personal data. What it shows is at most staleAfter old.
func New(st app.Store, log *slog.Logger) http.Handler { return newCatalogue(st, log, time.Now) }

func newCatalogue(st app.Store, log *slog.Logger, now func() time.Time) *catalogue {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &catalogue{st: st, log: log, now: now, mux: http.NewServeMux()}
	c.tmpl = template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))
	c.mux.HandleFunc("GET /{$}", c.handleList)
	c.mux.HandleFunc("GET /programme/{id}", c.handleProgramme)
	c.mux.HandleFunc("GET /municipalities", c.handleMunicipalities)
	c.mux.HandleFunc("GET /rules", c.handleRules)
	c.mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		ix, _ := c.index() // the page names the period when it can
		c.notFound(w, ix)
	})
	c.mux.HandleFunc("GET /static/style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(styleCSS)
	})
	return c
}

func (c *catalogue) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'")
	w.Header().Set("Referrer-Policy", "same-origin")
	c.mux.ServeHTTP(w, r)
}

// index returns the current snapshot: the first request builds it; a stale
// one is served while one request in the background builds the next.
func (c *catalogue) index() (*index, error) {
	ix := c.snap.Load()
	if ix == nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		if ix = c.snap.Load(); ix != nil {
			return ix, nil
		}
		ix, err := load(c.st, c.now())
		if err != nil {
			return nil, err
		}
		c.snap.Store(ix)
		return ix, nil
	}
	if c.now().Sub(ix.built) > staleAfter && c.rebuilding.CompareAndSwap(false, true) {
		go func() {
			defer c.rebuilding.Store(false)
			c.mu.Lock()
			defer c.mu.Unlock()
			next, err := load(c.st, c.now())
			if err != nil {
				c.log.Error("catalogue refresh", "err", err)
				return
			}
			c.snap.Store(next)
		}()
	}
	return ix, nil
}

// page is what every template gets.
type page struct {
	Title  string
	Nav    string // the current section, for the menu
	Period string
	Data   any
}

func (c *catalogue) render(w http.ResponseWriter, status int, name string, p page) {
	body, ok := c.execute(w, name, p)
	if ok {
		writePage(w, status, body)
	}
}

// execute runs a template into memory, so that a failure half-way sends an
// error instead of half a page.
func (c *catalogue) execute(w http.ResponseWriter, name string, p page) ([]byte, bool) {
	var buf bytes.Buffer
	if err := c.tmpl.ExecuteTemplate(&buf, name, p); err != nil {
		c.log.Error("catalogue template", "template", name, "err", err)
		http.Error(w, "Внутренняя ошибка каталога", http.StatusInternalServerError)
		return nil, false
	}
	return buf.Bytes(), true
}

func writePage(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// cached answers r from the pages the snapshot has rendered already.
func (c *catalogue) cached(w http.ResponseWriter, r *http.Request, ix *index) bool {
	body, ok := ix.pages.get(r.URL.Path + "?" + r.URL.RawQuery)
	if ok {
		writePage(w, http.StatusOK, body)
	}
	return ok
}

// renderCached renders a page of the snapshot and keeps it for the next
// request of the same address: a snapshot never changes, so neither does
// the page.
func (c *catalogue) renderCached(w http.ResponseWriter, r *http.Request, ix *index, name string, p page) {
	body, ok := c.execute(w, name, p)
	if !ok {
		return
	}
	ix.pages.put(r.URL.Path+"?"+r.URL.RawQuery, body)
	writePage(w, http.StatusOK, body)
}

func (c *catalogue) fail(w http.ResponseWriter, err error) {
	c.log.Error("catalogue", "err", err)
	http.Error(w, "Каталог временно недоступен", http.StatusServiceUnavailable)
}

func (c *catalogue) notFound(w http.ResponseWriter, ix *index) {
	c.render(w, http.StatusNotFound, "notfound.html", page{Title: "Страница не найдена", Period: periodText(ix)})
}

func periodText(ix *index) string {
	if ix == nil || !ix.hasPer {
		return ""
	}
	return ix.period.Start.Russian() + " – " + ix.period.End.Russian()
}

// listView is the data of the list page.
type listView struct {
	Q          query
	AgeText    string
	MunOptions template.HTML // <option>s of the municipalities, the chosen one selected
	DirOptions template.HTML
	Items      []cardView
	Total      int
	Page, Last int
	Prev, Next string // links to the neighbouring pages, "" at an end
	Pages      []pageLink
}

type pageLink struct {
	N       int
	URL     string
	Current bool
}

type cardView struct {
	ID, Title, Provider, Direction, Ages, Form, Municipality string
	Certified                                                bool
	Listed                                                   int
	Free                                                     int64
	Groups                                                   int
	PriceFrom                                                string
}

func parseQuery(v url.Values) (query, string) {
	q := query{Text: strings.TrimSpace(v.Get("q")), Mun: v.Get("mun"), Dir: v.Get("dir"),
		Free: v.Get("free") != "", Registry: v.Get("reg")}
	if len(q.Text) > 200 {
		q.Text = q.Text[:200]
	}
	ageText := strings.TrimSpace(v.Get("age"))
	if a, err := strconv.Atoi(ageText); err == nil && a > 0 && a < 100 {
		q.Age = a
	} else {
		ageText = ""
	}
	q.Page, _ = strconv.Atoi(v.Get("page"))
	q.Page = min(max(q.Page, 1), 1_000_000)
	return q, ageText
}

// link is the list URL of q on page n, with only the filters that are set.
func (q query) link(ageText string, n int) string {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", q.Text)
	set("mun", q.Mun)
	set("dir", q.Dir)
	set("age", ageText)
	if q.Free {
		v.Set("free", "1")
	}
	set("reg", q.Registry)
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

func (c *catalogue) handleList(w http.ResponseWriter, r *http.Request) {
	ix, err := c.index()
	if err != nil {
		c.fail(w, err)
		return
	}
	if c.cached(w, r, ix) {
		return
	}
	q, ageText := parseQuery(r.URL.Query())
	items, total := ix.find(q)
	last := max(1, (total+pageSize-1)/pageSize)
	lv := listView{Q: q, AgeText: ageText, MunOptions: selected(ix.munOptions, q.Mun),
		DirOptions: selected(ix.dirOptions, q.Dir), Total: total, Page: q.Page, Last: last}
	if q.Page > 1 {
		lv.Prev = q.link(ageText, min(q.Page-1, last))
	}
	if q.Page < last {
		lv.Next = q.link(ageText, q.Page+1)
	}
	for n := max(1, q.Page-3); n <= min(last, q.Page+3); n++ {
		lv.Pages = append(lv.Pages, pageLink{N: n, URL: q.link(ageText, n), Current: n == q.Page})
	}
	for _, e := range items {
		cv := cardView{ID: e.ID, Title: e.Title, Provider: e.provider.Name, Direction: ix.dirName[e.Direction],
			Ages: ages(e.AgeMin, e.AgeMax), Form: e.Form, Municipality: ix.munName[e.provider.Municipality],
			Certified: e.certified(), Listed: len(e.listings), Free: e.free, Groups: len(e.groups)}
		if len(e.modules) > 0 {
			p := e.modules[0].Price
			for _, m := range e.modules[1:] {
				p = min(p, m.Price)
			}
			cv.PriceFrom = app.FormatRub(p)
		}
		lv.Items = append(lv.Items, cv)
	}
	c.renderCached(w, r, ix, "list.html", page{Title: "Каталог программ", Nav: "list", Period: periodText(ix), Data: lv})
}

// programmeView is the data of a programme's page.
type programmeView struct {
	Title, Provider, ProviderType, ProviderMun, Direction, Ages, Form, Description string
	Certified                                                                      bool
	Suspended                                                                      bool // the provider takes no one now
	Listings                                                                       []listingView
	Modules                                                                        []moduleView
	Groups                                                                         []groupView
	Free                                                                           int64
}

type listingView struct {
	Municipality string
	Places       int64 // 0 = no cap
}

type moduleView struct {
	Name                string
	Hours, Months       int
	Children            string
	Price, NormPrice    string
	Covers              string // the most a certificate pays for the whole module
	CoversAll           bool   // the certificate may cover the whole price
	ID                  string
	PriceKop, CoversKop int64
}

type groupView struct {
	Name, Module, Dates, Ages, Enrol string
	Slots                            []slotView
	Capacity, Free                   int64
	Open                             bool // enrolment window not over
}

type slotView struct {
	Day, Time, Room, Address string
}

func (c *catalogue) handleProgramme(w http.ResponseWriter, r *http.Request) {
	ix, err := c.index()
	if err != nil {
		c.fail(w, err)
		return
	}
	if c.cached(w, r, ix) {
		return
	}
	e, ok := ix.byID[r.PathValue("id")]
	if !ok {
		c.notFound(w, ix)
		return
	}
	pv := programmeView{Title: e.Title, Provider: e.provider.Name, ProviderType: e.provider.Type,
		ProviderMun: ix.munName[e.provider.Municipality], Direction: ix.dirName[e.Direction],
		Ages: ages(e.AgeMin, e.AgeMax), Form: e.Form, Description: e.Description, Certified: e.certified(), Free: e.free,
		Suspended: e.provider.Status != app.ProviderActive}
	for _, l := range e.listings {
		pv.Listings = append(pv.Listings, listingView{Municipality: ix.munName[l.Municipality], Places: l.Places})
	}
	modName := map[string]string{}
	for _, m := range e.modules {
		covers := min(m.Price, m.NormPrice)
		pv.Modules = append(pv.Modules, moduleView{ID: m.ID, Name: m.Name, Hours: m.Hours, Months: m.Months,
			Children: strconv.Itoa(m.MinChildren) + "–" + strconv.Itoa(m.MaxChildren),
			Price:    app.FormatRub(m.Price), NormPrice: app.FormatRub(m.NormPrice),
			Covers: app.FormatRub(covers), CoversAll: covers >= m.Price, PriceKop: m.Price, CoversKop: covers})
		modName[m.ID] = m.Name
	}
	for _, g := range e.groups {
		gv := groupView{Name: g.Name, Module: modName[g.Module], Dates: g.Start.Russian() + " – " + g.End.Russian(),
			Ages: ages(g.AgeMin, g.AgeMax), Enrol: g.EnrolFrom.Russian() + " – " + g.EnrolTo.Russian(),
			Capacity: g.Capacity, Free: max(0, g.Free()), Open: g.EnrolTo >= ix.today}
		slots := slices.Clone(g.Schedule)
		slices.SortStableFunc(slots, func(a, b app.Slot) int { return (a.Weekday*24*60 + a.Start) - (b.Weekday*24*60 + b.Start) })
		for _, s := range slots {
			gv.Slots = append(gv.Slots, slotView{Day: weekdayRu(s.Weekday), Time: app.ClockRu(s.Start) + "–" + app.ClockRu(s.End),
				Room: s.Room, Address: s.Address})
		}
		pv.Groups = append(pv.Groups, gv)
	}
	c.renderCached(w, r, ix, "programme.html", page{Title: e.Title, Nav: "list", Period: periodText(ix), Data: pv})
}

// munView is one municipality's row of parameters.
type munView struct {
	Code, Name, Type, Mode    string
	Set, Financing            bool
	Quota                     int64
	Nominal, SumLimit, Budget string
	DirLimits                 []string
	DaysToRequest             int
}

func (c *catalogue) handleMunicipalities(w http.ResponseWriter, r *http.Request) {
	ix, err := c.index()
	if err != nil {
		c.fail(w, err)
		return
	}
	if c.cached(w, r, ix) {
		return
	}
	var rows []munView
	for _, m := range ix.muns {
		mv := munView{Code: m.Code, Name: m.Name, Type: m.TypeOn(ix.today)}
		if p, ok := ix.params[m.Code]; ok {
			mv.Set, mv.Financing, mv.DaysToRequest = true, p.Mode == app.ModeFinancing, p.DaysToRequest
			mv.Mode = "персонифицированный учёт"
			if mv.Financing {
				mv.Mode = "учёт и персонифицированное финансирование"
				mv.Quota, mv.Nominal = p.Quota, app.FormatRub(p.Nominal)
				if p.SumLimit > 0 {
					mv.SumLimit = app.FormatRub(p.SumLimit)
				}
				if p.BudgetLimit > 0 {
					mv.Budget = app.FormatRub(p.BudgetLimit)
				}
			}
			for _, d := range ix.dirs {
				if n, ok := p.DirectionLimits[d.Code]; ok {
					mv.DirLimits = append(mv.DirLimits, d.Name+": "+strconv.FormatInt(n, 10))
				}
			}
		}
		rows = append(rows, mv)
	}
	c.renderCached(w, r, ix, "municipalities.html", page{Title: "Параметры муниципалитетов", Nav: "muns", Period: periodText(ix), Data: rows})
}

func (c *catalogue) handleRules(w http.ResponseWriter, r *http.Request) {
	ix, err := c.index()
	if err != nil {
		c.fail(w, err)
		return
	}
	if c.cached(w, r, ix) {
		return
	}
	c.renderCached(w, r, ix, "rules.html", page{Title: "Правила сертификата", Nav: "rules", Period: periodText(ix)})
}

func ages(lo, hi int) string { return strconv.Itoa(lo) + "–" + strconv.Itoa(hi) + " лет" }

var weekdaysRu = [...]string{"", "пн", "вт", "ср", "чт", "пт", "сб", "вс"}

func weekdayRu(d int) string {
	if d < 1 || d > 7 {
		return "?"
	}
	return weekdaysRu[d]
}

var funcs = template.FuncMap{
	"rub": app.FormatRub,
}
