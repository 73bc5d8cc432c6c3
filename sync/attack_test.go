package sync_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

// Attack tests (THREATS.md): one per finding, each with batches signed by
// hand with the attacking node's own key. Each refusal is answered with its
// code, and afterwards the scopes the attacker must not touch have the
// digests they had before, and the server's check finds nothing.

// pullAs pulls every page of n's scope from the server with a pull signed by
// n's key, as the client does, and returns the changes.
func (w *world) pullAs(n *node) []store.Change {
	w.t.Helper()
	var out []store.Change
	cursor := sync.FormatCursor(w.db.Epoch(), 0)
	for {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := ed25519.Sign(n.key(), []byte("GET /v1/pull?cursor="+cursor+"\n"+ts))
		req, _ := http.NewRequest(http.MethodGet, w.ts.URL+"/v1/pull?cursor="+cursor, nil)
		req.Header.Set(sync.HeaderKey, hex.EncodeToString(n.key().Public().(ed25519.PublicKey)))
		req.Header.Set(sync.HeaderTime, ts)
		req.Header.Set(sync.HeaderSig, hex.EncodeToString(sig))
		resp, err := w.hc.Do(req)
		if err != nil {
			w.t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			w.t.Fatalf("pull of %s: %d %s", n.scope, resp.StatusCode, body)
		}
		page, _, err := sync.DecodePage(body)
		if err != nil {
			w.t.Fatal(err)
		}
		out = append(out, page.Changes...)
		if !page.More {
			return out
		}
		cursor = sync.FormatCursor(page.Epoch, page.Next)
	}
}

// holds reports whether changes hold a record of kind with id.
func holds(changes []store.Change, kind app.Kind, id string) bool {
	for _, c := range changes {
		if c.Kind == kind && c.ID == id && c.Value != nil {
			return true
		}
	}
	return false
}

// unchanged requires the digests of scopes to be what they were, and the
// server's check to find nothing.
func (w *world) unchanged(scopes []string, before []string) {
	w.t.Helper()
	after := digests(w.t, w.db, scopes)
	for i := range scopes {
		if before[i] != after[i] {
			w.t.Errorf("the attack changed what %s sees", scopes[i])
		}
	}
	w.checkClean()
}

func wantResults(t *testing.T, rs []store.Result, want ...string) {
	t.Helper()
	if len(rs) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(rs), len(want), rs)
	}
	for i, r := range rs {
		if outcome(r) != want[i] {
			t.Errorf("op %d: %s %q, want %s", i+1, outcome(r), r.Message, want[i])
		}
		if r.Status != store.StatusApplied && r.Message == "" {
			t.Errorf("op %d: a refusal without a message", i+1)
		}
	}
}

var others = []string{app.MunicipalityScope("27"), app.MunicipalityScope("28"), app.ProviderScope("prov-b"), app.ProviderScope("prov-c")}

