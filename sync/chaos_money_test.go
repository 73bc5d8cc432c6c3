package sync_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kruzhok/app"
)

// The money chaos test: a server and four nodes (municipality 27, providers A
// and B of 27, the region) run thousands of random commands over a simulated
// school year, September 2026 to May 2027, syncing over real HTTP in random
// partitions, while the server closes months and returns unused
// certificates. After every sync round the server's state must pass app.Check
// and the test's own money checks, computed from the records with the
// formulas of RULES.md §3, §6–§8 and not with the code's own functions.
//
//	KRUZHOK_CHAOS_OPS=100000 KRUZHOK_CHAOS_SEED=7 go test -run TestMoneyChaos ./sync/
//
// runs a longer one or replays a seed; the default is 10 000 commands of seed 1.

const (
	chaosMun     = "27"
	chaosPeriod  = "2026-2027"
	chaosQuota   = 10
	chaosNominal = 8_000_00
	chaosBudget  = 60_000_00
	chaosDays    = 10 // days to the first contract request
	chaosKids    = 36
)

var msk = time.FixedZone("MSK", 3*3600)

// chaosClock is the simulated wall clock every database of the world shares.
type chaosClock struct{ unix atomic.Int64 }

func (c *chaosClock) now() time.Time  { return time.Unix(c.unix.Load(), 0).In(msk) }
func (c *chaosClock) set(t time.Time) { c.unix.Store(t.Unix()) }
func (c *chaosClock) today() app.Date { return app.DateOf(c.now()) }

func envInt(t *testing.T, name string, def int64) int64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// chaosNode is a node of the chaos world.
type chaosNode struct {
	*node
	name    string
	prov    provider // for a provider node
	groups  []string // for a provider node: its groups
	offline int      // rounds it stays offline
}

type chaosKid struct{ child, cert, code, number string }

// chaos is the state of one run.
type chaos struct {
	t       *testing.T
	rng     *rand.Rand
	seed    uint64
	clock   *chaosClock
	w       *world
	mun     *chaosNode
	region  *chaosNode
	provs   []*chaosNode
	nodes   []*chaosNode
	kids    []chaosKid
	seq     int
	closed  app.Month           // the last month the server closed
	byProv  map[string][]string // contracts made on a node, by provider
	allK    []string            // every contract made on a node
	tried   map[string]int      // commands tried, by op
	local   map[string]int      // commands refused by the node itself, by op/code
	applied map[string]int      // pushed ops the server applied, by node
	rounds  int
	closes  int
	jobs    map[string]int // server jobs run, by op/result
	// tolerate: breaches of knownBugs are recorded in known (bug → breach →
	// when first seen) instead of failing the test.
	tolerate bool
	known    map[string]map[string]string
}

// knownBugs are money bugs of the domain this test found that app/ does not
// fix yet. TestMoneyChaos counts and logs a breach carrying a marker, so that
// it keeps guarding everything else; each bug's own regression test below
// replays its seed without tolerance and fails until the fix lands.
var knownBugs = []struct{ id, marker string }{
	// Empty: the late notice (a notice reaching the server after a later
	// month's close left that month paid) and a provider node's nil-map crash
	// on notice are fixed in app.Terminate; TestLateNoticeAfterMonthClose and
	// TestProviderNodeTerminates keep them fixed.
}

func TestMoneyChaos(t *testing.T) {
	ops := envInt(t, "KRUZHOK_CHAOS_OPS", 10_000)
	seed := uint64(envInt(t, "KRUZHOK_CHAOS_SEED", 1))
	runMoneyChaos(t, seed, int(ops), true)
}

// TestLateNoticeAfterMonthClose is the late-notice bug in a few steps: a
// provider enrols a child from 1 October and syncs; on 25 October the
// municipality's node, offline, gives notice; the server closes November on the 1st; the notice arrives
// on 3 November. RULES.md §6: the notice ends the contract on the last day of
// its month and a month is paid only to a contract in force on its 1st, so no
// share after the contract's end may stay paid.
func TestLateNoticeAfterMonthClose(t *testing.T) {
	clock := &chaosClock{}
	at := func(s string) {
		clock.set(time.Date(2026, 1, 1, 12, 0, 0, 0, msk).AddDate(0, 0, int(day(s)-day("2026-01-01"))))
	}
	at("2026-09-15")
	w := newWorldWith(t, worldOpt{quota: 10, nominal: 8_000_00, now: clock.now})
	mun := w.joinAt(app.MunicipalityScope("27"), clock.now)
	a := w.joinAt(app.ProviderScope(w.A.ID), clock.now)
	enrolledAtA(t, w, mun, a, day("2026-10-01"), clock.today())
	at("2026-10-01")
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, time.October)})
	mun.converged()
	at("2026-10-25")
	mun.must(&app.Terminate{Contract: "k-1", Notice: clock.today(), Reason: "переезд"})
	at("2026-11-01")
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, time.November)})
	at("2026-11-03")
	mun.converged()
	w.checkClean()
	k := get[app.Contract](t, w.db, "k-1")
	for _, s := range k.Schedule {
		if s.WrittenOff && s.Month > k.End.Month() {
			t.Errorf("contract %s ends %s (notice %s) but its share of %s, %s, is paid", k.ID, k.End, k.Notice, s.Month, app.FormatRub(s.Cert))
		}
	}
}

