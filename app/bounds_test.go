package app_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"kruzhok/app"
)

// Nothing a node sends is stored or echoed unbounded: a 10 MB SNILS, a long
// name, a schedule of 5 000 slots are refused before they run, and the
// message quotes at most app.MaxQuote characters of any value.
func TestBoundsOnEveryCommand(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.params("27", 10, 5_000_00)
	w.provider(5)
	huge := strings.Repeat("1", 10<<20)
	snils := w.childCmd("2015-03-10")
	snils.Child.SNILS = huge
	name := w.childCmd("2015-03-10")
	name.Child.LastName = strings.Repeat("Щ", app.MaxText+1)
	slots := w.groupCmd(w.id("grp"), w.Mod, 5)
	slots.Schedule = make([]app.Slot, app.MaxItems+1)
	reason := &app.Terminate{Contract: "k", Notice: day("2026-11-20"), Reason: string([]byte{0xff, 0xfe})}
	for name, c := range map[string]app.Command{"SNILS": snils, "Name": name, "Schedule": slots, "NotUTF8": reason} {
		t.Run(name, func(t *testing.T) {
			err := app.CheckBounds(c)
			if app.ErrorCode(err) != app.EINVALID || len(app.ErrorMessage(err)) > 300 {
				t.Fatalf("CheckBounds = %v (message %d bytes)", app.ErrorCode(err), len(app.ErrorMessage(err)))
			}
			if err := w.exec(c); app.ErrorCode(err) != app.EINVALID {
				t.Fatalf("Exec = %v, want INVALID", err)
			}
		})
	}
	// A SNILS of the right digits buried in 10 MB of dashes is no SNILS.
	dashes := w.childCmd("2015-03-10")
	dashes.Child.SNILS = strings.Repeat("-", 20) + "112-233-445 95"
	w.wantCode(dashes, app.EINVALID)
	// A quoted value is cut.
	phone := w.childCmd("2015-03-10")
	phone.Child.GuardianPhone = strings.Repeat("x", 3000)
	err := w.exec(phone)
	if app.ErrorCode(err) != app.EINVALID || utf8.RuneCountInString(app.ErrorMessage(err)) > app.MaxQuote+40 {
		t.Fatalf("a 3 000-character phone echoed: %d characters", utf8.RuneCountInString(app.ErrorMessage(err)))
	}
}
