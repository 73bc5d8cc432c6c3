package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
)

// Options size the demo region; zero fields take the defaults.
type Options struct {
	Children   int   // children to register (default 3000)
	Providers  int   // providers (default 40)
	Programmes int   // programmes (default 150)
	Seed       int64 // every random choice follows it (default 1); only the UUIDs differ between runs

	// Clock is the clock st was opened with (store.Options{Now: clock.Now}).
	// Build moves it through the simulated August–November, never past the
	// real time, and puts it back on real time when it returns. Without it
	// every record is dated today: contracts are made today, and a
	// termination notice cannot be earlier than this month.
	Clock *Clock

	// Progress, if set, is told what Build is doing: a stage and how far it is.
	Progress func(stage string, done, total int)

	// world, set by World, turns the demo into the region-scale world: a
	// fixed school year, seeded ids and the world's shape (world.go). The
	// default demo leaves it zero and is built as before.
	world world
}

func (o Options) withDefaults() (Options, error) {
	if o.Children < 0 || o.Providers < 0 || o.Programmes < 0 {
		return o, fmt.Errorf("demo: negative size in %+v", o)
	}
	if o.Children == 0 {
		o.Children = 3000
	}
	if o.Providers == 0 {
		o.Providers = 40
	}
	if o.Programmes == 0 {
		o.Programmes = 150
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o, nil
}

// batchSize bounds the commands of one transaction (STYLE.md: many puts in
// one explicit transaction, not one fsync per put).
const batchSize = 1000

// The demo's in-memory picture of what it has made, so that it can plan
// without reading everything back.
type (
	provider struct {
		id, mun, address string
		dirs             []string
		weight           float64 // the world's: its share of programmes (world.go)
	}
	programme struct {
		id       string
		prov     *provider
		dir      string
		status   string
		distance bool
		listed   map[string]bool // municipalities whose registry lists it
		course   course
		modules  []*module
	}
	module struct {
		id             string
		name           string
		ageMin, ageMax int
		hours          int
		minKids        int
		maxKids        int
		price, norm    int64
	}
	group struct {
		app.Group
		prog      *programme
		contracts []*contract
	}
	child struct {
		id, cert, mun string
		birth         app.Date
		financed      bool    // holds a financing certificate (as last read)
		attends       float64 // how likely the child is present at a lesson
		contracts     []*contract
	}
	contract struct {
		id         string
		ch         *child
		g          *group
		start, end app.Date
		terminated bool
	}
	// want is a family's wish to enrol a child from start, acted on on a day.
	want struct {
		ch    *child
		start app.Date
	}
)

type builder struct {
	st     *store.DB
	opt    Options
	rng    *rand.Rand
	today  app.Date // the real date in Moscow
	day    app.Date // the simulated date
	period app.Period

	params     map[string]app.Params
	operators  map[string]string // municipality → who records consents
	provs      []*provider
	progs      []*programme
	groups     []*group
	kids       []*child
	contracts  []*contract
	events     map[app.Date][]func() error
	wants      map[app.Date][]want
	journal    []app.Command // attendance not yet written
	journalDay app.Date

	byMun    map[string][]*group // groups by their provider's municipality, in b.groups order
	distance []*group            // groups of distance programmes, in b.groups order
	finKids  []*child            // children of financing municipalities, in b.kids order
	ids      *rand.Rand          // the world's id generator; nil = UUID v7 from the clock
	idMillis int64               // the last seeded id's time, so that ids keep increasing
}

// Build fills st, an empty region database, with a demo region through app
// commands only: the reference data; the parameters of all 33 municipalities
// for the current period; providers, programmes, modules, registries and
// groups; children with certificates and financing requests (one
// municipality's quota is too small, so a queue forms); contracts; the
// attendance journal from September to today (at most three months), month
// closes on the 1st and invoices in every status. A region that is seeded
// already is ECONFLICT. Writes go in transactions of at most 1000 commands.
func Build(st *store.DB, opt Options) (Summary, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Summary{}, err
	}
	if opt.Clock != nil {
		defer opt.Clock.reset()
	}
	today := app.DateOf(time.Now())
	if opt.world.on {
		today = opt.world.today
	}
	b := &builder{st: st, opt: opt, rng: rand.New(rand.NewPCG(uint64(opt.Seed), 2)),
		today: today, period: assets.PeriodOf(today),
		params: map[string]app.Params{}, operators: map[string]string{},
		events: map[app.Date][]func() error{}, wants: map[app.Date][]want{},
		byMun: map[string][]*group{}}
	if opt.world.on {
		// A second generator for the ids, so that they do not shift the
		// choices the first one makes.
		b.ids = rand.New(rand.NewPCG(uint64(opt.Seed), 3))
	}
	for _, step := range []func() error{b.region, b.registerProviders, b.programmes, b.children, b.autumn} {
		if err := step(); err != nil {
			return Summary{}, err
		}
	}
	b.progress("Итоги", 0, 1)
	s, err := count(st)
	b.progress("Итоги", 1, 1)
	return s, err
}