func runMoneyChaos(t *testing.T, seed uint64, ops int, tolerate bool) {
	t.Logf("money chaos: seed %d, %d commands (replay: KRUZHOK_CHAOS_SEED=%d KRUZHOK_CHAOS_OPS=%d)", seed, ops, seed, ops)
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, msk)
	end := time.Date(2027, 6, 1, 8, 0, 0, 0, msk)
	clock := &chaosClock{}
	clock.set(start)
	c := &chaos{t: t, rng: rand.New(rand.NewPCG(seed, seed^0x6b72757a686f6b)), seed: seed, clock: clock,
		byProv: map[string][]string{}, tried: map[string]int{}, local: map[string]int{},
		applied: map[string]int{}, jobs: map[string]int{}, tolerate: tolerate, known: map[string]map[string]string{}}
	c.setup()

	// Chaos: command i runs at start + i/ops of the school year; the server
	// closes each month on its 1st; nodes sync in random partitions every
	// 50–100 commands.
	span := end.Sub(start)
	for i := 0; i < ops; {
		batch := 50 + c.rng.IntN(51)
		for j := 0; j < batch && i < ops; j, i = j+1, i+1 {
			now := start.Add(time.Duration(int64(span/time.Second)*int64(i)/int64(ops)) * time.Second)
			c.closeMonthsUntil(now)
			clock.set(now)
			c.step()
		}
		c.round()
	}
	clock.set(end)
	c.closeMonthsUntil(end)

	// Every node comes back online: it pushes what it has, pulls, and ends
	// with the server's view of its scope.
	for _, n := range c.nodes {
		n.offline = 0
	}
	c.round()
	c.round()
	for _, n := range c.nodes {
		n.converged()
		if b := n.db.Check(app.CheckNode); len(b) > 0 {
			t.Fatalf("%s: store check: %q", n.name, b)
		}
	}
	if b := c.w.db.Check(app.Check); len(b) > 0 {
		t.Fatalf("server: store check: %q", b)
	}
	c.summary()
}

// setup builds the world: the server with two providers of 27, each with three
// groups on two certified programmes; four nodes joined over HTTP; the
// municipality's node registers the children, issues their certificates and
// asks financing for a few.
func (c *chaos) setup() {
	t := c.t
	c.w = newWorldWith(t, worldOpt{quota: chaosQuota, nominal: chaosNominal, now: c.clock.now,
		budget: chaosBudget, days: chaosDays})
	w := c.w
	for _, p := range []provider{w.A, w.B} {
		w.must(&app.SaveProgramme{ID: p.ID + "-chess", Provider: p.ID, Title: "Шахматы", Direction: "sport",
			AgeMin: 5, AgeMax: 17, Form: "очная"})
		w.must(&app.SaveModule{ID: p.ID + "-chess-mod", Programme: p.ID + "-chess", Name: "Первый год", Hours: 36, Months: 9,
			MinChildren: 2, MaxChildren: 8, Price: 4_000_00, NormPrice: 3_500_00})
		w.must(&app.SubmitProgramme{Programme: p.ID + "-chess"})
		w.must(&app.CertifyProgramme{Programme: p.ID + "-chess"})
		g2 := groupCmd(p.ID+"-grp2", p.ID+"-chess-mod")
		g2.Capacity = 6
		g2.Schedule = []app.Slot{{Weekday: 1, Start: 17 * 60, End: 18 * 60, Room: "3"}, {Weekday: 3, Start: 17 * 60, End: 18 * 60, Room: "3"}, {Weekday: 5, Start: 17 * 60, End: 18 * 60, Room: "3"}}
		w.must(g2)
		g3 := groupCmd(p.ID+"-grp3", p.Mod)
		g3.Capacity = 4
		g3.Start = day("2026-10-01")
		w.must(g3)
	}
	join := func(name, scope string) *chaosNode {
		n := &chaosNode{node: w.joinAt(scope, c.clock.now), name: name}
		n.c.Now = c.clock.now
		c.nodes = append(c.nodes, n)
		return n
	}
	c.mun = join("mun27", app.MunicipalityScope(chaosMun))
	for _, p := range []provider{w.A, w.B} {
		n := join(p.ID, app.ProviderScope(p.ID))
		n.prov = p
		n.groups = []string{p.Group, p.ID + "-grp2", p.ID + "-grp3"}
		c.provs = append(c.provs, n)
	}
	c.region = join("region", app.ScopeRegion)

	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	for i := range chaosKids {
		k := chaosKid{child: fmt.Sprintf("ch-%02d", i), cert: fmt.Sprintf("cert-%02d", i)}
		var code [8]byte
		for j := range code {
			code[j] = alphabet[c.rng.IntN(len(alphabet))]
		}
		k.code = string(code[:])
		rc := childCmd(k.child, chaosMun)
		rc.Child.FirstName = fmt.Sprintf("Ребёнок%02d", i)
		rc.Child.BirthDate = app.NewDate(2009+c.rng.IntN(12), time.Month(1+c.rng.IntN(12)), 1+c.rng.IntN(28))
		c.mun.must(rc)
		c.mun.must(&app.IssueCertificate{ID: k.cert, Child: k.child, CodeHash: app.CodeHash(k.cert, k.code)})
		if i < chaosQuota/2 {
			c.mun.must(&app.RequestFinancing{ID: c.id("req"), Certificate: k.cert})
		}
		c.kids = append(c.kids, k)
	}
	c.mun.sync()
	// The numbers the server gave are on the extracts the families hold.
	for i := range c.kids {
		c.kids[i].number = get[app.Certificate](t, w.db, c.kids[i].cert).Number
		if c.kids[i].number == "" {
			t.Fatalf("certificate %s has no number", c.kids[i].cert)
		}
	}
	for _, n := range c.nodes {
		n.sync()
	}
	c.check("setup")
}

