package keys

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// production keeps the real parameters for BenchmarkUnlock and
// TestDefaultParamsWithinBounds; the tests run with cheap ones.
var production = DefaultParams

func TestMain(m *testing.M) {
	DefaultParams = Params{Time: 1, Memory: minMemory, Threads: 1}
	os.Exit(m.Run())
}

func dbPath(t *testing.T) string {
	return filepath.Join(t.TempDir(), "data", "kruzhok.db")
}

func mkdirFor(t *testing.T, p string) {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
}

func rawSecret(t *testing.T, b byte) Secret {
	s, err := RawKey(bytes.Repeat([]byte{b}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCreateOpenRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name   string
		secret Secret
	}{{"Password", Password("пароль 1")}, {"RawKey", rawSecret(t, 7)}} {
		t.Run(c.name, func(t *testing.T) {
			p := dbPath(t)
			mkdirFor(t, p)
			dk, err := Create(p, c.secret)
			if err != nil {
				t.Fatal(err)
			}
			if len(dk) != KeySize || bytes.Equal(dk, make([]byte, KeySize)) {
				t.Fatalf("data key %x", dk)
			}
			got, err := Open(p, c.secret)
			if err != nil || !bytes.Equal(got, dk) {
				t.Fatalf("Open = %x, %v; want %x", got, err, dk)
			}
			st, err := os.Stat(KeyPath(p))
			if err != nil {
				t.Fatal(err)
			}
			if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
				t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
			}
			if ents, _ := os.ReadDir(filepath.Dir(p)); len(ents) != 1 {
				t.Errorf("files beside the key file: %v", ents)
			}
			if _, err := Create(p, c.secret); !errors.Is(err, ErrKeyExists) {
				t.Errorf("second Create = %v, want ErrKeyExists", err)
			}
			if again, _ := Open(p, c.secret); !bytes.Equal(again, dk) {
				t.Error("the refused Create changed the data key")
			}
		})
	}
}

func TestTwoDatabasesTwoDataKeys(t *testing.T) {
	a, b := dbPath(t), dbPath(t)
	mkdirFor(t, a)
	mkdirFor(t, b)
	ka, _ := Create(a, Password("x"))
	kb, _ := Create(b, Password("x"))
	if bytes.Equal(ka, kb) {
		t.Fatal("two databases with one password share a data key")
	}
}

func TestWrongSecretRefused(t *testing.T) {
	p := dbPath(t)
	mkdirFor(t, p)
	if _, err := Create(p, Password("верный")); err != nil {
		t.Fatal(err)
	}
	dk, err := Open(p, Password("неверный"))
	if !errors.Is(err, ErrWrongSecret) || dk != nil {
		t.Fatalf("Open with a wrong password = %x, %v", dk, err)
	}
	var ke *Error
	if !errors.As(err, &ke) || ke.Code != "KEY_WRONG_SECRET" || !bytes.Contains([]byte(err.Error()), []byte("неверный пароль")) {
		t.Errorf("error %q lacks the code or the Russian message", err)
	}
	if _, err := Open(p, rawSecret(t, 1)); !errors.Is(err, ErrSecretKind) {
		t.Errorf("Open of a password file with a raw key = %v, want ErrSecretKind", err)
	}
	if _, err := Open(p, Password("")); !errors.Is(err, ErrEmptyPassword) {
		t.Errorf("Open with an empty password = %v", err)
	}
	if _, err := Open(dbPath(t), Password("верный")); !errors.Is(err, ErrNoKeyFile) {
		t.Errorf("Open without a key file = %v, want ErrNoKeyFile", err)
	}
}

func TestChangePassword(t *testing.T) {
	p := dbPath(t)
	mkdirFor(t, p)
	dk, err := Create(p, Password("старый"))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(KeyPath(p))
	if err := ChangePassword(p, Password("не тот"), Password("новый")); !errors.Is(err, ErrWrongSecret) {
		t.Fatalf("ChangePassword with a wrong old password = %v", err)
	}
	if after, _ := os.ReadFile(KeyPath(p)); !bytes.Equal(before, after) {
		t.Fatal("a refused ChangePassword changed the key file")
	}
	if err := ChangePassword(p, Password("старый"), Password("новый")); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p, Password("старый")); !errors.Is(err, ErrWrongSecret) {
		t.Errorf("old password after the change: %v", err)
	}
	if got, err := Open(p, Password("новый")); err != nil || !bytes.Equal(got, dk) {
		t.Errorf("new password opens %x, %v; want the same data key %x", got, err, dk)
	}
	// To a raw key and back: still the same data key.
	if err := ChangePassword(p, Password("новый"), rawSecret(t, 9)); err != nil {
		t.Fatal(err)
	}
	if got, err := Open(p, rawSecret(t, 9)); err != nil || !bytes.Equal(got, dk) {
		t.Errorf("raw key opens %x, %v", got, err)
	}
	if pw, err := Kind(p); err != nil || pw {
		t.Errorf("Kind = %v, %v; want a raw key", pw, err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(p)); len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
}

