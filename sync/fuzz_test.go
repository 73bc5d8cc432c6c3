package sync_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

// fuzzKey signs what the fuzzers feed past the signature check.
var fuzzKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// FuzzDecodeBatch feeds outside bytes to DecodeBatch three ways: as a whole
// frame, as the signed compressed body, and as the signed JSON, so the fuzzer
// reaches every stage. It must never panic; an error must carry a code and a
// message; a batch it accepts must keep every invariant and encode again.
func FuzzDecodeBatch(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) {
		check := func(frame []byte) {
			pub, b, err := sync.DecodeBatch(frame)
			if err != nil {
				if app.ErrorCode(err) == app.EINTERNAL || app.ErrorMessage(err) == "" {
					t.Fatalf("error without a code or message: %v", err)
				}
				return
			}
			if len(pub) != ed25519.PublicKeySize || b.Schema != sync.Schema || len(b.Ops) == 0 || len(b.Ops) > sync.MaxOps ||
				b.First == 0 || b.Last != b.First+uint64(len(b.Ops)-1) {
				t.Fatalf("accepted a bad batch: %d ops %d…%d schema %d", len(b.Ops), b.First, b.Last, b.Schema)
			}
			for i, op := range b.Ops {
				if op.Seq != b.First+uint64(i) || op.Node != b.Node || op.Type == "" || !bytes.HasPrefix(bytes.TrimLeft(op.Payload, " \t\r\n"), []byte("{")) {
					t.Fatalf("accepted a bad op %+v", op)
				}
			}
			again, err := sync.EncodeBatch(fuzzKey, b)
			if app.ErrorCode(err) == sync.CodeTooLarge {
				return
			} else if err != nil {
				t.Fatalf("an accepted batch does not encode: %v", err)
			}
			if _, b2, err := sync.DecodeBatch(again); err != nil || len(b2.Ops) != len(b.Ops) || b2.Node != b.Node {
				t.Fatalf("re-encoded batch: %v", err)
			}
		}
		check(in)
		check(signed(fuzzKey, in))
		check(rawFrame(fuzzKey, in, true))
	})
}

// fuzzSeal is the server key the sealed-file fuzzer opens with: fixed, so
// the seed corpus of testdata/fuzz opens on every run.
var fuzzSeal = sync.SealKeyOf(bytes.Repeat([]byte{9}, 32))

// FuzzOpenSealed feeds outside bytes to the sealed-file decoder two ways:
// as a whole file, and as the frame inside a file sealed to the fuzz key, so
// the fuzzer reaches the frame's checks too. It must never panic; an error
// must carry a code and a message; a file it opens must have the key in
// clear that signed the frame, and open exactly as DecodeBatch judges the
// frame alone.
func FuzzOpenSealed(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) {
		pub, b, err := sync.OpenSealedBatch(fuzzSeal, in)
		if err != nil {
			if app.ErrorCode(err) == app.EINTERNAL || app.ErrorMessage(err) == "" {
				t.Fatalf("error without a code or message: %v", err)
			}
		} else if hdr, rcpt, herr := sync.SealedHeader(in); herr != nil || !hdr.Equal(pub) || rcpt != fuzzSeal.Recipient() ||
			len(b.Ops) == 0 {
			t.Fatalf("opened a file whose header says %x %s (%v), %d ops", hdr, rcpt, herr, len(b.Ops))
		}
		sealed, err := sync.SealBatch(fuzzSeal.Recipient(), in)
		if err != nil {
			if app.ErrorCode(err) == app.EINTERNAL || app.ErrorMessage(err) == "" {
				t.Fatalf("seal: error without a code or message: %v", err)
			}
			return
		}
		pub1, b1, err1 := sync.DecodeBatch(in)
		pub2, b2, err2 := sync.OpenSealedBatch(fuzzSeal, sealed)
		if app.ErrorCode(err1) != app.ErrorCode(err2) || (err1 == nil && (!pub1.Equal(pub2) || len(b1.Ops) != len(b2.Ops) || b1.Node != b2.Node)) {
			t.Fatalf("sealed frame opens as %v, the frame alone as %v", err2, err1)
		}
	})
}