func (c *chaos) id(prefix string) string {
	c.seq++
	return fmt.Sprintf("%s-%d", prefix, c.seq)
}

// closeMonthsUntil runs the server's month close for every 1st of a month up
// to now, with the clock on that 1st, and the daily return of unused
// certificates with it.
func (c *chaos) closeMonthsUntil(now time.Time) {
	for {
		m := c.closed + 1
		if c.closed == 0 {
			m = app.MonthOf(2026, time.September)
		}
		y, mm := m.Parts()
		at := time.Date(y, mm, 1, 6, 0, 0, 0, msk)
		if at.After(now) {
			return
		}
		if c.clock.now().Before(at) {
			c.clock.set(at)
		}
		c.job(&app.CloseMonth{Month: m})
		c.closed = m
		c.closes++
		c.job(&app.DowngradeUnused{Date: c.clock.today()})
		c.checkServer("close " + m.String())
	}
}

// job runs a command of the server's own on its database.
func (c *chaos) job(cmd app.Command) {
	_, err := c.w.db.Exec(cmd)
	if err != nil {
		if cmd.Op() == "close_month" {
			c.t.Fatalf("server %s: %v", cmd.Op(), err)
		}
		c.jobs[cmd.Op()+"/"+app.ErrorCode(err)]++
		return
	}
	c.jobs[cmd.Op()]++
}

// exec runs a command on a node; a refusal by the node itself is counted.
func (c *chaos) exec(n *chaosNode, cmd app.Command) bool {
	c.tried[cmd.Op()]++
	if _, err := n.db.Exec(cmd); err != nil {
		code := app.ErrorCode(err)
		if code == "" {
			code = err.Error()
		}
		c.local[cmd.Op()+"/"+code]++
		if code == app.EINTERNAL && os.Getenv("KRUZHOK_CHAOS_DEBUG") != "" {
			c.t.Logf("%s %s %+v: %v", n.name, cmd.Op(), cmd, err)
		}
		return false
	}
	return true
}

// step runs one random command.
func (c *chaos) step() {
	r := c.rng.IntN(100)
	switch {
	case r < 34:
		c.providerStep(c.provs[0])
	case r < 68:
		c.providerStep(c.provs[1])
	case r < 92:
		c.munStep(c.mun)
	case r < 99:
		c.regionStep(c.region)
	default:
		c.job(&app.DowngradeUnused{Date: c.clock.today()})
	}
}

func (c *chaos) kid() chaosKid { return c.kids[c.rng.IntN(len(c.kids))] }

func (c *chaos) anyContract() string {
	if len(c.allK) == 0 {
		return "k-none"
	}
	return c.allK[c.rng.IntN(len(c.allK))]
}

func (c *chaos) providerStep(n *chaosNode) {
	r := c.rng.IntN(100)
	switch {
	case r < 8:
		k := c.kid()
		code := k.code
		if c.rng.IntN(40) == 0 {
			code = "WRONG234"
		}
		c.exec(n, &app.ApplyChild{Number: k.number, Code: code, Provider: n.prov.ID})
	case r < 11:
		c.exec(n, &app.RequestFinancing{ID: c.id("req"), Certificate: c.kid().cert})
	case r < 33:
		c.enrol(n, n.prov.ID, n.groups[c.rng.IntN(len(n.groups))])
	case r < 38:
		c.terminate(n, c.ownContract(n))
	case r < 77:
		c.mark(n)
	case r < 80:
		c.cancelLesson(n)
	default:
		c.submit(n)
	}
}

func (c *chaos) munStep(n *chaosNode) {
	r := c.rng.IntN(100)
	switch {
	case r < 16:
		c.exec(n, &app.RequestFinancing{ID: c.id("req"), Certificate: c.kid().cert})
	case r < 24:
		c.terminate(n, c.anyContract())
	case r < 28:
		p := c.provs[c.rng.IntN(len(c.provs))]
		c.enrol(n, p.prov.ID, p.groups[c.rng.IntN(len(p.groups))])
	case r < 30:
		c.exec(n, &app.ApplyChild{Number: c.kid().number, Provider: c.provs[c.rng.IntN(len(c.provs))].prov.ID})
	case r < 31:
		c.exec(n, &app.ReturnToAccounting{Certificate: c.kid().cert})
	default:
		c.decide(n)
	}
}

func (c *chaos) regionStep(n *chaosNode) {
	if c.rng.IntN(3) == 0 {
		c.terminate(n, c.anyContract())
		return
	}
	c.exec(n, &app.RequestFinancing{ID: c.id("req"), Certificate: c.kid().cert})
}

func (c *chaos) ownContract(n *chaosNode) string {
	ks := c.byProv[n.prov.ID]
	if len(ks) == 0 {
		return "k-none"
	}
	return ks[c.rng.IntN(len(ks))]
}

