package sync_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"kruzhok/app"
	"kruzhok/keys"
	"kruzhok/store"
	"kruzhok/sync"
)

// The leak test of issue 10 (docs/THREATS.md, docs/SECURITY.md "Encryption
// at rest"): a region whose every database is sealed with its own key runs
// its ordinary life (children registered on the municipality's node, applied,
// enrolled and marked by a provider, sync, a backup, a sealed batch file on a
// stick, a month close, outbox trimming), and then no file under its data
// directories holds any seeded surname, SNILS or phone, in UTF-8, lower-cased
// or UTF-16LE. The same search over a plaintext run finds them.

// leakPerson is one seeded child's personal data.
type leakPerson struct{ last, snils, phone string }

// leakPeople are n children with distinctive surnames (a common stem and
// three letters of the index, base 20), valid SNILS and distinct phones.
func leakPeople(n int) []leakPerson {
	const letters = "абвгдежзиклмнопрстуф" // 20 letters
	rs := []rune(letters)
	out := make([]leakPerson, n)
	for i := range out {
		suffix := string([]rune{rs[i/400%20], rs[i/20%20], rs[i%20]})
		d := fmt.Sprintf("%09d", 173_000_000+i*7919)
		sum := 0
		for j := 0; j < 9; j++ {
			sum += int(d[j]-'0') * (9 - j)
		}
		ctl := sum % 101
		if ctl == 100 {
			ctl = 0
		}
		out[i] = leakPerson{
			last:  "Тестоваяфамилия" + suffix,
			snils: fmt.Sprintf("%s-%s-%s %02d", d[:3], d[3:6], d[6:], ctl),
			phone: fmt.Sprintf("+7 977 %03d-%02d-%02d", 100+i/10000, i/100%100, i%100),
		}
	}
	return out
}

// needles are the byte strings a thief would search a file for: each value as
// written, lower-cased and in UTF-16LE, and the digits alone of a SNILS or phone.
func needles(people []leakPerson) map[string]string {
	out := map[string]string{}
	add := func(what, s string) {
		for _, v := range []string{s, strings.ToLower(s)} {
			out[v] = what
			var b bytes.Buffer
			for _, u := range utf16.Encode([]rune(v)) {
				_ = binary.Write(&b, binary.LittleEndian, u)
			}
			out[b.String()] = what + " (UTF-16LE)"
		}
	}
	digits := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	for _, p := range people {
		add(p.last, p.last)
		add(p.snils, p.snils)
		add(p.snils, digits(p.snils))
		add(p.phone, p.phone)
		add(p.phone, digits(p.phone))
	}
	return out
}

// finder searches bytes for many needles at once: every needle is at least 8
// bytes, and its first 8 bytes are looked up at every offset.
type finder struct{ heads map[uint64][]string }

func newFinder(ns map[string]string) *finder {
	f := &finder{heads: map[uint64][]string{}}
	for n := range ns {
		if len(n) < 8 {
			panic("needle shorter than 8 bytes: " + n)
		}
		h := binary.LittleEndian.Uint64([]byte(n))
		f.heads[h] = append(f.heads[h], n)
	}
	return f
}

// find returns the needles found in b.
func (f *finder) find(b []byte) map[string]bool {
	found := map[string]bool{}
	for i := 0; i+8 <= len(b); i++ {
		for _, n := range f.heads[binary.LittleEndian.Uint64(b[i:])] {
			if bytes.HasPrefix(b[i:], []byte(n)) {
				found[n] = true
			}
		}
	}
	return found
}

// leakRun is one region's life under root; its databases sealed or not.
type leakRun struct {
	t      *testing.T
	root   string
	sealed bool
	dbs    []string          // every database path opened
	keys   map[string][]byte // path → data key
}

