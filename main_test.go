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
	"syscall"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
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
	cmd.Env = testEnv()
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

// testEnv is the environment of the binary under test: no graphical display,
// the C locale.
func testEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") && !strings.HasPrefix(kv, "LANG=") {
			env = append(env, kv)
		}
	}
	return append(env, "LANG=C.UTF-8") // the default of servers and CI: no locale noise (package rulocale)
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
// instead of crashing in GLFW; a brand-new database stays empty, so that the
// window's first start can offer its choice (demo, join, new region) later.
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
	if app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("the new database was seeded without anyone choosing to: %v", err)
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

// served is a running `kruzhok serve` process.
type served struct {
	cmd            *exec.Cmd
	out, errb      bytes.Buffer // read only after exit
	done           chan struct{}
	exitCode       int
	url, tokenFile string
}

// serve starts `kruzhok serve` on data at a free loopback port and waits
// until it listens; the test stops it if it has not.
func serve(t *testing.T, data string, extra ...string) *served {
	t.Helper()
	dir := t.TempDir()
	s := &served{done: make(chan struct{}), tokenFile: filepath.Join(dir, "region.token")}
	urlFile := filepath.Join(dir, "url")
	args := append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0",
		"--init-token-file", s.tokenFile, "--url-file", urlFile}, extra...)
	s.cmd = exec.Command(kruzhok, args...)
	s.cmd.Env = testEnv()
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.errb
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = s.cmd.Wait()
		s.exitCode = s.cmd.ProcessState.ExitCode()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(urlFile); err == nil && len(b) > 0 {
			s.url = strings.TrimSpace(string(b))
			return s
		}
		select {
		case <-s.done:
			t.Fatalf("serve exited with %d before listening:\n%s\n%s", s.exitCode, s.out.String(), s.errb.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not listen within 20 s")
		}
	}
}

// stop sends SIGTERM and expects a graceful exit 0 within a few seconds.
func (s *served) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10 s of SIGTERM")
	}
	if s.exitCode != 0 || !strings.Contains(s.errb.String(), `"msg":"stopped"`) {
		t.Fatalf("serve exit %d after SIGTERM:\n%s", s.exitCode, s.errb.String())
	}
}

// lastLine is the last non-empty line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// report parses the one JSON line of sync --once.
func report(t *testing.T, r result) sync.Report {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("sync exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("sync --once printed more than one line:\n%s", r.stdout)
	}
	var rep sync.Report
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("sync --once output %q: %v", r.stdout, err)
	}
	return rep
}