// enrol enrols a random child into the group from a date near today, at the
// quote the node's own view shows.
func (c *chaos) enrol(n *chaosNode, prov, group string) {
	k := c.kid()
	if c.rng.IntN(5) < 3 {
		// Mostly a child whose certificate the node sees financing.
		var funded []string
		_ = n.db.View(func(r app.Reader) error {
			cs, err := app.List[app.Certificate](r, "", "", 0)
			for _, c := range cs {
				if c.Type == app.CertFinancing {
					funded = append(funded, c.ID)
				}
			}
			return err
		})
		if len(funded) > 0 {
			id := funded[c.rng.IntN(len(funded))]
			for _, kk := range c.kids {
				if kk.cert == id {
					k = kk
				}
			}
		}
	}
	today := c.clock.today()
	start := today.AddDays(c.rng.IntN(30) - 7)
	var q app.Quote
	err := n.db.View(func(r app.Reader) error {
		if g, err := app.Get[app.Group](r, group); err == nil {
			start = max(start, g.Start)
		}
		e, err := app.PrepareEnrolment(r, k.cert, group, start, today)
		q = e.Quote
		return err
	})
	if err != nil {
		c.tried["enrol"]++
		c.local["enrol/quote "+app.ErrorCode(err)]++
		return
	}
	id := c.id("k")
	if c.exec(n, &app.Enrol{ID: id, Certificate: k.cert, Group: group, Start: start,
		QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: c.rng.IntN(20) != 0}) {
		c.byProv[prov] = append(c.byProv[prov], id)
		c.allK = append(c.allK, id)
	}
}

func (c *chaos) terminate(n *chaosNode, contract string) {
	notice := c.clock.today()
	if c.rng.IntN(10) == 0 {
		notice = notice.AddDays(c.rng.IntN(60))
	}
	c.exec(n, &app.Terminate{Contract: contract, Notice: notice, Reason: "по заявлению родителя"})
}

// lessonNear picks a scheduled lesson of the group between today+from and
// today+to days, from the node's view of the group.
func (c *chaos) lessonNear(n *chaosNode, group string, from, to int) (app.Date, int, bool) {
	var g app.Group
	if err := n.db.View(func(r app.Reader) error { var err error; g, err = app.Get[app.Group](r, group); return err }); err != nil {
		return 0, 0, false
	}
	today := c.clock.today()
	type lesson struct {
		d     app.Date
		start int
	}
	var ls []lesson
	for d := today.AddDays(from); d <= today.AddDays(to); d = d.AddDays(1) {
		wd := int(d.Weekday())
		if wd == 0 {
			wd = 7
		}
		for _, s := range g.Schedule {
			if s.Weekday == wd && d >= g.Start && d <= g.End {
				ls = append(ls, lesson{d, s.Start})
			}
		}
	}
	if len(ls) == 0 {
		return 0, 0, false
	}
	l := ls[c.rng.IntN(len(ls))]
	return l.d, l.start, true
}

func (c *chaos) mark(n *chaosNode) {
	id := c.ownContract(n)
	if c.rng.IntN(10) < 7 {
		// Mostly a contract in force as the node sees it.
		var ids []string
		_ = n.db.View(func(r app.Reader) error {
			ks, err := app.List[app.Contract](r, app.IdxProvider, n.prov.ID, 0)
			for _, k := range ks {
				if k.InForce() {
					ids = append(ids, k.ID)
				}
			}
			return err
		})
		if len(ids) > 0 {
			id = ids[c.rng.IntN(len(ids))]
		}
	}
	var k app.Contract
	if err := n.db.View(func(r app.Reader) error { var err error; k, err = app.Get[app.Contract](r, id); return err }); err != nil {
		c.tried["mark_attendance"]++
		c.local["mark_attendance/contract "+app.ErrorCode(err)]++
		return
	}
	d, start, ok := c.lessonNear(n, k.Group, -10, 0)
	if !ok {
		c.tried["mark_attendance"]++
		c.local["mark_attendance/no lesson"]++
		return
	}
	marks := []string{app.MarkPresent, app.MarkPresent, app.MarkPresent, app.MarkAbsent, app.MarkExcused}
	c.exec(n, &app.MarkAttendance{Group: k.Group, Date: d, Start: start, Child: k.Child, Mark: marks[c.rng.IntN(len(marks))]})
}

func (c *chaos) cancelLesson(n *chaosNode) {
	g := n.groups[c.rng.IntN(len(n.groups))]
	d, start, ok := c.lessonNear(n, g, -10, 10)
	if !ok {
		c.tried["cancel_lesson"]++
		c.local["cancel_lesson/no lesson"]++
		return
	}
	c.exec(n, &app.CancelLesson{Group: g, Date: d, Start: start, Cancelled: c.rng.IntN(6) != 0})
}

// recentInvoice is the ID of an invoice of a provider for one of the last
// three closed months, and the invoice as the node sees it.
func (c *chaos) recentInvoice(n *chaosNode, prov string) (string, app.Invoice, bool) {
	m := c.closed - app.Month(c.rng.IntN(3))
	if c.rng.IntN(4) != 0 {
		// Mostly one the node sees.
		var seen []app.Invoice
		err := n.db.View(func(r app.Reader) error {
			is, err := app.List[app.Invoice](r, app.IdxMunicipality, chaosMun+"|"+m.String(), 0)
			for _, inv := range is {
				if inv.Provider == prov {
					seen = append(seen, inv)
				}
			}
			return err
		})
		if err == nil && len(seen) > 0 {
			inv := seen[c.rng.IntN(len(seen))]
			return inv.ID, inv, true
		}
	}
	typ := app.InvAdvance
	if c.rng.IntN(2) == 0 {
		typ = app.InvFinal
	}
	id := app.InvoiceID(prov, chaosMun, m, typ)
	var inv app.Invoice
	err := n.db.View(func(r app.Reader) error { var err error; inv, err = app.Get[app.Invoice](r, id); return err })
	return id, inv, err == nil
}

