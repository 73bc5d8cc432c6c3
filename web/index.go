package web

import (
	"html"
	"html/template"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"kruzhok/app"
)

// index is an immutable snapshot of the public records: the programmes of
// both registries with their provider, modules, groups and listings, the
// municipalities with the current period's parameters, and the directions.
// It holds no record of any other kind, so no page built from it can show
// personal data.
type index struct {
	built   time.Time
	today   app.Date
	period  app.Period
	hasPer  bool
	muns    []app.Municipality
	munName map[string]string
	params  map[string]app.Params // municipality → parameters of the current period
	dirs    []app.Direction
	dirName map[string]string
	progs   []*entry            // in title order
	byDir   map[string][]*entry // by direction, in title order
	byMun   map[string][]*entry // by municipality (provider's or listing), in title order
	vocab   []string            // the distinct words of every search text
	posting [][]uint32          // vocab[i] occurs in the search text of progs[posting[i][k]]
	byID    map[string]*entry
	pages   pageCache // rendered pages of this snapshot, by address

	munOptions, dirOptions string // the filters' <option> lists, none selected
}

// options renders <option> elements for code → name pairs, in order.
func options(codes, names []string) string {
	var b strings.Builder
	for i, c := range codes {
		b.WriteString(`<option value="` + html.EscapeString(c) + `">` + html.EscapeString(names[i]) + "</option>")
	}
	return b.String()
}

// selected marks the option with value code as selected in opts; an
// unknown code leaves opts as they are.
func selected(opts, code string) template.HTML {
	if code != "" {
		opts = strings.Replace(opts, `<option value="`+html.EscapeString(code)+`">`,
			`<option value="`+html.EscapeString(code)+`" selected>`, 1)
	}
	return template.HTML(opts) // built from escaped parts only
}

// maxCachedPages bounds the pages a snapshot keeps (about 30 KB each).
const maxCachedPages = 1000

// pageCache keeps the rendered pages of one snapshot; it only grows, up to
// maxCachedPages, and goes away with its snapshot.
type pageCache struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func (pc *pageCache) get(key string) ([]byte, bool) {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	b, ok := pc.m[key]
	return b, ok
}

