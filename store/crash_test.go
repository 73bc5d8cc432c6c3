package store_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/assets"
	"kruzhok/store"
)

// The child side of TestKillDuringBulkImport: when KRUZHOK_CRASH_DB is set, the
// test binary imports children in batches forever, until it is killed.
func TestMain(m *testing.M) {
	if path := os.Getenv("KRUZHOK_CRASH_DB"); path != "" {
		os.Exit(bulkImportForever(path))
	}
	os.Exit(m.Run())
}

const crashBatch = 500

func bulkImportForever(path string) int {
	db, err := store.Open(path, store.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	today := app.DateOf(time.Now())
	if _, err := db.Exec(assets.Seed(today)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("seeded")
	for b := 0; ; b++ {
		cmds := make([]app.Command, 0, crashBatch)
		for i := 0; i < crashBatch; i++ {
			n := b*crashBatch + i
			cmds = append(cmds, &app.RegisterChild{Child: app.Child{ID: "c" + strconv.Itoa(n),
				LastName: "Иванов", FirstName: "Пётр" + strconv.Itoa(n), BirthDate: today.AddDays(-3650),
				Municipality: "27", GuardianName: "Иванова Мария", ConsentDate: today, ConsentBy: "МОЦ"}})
			cmds = append(cmds, &app.IssueCertificate{ID: "k" + strconv.Itoa(n), Child: "c" + strconv.Itoa(n)})
		}
		if _, err := db.ExecBatch(cmds); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
}

// TestKillDuringBulkImport kills (SIGKILL) a process in the middle of a bulk
// import, several times at different moments, and reopens the file each
// time: the database passes every check, and every batch is whole or absent —
// each child has its certificate and its two ops, and nothing half-applied
// (the digest accumulators included).
func TestKillDuringBulkImport(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	killedMidImport := false
	for round, wait := range []time.Duration{150 * time.Millisecond, 400 * time.Millisecond, 900 * time.Millisecond} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "KRUZHOK_CRASH_DB="+path)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(wait)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		db, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill -9: %v", round, err)
		}
		if breaches := db.Check(app.Check); len(breaches) > 0 {
			t.Fatalf("round %d: check after kill -9: %q", round, breaches)
		}
		// The digest sums rolled back with the batch they were written in.
		digestsAgreeIn(t, db, fmt.Sprintf("round %d after kill -9", round),
			[]string{app.ScopeRegion, app.MunicipalityScope("27"), app.ProviderScope("nobody")})
		var children, certs int
		err = db.View(func(r app.Reader) error {
			if err := r.Scan(app.KindChild, "", "", func(string) bool { children++; return true }); err != nil {
				return err
			}
			return r.Scan(app.KindCertificate, "", "", func(string) bool { certs++; return true })
		})
		if err != nil {
			t.Fatal(err)
		}
		ops, _ := db.OutboxLen()
		t.Logf("round %d: killed after %v with %d children, %d certificates, %d ops", round, wait, children, certs, ops)
		seedOps := min(ops, 1)
		if children%crashBatch != 0 || certs != children || ops != seedOps+2*children {
			t.Fatalf("round %d: half-applied batch: %d children, %d certificates, %d ops", round, children, certs, ops)
		}
		db.Close()
		if children > 0 {
			killedMidImport = true
		}
		os.Remove(path)
	}
	if !killedMidImport {
		t.Fatal("no round was killed in the middle of the import: the test proved nothing")
	}
}
