package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
)

var bkNow = time.Date(2026, 10, 1, 9, 0, 0, 0, time.FixedZone("MSK", 3*3600))

// bkSeeded is a seeded region database with n children, fsync off.
func bkSeeded(t *testing.T, n int) *store.DB {
	t.Helper()
	db := openAt(t, filepath.Join(t.TempDir(), "kruzhok.db"), store.Options{NoSync: true,
		Now: func() time.Time { return bkNow }})
	if _, err := db.Exec(assets.Seed(app.DateOf(bkNow))); err != nil {
		t.Fatal(err)
	}
	var cmds []app.Command
	for i := range n {
		cmds = append(cmds, bkChild(i))
	}
	if _, err := db.ExecBatch(cmds); err != nil {
		t.Fatal(err)
	}
	return db
}

func bkChild(i int) app.Command {
	return &app.RegisterChild{Child: app.Child{ID: fmt.Sprintf("child-%06d", i), LastName: "Иванов",
		FirstName: "Пётр", BirthDate: app.MustDate("2015-03-14"), Municipality: "27",
		GuardianName: "Иванова Мария", ConsentDate: app.DateOf(bkNow), ConsentBy: "оператор МОЦ"}}
}

// gateWriter holds the first Write until open returns true: the backup's
// read transaction stays open until then.
type gateWriter struct {
	w    *bytes.Buffer
	open func() bool
	shut bool
}

func (g *gateWriter) Write(p []byte) (int, error) {
	for deadline := time.Now().Add(20 * time.Second); !g.shut && !g.open(); {
		if time.Now().After(deadline) {
			return 0, errors.New("writers made no progress during the backup")
		}
		time.Sleep(time.Millisecond)
	}
	g.shut = true
	return g.w.Write(p)
}

// bkRestored restores b to a new path and opens it.
func bkRestored(t *testing.T, b []byte) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "restored", "kruzhok.db")
	if err := store.Restore(bytes.NewReader(b), path); err != nil {
		t.Fatalf("Restore: %v", err)
	}
	return openAt(t, path, store.Options{NoSync: true}), path
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	db := bkSeeded(t, 50)
	var buf bytes.Buffer
	n, err := db.Backup(&buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup: n=%d len=%d err=%v", n, buf.Len(), err)
	}
	if fi, _ := os.Stat(db.Path()); n >= fi.Size() {
		t.Errorf("backup of %d bytes is not smaller than the file (%d)", n, fi.Size())
	}
	got, _ := bkRestored(t, buf.Bytes())
	if b := got.Check(app.Check); len(b) > 0 {
		t.Fatalf("restored copy: %q", b)
	}
	want, _ := db.Digest("region")
	if d, err := got.Digest("region"); err != nil || d != want {
		t.Errorf("digest of the copy %s (%v), want %s", d, err, want)
	}
	if got.Node() != db.Node() || !got.Authority() {
		t.Errorf("copy is node %s authority %v, want %s and true", got.Node(), got.Authority(), db.Node())
	}
	// The nodes of a restored server must notice: a new epoch.
	if got.Epoch() == db.Epoch() || got.Epoch() == "" {
		t.Errorf("restored authority kept epoch %s", got.Epoch())
	}
	a, _ := db.OutboxLen()
	if b, _ := got.OutboxLen(); a != b {
		t.Errorf("outbox %d, restored %d", a, b)
	}
}

// A node database is restored as it was: its epoch is the server's business.
func TestRestoreNodeKeepsEpoch(t *testing.T) {
	db := bkSeeded(t, 3)
	if err := db.SetScope("provider:p-1", false); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := db.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	got, _ := bkRestored(t, buf.Bytes())
	if got.Epoch() != db.Epoch() || got.Authority() || got.Scope() != "provider:p-1" {
		t.Errorf("restored node: epoch %s (was %s), authority %v, scope %s", got.Epoch(), db.Epoch(), got.Authority(), got.Scope())
	}
}

// The backup is one read transaction: writers go on while it is open (the
// backup's output is held until 20 more commands have committed), and the
// copy holds whole transactions only and passes every check.
func TestBackupWhileWriting(t *testing.T) {
	db := bkSeeded(t, 2000)
	ctx, cancel := context.WithCancel(context.Background())
	var wrote atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 100_000; ctx.Err() == nil; i++ {
			if _, err := db.Exec(bkChild(i)); err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
			wrote.Add(1)
		}
	}()
	for wrote.Load() < 5 {
		time.Sleep(time.Millisecond)
	}
	before, _ := db.OutboxLen()
	var buf bytes.Buffer
	mark := wrote.Load()
	gate := &gateWriter{w: &buf, open: func() bool { return wrote.Load() >= mark+20 }}
	if _, err := db.Backup(gate); err != nil {
		t.Fatal(err)
	}
	after, _ := db.OutboxLen()
	cancel()
	<-done
	if after < before+20 {
		t.Errorf("only %d writes during the backup", after-before)
	}
	got, _ := bkRestored(t, buf.Bytes())
	if b := got.Check(app.Check); len(b) > 0 {
		t.Fatalf("copy taken under writes: %q", b)
	}
	n, _ := got.OutboxLen()
	if n < before || n > after {
		t.Errorf("copy has %d ops, want between %d and %d", n, before, after)
	}
	t.Logf("ops before %d, in copy %d, after %d; %d writes during the test", before, n, after, wrote.Load())
}