// The whole life of a region over real processes and HTTPS with a pinned
// self-signed certificate: the server's first-start token joins a region
// node, whose invite (carried by its sync) joins a municipality node; a
// batch file travels by `sync --deliver`; a spent token and a wrong pin are
// refused; SIGTERM stops the server gracefully, and the digests of the
// stopped server's file equal the nodes'.
func TestSyncEndToEnd(t *testing.T) {
	dir := t.TempDir()
	serverDB := filepath.Join(dir, "server.db")
	regionDB, munDB := filepath.Join(dir, "region.db"), filepath.Join(dir, "mun27.db")
	exe(t, "invite", "--data", serverDB, "--scope", "region").want(t, 1, "stderr", "нет базы данных")

	srv := serve(t, serverDB)
	if !strings.HasPrefix(srv.url, "https://127.0.0.1:") {
		t.Fatalf("server url %q", srv.url)
	}
	tokenBytes, err := os.ReadFile(srv.tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(srv.tokenFile); st.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", st.Mode().Perm())
	}
	regionToken := strings.TrimSpace(string(tokenBytes))
	fp, _, err := sync.ParseToken(regionToken)
	if err != nil {
		t.Fatalf("init token %q: %v", regionToken, err)
	}
	if stored, err := sync.StoredFingerprint(serverDB); err != nil || stored != fp {
		t.Fatalf("token pins %s, the server's certificate is %s (%v)", fp, stored, err)
	}

	exe(t, "join", "--data", regionDB, "--server", srv.url, "--token", regionToken).
		want(t, 0, "stdout", "область region")
	inv := exe(t, "invite", "--data", regionDB, "--scope", "municipality:27")
	inv.want(t, 0, "stdout", "после синхронизации")
	munToken := lastLine(inv.stdout)
	if f, _, err := sync.ParseToken(munToken); err != nil || f != fp {
		t.Fatalf("invite token %q (%v): want the server's pin %s", munToken, err, fp)
	}
	// The invite is an op of the region node: the server knows it after a sync.
	exe(t, "join", "--data", munDB, "--server", srv.url, "--token", munToken).want(t, 1, "stderr", "не найдено")
	if rep := report(t, exe(t, "sync", "--data", regionDB, "--once")); rep.Pushed != 1 || rep.Applied != 1 || !rep.DigestMatch {
		t.Fatalf("region sync %+v, want the invite pushed and applied, digests equal", rep)
	}
	exe(t, "join", "--data", munDB, "--server", srv.url, "--token", munToken).
		want(t, 0, "stdout", "область municipality:27")
	if rep := report(t, exe(t, "sync", "--data", munDB, "--once")); !rep.DigestMatch {
		t.Fatalf("municipality sync %+v, want digests equal", rep)
	}
	// A join run again (as after a cut-off first load) carries on instead of failing.
	exe(t, "join", "--data", munDB, "--server", srv.url, "--token", munToken).want(t, 0, "stdout", "уже подключён")

	// An op of the municipality node goes by batch file first.
	exe(t, "invite", "--data", munDB, "--scope", "municipality:27").want(t, 0, "stdout", "KRZ1-")
	exe(t, "digest", "--data", munDB).want(t, 0, "stderr", "ждут ответа сервера")
	batch := filepath.Join(dir, "usb", "mun27.krz")
	if err := os.Mkdir(filepath.Dir(batch), 0o700); err != nil {
		t.Fatal(err)
	}
	exe(t, "export", "--data", munDB, "--batch", batch).want(t, 0, "stdout", "--token-fingerprint "+fp)
	wrongPin := strings.Repeat("0", 64)
	exe(t, "sync", "--deliver", batch, "--server", srv.url, "--token-fingerprint", wrongPin).
		want(t, 1, "stderr", "не совпадает с отпечатком")
	// The file is sealed to the server's key, kept 0600 beside its database.
	if b, err := os.ReadFile(batch); err != nil || !sync.IsSealed(b) {
		t.Fatalf("batch file %q… is not sealed: %v", b[:min(len(b), 4)], err)
	}
	if st, err := os.Stat(sync.SealKeyFile(serverDB)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("server seal key %v %v", st, err)
	}
	del := exe(t, "sync", "--deliver", batch, "--server", srv.url, "--token-fingerprint", fp)
	del.want(t, 0, "stdout", `"acked_through":1`)
	del.want(t, 0, "stderr", "Зашифрованный пакет узла")
	if !strings.Contains(del.stdout, `"results":[{"seq":1,"status":"applied"}]`) {
		t.Fatalf("deliver reply %s", del.stdout)
	}
	// The node's next sync gets the stored result of the delivered op.
	if rep := report(t, exe(t, "sync", "--data", munDB, "--once")); rep.Applied != 1 || rep.Rejected != 0 || !rep.DigestMatch {
		t.Fatalf("municipality sync after delivery %+v", rep)
	}
	exe(t, "sync", "--data", munDB, "--once").want(t, 0, "stdout", `{"pushed":0,"applied":0,"rejected":0,"pulled":0,"digest_match":true}`)
	// Each op's result is readable: the delivered invite was applied.
	res := exe(t, "sync", "--data", munDB, "--results")
	res.want(t, 0, "stdout", `"pending":0`)
	if !strings.Contains(res.stdout, `"op":"create_invite","status":"applied"`) {
		t.Fatalf("sync --results:\n%s", res.stdout)
	}
	if rej := exe(t, "sync", "--data", munDB, "--results", "--rejected"); strings.Count(strings.TrimSpace(rej.stdout), "\n") != 0 {
		t.Fatalf("sync --results --rejected lists ops that were not rejected:\n%s", rej.stdout)
	}

	exe(t, "join", "--data", filepath.Join(dir, "late.db"), "--server", srv.url, "--token", regionToken).
		want(t, 1, "stderr", "Приглашение уже использовано")
	if rep := report(t, exe(t, "sync", "--data", regionDB, "--once")); !rep.DigestMatch {
		t.Fatalf("region sync %+v", rep)
	}

	srv.stop(t)
	if !strings.Contains(srv.out.String(), regionToken) {
		t.Errorf("serve did not print the region token:\n%s", srv.out.String())
	}
	for _, c := range []struct{ node, scope string }{{munDB, "municipality:27"}, {regionDB, "region"}} {
		node := exe(t, "digest", "--data", c.node)
		node.want(t, 0, "stdout", "")
		server := exe(t, "digest", "--data", serverDB, "--scope", c.scope)
		if node.stdout != server.stdout || len(strings.TrimSpace(node.stdout)) != 64 {
			t.Errorf("digest of %s: node %q, server %q", c.scope, node.stdout, server.stdout)
		}
	}
	// The desktop on a joined node starts and stops its sync schedule (the
	// server is down, so any sync fails) around the window, which cannot open here.
	exe(t, "gui", "--data", munDB).want(t, 1, "stderr", "")

	// With the server stopped, its own database invites, pinning its certificate.
	inv = exe(t, "invite", "--data", serverDB, "--scope", "municipality:27")
	inv.want(t, 0, "stdout", "KRZ1-"+fp+"-")

	// A later start makes no new region token.
	again := serve(t, serverDB)
	again.stop(t)
	if _, err := os.Stat(again.tokenFile); !errors.Is(err, os.ErrNotExist) || strings.Contains(again.out.String(), "KRZ1-") {
		t.Errorf("second start made a region token: %v\n%s", err, again.out.String())
	}
}

