package sync_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

const nodeID = "01900000-0000-7000-8000-000000000001"

// testOps are n consecutive ops of nodeID from first, with real payloads.
func testOps(t testing.TB, first uint64, n int) []app.Op {
	t.Helper()
	ops := make([]app.Op, n)
	for i := range ops {
		p, err := store.EncodeCommand(&app.MarkAttendance{Group: "grp-1", Date: day("2026-11-03"), Start: 900,
			Child: fmt.Sprintf("child-%d", i%20), Mark: app.MarkPresent})
		if err != nil {
			t.Fatal(err)
		}
		ops[i] = app.Op{Node: nodeID, Seq: first + uint64(i), HLC: 1 << 40, Type: "mark_attendance", Payload: p}
	}
	return ops
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := app.ErrorCode(err); got != code {
		t.Fatalf("code %q (%v), want %q", got, err, code)
	}
	if app.ErrorMessage(err) == "" {
		t.Fatalf("no message in %v", err)
	}
}

func TestBatchRoundTrip(t *testing.T) {
	key := newKey(t)
	b := sync.NewBatch(nodeID, testOps(t, 7, 3))
	frame, err := sync.EncodeBatch(key, b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(frame, []byte("KRZ1")) || !bytes.Equal(frame[4:36], key.Public().(ed25519.PublicKey)) {
		t.Fatalf("frame header %x", frame[:36])
	}
	pub, got, err := sync.DecodeBatch(frame)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(key.Public()) || !reflect.DeepEqual(got, b) || got.First != 7 || got.Last != 9 || got.Schema != sync.Schema {
		t.Fatalf("round trip: %+v, want %+v", got, b)
	}
}

// A bad batch is refused before it is signed.
func TestEncodeBatchRefuses(t *testing.T) {
	key := newKey(t)
	ops := testOps(t, 1, 3)
	mod := func(f func(b *sync.Batch)) sync.Batch {
		b := sync.NewBatch(nodeID, append([]app.Op(nil), ops...))
		f(&b)
		return b
	}
	for _, c := range []struct {
		name string
		b    sync.Batch
		code string
	}{
		{"Empty", sync.NewBatch(nodeID, nil), app.EINVALID},
		{"TooManyOps", sync.NewBatch(nodeID, testOps(t, 1, sync.MaxOps+1)), sync.CodeTooLarge},
		{"Gap", mod(func(b *sync.Batch) { b.Ops[2].Seq = 4; b.Last = 4 }), app.EINVALID},
		{"LastWrong", mod(func(b *sync.Batch) { b.Last = 9 }), app.EINVALID},
		{"FirstZero", sync.NewBatch(nodeID, testOps(t, 0, 2)), app.EINVALID},
		{"OtherNode", mod(func(b *sync.Batch) { b.Ops[1].Node = "other" }), app.EINVALID},
		{"NoNode", mod(func(b *sync.Batch) { b.Node = "" }), app.EINVALID},
		{"NotObject", mod(func(b *sync.Batch) { b.Ops[0].Payload = []byte(`[1]`) }), app.EINVALID},
		{"NotJSON", mod(func(b *sync.Batch) { b.Ops[0].Payload = []byte(`{"a":`) }), app.EINVALID},
		{"NoType", mod(func(b *sync.Batch) { b.Ops[0].Type = "" }), app.EINVALID},
		{"OldSchema", mod(func(b *sync.Batch) { b.Schema = 0 }), sync.CodeSchema},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := sync.EncodeBatch(key, c.b)
			wantCode(t, err, c.code)
		})
	}
	_, err := sync.EncodeBatch(key[:10], sync.NewBatch(nodeID, ops))
	wantCode(t, err, app.EINVALID)
}

// zeroBomb is a zstd frame of RLE blocks that decodes to size zero bytes
// from about size/32 768 bytes; declared puts the size in the frame header.
// windowLog sets the window the frame asks for.
func zeroBomb(size int64, declared bool, windowLog int) []byte {
	var b bytes.Buffer
	b.Write([]byte{0x28, 0xb5, 0x2f, 0xfd})
	if declared {
		b.WriteByte(0xc0) // 8-byte content size, not single segment
	} else {
		b.WriteByte(0x00)
	}
	b.WriteByte(byte(windowLog-10) << 3)
	if declared {
		binary.Write(&b, binary.LittleEndian, uint64(size))
	}
	const block = 128 << 10
	for left := size; left > 0; left -= block {
		n := min(left, block)
		h := uint32(n)<<3 | 1<<1 // RLE
		if left <= block {
			h |= 1 // last block
		}
		b.Write([]byte{byte(h), byte(h >> 8), byte(h >> 16), 0})
	}
	return b.Bytes()
}