// A provider guesses certificate codes of a child it does not see (RULES.md
// §3): five wrong codes in an hour, across batches and within one, are each
// "not found" with the one message an unknown number gets; then the node is
// THROTTLED for an hour even with the right code, the region's node gets the
// alert with its count, and the provider's pull never holds the child. A
// birth date is no way in either.
func TestAttackCodeBruteForce(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	before := digests(t, w.db, others)
	guess := func(number, code string) *app.ApplyChild {
		return &app.ApplyChild{Number: number, Code: code, Provider: w.A.ID}
	}
	wrong := func() string {
		for {
			if c := app.NewCode(); c != x.codeApply {
				return c
			}
		}
	}
	unknown := "26-27-999999"
	first := w.pushAs(x.provA, guess(x.numApply, wrong()), guess(unknown, x.codeApply), guess(x.numApply, strings.ToLower(wrong())))
	wantResults(t, first, app.ENOTFOUND, app.ENOTFOUND, app.ENOTFOUND)
	second := w.pushAs(x.provA, guess(x.numApply, wrong()), guess(x.numApply, ""), guess(x.numApply, x.codeApply))
	wantResults(t, second, app.ENOTFOUND, app.ENOTFOUND, app.THROTTLED)
	// Another provider's unknown number: the same words as every wrong code.
	ref := w.pushAs(x.provC, &app.ApplyChild{Number: unknown, Code: x.codeApply, Provider: x.C.ID})
	wantResults(t, ref, app.ENOTFOUND)
	for _, r := range append(first, second[:2]...) {
		if r.Message != ref[0].Message || r.Detail != ref[0].Detail {
			t.Errorf("a wrong code answers %q (%q), an unknown number %q (%q)", r.Message, r.Detail, ref[0].Message, ref[0].Detail)
		}
	}
	if !strings.Contains(second[2].Message, "РМЦ") {
		t.Errorf("THROTTLED does not say the region was told: %q", second[2].Message)
	}

	// Still throttled 59 minutes on, with the right code.
	w.advance(59 * time.Minute)
	wantResults(t, w.pushAs(x.provA, guess(x.numApply, x.codeApply)), app.THROTTLED)
	// The count is the provider's: its second node is throttled as well.
	wantResults(t, w.pushAs(x.provA2, guess(x.numApply, x.codeApply)), app.THROTTLED)

	// The birth date is no field of apply_child: a payload that carries it is
	// malformed, whoever sends it.
	if f, has := reflect.TypeOf(app.ApplyChild{}).FieldByNameFunc(func(s string) bool {
		return strings.Contains(strings.ToLower(s), "birth")
	}); has {
		t.Errorf("apply_child has a birth date field %s again: a birth date is no secret", f.Name)
	}
	payload, _ := json.Marshal(map[string]string{"Number": x.numSeen, "BirthDate": x.chSeenBirth, "Provider": x.C.ID})
	wantResults(t, w.pushOps(x.provC, app.Op{Type: "apply_child", Payload: payload}), app.EINVALID)

	// The region's node hears of it, with the count; the provider got nothing.
	var alert app.Alert
	for _, c := range w.pullAs(x.region) {
		if c.Kind == app.KindAlert && c.Value != nil {
			var a app.Alert
			if err := json.Unmarshal(c.Value[1:], &a); err != nil {
				t.Fatal(err)
			}
			if a.Node == x.provA.db.Node() && a.Code == app.THROTTLED {
				alert = a
			}
		}
	}
	// One when the fifth wrong code throttled the node, one per refusal since.
	if alert.Count != 3 || alert.Op != "apply_child" || alert.Scope != x.provA.scope {
		t.Errorf("the region's alert: %+v", alert)
	}
	pulled := w.pullAs(x.provA)
	if holds(pulled, app.KindChild, chApply) || holds(pulled, app.KindCertificate, certApply) || holds(pulled, app.KindCertCode, certApply) {
		t.Error("the guessing provider received the child")
	}
	for _, c := range pulled {
		if c.Kind == app.KindAlert || c.Kind == app.KindGuard || c.Kind == app.KindCertCode {
			t.Errorf("a provider's pull holds %s %s", c.Kind, c.ID)
		}
	}
	w.unchanged(others, before)

	// An hour after the fifth wrong code the right one works.
	w.advance(2 * time.Minute)
	wantResults(t, w.pushAs(x.provA, guess(x.numApply, x.codeApply)), store.StatusApplied)
	pulled = w.pullAs(x.provA)
	if !holds(pulled, app.KindChild, chApply) || !holds(pulled, app.KindCertificate, certApply) {
		t.Error("the right code after the hour did not bring the child")
	}
	if holds(pulled, app.KindCertCode, certApply) {
		t.Error("the code's hash reached a provider's node")
	}
	w.checkClean()
}

// A provider may change the phone of a child it sees, nothing else of it,
// and nothing of a child it does not see (RULES.md §11).
func TestAttackRewriteChild(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	seen, unseen := get[app.Child](t, w.db, chSeen), get[app.Child](t, w.db, chApply)
	before := digests(t, w.db, others[1:])
	forged := seen
	forged.LastName, forged.SNILS, forged.Municipality = "Подменный", "112-233-445 95", "05"
	wantResults(t, w.pushAs(x.provA,
		&app.UpdateChild{Child: forged},
		&app.SetGuardianPhone{Child: chSeen, Phone: "+7 900 555-44-33"},
		&app.SetGuardianPhone{Child: chApply, Phone: "+7 900 555-44-33"}),
		app.SCOPE_FORBIDDEN, store.StatusApplied, app.SCOPE_FORBIDDEN)
	seen.GuardianPhone = "+7 900 555-44-33"
	if got := get[app.Child](t, w.db, chSeen); !reflect.DeepEqual(got, seen) {
		t.Errorf("the seen child is %+v, want only the phone changed: %+v", got, seen)
	}
	if got := get[app.Child](t, w.db, chApply); !reflect.DeepEqual(got, unseen) {
		t.Errorf("the unseen child changed: %+v", got)
	}
	w.unchanged(others[1:], before)
}

