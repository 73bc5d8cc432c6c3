package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"kruzhok/app"
)

// The region at scale 1 (issue 12): what Stavropol Krai would hold after a
// school year at the Concept's targets. World(1, seed) aims at these; a
// smaller scale at the same fraction of each.
const (
	TargetPopulation    = 450_000    // children aged 5–18 in the municipalities' parameters
	TargetCertFinancing = 120_000    // financing certificates
	TargetProgrammes    = 6_000      // programmes
	TargetGroups        = 10_000     // groups
	TargetContracts     = 300_000    // contracts made during the year
	TargetMarks         = 15_000_000 // attendance marks of the year
	TargetProviders     = 470        // providers; with the 33 municipalities about 500 nodes
)

// worldChildren is how many children register at scale 1: most of the
// population (the Concept's coverage), enough to make TargetContracts.
const worldChildren = 360_000

// BuildVersion names the world generator. A cached world (kruzhok demo
// --cache) is keyed by scale, seed and this number: bump it whenever a change
// here or in the demo makes World(scale, seed) build other records.
const BuildVersion = 1

// WorldNode is the node id of a world's database (store.Options.Node): a
// child records the node that registered it, so the id must not be random
// for the records to follow from the seed alone.
const WorldNode = "019a0000-0000-7000-8000-00000000d3e0"

// world holds the region-scale knobs (Options.world).
type world struct {
	on        bool
	scale     float64
	today     app.Date // the simulated "today": the end of the school year
	popFactor float64  // municipal populations × this = the world's populations
}

// worldToday is the last day of the world's school year, 2025/26: a fixed
// year in the past, so that the same seed gives the same records whatever the
// real date (the demo's clock never runs past the real time).
var worldToday = app.NewDate(2026, time.May, 31)

// WorldLastDay is the last day of the world's school year: the date a
// benchmark on a built world runs at.
func WorldLastDay() app.Date { return worldToday }

// World is the Options of the region-scale world at scale (1 = the whole
// krai, 0.01 = a hundredth of each size) from seed: the 33 municipalities with
// their populations scaled to TargetPopulation × scale (Ставрополь the
// largest); providers of every size, from a few large centres teaching
// everything to many entrepreneurs with one course; the whole school year
// 2025/26 from August's registrations to May's journal, with a month close
// and invoices every month. Ids come from the seed (open the store with
// store.Options{Node: WorldNode}), so a seed and a scale give the same
// records, and on a fresh database the same digest.
func World(scale float64, seed int64) (Options, error) {
	if !(scale > 0 && scale <= 1) {
		return Options{}, fmt.Errorf("масштаб должен быть больше 0 и не больше 1, а не %v", scale)
	}
	round := func(x float64, least int) int { return max(least, int(math.Round(x*scale))) }
	return Options{
		Children:   round(worldChildren, 30),
		Providers:  round(TargetProviders, 8),
		Programmes: round(TargetProgrammes, 12),
		Seed:       seed,
		world: world{on: true, scale: scale, today: worldToday,
			popFactor: float64(TargetPopulation) * scale / float64(totalPopulation())},
	}, nil
}

// population is m's children aged 5–18 in the world.
func (w world) population(m munInfo) int64 {
	return max(1, int64(math.Round(float64(m.population)*w.popFactor)))
}

// groupSize is the places of a world group: 28–39, so that about 10 000
// groups hold 300 000 contracts over the year.
func (w world) groupSize(rng *rand.Rand) int { return 28 + rng.IntN(12) }

// groupsPerModule bounds the groups a module opens: 1–3 in the demo, 1–2 in
// the world (about 10 000 groups for 6 000 programmes).
func (b *builder) groupsPerModule() int {
	if b.opt.world.on {
		return 2
	}
	return 3
}

// worldProvider is the i-th provider of the world past the table: a school
// teaching two or three directions, a training company with one or two, or
// (half of them) an entrepreneur with one course.
func (b *builder) worldProvider(i int) providerInfo {
	mun := b.pickMun()
	m := munByCode(mun)
	street := fmt.Sprintf("ул. %s, %d", pick(b.rng, streets), 1+b.rng.IntN(300))
	dirs := func(n int) []string {
		var out []string
		for _, k := range b.rng.Perm(len(directionOrder))[:n] {
			out = append(out, directionOrder[k])
		}
		return out
	}
	switch x := b.rng.IntN(10); {
	case x < 3:
		return providerInfo{name: fmt.Sprintf("МБОУ «Средняя общеобразовательная школа № %d» (%s)", 1+i%60, m.town),
			typ: app.ProviderOrg, mun: mun, dirs: dirs(2 + b.rng.IntN(2)), street: street}
	case x < 5:
		return providerInfo{name: fmt.Sprintf("ООО «%s № %d»", pick(b.rng, studios), i),
			typ: app.ProviderTraining, mun: mun, dirs: dirs(1 + b.rng.IntN(2)), street: street}
	}
	typ := app.ProviderIPNoStaff
	if b.rng.IntN(2) == 0 {
		typ = app.ProviderIPStaff
	}
	return providerInfo{name: "ИП " + adult(b.rng).initials(), typ: typ, mun: mun, dirs: dirs(1), street: street}
}

var streets = []string{"Ленина", "Мира", "Гагарина", "Советская", "Октябрьская", "Комсомольская", "Пушкина", "Кирова"}
var studios = []string{"Центр развития", "Студия творчества", "Школа робототехники", "Спортивный клуб", "Учебный центр"}

// weight is how many programmes a provider draws against others that teach
// the same direction: the big centres (all six directions) many, schools and
// companies some, an entrepreneur few; spread so that the sizes run from one
// programme to a hundred or more.
func (b *builder) weight(p *provider) float64 {
	w := 1.0
	switch {
	case len(p.dirs) == len(directionOrder):
		w = 12
	case len(p.dirs) >= 2:
		w = 3
	}
	return w * math.Exp(0.8*b.rng.NormFloat64())
}

// weighted picks one of fit in proportion to its weight.
func (b *builder) weighted(fit []*provider) *provider {
	total := 0.0
	for _, p := range fit {
		total += p.weight
	}
	x := b.rng.Float64() * total
	for _, p := range fit {
		if x < p.weight {
			return p
		}
		x -= p.weight
	}
	return fit[len(fit)-1]
}

// quotaPct is the least share of its population a financing municipality
// funds (plus 0–5 %): 25 % in the demo, whose children are far fewer than
// the population; in the world, where most children register, enough for
// TargetCertFinancing.
func (w world) quotaPct() int {
	if w.on {
		return 33
	}
	return 25
}

// wants is how many programmes a world child's family wants from September
// (0, 1 or 2), from a percentage roll x: the world's groups are fuller than
// the demo's, and its families keener.
func (w world) wants(x int, requested, financing bool) int {
	switch {
	case requested:
		return pickN(x, 90, 55)
	case financing:
		return pickN(x, 60, 20)
	}
	return pickN(x, 85, 35)
}

// maxTries is how many groups a family looks at before giving up: more in
// the world, whose municipalities have many more groups to choose from.
func (b *builder) maxTries() int {
	if b.opt.world.on {
		return 16
	}
	return maxTries
}

// latePct is the share of children studying nowhere who decide, each month,
// to start: 7 % in the demo, 15 % in the world's longer year.
func (w world) latePct() int {
	if w.on {
		return 15
	}
	return 7
}