// Plain HTTP on loopback, for tests: no certificate is made, and the token
// carries no pin.
func TestServeInsecureLoopback(t *testing.T) {
	dir := t.TempDir()
	serverDB := filepath.Join(dir, "server.db")
	srv := serve(t, serverDB, "--insecure-http")
	if !strings.HasPrefix(srv.url, "http://127.0.0.1:") {
		t.Fatalf("url %q", srv.url)
	}
	token, err := os.ReadFile(srv.tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(token), "KRZ1--") {
		t.Errorf("token %q has a pin", token)
	}
	node := filepath.Join(dir, "node.db")
	exe(t, "join", "--data", node, "--server", srv.url, "--token", string(token)).want(t, 0, "stdout", "область region")
	exe(t, "sync", "--data", node, "--once").want(t, 0, "stdout", `"digest_match":true`)
	// A backup of the running server's database: the server writes it itself.
	backup := filepath.Join(dir, "server.db.zst")
	exe(t, "backup", "--data", serverDB, "--out", backup).want(t, 0, "stdout", "сделана работающей программой")
	exe(t, "sync", "--data", node, "--once").want(t, 0, "stdout", `"digest_match":true`)
	srv.stop(t)
	restored := filepath.Join(dir, "restored.db")
	exe(t, "restore", "--in", backup, "--data", restored).want(t, 0, "stdout", "")
	exe(t, "check", "--data", restored).want(t, 0, "stdout", "OK")
	if _, err := os.Stat(serverDB + ".ctl"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stopped server left its control socket: %v", err)
	}
	if _, err := os.Stat(sync.TLSDir(serverDB)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a plain HTTP server made %s: %v", sync.TLSDir(serverDB), err)
	}
}

// What the sync commands refuse, each with a message that says why.
func TestSyncCommandsRefuse(t *testing.T) {
	dir := t.TempDir()
	standalone := filepath.Join(dir, "region.db")
	node := filepath.Join(dir, "node.db")
	for path, scope := range map[string]string{standalone: "", node: "municipality:27"} {
		db, err := store.Open(path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if scope != "" {
			if err := db.SetScope(scope, false); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	token := "KRZ1-" + strings.Repeat("ab", 32) + "-" + strings.Repeat("cd", 16)
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"InsecureOnNetwork", []string{"serve", "--data", standalone, "--addr", "0.0.0.0:0", "--insecure-http"}, 2, "только на петлевом адресе"},
		{"InsecureOnAllInterfaces", []string{"serve", "--data", standalone, "--addr", ":8080", "--insecure-http"}, 2, "только на петлевом адресе"},
		{"CertWithoutKey", []string{"serve", "--data", standalone, "--tls-cert", "c.pem"}, 2, "--tls-key"},
		{"ServeNodeDatabase", []string{"serve", "--data", node, "--addr", "127.0.0.1:0"}, 1, "узел области municipality:27"},
		{"JoinBadToken", []string{"join", "--data", filepath.Join(dir, "x.db"), "--server", "https://rmc.example", "--token", "KRZ1-abc"}, 2, "Неверный код приглашения"},
		{"JoinBadServer", []string{"join", "--data", filepath.Join(dir, "x.db"), "--server", "ftp://rmc.example", "--token", token}, 2, "https://"},
		{"JoinNoToken", []string{"join", "--data", filepath.Join(dir, "x.db"), "--server", "https://rmc.example"}, 2, "--token"},
		{"SyncNotJoined", []string{"sync", "--data", standalone, "--once"}, 1, "не подключена к серверу"},
		{"ExportNotJoined", []string{"export", "--data", standalone, "--batch", filepath.Join(dir, "b")}, 1, "не подключена к серверу"},
		{"ExportNoBatch", []string{"export", "--data", node}, 2, "--batch"},
		{"SyncMissingFile", []string{"sync", "--data", filepath.Join(dir, "none.db"), "--once"}, 1, "нет базы данных"},
		{"DeliverNoServer", []string{"sync", "--deliver", filepath.Join(dir, "b")}, 2, "--server"},
		{"DeliverNotBatch", []string{"sync", "--deliver", standalone, "--server", "https://rmc.example"}, 1, "не пакет Kruzhok"},
		{"InviteWithoutCertificate", []string{"invite", "--data", standalone, "--scope", "municipality:27"}, 1, "kruzhok serve"},
		{"InviteOutsideScope", []string{"invite", "--data", node, "--scope", "region"}, 1, "не может приглашать"},
		{"InviteBadScope", []string{"invite", "--data", node, "--scope", "city:1"}, 2, "Неверная область узла «city:1»"},
		{"DigestBadScope", []string{"digest", "--data", node, "--scope", "city:1"}, 2, "Неверная область узла «city:1»"},
	} {
		t.Run(c.name, func(t *testing.T) {
			exe(t, c.args...).want(t, c.code, "stderr", c.stderr)
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("sync created a database: %v", err)
	}
}
