package demo

import (
	"time"

	"kruzhok/app"
)

// Shares of the journal.
const (
	cancelPct  = 3  // lessons the provider cancels, percent
	excusedPct = 35 // of absences, the excused ones, percent
)

// autumn lives the days from the first registration (15 August) to today or
// the end of the last month of attendance, whichever is earlier. On the 1st
// of each month the region closes the month and invoices follow; on the 1st
// and the 15th the daily downgrade of unused financing certificates runs
// (this is when queues move); families enrol, a few give notice and switch;
// providers keep the journal of every lesson held.
func (b *builder) autumn() error {
	months := b.months()
	first, last := b.augustDay(15), min(months[len(months)-1].Last(), b.today)
	for d := first; d <= last; d++ {
		b.at(d)
		for i, m := range months {
			if d == m.First() {
				if err := b.monthStart(m, i, months); err != nil {
					return err
				}
			}
		}
		if _, _, dd := d.Parts(); (dd == 1 || dd == 15) && d > b.period.Start {
			if err := b.downgrade(d); err != nil {
				return err
			}
		}
		for _, ev := range b.events[d] {
			if err := ev(); err != nil {
				return err
			}
		}
		delete(b.events, d)
		if err := b.enrolDay(d); err != nil {
			return err
		}
		if d >= b.period.Start {
			if err := b.lessons(d); err != nil {
				return err
			}
		}
		b.progress(stageOf(d), int(d-d.Month().First())+1, int(min(d.Month().Last(), last)-d.Month().First())+1)
	}
	return b.flushJournal()
}

// monthStart is the 1st of month m: the month close, the invoices it makes
// going their way through the month, the notices of the termination month,
// and a few families who decide to start late.
func (b *builder) monthStart(m app.Month, i int, months []app.Month) error {
	if err := b.exec(&app.CloseMonth{Month: m}); err != nil {
		return err
	}
	if err := b.planInvoices(m, i == len(months)-1); err != nil {
		return err
	}
	if i == min(1, len(months)-1) || b.opt.world.on && i > 1 {
		b.planTerminations(m)
	}
	// Late starters: a few children who study nowhere yet.
	for _, ch := range b.kids {
		if len(ch.contracts) == 0 && b.rng.IntN(100) < b.opt.world.latePct() {
			b.wishLater(ch, m.First().AddDays(3+b.rng.IntN(18)))
		}
	}
	return nil
}

// wishLater plans a wish to enrol from start, made on the start day.
func (b *builder) wishLater(ch *child, start app.Date) {
	if start <= b.groupEnd() {
		b.wants[start] = append(b.wants[start], want{ch: ch, start: start})
	}
}

// downgrade runs the daily job on d: financing certificates unused for N
// days go back to accounting and the queue moves up. Most children who get
// financing from the queue enrol within days.
func (b *builder) downgrade(d app.Date) error {
	if err := b.exec(&app.DowngradeUnused{Date: d}); err != nil {
		return err
	}
	// Only a financing municipality's children can get or lose financing.
	fresh, err := b.financedNow(b.finKids)
	if err != nil {
		return err
	}
	for _, ch := range fresh {
		if len(ch.contracts) == 0 && b.rng.IntN(10) < 7 {
			b.wishLater(ch, d.AddDays(2+b.rng.IntN(8)))
		}
	}
	return nil
}