// A provider, or a municipality the child does not live in, pushes
// erase_child (RULES.md §11: the child's municipality or the region only):
// refused, the child keeps its data and the journal its payloads.
func TestAttackEraseChild(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	seen := get[app.Child](t, w.db, chSeen)
	before := digests(t, w.db, others)
	wantResults(t, w.pushAs(x.provA, &app.EraseChild{Child: chSeen}, &app.EraseChild{Child: chApply}),
		app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN)
	wantResults(t, w.pushAs(x.mun28, &app.EraseChild{Child: chSeen}), app.SCOPE_FORBIDDEN)
	if got := get[app.Child](t, w.db, chSeen); !reflect.DeepEqual(got, seen) || got.Erased != 0 {
		t.Errorf("the child changed: %+v, was %+v", got, seen)
	}
	w.unchanged(others, before)
}

// A provider registers a child of another municipality and issues it a
// certificate: it stays unconfirmed, so it is neither financed nor enrolled
// and takes no place of that municipality's quota; certificates the
// provider does not see it can neither issue nor finance.
func TestAttackMintCertificate(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	quota := func(mun string) app.Quota {
		var q app.Quota
		_ = w.db.View(func(r app.Reader) error { q, _ = app.Get[app.Quota](r, mun+"/2026-2027"); return nil })
		return q
	}
	q05 := quota("05")
	w.must(childCmd("ch-nocert", "27")) // a child of 27 without a certificate, which A does not see
	before := digests(t, w.db, others)
	wantResults(t, w.pushAs(x.provA,
		childCmd("ch-05", "05"),
		&app.IssueCertificate{ID: "cert-05", Child: "ch-05", CodeHash: app.CodeHash("cert-05", app.NewCode())},
		&app.RequestFinancing{ID: "req-05", Certificate: "cert-05"},
		&app.Enrol{ID: "k-05", Certificate: "cert-05", Group: w.A.Group, Start: app.DateOf(today), ParentConfirmed: true},
		&app.IssueCertificate{ID: "cert-nocert", Child: "ch-nocert", CodeHash: app.CodeHash("cert-nocert", app.NewCode())},
		&app.RequestFinancing{ID: "req-apply", Certificate: certApply},
		&app.RequestFinancing{ID: "req-other", Certificate: certSeen + "-no-such"}),
		store.StatusApplied, store.StatusApplied, app.CERTIFICATE_UNCONFIRMED, app.CERTIFICATE_UNCONFIRMED,
		app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN, app.ENOTFOUND)
	if c := get[app.Certificate](t, w.db, "cert-05"); !c.Unconfirmed || c.Type != app.CertAccounting || c.Municipality != "05" {
		t.Errorf("the minted certificate: %+v", c)
	}
	if q := quota("05"); !reflect.DeepEqual(q, q05) {
		t.Errorf("the quota of 05 moved: %+v, was %+v", q, q05)
	}
	if g := get[app.Group](t, w.db, w.A.Group); g.Taken != 1 {
		t.Errorf("A's group took %d places", g.Taken)
	}
	w.unchanged(others, before)
}

// Municipality 28 reaches for a child of 27: by certificate number and by
// rewriting the child.
func TestAttackCrossMunicipality(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	scopes := []string{app.MunicipalityScope("27"), app.ProviderScope(w.A.ID), app.ProviderScope(x.C.ID)}
	before := digests(t, w.db, scopes)
	ch := get[app.Child](t, w.db, chSeen)
	ch.Municipality, ch.GuardianPhone = "28", "+7 900 000-28-28"
	wantResults(t, w.pushAs(x.mun28,
		&app.ApplyChild{Number: x.numSeen, Provider: x.C.ID},
		&app.ApplyChild{Number: x.numApply, Code: x.codeApply, Provider: x.C.ID},
		&app.UpdateChild{Child: ch},
		&app.SetGuardianPhone{Child: chSeen, Phone: "+7 900 000-28-28"},
		&app.NewCertificateCode{Certificate: certSeen, CodeHash: app.CodeHash(certSeen, "AAAA2222")}),
		app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN)
	if holds(w.pullAs(x.mun28), app.KindChild, chSeen) {
		t.Error("28 received a child of 27")
	}
	w.unchanged(scopes, before)
}