func TestRestoreRefuses(t *testing.T) {
	db := bkSeeded(t, 1)
	var good bytes.Buffer
	if _, err := db.Backup(&good); err != nil {
		t.Fatal(err)
	}
	enc, _ := zstd.NewWriter(nil)
	emptyBolt := func() []byte {
		p := filepath.Join(t.TempDir(), "other.db")
		bdb, err := bbolt.Open(p, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = bdb.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucket([]byte("theirs")); return err })
		bdb.Close()
		b, _ := os.ReadFile(p)
		return b
	}()
	for _, tc := range []struct {
		name string
		in   []byte
		max  int64
		want error
	}{
		{"NotZstd", []byte("not a backup at all"), store.MaxRestoreSize, nil},
		{"Truncated", good.Bytes()[:good.Len()/2], store.MaxRestoreSize, nil},
		{"Empty", enc.EncodeAll(nil, nil), store.MaxRestoreSize, store.ErrNotKruzhok},
		{"NotBolt", enc.EncodeAll(bytes.Repeat([]byte("x"), 1<<16), nil), store.MaxRestoreSize, store.ErrNotKruzhok},
		{"OtherBolt", enc.EncodeAll(emptyBolt, nil), store.MaxRestoreSize, store.ErrNotKruzhok},
		{"TooLarge", good.Bytes(), 4096, store.ErrBackupTooLarge},
		{"Bomb", enc.EncodeAll(make([]byte, 8<<20), nil), 1 << 20, store.ErrBackupTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "kruzhok.db")
			err := store.RestoreLimit(bytes.NewReader(tc.in), path, tc.max)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("RestoreLimit: %v, want %v", err, tc.want)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
	t.Run("Existing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kruzhok.db")
		if err := os.WriteFile(path, []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := store.Restore(bytes.NewReader(good.Bytes()), path); !errors.Is(err, fs.ErrExist) {
			t.Fatalf("Restore over a file: %v, want fs.ErrExist", err)
		}
		if b, _ := os.ReadFile(path); string(b) != "mine" {
			t.Errorf("existing file changed to %q", b)
		}
	})
}

func TestBackupTo(t *testing.T) {
	db := bkSeeded(t, 1)
	path := filepath.Join(t.TempDir(), "b", store.BackupFileName(bkNow))
	n, err := db.BackupTo(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Size() != n || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file %v (%v), want %d bytes, 0600", fi, err, n)
	}
	if _, err := db.BackupTo(path); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second BackupTo: %v, want fs.ErrExist", err)
	}
	if left, _ := os.ReadDir(filepath.Dir(path)); len(left) != 1 {
		t.Errorf("directory holds %v", left)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := bkRestored(t, b)
	if b := got.Check(app.Check); len(b) > 0 {
		t.Fatal(b)
	}
}

// BackupPath reads a stopped database without changing it, and says so
// clearly when a running Kruzhok holds the file.
func TestBackupPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kruzhok.db")
	db, err := store.Open(path, store.Options{NoSync: true, Now: func() time.Time { return bkNow }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(assets.Seed(app.DateOf(bkNow))); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := store.BackupPath(path, &buf, 100*time.Millisecond); !errors.Is(err, store.ErrLocked) {
		t.Errorf("BackupPath of an open database: %v, want ErrLocked", err)
	}
	want, _ := db.Digest("region")
	db.Close()
	before, _ := os.ReadFile(path)
	buf.Reset()
	if _, err := store.BackupPath(path, &buf, 0); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("BackupPath changed the file")
	}
	got, _ := bkRestored(t, buf.Bytes())
	if d, _ := got.Digest("region"); d != want {
		t.Errorf("digest %s, want %s", d, want)
	}
	if _, err := store.BackupPath(filepath.Join(dir, "none.db"), &buf, 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	junk := filepath.Join(dir, "junk.db")
	_ = os.WriteFile(junk, bytes.Repeat([]byte("j"), 8192), 0o600)
	if _, err := store.BackupPath(junk, &buf, 0); !errors.Is(err, store.ErrNotKruzhok) {
		t.Errorf("junk file: %v, want ErrNotKruzhok", err)
	}
}

func TestRotateBackups(t *testing.T) {
	dir := t.TempDir()
	var names []string
	start := time.Date(2026, 10, 1, 2, 30, 0, 0, time.UTC)
	for i := range 20 {
		// Written out of order: the name, not the file time, says which is newest.
		n := store.BackupFileName(start.AddDate(0, 0, (i*7)%20))
		names = append(names, n)
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	others := []string{"notes.txt", "kruzhok-2020.db.zst", ".kruzhok-20200101-000000.db.zst.backup-1"}
	for _, n := range others {
		_ = os.WriteFile(filepath.Join(dir, n), nil, 0o600)
	}
	if err := store.RotateBackups(dir, 14); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	want := append(slices.Clone(names[6:]), others...)
	slices.Sort(want)
	var got []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		got = append(got, e.Name())
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("after rotation:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := store.RotateBackups(dir, 0); err == nil {
		t.Error("keep 0 accepted")
	}
}