// planTerminations picks about 2 % of the contracts in force to end with a
// notice during month m; half of those children switch to another programme
// from the next month (the Concept: switching loses the child nothing).
func (b *builder) planTerminations(m app.Month) {
	var live []*contract
	for _, k := range b.contracts {
		if !k.terminated && k.start < m.First() && k.end > m.Last() {
			live = append(live, k)
		}
	}
	n := max(1, len(live)*2/100)
	// The notices of one day go in one transaction: a transaction per
	// notice made the world's build wait on thousands of commits.
	byDay := map[app.Date][]func() *app.Terminate{}
	for _, i := range b.rng.Perm(len(live))[:min(n, len(live))] {
		k := live[i]
		notice := m.First().AddDays(1 + b.rng.IntN(24))
		if b.opt.Clock == nil {
			notice = max(notice, b.today.Month().First()) // made today: no notice before this month
		}
		reason := pick(b.rng, terminationReasons)
		switchToo := b.rng.IntN(2) == 0
		if byDay[notice] == nil {
			b.events[notice] = append(b.events[notice], func() error {
				var cmds []app.Command
				for _, t := range byDay[notice] {
					cmds = append(cmds, t())
				}
				return b.exec(cmds...)
			})
		}
		// Noted as the command is made: the contract ends with the notice
		// month, and a child who switches wishes from the next month.
		byDay[notice] = append(byDay[notice], func() *app.Terminate {
			k.terminated = true
			k.end = max(min(k.end, notice.Month().Last()), k.start)
			if switchToo {
				next := (notice.Month() + 1).First()
				if next <= b.groupEnd() {
					b.wants[notice] = append(b.wants[notice], want{ch: k.ch, start: next})
				}
			}
			return &app.Terminate{Contract: k.id, Notice: notice, Reason: reason}
		})
	}
}

// planInvoices sends the invoices month m's close made on their way:
// submitted on the 2nd (advances for the whole 80 %), approved on the 4th,
// paid on the 7th. Those of the last month stop at every status, so that
// the screens show each.
func (b *builder) planInvoices(m app.Month, last bool) error {
	var invs []app.Invoice
	err := b.st.View(func(r app.Reader) error {
		all, err := app.List[app.Invoice](r, "", "", 0)
		for _, inv := range all {
			if inv.Status == app.InvDraft && (inv.Type == app.InvAdvance && inv.Month == m || inv.Type == app.InvFinal && inv.Month == m-1) {
				invs = append(invs, inv)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	var submit, approve, pay []app.Command
	for _, inv := range invs {
		steps := 3
		if last {
			steps = b.rng.IntN(4)
		}
		if steps >= 1 {
			submit = append(submit, &app.SubmitInvoice{Invoice: inv.ID, Amount: inv.Max})
		}
		if steps >= 2 {
			approve = append(approve, &app.ApproveInvoice{Invoice: inv.ID})
		}
		if steps >= 3 && inv.Amount < 0 {
			// The provider was advanced more than was due: it refunds.
			pay = append(pay, &app.RecordRefund{Invoice: inv.ID})
		} else if steps >= 3 {
			pay = append(pay, &app.PayInvoice{Invoice: inv.ID})
		}
	}
	for i, cmds := range [][]app.Command{submit, approve, pay} {
		if len(cmds) > 0 {
			d := m.First().AddDays([]int{1, 3, 6}[i])
			b.events[d] = append(b.events[d], func() error {
				return b.exec(cmds...)
			})
		}
	}
	return nil
}

// lessons keeps the journal of day d: each scheduled lesson of a group with
// children is held or (rarely) cancelled by the provider; at a held lesson
// each child with a contract in force that day is present, absent or excused.
func (b *builder) lessons(d app.Date) error {
	wd := int(d.Weekday())
	if wd == 0 {
		wd = 7
	}
	for _, g := range b.groups {
		if len(g.contracts) == 0 || d < g.Start || d > g.End {
			continue
		}
		for _, s := range g.Schedule {
			if s.Weekday != wd {
				continue
			}
			var in []*contract
			for _, k := range g.contracts {
				if k.start <= d && d <= k.end {
					in = append(in, k)
				}
			}
			if len(in) == 0 {
				continue
			}
			if b.rng.IntN(100) < cancelPct {
				if err := b.mark(d, &app.CancelLesson{Group: g.ID, Date: d, Start: s.Start, Cancelled: true}); err != nil {
					return err
				}
				continue
			}
			for _, k := range in {
				mark := app.MarkPresent
				if b.rng.Float64() >= k.ch.attends {
					mark = app.MarkAbsent
					if b.rng.IntN(100) < excusedPct {
						mark = app.MarkExcused
					}
				}
				if err := b.mark(d, &app.MarkAttendance{Group: g.ID, Date: d, Start: s.Start, Child: k.ch.id, Mark: mark}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// stageOf names the progress stage of a simulated day.
func stageOf(d app.Date) string {
	m := d.Month()
	if _, mm := m.Parts(); mm == time.August {
		return m.Russian() + ": дети, сертификаты, договоры"
	}
	return m.Russian() + ": журнал, договоры, счета"
}
