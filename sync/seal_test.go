package sync_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/hpke"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

// sealedChildren are the personal data a municipality node writes before it
// exports: none of it may show in the batch file's bytes.
var sealedChildren = []struct{ last, first, guardian, phone string }{
	{"Кузнецова", "Алёна", "Кузнецова Ирина Павловна", "+7 918 123-45-67"},
	{"Ёлкин", "Пётр", "Ёлкина Наталья Сергеевна", "+7 928 765-43-21"},
	{"Шевчук", "Мирон", "Шевчук Ольга Андреевна", "+7 962 404-04-04"},
}

// sealedNode joins a municipality node and registers sealedChildren on it,
// offline: they wait in its outbox.
func sealedNode(t *testing.T, w *world) *node {
	t.Helper()
	mun := w.join(app.MunicipalityScope("27"))
	for i, c := range sealedChildren {
		cmd := childCmd(fmt.Sprintf("child-sealed-%d", i), "27")
		cmd.Child.LastName, cmd.Child.FirstName = c.last, c.first
		cmd.Child.GuardianName, cmd.Child.GuardianPhone = c.guardian, c.phone
		mun.must(cmd)
	}
	return mun
}

// personal is every string of sealedChildren a thief could search the file
// for: as written, lower-cased, and a phone's digits alone.
func personal() []string {
	var out []string
	for _, c := range sealedChildren {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, c.phone)
		for _, s := range []string{c.last, c.first, c.guardian, c.phone, digits[1:]} {
			out = append(out, s, strings.ToLower(s))
		}
	}
	return out
}

// A sealed batch file holds no child's name or phone in any form a thief of
// the stick could read; the same ops in the frame inside do.
func TestSealedBatchFileHidesPersonalData(t *testing.T) {
	w := newWorld(t)
	mun := sealedNode(t, w)
	sealed, b, err := sync.ExportSealed(mun.db, mun.key())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sealed, []byte("KRZS")) || len(b.Ops) != len(sealedChildren) {
		t.Fatalf("sealed file %q…, %d ops", sealed[:4], len(b.Ops))
	}
	lower := bytes.ToLower(sealed)
	for _, s := range personal() {
		if bytes.Contains(sealed, []byte(s)) || bytes.Contains(lower, []byte(strings.ToLower(s))) {
			t.Errorf("the sealed file shows %q", s)
		}
	}
	// The test has teeth: the server opens it and finds them.
	pub, opened, err := sync.OpenSealedBatch(w.seal, sealed)
	if err != nil || !pub.Equal(mun.key().Public()) {
		t.Fatalf("server opens: %v", err)
	}
	var text strings.Builder
	for _, op := range opened.Ops {
		text.Write(op.Payload)
	}
	for _, c := range sealedChildren {
		if !strings.Contains(text.String(), c.last) || !strings.Contains(text.String(), c.phone) {
			t.Fatalf("the opened batch lacks %s %s", c.last, c.phone)
		}
	}
}

// A sealed file delivered by a machine that is no node at all (a plain
// HTTP client, as `sync --deliver` is) is applied once, and the node's next
// sync gets the results.
func TestSealedBatchDeliveredByAnotherMachine(t *testing.T) {
	w := newWorld(t)
	mun := sealedNode(t, w)
	sealed, _, err := sync.ExportSealed(mun.db, mun.key())
	if err != nil {
		t.Fatal(err)
	}
	pub, recipient, err := sync.SealedHeader(sealed)
	if err != nil || !pub.Equal(mun.key().Public()) || recipient != w.seal.Recipient() {
		t.Fatalf("clear header: %x %s %v", pub, recipient, err)
	}
	for i := 0; i < 2; i++ { // a second delivery is a harmless retry
		reply, err := sync.Deliver(context.Background(), w.ts.Client(), w.ts.URL, sealed)
		if err != nil || reply.AckedThrough != uint64(len(sealedChildren)) || len(reply.Results) != len(sealedChildren) {
			t.Fatalf("delivery %d: %+v %v", i, reply, err)
		}
		for _, r := range reply.Results {
			if r.Status != store.StatusApplied {
				t.Fatalf("delivery %d: %+v", i, r)
			}
		}
	}
	c := get[app.Child](t, w.db, "child-sealed-1")
	if c.LastName != "Ёлкин" || c.GuardianPhone != "+7 928 765-43-21" {
		t.Fatalf("server has %+v", c)
	}
	if rep := mun.sync(); rep.Applied != len(sealedChildren) || rep.Rejected != 0 || !rep.DigestMatch {
		t.Fatalf("node sync after delivery %+v", rep)
	}
	mun.exactlyOnce()
	w.checkClean()
}

// deliverCode posts body to /v1/deliver and returns the status and the
// reply's code.
func deliverCode(t *testing.T, w *world, body []byte) (int, string) {
	t.Helper()
	_, err := sync.Deliver(context.Background(), w.ts.Client(), w.ts.URL, body)
	if err == nil {
		return http.StatusOK, ""
	}
	code := app.ErrorCode(err)
	return sync.HTTPStatus(code), code
}