// Every field of the file is authenticated or checked: a flipped byte in
// the wrapped key, the nonce, the salt or a parameter is refused.
func TestTamperedKeyFileRefused(t *testing.T) {
	p := dbPath(t)
	mkdirFor(t, p)
	if _, err := Create(p, Password("пароль")); err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(KeyPath(p))
	var f file
	if err := json.Unmarshal(orig, &f); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		change func(f *file)
	}{
		{"Wrapped", func(f *file) { f.Wrapped[3] ^= 1 }},
		{"Tag", func(f *file) { f.Wrapped[len(f.Wrapped)-1] ^= 0x80 }},
		{"Nonce", func(f *file) { f.Nonce[0] ^= 1 }},
		{"Salt", func(f *file) { f.Salt[5] ^= 1 }},
		{"Time", func(f *file) { f.Params.Time++ }},
		{"Memory", func(f *file) { f.Params.Memory += 1024 }},
		{"Threads", func(f *file) { f.Params.Threads++ }},
		{"TimeHuge", func(f *file) { f.Params.Time = 1 << 30 }},
		{"MemoryHuge", func(f *file) { f.Params.Memory = 1<<32 - 1 }},
		{"KDF", func(f *file) { f.KDF = KDFHKDF }},
		{"Version", func(f *file) { f.Version = 2 }},
		{"ShortWrapped", func(f *file) { f.Wrapped = f.Wrapped[:KeySize] }},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := f
			g.Salt = bytes.Clone(f.Salt)
			g.Nonce = bytes.Clone(f.Nonce)
			g.Wrapped = bytes.Clone(f.Wrapped)
			c.change(&g)
			b, _ := json.Marshal(g)
			if err := os.WriteFile(KeyPath(p), b, 0o600); err != nil {
				t.Fatal(err)
			}
			dk, err := Open(p, Password("пароль"))
			if err == nil || dk != nil {
				t.Fatalf("a tampered key file opened: %x", dk)
			}
			if !errors.Is(err, ErrWrongSecret) && !errors.Is(err, ErrBadKeyFile) {
				t.Errorf("error %v", err)
			}
		})
	}
	// Byte flips in the raw file too.
	for i := 0; i < len(orig); i += 7 {
		b := bytes.Clone(orig)
		b[i] ^= 0x01
		if dk, err := unwrap(b, Password("пароль")); err == nil {
			if bytes.Equal(b, orig) {
				continue
			}
			// JSON may accept a flip in white space or letter case of a key.
			var g file
			if json.Unmarshal(b, &g) == nil && bytes.Equal(g.aad(), f.aad()) && bytes.Equal(g.Wrapped, f.Wrapped) &&
				bytes.Equal(g.Nonce, f.Nonce) {
				continue
			}
			t.Errorf("flip at %d opened %x", i, dk)
		}
	}
	big := append(bytes.Clone(orig), bytes.Repeat([]byte(" "), MaxFileSize)...)
	os.WriteFile(KeyPath(p), big, 0o600)
	if _, err := Open(p, Password("пароль")); err == nil {
		t.Error("an oversized key file opened")
	}
}

func TestDefaultParamsWithinBounds(t *testing.T) {
	f := &file{Version: Version, KDF: KDFArgon2id, Params: production,
		Salt: make([]byte, saltSize), Nonce: make([]byte, 24), Wrapped: make([]byte, wrappedLen)}
	b, _ := json.Marshal(f)
	if _, err := decode(b); err != nil {
		t.Fatalf("the default parameters fail the decoder's bounds: %v", err)
	}
	if production.Memory != 64<<10 || production.Threads != 2 {
		t.Errorf("DefaultParams %+v: docs/SECURITY.md says 64 MiB, 2 threads", production)
	}
}

