package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"kruzhok/app"
)

// ScrubPersonal drops the personal fields of any child and keeps the ids;
// its output, and ScrubPayload's, is left as is.
func TestScrubPersonal(t *testing.T) {
	ch := app.Child{ID: "c-1", LastName: "Эрзянова", FirstName: "Ирина", BirthDate: app.MustDate("2015-03-10"),
		Municipality: "27", GuardianName: "Петрова Анна", GuardianPhone: "+7 918 765-43-21",
		ConsentDate: app.MustDate("2026-09-01"), ConsentBy: "Сидорова", SNILS: "112-233-445 95", Registered: "n-1"}
	reg, _ := json.Marshal(app.RegisterChild{Child: ch})
	for _, c := range []struct {
		typ, payload string
		keep         []string
	}{
		{"register_child", string(reg), []string{`"c-1"`, `"27"`, `"n-1"`}},
		{"update_child", string(reg), []string{`"c-1"`}},
		{"set_guardian_phone", `{"Child":"c-1","Phone":"+7 918 765-43-21"}`, []string{`"c-1"`}},
		{"issue_certificate", `{"ID":"k-1","Child":"c-1","CodeHash":"abc"}`, []string{`"k-1"`, `"c-1"`}},
	} {
		got, ok := app.ScrubPersonal(c.typ, []byte(c.payload))
		if !ok {
			t.Errorf("%s: not scrubbed", c.typ)
			continue
		}
		for _, s := range []string{"Эрзянова", "Ирина", "Петрова", "765-43-21", "Сидорова", "112-233", "abc", "2015"} {
			if strings.Contains(string(got), s) {
				t.Errorf("%s: %s holds %q", c.typ, got, s)
			}
		}
		for _, s := range c.keep {
			if !strings.Contains(string(got), s) {
				t.Errorf("%s: %s lost %s", c.typ, got, s)
			}
		}
		if again, ok := app.ScrubPersonal(c.typ, got); ok || string(again) != string(got) {
			t.Errorf("%s: scrubbed twice: %s", c.typ, again)
		}
		if erased, ok := app.ScrubPayload(c.typ, []byte(c.payload), "c-1"); ok {
			if _, ok := app.ScrubPersonal(c.typ, erased); ok {
				t.Errorf("%s: ScrubPayload's %s scrubbed again", c.typ, erased)
			}
		}
	}
	if got, ok := app.ScrubPersonal("register_child", []byte("not json Эрзянова")); !ok || got != nil {
		t.Errorf("a payload that is not JSON: %q %v", got, ok)
	}
	if _, ok := app.ScrubPersonal("mark_attendance", []byte(`{"Child":"c-1"}`)); ok {
		t.Error("an op that is not personal was scrubbed")
	}
}
