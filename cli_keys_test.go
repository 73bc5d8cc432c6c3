package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kruzhok/keys"
	"kruzhok/store"
)

// cheapKDF makes the in-process tests' argon2id cheap; the binary keeps the
// real parameters.
func cheapKDF(t *testing.T) {
	saved := keys.DefaultParams
	keys.DefaultParams = keys.Params{Time: 1, Memory: 8 << 10, Threads: 1}
	t.Cleanup(func() { keys.DefaultParams = saved })
}

// envOf is a keyEnv of the variables m and the scripted terminal answers
// (nil: no terminal).
func envOf(m map[string]string, answers ...string) keyEnv {
	env := keyEnv{getenv: func(k string) string { return m[k] }}
	if answers != nil {
		env.prompt = func(string) (string, error) {
			if len(answers) == 0 {
				return "", io.EOF
			}
			a := answers[0]
			answers = answers[1:]
			return a, nil
		}
	}
	return env
}

func newDBPath(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "data", "kruzhok.db")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	return p
}

func makePlainDB(t *testing.T, path string, dataKey []byte) {
	db, err := store.Open(path, store.Options{NoSync: true, DataKey: dataKey})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func rawKeyFile(t *testing.T, b byte) (string, []byte) {
	key := bytes.Repeat([]byte{b}, keys.KeySize)
	p := filepath.Join(t.TempDir(), "region.key")
	if err := os.WriteFile(p, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, key
}

// No key file, no key source: nil, whether the database exists or not —
// every command behaves as before issue 10.
func TestDataKeyForPlaintext(t *testing.T) {
	path := newDBPath(t)
	if dk, err := resolveDataKey(path, "", envOf(nil, "never asked")); dk != nil || err != nil {
		t.Fatalf("new database: %x, %v", dk, err)
	}
	makePlainDB(t, path, nil)
	if dk, err := resolveDataKey(path, "", envOf(nil, "never asked")); dk != nil || err != nil {
		t.Fatalf("plaintext database: %x, %v", dk, err)
	}
	if keys.Exists(path) {
		t.Fatal("a key file appeared")
	}
	// A key given for a plaintext database is refused, not silently ignored.
	if _, err := resolveDataKey(path, "", envOf(map[string]string{keys.EnvPassword: "x"})); !errors.Is(err, errPlainWithKey) {
		t.Fatalf("password for a plaintext database: %v", err)
	}
}

func TestDataKeyForPassword(t *testing.T) {
	cheapKDF(t)
	path := newDBPath(t)
	want, err := keys.Create(path, keys.Password("секрет"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		env  keyEnv
		err  string
	}{
		{"Env", envOf(map[string]string{keys.EnvPassword: "секрет"}), ""},
		{"Prompt", envOf(nil, "секрет"), ""},
		{"EnvWrong", envOf(map[string]string{keys.EnvPassword: "не тот"}, "секрет"), "KEY_WRONG_SECRET"},
		{"PromptWrong", envOf(nil, "не тот"), "KEY_WRONG_SECRET"},
		{"NoTerminal", envOf(nil), keys.EnvPassword},
	} {
		t.Run(c.name, func(t *testing.T) {
			dk, err := resolveDataKey(path, "", c.env)
			if c.err == "" {
				if err != nil || !bytes.Equal(dk, want) {
					t.Fatalf("%x, %v; want %x", dk, err, want)
				}
				return
			}
			if err == nil || dk != nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("%x, %v; want an error with %q", dk, err, c.err)
			}
		})
	}
	// A raw key for a password database: the kind is named.
	kf, _ := rawKeyFile(t, 1)
	if _, err := resolveDataKey(path, kf, envOf(nil)); !errors.Is(err, keys.ErrSecretKind) {
		t.Errorf("raw key for a password database: %v", err)
	}
}

func TestDataKeyForRawSources(t *testing.T) {
	path := newDBPath(t)
	kf, key := rawKeyFile(t, 0x42)
	s, _ := keys.RawKey(key)
	want, err := keys.Create(path, s)
	if err != nil {
		t.Fatal(err)
	}
	creds := t.TempDir()
	os.WriteFile(filepath.Join(creds, keys.CredentialName), key, 0o400)
	other := hex.EncodeToString(bytes.Repeat([]byte{7}, keys.KeySize))
	for _, c := range []struct {
		name    string
		keyFile string
		env     map[string]string
		ok      bool
	}{
		{"KeyFile", kf, nil, true},
		{"Env", "", map[string]string{keys.EnvKey: hex.EncodeToString(key)}, true},
		{"Systemd", "", map[string]string{keys.EnvCredentials: creds}, true},
		{"KeyFileFirst", kf, map[string]string{keys.EnvKey: other}, true},
		{"EnvBeforeSystemd", "", map[string]string{keys.EnvKey: other, keys.EnvCredentials: creds}, false},
		{"WrongEnv", "", map[string]string{keys.EnvKey: other}, false},
		{"PasswordForKey", "", map[string]string{keys.EnvPassword: "x"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dk, err := resolveDataKey(path, c.keyFile, envOf(c.env))
			if c.ok != (err == nil) || (c.ok && !bytes.Equal(dk, want)) {
				t.Fatalf("%x, %v", dk, err)
			}
		})
	}
	t.Run("KeyFileInDataDir", func(t *testing.T) {
		inside := filepath.Join(filepath.Dir(path), "region.key")
		os.WriteFile(inside, key, 0o600)
		if _, err := resolveDataKey(path, inside, envOf(nil)); !errors.Is(err, keys.ErrKeyInDataDir) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("KeyFileExposed", func(t *testing.T) {
		os.Chmod(kf, 0o644)
		defer os.Chmod(kf, 0o600)
		if _, err := resolveDataKey(path, kf, envOf(nil)); !errors.Is(err, keys.ErrKeyFileExposed) {
			t.Fatalf("%v", err)
		}
	})
}

// A new database with a key source is born with its key file.
func TestDataKeyForNewDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new", "kruzhok.db")
	kf, key := rawKeyFile(t, 0x11)
	dk, err := resolveDataKey(path, kf, envOf(nil))
	if err != nil || len(dk) != keys.KeySize {
		t.Fatalf("%x, %v", dk, err)
	}
	s, _ := keys.RawKey(key)
	if again, err := keys.Open(path, s); err != nil || !bytes.Equal(again, dk) {
		t.Fatalf("the key file made for the new database opens %x, %v", again, err)
	}
}

// The plumbing: the key of --key-file reaches store.Options, and the other
// options stay.
func TestKeyedOptionsCarriesKey(t *testing.T) {
	path := newDBPath(t)
	kf, key := rawKeyFile(t, 0x24)
	s, _ := keys.RawKey(key)
	want, err := keys.Create(path, s)
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := newFlags("check", io.Discard)
	if err := fs.Parse([]string{"--data", path, "--key-file", kf}); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Unix(0, 0) }
	opt, err := keyedOptions(path, fs, store.Options{NoSync: true, Now: now})
	if err != nil || !bytes.Equal(opt.DataKey, want) || !opt.NoSync || opt.Now == nil {
		t.Fatalf("keyedOptions = %+v, %v; want DataKey %x", opt, err, want)
	}
	plain := newDBPath(t)
	fs2, _ := newFlags("check", io.Discard)
	fs2.Parse([]string{"--data", plain})
	t.Setenv(keys.EnvKey, "")
	t.Setenv(keys.EnvPassword, "")
	t.Setenv(keys.EnvCredentials, "")
	if opt, err := keyedOptions(plain, fs2, store.Options{}); err != nil || opt.DataKey != nil {
		t.Fatalf("plaintext: %+v, %v", opt, err)
	}
	if keyFileOf(flag.NewFlagSet("x", flag.ContinueOnError)) != "" {
		t.Fatal("a flag set without --key-file has one")
	}
}

func TestKeysInitPasswd(t *testing.T) {
	cheapKDF(t)
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	var out, errb bytes.Buffer
	run := func(env keyEnv, args ...string) int {
		out.Reset()
		errb.Reset()
		return runKeys(args, &out, &errb, env)
	}
	if code := run(envOf(nil, "раз", "два"), "init", "--data", path); code != exitFail || !strings.Contains(errb.String(), "не совпали") {
		t.Fatalf("mismatched passwords: %d %s", code, errb.String())
	}
	if code := run(envOf(nil, "пароль", "пароль"), "init", "--data", path); code != exitOK {
		t.Fatalf("init: %d %s", code, errb.String())
	}
	dk, err := keys.Open(path, keys.Password("пароль"))
	if err != nil {
		t.Fatal(err)
	}
	if code := run(envOf(nil, "другой", "другой"), "init", "--data", path); code != exitFail || !strings.Contains(errb.String(), "KEY_EXISTS") {
		t.Fatalf("second init: %d %s", code, errb.String())
	}
	if code := run(envOf(nil, "не тот", "новый", "новый"), "passwd", "--data", path); code != exitFail ||
		!strings.Contains(errb.String(), "неверный пароль") {
		t.Fatalf("passwd with a wrong password: %d %s", code, errb.String())
	}
	if code := run(envOf(nil, "пароль", "новый", "новый"), "passwd", "--data", path); code != exitOK {
		t.Fatalf("passwd: %d %s", code, errb.String())
	}
	if _, err := keys.Open(path, keys.Password("пароль")); !errors.Is(err, keys.ErrWrongSecret) {
		t.Errorf("old password after passwd: %v", err)
	}
	if got, err := keys.Open(path, keys.Password("новый")); err != nil || !bytes.Equal(got, dk) {
		t.Errorf("new password: %x, %v", got, err)
	}
	// From the password to a server's key file, the same data key.
	kf, key := rawKeyFile(t, 5)
	env := envOf(map[string]string{keys.EnvPassword: "новый"})
	if code := run(env, "passwd", "--data", path, "--new-key-file", kf); code != exitOK {
		t.Fatalf("passwd to a key file: %d %s", code, errb.String())
	}
	s, _ := keys.RawKey(key)
	if got, err := keys.Open(path, s); err != nil || !bytes.Equal(got, dk) {
		t.Errorf("key file: %x, %v", got, err)
	}
	// An existing plaintext database is sealed in place under the new key.
	plain := newDBPath(t)
	makePlainDB(t, plain, nil)
	if code := run(envOf(nil, "п", "п"), "init", "--data", plain); code != exitOK || !keys.Exists(plain) ||
		!strings.Contains(errb.String(), "Шифрование базы:") {
		t.Fatalf("init on a plaintext database: %d %s", code, errb.String())
	}
	if _, err := store.Open(plain, store.Options{NoSync: true}); !errors.Is(err, store.ErrKeyRequired) {
		t.Fatalf("the converted database opens without a key: %v", err)
	}
	// A locked plaintext database gets no key file: nothing could seal it.
	locked := newDBPath(t)
	makePlainDB(t, locked, nil)
	holder, err := store.Open(locked, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if code := run(envOf(nil, "п", "п"), "init", "--data", locked); code != exitFail || keys.Exists(locked) {
		t.Fatalf("init on a locked database: %d %s", code, errb.String())
	}
	holder.Close()
	if code := run(envOf(nil), "frob"); code != exitUsage {
		t.Fatalf("unknown keys command: %d", code)
	}
}

// exeEnv runs the binary with extra environment variables.
func exeEnv(t *testing.T, extra []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(kruzhok, args...)
	for _, kv := range testEnv() {
		if !strings.HasPrefix(kv, "KRUZHOK_") && !strings.HasPrefix(kv, keys.EnvCredentials+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, extra...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// The real binary: keys init, then check unlocks with the password and
// refuses without it or with a wrong one (argon2id at full cost: ~0.5 s a run).
func TestKeysBinary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kruzhok.db")
	exeEnv(t, []string{"KRUZHOK_PASSWORD=верный"}, "keys", "init", "--data", path).want(t, 0, "stdout", "создан")
	dk, err := keys.Open(path, keys.Password("верный"))
	if err != nil {
		t.Fatal(err)
	}
	makePlainDB(t, path, dk) // store seals with dk once it can (branch enc)
	exeEnv(t, nil, "check", "--data", path).want(t, 1, "stderr", "KRUZHOK_PASSWORD")
	exeEnv(t, []string{"KRUZHOK_PASSWORD=неверный"}, "check", "--data", path).want(t, 1, "stderr", "неверный пароль")
	exeEnv(t, []string{"KRUZHOK_PASSWORD=верный"}, "check", "--data", path).want(t, 0, "stdout", "")
	exeEnv(t, []string{"KRUZHOK_PASSWORD=верный", "KRUZHOK_NEW_PASSWORD=новый"}, "keys", "passwd", "--data", path).
		want(t, 0, "stdout", "данные не менялись")
	exeEnv(t, []string{"KRUZHOK_PASSWORD=новый"}, "check", "--data", path).want(t, 0, "stdout", "")
}

// The real binary converts an existing plaintext database (a demo region):
// progress on stderr, the same digest after, and the file then refuses to
// open without the password.
func TestKeysInitConvertsBinary(t *testing.T) {
	path := demoFile(t, 300)
	before := exeEnv(t, nil, "digest", "--data", path)
	before.want(t, 0, "stdout", "")
	r := exeEnv(t, []string{"KRUZHOK_PASSWORD=верный"}, "keys", "init", "--data", path)
	r.want(t, 0, "stdout", "создан")
	if !strings.Contains(r.stderr, "Шифрование базы: ") || !strings.Contains(r.stderr, "проверка пройдена") {
		t.Fatalf("no progress or check on stderr:\n%s", r.stderr)
	}
	exeEnv(t, nil, "check", "--data", path).want(t, 1, "stderr", "KRUZHOK_PASSWORD")
	exeEnv(t, []string{"KRUZHOK_PASSWORD=верный"}, "check", "--data", path).want(t, 0, "stdout", "OK: нарушений нет")
	after := exeEnv(t, []string{"KRUZHOK_PASSWORD=верный"}, "digest", "--data", path)
	after.want(t, 0, "stdout", "")
	if after.stdout != before.stdout {
		t.Fatalf("digest changed by the sealing:\n%s\nvs\n%s", before.stdout, after.stdout)
	}
	if _, err := store.Open(path, store.Options{NoSync: true}); !errors.Is(err, store.ErrKeyRequired) {
		t.Fatalf("open without a key: %v", err)
	}
	if m, _ := filepath.Glob(path + ".*"); len(m) != 1 || m[0] != keys.KeyPath(path) {
		t.Errorf("files beside the database: %v", m)
	}
	exeEnv(t, []string{"KRUZHOK_PASSWORD=другой"}, "keys", "init", "--data", path).want(t, 1, "stderr", "KEY_EXISTS")
}
