package store_test

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
)

// TestAppCommands runs real app commands through the store: every op in the
// outbox decodes back to the command that was executed, a rejected command
// leaves no trace, and the domain check of app holds on the result.
func TestAppCommands(t *testing.T) {
	now := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	db := openAt(t, filepath.Join(t.TempDir(), "kruzhok.db"), store.Options{NoSync: true,
		Now: func() time.Time { return now }})
	today := app.DateOf(now)
	kid := app.Child{ID: "0190a0b1-0000-7000-8000-000000000001", LastName: "Иванов", FirstName: "Пётр",
		BirthDate: app.MustDate("2015-03-14"), Municipality: "01", GuardianName: "Иванова Мария",
		ConsentDate: today, ConsentBy: "оператор МОЦ"}
	cmds := []app.Command{assets.Seed(today), &app.RegisterChild{Child: kid}}
	for _, c := range cmds {
		if _, err := db.Exec(c); err != nil {
			t.Fatalf("%s: %v", c.Op(), err)
		}
	}

	before := dump(t, db)
	old := kid
	old.ID, old.BirthDate = "0190a0b1-0000-7000-8000-000000000002", app.MustDate("2000-01-01")
	if _, err := db.Exec(&app.RegisterChild{Child: old}); codeOf(err) != app.AGE_OUT_OF_RANGE {
		t.Errorf("RegisterChild of an adult: %v, want AGE_OUT_OF_RANGE", err)
	}
	if dump(t, db) != before {
		t.Errorf("a rejected app command changed the database")
	}

	ops, err := db.Outbox(0, 0)
	if err != nil || len(ops) != len(cmds) {
		t.Fatalf("Outbox = %d ops, %v; want %d", len(ops), err, len(cmds))
	}
	for i, op := range ops {
		back, err := store.DecodeCommand(op.Type, op.Payload)
		if err != nil {
			t.Errorf("op %d (%s): %v", i, op.Type, err)
			continue
		}
		if !reflect.DeepEqual(back, cmds[i]) {
			t.Errorf("op %d decodes to %+v, want %+v", i, back, cmds[i])
		}
		if again, _ := store.EncodeCommand(back); !bytes.Equal(again, op.Payload) {
			t.Errorf("op %d re-encodes differently:\n%s\n%s", i, again, op.Payload)
		}
	}
	var got app.Child
	if err := db.View(func(r app.Reader) (err error) {
		got, err = app.Get[app.Child](r, kid.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got.Registered != db.Node() {
		t.Errorf("child registered by %q, want this node %q", got.Registered, db.Node())
	}
	if ids := scan(t, db, app.KindChild, app.IdxName, "иванов петр"); !reflect.DeepEqual(ids, []string{kid.ID}) {
		t.Errorf("child by name: %v", ids)
	}
	for _, l := range db.Check(app.Check) {
		t.Errorf("Check: %s", l)
	}
}