func (r *leakRun) open(t testing.TB, name string, now func() time.Time) *store.DB {
	t.Helper()
	path := filepath.Join(r.root, strings.TrimSuffix(name, ".db"), name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	var dk []byte
	if r.sealed {
		var err error
		if dk, err = keys.Create(path, keys.Password("пароль "+name)); err != nil {
			t.Fatal(err)
		}
	}
	db, err := store.Open(path, store.Options{NoSync: true, Now: now, DataKey: dk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r.dbs = append(r.dbs, path)
	r.keys[path] = dk
	return db
}

// live runs the region's life with people seeded on the municipality's node
// and returns the databases to close before the files are searched.
func (r *leakRun) live(people []leakPerson) []*store.DB {
	t := r.t
	w := newWorldWith(t, worldOpt{quota: 40, nominal: 8_000_00, open: r.open})
	// The server's sealing key for batch files, on disk as serve keeps it.
	seal, err := sync.LoadOrCreateSealKey(filepath.Join(r.root, "server", "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	w.seal = seal
	w.srv.SetSealKey(seal)

	mun := w.join(app.MunicipalityScope("27"))
	provNow := func() time.Time { return today.Add(24 * time.Hour) }
	prov := w.joinAt(app.ProviderScope(w.A.ID), provNow)
	region := w.join(app.ScopeRegion)

	// Children, with certificates for the first few, in transactions of 100;
	// the last tenth stays offline for the batch file.
	const applied = 12
	codes := map[int]string{}
	online := len(people) - len(people)/10
	register := func(from, to int) {
		var cmds []app.Command
		flush := func() {
			if _, err := mun.db.ExecBatch(cmds); err != nil {
				t.Fatalf("register children: %v", err)
			}
			cmds = cmds[:0]
		}
		for i := from; i < to; i++ {
			p := people[i]
			c := childCmd(fmt.Sprintf("leak-ch-%04d", i), "27")
			c.Child.LastName, c.Child.SNILS, c.Child.GuardianPhone = p.last, p.snils, p.phone
			c.Child.GuardianName = p.last + " Анна Ивановна"
			cmds = append(cmds, c)
			if i < applied {
				codes[i] = app.NewCode()
				cert := fmt.Sprintf("leak-cert-%04d", i)
				cmds = append(cmds, &app.IssueCertificate{ID: cert, Child: c.Child.ID, CodeHash: app.CodeHash(cert, codes[i])},
					&app.RequestFinancing{ID: fmt.Sprintf("leak-req-%04d", i), Certificate: cert})
			}
			if len(cmds) >= 100 {
				flush()
			}
		}
		if len(cmds) > 0 {
			flush()
		}
	}
	register(0, online)
	mun.converged()

	// The provider applies children with the number and code of their
	// extract, enrols them and marks a lesson.
	for i := 0; i < applied; i++ {
		cert := fmt.Sprintf("leak-cert-%04d", i)
		number := get[app.Certificate](t, w.db, cert).Number
		prov.must(&app.ApplyChild{Number: number, Code: codes[i], Provider: w.A.ID})
	}
	prov.converged()
	for i := 0; i < applied; i++ {
		prov.must(w.enrolCmd(fmt.Sprintf("leak-k-%04d", i), fmt.Sprintf("leak-cert-%04d", i), w.A.Group, day("2026-11-10")))
	}
	prov.converged()
	for i := 0; i < applied; i++ {
		prov.must(&app.MarkAttendance{Group: w.A.Group, Date: day("2026-11-10"), Start: 15 * 60,
			Child: fmt.Sprintf("leak-ch-%04d", i), Mark: app.MarkPresent})
	}
	prov.converged()
	region.converged()

	// A backup of every database, as kruzhok backup writes one.
	for _, db := range []*store.DB{w.db, mun.db, prov.db, region.db} {
		dir := filepath.Join(r.root, "backups", filepath.Base(filepath.Dir(db.Path())))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := db.BackupTo(filepath.Join(dir, store.BackupFileName(today))); err != nil {
			t.Fatal(err)
		}
	}

	// The rest registered offline and carried on a stick, sealed to the server.
	register(online, len(people))
	sealed, batch, err := sync.ExportSealed(mun.db, mun.key())
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Ops) != len(people)-online {
		t.Fatalf("the batch file carries %d ops, want %d", len(batch.Ops), len(people)-online)
	}
	stick := filepath.Join(r.root, "stick")
	if err := os.MkdirAll(stick, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stick, "mun27.krz"), sealed, 0o600); err != nil {
		t.Fatal(err)
	}
	mun.converged()

	// The server's jobs for a month, then every node syncs and trims its outbox.
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, time.November)})
	w.must(&app.DowngradeUnused{Date: app.DateOf(today)})
	for _, n := range []*node{mun, prov, region} {
		n.converged()
		if _, err := n.db.TrimOutbox(today.Add(72 * time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	w.checkClean()
	children := 0
	if err := w.db.View(func(rd app.Reader) error {
		return rd.Scan(app.KindChild, "", "", func(string) bool { children++; return true })
	}); err != nil {
		t.Fatal(err)
	}
	if children != len(people) {
		t.Fatalf("the server holds %d children, want %d", children, len(people))
	}
	return []*store.DB{w.db, mun.db, prov.db, region.db}
}

// search walks every file under root and returns, per needle found, a file
// that holds it.
func search(t *testing.T, root string, f *finder) (map[string]string, int) {
	t.Helper()
	hits := map[string]string{}
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for n := range f.find(b) {
			hits[n] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits, files
}

func cheapKeys(t *testing.T) {
	saved := keys.DefaultParams
	keys.DefaultParams = keys.Params{Time: 1, Memory: 8 << 10, Threads: 1}
	t.Cleanup(func() { keys.DefaultParams = saved })
}

func TestNoPersonalDataInAnyFile(t *testing.T) {
	cheapKeys(t)
	people := leakPeople(1000)
	ns := needles(people)
	f := newFinder(ns)
	// The finder finds a needle in every form, mid-buffer.
	for n := range needles(people[:20]) {
		if !f.find(append([]byte("\x00\x01junk"), n+"tail"...))[n] {
			t.Fatalf("the finder misses %q", n)
		}
	}

	run := &leakRun{t: t, root: t.TempDir(), sealed: true, keys: map[string][]byte{}}
	for _, db := range run.live(people) {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	hits, files := search(t, run.root, f)
	for n, path := range hits {
		t.Errorf("%s found in %s", ns[n], strings.TrimPrefix(path, run.root))
	}
	if files < 10 {
		t.Errorf("only %d files searched", files)
	}
	t.Logf("%d files, %d needles: %d hits", files, len(ns), len(hits))

	// Each sealed database refuses a reader without its key or with another.
	if len(run.dbs) != 4 {
		t.Fatalf("%d databases, want 4", len(run.dbs))
	}
	other := bytes.Repeat([]byte{0x5a}, 32)
	for _, path := range run.dbs {
		if !keys.Exists(path) {
			t.Errorf("%s has no key file", path)
		}
		if db, err := store.Open(path, store.Options{NoSync: true}); !errors.Is(err, store.ErrKeyRequired) {
			if db != nil {
				db.Close()
			}
			t.Errorf("%s opens without a key: %v", path, err)
		}
		if db, err := store.Open(path, store.Options{NoSync: true, DataKey: other}); !errors.Is(err, store.ErrWrongKey) {
			if db != nil {
				db.Close()
			}
			t.Errorf("%s opens with another key: %v", path, err)
		}
	}

	// The control: the same life in plaintext, with a few children, and the
	// same search finds every one of them.
	few := people[:30]
	plain := &leakRun{t: t, root: t.TempDir(), keys: map[string][]byte{}}
	for _, db := range plain.live(few) {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	hits, _ = search(t, plain.root, newFinder(needles(few)))
	for _, p := range few {
		for _, s := range []string{p.last, strings.ToLower(p.last), p.snils, p.phone} {
			if hits[s] == "" {
				t.Errorf("control: %q not found in a plaintext run", s)
			}
		}
	}
}
