package app_test

import (
	"regexp"
	"strings"
	"testing"

	"kruzhok/app"
)

// Contracts and invoices carry human numbers assigned by the authority:
// ДД-<municipality>-<year>-<serial of 6> per municipality and year, and
// С-<municipality>-<year>-<month>-<А|И>-<serial of 4> per municipality and
// month; the IDs stay as they were.
func TestDocumentNumbers(t *testing.T) {
	w := newWorld(t, "2026-09-01")
	w.params("27", 10, 10_000_00)
	w.provider(20)
	_, cert1 := w.financed()
	_, cert2 := w.financed()
	k1 := w.enrol(cert1, w.Group, "2026-09-01")
	k2 := w.enrol(cert2, w.Group, "2026-09-01")
	for k, want := range map[string]string{k1: "ДД-27-2026-000001", k2: "ДД-27-2026-000002"} {
		c := get[app.Contract](w, k)
		if c.Number != want || c.NumberRu() != want || c.ID != k {
			t.Errorf("contract %s: number %q (%q), want %q", k, c.Number, c.NumberRu(), want)
		}
	}
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, 9)})
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, 10)})
	for _, c := range []struct {
		month app.Month
		typ   string
		want  string
	}{
		{app.MonthOf(2026, 9), app.InvAdvance, "С-27-2026-09-А-0001"},
		{app.MonthOf(2026, 9), app.InvFinal, "С-27-2026-09-И-0002"},
		{app.MonthOf(2026, 10), app.InvAdvance, "С-27-2026-10-А-0001"},
	} {
		inv := get[app.Invoice](w, app.InvoiceID(w.Prov, "27", c.month, c.typ))
		if inv.Number != c.want {
			t.Errorf("%s %s: number %q, want %q", c.month, c.typ, inv.Number, c.want)
		}
	}
	// A new year starts the contracts' serial again.
	w.setToday("2027-01-11")
	_, cert3 := w.financed()
	if got := get[app.Contract](w, w.enrol(cert3, w.Group, "2027-01-11")).Number; got != "ДД-27-2027-000001" {
		t.Errorf("the first contract of 2027 is %q", got)
	}
}

func TestNumberFormats(t *testing.T) {
	contract := regexp.MustCompile(`^ДД-\d{2}-\d{4}-\d{6}$`)
	invoice := regexp.MustCompile(`^С-\d{2}-\d{4}-\d{2}-[АИ]-\d{4}$`)
	if n := app.ContractNumber("05", 2026, 123); n != "ДД-05-2026-000123" || !contract.MatchString(n) {
		t.Errorf("contract number %q", n)
	}
	if n := app.InvoiceNumber("27", app.MonthOf(2026, 12), app.InvAdvance, 1); n != "С-27-2026-12-А-0001" || !invoice.MatchString(n) {
		t.Errorf("advance number %q", n)
	}
	if n := app.InvoiceNumber("27", app.MonthOf(2027, 1), app.InvFinal, 12); n != "С-27-2027-01-И-0012" {
		t.Errorf("final number %q", n)
	}
	if got := (app.Contract{}).NumberRu(); got != "будет присвоен" {
		t.Errorf("an unnumbered contract shows %q", got)
	}
	if got := (app.Contract{}).Title(); got != "Договор (номер будет присвоен)" {
		t.Errorf("an unnumbered contract's title is %q", got)
	}
	if got := (app.Contract{Number: "ДД-27-2026-000001"}).Title(); got != "Договор № ДД-27-2026-000001" {
		t.Errorf("a contract's title is %q", got)
	}
	if got := (app.Invoice{Number: "С-27-2026-12-А-0001"}).Title(); got != "Счёт № С-27-2026-12-А-0001" {
		t.Errorf("an invoice's title is %q", got)
	}
	if got := (app.Invoice{}).NumberRu(); got != "будет присвоен" {
		t.Errorf("an unnumbered invoice shows %q", got)
	}
}

// tamperNumber sets a contract's number behind the rules' back.
type tamperNumber struct {
	Contract, Number string
}

func (c *tamperNumber) Op() string { return "test.TamperNumber" }
func (c *tamperNumber) Apply(tx app.Tx, m app.Meta) error {
	k, err := app.Get[app.Contract](tx, c.Contract)
	if err != nil {
		return err
	}
	k.Number = c.Number
	return tx.Put(k)
}

func init() {
	app.RegisterCommand(func() app.Command { return &tamperNumber{} }, app.Permission{})
}

// kruzhok check sees two documents with one number.
func TestCheckFindsDuplicateNumber(t *testing.T) {
	w := newWorld(t, "2026-09-01")
	w.params("27", 10, 10_000_00)
	w.provider(20)
	_, cert1 := w.financed()
	_, cert2 := w.financed()
	k1 := w.enrol(cert1, w.Group, "2026-09-01")
	k2 := w.enrol(cert2, w.Group, "2026-09-01")
	own := get[app.Contract](w, k2).Number
	w.must(&tamperNumber{Contract: k2, Number: get[app.Contract](w, k1).Number})
	var breaches []string
	w.db.View(func(r app.Reader) error { breaches = app.Check(r); return nil })
	if len(breaches) != 1 || !strings.Contains(breaches[0], "ДД-27-2026-000001") {
		t.Fatalf("check of two contracts with one number: %q", breaches)
	}
	w.must(&tamperNumber{Contract: k2, Number: own})
}