func TestDecodeBatchRefuses(t *testing.T) {
	key := newKey(t)
	good, err := sync.EncodeBatch(key, sync.NewBatch(nodeID, testOps(t, 1, 3)))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte { f := bytes.Clone(good); f[i] ^= 1; return f }
	batchJSON := func(mod func(m map[string]any)) []byte {
		var m map[string]any
		w := struct {
			Node   string            `json:"node"`
			First  uint64            `json:"first"`
			Last   uint64            `json:"last"`
			Schema int               `json:"schema"`
			Ops    []json.RawMessage `json:"ops"`
		}{nodeID, 1, 2, sync.Schema, []json.RawMessage{
			json.RawMessage(`{"s":1,"h":5,"t":"mark_attendance","p":{"Group":"g"}}`),
			json.RawMessage(`{"s":2,"h":6,"t":"mark_attendance","p":{"Group":"g"}}`)}}
		data, _ := json.Marshal(w)
		_ = json.Unmarshal(data, &m)
		mod(m)
		data, _ = json.Marshal(m)
		return data
	}
	manyOps := func() []byte {
		var b strings.Builder
		fmt.Fprintf(&b, `{"node":%q,"first":1,"last":%d,"schema":1,"ops":[`, nodeID, sync.MaxOps+1)
		for i := 1; i <= sync.MaxOps+1; i++ {
			if i > 1 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"s":%d,"h":1,"t":"x","p":{}}`, i)
		}
		b.WriteString("]}")
		return []byte(b.String())
	}
	for _, c := range []struct {
		name  string
		frame []byte
		code  string
	}{
		{"Empty", nil, app.EINVALID},
		{"NotAFrame", []byte("hello, server"), app.EINVALID},
		{"WrongMagic", append([]byte("KRZ2"), good[4:]...), app.EINVALID},
		{"ShortHeader", good[:99], app.EINVALID},
		{"BadSignature", flip(40), sync.CodeUnauthorized},
		{"ZeroSignature", append(append(bytes.Clone(good[:36]), make([]byte, 64)...), good[100:]...), sync.CodeUnauthorized},
		{"OtherKey", flip(10), sync.CodeUnauthorized},
		{"TamperedBody", flip(len(good) - 5), sync.CodeUnauthorized},
		{"TooBig", append(bytes.Clone(good), make([]byte, sync.MaxFrame)...), sync.CodeTooLarge},
		{"CorruptZstd", signed(key, []byte("these bytes are not zstd at all")), app.EINVALID},
		{"TruncatedZstd", signed(key, good[100:len(good)-7]), app.EINVALID},
		{"NoContent", signed(key, nil), app.EINVALID},
		{"BombDeclared", signed(key, zeroBomb(1<<30, true, 20)), sync.CodeTooLarge},
		{"JustOver64MiB", signed(key, zeroBomb(sync.MaxDecompressed+1, false, 20)), sync.CodeTooLarge},
		{"HugeWindow", signed(key, zeroBomb(1<<20, false, 27)), sync.CodeTooLarge},
		{"NotJSON", rawFrame(key, []byte("\x00\x01binary"), true), app.EINVALID},
		{"JSONArray", rawFrame(key, []byte(`[1,2]`), true), app.EINVALID},
		{"TrailingData", rawFrame(key, append(batchJSON(func(map[string]any) {}), " {}"...), true), app.EINVALID},
		{"TooManyOps", rawFrame(key, manyOps(), true), sync.CodeTooLarge},
		{"FutureSchema", rawFrame(key, batchJSON(func(m map[string]any) { m["schema"] = 2 }), true), sync.CodeSchema},
		{"FutureSchemaNewShape", rawFrame(key, []byte(`{"schema":2,"ops":{"packed":"…"}}`), true), sync.CodeSchema},
		{"NoSchema", rawFrame(key, batchJSON(func(m map[string]any) { delete(m, "schema") }), true), sync.CodeSchema},
		{"Gap", rawFrame(key, batchJSON(func(m map[string]any) { m["ops"].([]any)[1].(map[string]any)["s"] = 3; m["last"] = 3 }), true), app.EINVALID},
		{"FirstAfterLast", rawFrame(key, batchJSON(func(m map[string]any) { m["first"], m["last"] = 2, 1 }), true), app.EINVALID},
		{"CountMismatch", rawFrame(key, batchJSON(func(m map[string]any) { m["last"] = 5 }), true), app.EINVALID},
		{"NoOps", rawFrame(key, batchJSON(func(m map[string]any) { m["ops"] = nil }), true), app.EINVALID},
		{"PayloadString", rawFrame(key, batchJSON(func(m map[string]any) { m["ops"].([]any)[0].(map[string]any)["p"] = "x" }), true), app.EINVALID},
		{"PayloadNull", rawFrame(key, batchJSON(func(m map[string]any) { m["ops"].([]any)[0].(map[string]any)["p"] = nil }), true), app.EINVALID},
		{"NegativeSeq", rawFrame(key, batchJSON(func(m map[string]any) { m["first"] = -1 }), true), app.EINVALID},
		{"NodeNotString", rawFrame(key, batchJSON(func(m map[string]any) { m["node"] = 5 }), true), app.EINVALID},
		{"ControlInType", rawFrame(key, batchJSON(func(m map[string]any) { m["ops"].([]any)[0].(map[string]any)["t"] = "a\nb" }), true), app.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := sync.DecodeBatch(c.frame)
			wantCode(t, err, c.code)
		})
	}
	// Unknown fields of the current schema are ignored, not refused.
	if _, _, err := sync.DecodeBatch(rawFrame(key, batchJSON(func(m map[string]any) { m["note"] = map[string]any{"a": []int{1}} }), true)); err != nil {
		t.Fatalf("unknown field: %v", err)
	}
}

func TestPageRoundTrip(t *testing.T) {
	p := store.Page{Epoch: "0123456789abcdef0123456789abcdef", Next: 42, More: false, Changes: []store.Change{
		{Kind: app.KindGroup, ID: "grp-1", Value: append([]byte{1}, `{"ID":"grp-1","Name":"Группа <1> & «2»"}`...)},
		{Kind: app.KindChild, ID: "child-1"}, // removal
	}}
	body, err := sync.EncodePage(p, "d1g357")
	if err != nil {
		t.Fatal(err)
	}
	got, digest, err := sync.DecodePage(body)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p) || digest != "d1g357" {
		t.Fatalf("round trip %+v %q, want %+v", got, digest, p)
	}
	// The digest goes only with the last page.
	p.More = true
	body, _ = sync.EncodePage(p, "d1g357")
	if _, digest, _ := sync.DecodePage(body); digest != "" {
		t.Fatalf("digest %q on a page with more to come", digest)
	}
}

func TestPageRefuses(t *testing.T) {
	enc := func(s string) []byte { return rawFrame(newKey(t), []byte(s), true)[100:] }
	for _, c := range []struct {
		name string
		body []byte
		code string
	}{
		{"Empty", nil, app.EINVALID},
		{"NotZstd", []byte("not a page"), app.EINVALID},
		{"Bomb", zeroBomb(1<<30, true, 20), sync.CodeTooLarge},
		{"TooBig", make([]byte, sync.MaxCompressed+1), sync.CodeTooLarge},
		{"NoEpoch", enc(`{"changes":[],"next":1,"more":false}`), app.EINVALID},
		{"UnknownKind", enc(`{"epoch":"e","changes":[{"k":"spaceship","i":"x","v":{}}],"next":1}`), app.EINVALID},
		{"NoID", enc(`{"epoch":"e","changes":[{"k":"group","v":{}}],"next":1}`), app.EINVALID},
		{"ValueNotObject", enc(`{"epoch":"e","changes":[{"k":"group","i":"g","v":[1]}],"next":1}`), app.EINVALID},
		{"ChangesNotList", enc(`{"epoch":"e","changes":{"k":"group"},"next":1}`), app.EINVALID},
		{"Trailing", enc(`{"epoch":"e","changes":[],"next":1} x`), app.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := sync.DecodePage(c.body)
			wantCode(t, err, c.code)
		})
	}
	if _, err := sync.EncodePage(store.Page{Epoch: "e", Changes: []store.Change{{Kind: app.KindGroup, ID: "g", Value: []byte(`{}`)}}}, ""); app.ErrorCode(err) != app.EINTERNAL {
		t.Fatalf("a value without the codec byte: %v", err)
	}
}

func TestCursor(t *testing.T) {
	for _, c := range []struct {
		in    string
		epoch string
		seq   uint64
		ok    bool
	}{
		{"abc:12", "abc", 12, true}, {":0", "", 0, true}, {"0", "", 0, true}, {"7", "", 7, true},
		{"abc:", "", 0, false}, {"abc:-1", "", 0, false}, {"", "", 0, false}, {"a\nb:1", "", 0, false},
	} {
		e, s, err := sync.ParseCursor(c.in)
		if (err == nil) != c.ok || c.ok && (e != c.epoch || s != c.seq) {
			t.Errorf("ParseCursor(%q) = %q %d %v", c.in, e, s, err)
		}
		if c.ok && c.epoch != "" && sync.FormatCursor(e, s) != c.in {
			t.Errorf("FormatCursor(%q, %d) = %q", e, s, sync.FormatCursor(e, s))
		}
	}
}

func TestHTTPStatus(t *testing.T) {
	for code, want := range map[string]int{app.EINVALID: 400, app.SCOPE_FORBIDDEN: 403, app.ENOTFOUND: 404,
		app.ECONFLICT: 409, app.EINTERNAL: 500, sync.CodeTooLarge: 413, sync.CodeUnauthorized: 401,
		sync.CodeEpochChanged: 409, sync.CodeNeedFrom: 409, sync.CodeSchema: 400, app.BALANCE_CHANGED: 422} {
		if got := sync.HTTPStatus(code); got != want {
			t.Errorf("HTTPStatus(%s) = %d, want %d", code, got, want)
		}
	}
}
