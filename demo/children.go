package demo

import (
	"kruzhok/app"
)

// children plans the registration of the children from 15 to 28 August:
// each is registered with the guardian's consent and gets a certificate the
// same day; in financing municipalities most families ask for financing at
// once. It also plans the families' wishes to enrol from 1 September, made
// in the last two weeks of August.
func (b *builder) children() error {
	byDay := map[app.Date][]*child{}
	cmds := map[*child][]app.Command{}
	for range b.opt.Children {
		mun := b.pickMun()
		reg := b.augustDay(15 + b.rng.IntN(14))
		// Ages 5–17 today, and at least 5 on the day of registration.
		oldest := b.today.AddDays(1)
		oy, om, od := oldest.Parts()
		ry, rm, rd := reg.Parts()
		from, to := app.NewDate(oy-18, om, od), app.NewDate(ry-5, rm, rd)
		birth := from.AddDays(b.rng.IntN(int(to-from) + 1))
		kid, guardian := family(b.rng)
		ch := &child{id: b.newID(), cert: b.newID(), mun: mun, birth: birth, attends: 0.72 + 0.26*b.rng.Float64()}
		c := app.Child{ID: ch.id, LastName: kid.last, FirstName: kid.first, MiddleName: kid.middle,
			BirthDate: birth, Municipality: mun, GuardianName: guardian.full(), GuardianPhone: phone(b.rng),
			ConsentDate: reg, ConsentBy: b.operators[mun]}
		if b.rng.IntN(10) < 4 {
			c.SNILS = snils(b.rng)
		}
		cmds[ch] = []app.Command{&app.RegisterChild{Child: c}, &app.IssueCertificate{ID: ch.cert, Child: ch.id}}
		financing := b.params[mun].Mode == app.ModeFinancing
		requested := financing && b.rng.IntN(100) < 85
		if requested {
			cmds[ch] = append(cmds[ch], &app.RequestFinancing{ID: b.newID(), Certificate: ch.cert})
		}
		b.kids = append(b.kids, ch)
		if financing {
			b.finKids = append(b.finKids, ch)
		}
		byDay[reg] = append(byDay[reg], ch)

		// Who will want to study from 1 September, and in how many programmes.
		n := 0
		switch x := b.rng.IntN(100); {
		case b.opt.world.on:
			n = b.opt.world.wants(x, requested, financing)
		case requested:
			n = pickN(x, 80, 35)
		case financing:
			n = pickN(x, 35, 0)
		default:
			n = pickN(x, 70, 15)
		}
		last := b.period.Start.AddDays(-1)
		first := min(reg.AddDays(1+b.rng.IntN(5)), last)
		for k := range n {
			d := first
			if k > 0 {
				d = min(first.AddDays(b.rng.IntN(4)), last)
			}
			b.wants[d] = append(b.wants[d], want{ch: ch, start: b.period.Start})
		}
	}
	for d, kids := range byDay {
		b.events[d] = append(b.events[d], func() error {
			var day []app.Command
			for _, ch := range kids {
				day = append(day, cmds[ch]...)
			}
			if err := b.exec(day...); err != nil {
				return err
			}
			_, err := b.financedNow(kids)
			return err
		})
	}
	return nil
}

// pickN turns a percentage roll x into 0, 1 or 2 programmes: pct percent of
// families want one, and second percent of those want another.
func pickN(x, pct, second int) int {
	switch {
	case x >= pct:
		return 0
	case x*100 < pct*second:
		return 2
	}
	return 1
}

// financedNow refreshes which of kids hold a financing certificate now (the
// store decides: the quota, the queue, the downgrade) and returns those that
// got one since the last read.
func (b *builder) financedNow(kids []*child) ([]*child, error) {
	var fresh []*child
	err := b.st.View(func(r app.Reader) error {
		for _, ch := range kids {
			c, err := app.Get[app.Certificate](r, ch.cert)
			if err != nil {
				return err
			}
			now := c.Type == app.CertFinancing && c.Period == b.period.ID
			if now && !ch.financed {
				fresh = append(fresh, ch)
			}
			ch.financed = now
		}
		return nil
	})
	return fresh, err
}