func writeRaw(t *testing.T, dir string, data []byte, mode os.FileMode) string {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "region.key")
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFromKeyFile(t *testing.T) {
	db := dbPath(t)
	mkdirFor(t, db)
	outside := filepath.Join(t.TempDir(), "secrets")
	key := bytes.Repeat([]byte{0xab}, KeySize)
	want, _ := RawKey(key)
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"Raw", key},
		{"Hex", []byte(hex.EncodeToString(key))},
		{"HexNewline", []byte(hex.EncodeToString(key) + "\n")},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeRaw(t, outside, c.data, 0o600)
			s, err := FromKeyFile(p, db)
			if err != nil || !bytes.Equal(s.raw, want.raw) {
				t.Fatalf("FromKeyFile = %x, %v", s.raw, err)
			}
		})
	}
	for _, c := range []struct {
		name string
		data []byte
		want error
	}{
		{"Short", key[:31], ErrBadRawKey},
		{"BadHex", []byte(hex.EncodeToString(key)[:63] + "z"), ErrBadRawKey},
		{"Empty", nil, ErrBadRawKey},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeRaw(t, outside, c.data, 0o600)
			if _, err := FromKeyFile(p, db); !errors.Is(err, c.want) {
				t.Fatalf("FromKeyFile = %v, want %v", err, c.want)
			}
		})
	}
	t.Run("Oversized", func(t *testing.T) {
		p := writeRaw(t, outside, bytes.Repeat([]byte("0"), MaxFileSize+1), 0o600)
		if _, err := FromKeyFile(p, db); err == nil {
			t.Fatal("an oversized key file was read")
		}
	})
	t.Run("Permissions", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no Unix modes")
		}
		for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o660} {
			p := writeRaw(t, outside, key, mode)
			if _, err := FromKeyFile(p, db); !errors.Is(err, ErrKeyFileExposed) {
				t.Errorf("mode %v: %v, want ErrKeyFileExposed", mode, err)
			}
		}
		p := writeRaw(t, outside, key, 0o400)
		if _, err := FromKeyFile(p, db); err != nil {
			t.Errorf("mode 0400: %v", err)
		}
	})
	t.Run("InsideDataDir", func(t *testing.T) {
		for _, dir := range []string{filepath.Dir(db), filepath.Join(filepath.Dir(db), "sub")} {
			p := writeRaw(t, dir, key, 0o600)
			if _, err := FromKeyFile(p, db); !errors.Is(err, ErrKeyInDataDir) {
				t.Errorf("%s: %v, want ErrKeyInDataDir", p, err)
			}
		}
		// A sibling directory whose name starts like the data directory's is outside.
		p := writeRaw(t, filepath.Dir(db)+"-keys", key, 0o600)
		if _, err := FromKeyFile(p, db); err != nil {
			t.Errorf("sibling directory: %v", err)
		}
	})
	t.Run("Missing", func(t *testing.T) {
		if _, err := FromKeyFile(filepath.Join(outside, "nope"), db); err == nil {
			t.Fatal("a missing key file was read")
		}
	})
}

func TestFromEnv(t *testing.T) {
	key := bytes.Repeat([]byte{0x5a}, KeySize)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	s, ok, err := FromEnv(env(map[string]string{EnvKey: hex.EncodeToString(key)}))
	if !ok || err != nil || !bytes.Equal(s.raw, key) {
		t.Fatalf("FromEnv = %x, %v, %v", s.raw, ok, err)
	}
	if _, ok, err := FromEnv(env(nil)); ok || err != nil {
		t.Errorf("unset: %v, %v", ok, err)
	}
	for _, v := range []string{"00", string(key), hex.EncodeToString(key) + "00", "zz" + hex.EncodeToString(key)[2:]} {
		if _, ok, err := FromEnv(env(map[string]string{EnvKey: v})); !ok || !errors.Is(err, ErrBadRawKey) {
			t.Errorf("%q: %v, %v", v, ok, err)
		}
	}
}

func TestFromCredentials(t *testing.T) {
	key := bytes.Repeat([]byte{0x33}, KeySize)
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == EnvCredentials {
			return dir
		}
		return ""
	}
	if _, ok, err := FromCredentials(getenv); ok || err != nil {
		t.Fatalf("no credential: %v, %v", ok, err)
	}
	if err := os.WriteFile(filepath.Join(dir, CredentialName), []byte(hex.EncodeToString(key)+"\n"), 0o400); err != nil {
		t.Fatal(err)
	}
	s, ok, err := FromCredentials(getenv)
	if !ok || err != nil || !bytes.Equal(s.raw, key) {
		t.Fatalf("FromCredentials = %x, %v, %v", s.raw, ok, err)
	}
	if _, ok, _ := FromCredentials(func(string) string { return "" }); ok {
		t.Error("no CREDENTIALS_DIRECTORY, yet a credential")
	}
	// A credential opens the database its key was made for.
	db := dbPath(t)
	mkdirFor(t, db)
	dk, err := Create(db, s)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Open(db, s); err != nil || !bytes.Equal(got, dk) {
		t.Errorf("Open with the credential = %v", err)
	}
	os.WriteFile(filepath.Join(dir, CredentialName), []byte("short"), 0o400)
	if _, ok, err := FromCredentials(getenv); !ok || !errors.Is(err, ErrBadRawKey) {
		t.Errorf("bad credential: %v, %v", ok, err)
	}
}

// BenchmarkUnlock is one Open of a password key file with the production
// parameters: what a user waits for at every start (docs/SECURITY.md).
func BenchmarkUnlock(b *testing.B) {
	saved := DefaultParams
	DefaultParams = production
	defer func() { DefaultParams = saved }()
	p := filepath.Join(b.TempDir(), "kruzhok.db")
	if _, err := Create(p, Password("пароль")); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Open(p, Password("пароль")); err != nil {
			b.Fatal(err)
		}
	}
}
