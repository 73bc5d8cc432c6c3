package demo

import (
	"fmt"
	"slices"

	"kruzhok/app"
)

// programmes makes the programmes with their modules on 5 August, sends most
// to expertise on 6 August, records its outcome on 11 August (most certified,
// a few denied, some still waiting, a few drafts never sent), lists some in
// municipal registries on 12 August and opens groups on 13 August.
func (b *builder) programmes() error {
	const stage = "Программы, реестры и группы"
	n := b.opt.Programmes
	b.progress(stage, 0, 5)
	b.at(b.augustDay(5))
	var saves []app.Command
	for i := range n {
		var p *programme
		if i < len(b.provs) && i < n-len(directionOrder) {
			// Every provider gets a programme before any gets a second.
			prov := b.provs[i]
			p = b.newProgramme(prov, pick(b.rng, prov.dirs))
		} else {
			dir := directionOrder[i%len(directionOrder)]
			p = b.newProgramme(b.providerFor(dir), dir)
		}
		b.progs = append(b.progs, p)
		form := "очная"
		if p.distance {
			form = pick(b.rng, []string{"очная, дистанционно", "очно-заочная, дистанционно"})
		}
		saves = append(saves, &app.SaveProgramme{ID: p.id, Provider: p.prov.id, Title: p.course.title,
			Direction: p.dir, AgeMin: p.course.ageMin, AgeMax: p.course.ageMax, Form: form,
			Description: p.course.desc})
		for _, m := range p.modules {
			saves = append(saves, &app.SaveModule{ID: m.id, Programme: p.id, Name: m.name, Hours: m.hours,
				Months: 9, MinChildren: m.minKids, MaxChildren: m.maxKids, Price: m.price, NormPrice: m.norm})
		}
	}
	if err := b.exec(saves...); err != nil {
		return err
	}
	b.progress(stage, 1, 5)

	// The fate of each programme at the expertise.
	order := b.rng.Perm(n)
	denied, drafts, waiting := max(1, n/30), max(1, n/20), max(1, n/15)
	var submits, outcomes []app.Command
	for k, i := range order {
		p := b.progs[i]
		switch {
		case k < drafts:
			p.status = app.ProgDraft
			continue
		case k < drafts+waiting:
			p.status = app.ProgSubmitted
		case k < drafts+waiting+denied:
			p.status = app.ProgDenied
			outcomes = append(outcomes, &app.DenyProgramme{Programme: p.id, Reason: pick(b.rng, denyReasons)})
		default:
			p.status = app.ProgCertified
			outcomes = append(outcomes, &app.CertifyProgramme{Programme: p.id})
		}
		submits = append(submits, &app.SubmitProgramme{Programme: p.id})
	}
	b.at(b.augustDay(6))
	if err := b.exec(submits...); err != nil {
		return err
	}
	b.at(b.augustDay(11))
	if err := b.exec(outcomes...); err != nil {
		return err
	}
	b.progress(stage, 3, 5)

	b.at(b.augustDay(12))
	if err := b.exec(b.listings()...); err != nil {
		return err
	}
	b.progress(stage, 4, 5)

	b.at(b.augustDay(13))
	var opens []app.Command
	for _, p := range b.progs {
		if p.status != app.ProgCertified && len(p.listed) == 0 {
			continue // nobody could enrol: no groups yet
		}
		for _, m := range p.modules {
			for k := range 1 + b.rng.IntN(b.groupsPerModule()) {
				g := b.newGroup(p, m, k)
				b.groups = append(b.groups, g)
				b.byMun[p.prov.mun] = append(b.byMun[p.prov.mun], g)
				if p.distance {
					b.distance = append(b.distance, g)
				}
				opens = append(opens, &app.OpenGroup{ID: g.ID, Module: g.Module, Name: g.Name,
					Start: g.Start, End: g.End, Capacity: g.Capacity, AgeMin: g.AgeMin, AgeMax: g.AgeMax,
					Schedule: g.Schedule, EnrolFrom: g.EnrolFrom, EnrolTo: g.EnrolTo})
			}
		}
	}
	err := b.exec(opens...)
	b.progress(stage, 5, 5)
	return err
}

// providerFor picks a provider that teaches dir, else any.
func (b *builder) providerFor(dir string) *provider {
	var fit []*provider
	for _, p := range b.provs {
		if slices.Contains(p.dirs, dir) {
			fit = append(fit, p)
		}
	}
	if len(fit) == 0 {
		return pick(b.rng, b.provs)
	}
	if b.opt.world.on {
		return b.weighted(fit)
	}
	return pick(b.rng, fit)
}