// A changed byte anywhere in a sealed file, in the clear header or the
// ciphertext, refuses it and applies nothing.
func TestSealedBatchTampered(t *testing.T) {
	w := newWorld(t)
	mun := sealedNode(t, w)
	other := w.join(app.ProviderScope(w.A.ID))
	sealed, _, err := sync.ExportSealed(mun.db, mun.key())
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 1
		return b
	}
	swapKey := bytes.Clone(sealed)
	copy(swapKey[4:36], other.key().Public().(ed25519.PublicKey))
	for _, c := range []struct {
		name string
		body []byte
		code string
	}{
		{"NodeKeyOfAnotherNode", swapKey, sync.CodeUnauthorized},
		{"EncapsulatedKey", flip(70), sync.CodeUnauthorized},
		{"Ciphertext", flip(len(sealed) / 2), sync.CodeUnauthorized},
		{"Tag", flip(len(sealed) - 1), sync.CodeUnauthorized},
		{"Truncated", sealed[:len(sealed)-20], sync.CodeUnauthorized},
		{"HeaderOnly", sealed[:100], app.EINVALID},
		{"Recipient", flip(40), app.ECONFLICT},
		{"Magic", flip(0), app.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			if status, code := deliverCode(t, w, c.body); code != c.code || status != sync.HTTPStatus(c.code) {
				t.Fatalf("status %d code %s, want %s", status, code, c.code)
			}
		})
	}
	if acked, err := w.db.Acked(mun.db.Node()); err != nil || acked != 0 {
		t.Fatalf("acked %d %v after tampered files", acked, err)
	}
	if _, b, err := sync.OpenSealedBatch(w.seal, flip(len(sealed)/2)); sync.CodeUnauthorized != app.ErrorCode(err) || b.Ops != nil {
		t.Fatalf("OpenSealedBatch of a changed file: %v", err)
	}
}

// A file sealed to another server's key is refused with CONFLICT and a
// message that says so, before anything is decrypted.
func TestSealedBatchForAnotherServer(t *testing.T) {
	w := newWorld(t)
	mun := sealedNode(t, w)
	frame, err := sync.ExportBatch(mun.db, mun.key())
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := sync.NewSealKey()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := sync.SealBatch(stranger.Recipient(), frame)
	if err != nil {
		t.Fatal(err)
	}
	opens := sync.SealOpens()
	_, err = sync.Deliver(context.Background(), w.ts.Client(), w.ts.URL, sealed)
	if app.ErrorCode(err) != app.ECONFLICT || !strings.Contains(app.ErrorMessage(err), "для другого сервера") {
		t.Fatalf("another server's file: %v", err)
	}
	if n := sync.SealOpens() - opens; n != 0 {
		t.Fatalf("%d decryptions of another server's file", n)
	}
	if _, _, err := sync.OpenSealed(w.seal, sealed); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("OpenSealed: %v", err)
	}
}

// The node's key in clear is judged before a byte is decrypted, even before
// the body is read: an unknown key is 401 and a revoked one 403, with no
// decryption, also when the body announced is the largest there is.
func TestSealedBatchKeyCheckedBeforeDecryption(t *testing.T) {
	w := newWorld(t)
	mun := sealedNode(t, w)
	frame, err := sync.ExportBatch(mun.db, mun.key())
	if err != nil {
		t.Fatal(err)
	}
	stranger := newKey(t)
	inner, err := sync.EncodeBatch(stranger, sync.NewBatch("node-nobody", []app.Op{{Node: "node-nobody", Seq: 1, HLC: 1,
		Type: "open_group", Payload: []byte(`{}`)}}))
	if err != nil {
		t.Fatal(err)
	}
	unknown, err := sync.SealBatch(w.seal.Recipient(), inner)
	if err != nil {
		t.Fatal(err)
	}
	opens := sync.SealOpens()
	if status, code := deliverCode(t, w, unknown); status != http.StatusUnauthorized || code != sync.CodeUnauthorized {
		t.Fatalf("unknown key: %d %s", status, code)
	}
	// A huge body behind the unknown header: answered after the header.
	huge := io.MultiReader(bytes.NewReader(unknown[:100]), io.LimitReader(zeros{}, int64(sync.MaxSealed-100)))
	req, err := http.NewRequest(http.MethodPost, w.ts.URL+"/v1/deliver", huge)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(sync.MaxSealed)
	if resp, err := w.ts.Client().Do(req); err == nil {
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("huge body of an unknown key: %d", resp.StatusCode)
		}
	} // else the server closed the connection mid-body, which is also a refusal
	if n := sync.SealOpens() - opens; n != 0 {
		t.Fatalf("%d decryptions for an unknown key", n)
	}

	// A node's own file, sealed, with the key in clear of a revoked node.
	sealed, err := sync.SealBatch(w.seal.Recipient(), frame)
	if err != nil {
		t.Fatal(err)
	}
	w.must(&app.RevokeNode{Node: mun.db.Node()})
	if status, code := deliverCode(t, w, sealed); status != http.StatusForbidden || code != app.SCOPE_FORBIDDEN {
		t.Fatalf("revoked node: %d %s", status, code)
	}
	if n := sync.SealOpens() - opens; n != 0 {
		t.Fatalf("%d decryptions for a revoked node", n)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// sealRaw seals frame to the server's key with clear header pub, which need
// not be the frame's own: what a forger with the public recipient can make.
func sealRaw(t *testing.T, recipient string, pub ed25519.PublicKey, frame []byte) []byte {
	t.Helper()
	rb, _ := hex.DecodeString(recipient)
	xpub, err := ecdh.X25519().NewPublicKey(rb)
	if err != nil {
		t.Fatal(err)
	}
	hpub, err := hpke.NewDHKEMPublicKey(xpub)
	if err != nil {
		t.Fatal(err)
	}
	head := append(append([]byte("KRZS"), pub...), rb...)
	enc, s, err := hpke.NewSender(hpub, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), append([]byte("kruzhok sealed batch v1\x00"), head...))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := s.Seal(nil, frame)
	if err != nil {
		t.Fatal(err)
	}
	return append(append(head, enc...), ct...)
}

