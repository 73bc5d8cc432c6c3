package jobs_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"kruzhok/app"
	"kruzhok/jobs"
	"kruzhok/store"
)

// The journal retention job, run now 91 days after a node pushed a
// register_child, leaves no surname or SNILS in that op's journal payload,
// keeps its node, seq, type and time, and leaves the push of a week ago as
// it was; a second run scrubs nothing.
func TestJournalRetentionJob(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	nd, err := store.Open(filepath.Join(t.TempDir(), "node.db"), store.Options{NoSync: true, Now: w.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nd.Close() })
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("invite"))
	scope := app.MunicipalityScope("27")
	w.must(&app.CreateInvite{Hash: hex.EncodeToString(sum[:]), Scope: scope})
	w.must(&app.JoinNode{Hash: hex.EncodeToString(sum[:]), Node: nd.Node(), Key: hex.EncodeToString(pub)})
	n, err := w.db.NodeByKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	push := func(seq uint64, last string) {
		t.Helper()
		p, _ := json.Marshal(app.RegisterChild{Child: app.Child{ID: w.id("child"), LastName: last, FirstName: "Иван",
			BirthDate: app.MustDate("2015-03-10"), Municipality: "27", GuardianName: "Петрова Анна Ивановна",
			SNILS: "112-233-445 95", ConsentDate: app.DateOf(w.clk.Now()), ConsentBy: "Сидорова М. П."}})
		_, rs, _, err := w.db.ApplyRemote(n, []app.Op{{Node: n.ID, Seq: seq, HLC: seq, Type: "register_child", Payload: p}})
		if err != nil || len(rs) != 1 || rs[0].Status != store.StatusApplied {
			t.Fatalf("push %d: %+v, %v", seq, rs, err)
		}
	}
	push(1, "Эрзянова")
	w.clk.Set("2026-12-03", 9, 0)
	push(2, "Юнева")
	s := w.scheduler(jobs.Options{})

	w.clk.Set("2026-12-10", 3, 40)
	if err := s.RunNow(jobs.JobJournal); err != nil {
		t.Fatal(err)
	}
	js, err := w.db.Journal(1, 0)
	if err != nil || len(js) != 2 {
		t.Fatalf("journal %+v, %v", js, err)
	}
	old, young := js[0], js[1]
	if p := string(old.Op.Payload); strings.Contains(p, "Эрзянова") || strings.Contains(p, "112-233") ||
		strings.Contains(p, "Петрова") || !strings.Contains(p, `"27"`) {
		t.Errorf("old payload %s", p)
	}
	if old.Op.Node != n.ID || old.Op.Seq != 1 || old.Op.Type != "register_child" || old.Time.IsZero() ||
		old.Result.Status != store.StatusApplied {
		t.Errorf("old entry %+v", old)
	}
	if !strings.Contains(string(young.Op.Payload), "Юнева") {
		t.Errorf("young payload scrubbed: %s", young.Op.Payload)
	}
	if got := w.logs.Count("journal payloads scrubbed"); got != 1 || !strings.Contains(w.logs.String(), "batches=1") {
		t.Errorf("logs: %s", w.logs)
	}
	if err := s.RunNow(jobs.JobJournal); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.logs.String(), "batches=0") {
		t.Errorf("second run logs: %s", w.logs)
	}
	if st, _ := s.StatusOf(jobs.JobJournal); st.LastError != "" || st.Failures != 0 {
		t.Errorf("status %+v", st)
	}
}
