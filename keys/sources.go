package keys

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Where a raw key comes from, for servers and the CLI (docs/SECURITY.md
// "Keys"): a file outside the data directory (--key-file), the environment
// (EnvKey, hex) or a systemd credential ($CREDENTIALS_DIRECTORY/CredentialName).
const (
	EnvKey         = "KRUZHOK_KEY"
	EnvPassword    = "KRUZHOK_PASSWORD"
	EnvCredentials = "CREDENTIALS_DIRECTORY"
	CredentialName = "kruzhok.key"
)

// ParseRawKey reads a raw key: exactly 32 bytes, or 64 hex digits with
// surrounding white space.
func ParseRawKey(b []byte) (Secret, error) {
	if len(b) == KeySize {
		return RawKey(b)
	}
	t := bytes.TrimSpace(b)
	if len(t) != 2*KeySize {
		return Secret{}, ErrBadRawKey
	}
	k := make([]byte, KeySize)
	if _, err := hex.Decode(k, t); err != nil {
		return Secret{}, ErrBadRawKey
	}
	return RawKey(k)
}

// FromKeyFile reads a raw key from path. It refuses a file readable or
// writable by group or others (on Unix), one larger than MaxFileSize, and
// one inside the directory of the database at dbPath (or below it): a copy
// of the data directory must not carry its own key.
func FromKeyFile(path, dbPath string) (Secret, error) {
	if inside, err := within(path, filepath.Dir(dbPath)); err != nil {
		return Secret{}, err
	} else if inside {
		return Secret{}, fmt.Errorf("%w: %s", ErrKeyInDataDir, path)
	}
	return readRaw(path, true)
}

// FromEnv reads a raw key in hex from EnvKey; ok is false when it is unset
// or empty. getenv is os.Getenv outside tests.
func FromEnv(getenv func(string) string) (s Secret, ok bool, err error) {
	v := getenv(EnvKey)
	if v == "" {
		return Secret{}, false, nil
	}
	if len(v) > MaxFileSize {
		return Secret{}, true, fmt.Errorf("%s: %w", EnvKey, ErrBadRawKey)
	}
	t := strings.TrimSpace(v)
	k := make([]byte, KeySize)
	if len(t) != 2*KeySize {
		return Secret{}, true, fmt.Errorf("%s: %w", EnvKey, ErrBadRawKey)
	}
	if _, err := hex.Decode(k, []byte(t)); err != nil {
		return Secret{}, true, fmt.Errorf("%s: %w", EnvKey, ErrBadRawKey)
	}
	s, err = RawKey(k)
	return s, true, err
}

// FromCredentials reads the raw key that systemd passes as a credential
// (LoadCredential=kruzhok.key:/etc/kruzhok/region.key): the file
// CredentialName in $CREDENTIALS_DIRECTORY. ok is false when the variable is
// unset or the directory has no such credential. systemd makes the
// directory private to the service, so the mode is not checked here.
func FromCredentials(getenv func(string) string) (s Secret, ok bool, err error) {
	dir := getenv(EnvCredentials)
	if dir == "" {
		return Secret{}, false, nil
	}
	p := filepath.Join(dir, CredentialName)
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return Secret{}, false, nil
	} else if err != nil {
		return Secret{}, true, fmt.Errorf("учётные данные systemd %s: %w", p, err) // there, but unreadable: say so
	}
	s, err = readRaw(p, false)
	return s, true, err
}

func readRaw(path string, checkMode bool) (Secret, error) {
	if checkMode && runtime.GOOS != "windows" {
		st, err := os.Stat(path)
		if err != nil {
			return Secret{}, fmt.Errorf("файл ключа: %w", err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			return Secret{}, fmt.Errorf("%w: %s (%v)", ErrKeyFileExposed, path, st.Mode().Perm())
		}
	}
	b, err := readBounded(path)
	if err != nil {
		return Secret{}, fmt.Errorf("файл ключа: %w", err)
	}
	s, err := ParseRawKey(b)
	if err != nil {
		return Secret{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// within reports whether path is dir or lies below it, after making both
// absolute and resolving symbolic links where they exist.
func within(path, dir string) (bool, error) {
	p, err := resolve(path)
	if err != nil {
		return false, err
	}
	d, err := resolve(dir)
	if err != nil {
		return false, err
	}
	rel, err := filepath.Rel(d, p)
	if err != nil {
		return false, nil // another volume
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))), nil
}

func resolve(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(a); err == nil {
		return r, nil
	}
	// Not there yet (a new database's directory): resolve the parent.
	if r, err := filepath.EvalSymlinks(filepath.Dir(a)); err == nil {
		return filepath.Join(r, filepath.Base(a)), nil
	}
	return a, nil
}
