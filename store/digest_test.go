package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// digestScopes is every scope whose digest the tests compare: the region,
// every municipality and every provider of db, and one that sees nothing
// but the shared records.
func digestScopes(t testing.TB, db *store.DB) []string {
	t.Helper()
	scopes := []string{app.ScopeRegion, app.ProviderScope("nobody")}
	err := db.View(func(r app.Reader) error {
		ms, err := app.List[app.Municipality](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, m := range ms {
			scopes = append(scopes, app.MunicipalityScope(m.Code))
		}
		ps, err := app.List[app.Provider](r, "", "", 0)
		for _, p := range ps {
			scopes = append(scopes, app.ProviderScope(p.ID))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return scopes
}

// digestsAgree fails the test unless, for every scope, the authority's kept
// digest equals the walk over its records; it returns the digests by scope.
func digestsAgree(t testing.TB, db *store.DB, when string) map[string]string {
	t.Helper()
	return digestsAgreeIn(t, db, when, digestScopes(t, db))
}

// digestsAgreeIn is digestsAgree over the given scopes.
func digestsAgreeIn(t testing.TB, db *store.DB, when string, scopes []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, s := range scopes {
		kept, err := db.Digest(s)
		if err != nil {
			t.Fatalf("%s: Digest(%s): %v", when, s, err)
		}
		walk, err := store.DigestWalk(db, s)
		if err != nil {
			t.Fatalf("%s: DigestWalk(%s): %v", when, s, err)
		}
		if kept != walk {
			t.Fatalf("%s: %s: kept digest %s, walk %s", when, s, kept, walk)
		}
		out[s] = kept
	}
	return out
}

// try runs cmd on db: false for a refusal (an *app.Error, nothing changed),
// a failed test for anything else.
func try(t testing.TB, db *store.DB, cmd app.Command) bool {
	t.Helper()
	_, err := db.Exec(cmd)
	var e *app.Error
	switch {
	case err == nil:
		return true
	case errors.As(err, &e):
		return false
	}
	t.Fatalf("%s: %v", cmd.Op(), err)
	return false
}

// lastLessonDay is the latest Tuesday or Thursday (the fixture's groups meet
// then) on or before d.
func lastLessonDay(d app.Date) app.Date {
	for d.Weekday() != 2 && d.Weekday() != 4 {
		d--
	}
	return d
}

// After every step of a random run of real commands (enrolments, marks
// pushed by a provider node through ApplyRemote's write-back, terminations,
// refusals, erasures, the 90-day retirement, month closes, commands that fail
// after a write), the digest the server keeps for each scope equals a walk
// over its records, and the node's digest equals the server's.
func TestDigestKeptEqualsWalk(t *testing.T) {
	for _, seed := range []uint64{1, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { digestRun(t, seed, 60) })
	}
}

func digestRun(t *testing.T, seed uint64, steps int) {
	w := newRegion(t)
	rng := rand.New(rand.NewPCG(seed, 12))
	var muns []string
	for _, s := range digestScopes(t, w.server) {
		if _, code, _ := app.ParseScope(s); code != "" && s == app.MunicipalityScope(code) && code != "27" {
			muns = append(muns, code)
		}
	}
	nd := w.join("prov.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	type kid struct{ child, cert, contract, group string }
	var kids []kid
	var plain []string // children with no certificate
	var erased, retired, marked, failed int
	closed := app.MonthOf(2026, time.November)
	digestsAgree(t, w.server, "start")
	for step := range steps {
		var what string
		switch rng.IntN(10) {
		case 0, 1:
			what = "enrol"
			child, cert, _ := w.financed()
			group := []string{w.Group, w.OGroup}[rng.IntN(2)]
			enrol := w.enrolCmd(w.server, cert, group, app.DateOf(w.now))
			k := kid{child: child, cert: cert, group: group}
			if try(t, w.server, enrol) {
				k.contract = enrol.ID
			}
			kids = append(kids, k)
		case 2:
			what = "register"
			c := w.childCmd(muns[rng.IntN(len(muns))])
			if rng.IntN(2) == 0 {
				c.Child.SNILS = "112-233-445 95"
			}
			if try(t, w.server, c) {
				plain = append(plain, c.Child.ID)
			}
		case 3, 4:
			what = "marks"
			d := lastLessonDay(app.DateOf(w.now))
			for _, k := range kids {
				if k.group == w.Group && k.contract != "" && rng.IntN(2) == 0 {
					mark := []string{app.MarkPresent, app.MarkAbsent}[rng.IntN(2)]
					if try(t, nd.db, &app.MarkAttendance{Group: w.Group, Date: d, Start: 15 * 60, Child: k.child, Mark: mark}) {
						marked++
					}
				}
			}
			w.sync(nd)
		case 5:
			what = "terminate"
			if len(kids) > 0 {
				if k := kids[rng.IntN(len(kids))]; k.contract != "" {
					try(t, w.server, &app.Terminate{Contract: k.contract, Notice: app.DateOf(w.now), Reason: "по заявлению родителя"})
				}
			}
		case 6:
			what = "erase"
			ids := plain
			for _, k := range kids {
				ids = append(ids, k.child)
			}
			if len(ids) > 0 {
				if try(t, w.server, &app.EraseChild{Child: ids[rng.IntN(len(ids))]}) {
					erased++
				}
			}
		case 7:
			what = "retire"
			before := digestsAgree(t, w.server, "before retirement")
			if w.now.Before(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)) { // the groups end in May
				w.now = w.now.Add(time.Duration(10+rng.IntN(20)) * 24 * time.Hour)
			}
			try(t, w.server, &app.RetireApplications{Date: app.DateOf(w.now)})
			after := digestsAgree(t, w.server, "after retirement")
			if before[app.ProviderScope(w.Prov)] != after[app.ProviderScope(w.Prov)] ||
				before[app.ProviderScope(w.Other)] != after[app.ProviderScope(w.Other)] {
				retired++
			}
		case 8:
			what = "close"
			for ; closed < app.MonthOf(w.now.Year(), w.now.Month()); closed++ {
				try(t, w.server, &app.CloseMonth{Month: closed})
			}
		case 9:
			what = "failed write"
			before := digestsAgree(t, w.server, "before a failed write")
			if _, err := w.server.Exec(putChild{Child: child(w.id("child"), "Откат", "Пётр", "27"), Fail: true}); err == nil {
				t.Fatal("putChild{Fail} succeeded")
			}
			func() {
				defer func() { _ = recover() }()
				_, _ = w.server.Exec(boom{Child: child(w.id("child"), "Паника", "Пётр", "27")})
			}()
			if after := digestsAgree(t, w.server, "after a failed write"); !equalMaps(before, after) {
				t.Fatal("a command that failed after its write moved a digest")
			}
			failed++
		}
		// Every scope now and then (a walk each: slow under -race), the
		// ones the steps write to always, and one other municipality.
		if step%10 == 9 {
			digestsAgree(t, w.server, "step "+what)
		} else {
			digestsAgreeIn(t, w.server, "step "+what, []string{app.ScopeRegion, app.MunicipalityScope("27"),
				app.ProviderScope(w.Prov), app.ProviderScope(w.Other), app.ProviderScope("nobody"),
				app.MunicipalityScope(muns[rng.IntN(len(muns))])})
		}
	}
	w.sync(nd)
	digestsAgree(t, w.server, "the end")
	w.converged(nd)
	t.Logf("seed %d: %d kids, %d marks, %d erased, %d retirements that moved a provider, %d failed writes",
		seed, len(kids), marked, erased, retired, failed)
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// The records that leave a provider's scope leave its digest: a child whose
// contract ended leaves it SightDays later (the retirement), an erased child
// leaves every scope; both digests still equal the walk, and a provider
// node that syncs ends with the server's digest.
func TestDigestFollowsRetirementAndErasure(t *testing.T) {
	w := newRegion(t)
	nd := w.join("prov.db", app.ProviderScope(w.Prov))
	child, cert, _ := w.financed()
	enrol := w.enrolCmd(w.server, cert, w.Group, app.DateOf(w.now))
	w.must(w.server, enrol)
	w.sync(nd)
	w.converged(nd)
	prov := app.ProviderScope(w.Prov)
	enrolled := digestsAgree(t, w.server, "enrolled")

	w.must(w.server, &app.Terminate{Contract: enrol.ID, Notice: app.DateOf(w.now), Reason: "по заявлению родителя"})
	terminated := digestsAgree(t, w.server, "terminated")
	if terminated[prov] == enrolled[prov] {
		t.Fatal("the termination did not move the provider's digest")
	}
	w.now = time.Date(2027, 1, 5, 9, 0, 0, 0, w.now.Location())
	w.must(w.server, &app.CloseMonth{Month: app.MonthOf(2026, time.November)})
	w.must(w.server, &app.CloseMonth{Month: app.MonthOf(2026, time.December)})
	if k := getRec[app.Contract](t, w.server, enrol.ID); k.InForce() {
		t.Fatalf("the contract is %s after the month closes", k.Status)
	}
	closed := digestsAgree(t, w.server, "closed")
	w.now = w.now.Add((app.SightDays + 10) * 24 * time.Hour)
	w.must(w.server, &app.RetireApplications{Date: app.DateOf(w.now)})
	retired := digestsAgree(t, w.server, "retired")
	if retired[prov] == closed[prov] {
		t.Fatal("the retirement did not move the provider's digest")
	}
	if ch := getRec[app.Child](t, w.server, child); app.Visible(ch, prov) {
		t.Fatalf("the provider still sees the child after the retirement: %+v", ch.Providers)
	}
	w.sync(nd)
	w.converged(nd)

	mun := app.MunicipalityScope("27")
	w.must(w.server, &app.EraseChild{Child: child})
	erasedD := digestsAgree(t, w.server, "erased")
	if erasedD[mun] == retired[mun] || erasedD[app.ScopeRegion] == retired[app.ScopeRegion] {
		t.Fatal("the erasure did not move the municipality's and the region's digests")
	}
	w.sync(nd)
	w.converged(nd)
}

// Migration 6 fills the accumulators of an authority database that had none
// in one pass: afterwards every scope's kept digest is the walk's, and check
// finds nothing. A node's database gets none.
func TestMigrate0006Digest(t *testing.T) {
	w := newRegion(t)
	for range 3 {
		_, cert, _ := w.financed()
		w.must(w.server, w.enrolCmd(w.server, cert, w.Group, app.DateOf(w.now)))
	}
	reg := w.childCmd("27")
	reg.Child.SNILS = "112-233-445 95"
	w.must(w.server, reg)
	want := digestsAgree(t, w.server, "before")

	path := filepath.Join(t.TempDir(), "v5.db")
	if err := w.server.Bolt().View(func(tx *bbolt.Tx) error { return tx.CopyFile(path, 0o600) }); err != nil {
		t.Fatal(err)
	}
	bdb, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bbolt.Tx) error {
		if err := tx.DeleteBucket([]byte("digest")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte{0, 0, 0, 0, 0, 0, 0, 5})
	})
	if err2 := bdb.Close(); err == nil {
		err = err2
	}
	if err != nil {
		t.Fatal(err)
	}
	db := openAt(t, path, store.Options{NoSync: true, Now: func() time.Time { return w.now }})
	if v := schemaVersion(t, db); v != store.CurrentVersion {
		t.Fatalf("schema_version %d after the upgrade", v)
	}
	got := digestsAgree(t, db, "migrated")
	if !equalMaps(got, want) {
		t.Errorf("migrated digests %v, want %v", got, want)
	}
	mustClean(t, db)
	// Later writes keep them.
	w2 := *w
	w2.server = db
	_, cert, _ := w2.financed()
	w2.must(db, w2.enrolCmd(db, cert, w.OGroup, app.DateOf(w.now)))
	digestsAgree(t, db, "a write after the migration")
}

// Check finds an accumulator that no longer matches the records.
func TestCheckFindsStaleDigest(t *testing.T) {
	w := newRegion(t)
	digestsAgree(t, w.server, "fresh")
	err := w.server.Bolt().Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("digest"))
		v := append([]byte(nil), b.Get([]byte("*"))...)
		v[5] ^= 1
		return b.Put([]byte("*"), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range w.server.Check(nil) {
		if l != "" {
			found = true
		}
	}
	if !found {
		t.Fatal("Check did not find a damaged digest accumulator")
	}
	// Put it right again so the fixture's cleanup check passes.
	err = w.server.Bolt().Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("digest"))
		v := append([]byte(nil), b.Get([]byte("*"))...)
		v[5] ^= 1
		return b.Put([]byte("*"), v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// In a sealed database the sums are sealed too (a scope that sees a single
// record would otherwise carry that record's hash in clear), and they still
// equal the walk; a sealed node under its own key agrees with the server.
func TestDigestSealed(t *testing.T) {
	w := newRegionSealed(t, false)
	nd := w.join("prov.db", app.ProviderScope(w.Prov))
	_, cert, _ := w.financed()
	w.must(w.server, w.enrolCmd(w.server, cert, w.Group, app.DateOf(w.now)))
	digestsAgree(t, w.server, "sealed")
	n := 0
	err := w.server.Bolt().View(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("digest")).ForEach(func(k, v []byte) error {
			n++
			if len(v) == 0 || v[0] != 0x80 {
				t.Errorf("digest/%s is not sealed: %x", k, v)
			}
			return nil
		})
	})
	if err != nil || n < 3 {
		t.Fatalf("%d sums, %v", n, err)
	}
	w.sync(nd)
	w.converged(nd)
}