// submit submits an advance of any amount (nothing, the maximum, a part,
// above the maximum) or a final.
func (c *chaos) submit(n *chaosNode) {
	id, inv, _ := c.recentInvoice(n, n.prov.ID)
	amt := inv.Amount
	if inv.Type == app.InvAdvance {
		switch c.rng.IntN(9) {
		case 0:
			amt = 0
		case 1, 2:
			amt = inv.Max
		case 3:
			amt = c.rng.Int64N(inv.Max + 1)
		case 4:
			amt = inv.Max + 1 + c.rng.Int64N(100_000)
		case 5:
			amt = -1 - c.rng.Int64N(100)
		case 6:
			amt = inv.Max - 1
		default:
			return // the provider asks no advance
		}
	}
	c.exec(n, &app.SubmitInvoice{Invoice: id, Amount: amt})
}

// decide is the municipality's next step on an invoice: approve a submitted
// one, pay an approved one or record its refund; sometimes the wrong step.
func (c *chaos) decide(n *chaosNode) {
	p := c.provs[c.rng.IntN(len(c.provs))].prov.ID
	id, inv, _ := c.recentInvoice(n, p)
	wrong := c.rng.IntN(12) == 0
	switch {
	case inv.Status == app.InvSubmitted && !wrong:
		c.exec(n, &app.ApproveInvoice{Invoice: id})
	case inv.Status == app.InvApproved && (inv.Amount < 0) != wrong:
		c.exec(n, &app.RecordRefund{Invoice: id})
	case inv.Status == app.InvApproved:
		c.exec(n, &app.PayInvoice{Invoice: id})
	case wrong:
		c.exec(n, &app.ApproveInvoice{Invoice: id})
	}
}

// round is one sync round: a random subset of the nodes syncs in random
// order; a node may go offline for several rounds. Then the server is checked.
func (c *chaos) round() {
	c.rounds++
	var online []*chaosNode
	for _, n := range c.nodes {
		switch {
		case n.offline > 0:
			n.offline--
		case c.rng.IntN(8) == 0:
			n.offline = 1 + c.rng.IntN(6)
		case c.rng.IntN(5) != 0:
			online = append(online, n)
		}
	}
	c.rng.Shuffle(len(online), func(i, j int) { online[i], online[j] = online[j], online[i] })
	for _, n := range online {
		rep, err := n.c.SyncOnce(context.Background())
		if err != nil {
			c.t.Fatalf("round %d: sync %s: %v", c.rounds, n.name, err)
		}
		c.applied[n.name] += rep.Applied
	}
	c.checkServer(fmt.Sprintf("round %d", c.rounds))
}

func (c *chaos) checkServer(when string) { c.check(when) }

func (c *chaos) check(when string) {
	c.t.Helper()
	var breaches []string
	err := c.w.db.View(func(r app.Reader) error {
		breaches = append(app.Check(r), moneyChecks(r)...)
		return nil
	})
	if err != nil {
		c.t.Fatal(err)
	}
	if c.tolerate {
		kept := breaches[:0]
	next:
		for _, b := range breaches {
			for _, k := range knownBugs {
				if strings.Contains(b, k.marker) {
					if c.known[k.id] == nil {
						c.known[k.id] = map[string]string{}
					}
					if _, seen := c.known[k.id][b]; !seen {
						c.known[k.id][b] = fmt.Sprintf("seed %d, %s", c.seed, when)
					}
					continue next
				}
			}
			kept = append(kept, b)
		}
		breaches = kept
	}
	if len(breaches) > 0 {
		if len(breaches) > 20 {
			breaches = append(breaches[:20], fmt.Sprintf("… and %d more", len(breaches)-20))
		}
		c.t.Fatalf("seed %d, %s (%s, last closed %s):\n%s", c.seed, when, c.clock.now().Format("2006-01-02 15:04"),
			c.closed, strings.Join(breaches, "\n"))
	}
}

// summary logs what the run did.
func (c *chaos) summary() {
	t := c.t
	t.Logf("rounds %d, months closed %d, server jobs %v", c.rounds, c.closes, c.jobs)
	for _, k := range knownBugs {
		if n := len(c.known[k.id]); n > 0 {
			first := ""
			for b, when := range c.known[k.id] {
				if first == "" || when < first {
					first = when + ": " + b
				}
			}
			t.Logf("KNOWN BUG %s: %d breaches, e.g. %s", k.id, n, first)
		}
	}
	t.Logf("commands tried by op: %v", sortedMap(c.tried))
	t.Logf("refused by the node itself, by op/code: %v", sortedMap(c.local))
	t.Logf("applied by the server, by node: %v", sortedMap(c.applied))
	rejected := map[string]int{}
	applied := map[string]int{} // every node's outbox (setup included) less its rejections
	for _, n := range c.nodes {
		ops, err := n.db.Outbox(1, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			applied[op.Type]++
		}
		rs, err := n.db.OpResults(true, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			rejected[r.Op.Type+"/"+r.Result.Code]++
			applied[r.Op.Type]--
		}
	}
	t.Logf("applied by the server, by op (setup included): %v", sortedMap(applied))
	t.Logf("rejected by the server, by op/code: %v", sortedMap(rejected))
	invs := map[string]int{}
	var refunds, refunded int64
	contracts := map[string]int{}
	var q app.Quota
	err := c.w.db.View(func(r app.Reader) error {
		is, err := app.List[app.Invoice](r, "", "", 0)
		for _, inv := range is {
			invs[inv.Type+"/"+inv.Status]++
			if inv.Type == app.InvFinal && inv.Amount < 0 {
				refunds++
				if inv.Status == app.InvRefunded {
					refunded -= inv.Amount
				}
			}
		}
		ks, err2 := app.List[app.Contract](r, "", "", 0)
		for _, k := range ks {
			contracts[k.Status]++
		}
		q, _ = app.Get[app.Quota](r, chaosMun+"/"+chaosPeriod)
		return cmpErr(err, err2)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("contracts by status: %v", sortedMap(contracts))
	t.Logf("invoices by type/status: %v", sortedMap(invs))
	t.Logf("negative finals (refunds) %d, refunds received %s; quota %s: %d active, %d waiting, %d arrivals, %d served in turn; committed %s of %s",
		refunds, app.FormatRub(refunded), q.RecordID(), q.Active, q.Waiting, q.Arrivals, q.Turns, app.FormatRub(q.Committed), app.FormatRub(chaosBudget))
}

func cmpErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func sortedMap(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}

// ---- The test's own money checks, from RULES.md, not from the code's formulas.

// civil is a date as the standard library's time, for the test's own arithmetic.
func civil(d app.Date) time.Time {
	y, m, dd := d.Parts()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}

func daysIncl(a, b time.Time) int64 { return int64(b.Sub(a)/(24*time.Hour)) + 1 }

// monthIndex counts months from year 0, to compare and step months.
func monthIndex(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }

func monthOfIndex(i int) app.Month { return app.MonthOf(i/12, time.Month(i%12+1)) }

func lastOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC)
}