// FuzzDecodePage feeds outside bytes to DecodePage as a reply body and as its
// JSON. It must never panic; a page it accepts must encode again to the same page.
func FuzzDecodePage(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) {
		check := func(body []byte) {
			p, digest, err := sync.DecodePage(body)
			if err != nil {
				if app.ErrorCode(err) == app.EINTERNAL || app.ErrorMessage(err) == "" {
					t.Fatalf("error without a code or message: %v", err)
				}
				return
			}
			again, err := sync.EncodePage(p, digest)
			if app.ErrorCode(err) == sync.CodeTooLarge {
				return
			} else if err != nil {
				t.Fatalf("an accepted page does not encode: %v", err)
			}
			p2, d2, err := sync.DecodePage(again)
			if err != nil || p2.Epoch != p.Epoch || p2.Next != p.Next || p2.More != p.More || len(p2.Changes) != len(p.Changes) ||
				(!p.More && d2 != digest) {
				t.Fatalf("re-encoded page differs: %v", err)
			}
			for i, c := range p.Changes {
				if c.Kind != p2.Changes[i].Kind || c.ID != p2.Changes[i].ID || (c.Value == nil) != (p2.Changes[i].Value == nil) {
					t.Fatalf("change %d: %+v, again %+v", i, c, p2.Changes[i])
				}
			}
		}
		check(in)
		enc, _ := zstd.NewWriter(nil)
		check(enc.EncodeAll(in, nil))
	})
}

