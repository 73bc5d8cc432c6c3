package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/store"
)

func TestExecRecordsOps(t *testing.T) {
	db := openTemp(t)
	cmds := []app.Command{
		putChild{Child: child("c1", "Иванов", "Пётр", "01")},
		putChild{Child: child("c2", "Петрова", "Анна", "01")},
		renameChild{ID: "c1", LastName: "Сидоров"},
		deleteRecord{Kind: app.KindChild, ID: "c2"},
	}
	var got []app.Op
	for i, c := range cmds {
		op, err := db.Exec(c)
		if err != nil {
			t.Fatalf("Exec #%d: %v", i, err)
		}
		got = append(got, op)
	}
	n, err := db.OutboxLen()
	if err != nil || n != len(cmds) {
		t.Fatalf("OutboxLen = %d, %v; want %d", n, err, len(cmds))
	}
	ops, err := db.Outbox(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ops, got) {
		t.Errorf("Outbox = %+v\nExec returned %+v", ops, got)
	}
	for i, op := range ops {
		if op.Seq != uint64(i+1) || op.Node != db.Node() || op.Type != cmds[i].Op() {
			t.Errorf("op %d = {seq %d node %s type %s}, want {%d %s %s}", i, op.Seq, op.Node, op.Type, i+1, db.Node(), cmds[i].Op())
		}
		want, _ := store.EncodeCommand(cmds[i])
		if !bytes.Equal(op.Payload, want) {
			t.Errorf("op %d payload %s, want %s", i, op.Payload, want)
		}
		// The payload is the command: decoding it gives an equal command.
		back := reflect.New(reflect.TypeOf(cmds[i]))
		if err := json.Unmarshal(op.Payload, back.Interface()); err != nil {
			t.Errorf("op %d payload: %v", i, err)
		} else if !reflect.DeepEqual(back.Elem().Interface(), cmds[i]) {
			t.Errorf("op %d decodes to %+v, want %+v", i, back.Elem().Interface(), cmds[i])
		}
	}
	t.Run("Paging", func(t *testing.T) {
		page, err := db.Outbox(2, 2)
		if err != nil || len(page) != 2 || page[0].Seq != 2 || page[1].Seq != 3 {
			t.Errorf("Outbox(2, 2) = %+v, %v; want seqs 2, 3", page, err)
		}
		page, err = db.Outbox(5, 10)
		if err != nil || len(page) != 0 {
			t.Errorf("Outbox(5, 10) = %+v, %v; want none", page, err)
		}
	})
	mustClean(t, db)
}

func TestFailedCommandChangesNothing(t *testing.T) {
	db := openTemp(t)
	if _, err := db.Exec(putChild{Child: child("c1", "Иванов", "Пётр", "01")}); err != nil {
		t.Fatal(err)
	}
	var drawn uint64
	if _, err := db.Exec(takeSerial{Name: "cert", got: &drawn}); err != nil {
		t.Fatal(err)
	}
	before := dump(t, db)
	cases := []struct {
		name string
		cmd  app.Command
		code string
	}{
		{"DomainError", putChild{Child: child("c2", "Петров", "Иван", "02"), Fail: true}, app.AGE_OUT_OF_RANGE},
		{"OverwriteThenFail", putChild{Child: child("c1", "Другой", "Пётр", "05"), Fail: true}, app.AGE_OUT_OF_RANGE},
		{"SerialThenFail", takeSerial{Name: "cert", Fail: true, got: &drawn}, app.ECONFLICT},
		{"NotFound", renameChild{ID: "nobody", LastName: "X"}, app.ENOTFOUND},
		{"Panic", boom{Child: child("c3", "Паника", "Ольга", "01")}, app.EINTERNAL},
		{"Nil", nil, app.EINVALID},
		{"ZeroByteInID", putChild{Child: child("c\x00", "Нуль", "Байт", "01")}, app.EINVALID},
		{"ZeroByteInIndexKey", putChild{Child: child("c4", "Нуль\x00", "Байт", "01")}, app.EINVALID},
		{"EmptyID", putChild{Child: child("", "Без", "Номера", "01")}, app.EINVALID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op, err := db.Exec(tc.cmd)
			if got := codeOf(err); got != tc.code {
				t.Errorf("Exec error %v: code %q, want %q", err, got, tc.code)
			}
			if !reflect.DeepEqual(op, app.Op{}) {
				t.Errorf("failed Exec returned op %+v", op)
			}
			if after := dump(t, db); after != before {
				t.Errorf("database changed after a failed command")
			}
		})
	}
	mustClean(t, db)
}

