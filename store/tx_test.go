package store_test

import (
	"fmt"
	"reflect"
	"testing"

	"kruzhok/app"
	"kruzhok/store"
)

func TestIndexMaintenance(t *testing.T) {
	db := openTemp(t)
	exec := func(c app.Command) {
		t.Helper()
		if _, err := db.Exec(c); err != nil {
			t.Fatalf("Exec %s: %v", c.Op(), err)
		}
		mustClean(t, db)
	}
	exec(putChild{Child: child("c1", "Иванов", "Пётр", "01")})
	exec(putChild{Child: child("c2", "Иванова", "Ёлка", "01")})

	if got := scan(t, db, app.KindChild, app.IdxName, "иванов "); !reflect.DeepEqual(got, []string{"c1"}) {
		t.Errorf("by name «иванов »: %v, want [c1]", got)
	}
	t.Run("Rename", func(t *testing.T) {
		exec(renameChild{ID: "c1", LastName: "Сидоров", Municipality: "02"})
		if got := scan(t, db, app.KindChild, app.IdxName, "иванов"); !reflect.DeepEqual(got, []string{"c2"}) {
			t.Errorf("old name still found: %v, want [c2]", got)
		}
		if got := scan(t, db, app.KindChild, app.IdxName, "сидоров петр"); !reflect.DeepEqual(got, []string{"c1"}) {
			t.Errorf("new name: %v, want [c1]", got)
		}
		if got := scan(t, db, app.KindChild, app.IdxMunicipality, "01"); !reflect.DeepEqual(got, []string{"c2"}) {
			t.Errorf("municipality 01: %v, want [c2]", got)
		}
		if got := scan(t, db, app.KindChild, app.IdxMunicipality, "02"); !reflect.DeepEqual(got, []string{"c1"}) {
			t.Errorf("municipality 02: %v, want [c1]", got)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		exec(deleteRecord{Kind: app.KindChild, ID: "c1"})
		for _, idx := range []string{app.IdxName, app.IdxMunicipality, ""} {
			if got := scan(t, db, app.KindChild, idx, ""); !reflect.DeepEqual(got, []string{"c2"}) {
				t.Errorf("after delete, index %q: %v, want [c2]", idx, got)
			}
		}
		err := db.View(func(r app.Reader) error {
			_, err := app.Get[app.Child](r, "c1")
			return err
		})
		if codeOf(err) != app.ENOTFOUND {
			t.Errorf("Load of a deleted record: %v, want ENOTFOUND", err)
		}
		exec(deleteRecord{Kind: app.KindChild, ID: "c1"}) // missing is not an error
	})
	t.Run("IndexThatComesAndGoes", func(t *testing.T) {
		// A waiting request is in the queue index; a served one is not.
		req := app.Request{ID: "r1", Certificate: "cert-1", Municipality: "01", Period: "2026-2027",
			Arrival: 7, Status: app.ReqWaiting}
		exec(putRecord{req})
		if got := scan(t, db, app.KindRequest, app.IdxQueue, "01|2026-2027|"); !reflect.DeepEqual(got, []string{"r1"}) {
			t.Errorf("queue: %v, want [r1]", got)
		}
		req.Status = app.ReqServed
		exec(putRecord{req})
		if got := scan(t, db, app.KindRequest, app.IdxQueue, ""); len(got) != 0 {
			t.Errorf("queue after serving: %v, want empty", got)
		}
	})
}

// putRecord stores any record.
type putRecord struct{ Rec app.Record }

func (c putRecord) Op() string                        { return "test.PutRecord" }
func (c putRecord) Apply(tx app.Tx, _ app.Meta) error { return tx.Put(c.Rec) }

func TestScanOrder(t *testing.T) {
	db := openTemp(t)
	// Keys that are prefixes of each other: "ab" entries come before "abc",
	// and ids order entries of one key.
	recs := []app.Provider{
		{ID: "p3", Municipality: "ab"},
		{ID: "p1", Municipality: "abc"},
		{ID: "p2", Municipality: "ab"},
		{ID: "p4", Municipality: "b"},
		{ID: "p0", Municipality: "a"},
	}
	var cmds []app.Command
	for _, r := range recs {
		cmds = append(cmds, putRecord{r})
	}
	if _, err := db.ExecBatch(cmds); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, index, prefix string
		want                []string
	}{
		{"AllByKey", app.IdxMunicipality, "", []string{"p0", "p2", "p3", "p1", "p4"}},
		{"Prefix", app.IdxMunicipality, "ab", []string{"p2", "p3", "p1"}},
		{"LongerPrefix", app.IdxMunicipality, "abc", []string{"p1"}},
		{"NoMatch", app.IdxMunicipality, "c", nil},
		{"RecordsByID", "", "", []string{"p0", "p1", "p2", "p3", "p4"}},
		{"RecordsByIDPrefix", "", "p3", []string{"p3"}},
		{"MissingIndex", "nosuchindex", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := scan(t, db, app.KindProvider, tc.index, tc.prefix); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Scan(%q, %q) = %v, want %v", tc.index, tc.prefix, got, tc.want)
			}
		})
	}
	t.Run("StopEarly", func(t *testing.T) {
		var got []string
		err := db.View(func(r app.Reader) error {
			return r.Scan(app.KindProvider, app.IdxMunicipality, "", func(id string) bool {
				got = append(got, id)
				return len(got) < 2
			})
		})
		if err != nil || !reflect.DeepEqual(got, []string{"p0", "p2"}) {
			t.Errorf("got %v, %v; want [p0 p2]", got, err)
		}
	})
	t.Run("List", func(t *testing.T) {
		var got []app.Provider
		err := db.View(func(r app.Reader) (err error) {
			got, err = app.List[app.Provider](r, app.IdxMunicipality, "ab", 0)
			return err
		})
		if err != nil || len(got) != 3 || got[0].ID != "p2" || got[0].Municipality != "ab" {
			t.Errorf("List = %+v, %v", got, err)
		}
	})
}