// Anyone can seal to the server's public key; a file whose clear key is an
// active node's but whose frame inside another node signed is refused
// SCOPE_FORBIDDEN, and nothing of either node is applied.
func TestSealedBatchInnerKeyMustMatch(t *testing.T) {
	w := newWorld(t)
	mun := sealedNode(t, w)
	a := w.join(app.ProviderScope(w.A.ID))
	a.must(groupCmd("grp-forged", w.A.Mod))
	frame, err := sync.ExportBatch(a.db, a.key())
	if err != nil {
		t.Fatal(err)
	}
	// The format is what SealBatch writes: the same header opens.
	good := sealRaw(t, w.seal.Recipient(), a.key().Public().(ed25519.PublicKey), frame)
	if _, b, err := sync.OpenSealedBatch(w.seal, good); err != nil || len(b.Ops) != 1 {
		t.Fatalf("hand-sealed file: %v", err)
	}
	forged := sealRaw(t, w.seal.Recipient(), mun.key().Public().(ed25519.PublicKey), frame)
	if status, code := deliverCode(t, w, forged); code != app.SCOPE_FORBIDDEN || status != http.StatusForbidden {
		t.Fatalf("forged: %d %s", status, code)
	}
	for _, n := range []*node{a, mun} {
		if acked, err := w.db.Acked(n.db.Node()); err != nil || acked != 0 {
			t.Fatalf("acked %d %v", acked, err)
		}
	}
}

// A node that joined before sealed files has no server key: export says,
// in Russian, to sync online once; after one sync it exports sealed.
func TestExportSealedNeedsServerKey(t *testing.T) {
	w := newWorld(t)
	mun := sealedNode(t, w)
	cfg, err := mun.db.SyncConfig()
	if err != nil || cfg.SealRecipient != w.seal.Recipient() {
		t.Fatalf("joined node's config %+v %v", cfg, err)
	}
	cfg.SealRecipient = ""
	if err := mun.db.SetSyncConfig(cfg); err != nil {
		t.Fatal(err)
	}
	_, _, err = sync.ExportSealed(mun.db, mun.key())
	if app.ErrorCode(err) != app.ENOTFOUND || !strings.Contains(app.ErrorMessage(err), "kruzhok sync --once") {
		t.Fatalf("export without a server key: %v", err)
	}
	mun.must(childCmd("child-late", "27"))
	if rep := mun.sync(); !rep.DigestMatch {
		t.Fatalf("sync %+v", rep)
	}
	if cfg, _ := mun.db.SyncConfig(); cfg.SealRecipient != w.seal.Recipient() {
		t.Fatalf("after a sync the node has %q", cfg.SealRecipient)
	}
	mun.must(childCmd("child-later", "27"))
	if _, _, err := sync.ExportSealed(mun.db, mun.key()); err != nil {
		t.Fatal(err)
	}
}

// The server's seal key is made once, mode 0600 in a 0700 directory, and
// the same key is loaded after.
func TestLoadOrCreateSealKey(t *testing.T) {
	data := filepath.Join(t.TempDir(), "server.db")
	k1, err := sync.LoadOrCreateSealKey(data)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(sync.SealKeyFile(data))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v %v", st, err)
	}
	if dir, err := os.Stat(filepath.Dir(sync.SealKeyFile(data))); err != nil || dir.Mode().Perm() != 0o700 {
		t.Fatalf("key dir %v %v", dir, err)
	}
	k2, err := sync.LoadOrCreateSealKey(data)
	if err != nil || k2.Recipient() != k1.Recipient() {
		t.Fatalf("reloaded %v", err)
	}
	if _, err := sync.ParseRecipient(k1.Recipient()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sync.SealKeyFile(data), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sync.LoadOrCreateSealKey(data); err == nil {
		t.Fatal("a damaged key file loaded")
	}
}

// /v1/health gives the recipient to any node, like the join reply.
func TestHealthCarriesRecipient(t *testing.T) {
	w := newWorld(t)
	resp, err := w.ts.Client().Get(w.ts.URL + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), `"seal_recipient":"`+w.seal.Recipient()+`"`) {
		t.Fatalf("health %s", body)
	}
}
