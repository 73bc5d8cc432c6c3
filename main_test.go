package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// kruzhok is the binary under test, built once by TestMain.
var kruzhok string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kruzhok-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	kruzhok = filepath.Join(dir, "kruzhok")
	build := exec.Command("go", "build", "-o", kruzhok, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build kruzhok:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the binary gave.
type result struct {
	stdout, stderr string
	code           int
}

// exe runs the binary with args and no graphical display.
func exe(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(kruzhok, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") && !strings.HasPrefix(kv, "LANG=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "LANG=en_US.UTF-8") // Fyne cannot parse the C locale and says so
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run kruzhok %v: %v", args, err)
	}
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("kruzhok %v crashed:\n%s", args, r.stderr)
	}
	return r
}

func (r result) want(t *testing.T, code int, stream, substr string) {
	t.Helper()
	got := r.stdout
	if stream == "stderr" {
		got = r.stderr
	}
	if r.code != code || !strings.Contains(got, substr) {
		t.Fatalf("exit %d, %s missing %q or wrong code (want %d)\nstdout:\n%s\nstderr:\n%s",
			r.code, stream, substr, code, r.stdout, r.stderr)
	}
}

// demoFile builds a demo region of n children in a new file.
func demoFile(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.db")
	r := exe(t, "demo", "--data", path, "--children", fmt.Sprint(n), "--providers", "6", "--programmes", "15")
	r.want(t, 0, "stdout", fmt.Sprintf("Детей: %d;", n))
	return path
}

func TestDemoThenCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	r := exe(t, "demo", "--data", path, "--children", "200")
	r.want(t, 0, "stdout", "Детей: 200;")
	for _, s := range []string{"Муниципалитетов: 33", "заявок в очереди", "Счетов:", "отметок посещаемости"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("summary lacks %q:\n%s", s, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "журнал") {
		t.Errorf("no progress on stderr:\n%s", r.stderr)
	}
	if m, _ := filepath.Glob(path + ".*"); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
	exe(t, "check", "--data", path).want(t, 0, "stdout", "OK: нарушений нет")
}

func TestDemoRefusesExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	if err := os.WriteFile(path, []byte("not mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	exe(t, "demo", "--data", path, "--children", "20").want(t, 1, "stderr", "уже существует")
	if b, _ := os.ReadFile(path); string(b) != "not mine" {
		t.Errorf("the existing file changed: %q", b)
	}
}

// A certificate ledger changed behind the store's back (bbolt directly, as
// schema.go lays it out: rec/certificate, a version byte and JSON) is a
// breach that check names, with exit code 1.
func TestCheckFindsBrokenLedger(t *testing.T) {
	path := demoFile(t, 60)
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	number := ""
	err = db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("rec/certificate"))
		if b == nil {
			return errors.New("no bucket rec/certificate")
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) < 2 || v[0] != 1 {
				return fmt.Errorf("certificate %s: not version 1 JSON", k)
			}
			var cert app.Certificate
			if err := json.Unmarshal(v[1:], &cert); err != nil {
				return err
			}
			if len(cert.Ledgers) == 0 || cert.Ledgers[0].Nominal == 0 {
				continue
			}
			cert.Ledgers[0].Balance += 100 // a rouble out of nowhere
			data, err := json.Marshal(cert)
			if err != nil {
				return err
			}
			number = cert.Number
			return b.Put(k, append([]byte{1}, data...))
		}
		return errors.New("no financing certificate")
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Skipf("store layout is not what this test knows: %v", err)
	}
	r := exe(t, "check", "--data", path)
	r.want(t, 1, "stdout", "сертификат "+number)
	r.want(t, 1, "stderr", "нарушений:")
}

func TestCheckMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.db")
	exe(t, "check", "--data", path).want(t, 1, "stderr", "нет базы данных")
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("check created %s", path)
	}
}

// Without DISPLAY and WAYLAND_DISPLAY the desktop says so and exits 1
// instead of crashing in GLFW; a brand-new database got the reference data.
func TestDesktopWithoutDisplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	r := exe(t, "--data", path)
	r.want(t, 1, "stderr", "DISPLAY")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(r app.Reader) error {
		_, err := app.Get[app.Region](r, "region")
		return err
	})
	if err != nil {
		t.Errorf("the new database has no region: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	exe(t, "gui", "--data", path).want(t, 1, "stderr", "DISPLAY")
}

// A database another Kruzhok holds is refused within the store's timeout,
// with a message that says so.
func TestLockedDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exe(t, "check", "--data", path).want(t, 1, "stderr", "занята другим экземпляром")
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		stream string
		text   string
	}{
		{"Unknown", []string{"frobnicate"}, "stderr", "неизвестная команда «frobnicate»"},
		{"Help", []string{"help"}, "stdout", "kruzhok check"},
		{"BadFlag", []string{"check", "--no-such-flag"}, "stderr", "no-such-flag"},
		{"ExtraArgument", []string{"check", "--data", "x.db", "y.db"}, "stderr", "лишние аргументы"},
		{"ZeroChildren", []string{"demo", "--data", "x.db", "--children", "0"}, "stderr", "больше нуля"},
	} {
		t.Run(c.name, func(t *testing.T) {
			exe(t, c.args...).want(t, 2, c.stream, c.text)
		})
	}
}

func TestVersion(t *testing.T) {
	exe(t, "version").want(t, 0, "stdout", "kruzhok "+version)
}

// The binary's version must be FyneApp.toml's.
func TestVersionMatchesFyneAppToml(t *testing.T) {
	b, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^\s*Version = "` + regexp.QuoteMeta(version) + `"$`).Match(b) {
		t.Errorf("FyneApp.toml does not say Version = %q", version)
	}
}