func (pc *pageCache) put(key string, body []byte) {
	if len(key) > 512 {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.m == nil {
		pc.m = map[string][]byte{}
	}
	if len(pc.m) < maxCachedPages {
		pc.m[key] = body
	}
}

// entry is one catalogue programme with what its pages and filters need.
type entry struct {
	app.Programme
	provider app.Provider
	modules  []app.Module
	groups   []app.Group // current and future ones, by start then name
	listings []app.Listing
	search   string   // NameKey of title and description
	sortKey  string   // NameKey of the title
	pos      uint32   // place in index.progs
	muns     []string // provider's municipality and the registries listing it
	free     int64    // free places in groups still enrolling
}

// certified reports whether a certificate can pay for the programme.
func (e *entry) certified() bool { return e.Status == app.ProgCertified }

// load reads the public records through one read-only view.
func load(st app.Store, now time.Time) (*index, error) {
	ix := &index{built: now, today: app.DateOf(now), munName: map[string]string{}, params: map[string]app.Params{},
		dirName: map[string]string{}, byID: map[string]*entry{}, byDir: map[string][]*entry{}, byMun: map[string][]*entry{}}
	err := st.View(func(r app.Reader) error {
		reg, err := app.Get[app.Region](r, "region")
		if err != nil && app.ErrorCode(err) != app.ENOTFOUND {
			return err
		}
		ix.period, ix.hasPer = reg.Period(reg.Current)
		if ix.muns, err = app.List[app.Municipality](r, "", "", 0); err != nil {
			return err
		}
		for _, m := range ix.muns {
			ix.munName[m.Code] = m.Name
		}
		if ix.dirs, err = app.List[app.Direction](r, "", "", 0); err != nil {
			return err
		}
		for _, d := range ix.dirs {
			ix.dirName[d.Code] = d.Name
		}
		params, err := app.List[app.Params](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, p := range params {
			if p.Period == reg.Current {
				ix.params[p.Municipality] = p
			}
		}
		listings, err := app.List[app.Listing](r, "", "", 0)
		if err != nil {
			return err
		}
		listed := map[string][]app.Listing{}
		for _, l := range listings {
			listed[l.Programme] = append(listed[l.Programme], l)
		}
		progs, err := app.List[app.Programme](r, "", "", 0)
		if err != nil {
			return err
		}
		// One pass over each kind costs less than a scan of the index per programme.
		modules := map[string][]app.Module{}
		mods, err := app.List[app.Module](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, m := range mods {
			modules[m.Programme] = append(modules[m.Programme], m)
		}
		groups := map[string][]app.Group{}
		gs, err := app.List[app.Group](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, g := range gs {
			groups[g.Programme] = append(groups[g.Programme], g)
		}
		providers := map[string]app.Provider{}
		for _, p := range progs {
			if p.Status == app.ProgArchived || (p.Status != app.ProgCertified && len(listed[p.ID]) == 0) {
				continue
			}
			prov, ok := providers[p.Provider]
			if !ok {
				if prov, err = app.Get[app.Provider](r, p.Provider); err != nil {
					return err
				}
				providers[p.Provider] = prov
			}
			e := &entry{Programme: p, provider: prov, listings: listed[p.ID],
				search: app.NameKey(p.Title + " " + p.Description), sortKey: app.NameKey(p.Title), muns: []string{prov.Municipality}}
			for _, l := range e.listings {
				if !slices.Contains(e.muns, l.Municipality) {
					e.muns = append(e.muns, l.Municipality)
				}
			}
			e.modules = modules[p.ID]
			for _, g := range groups[p.ID] {
				if g.End < ix.today {
					continue
				}
				e.groups = append(e.groups, g)
				if g.EnrolTo >= ix.today && g.Free() > 0 && prov.Status == app.ProviderActive {
					e.free += g.Free()
				}
			}
			order := map[string]int{} // groups follow their modules, then start and name
			for i, m := range e.modules {
				order[m.ID] = i
			}
			slices.SortFunc(e.groups, func(a, b app.Group) int {
				if order[a.Module] != order[b.Module] {
					return order[a.Module] - order[b.Module]
				}
				if a.Start != b.Start {
					return int(a.Start - b.Start)
				}
				return strings.Compare(a.Name, b.Name)
			})
			ix.progs = append(ix.progs, e)
			ix.byID[p.ID] = e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var codes, names []string
	for _, m := range ix.muns {
		codes, names = append(codes, m.Code), append(names, m.Name)
	}
	ix.munOptions = options(codes, names)
	codes, names = nil, nil
	for _, d := range ix.dirs {
		codes, names = append(codes, d.Code), append(names, d.Name)
	}
	ix.dirOptions = options(codes, names)
	slices.SortFunc(ix.progs, func(a, b *entry) int {
		if c := strings.Compare(a.sortKey, b.sortKey); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	words := map[string]int{}
	for i, e := range ix.progs {
		e.pos = uint32(i)
		for _, w := range strings.Fields(e.search) {
			k, ok := words[w]
			if !ok {
				k = len(ix.vocab)
				words[w] = k
				ix.vocab = append(ix.vocab, w)
				ix.posting = append(ix.posting, nil)
			}
			if p := ix.posting[k]; len(p) == 0 || p[len(p)-1] != e.pos {
				ix.posting[k] = append(p, e.pos)
			}
		}
		ix.byDir[e.Direction] = append(ix.byDir[e.Direction], e)
		for _, m := range e.muns {
			ix.byMun[m] = append(ix.byMun[m], e)
		}
	}
	return ix, nil
}

// query is a search of the catalogue; zero fields do not filter.
type query struct {
	Text     string // words that must all occur in the title or description
	Mun      string // municipality code: the provider is there or its registry lists the programme
	Dir      string // direction code
	Age      int    // the child's age in years: within the programme's ages
	Free     bool   // only programmes with free places in a group still enrolling
	Registry string // "certified", "municipal" or ""
	Page     int    // 1-based
}

// pageSize is the number of programmes on one page of the list.
const pageSize = 20

// find returns the page of matching programmes and the total of matches.
func (ix *index) find(q query) (page []*entry, total int) {
	lo := (max(q.Page, 1) - 1) * pageSize
	// Only the programmes of the chosen direction or municipality can match:
	// the shorter of those lists is all there is to look at.
	from := ix.progs
	if q.Dir != "" {
		from = ix.byDir[q.Dir]
	}
	if q.Mun != "" && len(ix.byMun[q.Mun]) < len(from) {
		from = ix.byMun[q.Mun]
	}
	text := ix.textMatches(strings.Fields(app.NameKey(q.Text)))
	take := func(e *entry) {
		if !q.match(e) {
			return
		}
		if total >= lo && total < lo+pageSize {
			page = append(page, e)
		}
		total++
	}
	switch {
	case text == nil:
		for _, e := range from {
			take(e)
		}
	case len(from) == len(ix.progs): // the text's set is the shorter list
		for i, word := range text {
			for ; word != 0; word &= word - 1 {
				take(ix.progs[i*64+bits.TrailingZeros64(word)])
			}
		}
	default:
		for _, e := range from {
			if text[e.pos/64]&(1<<(e.pos%64)) != 0 {
				take(e)
			}
		}
	}
	return page, total
}

// textMatches returns the set (a bitset over progs) of programmes whose
// search text contains every one of words, or nil when there are no words.
// A word without spaces occurs in a text exactly when it occurs in one of
// the text's space-separated words, so the distinct words stand for the texts.
func (ix *index) textMatches(words []string) []uint64 {
	if len(words) == 0 {
		return nil
	}
	var all []uint64
	for _, w := range words {
		set := make([]uint64, (len(ix.progs)+63)/64)
		for k, v := range ix.vocab {
			if strings.Contains(v, w) {
				for _, p := range ix.posting[k] {
					set[p/64] |= 1 << (p % 64)
				}
			}
		}
		if all == nil {
			all = set
			continue
		}
		for i := range all {
			all[i] &= set[i]
		}
	}
	return all
}

// match applies every filter but the text.
func (q query) match(e *entry) bool {
	switch {
	case q.Dir != "" && e.Direction != q.Dir,
		q.Mun != "" && !slices.Contains(e.muns, q.Mun),
		q.Age > 0 && (q.Age < e.AgeMin || q.Age > e.AgeMax),
		q.Free && e.free <= 0,
		q.Registry == "certified" && !e.certified(),
		q.Registry == "municipal" && len(e.listings) == 0:
		return false
	}
	return true
}
