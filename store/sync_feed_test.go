package store_test

import (
	"encoding/binary"
	"encoding/hex"
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// feed reads the change feed: kind/id → seq, and the bucket's sequence.
func feed(t *testing.T, db *store.DB) (map[string]uint64, uint64) {
	t.Helper()
	out := map[string]uint64{}
	var seq uint64
	err := db.Bolt().View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("changes"))
		seq = b.Sequence()
		return b.ForEach(func(k, v []byte) error {
			kind, id, _ := cutZero(v)
			out[kind+"/"+id] = binary.BigEndian.Uint64(k)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, seq
}

func cutZero(v []byte) (string, string, bool) {
	for i, c := range v {
		if c == 0 {
			return string(v[:i]), string(v[i+1:]), true
		}
	}
	return string(v), "", false
}

// Every write of a record on an authority moves its one feed entry to the
// end; a Put of the same bytes and any write on a node record nothing.
func TestFeedOneEntryPerRecord(t *testing.T) {
	db := openTemp(t)
	exec := func(c app.Command) {
		t.Helper()
		if _, err := db.Exec(c); err != nil {
			t.Fatalf("%s: %v", c.Op(), err)
		}
		mustClean(t, db)
	}
	exec(putChild{Child: child("c1", "Иванов", "Пётр", "01")})
	exec(putChild{Child: child("c2", "Петрова", "Анна", "01")})
	got, seq := feed(t, db)
	if len(got) != 2 || got["child/c1"] != 1 || got["child/c2"] != 2 || seq != 2 {
		t.Fatalf("feed = %v seq %d", got, seq)
	}
	exec(putChild{Child: child("c1", "Иванов", "Пётр", "01")}) // the same bytes
	if again, seq2 := feed(t, db); len(again) != 2 || seq2 != seq {
		t.Errorf("a Put of unchanged bytes moved the feed: %v seq %d", again, seq2)
	}
	exec(renameChild{ID: "c1", LastName: "Сидоров", Municipality: "02"})
	exec(deleteRecord{Kind: app.KindChild, ID: "c2"})
	got, seq = feed(t, db)
	if len(got) != 2 || got["child/c1"] != 3 || got["child/c2"] != 4 || seq != 4 {
		t.Fatalf("feed after rename and delete = %v seq %d", got, seq)
	}
	// The moved child reaches both municipalities: 02 gets it, 01 its removal;
	// 03 never saw either child.
	for scope, want := range map[string]map[string]bool{
		"municipality:01": {"c1": false, "c2": false},
		"municipality:02": {"c1": true},
		"municipality:03": {},
		"region":          {"c1": true, "c2": false},
	} {
		p, err := db.Pull(scope, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		gotScope := map[string]bool{}
		for _, c := range p.Changes {
			gotScope[c.ID] = c.Value != nil
		}
		if len(gotScope) != len(want) {
			t.Errorf("Pull(%s) = %v, want %v", scope, gotScope, want)
		}
		for id, v := range want {
			if has, ok := gotScope[id]; !ok || has != v {
				t.Errorf("Pull(%s) = %v, want %v", scope, gotScope, want)
			}
		}
	}
}

// A database that stops being an authority drops its feed; one that becomes
// an authority builds it from its records under a new epoch.
func TestFeedFollowsAuthority(t *testing.T) {
	db := seeded(t)
	if err := db.SetScope("provider:p1", false); err != nil {
		t.Fatal(err)
	}
	if got, _ := feed(t, db); len(got) != 0 {
		t.Errorf("a node kept the feed: %v", got)
	}
	if _, err := db.Exec(putChild{Child: child("c4", "Новый", "Ребёнок", "01")}); err != nil {
		t.Fatal(err)
	}
	mustClean(t, db)
	epoch := db.Epoch()
	if err := db.SetScope("region", true); err != nil {
		t.Fatal(err)
	}
	if db.Epoch() == epoch {
		t.Errorf("a rebuilt feed kept the epoch")
	}
	got, _ := feed(t, db)
	if len(got) != 4 {
		t.Errorf("the rebuilt feed = %v, want the 4 children", got)
	}
	mustClean(t, db)
}

// An upgraded schema-1 database is an authority with every record in its feed.
func TestUpgradeBuildsFeed(t *testing.T) {
	db := openAt(t, copyFile(t, filepath.Join("testdata", "v1.db")), store.Options{NoSync: true})
	mustClean(t, db)
	if e, err := hex.DecodeString(db.Epoch()); err != nil || len(e) != 16 {
		t.Errorf("epoch after upgrade %q", db.Epoch())
	}
	p, err := db.Pull("region", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Its 7 records, and the budget counter of its reserved certificate that
	// migration 4 adds (schema 1 kept none).
	if len(p.Changes) != 8 || p.More {
		t.Errorf("pull of the upgraded fixture: %d changes, more %v; want its 7 records and a budget counter", len(p.Changes), p.More)
	}
}

func TestEpoch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	db := openAt(t, path, store.Options{NoSync: true})
	e := db.Epoch()
	if b, err := hex.DecodeString(e); err != nil || len(b) != 16 {
		t.Fatalf("Epoch() = %q, want 32 hex digits", e)
	}
	if other := openTemp(t); other.Epoch() == e {
		t.Errorf("two databases share an epoch")
	}
	if err := db.NewEpoch(); err != nil {
		t.Fatal(err)
	}
	e2 := db.Epoch()
	if e2 == e || len(e2) != 32 {
		t.Errorf("NewEpoch: %q → %q", e, e2)
	}
	db.Close()
	if db = openAt(t, path, store.Options{NoSync: true}); db.Epoch() != e2 {
		t.Errorf("the epoch changed on reopen")
	}
}

// Pages are cut by size, but never empty of a change that is larger than a
// page; a long stretch the scope cannot see ends a page early, and the
// pages go on to the end.
func TestPullPages(t *testing.T) {
	db := openTemp(t)
	for _, id := range []string{"c1", "c2", "c3", "c4", "c5"} {
		if _, err := db.Exec(putChild{Child: child(id, "Иванов", "Пётр", "01")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Pull("nowhere", 0, 0); codeOf(err) != app.EINVALID {
		t.Errorf("Pull of a bad scope: %v, want EINVALID", err)
	}
	p, err := db.Pull("region", 0, 1)
	if err != nil || len(p.Changes) != 1 || !p.More || p.Next != 1 {
		t.Errorf("a 1-byte page = %+v, %v; want one change and more", p, err)
	}
	p, err = db.Pull("region", 4, 1)
	if err != nil || len(p.Changes) != 1 || p.More || p.Next != 5 {
		t.Errorf("the last page = %+v, %v", p, err)
	}
	restore := store.SetPageExamine(2)
	defer restore()
	var cursor uint64
	var pages, changes int
	for {
		p, err := db.Pull("municipality:02", cursor, 0)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		changes += len(p.Changes)
		if p.Next <= cursor && p.More {
			t.Fatalf("no progress at cursor %d", cursor)
		}
		cursor = p.Next
		if !p.More {
			break
		}
	}
	if pages != 3 || changes != 0 || cursor != 5 {
		t.Errorf("an invisible feed: %d pages, %d changes, cursor %d; want 3, 0, 5", pages, changes, cursor)
	}
}

// The digest covers what the scope sees and nothing else.
func TestDigest(t *testing.T) {
	db := openTemp(t)
	for _, c := range []app.Child{child("c1", "Иванов", "Пётр", "01"), child("c2", "Петрова", "Анна", "02")} {
		if _, err := db.Exec(putChild{Child: c}); err != nil {
			t.Fatal(err)
		}
	}
	digest := func(scope string) string {
		t.Helper()
		d, err := db.Digest(scope)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if _, err := db.Digest("moon"); codeOf(err) != app.EINVALID {
		t.Errorf("Digest of a bad scope: %v, want EINVALID", err)
	}
	r, m1, m2 := digest("region"), digest("municipality:01"), digest("municipality:02")
	if r == m1 || m1 == m2 || len(r) != 64 {
		t.Errorf("digests region %s, 01 %s, 02 %s", r, m1, m2)
	}
	if digest("region") != r {
		t.Errorf("the digest is not stable")
	}
	if _, err := db.Exec(renameChild{ID: "c2", LastName: "Сидорова"}); err != nil {
		t.Fatal(err)
	}
	if digest("municipality:01") != m1 || digest("municipality:02") == m2 || digest("region") == r {
		t.Errorf("a change in 02 moved the wrong digests")
	}
	if digest("provider:x") != digest("municipality:03") {
		t.Errorf("two scopes that see nothing differ")
	}
}

// The last pull page carries the scope's digest; the memo behind it gives the
// same answer as a fresh walk until the feed moves, and a new one after.
func TestPullDigestFollowsChanges(t *testing.T) {
	db := openTemp(t)
	if _, err := db.Exec(putChild{Child: child("c1", "Иванов", "Пётр", "01")}); err != nil {
		t.Fatal(err)
	}
	last := func(scope string) string {
		t.Helper()
		p, err := db.Pull(scope, 0, 0)
		if err != nil || p.More {
			t.Fatalf("pull %s: %+v, %v", scope, p, err)
		}
		d, err := db.Digest(scope)
		if err != nil {
			t.Fatal(err)
		}
		if p.Digest != d {
			t.Fatalf("page digest %s, Digest %s", p.Digest, d)
		}
		return p.Digest
	}
	a := last("municipality:01")
	if again := last("municipality:01"); again != a {
		t.Fatalf("digest moved without a change: %s → %s", a, again)
	}
	if _, err := db.Exec(renameChild{ID: "c1", LastName: "Сидоров"}); err != nil {
		t.Fatal(err)
	}
	if b := last("municipality:01"); b == a {
		t.Fatal("the page digest did not follow a change")
	}
}
