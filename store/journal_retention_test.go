package store_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// Journal retention (docs/SYNC.md): ScrubJournal leaves no surname, SNILS,
// phone, guardian or code hash in the payloads or the results of the batches
// older than its bound, and keeps their node, seq, HLC, type, time and result
// status; younger batches stay as they were; a retried old push is answered
// as before from the stored results; a second run rewrites nothing; Check
// passes.
func TestScrubJournalRetention(t *testing.T) {
	w := newRegion(t)
	mun := w.join("mun.db", app.MunicipalityScope("27"))
	w.sync(mun)

	reg := w.childCmd("27")
	reg.Child.LastName, reg.Child.SNILS, reg.Child.GuardianPhone = "Эрзянова", "112-233-445 95", "+7 918 765-43-21"
	cert, code := w.id("cert"), "KXR7M2PQ"
	w.must(mun.db, reg)
	w.must(mun.db, &app.IssueCertificate{ID: cert, Child: reg.Child.ID, CodeHash: app.CodeHash(cert, code)})
	w.must(mun.db, &app.SetGuardianPhone{Child: reg.Child.ID, Phone: "+7 918 111-22-33"})
	w.sync(mun)
	// A refusal that quotes what the op sent.
	rogue := w.join("rogue.db", app.MunicipalityScope("27"))
	bad := []app.Op{{Node: rogue.n.ID, Seq: 1, HLC: 1, Type: "set_guardian_phone",
		Payload: []byte(`{"Child":"` + reg.Child.ID + `","Phone":"+7 918 765-43-21 доб. Эрзянова"}`)}}
	_, rs, _, err := w.server.ApplyRemote(rogue.n, bad)
	if err != nil || len(rs) != 1 || rs[0].Code != app.EINVALID || !strings.Contains(rs[0].Message, "765-43-21") {
		t.Fatalf("the rogue push: %+v, %v", rs, err)
	}

	// A push a day over the retention later.
	w.now = w.now.AddDate(0, 0, store.JournalPayloadDays+1)
	cut := w.now.AddDate(0, 0, -store.JournalPayloadDays)
	young := w.childCmd("27")
	young.Child.LastName = "Юнева"
	w.must(mun.db, young)
	w.sync(mun)

	before, err := w.server.Journal(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	n, err := w.server.ScrubJournal(cut)
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Errorf("ScrubJournal rewrote %d batches, want the municipality's and the rogue's", n)
	}
	after, err := w.server.Journal(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("journal of %d entries, was %d", len(after), len(before))
	}
	secrets := []string{"Эрзянова", "112-233-445 95", "765-43-21", "111-22-33", "Петрова Анна", "Сидорова", app.CodeHash(cert, code)}
	leaks := func(where string, b []byte) {
		t.Helper()
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q: %.300s", where, s, b)
			}
		}
	}
	youngSeen := false
	for i, e := range after {
		b := before[i]
		if e.Op.Node != b.Op.Node || e.Op.Seq != b.Op.Seq || e.Op.HLC != b.Op.HLC || e.Op.Type != b.Op.Type ||
			!e.Time.Equal(b.Time) || e.Result.Seq != b.Result.Seq || e.Result.Status != b.Result.Status || e.Result.Code != b.Result.Code {
			t.Errorf("entry %d: %+v, was %+v", i, e, b)
		}
		if _, err := store.DecodeCommand(e.Op.Type, e.Op.Payload); err != nil && b.Result.Status == store.StatusApplied {
			t.Errorf("entry %d %s: %v", i, e.Op.Type, err)
		}
		if e.Time.Before(cut) {
			leaks("journal op "+e.Op.Type, e.Op.Payload)
			leaks("journal result "+e.Op.Type, []byte(e.Result.Message+e.Result.Detail))
			if strings.Contains(string(b.Op.Payload), reg.Child.ID) && !strings.Contains(string(e.Op.Payload), reg.Child.ID) {
				t.Errorf("entry %d lost the child's id: %s", i, e.Op.Payload)
			}
			continue
		}
		if !reflect.DeepEqual(e, b) {
			t.Errorf("young entry %d changed: %+v, was %+v", i, e, b)
		}
		youngSeen = youngSeen || strings.Contains(string(e.Op.Payload), "Юнева")
	}
	if !youngSeen {
		t.Error("the young register_child lost its name")
	}
	err = w.server.Bolt().View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("results")).ForEach(func(k, v []byte) error {
			leaks("stored result", v)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	// A retried push is answered from the stored results, as before.
	acked, rs, _, err := w.server.ApplyRemote(rogue.n, bad)
	if err != nil || acked != 1 || len(rs) != 1 || rs[0].Status != store.StatusRejected || rs[0].Code != app.EINVALID {
		t.Errorf("the retried rogue push: %d %+v, %v", acked, rs, err)
	}
	if n, err := w.server.ScrubJournal(cut); n != 0 || err != nil {
		t.Errorf("second ScrubJournal: %d, %v", n, err)
	}
	// A later bound takes the young batch, and only it.
	if n, err := w.server.ScrubJournal(w.now.Add(time.Second)); n != 1 || err != nil {
		t.Errorf("ScrubJournal(now): %d, %v", n, err)
	}
	mustClean(t, w.server)
	if _, err := mun.db.ScrubJournal(time.Now()); codeOf(err) != app.EINVALID {
		t.Errorf("ScrubJournal on a node: %v", err)
	}
}

// A run cut into many transactions scrubs every old batch and leaves the
// journal readable, of a plaintext database and of a sealed one.
func TestScrubJournalTransactions(t *testing.T) {
	t.Run("plain", func(t *testing.T) { scrubJournalTransactions(t, newRegion(t)) })
	t.Run("sealed", func(t *testing.T) { scrubJournalTransactions(t, newRegionSealed(t, false)) })
}

func scrubJournalTransactions(t *testing.T, w *region) {
	mun := w.join("mun.db", app.MunicipalityScope("27"))
	w.sync(mun)
	for range 7 {
		w.must(mun.db, w.childCmd("27"))
		w.sync(mun)
	}
	defer store.SetScrubJournalBatches(2)()
	n, err := w.server.ScrubJournal(w.now.Add(time.Second))
	if err != nil || n != 7 {
		t.Fatalf("ScrubJournal: %d, %v", n, err)
	}
	if n, err := w.server.ScrubJournal(w.now.Add(time.Second)); n != 0 || err != nil {
		t.Errorf("second ScrubJournal: %d, %v", n, err)
	}
	js, err := w.server.Journal(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range js {
		if bytes.Contains(e.Op.Payload, []byte("Петров")) {
			t.Errorf("journal op %d holds a name: %s", e.Op.Seq, e.Op.Payload)
		}
	}
	mustClean(t, w.server)
}