// The simulated calendar, from the period's start S (1 September).
func (b *builder) augustDay(n int) app.Date { return b.period.Start.AddDays(n - 32) } // n-th of August
func (b *builder) groupEnd() app.Date {
	y, _, _ := b.period.Start.Parts()
	return app.NewDate(y+1, time.May, 31)
}
func (b *builder) enrolTo() app.Date {
	y, _, _ := b.period.Start.Parts()
	return app.NewDate(y+1, time.April, 30)
}

// months are the months of attendance and month close: from September to
// the current month, at most three (the world: at most nine, to May).
func (b *builder) months() []app.Month {
	limit := 3
	if b.opt.world.on {
		limit = 9
	}
	var out []app.Month
	for m := b.period.Start.Month(); m <= b.today.Month() && len(out) < limit; m++ {
		out = append(out, m)
	}
	return out
}

// at moves the simulated date (and the store's clock) to d.
func (b *builder) at(d app.Date) {
	b.day = d
	if b.opt.Clock != nil {
		b.opt.Clock.set(d)
	}
}

// storeToday is the date the store's commands see as today.
func (b *builder) storeToday() app.Date {
	if b.opt.Clock != nil {
		return min(b.day, b.today)
	}
	return b.today
}

func (b *builder) progress(stage string, done, total int) {
	if b.opt.Progress != nil {
		b.opt.Progress(stage, done, total)
	}
}