// TestScanWhileWriting writes to the scanned index from the scan callback,
// across more entries than Scan reads at once: every record is visited once.
func TestScanWhileWriting(t *testing.T) {
	db := openTemp(t)
	const n = 700
	var cmds []app.Command
	for i := range n {
		cmds = append(cmds, putChild{Child: child(fmt.Sprintf("c%04d", i), "Фамилия", "Имя", "01")})
	}
	cmds = append(cmds, putChild{Child: child("other", "Другой", "Район", "02")})
	if _, err := db.ExecBatch(cmds); err != nil {
		t.Fatal(err)
	}
	visits := map[string]int{}
	if _, err := db.Exec(scanRename{Municipality: "01", visits: visits}); err != nil {
		t.Fatal(err)
	}
	if len(visits) != n {
		t.Errorf("visited %d children, want %d", len(visits), n)
	}
	for id, v := range visits {
		if v != 1 {
			t.Errorf("%s visited %d times", id, v)
		}
	}
	mustClean(t, db)
}

func TestLoadContract(t *testing.T) {
	db := openTemp(t)
	c := child("c1", "Иванов", "Пётр", "01")
	if _, err := db.Exec(putChild{Child: c}); err != nil {
		t.Fatal(err)
	}
	err := db.View(func(r app.Reader) error {
		t.Run("RoundTrip", func(t *testing.T) {
			var got app.Child
			if err := r.Load(app.KindChild, "c1", &got); err != nil || !reflect.DeepEqual(got, c) {
				t.Errorf("Load = %+v, %v; want %+v", got, err, c)
			}
		})
		t.Run("OverwritesTarget", func(t *testing.T) {
			got := app.Child{SNILS: "stale", ID: "x"}
			if err := r.Load(app.KindChild, "c1", &got); err != nil || got.SNILS != "" {
				t.Errorf("Load kept a stale field: %+v, %v", got, err)
			}
		})
		t.Run("NotFound", func(t *testing.T) {
			var got app.Child
			err := r.Load(app.KindChild, "nobody", &got)
			if codeOf(err) != app.ENOTFOUND {
				t.Errorf("Load missing = %v, want ENOTFOUND", err)
			}
			if msg := app.ErrorMessage(err); msg == "" {
				t.Errorf("no message")
			}
		})
		t.Run("WrongTarget", func(t *testing.T) {
			var cert app.Certificate
			if err := r.Load(app.KindChild, "c1", &cert); err == nil || app.ErrorCode(err) != app.EINTERNAL {
				t.Errorf("Load of a child into a certificate = %v, want EINTERNAL", err)
			}
			if err := r.Load(app.KindChild, "c1", app.Child{}); err == nil {
				t.Errorf("Load into a non-pointer succeeded")
			}
			var nilChild *app.Child
			if err := r.Load(app.KindChild, "c1", nilChild); err == nil {
				t.Errorf("Load into a nil pointer succeeded")
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCloneRecords: the copies the load cache hands out are deep, keep nil
// and empty apart, and leave the original alone when changed.
func TestCloneRecords(t *testing.T) {
	l := app.Lesson{ID: "l", Group: "g", Marks: map[string]string{"c": app.MarkPresent}}
	g := app.Group{ID: "g", Schedule: []app.Slot{{Weekday: 2, Start: 900}}}
	k := app.Contract{ID: "k", Schedule: []app.MonthShare{{Cert: 5}}}
	for _, v := range []any{l, g, k, app.Lesson{ID: "l"}, app.Lesson{Marks: map[string]string{}},
		app.Group{Schedule: []app.Slot{}}, app.Contract{}} {
		if c := store.Clone(v); !reflect.DeepEqual(c, v) {
			t.Errorf("clone of %#v is %#v", v, c)
		}
	}
	lc := store.Clone(l).(app.Lesson)
	lc.Marks["c"] = app.MarkAbsent
	gc := store.Clone(g).(app.Group)
	gc.Schedule[0].Start = 1
	kc := store.Clone(k).(app.Contract)
	kc.Schedule[0].Cert = 1
	if l.Marks["c"] != app.MarkPresent || g.Schedule[0].Start != 900 || k.Schedule[0].Cert != 5 {
		t.Errorf("a change of the copy reached the original: %v %v %v", l.Marks, g.Schedule, k.Schedule)
	}
}
