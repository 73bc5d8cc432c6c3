package app_test

import (
	"strings"
	"testing"

	"kruzhok/app"
)

// RULES.md §10: erase_child leaves an anonymous record under the child's id;
// the money around it still balances (the world's cleanup runs app.Check),
// the name finds nothing, the code hash is gone and nothing more can be done
// with the child.
func TestEraseChildAfterInvoices(t *testing.T) {
	w, g, child, cert, k, _ := novemberAt75(t)
	w.wantCode(&app.EraseChild{Child: child}, app.CERTIFICATE_IN_USE) // a contract in force
	w.must(&app.Terminate{Contract: k, Notice: day("2026-11-25"), Reason: "отзыв согласия"})
	w.wantCode(&app.EraseChild{Child: child}, app.CERTIFICATE_IN_USE) // terminating: in force to the month's end
	w.setToday("2027-01-10")
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, 12)})
	if st := get[app.Contract](w, k).Status; st == app.ContractTerminating {
		t.Fatalf("contract still terminating after its month closed")
	}
	before := w.ledger(cert)
	w.must(&app.EraseChild{Child: child})

	ch := get[app.Child](w, child)
	if ch.Erased != day("2027-01-10") || ch.LastName != "" || ch.FirstName != "" || ch.MiddleName != "" ||
		!ch.BirthDate.IsZero() || ch.GuardianName != "" || ch.GuardianPhone != "" || ch.SNILS != "" || ch.ConsentBy != "" {
		t.Fatalf("erased child %+v", ch)
	}
	if ch.Municipality != "27" || ch.ConsentDate != day("2026-09-01") {
		t.Fatalf("erased child lost what stays: %+v", ch)
	}
	if got := w.ledger(cert); got != before {
		t.Fatalf("ledger %+v after erasure, was %+v", got, before)
	}
	if breaches := w.db.Check(app.Check); len(breaches) > 0 {
		t.Fatalf("check after erasure: %q", breaches)
	}
	w.db.View(func(r app.Reader) error {
		for _, q := range []string{"петров", app.NameKey("Петров Иван Сергеевич"), ""} {
			found, err := app.List[app.Child](r, app.IdxName, q, 0)
			if err != nil || len(found) != 0 {
				t.Errorf("name index %q: %v, %v", q, found, err)
			}
		}
		if _, err := app.Get[app.CertCode](r, cert); app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("the code hash outlived the erasure: %v", err)
		}
		return nil
	})
	w.wantCode(&app.EraseChild{Child: child}, app.CHILD_ERASED)
	w.wantCode(&app.Enrol{ID: w.id("contract"), Certificate: cert, Group: g.ID, Start: day("2026-12-01"), ParentConfirmed: true}, app.CHILD_ERASED)
	w.wantCode(&app.SetGuardianPhone{Child: child, Phone: "+7 900 000-00-00"}, app.CHILD_ERASED)
	upd := w.childCmd("2015-03-10").Child
	upd.ID = child
	w.wantCode(&app.UpdateChild{Child: upd}, app.CHILD_ERASED)
	w.wantCode(&app.ApplyChild{Number: get[app.Certificate](w, cert).Number, Provider: w.Prov}, app.CHILD_ERASED)
	w.wantCode(&app.RegisterChild{Child: upd}, app.ECONFLICT)
}

// A child registered with Erased set is not erased: only erase_child erases.
func TestRegisterChildIgnoresErased(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	c := w.childCmd("2014-05-05")
	c.Child.Erased = day("2026-11-10")
	w.must(c)
	if got := get[app.Child](w, c.Child.ID); !got.Erased.IsZero() {
		t.Fatalf("registered as erased: %+v", got)
	}
	w.db.View(func(r app.Reader) error {
		found, _ := app.List[app.Child](r, app.IdxName, app.NameKey("Петров Иван"), 0)
		if len(found) != 1 {
			t.Errorf("name index finds %d children, want 1", len(found))
		}
		return nil
	})
}

func TestScrubPayload(t *testing.T) {
	reg := []byte(`{"Child":{"ID":"c1","LastName":"Петров","SNILS":"112-233-445 95","GuardianPhone":"+7 918"}}`)
	for _, c := range []struct {
		op      string
		payload []byte
		child   string
		want    string // "" for unchanged
	}{
		{"register_child", reg, "c1", `{"Child":{"ID":"c1"}}`},
		{"update_child", reg, "c1", `{"Child":{"ID":"c1"}}`},
		{"register_child", reg, "c2", ""},
		{"register_child", []byte(`{"Child":{"ID":"c1"}}`), "c1", ""}, // scrubbed already
		{"set_guardian_phone", []byte(`{"Child":"c1","Phone":"+7 918"}`), "c1", `{"Child":"c1","Phone":""}`},
		{"set_guardian_phone", []byte(`{"Child":"c11","Phone":"+7 918"}`), "c1", ""},
		{"issue_certificate", []byte(`{"ID":"x","Child":"c1","CodeHash":"ab"}`), "c1", `{"ID":"x","Child":"c1","CodeHash":""}`},
		{"enrol", []byte(`{"Child":"c1"}`), "c1", ""},
		{"register_child", []byte(`not json c1`), "c1", ""},
	} {
		got, changed := app.ScrubPayload(c.op, c.payload, c.child)
		if c.want == "" {
			if changed || string(got) != string(c.payload) {
				t.Errorf("%s %s: changed to %s", c.op, c.payload, got)
			}
			continue
		}
		if !changed || string(got) != c.want {
			t.Errorf("%s %s: %s (%v), want %s", c.op, c.payload, got, changed, c.want)
		}
		if strings.Contains(string(got), "Петров") || strings.Contains(string(got), "918") {
			t.Errorf("%s: personal data left in %s", c.op, got)
		}
	}
}

// RULES.md §10: 3 years after the last contract ended the child is listed for
// erasure, not a day before; a child with a contract in force never is.
func TestErasureDue(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 8_000_00)
	w.provider(20)
	child, cert := w.financed()
	k := w.enrol(cert, w.Group, "2026-11-15")
	_, cert2 := w.financed()
	w.enrol(cert2, w.Group, "2026-11-15")
	w.must(&app.Terminate{Contract: k, Notice: day("2026-11-20")}) // ends 30.11.2026
	for _, m := range []string{"2026-11", "2026-12"} {
		mo, _ := app.ParseMonth(m)
		w.setToday(mo.First().String())
		w.must(&app.CloseMonth{Month: mo})
	}
	due := func(on string) []string {
		var ids []string
		w.db.View(func(r app.Reader) error {
			cs, err := app.ErasureDue(r, "27", day(on))
			for _, c := range cs {
				ids = append(ids, c.ID)
			}
			return err
		})
		return ids
	}
	if got := due("2029-11-30"); len(got) != 0 {
		t.Fatalf("due on the third anniversary: %v", got)
	}
	if got := due("2029-12-01"); len(got) != 1 || got[0] != child {
		t.Fatalf("due the day after: %v, want [%s]", got, child)
	}
	w.must(&app.EraseChild{Child: child})
	if got := due("2035-01-01"); len(got) != 0 {
		t.Fatalf("after erasure, or with a contract in force: %v", got)
	}
}
