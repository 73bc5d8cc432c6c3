package sync_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
	"kruzhok/sync"
)

// The authorization matrix (THREATS.md, "How it is shown"; RULES.md §11):
// every registered op type, pushed by a node of every kind of scope at the
// records of municipality 27 and its provider A, over HTTP to a real server,
// with the code the server must answer. docs/SECURITY.md is rendered from
// the same table (securitydoc_test.go).

// pushAs pushes cmds as the next ops of node n, signed by hand with n's own
// key, and returns the server's result of each. It is the one way the tests
// of this file and attack_test.go push a batch: see pushOps.
func (w *world) pushAs(n *node, cmds ...app.Command) []store.Result {
	w.t.Helper()
	ops := make([]app.Op, len(cmds))
	for i, c := range cmds {
		p, err := store.EncodeCommand(c)
		if err != nil {
			w.t.Fatal(err)
		}
		ops[i] = app.Op{Type: c.Op(), Payload: p}
	}
	return w.pushOps(n, ops...)
}

// pushOps is the one place that signs and posts a hand-made batch: ops of
// any type and payload (their Node, Seq and HLC are filled in here), with
// seqs continuing from what the server has acked of n, signed with n's key.
// When /v1/push changes how a node authenticates, this is what changes.
func (w *world) pushOps(n *node, ops ...app.Op) []store.Result {
	w.t.Helper()
	acked, err := w.db.Acked(n.db.Node())
	if err != nil {
		w.t.Fatal(err)
	}
	for i := range ops {
		ops[i].Node, ops[i].Seq = n.db.Node(), acked+1+uint64(i)
		ops[i].HLC = ops[i].Seq
	}
	frame, err := sync.EncodeBatch(n.key(), sync.NewBatch(n.db.Node(), ops))
	if err != nil {
		w.t.Fatal(err)
	}
	// The node's own way in: headers signed with its key at the HTTP layer's
	// wall clock, read by the server before the body.
	reply, err := sync.Push(context.Background(), w.hc, w.ts.URL, n.key(), frame, time.Now())
	if err != nil {
		w.t.Fatalf("push of %s: %v", n.scope, err)
	}
	if len(reply.Results) != len(ops) || reply.AckedThrough != acked+uint64(len(ops)) {
		w.t.Fatalf("push of %s: %d ops, reply %+v", n.scope, len(ops), reply)
	}
	return reply.Results
}

// outcome is a result as the matrix writes it: "applied" or the code.
func outcome(r store.Result) string {
	if r.Status == store.StatusApplied {
		return store.StatusApplied
	}
	return r.Code
}

// mustApply pushes cmds as n and requires every one applied.
func (w *world) mustApply(n *node, cmds ...app.Command) {
	w.t.Helper()
	for i, r := range w.pushAs(n, cmds...) {
		if r.Status != store.StatusApplied {
			w.t.Fatalf("%s %s: %+v", n.scope, cmds[i].Op(), r)
		}
	}
}