// TestWriteFuzzCorpus writes the seed corpora of the fuzz targets to
// testdata/fuzz; run it with KRUZHOK_WRITE_CORPUS=1 after a wire change.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("KRUZHOK_WRITE_CORPUS") == "" {
		t.Skip("set KRUZHOK_WRITE_CORPUS=1 to rewrite testdata/fuzz")
	}
	write := func(target, name string, data []byte) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	frame := func(ops []app.Op) []byte {
		b, err := sync.EncodeBatch(fuzzKey, sync.NewBatch(nodeID, ops))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	one, three := frame(testOps(t, 1, 1)), frame(testOps(t, 41, 3))
	write("FuzzDecodeBatch", "valid-one-op", one)
	write("FuzzDecodeBatch", "valid-three-ops", three)
	write("FuzzDecodeBatch", "valid-body", three[100:])
	write("FuzzDecodeBatch", "bad-signature", append(bytes.Clone(three[:99]), append([]byte{three[99] ^ 1}, three[100:]...)...))
	write("FuzzDecodeBatch", "truncated", three[:len(three)-9])
	write("FuzzDecodeBatch", "declared-bomb", signed(fuzzKey, zeroBomb(1<<30, true, 20)[:64]))
	write("FuzzDecodeBatch", "huge-window", zeroBomb(1<<20, false, 27))
	ops := `[{"s":1,"h":5,"t":"mark_attendance","p":{"Group":"g","Date":739920,"Start":900,"Child":"c","Mark":"present"}},{"s":2,"h":6,"t":"cancel_lesson","p":{"Group":"g"}}]`
	write("FuzzDecodeBatch", "json-valid", []byte(`{"node":"n-1","first":1,"last":2,"schema":1,"ops":`+ops+`}`))
	write("FuzzDecodeBatch", "json-future-schema", []byte(`{"node":"n-1","first":1,"last":2,"schema":2,"ops":`+ops+`}`))
	write("FuzzDecodeBatch", "json-gap", []byte(`{"node":"n-1","first":1,"last":2,"schema":1,"ops":`+strings.Replace(ops, `"s":2`, `"s":3`, 1)+`}`))
	write("FuzzDecodeBatch", "json-payload-array", []byte(`{"node":"n-1","first":1,"last":1,"schema":1,"ops":[{"s":1,"h":1,"t":"x","p":[]}]}`))
	write("FuzzDecodeBatch", "json-nested", []byte(`{"node":"n","x":{"y":[[[[{}]]]]},"first":1,"last":1,"schema":1,"ops":[{"s":1,"t":"x","p":{"a":{"b":null}}}]}`))

	seal := func(frame []byte) []byte {
		b, err := sync.SealBatch(fuzzSeal.Recipient(), frame)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sealedThree := seal(three)
	write("FuzzOpenSealed", "valid-one-op", seal(one))
	write("FuzzOpenSealed", "valid-three-ops", sealedThree)
	write("FuzzOpenSealed", "frame-three-ops", three)
	write("FuzzOpenSealed", "changed-ciphertext", append(bytes.Clone(sealedThree[:150]), append([]byte{sealedThree[150] ^ 1}, sealedThree[151:]...)...))
	write("FuzzOpenSealed", "changed-node-key", append(bytes.Clone(sealedThree[:4]), append([]byte{sealedThree[4] ^ 1}, sealedThree[5:]...)...))
	write("FuzzOpenSealed", "other-recipient", func() []byte {
		other, err := sync.NewSealKey()
		if err != nil {
			t.Fatal(err)
		}
		b, err := sync.SealBatch(other.Recipient(), three)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}())
	write("FuzzOpenSealed", "truncated", sealedThree[:len(sealedThree)-9])
	write("FuzzOpenSealed", "header-only", sealedThree[:100])
	write("FuzzOpenSealed", "sealed-bomb", seal(signed(fuzzKey, zeroBomb(1<<30, true, 20)[:64])))

	page := func(p store.Page, digest string) []byte {
		b, err := sync.EncodePage(p, digest)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	changes := []store.Change{
		{Kind: app.KindGroup, ID: "grp-1", Value: append([]byte{1}, `{"ID":"grp-1","Name":"Группа","Capacity":20}`...)},
		{Kind: app.KindChild, ID: "child-1"},
		{Kind: app.KindLesson, ID: "grp-1|2026-11-03|0900", Value: append([]byte{1}, `{"ID":"grp-1|2026-11-03|0900","Marks":{"c":"present"}}`...)},
	}
	write("FuzzDecodePage", "valid-last", page(store.Page{Epoch: "0123456789abcdef0123456789abcdef", Changes: changes, Next: 9}, "ab12"))
	write("FuzzDecodePage", "valid-more", page(store.Page{Epoch: "e", Changes: changes[:1], Next: 3, More: true}, ""))
	write("FuzzDecodePage", "valid-empty", page(store.Page{Epoch: "e", Next: 3}, "ab12"))
	write("FuzzDecodePage", "declared-bomb", zeroBomb(1<<30, true, 20)[:64])
	write("FuzzDecodePage", "json-valid", []byte(`{"epoch":"e","changes":[{"k":"group","i":"g","v":{"ID":"g"}},{"k":"child","i":"c"}],"next":2,"more":false,"digest":"d"}`))
	write("FuzzDecodePage", "json-unknown-kind", []byte(`{"epoch":"e","changes":[{"k":"ufo","i":"g","v":{}}],"next":2}`))
	write("FuzzDecodePage", "json-null-value", []byte(`{"epoch":"e","changes":[{"k":"group","i":"g","v":null}],"next":2,"more":true}`))
}

// The corpus keeps its valid frames valid: a wire change that breaks them
// must rewrite the corpus.
func TestFuzzCorpusHoldsValidFrames(t *testing.T) {
	for _, name := range []string{"valid-one-op", "valid-three-ops"} {
		data, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzDecodeBatch", name))
		if err != nil {
			t.Fatal(err)
		}
		var frame []byte
		if _, err := fmt.Sscanf(strings.TrimPrefix(string(data), "go test fuzz v1\n"), "[]byte(%q)", &frame); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pub, b, err := sync.DecodeBatch(frame)
		if err != nil || !pub.Equal(fuzzKey.Public()) || !reflect.DeepEqual(b.Ops[0].Payload, testOps(t, 1, 1)[0].Payload) {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// FuzzServerPush feeds outside bytes to the push and delivery handlers: the
// body, and the signed headers of a push made from the input (key, time,
// body hash, signature), so that the fuzzer reaches both the header check
// and the frame behind it. The server must never panic or answer 5xx, and
// every refusal carries a code.
func FuzzServerPush(f *testing.F) {
	db, err := store.Open(filepath.Join(f.TempDir(), "server.db"), store.Options{NoSync: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	// fuzzKey is a joined node's, so that signed frames reach the decoder.
	hash := sync.InviteHash("fuzz")
	for _, c := range []app.Command{&app.CreateInvite{Hash: hash, Scope: app.ScopeRegion},
		&app.JoinNode{Hash: hash, Node: nodeID, Key: hex.EncodeToString(fuzzKey.Public().(ed25519.PublicKey))}} {
		if _, err := db.Exec(c); err != nil {
			f.Fatal(err)
		}
	}
	h := sync.NewServer(db, nil).Handler()
	good, err := sync.EncodeBatch(fuzzKey, sync.NewBatch(nodeID, testOps(f, 1, 1)))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, "", "", "", "", false)
	f.Add(good, "sign", "", "", "", false)
	f.Add(good, "sign", "", "", "", true)
	f.Add([]byte("KRZ1"), "", "zz", "-1", "00", true)
	f.Add(zeroBomb(1<<20, false, 20), "sign", "", "", "", false)
	f.Fuzz(func(t *testing.T, body []byte, sign, key, unix, hash string, deliver bool) {
		path := "/v1/push"
		if deliver {
			path = "/v1/deliver"
		}
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		if sign == "sign" {
			sync.SignPush(req, fuzzKey, body, time.Now())
		} else {
			req.Header.Set(sync.HeaderKey, key)
			req.Header.Set(sync.HeaderTime, unix)
			req.Header.Set(sync.HeaderBody, hash)
			req.Header.Set(sync.HeaderSig, sign)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s answered %d: %s", path, rec.Code, rec.Body.String())
		}
		if rec.Code == http.StatusOK {
			return
		}
		var e struct{ Code, Message string }
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.Message == "" {
			t.Fatalf("%s answered %d without a code: %s", path, rec.Code, rec.Body.String())
		}
	})
}