// The server's own jobs pushed by the region's node, dated to suit the
// pusher, are refused; the month close, the period and the financing
// certificates stay as they were.
func TestAttackPushedServerJobs(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	reg := get[app.Region](t, w.db, "region")
	scopes := append([]string{app.ProviderScope(w.A.ID)}, others...)
	before := digests(t, w.db, scopes)
	wantResults(t, w.pushAs(x.region,
		&app.CloseMonth{Month: reg.LastClosed + 1},
		&app.CloseMonth{Month: app.MonthOf(2030, time.June)},
		&app.RollOverPeriod{Date: day("2030-09-01")},
		&app.DowngradeUnused{Date: day("2030-01-01")},
		&app.JoinNode{Hash: x.inviteHash, Node: "node-of-mallory", Key: randomHex(t, 32)}),
		app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN)
	if got := get[app.Region](t, w.db, "region"); !reflect.DeepEqual(got, reg) || got.LastClosed != x.lastClosed {
		t.Errorf("region %+v, was %+v", got, reg)
	}
	if c := get[app.Certificate](t, w.db, certFin); c.Type != app.CertFinancing {
		t.Errorf("a financing certificate was downgraded: %+v", c)
	}
	w.unchanged(scopes, before)
}

// Invites: a provider makes none; one lives at most 30 days and is refused
// once expired or spent.
func TestAttackInvites(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	nodes := func() int {
		n := 0
		_ = w.db.View(func(r app.Reader) error {
			return r.Scan(app.KindNode, "", "", func(string) bool { n++; return true })
		})
		return n
	}
	before := digests(t, w.db, others)
	wantResults(t, w.pushAs(x.provA, &app.CreateInvite{Hash: sync.InviteHash(randomHex(t, 16)), Scope: x.provA.scope}), app.SCOPE_FORBIDDEN)
	wantResults(t, w.pushAs(x.region, &app.CreateInvite{Hash: sync.InviteHash(randomHex(t, 16)), Scope: x.provA.scope, Days: 31}), app.EINVALID)
	wantResults(t, w.pushAs(x.mun27, &app.CreateInvite{Hash: sync.InviteHash(randomHex(t, 16)), Scope: x.provC.scope}), app.SCOPE_FORBIDDEN)
	w.unchanged(others, before)

	spent, old := w.invite(x.provA.scope), w.invite(x.provA.scope)
	first := openDB(t, "first.db", func() time.Time { return today })
	if err := sync.Join(context.Background(), first, w.ts.URL, spent, w.hc); err != nil {
		t.Fatal(err)
	}
	joined := nodes()
	second := openDB(t, "second.db", func() time.Time { return today })
	wantCode(t, sync.Join(context.Background(), second, w.ts.URL, spent, w.hc), app.INVITE_USED)

	w.advance((app.InviteDays + 1) * 24 * time.Hour)
	late := openDB(t, "late.db", func() time.Time { return today })
	wantCode(t, sync.Join(context.Background(), late, w.ts.URL, old, w.hc), app.INVITE_EXPIRED)
	if nodes() != joined {
		t.Errorf("a refused join registered a node")
	}
	for _, db := range []*store.DB{second, late} {
		if !db.Authority() || db.Scope() != app.ScopeRegion {
			t.Errorf("a refused join changed the node's database: %s", db.Scope())
		}
	}
	w.checkClean()
}

// Money (RULES.md §8): the paying municipality alone approves an invoice;
// the provider alone submits it.
func TestAttackMoney(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	wantResults(t, w.pushAs(x.mun27, &app.SubmitInvoice{Invoice: x.invDec, Amount: x.decMax}), app.SCOPE_FORBIDDEN)
	wantResults(t, w.pushAs(x.provA, &app.SubmitInvoice{Invoice: x.invDec, Amount: x.decMax}), store.StatusApplied)
	scopes := append([]string{app.ProviderScope(w.A.ID)}, others...)
	before := digests(t, w.db, scopes)
	wantResults(t, w.pushAs(x.mun28, &app.ApproveInvoice{Invoice: x.invDec}, &app.PayInvoice{Invoice: x.invNovAdvance}), app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN)
	wantResults(t, w.pushAs(x.provA, &app.ApproveInvoice{Invoice: x.invDec}, &app.PayInvoice{Invoice: x.invNovAdvance},
		&app.RecordRefund{Invoice: x.invNovFinal}), app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN, app.SCOPE_FORBIDDEN)
	wantResults(t, w.pushAs(x.region, &app.ApproveInvoice{Invoice: x.invDec}), app.SCOPE_FORBIDDEN)
	if inv := get[app.Invoice](t, w.db, x.invDec); inv.Status != app.InvSubmitted {
		t.Errorf("December's advance is %s", inv.Status)
	}
	w.unchanged(scopes, before)
}