// newID is a UUID v7 from the clock for the demo; for the world one made
// from the seed and the simulated day, shaped like a v7 (time first, so ids
// still sort by when they were made).
func (b *builder) newID() string {
	if b.ids == nil {
		return uuid.Must(uuid.NewV7()).String()
	}
	y, m, d := b.day.Parts()
	ms := time.Date(y, m, d, 12, 0, 0, 0, moscow).UnixMilli()
	b.idMillis = max(b.idMillis+1, ms)
	var u uuid.UUID
	for i := 0; i < 6; i++ {
		u[i] = byte(b.idMillis >> (40 - 8*i))
	}
	r := b.ids.Uint64()
	r2 := b.ids.Uint64()
	for i := 6; i < 16; i++ {
		if i < 14 {
			u[i] = byte(r >> (8 * (i - 6)))
		} else {
			u[i] = byte(r2 >> (8 * (i - 14)))
		}
	}
	u[6] = u[6]&0x0f | 0x70 // version 7
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// exec writes cmds on the simulated day, after the journal queued so far, in
// transactions of at most batchSize. Every command was planned against the
// rules, so a refusal is an error of the demo.
func (b *builder) exec(cmds ...app.Command) error {
	if err := b.flushJournal(); err != nil {
		return err
	}
	return b.write(b.day, cmds)
}

func (b *builder) write(day app.Date, cmds []app.Command) error {
	if b.opt.Clock != nil {
		b.opt.Clock.set(day)
		defer b.opt.Clock.set(b.day)
	}
	for lo := 0; lo < len(cmds); lo += batchSize {
		if _, err := b.st.ExecBatch(cmds[lo:min(lo+batchSize, len(cmds))]); err != nil {
			return fmt.Errorf("demo %s: %w", day, err)
		}
	}
	return nil
}

// mark queues attendance commands of day d; they are written in batches.
func (b *builder) mark(d app.Date, cmds ...app.Command) error {
	b.journal = append(b.journal, cmds...)
	b.journalDay = d
	if len(b.journal) >= batchSize {
		return b.flushJournal()
	}
	return nil
}

func (b *builder) flushJournal() error {
	if len(b.journal) == 0 {
		return nil
	}
	err := b.write(b.journalDay, b.journal)
	b.journal = b.journal[:0]
	return err
}

// region seeds the reference data on 1 August and sets every municipality's
// parameters for the current period on 3 August.
func (b *builder) region() error {
	b.progress("Справочники и параметры муниципалитетов", 0, 2)
	b.at(b.augustDay(1))
	if err := b.exec(assets.Seed(b.today)); err != nil {
		return err
	}
	expected := func(code string) int64 { // demo children expected to live there
		return int64(b.opt.Children) * munByCode(code).population / totalPopulation()
	}
	population := func(m munInfo) int64 { return m.population }
	if b.opt.world.on {
		population = b.opt.world.population
	}
	b.at(b.augustDay(3))
	var cmds []app.Command
	for _, m := range municipalities {
		p := app.Params{Municipality: m.code, Period: b.period.ID, Mode: app.ModeAccounting,
			DaysToRequest: 30, Population: population(m)}
		if m.financing {
			p.Mode = app.ModeFinancing
			p.Nominal = m.nominal * 100
			p.Quota = population(m) * int64(b.opt.world.quotaPct()+b.rng.IntN(6)) / 100
			if m.code == queueMun {
				// Below the demand of the demo's children, so that some wait.
				p.Quota = max(2, expected(m.code)*85/100*2/5)
			}
			for _, c := range sumLimitMuns {
				if c == m.code {
					p.SumLimit = p.Quota * p.Nominal * 95 / 100
				}
			}
			if dir, ok := directionLimitMuns[m.code]; ok {
				p.DirectionLimits = map[string]int64{dir: max(3, expected(m.code)/6)}
			}
			p.BudgetLimit = p.Quota * p.Nominal * 11 / 10
		}
		b.params[m.code] = p
		b.operators[m.code] = adult(b.rng).initials() + ", специалист МОЦ"
		cmds = append(cmds, &app.SetParams{Params: p})
	}
	err := b.exec(cmds...)
	b.progress("Справочники и параметры муниципалитетов", 2, 2)
	return err
}

// registerProviders registers and activates the providers on 4 August, after
// making sure the exclusion rule turns away a children's art school.
func (b *builder) registerProviders() error {
	n := b.opt.Providers
	b.progress("Исполнители", 0, n)
	b.at(b.augustDay(4))
	_, err := b.st.Exec(&app.RegisterProvider{ID: b.newID(), Name: excludedProvider, Type: app.ProviderOrg,
		Municipality: "27", INN: inn(b.rng, false), Licence: licence(b.rng)})
	if app.ErrorCode(err) != app.PROVIDER_EXCLUDED {
		return fmt.Errorf("demo: registering %s gave %v, want %s", excludedProvider, err, app.PROVIDER_EXCLUDED)
	}
	var cmds []app.Command
	for i := range n {
		info := b.providerInfo(i)
		p := &provider{id: b.newID(), mun: info.mun, dirs: info.dirs,
			address: munByCode(info.mun).town + ", " + info.street}
		if p.dirs == nil {
			p.dirs = directionOrder
		}
		if b.opt.world.on {
			p.weight = b.weight(p)
		}
		ip := info.typ == app.ProviderIPStaff || info.typ == app.ProviderIPNoStaff
		lic := licence(b.rng)
		if info.typ == app.ProviderIPNoStaff {
			lic = "" // an entrepreneur teaching alone needs no licence
		}
		b.provs = append(b.provs, p)
		cmds = append(cmds,
			&app.RegisterProvider{ID: p.id, Name: info.name, Type: info.typ, Municipality: info.mun,
				INN: inn(b.rng, ip), Licence: lic},
			&app.SetProviderStatus{Provider: p.id, Status: app.ProviderActive})
	}
	err = b.exec(cmds...)
	b.progress("Исполнители", n, n)
	return err
}

// providerInfo is the i-th provider: from the table, then entrepreneurs made
// up in municipalities weighted by population.
func (b *builder) providerInfo(i int) providerInfo {
	if i < len(providers) {
		return providers[i]
	}
	if b.opt.world.on {
		return b.worldProvider(i)
	}
	typ := app.ProviderIPNoStaff
	if b.rng.IntN(2) == 0 {
		typ = app.ProviderIPStaff
	}
	return providerInfo{name: "ИП " + adult(b.rng).initials(), typ: typ, mun: b.pickMun(),
		dirs: []string{pick(b.rng, directionOrder)}, street: fmt.Sprintf("ул. Ленина, %d", 1+b.rng.IntN(300))}
}

// pickMun picks a municipality with probability proportional to its children.
func (b *builder) pickMun() string {
	x := b.rng.Int64N(totalPopulation())
	for _, m := range municipalities {
		if x < m.population {
			return m.code
		}
		x -= m.population
	}
	return municipalities[len(municipalities)-1].code
}