func TestExecBatch(t *testing.T) {
	db := openTemp(t)
	batch := func(failAt int) []app.Command {
		var cmds []app.Command
		for i := range 5 {
			cmds = append(cmds, putChild{Child: child(fmt.Sprintf("c%d", i), "Фамилия", "Имя", "01"), Fail: i == failAt})
		}
		return cmds
	}
	t.Run("FailureChangesNothing", func(t *testing.T) {
		before := dump(t, db)
		ops, err := db.ExecBatch(batch(2))
		var be *store.BatchError
		if !errors.As(err, &be) || be.Index != 2 || be.Op != "test.PutChild" {
			t.Fatalf("ExecBatch error %v, want a *BatchError at index 2", err)
		}
		if codeOf(err) != app.AGE_OUT_OF_RANGE {
			t.Errorf("code %q, want AGE_OUT_OF_RANGE reachable through the batch error", codeOf(err))
		}
		if ops != nil {
			t.Errorf("failed batch returned ops %+v", ops)
		}
		if dump(t, db) != before {
			t.Errorf("database changed after a failed batch")
		}
	})
	t.Run("AllApplied", func(t *testing.T) {
		ops, err := db.ExecBatch(batch(-1))
		if err != nil {
			t.Fatal(err)
		}
		var hlc uint64
		for i, op := range ops {
			if op.Seq != uint64(i+1) || op.HLC <= hlc {
				t.Errorf("op %d: seq %d hlc %d after hlc %d", i, op.Seq, op.HLC, hlc)
			}
			hlc = op.HLC
		}
		if ids := scan(t, db, app.KindChild, "", ""); len(ids) != 5 {
			t.Errorf("children = %v, want 5", ids)
		}
		if n, _ := db.OutboxLen(); n != 5 {
			t.Errorf("OutboxLen = %d, want 5", n)
		}
	})
	t.Run("Empty", func(t *testing.T) {
		ops, err := db.ExecBatch(nil)
		if err != nil || len(ops) != 0 {
			t.Errorf("ExecBatch(nil) = %v, %v", ops, err)
		}
	})
	mustClean(t, db)
}

func TestNextSerial(t *testing.T) {
	db := openTemp(t)
	draw := func(name string) uint64 {
		t.Helper()
		var n uint64
		if _, err := db.Exec(takeSerial{Name: name, got: &n}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for want := uint64(1); want <= 3; want++ {
		if got := draw("certificate/01"); got != want {
			t.Errorf("draw %d = %d", want, got)
		}
	}
	if got := draw("certificate/02"); got != 1 {
		t.Errorf("a second counter starts at %d, want 1", got)
	}
	var n uint64
	if _, err := db.Exec(takeSerial{Name: "certificate/01", Fail: true, got: &n}); err == nil {
		t.Fatal("failing command succeeded")
	}
	if got := draw("certificate/01"); got != 4 {
		t.Errorf("after a rolled-back draw: %d, want 4", got)
	}
}

func TestHLCMonotonic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	clock := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	steps := []time.Duration{0, 0, time.Millisecond, -time.Hour, -24 * 365 * time.Hour, 2 * time.Hour, 0}
	db := openAt(t, path, store.Options{NoSync: true, Now: func() time.Time { return clock }})
	var last uint64
	for i, d := range steps {
		clock = clock.Add(d)
		op, err := db.Exec(probe{new(app.Meta)})
		if err != nil {
			t.Fatal(err)
		}
		if op.HLC <= last {
			t.Errorf("step %d (clock %v): HLC %d not above %d", i, clock, op.HLC, last)
		}
		if wall := uint64(clock.UnixMilli()) << 16; op.HLC < wall {
			t.Errorf("step %d: HLC %d below the wall clock %d", i, op.HLC, wall)
		}
		last = op.HLC
	}
	// The last stamp survives a restart with a clock years behind.
	db.Close()
	db = openAt(t, path, store.Options{NoSync: true, Now: func() time.Time { return time.Unix(0, 0) }})
	op, err := db.Exec(probe{new(app.Meta)})
	if err != nil {
		t.Fatal(err)
	}
	if op.HLC != last+1 {
		t.Errorf("HLC after reopen with an old clock = %d, want %d", op.HLC, last+1)
	}
}

func TestViewIsReadOnly(t *testing.T) {
	db := openTemp(t)
	err := db.View(func(r app.Reader) error {
		return r.(app.Tx).Put(child("c1", "Иванов", "Пётр", "01"))
	})
	if err == nil {
		t.Fatal("Put inside View succeeded")
	}
	if ids := scan(t, db, app.KindChild, "", ""); len(ids) != 0 {
		t.Errorf("children after View = %v", ids)
	}
}

func TestConcurrentExec(t *testing.T) {
	db := openTemp(t)
	const workers, each = 4, 25
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range each {
				if _, err := db.Exec(putChild{Child: child(fmt.Sprintf("w%d-%02d", w, i), "Поток", "Имя", "01")}); err != nil {
					errs <- err
					return
				}
				if err := db.View(func(r app.Reader) error {
					_, err := app.Get[app.Child](r, fmt.Sprintf("w%d-%02d", w, i))
					return err
				}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := db.OutboxLen(); n != workers*each {
		t.Errorf("OutboxLen = %d, want %d", n, workers*each)
	}
	mustClean(t, db)
}
