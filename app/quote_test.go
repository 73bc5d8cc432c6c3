package app_test

import (
	"testing"

	"kruzhok/app"
)

// The worked example of RULES.md §6, to the kopeck.
func TestQuoteWorkedExample(t *testing.T) {
	gs, ge, start := day("2026-09-01"), day("2027-05-31"), day("2026-11-15")
	q := app.ComputeQuote(gs, ge, start, ge, 12_000_00, 10_000_00, 5_000_00)
	want := app.Quote{Days: 198, GroupDays: 273, Months: 7, FirstDays: 16,
		All: 8_703_30, Norm: 7_252_75, Cert: 5_000_00, Parent: 3_703_30,
		CertFirst: 404_06, CertOther: 765_99, ParentFirst: 299_26, ParentOther: 567_34}
	if q != want {
		t.Fatalf("quote\n got %+v\nwant %+v", q, want)
	}
	var sum int64
	for _, s := range q.Schedule(start) {
		sum += s.Cert
	}
	if sum != q.Cert {
		t.Fatalf("schedule sums to %d, want %d", sum, q.Cert)
	}
}

func TestQuoteWorkedExampleBalance8000(t *testing.T) {
	q := app.ComputeQuote(day("2026-09-01"), day("2027-05-31"), day("2026-11-15"), day("2027-05-31"), 12_000_00, 10_000_00, 8_000_00)
	if q.Cert != 7_252_75 || q.CertFirst != 586_09 || q.CertOther != 1_111_11 {
		t.Fatalf("cert %d first %d other %d, want 725275 58609 111111", q.Cert, q.CertFirst, q.CertOther)
	}
	if q.Parent != q.All-q.Cert {
		t.Fatalf("parent %d ≠ all − cert %d", q.Parent, q.All-q.Cert)
	}
}

func TestQuoteOneMonth(t *testing.T) {
	q := app.ComputeQuote(day("2026-09-01"), day("2026-09-30"), day("2026-09-10"), day("2026-09-30"), 3_000_00, 3_000_00, 10_000_00)
	if q.Months != 1 || q.CertFirst != q.Cert || q.CertOther != 0 || q.Days != 21 {
		t.Fatalf("one-month quote %+v", q)
	}
	if q.All != 2_100_00 { // ceil(21 × 300000 / 30)
		t.Fatalf("all = %d, want 210000", q.All)
	}
}

// RULES.md §7: share 765,99 ₽ at c = 75 → due 574,49, returned 191,50.
func TestCompletenessWorkedExample(t *testing.T) {
	if c := app.Completeness(8, 2); c != 75 {
		t.Fatalf("completeness %d, want 75", c)
	}
	due := app.DueAfterCompleteness(765_99, 75)
	if due != 574_49 || 765_99-due != 191_50 {
		t.Fatalf("due %d returned %d", due, 765_99-due)
	}
	if app.Completeness(0, 0) != 100 || app.Completeness(9, 0) != 100 || app.Completeness(3, 1) != 66 {
		t.Fatal("completeness edge cases")
	}
}

func TestAdvanceMax(t *testing.T) {
	if got := app.AdvanceMax(765_99 + 404_06); got != 936_04 { // floor(0.8 × 117005)
		t.Fatalf("advance %d", got)
	}
}