// scheduledIn counts the group's scheduled lessons in a month within its dates.
func scheduledIn(g app.Group, m app.Month) int {
	y, mm := m.Parts()
	first := time.Date(y, mm, 1, 0, 0, 0, 0, time.UTC)
	gs, ge := civil(g.Start), civil(g.End)
	n := 0
	for d := first; d.Month() == mm; d = d.AddDate(0, 0, 1) {
		if d.Before(gs) || d.After(ge) {
			continue
		}
		wd := int(d.Weekday())
		if wd == 0 {
			wd = 7
		}
		for _, s := range g.Schedule {
			if s.Weekday == wd {
				n++
			}
		}
	}
	return n
}

func moneyChecks(r app.Reader) []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, "chaos: "+fmt.Sprintf(format, a...)) }
	reg, err := app.Get[app.Region](r, "region")
	if err != nil {
		return []string{"region: " + err.Error()}
	}
	params, err := app.Get[app.Params](r, chaosMun+"/"+chaosPeriod)
	if err != nil {
		return []string{"params: " + err.Error()}
	}
	certs, err1 := app.List[app.Certificate](r, "", "", 0)
	contracts, err2 := app.List[app.Contract](r, "", "", 0)
	reqs, err3 := app.List[app.Request](r, "", "", 0)
	invs, err4 := app.List[app.Invoice](r, "", "", 0)
	groupList, err5 := app.List[app.Group](r, "", "", 0)
	moduleList, err6 := app.List[app.Module](r, "", "", 0)
	lessons, err7 := app.List[app.Lesson](r, "", "", 0)
	if err := cmpErr(err1, err2, err3, err4, err5, err6, err7); err != nil {
		return []string{"lists: " + err.Error()}
	}
	groups := map[string]app.Group{}
	for _, g := range groupList {
		groups[g.ID] = g
	}
	modules := map[string]app.Module{}
	for _, m := range moduleList {
		modules[m.ID] = m
	}
	// Completeness c = floor(100 × held / scheduled) per group and month (§7).
	cancelled := map[string]int{}
	for _, l := range lessons {
		if l.Cancelled && !l.Extra {
			cancelled[l.Group+"|"+l.Date.Month().String()]++
		}
	}
	completeness := func(g app.Group, m app.Month) int64 {
		sched := scheduledIn(g, m)
		can := cancelled[g.ID+"|"+m.String()]
		if sched == 0 || can == 0 {
			return 100
		}
		return int64(100 * (sched - can) / sched)
	}
	lastClosed := reg.LastClosed

	type ledgerKey struct{ cert, period string }
	type invKey struct {
		prov  string
		month app.Month
	}
	reserved := map[ledgerKey]int64{}
	paid := map[ledgerKey]int64{}
	dueIn := map[invKey]int64{}      // Σ due of the shares settled into a month's final
	shares := map[invKey]int64{}     // Σ written-off shares of a month
	settledInto := map[invKey]bool{} // a share settled into the month
	var committedByContracts int64

	for _, k := range contracts {
		if !k.Funded || k.Municipality != chaosMun {
			continue
		}
		g := groups[k.Group]
		mod := modules[k.Module]
		// The quote of §6, from the group, the module and the original end.
		gs, ge := civil(g.Start), civil(g.End)
		start, origEnd := civil(k.Start), civil(g.End)
		dg, dc := daysIncl(gs, ge), daysIncl(start, origEnd)
		months := int64(monthIndex(origEnd) - monthIndex(start) + 1)
		d1 := daysIncl(start, lastOfMonth(start))
		all := (dc*mod.Price + dg - 1) / dg
		norm := (dc*mod.NormPrice + dg - 1) / dg
		cert := k.Quote.Cert
		if cert <= 0 || cert > min(all, norm) || k.Quote.Parent != all-cert {
			bad("договор %s: сертификат %d, родитель %d при all %d norm %d", k.ID, cert, k.Quote.Parent, all, norm)
		}
		first, other := cert, int64(0)
		if months > 1 {
			other = (dc - d1) * cert / (dc * (months - 1))
			first = cert - other*(months-1)
		}
		if int64(len(k.Schedule)) != months {
			bad("договор %s: %d месяцев в графике, по датам %d", k.ID, len(k.Schedule), months)
		}
		endMonth := monthIndex(civil(k.End))
		var sum int64
		for i, s := range k.Schedule {
			want := other
			if i == 0 {
				want = first
			}
			if s.Cert != want || s.Month != monthOfIndex(monthIndex(start)+i) {
				bad("договор %s: доля %s = %d, по §6 %s = %d", k.ID, s.Month, s.Cert, monthOfIndex(monthIndex(start)+i), want)
			}
			sum += s.Cert
			lk := ledgerKey{k.Certificate, k.Period}
			ik := invKey{k.Provider, s.Month}
			switch {
			case s.Returned && s.WrittenOff:
				bad("договор %s %s: доля и возвращена, и списана", k.ID, s.Month)
			case s.Returned:
				if monthIndex(civil(s.Month.First())) <= endMonth {
					bad("договор %s: доля %s возвращена, а договор действует до %s", k.ID, s.Month, k.End)
				}
			case s.WrittenOff:
				if s.Month > lastClosed {
					bad("договор %s: доля %s списана, а закрыт только %s", k.ID, s.Month, lastClosed)
				}
				// Paid only for a month the contract is in force on its 1st (or starts in).
				if monthIndex(civil(s.Month.First())) > endMonth {
					bad("договор %s (%s, до %s): оплачена доля %s = %d коп. после окончания договора", k.ID, k.Status, k.End, s.Month, s.Cert)
				}
				shares[ik] += s.Cert
				if s.Settled {
					if s.SettledIn < s.Month || s.SettledIn >= lastClosed {
						bad("договор %s: доля %s учтена в итоговом счёте за %s (закрыт %s)", k.ID, s.Month, s.SettledIn, lastClosed)
					}
					c := completeness(g, s.Month)
					due := s.Cert * c / 100
					if s.Due != due {
						bad("договор %s: к оплате за %s %d коп., по §7 floor(%d × %d / 100) = %d", k.ID, s.Month, s.Due, s.Cert, c, due)
					}
					paid[lk] += due
					committedByContracts += due
					dueIn[invKey{k.Provider, s.SettledIn}] += due
					settledInto[invKey{k.Provider, s.SettledIn}] = true
				} else {
					if s.Month < lastClosed {
						bad("договор %s: доля %s списана, но не рассчитана при закрытии %s", k.ID, s.Month, lastClosed)
					}
					paid[lk] += s.Cert
					committedByContracts += s.Cert
				}
			default:
				if k.Status == app.ContractRejected || k.Status == app.ContractClosed {
					bad("договор %s (%s): доля %s не списана и не возвращена", k.ID, k.Status, s.Month)
				}
				// A contract that reached the server after the last close has
				// its earlier months written off at the next one.
				if s.Month <= lastClosed && k.Created < lastClosed.First() {
					bad("договор %s (%s, с %s): доля %s не списана при закрытом %s", k.ID, k.Status, k.Created, s.Month, lastClosed)
				}
				reserved[lk] += s.Cert
				committedByContracts += s.Cert
			}
		}
		if sum != cert {
			bad("договор %s: график %d ≠ сертификат %d", k.ID, sum, cert)
		}
	}

	// Ledgers (§3) and the budget (§8).
	var active, committed int64
	for _, c := range certs {
		for _, l := range c.Ledgers {
			if l.Balance < 0 || l.Reserved < 0 || l.Paid < 0 || l.Nominal < 0 || l.Balance+l.Reserved+l.Paid != l.Nominal {
				bad("сертификат %s %s: %d + %d + %d ≠ %d или член < 0", c.ID, l.Period, l.Balance, l.Reserved, l.Paid, l.Nominal)
			}
			lk := ledgerKey{c.ID, l.Period}
			if l.Reserved != reserved[lk] || l.Paid != paid[lk] {
				bad("сертификат %s %s: резерв %d, оплачено %d; по договорам %d и %d", c.ID, l.Period, l.Reserved, l.Paid, reserved[lk], paid[lk])
			}
			if c.Municipality == chaosMun && l.Period == chaosPeriod {
				committed += l.Reserved + l.Paid
			}
		}
		if c.Type == app.CertFinancing && c.Municipality == chaosMun && c.Period == chaosPeriod {
			active++
			if l := c.LedgerOf(chaosPeriod); l.Nominal != params.Nominal {
				bad("сертификат %s: номинал %d ≠ %d", c.ID, l.Nominal, params.Nominal)
			}
		}
	}
	if committed != committedByContracts {
		bad("бюджет: резерв + оплата сертификатов %d ≠ по договорам %d", committed, committedByContracts)
	}
	if committed > params.BudgetLimit {
		bad("бюджет: резерв + оплата %d > лимита %d", committed, params.BudgetLimit)
	}
	if active > params.Quota {
		bad("квота: %d сертификатов финансирования > %d", active, params.Quota)
	}

	// FIFO (§3): turns follow arrivals; nobody waits behind a later arrival
	// served, nor while there is a vacancy.
	var mine []app.Request
	for _, q := range reqs {
		if q.Municipality == chaosMun && q.Period == chaosPeriod {
			mine = append(mine, q)
		}
	}
	slices.SortFunc(mine, func(a, b app.Request) int { return int(a.Arrival) - int(b.Arrival) })
	var lastTurn, lastServedArrival uint64
	var firstWaiting uint64
	waiting := 0
	for i, q := range mine {
		if q.Arrival == 0 || i > 0 && q.Arrival == mine[i-1].Arrival {
			bad("заявка %s: порядок прихода %d", q.ID, q.Arrival)
		}
		switch q.Status {
		case app.ReqServed, app.ReqCancelled:
			if q.Turn <= lastTurn {
				bad("заявка %s (приход %d) обслужена %d-й, после очереди %d", q.ID, q.Arrival, q.Turn, lastTurn)
			}
			lastTurn, lastServedArrival = q.Turn, q.Arrival
		case app.ReqWaiting:
			waiting++
			if firstWaiting == 0 {
				firstWaiting = q.Arrival
			}
		default:
			bad("заявка %s на сервере в статусе %s", q.ID, q.Status)
		}
	}
	if firstWaiting != 0 && lastServedArrival > firstWaiting {
		bad("очередь: заявка с приходом %d обслужена, а %d ждёт", lastServedArrival, firstWaiting)
	}
	if waiting > 0 && active < params.Quota {
		bad("очередь: %d заявок ждут при %d из %d мест", waiting, active, params.Quota)
	}

	// Invoices (§8).
	adv := map[invKey]app.Invoice{}
	final := map[invKey]app.Invoice{}
	for _, inv := range invs {
		if inv.Municipality != chaosMun {
			continue
		}
		key := invKey{inv.Provider, inv.Month}
		switch inv.Type {
		case app.InvAdvance:
			adv[key] = inv
			if inv.Amount < 0 || inv.Status == app.InvRefunded || inv.Status == app.InvWithdrawn && inv.Amount != 0 {
				bad("аванс %s: %d коп., %s", inv.ID, inv.Amount, inv.Status)
			}
		case app.InvFinal:
			final[key] = inv
			if inv.Status == app.InvWithdrawn || inv.Status == app.InvPaid && inv.Amount < 0 || inv.Status == app.InvRefunded && inv.Amount >= 0 {
				bad("итоговый счёт %s: %d коп., %s", inv.ID, inv.Amount, inv.Status)
			}
		}
	}
	submitted := func(a app.Invoice) int64 {
		switch a.Status {
		case app.InvSubmitted, app.InvApproved, app.InvPaid:
			return a.Amount
		}
		return 0
	}
	for key, a := range adv {
		f, ok := final[key]
		if !ok {
			if a.Amount > shares[key]*80/100 {
				bad("аванс %s: %d коп. > floor(80%% × %d)", a.ID, a.Amount, shares[key])
			}
			if key.month < lastClosed {
				bad("аванс %s: месяц %s закрыт, итогового счёта нет", a.ID, key.month)
			}
			continue
		}
		if a.Status == app.InvDraft {
			bad("аванс %s — черновик при итоговом счёте", a.ID)
		}
		if got := submitted(a) + f.Amount; got != dueIn[key] {
			bad("счета %s за %s: аванс %d + итог %d = %d ≠ Σ к оплате %d", key.prov, key.month, submitted(a), f.Amount, got, dueIn[key])
		}
	}
	for key, f := range final {
		if _, ok := adv[key]; !ok && f.Amount != dueIn[key] {
			bad("итоговый счёт %s без аванса: %d ≠ Σ к оплате %d", f.ID, f.Amount, dueIn[key])
		}
	}
	for key := range settledInto {
		if _, ok := final[key]; !ok {
			bad("доли рассчитаны в счёт %s за %s, а итогового счёта нет", key.prov, key.month)
		}
	}
	return out
}