// fork is a second server on a copy of w's database as it is now, with its
// own HTTP listener and the same clock: a cell of the matrix runs on a fork,
// so what one cell applies never changes what the next one finds.
func (w *world) fork(t *testing.T) *world {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fork.db")
	if err := w.db.Bolt().View(func(tx *bbolt.Tx) error { return tx.CopyFile(path, 0o600) }); err != nil {
		t.Fatal(err)
	}
	f := &world{t: t, A: w.A, B: w.B, seq: w.seq}
	f.clock.Store(w.clock.Load())
	db, err := store.Open(path, store.Options{NoSync: true, Now: f.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.serve(db, slog.LevelError)
	return f
}

// authz is a world with a node of every kind of scope, joined through real
// invites, and records of municipality 27 and its provider A for every op
// type to aim at. Provider C is registered in municipality 28.
type authz struct {
	w                                  *world
	region, mun27, mun28, provA, provC *node
	provA2                             *node // a second node of A: what revoke_node aims at
	C                                  provider
	codeApply                          string // the code of certApply, as the guardian holds it
	numApply, numSeen                  string // certificate numbers
	chSeenBirth                        string // the birth date of chSeen, which is no secret
	invNovAdvance, invNovFinal, invDec string // approved advance, approved negative final, draft advance
	decMax                             int64  // the most December's advance may claim
	inviteHash                         string // an open invite to provider A
	lastClosed                         app.Month
}

// The records of 27 and A the matrix aims at.
const (
	chK       = "ch-k"   // enrolled in A's group: contract kK
	certK     = "cert-k" // financing
	kK        = "k-1"    // its contract with A
	chFin     = "ch-fin" // applied to A, financing, no contract
	certFin   = "cert-fin"
	chSeen    = "ch-seen" // applied to A, accounting
	certSeen  = "cert-seen"
	chApply   = "ch-apply" // applied to nobody: A finds it by number and code
	certApply = "cert-apply"
	chUnc     = "ch-unc" // registered by A's node, with a certificate: unconfirmed
	certUnc   = "cert-unc"
	chNew     = "ch-new" // registered by A's node, no certificate yet
	progDraft = "prov-a-draft"
	modDraft  = "prov-a-draft-mod"
	progSub   = "prov-a-sub" // submitted to expertise
)

var (
	novM = app.MonthOf(2026, time.November)
	decM = app.MonthOf(2026, time.December)
	janM = app.MonthOf(2027, time.January)
)

// enrolCmd is the enrolment of the certificate's holder into the group from
// start with the quote the server would compute now (zero when it refuses:
// then the push meets the refusal itself).
func (w *world) enrolCmd(id, cert, group string, start app.Date) *app.Enrol {
	w.t.Helper()
	c := &app.Enrol{ID: id, Certificate: cert, Group: group, Start: start, ParentConfirmed: true}
	_ = w.db.View(func(r app.Reader) error {
		if e, err := app.PrepareEnrolment(r, cert, group, start, app.DateOf(w.now())); err == nil {
			c.QuotedCert, c.QuotedParent = e.Quote.Cert, e.Quote.Parent
		}
		return nil
	})
	return c
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// newAuthz builds the world of the matrix and the attack tests.
func newAuthz(t *testing.T) *authz {
	t.Helper()
	w := newWorld(t)
	x := &authz{w: w, C: provider{ID: "prov-c"}}
	w.must(&app.RegisterProvider{ID: x.C.ID, Name: "ИП Иванов «Кружок C»", Type: app.ProviderIPStaff,
		Municipality: "28", INN: "263400000003", Licence: "26Л01-0003"})
	w.must(&app.SetProviderStatus{Provider: x.C.ID, Status: app.ProviderActive})
	// Municipality 05 finances, so that a certificate minted there would take a place.
	w.must(&app.SetParams{Params: app.Params{Municipality: "05", Period: "2026-2027", Mode: app.ModeFinancing,
		Quota: 2, Nominal: 5_000_00, DaysToRequest: 30, Population: 500, BudgetLimit: 10_000_000_00}})

	x.region = w.join(app.ScopeRegion)
	x.mun27 = w.join(app.MunicipalityScope("27"))
	x.mun28 = w.join(app.MunicipalityScope("28"))
	x.provA = w.join(app.ProviderScope(w.A.ID))
	x.provA2 = w.join(app.ProviderScope(w.A.ID))
	x.provC = w.join(app.ProviderScope(x.C.ID))

	// Children of 27 registered by the municipality's side (the server).
	names := map[string]string{chK: "Кузнецов", chFin: "Фёдоров", chSeen: "Смирнов", chApply: "Аксёнов"}
	codes := map[string]string{}
	for _, c := range [][2]string{{chK, certK}, {chFin, certFin}, {chSeen, certSeen}, {chApply, certApply}} {
		cmd := childCmd(c[0], "27")
		cmd.Child.LastName = names[c[0]]
		w.must(cmd)
		codes[c[1]] = app.NewCode()
		w.must(&app.IssueCertificate{ID: c[1], Child: c[0], CodeHash: app.CodeHash(c[1], codes[c[1]])})
	}
	x.codeApply = codes[certApply]
	x.chSeenBirth = childCmd(chSeen, "27").Child.BirthDate.String()
	num := func(id string) string { return get[app.Certificate](t, w.db, id).Number }
	x.numApply, x.numSeen = num(certApply), num(certSeen)
	for _, n := range []string{num(certK), num(certFin), x.numSeen} {
		w.must(&app.ApplyChild{Number: n, Provider: w.A.ID})
	}
	w.must(&app.RequestFinancing{ID: "req-k", Certificate: certK})
	w.must(&app.RequestFinancing{ID: "req-fin", Certificate: certFin})
	w.must(w.enrolCmd(kK, certK, w.A.Group, app.DateOf(today)))

	// Children registered by A's own node: one with an unconfirmed certificate, one without.
	unc, fresh := childCmd(chUnc, "27"), childCmd(chNew, "27")
	unc.Child.LastName, fresh.Child.LastName = "Беляев", "Орлов"
	w.mustApply(x.provA, unc, &app.IssueCertificate{ID: certUnc, Child: chUnc, CodeHash: app.CodeHash(certUnc, app.NewCode())}, fresh)
	if c := get[app.Certificate](t, w.db, certUnc); !c.Unconfirmed {
		t.Fatalf("a certificate issued by a provider's node is confirmed: %+v", c)
	}

	// A's draft programme with a module, and a programme under expertise.
	w.must(&app.SaveProgramme{ID: progDraft, Provider: w.A.ID, Title: "Шахматы", Direction: "sport", AgeMin: 6, AgeMax: 17, Form: "очная"})
	w.must(&app.SaveModule{ID: modDraft, Programme: progDraft, Name: "Дебют", Hours: 36, Months: 9,
		MinChildren: 4, MaxChildren: 12, Price: 6_000_00, NormPrice: 6_000_00})
	w.must(&app.SaveProgramme{ID: progSub, Provider: w.A.ID, Title: "Лего", Direction: "tech", AgeMin: 5, AgeMax: 10, Form: "очная"})
	w.must(&app.SaveModule{ID: progSub + "-mod", Programme: progSub, Name: "Старт", Hours: 36, Months: 9,
		MinChildren: 4, MaxChildren: 12, Price: 6_000_00, NormPrice: 6_000_00})
	w.must(&app.SubmitProgramme{Programme: progSub})
	w.must(&app.ListProgramme{Municipality: "27", Programme: progDraft, Places: 5})

	// Money: November closed and its advance approved; three of its eight
	// lessons cancelled by A, so that December's close draws a negative final
	// for November, which is approved; December's advance is a draft.
	w.must(&app.CloseMonth{Month: novM})
	x.invNovAdvance = app.InvoiceID(w.A.ID, "27", novM, app.InvAdvance)
	adv := get[app.Invoice](t, w.db, x.invNovAdvance)
	w.must(&app.SubmitInvoice{Invoice: x.invNovAdvance, Amount: adv.Max})
	w.must(&app.ApproveInvoice{Invoice: x.invNovAdvance})
	for _, d := range []string{"2026-11-12", "2026-11-17", "2026-11-19"} {
		w.must(&app.CancelLesson{Group: w.A.Group, Date: day(d), Start: 15 * 60, Cancelled: true})
	}
	w.must(&app.CloseMonth{Month: decM})
	x.invNovFinal = app.InvoiceID(w.A.ID, "27", novM, app.InvFinal)
	fin := get[app.Invoice](t, w.db, x.invNovFinal)
	if fin.Amount >= 0 {
		t.Fatalf("November's final is no refund: %+v", fin)
	}
	w.must(&app.SubmitInvoice{Invoice: x.invNovFinal})
	w.must(&app.ApproveInvoice{Invoice: x.invNovFinal})
	x.invDec = app.InvoiceID(w.A.ID, "27", decM, app.InvAdvance)
	x.decMax = get[app.Invoice](t, w.db, x.invDec).Max
	x.lastClosed = decM

	x.inviteHash = sync.InviteHash(randomHex(t, 16))
	w.must(&app.CreateInvite{Hash: x.inviteHash, Scope: app.ProviderScope(w.A.ID)})
	w.checkClean()
	return x
}

// The columns of the matrix: who pushes, at the records of 27 and A.
var matrixColumns = []string{"region", "municipality own", "municipality other", "provider own", "provider other"}

// actors are the nodes of the columns, in order: the region, 27 (own), 28
// (other), A (own), C of 28 (other).
func (x *authz) actors() []*node { return []*node{x.region, x.mun27, x.mun28, x.provA, x.provC} }

// matrixRow is one op type: the command each column pushes (by is the
// pushing node), aimed at the records of 27 and A, and the code each column
// must get: "applied", a domain code the op meets once authorized, or
// SCOPE_FORBIDDEN. prep, when set, runs on the cell's server first.
type matrixRow struct {
	op    string
	prep  func(f *world, x *authz)
	build func(f *world, x *authz, by *node) app.Command
	want  [5]string
}

// The two outcomes most cells have.
const (
	pass = store.StatusApplied
	deny = app.SCOPE_FORBIDDEN
)

func jobRow(op string, build func(f *world, x *authz, by *node) app.Command) matrixRow {
	return matrixRow{op: op, build: build, want: [5]string{deny, deny, deny, deny, deny}}
}

// matrixRows is the authorization matrix. Every op type of app.OpTypes()
// has a row; TestAuthorizationMatrix fails on an op type without one.
func matrixRows() []matrixRow {
	return []matrixRow{
		{op: "apply_child", want: [5]string{pass, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.ApplyChild{Number: x.numApply, Code: x.codeApply, Provider: f.A.ID}
			}},
		{op: "approve_invoice", want: [5]string{deny, pass, deny, deny, deny},
			prep: func(f *world, x *authz) { f.must(&app.SubmitInvoice{Invoice: x.invDec, Amount: x.decMax}) },
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.ApproveInvoice{Invoice: x.invDec}
			}},
		{op: "archive_programme", want: [5]string{deny, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command { return &app.ArchiveProgramme{Programme: f.A.Prog} }},
		{op: "cancel_lesson", want: [5]string{deny, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.CancelLesson{Group: f.A.Group, Date: day("2027-01-12"), Start: 15 * 60, Cancelled: true}
			}},
		{op: "certify_programme", want: [5]string{pass, deny, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command { return &app.CertifyProgramme{Programme: progSub} }},
		jobRow("close_month", func(f *world, x *authz, by *node) app.Command { return &app.CloseMonth{Month: janM} }),
		{op: "confirm_certificate", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command { return &app.ConfirmCertificate{Certificate: certUnc} }},
		{op: "create_invite", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.CreateInvite{Hash: sync.InviteHash(randomHex(f.t, 16)), Scope: app.ProviderScope(f.A.ID)}
			}},
		{op: "deny_programme", want: [5]string{pass, deny, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.DenyProgramme{Programme: progSub, Reason: "Нет учебного плана"}
			}},
		{op: "decline_application", want: [5]string{deny, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.DeclineApplication{Certificate: certSeen, Provider: f.A.ID}
			}},
		jobRow("retire_applications", func(f *world, x *authz, by *node) app.Command {
			return &app.RetireApplications{Date: day("2030-01-01")}
		}),
		jobRow("downgrade_unused", func(f *world, x *authz, by *node) app.Command {
			return &app.DowngradeUnused{Date: day("2027-03-01")}
		}),
		{op: "erase_child", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command { return &app.EraseChild{Child: chSeen} }},
		{op: "enrol", want: [5]string{deny, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return f.enrolCmd("k-matrix", certFin, f.A.Group, app.DateOf(today))
			}},
		{op: "freeze_certificate", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.FreezeCertificate{Certificate: certFin, Frozen: true}
			}},
		{op: "issue_certificate", want: [5]string{pass, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.IssueCertificate{ID: "cert-matrix", Child: chNew, CodeHash: app.CodeHash("cert-matrix", app.NewCode())}
			}},
		jobRow("join_node", func(f *world, x *authz, by *node) app.Command {
			return &app.JoinNode{Hash: x.inviteHash, Node: "node-of-mallory", Key: randomHex(f.t, 32)}
		}),
		{op: "list_programme", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.ListProgramme{Municipality: "27", Programme: progSub, Places: 10}
			}},
		{op: "mark_attendance", want: [5]string{deny, pass, deny, pass, deny},
			// The lesson has happened by the server's clock: a future one is LESSON_IN_FUTURE.
			prep: func(f *world, x *authz) {
				f.advance(time.Duration(day("2027-01-12")-app.DateOf(today)) * 24 * time.Hour)
			},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.MarkAttendance{Group: f.A.Group, Date: day("2027-01-12"), Start: 15 * 60, Child: chK, Mark: app.MarkPresent}
			}},
		{op: "new_certificate_code", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.NewCertificateCode{Certificate: certK, CodeHash: app.CodeHash(certK, app.NewCode())}
			}},
		{op: "open_group", want: [5]string{deny, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command { return groupCmd("grp-matrix", f.A.Mod) }},
		{op: "pay_invoice", want: [5]string{deny, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command { return &app.PayInvoice{Invoice: x.invNovAdvance} }},
		{op: "record_refund", want: [5]string{deny, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command { return &app.RecordRefund{Invoice: x.invNovFinal} }},
		// Any provider registers a child (its certificate is unconfirmed, §3).
		{op: "register_child", want: [5]string{pass, pass, deny, pass, pass},
			build: func(f *world, x *authz, by *node) app.Command { return childCmd("ch-matrix", "27") }},
		{op: "register_provider", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.RegisterProvider{ID: "prov-matrix", Name: "ООО «Новый кружок»", Type: app.ProviderTraining,
					Municipality: "27", INN: "2634000099", Licence: "26Л01-0099"}
			}},
		{op: "request_financing", want: [5]string{pass, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.RequestFinancing{ID: "req-matrix", Certificate: certSeen}
			}},
		{op: "return_to_accounting", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command { return &app.ReturnToAccounting{Certificate: certFin} }},
		{op: "revoke_invite", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command { return &app.RevokeInvite{Hash: x.inviteHash} }},
		{op: "revoke_node", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command { return &app.RevokeNode{Node: x.provA2.db.Node()} }},
		jobRow("roll_over_period", func(f *world, x *authz, by *node) app.Command {
			return &app.RollOverPeriod{Date: day("2027-09-01")}
		}),
		{op: "save_module", want: [5]string{deny, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.SaveModule{ID: modDraft, Programme: progDraft, Name: "Дебют и миттельшпиль", Hours: 40, Months: 9,
					MinChildren: 4, MaxChildren: 12, Price: 6_000_00, NormPrice: 6_000_00}
			}},
		{op: "save_programme", want: [5]string{deny, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.SaveProgramme{ID: progDraft, Provider: f.A.ID, Title: "Шахматы для всех", Direction: "sport",
					AgeMin: 6, AgeMax: 17, Form: "очная"}
			}},
		jobRow("seed_region", func(f *world, x *authz, by *node) app.Command { return assets.Seed(app.DateOf(today)) }),
		{op: "set_guardian_phone", want: [5]string{pass, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.SetGuardianPhone{Child: chSeen, Phone: "+7 900 111-22-33"}
			}},
		{op: "set_municipality_type", want: [5]string{pass, deny, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.SetMunicipalityType{Code: "27", From: day("2027-01-01"), Type: app.MunCity}
			}},
		{op: "set_params", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeFinancing,
					Quota: 12, Nominal: 8_000_00, DaysToRequest: 30, Population: 1000, BudgetLimit: 100_000_000_00}}
			}},
		{op: "set_period", want: [5]string{pass, deny, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.SetPeriod{Period: app.Period{ID: "2029-2030", Start: day("2029-09-01"), End: day("2030-08-31")}}
			}},
		{op: "set_price_cap", want: [5]string{pass, deny, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command { return &app.SetPriceCap{Pct: 125} }},
		{op: "set_provider_status", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.SetProviderStatus{Provider: f.A.ID, Status: app.ProviderSuspended}
			}},
		{op: "submit_invoice", want: [5]string{deny, deny, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.SubmitInvoice{Invoice: x.invDec, Amount: x.decMax}
			}},
		{op: "submit_programme", want: [5]string{deny, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command { return &app.SubmitProgramme{Programme: progDraft} }},
		{op: "terminate", want: [5]string{pass, pass, deny, pass, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.Terminate{Contract: kK, Notice: day("2027-01-15"), Reason: "Переезд"}
			}},
		// Authorized where the holder is seen, then refused by the rule itself.
		{op: "transfer_certificate", want: [5]string{app.CERTIFICATE_PERSONAL, app.CERTIFICATE_PERSONAL, deny, app.CERTIFICATE_PERSONAL, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.TransferCertificate{Certificate: certSeen, ToChild: chK}
			}},
		{op: "unlist_programme", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				return &app.UnlistProgramme{Municipality: "27", Programme: progDraft}
			}},
		{op: "update_child", want: [5]string{pass, pass, deny, deny, deny},
			build: func(f *world, x *authz, by *node) app.Command {
				ch := get[app.Child](f.t, f.db, chSeen)
				ch.FirstName = "Пётр"
				return &app.UpdateChild{Child: ch}
			}},
	}
}