// newProgramme makes a programme of dir for prov with one module, or two
// levels when the ages allow: a start level for the younger and an advanced
// one for the older children.
func (b *builder) newProgramme(prov *provider, dir string) *programme {
	c := pick(b.rng, courses[dir])
	p := &programme{id: b.newID(), prov: prov, dir: dir, course: c, distance: c.distance,
		listed: map[string]bool{}}
	levels := [][2]int{{c.ageMin, c.ageMax}}
	names := []string{"Основной курс"}
	if c.ageMax-c.ageMin >= 4 && b.rng.IntN(10) < 4 {
		mid := (c.ageMin + c.ageMax) / 2
		levels = [][2]int{{c.ageMin, mid}, {mid + 1, c.ageMax}}
		names = []string{"Стартовый уровень", "Продвинутый уровень"}
	}
	for i, ages := range levels {
		hours := pick(b.rng, []int{72, 108, 108, 144})
		// NS: hours × the direction's rate ± 10 %, in whole tens of roubles;
		// P at 85–100 % of it (the regional cap is 100 %).
		norm := int64(hours) * ratePerHour[dir] * int64(90+b.rng.IntN(21)) / 100 / 10 * 1000
		price := norm * int64(85+b.rng.IntN(16)) / 100 / 1000 * 1000
		maxKids := 12 + b.rng.IntN(9)
		if b.opt.world.on {
			maxKids = b.opt.world.groupSize(b.rng)
		}
		if dir == "sport" {
			maxKids += 5
		}
		p.modules = append(p.modules, &module{id: b.newID(), name: names[i], ageMin: ages[0], ageMax: ages[1],
			hours: hours, minKids: 5 + b.rng.IntN(4), maxKids: maxKids, price: price, norm: norm})
	}
	return p
}

// listings puts programmes into municipal registries: one or two in every
// accounting municipality (whose children can study only there), then a few
// in financing ones, about a fifth of the programmes in all. Local
// programmes come first, then distance ones.
func (b *builder) listings() []app.Command {
	target := max(b.opt.Programmes/5, 1)
	perAccounting := 1
	if b.opt.Programmes >= 60 {
		perAccounting = 2
	}

	var cmds []app.Command
	list := func(mun string) bool {
		var local, remote, any []*programme
		for _, p := range b.progs {
			if p.status != app.ProgCertified && p.status != app.ProgSubmitted || p.listed[mun] {
				continue
			}
			switch {
			case p.prov.mun == mun:
				local = append(local, p)
			case p.distance:
				remote = append(remote, p)
			default:
				any = append(any, p)
			}
		}
		for _, tier := range [][]*programme{local, remote, any} {
			if len(tier) > 0 {
				p := pick(b.rng, tier)
				p.listed[mun] = true
				cmds = append(cmds, &app.ListProgramme{Municipality: mun, Programme: p.id,
					Places: int64(25 + b.rng.IntN(36))})
				return true
			}
		}
		return false
	}
	if b.opt.world.on {
		// Every municipality of the world lists enough programmes for the
		// children without financing: a tenth of them, at least six.
		for range max(6, b.opt.Programmes/10) {
			for _, m := range municipalities {
				list(m.code)
			}
		}
		return cmds
	}
	for _, m := range municipalities {
		if !m.financing {
			for range perAccounting {
				list(m.code)
			}
		}
	}
	for _, i := range b.rng.Perm(len(municipalities)) {
		if len(cmds) >= target {
			break
		}
		if m := municipalities[i]; m.financing {
			list(m.code)
		}
	}
	return cmds
}

// newGroup makes the k-th group of a module: the whole programme year up to
// 31 May, two lessons a week, places for the module's maximum of children,
// enrolment from 15 August to 30 April.
func (b *builder) newGroup(p *programme, m *module, k int) *group {
	pair := pick(b.rng, weekdayPairs)
	start := pick(b.rng, startTimes)
	length := 90
	if m.ageMin <= 7 {
		length = 60 // the youngest have shorter lessons
	}
	room := pick(b.rng, rooms[p.dir])
	g := &group{prog: p, Group: app.Group{ID: b.newID(), Module: m.id, Programme: p.id, Provider: p.prov.id,
		Name:     fmt.Sprintf("Группа %d (%d–%d лет)", k+1, m.ageMin, m.ageMax),
		Start:    b.period.Start,
		End:      b.groupEnd(),
		Capacity: int64(m.maxKids), AgeMin: m.ageMin, AgeMax: m.ageMax,
		EnrolFrom: b.augustDay(15), EnrolTo: b.enrolTo()}}
	days := pair[:]
	if b.opt.world.on && b.rng.IntN(3) == 0 {
		days = days[:1] // a third of the world's groups meet once a week
	}
	for _, wd := range days {
		g.Schedule = append(g.Schedule, app.Slot{Weekday: wd, Start: start, End: start + length,
			Room: room, Address: p.prov.address})
	}
	return g
}
