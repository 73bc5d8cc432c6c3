package demo

import (
	"kruzhok/app"
)

// maxTries is how many groups a family looks at before giving up.
const maxTries = 8

// enrolDay acts on the day's wishes to enrol, in rounds that hold at most one
// wish per child: a child's second contract is quoted against the balance
// the first one left.
func (b *builder) enrolDay(d app.Date) error {
	ws := b.wants[d]
	delete(b.wants, d)
	for len(ws) > 0 {
		seen := map[*child]bool{}
		var now, later []want
		for _, w := range ws {
			if seen[w.ch] {
				later = append(later, w)
			} else {
				seen[w.ch] = true
				now = append(now, w)
			}
		}
		if err := b.enrolRound(now); err != nil {
			return err
		}
		ws = later
	}
	return nil
}

// enrolRound finds each wish a group the way a family would (close to home
// first, then distance learning, then anywhere), asks app.PrepareEnrolment
// for the quote the family sees, and makes the contracts in one batch. The
// places, municipal places and direction limits the round itself takes are
// counted here, since the snapshot does not see them.
func (b *builder) enrolRound(ws []want) error {
	var cmds []app.Command
	var made []*contract
	err := b.st.View(func(r app.Reader) error {
		taken := map[*group]int64{}
		listed := map[string]int64{}
		dirs := map[string]int64{}
		for _, w := range ws {
			cert, err := app.Get[app.Certificate](r, w.ch.cert)
			if err != nil {
				return err
			}
			financing := cert.Type == app.CertFinancing && cert.Period == b.period.ID
			cands := b.candidates(w, financing)
			for _, g := range cands[:min(len(cands), b.maxTries())] {
				e, err := app.PrepareEnrolment(r, w.ch.cert, g.ID, w.start, b.storeToday())
				if err != nil || taken[g] >= e.Group.Free() {
					continue
				}
				if e.Quote.Parent*2 > e.Quote.All {
					continue // the family will not pay more than half
				}
				key := e.Cert.Municipality + "/" + e.Programme.ID
				dkey := e.Cert.Municipality + "/" + e.Programme.Direction
				if !e.Funded {
					l, err := app.Get[app.Listing](r, key)
					if err != nil || l.Places > 0 && l.Enrolled+listed[key] >= l.Places {
						continue
					}
				} else if limit, ok := b.params[e.Cert.Municipality].DirectionLimits[e.Programme.Direction]; ok {
					q, err := app.Get[app.Quota](r, e.Cert.Municipality+"/"+e.Period.ID)
					if err != nil || q.Directions[e.Programme.Direction]+dirs[dkey] >= limit {
						continue
					}
				}
				if e.Funded {
					dirs[dkey]++
				} else {
					listed[key]++
				}
				taken[g]++
				k := &contract{id: b.newID(), ch: w.ch, g: g, start: e.Start, end: e.End}
				cmds = append(cmds, &app.Enrol{ID: k.id, Certificate: w.ch.cert, Group: g.ID, Start: e.Start,
					QuotedCert: e.Quote.Cert, QuotedParent: e.Quote.Parent, ParentConfirmed: true})
				made = append(made, k)
				break
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := b.exec(cmds...); err != nil {
		return err
	}
	for _, k := range made {
		b.contracts = append(b.contracts, k)
		k.ch.contracts = append(k.ch.contracts, k)
		k.g.contracts = append(k.g.contracts, k)
	}
	return nil
}

// candidates are the groups a child could join from the wish's start, in the
// order a family would look: its own municipality, then distance learning,
// then elsewhere, shuffled within each. A programme the child already studies
// (or studied) is left out.
func (b *builder) candidates(w want, financing bool) []*group {
	age := app.AgeOn(w.ch.birth, w.start)
	fits := func(g *group) bool {
		p := g.prog
		if w.start < g.Start || w.start > g.End || age < g.AgeMin || age > g.AgeMax {
			return false
		}
		if !p.listed[w.ch.mun] && !(financing && p.status == app.ProgCertified) {
			return false
		}
		return !studies(w.ch, p)
	}
	// The tiers are built one at a time from the indexes, each in b.groups
	// order, and only as far as needed: the same lists (and so the same
	// shuffles) as one pass over every group, without the pass.
	var out []*group
	for tier := range 3 {
		var t []*group
		switch tier {
		case 0:
			for _, g := range b.byMun[w.ch.mun] {
				if fits(g) {
					t = append(t, g)
				}
			}
		case 1:
			for _, g := range b.distance {
				if g.prog.prov.mun != w.ch.mun && fits(g) {
					t = append(t, g)
				}
			}
		default:
			for _, g := range b.groups {
				if p := g.prog; p.prov.mun != w.ch.mun && !p.distance && fits(g) {
					t = append(t, g)
				}
			}
		}
		if need := b.maxTries() - len(out); b.opt.world.on && len(t) > need {
			// The world draws only the groups the family will look at: a
			// partial shuffle, not one of the whole krai's groups per wish.
			for i := range need {
				j := i + b.rng.IntN(len(t)-i)
				t[i], t[j] = t[j], t[i]
			}
			t = t[:need]
		} else {
			b.rng.Shuffle(len(t), func(i, j int) { t[i], t[j] = t[j], t[i] })
		}
		out = append(out, t...)
		if len(out) >= b.maxTries() {
			break
		}
	}
	return out
}

func studies(ch *child, p *programme) bool {
	for _, k := range ch.contracts {
		if k.g.prog == p {
			return true
		}
	}
	return false
}