// TestAuthorizationMatrix pushes every op type from every column, each cell
// on its own fork of one seeded server, and requires the code of the table.
// A refused cell changes nothing that 27, A or 28 see. An op type without a
// row, or a row without an op type, fails the test.
func TestAuthorizationMatrix(t *testing.T) {
	x := newAuthz(t)
	rows := matrixRows()
	byOp := map[string]matrixRow{}
	for _, r := range rows {
		if _, dup := byOp[r.op]; dup {
			t.Fatalf("two rows for %s", r.op)
		}
		byOp[r.op] = r
	}
	types := app.OpTypes()
	for _, op := range types {
		if _, has := byOp[op]; !has {
			t.Errorf("op type %s has no row in the authorization matrix (matrixRows): add one", op)
		}
		if p, has := app.PermissionOf(op); !has || p.Region == "" || p.Municipality == "" || p.Provider == "" {
			t.Errorf("op type %s has no words in app.Permissions(): %+v", op, p)
		}
	}
	for op := range byOp {
		if !slices.Contains(types, op) {
			t.Errorf("the matrix has a row for %s, which is no op type", op)
		}
	}
	watched := []string{app.MunicipalityScope("27"), app.MunicipalityScope("28"), app.ProviderScope(x.w.A.ID), app.ProviderScope(x.C.ID)}
	for _, op := range types {
		row, has := byOp[op]
		if !has {
			continue
		}
		t.Run(op, func(t *testing.T) {
			for i, by := range x.actors() {
				f := x.w.fork(t)
				if row.prep != nil {
					row.prep(f, x)
				}
				before := digests(t, f.db, watched)
				cmd := row.build(f, x, by)
				if cmd.Op() != op {
					t.Fatalf("the row of %s builds %s", op, cmd.Op())
				}
				r := f.pushAs(by, cmd)[0]
				if got := outcome(r); got != row.want[i] {
					t.Errorf("%s by %s (%s): %s %q, want %s", op, matrixColumns[i], by.scope, got, r.Message, row.want[i])
				}
				if r.Status != store.StatusApplied {
					if r.Message == "" {
						t.Errorf("%s by %s: a refusal without a message", op, matrixColumns[i])
					}
					if after := digests(t, f.db, watched); !slices.Equal(before, after) {
						t.Errorf("%s by %s was refused (%s) but changed what 27, 28, A or C see", op, matrixColumns[i], r.Code)
					}
				}
				if b := f.db.Check(app.Check); len(b) > 0 {
					t.Errorf("%s by %s: server check %q", op, matrixColumns[i], b)
				}
			}
		})
	}
}

// digests are the digests of scopes, in order.
func digests(t testing.TB, db *store.DB, scopes []string) []string {
	t.Helper()
	out := make([]string, len(scopes))
	for i, s := range scopes {
		d, err := db.Digest(s)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = d
	}
	return out
}