// A municipality whose budget limit is nearly used: an enrolment that would
// take it above is refused with BUDGET_LIMIT and reserves nothing, whether
// the provider or the municipality on its behalf pushes it.
func TestAttackBudgetLimit(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	q := get[app.Quota](t, w.db, "27/2026-2027")
	p := get[app.Params](t, w.db, "27/2026-2027")
	p.BudgetLimit = q.Committed + 1_00
	w.must(&app.SetParams{Params: p})
	cert := get[app.Certificate](t, w.db, certFin)
	scopes := append([]string{app.ProviderScope(w.A.ID)}, others...)
	before := digests(t, w.db, scopes)
	// The quote a node would show: the certificate's whole balance, far above 1 ₽.
	var quote app.Quote
	_ = w.db.View(func(r app.Reader) error {
		b := cert.LedgerOf("2026-2027").Balance
		g, _ := app.Get[app.Group](r, w.A.Group)
		m, _ := app.Get[app.Module](r, w.A.Mod)
		quote = app.ComputeQuote(g.Start, g.End, app.DateOf(today), g.End, m.Price, m.NormPrice, b)
		return nil
	})
	enrol := func(id string) *app.Enrol {
		return &app.Enrol{ID: id, Certificate: certFin, Group: w.A.Group, Start: app.DateOf(today),
			QuotedCert: quote.Cert, QuotedParent: quote.Parent, ParentConfirmed: true}
	}
	rs := w.pushAs(x.provA, enrol("k-over-a"))
	rs = append(rs, w.pushAs(x.mun27, enrol("k-over-27"))...)
	wantResults(t, rs, app.BUDGET_LIMIT, app.BUDGET_LIMIT)
	if !strings.Contains(rs[0].Detail, "committed=") {
		t.Errorf("BUDGET_LIMIT without its figures: %+v", rs[0])
	}
	if got := get[app.Quota](t, w.db, "27/2026-2027"); !reflect.DeepEqual(got, q) {
		t.Errorf("quota %+v, was %+v", got, q)
	}
	if got := get[app.Certificate](t, w.db, certFin); !reflect.DeepEqual(got, cert) {
		t.Errorf("certificate %+v, was %+v", got, cert)
	}
	w.unchanged(scopes, before)
}

// RULES.md §10: "SNILS never goes to a provider's node". A provider node that
// sees a child pulls the child as its scope may hold it (app.ForScope): no
// SNILS; its digest still equals the server's for its scope.
func TestSNILSNeverReachesProviderNode(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	const snils = "112-233-445 95"
	cmd := childCmd("ch-snils", "27")
	cmd.Child.SNILS = snils
	w.must(cmd)
	w.must(&app.IssueCertificate{ID: "cert-snils", Child: "ch-snils", CodeHash: app.CodeHash("cert-snils", app.NewCode())})
	w.must(&app.ApplyChild{Number: get[app.Certificate](t, w.db, "cert-snils").Number, Provider: w.A.ID})
	pulled := w.pullAs(x.provA)
	if !holds(pulled, app.KindChild, "ch-snils") {
		t.Fatal("the provider does not see the child it was applied to")
	}
	for _, c := range pulled {
		if c.Kind == app.KindChild && strings.Contains(string(c.Value), snils) {
			t.Errorf("the SNILS of child %s reached the node of %s (RULES.md §10)", c.ID, x.provA.scope)
		}
	}
	x.provA.converged()
	if ch := get[app.Child](t, x.provA.db, "ch-snils"); ch.SNILS != "" || ch.LastName == "" {
		t.Errorf("the provider's node holds %+v", ch)
	}
	if ch := get[app.Child](t, w.db, "ch-snils"); ch.SNILS != snils {
		t.Errorf("the server lost the SNILS: %q", ch.SNILS)
	}
}