// TestProviderNodeTerminates: found by the money chaos (terminate/INTERNAL
// refused by provider nodes). A provider's node does not hold its
// municipality's quota counter, and app.Terminate decrements
// quota.Directions on the node's fresh zero Quota: «assignment to entry in nil
// map», so a provider cannot give notice on a funded contract offline and the
// reserve stays bound until someone else terminates.
func TestProviderNodeTerminates(t *testing.T) {
	w := newWorld(t)
	mun := w.join(app.MunicipalityScope("27"))
	a := w.join(app.ProviderScope(w.A.ID))
	enrolledAtA(t, w, mun, a, day("2026-11-15"), app.DateOf(today))
	a.must(&app.Terminate{Contract: "k-1", Notice: day("2026-12-10"), Reason: "переезд"})
	a.converged()
	w.checkClean()
	if k := get[app.Contract](t, w.db, "k-1"); k.Status != app.ContractTerminating {
		t.Fatalf("contract %s after the provider's notice", k.Status)
	}
}

// enrolledAtA is the start of the few-step money tests: municipality 27's node
// registers child-1 with certificate cert-1 (code ABCD2345) and gets it
// financed, the family applies to provider A, and A's node enrols the child
// into its group from start as contract k-1, at the quote its own view shows
// on today; every node converges after each step.
func enrolledAtA(t *testing.T, w *world, mun, a *node, start, today app.Date) {
	t.Helper()
	mun.must(childCmd("child-1", "27"))
	mun.must(&app.IssueCertificate{ID: "cert-1", Child: "child-1", CodeHash: app.CodeHash("cert-1", "ABCD2345")})
	mun.must(&app.RequestFinancing{ID: "req-1", Certificate: "cert-1"})
	mun.converged()
	a.must(&app.ApplyChild{Number: get[app.Certificate](t, w.db, "cert-1").Number, Code: "ABCD2345", Provider: w.A.ID})
	a.converged()
	var q app.Quote
	if err := a.db.View(func(r app.Reader) error {
		e, err := app.PrepareEnrolment(r, "cert-1", w.A.Group, start, today)
		q = e.Quote
		return err
	}); err != nil {
		t.Fatal(err)
	}
	a.must(&app.Enrol{ID: "k-1", Certificate: "cert-1", Group: w.A.Group, Start: start,
		QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: true})
	a.converged()
}
