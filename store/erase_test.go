package store_test

import (
	"bytes"
	"strings"
	"testing"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// RULES.md §10: an erase_child from the child's municipality, after a sync,
// leaves the child's name, SNILS, guardian and phone in no op payload of the
// server's journal (decoded, and as bytes of every decompressed batch), of
// the server's outbox, of the municipality's node or of the provider's node
// that saw the child; both nodes hold the anonymous record, and every check
// (the journal's among them) passes.
func TestEraseChildScrubsPayloads(t *testing.T) {
	w := newRegion(t)
	mun := w.join("mun.db", app.MunicipalityScope("27"))
	prov := w.join("prov.db", app.ProviderScope(w.Prov))
	w.sync(mun)
	w.sync(prov)

	reg := w.childCmd("27")
	reg.Child.LastName, reg.Child.SNILS, reg.Child.GuardianPhone = "Эрзянова", "112-233-445 95", "+7 918 765-43-21"
	child := reg.Child.ID
	cert, code := w.id("cert"), "KXR7M2PQ"
	w.must(mun.db, reg)
	w.must(mun.db, &app.IssueCertificate{ID: cert, Child: child, CodeHash: app.CodeHash(cert, code)})
	upd := reg.Child
	upd.FirstName = "Ирина"
	w.must(mun.db, &app.UpdateChild{Child: upd})
	// The server's own register_child of another child of the same surname
	// stays: only the erased child's payloads go.
	other := w.childCmd("27")
	other.Child.LastName = "Эрзянова"
	w.must(w.server, other)
	w.sync(mun)
	number := getRec[app.Certificate](t, w.server, cert).Number

	// The provider finds the child by number and code, sees it, and
	// changes the guardian's phone.
	w.must(prov.db, &app.ApplyChild{Number: number, Code: code, Provider: w.Prov})
	w.sync(prov)
	w.must(prov.db, &app.SetGuardianPhone{Child: child, Phone: "+7 918 111-22-33"})
	w.sync(prov)
	if ch := getRec[app.Child](t, prov.db, child); ch.LastName != "Эрзянова" {
		t.Fatalf("the provider does not see the child: %+v", ch)
	}

	// A node that skips its own checks pushes a phone the server refuses;
	// the refusal quotes it.
	rogue := w.join("rogue.db", app.MunicipalityScope("27"))
	_, rs, _, err := w.server.ApplyRemote(rogue.n, []app.Op{{Node: rogue.n.ID, Seq: 1, HLC: 1, Type: "set_guardian_phone",
		Payload: []byte(`{"Child":"` + child + `","Phone":"+7 918 765-43-21 доб. Эрзянова"}`)}})
	if err != nil || len(rs) != 1 || rs[0].Code != app.EINVALID || !strings.Contains(rs[0].Message, "765-43-21") {
		t.Fatalf("the rogue push: %+v, %v", rs, err)
	}

	w.must(mun.db, &app.EraseChild{Child: child})
	var js []store.JournalEntry
	for _, r := range w.sync(mun) {
		if r.Status != store.StatusApplied {
			t.Fatalf("push after erasure: %+v", r)
		}
	}
	w.sync(prov)
	w.converged(mun)
	w.converged(prov)

	secrets := []string{"Эрзянова", "112-233-445 95", "765-43-21", "111-22-33", "Петрова Анна", app.CodeHash(cert, code)}
	leaks := func(where string, b []byte) {
		t.Helper()
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q: %.300s", where, s, b)
			}
		}
	}
	js, err = w.server.Journal(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	erased := false
	for _, e := range js {
		if strings.Contains(string(e.Op.Payload), child) {
			leaks("journal op "+e.Op.Type, e.Op.Payload)
			leaks("journal result "+e.Op.Type, []byte(e.Result.Message+e.Result.Detail))
		}
		erased = erased || e.Op.Type == "erase_child" && e.Result.Status == store.StatusApplied
	}
	if !erased {
		t.Fatal("the journal holds no applied erase_child")
	}
	// The other child's register_child, by the server's own Exec, is no
	// journal entry; its outbox op keeps the name.
	err = w.server.Bolt().View(func(tx *bbolt.Tx) error {
		err := tx.Bucket([]byte("results")).ForEach(func(k, v []byte) error {
			leaks("stored result", v)
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket([]byte("journal")).ForEach(func(k, v []byte) error {
			plain, err := store.DecompressJournal(v)
			if err != nil {
				return err
			}
			leaks("journal batch", plain)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, db := range map[string]*store.DB{"server": w.server, "municipality": mun.db, "provider": prov.db} {
		ops, err := db.Outbox(1, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			if strings.Contains(string(op.Payload), child) {
				leaks(name+" outbox "+op.Type, op.Payload)
			}
		}
		ch := getRec[app.Child](t, db, child)
		if ch.Erased.IsZero() || ch.LastName != "" || ch.SNILS != "" || ch.GuardianPhone != "" || ch.Municipality != "27" {
			t.Errorf("%s: child %+v, want the anonymous record", name, ch)
		}
	}
	if got := getRec[app.Child](t, w.server, other.Child.ID); got.LastName != "Эрзянова" {
		t.Errorf("the other child lost its name: %+v", got)
	}
	// The erased child's payloads still decode: an audit reads them.
	for _, e := range js {
		if _, err := store.DecodeCommand(e.Op.Type, e.Op.Payload); err != nil {
			t.Errorf("journal op %d %s: %v", e.Op.Seq, e.Op.Type, err)
		}
	}
	mustClean(t, w.server)
}