// A provider marks a lesson that has not happened (issue 11: 31.12 marked
// on 08.12 made December «проведено 10»). A hand-built op for a lesson two
// months ahead of the server's date is LESSON_IN_FUTURE, and so is the mark
// of a node whose clock runs ahead: the node took the lesson for today's, the
// server judges by its own date and keeps no trace; after the pull the
// node's journal holds no mark either.
func TestAttackFutureLesson(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	lesson := app.LessonID(w.A.Group, day("2027-01-14"), 15*60)
	scopes := append([]string{app.ProviderScope(w.A.ID)}, others...)
	before := digests(t, w.db, scopes)
	payload := `{"Group":"` + w.A.Group + `","Date":` + strconv.Itoa(int(day("2027-01-14"))) + `,"Start":900,"Child":"` + chK + `","Mark":"present"}`
	if _, err := store.DecodeCommand("mark_attendance", []byte(payload)); err != nil {
		t.Fatalf("the hand-built payload does not decode: %v", err)
	}
	rs := w.pushOps(x.provA, app.Op{Type: "mark_attendance", Payload: []byte(payload)})
	wantResults(t, rs, app.LESSON_IN_FUTURE)
	if !strings.Contains(rs[0].Message, "14.01.2027") || !strings.Contains(rs[0].Message, "10.11.2026") {
		t.Errorf("the refusal does not name the lesson and the server's today: %q", rs[0].Message)
	}
	w.unchanged(scopes, before)

	ahead := w.joinAt(app.ProviderScope(w.A.ID), func() time.Time { return time.Date(2027, 1, 14, 18, 0, 0, 0, time.UTC) })
	ahead.sync()
	before = digests(t, w.db, scopes) // the join itself registered a node
	ahead.must(&app.MarkAttendance{Group: w.A.Group, Date: day("2027-01-14"), Start: 15 * 60, Child: chK, Mark: app.MarkPresent})
	ahead.sync()
	res, err := ahead.db.OpResults(true, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Result.Code != app.LESSON_IN_FUTURE {
		t.Fatalf("the node's rejected ops: %+v", res)
	}
	if _, err := getErr[app.Lesson](w.db, lesson); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("the server stored the future lesson: %v", err)
	}
	if l, err := getErr[app.Lesson](ahead.db, lesson); err == nil && len(l.Marks) > 0 {
		t.Errorf("the node still shows the refused mark: %+v", l)
	}
	w.unchanged(scopes, before)
}

func getErr[T any, P interface {
	*T
	app.Record
}](db *store.DB, id string) (T, error) {
	var v T
	err := db.View(func(r app.Reader) error { var err error; v, err = app.Get[T, P](r, id); return err })
	return v, err
}

// A provider cannot choose a document's number (issue 11): no command carries
// one, and a hand-built enrolment with a Number field is refused undecoded.
// The contract the provider's node makes shows «будет присвоен» until the
// pull brings the server's record, numbered from the server's own counter.
func TestAttackDocumentNumber(t *testing.T) {
	x := newAuthz(t)
	w := x.w
	first := get[app.Contract](t, w.db, kK).Number
	if first != "ДД-27-2026-000001" {
		t.Fatalf("the fixture's contract is numbered %q", first)
	}
	enrol := w.enrolCmd("k-num", certFin, w.A.Group, app.DateOf(today))
	p, err := store.EncodeCommand(enrol)
	if err != nil {
		t.Fatal(err)
	}
	forged := append([]byte(`{"Number":"ДД-27-2026-000777",`), p[1:]...)
	wantResults(t, w.pushOps(x.provA, app.Op{Type: "enrol", Payload: forged}), app.EINVALID)
	if _, err := getErr[app.Contract](w.db, "k-num"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("the forged enrolment made a contract: %v", err)
	}

	n := w.join(x.provA.scope)
	n.sync()
	n.must(enrol)
	if k, err := getErr[app.Contract](n.db, "k-num"); err != nil || k.Number != "" || k.NumberRu() != "будет присвоен" {
		t.Fatalf("the node's own contract: %+v (%v)", k, err)
	}
	n.converged()
	want := "ДД-27-2026-000002"
	if k := get[app.Contract](t, w.db, "k-num"); k.Number != want {
		t.Errorf("the server numbered the contract %q, want %q", k.Number, want)
	}
	if k, _ := getErr[app.Contract](n.db, "k-num"); k.Number != want {
		t.Errorf("after the pull the node shows %q, want %q", k.Number, want)
	}
	for _, id := range []string{x.invDec, x.invNovAdvance, x.invNovFinal} {
		if inv := get[app.Invoice](t, w.db, id); !strings.HasPrefix(inv.Number, "С-27-2026-") {
			t.Errorf("invoice %s is numbered %q", id, inv.Number)
		}
	}
}
