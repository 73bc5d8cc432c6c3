package app_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"kruzhok/app"
)

// TestPropertyRandomCommands runs random sequences of the commands that move
// money and places (issue, request, enrol, attend, cancel, terminate, close
// month, downgrade, quota changes) and checks after every step that every
// ledger holds with non-negative terms, the quota is never exceeded and the
// queue is served strictly in arrival order. Rejected commands are expected;
// they must change nothing, which the outbox count and Check confirm.
func TestPropertyRandomCommands(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6}
	steps := 400
	if testing.Short() {
		seeds, steps = seeds[:2], 150
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { runProperty(t, seed, steps) })
	}
}

func runProperty(t *testing.T, seed uint64, steps int) {
	rng := rand.New(rand.NewPCG(seed, 99))
	w := newWorld(t, "2026-09-01")
	for _, mun := range []string{"27", "28"} {
		w.must(&app.SetParams{Params: app.Params{Municipality: mun, Period: "2026-2027", Mode: app.ModeFinancing,
			Quota: int64(2 + rng.IntN(4)), Nominal: int64(3_000_00 + rng.IntN(20)*1_000_00), DaysToRequest: 5 + rng.IntN(20),
			SumLimit: 0, Population: 100}})
	}
	w.provider(6)
	groups := []string{w.Group}
	for i := 0; i < 3; i++ {
		mod := fmt.Sprintf("mod%d", i)
		prog := fmt.Sprintf("prog%d", i)
		w.must(&app.SaveProgramme{ID: prog, Provider: w.Prov, Title: "П" + prog, Direction: "art", AgeMin: 5, AgeMax: 17, Form: "очная"})
		ns := int64(6_000_00 + rng.IntN(10)*1_000_00)
		w.must(&app.SaveModule{ID: mod, Programme: prog, Name: "М", Hours: 36, Months: 9, MinChildren: 1, MaxChildren: 10,
			Price: ns * int64(80+rng.IntN(41)) / 100, NormPrice: ns})
		w.must(&app.SubmitProgramme{Programme: prog})
		w.must(&app.CertifyProgramme{Programme: prog})
		g := w.groupCmd(fmt.Sprintf("g%d", i), mod, int64(2+rng.IntN(4)))
		w.must(g)
		groups = append(groups, g.ID)
	}
	var certs, contracts []string
	today := day("2026-09-01")
	closed := app.Month(0)
	applied := map[string]int{}
	defer func() {
		t.Logf("applied: %v", applied)
		for _, op := range []string{"enrol", "terminate", "close_month", "request_financing", "mark_attendance"} {
			if applied[op] == 0 && !t.Failed() {
				t.Errorf("the sequence never applied %s: the property was not exercised", op)
			}
		}
	}()
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	for step := 0; step < steps; step++ {
		if rng.IntN(8) == 0 && today < day("2027-05-20") {
			today = today.AddDays(1 + rng.IntN(6))
			w.setToday(today.String())
		}
		var cmd app.Command
		switch r := rng.IntN(100); {
		case r < 15 || len(certs) == 0:
			c := w.childCmd(fmt.Sprintf("201%d-0%d-1%d", rng.IntN(9)+1, rng.IntN(9)+1, rng.IntN(9)))
			c.Child.Municipality = []string{"27", "28"}[rng.IntN(2)]
			w.must(c)
			id := w.id("cert")
			w.must(&app.IssueCertificate{ID: id, Child: c.Child.ID})
			certs = append(certs, id)
			continue
		case r < 30:
			cmd = &app.RequestFinancing{ID: w.id("req"), Certificate: pick(certs)}
		case r < 55:
			cert, group := pick(certs), pick(groups)
			start := max(today, day("2026-09-01")).AddDays(rng.IntN(20))
			e := &app.Enrol{ID: w.id("k"), Certificate: cert, Group: group, Start: start, ParentConfirmed: rng.IntN(10) > 0}
			_ = w.db.View(func(r app.Reader) error {
				en, err := app.PrepareEnrolment(r, cert, group, start, today)
				e.QuotedCert, e.QuotedParent = en.Quote.Cert, en.Quote.Parent
				if rng.IntN(10) == 0 {
					e.QuotedCert++ // a stale quote
				}
				return err
			})
			cmd = e
		case r < 65 && len(contracts) > 0:
			cmd = &app.Terminate{Contract: pick(contracts), Notice: today.AddDays(rng.IntN(40))}
		case r < 80:
			g := get[app.Group](w, pick(groups))
			// Lessons held by today: a future one is LESSON_IN_FUTURE.
			ls := slices.DeleteFunc(app.ScheduledLessons(g, today.Month()), func(l app.Lesson) bool { return l.Date > today })
			if len(ls) == 0 {
				continue
			}
			l := ls[rng.IntN(len(ls))]
			if rng.IntN(6) == 0 {
				cmd = &app.CancelLesson{Group: g.ID, Date: l.Date, Start: l.Start, Cancelled: rng.IntN(3) > 0}
			} else if len(contracts) > 0 {
				k := get[app.Contract](w, pick(contracts))
				cmd = &app.MarkAttendance{Group: g.ID, Date: l.Date, Start: l.Start, Child: k.Child, Mark: app.MarkPresent}
			}
		case r < 88:
			if next := today.Month(); next > closed && (closed == 0 || next == closed+1) {
				cmd = &app.CloseMonth{Month: next}
				closed = next
			} else {
				continue
			}
		case r < 93:
			cmd = &app.DowngradeUnused{Date: today}
		case r < 96:
			cmd = &app.ReturnToAccounting{Certificate: pick(certs)}
		default:
			cmd = &app.SetParams{Params: app.Params{Municipality: []string{"27", "28"}[rng.IntN(2)], Period: "2026-2027",
				Mode: app.ModeFinancing, Quota: int64(1 + rng.IntN(8)), Nominal: int64(3_000_00 + rng.IntN(20)*1_000_00),
				DaysToRequest: 5 + rng.IntN(20)}}
		}
		if cmd == nil {
			continue
		}
		before, _ := w.db.OutboxLen()
		err := w.exec(cmd)
		after, _ := w.db.OutboxLen()
		if err != nil && after != before || err == nil && after != before+1 {
			t.Fatalf("step %d %s: err %v, outbox %d → %d", step, cmd.Op(), err, before, after)
		}
		if e, ok := cmd.(*app.Enrol); ok && err == nil {
			contracts = append(contracts, e.ID)
		}
		if app.ErrorCode(err) == app.EINTERNAL {
			t.Fatalf("step %d %s: internal error %v", step, cmd.Op(), err)
		}
		if closedM, ok := cmd.(*app.CloseMonth); ok && err != nil {
			t.Fatalf("close %s: %v", closedM.Month, err)
		}
		if err == nil {
			applied[cmd.Op()]++
		}
		var breaches []string
		w.db.View(func(r app.Reader) error { breaches = app.Check(r); return nil })
		if len(breaches) > 0 {
			t.Fatalf("step %d after %s (%v): %q", step, cmd.Op(), err, breaches)
		}
		checkQueueOrder(t, w)
	}
}

// checkQueueOrder: among served requests of a municipality, the serving order
// equals the arrival order, and nobody waits behind a later arrival that was served.
func checkQueueOrder(t *testing.T, w *world) {
	t.Helper()
	var reqs []app.Request
	w.db.View(func(r app.Reader) error { reqs, _ = app.List[app.Request](r, "", "", 0); return nil })
	for _, a := range reqs {
		for _, b := range reqs {
			if a.Municipality != b.Municipality || a.Period != b.Period || a.Arrival >= b.Arrival {
				continue
			}
			if a.Status == app.ReqServed && b.Status == app.ReqServed && a.Turn > b.Turn {
				t.Fatalf("request %d served after %d", a.Arrival, b.Arrival)
			}
			if a.Status == app.ReqWaiting && b.Status == app.ReqServed {
				t.Fatalf("request %d waits while later %d was served", a.Arrival, b.Arrival)
			}
		}
	}
}
