package store_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"kruzhok/app"
	"kruzhok/store"
)

func TestOpCodec(t *testing.T) {
	op := app.Op{Node: "n", Seq: 3, HLC: 1 << 40, Type: "test.PutChild", Payload: []byte(`{"Child":{"ID":"c1"},"Fail":false}`)}
	b, err := store.EncodeOp(op)
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != 1 {
		t.Errorf("version byte %d, want 1", b[0])
	}
	got, err := store.DecodeOp(b)
	if err != nil || !reflect.DeepEqual(got, op) {
		t.Errorf("DecodeOp = %+v, %v; want %+v", got, err, op)
	}
	// The hand-written envelope is what the generic codec would write.
	var generic struct {
		Node    string
		Seq     uint64
		HLC     uint64
		Type    string
		Payload json.RawMessage
	}
	if err := json.Unmarshal(b[1:], &generic); err != nil || generic.Seq != 3 || generic.HLC != 1<<40 ||
		string(generic.Payload) != string(op.Payload) {
		t.Errorf("envelope %s: %+v, %v", b[1:], generic, err)
	}
	b[0] = 2
	if _, err := store.DecodeOp(b); err == nil {
		t.Errorf("DecodeOp accepted codec version 2")
	}
	if _, err := store.EncodeOp(app.Op{Type: "x", Payload: []byte("{not json")}); err == nil {
		t.Errorf("EncodeOp accepted a payload that is not JSON")
	}
}

func TestRecordCodec(t *testing.T) {
	c := child("c1", "Иванов", "Пётр", "01")
	c.GuardianName = "<Иванова & Ко>"
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.DecodeRecord(app.KindChild, append([]byte{1}, b...))
	if err != nil || !reflect.DeepEqual(rec, &c) {
		t.Errorf("DecodeRecord = %+v, %v; want %+v", rec, err, &c)
	}
	if _, err := store.DecodeRecord("nonsense", append([]byte{1}, b...)); err == nil {
		t.Errorf("DecodeRecord of an unknown kind succeeded")
	}
}

func TestDecodeCommand(t *testing.T) {
	if _, err := store.DecodeCommand("no.such.op", []byte(`{}`)); codeOf(err) != app.EINVALID {
		t.Errorf("unknown op type: %v, want EINVALID", err)
	}
	// Every command app knows survives a round trip of its zero value, and
	// refuses an unknown field and trailing bytes.
	for _, typ := range app.OpTypes() {
		t.Run(typ, func(t *testing.T) {
			cmd, _ := app.NewCommand(typ)
			payload, err := store.EncodeCommand(cmd)
			if err != nil {
				t.Fatal(err)
			}
			back, err := store.DecodeCommand(typ, payload)
			if err != nil || !reflect.DeepEqual(back, cmd) {
				t.Errorf("DecodeCommand = %+v, %v; want %+v", back, err, cmd)
			}
			extra := append(bytes.TrimSuffix(payload, []byte("}")), []byte(`,"NoSuchField":1}`)...)
			if bytes.Equal(payload, []byte("{}")) {
				extra = []byte(`{"NoSuchField":1}`)
			}
			if _, err := store.DecodeCommand(typ, extra); codeOf(err) != app.EINVALID {
				t.Errorf("unknown field: %v, want EINVALID", err)
			}
			if _, err := store.DecodeCommand(typ, append(payload, " {}"...)); codeOf(err) != app.EINVALID {
				t.Errorf("trailing value: %v, want EINVALID", err)
			}
		})
	}
}

// FuzzDecode feeds arbitrary bytes to every decoder of stored values: none may
// panic, and whatever decodes re-encodes to something that decodes the same.
func FuzzDecode(f *testing.F) {
	op, _ := store.EncodeOp(app.Op{Node: "n", Seq: 1, HLC: 5, Type: "t", Payload: []byte(`{"A":1}`)})
	f.Add(op)
	c, _ := json.Marshal(child("c1", "Иванов", "Пётр", "01"))
	f.Add(append([]byte{1}, c...))
	f.Add([]byte{})
	f.Add([]byte{2, '{', '}'})
	f.Fuzz(func(t *testing.T, data []byte) {
		if op, err := store.DecodeOp(data); err == nil {
			b, err := store.EncodeOp(op)
			if err != nil {
				t.Fatalf("re-encode of decoded op %+v: %v", op, err)
			}
			again, err := store.DecodeOp(b)
			if err != nil || again.Node != op.Node || again.Seq != op.Seq || again.HLC != op.HLC || again.Type != op.Type {
				t.Fatalf("op round trip: %+v → %+v, %v", op, again, err)
			}
		}
		for _, kind := range app.Kinds {
			_, _ = store.DecodeRecord(kind, data)
		}
		for _, typ := range app.OpTypes() {
			_, _ = store.DecodeCommand(typ, data)
		}
	})
}
