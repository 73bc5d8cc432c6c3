// Package keys manages the data key that seals a Kruzhok database at rest
// (issue 10, docs/SECURITY.md "Keys").
//
// The hierarchy: a secret (a password, or a raw 32-byte key for servers and
// the CLI) gives a key-encryption key (KEK); the KEK wraps the data key; the
// data key (store.Options.DataKey) seals every stored value. The data key is
// random, made once per database by Create, and never changes: changing the
// password re-wraps it and never touches the data.
//
// The wrapped data key lives in a key file beside the database,
// "<db path>.key" (KeyPath), never inside it: JSON with the format version,
// the KDF and its parameters, the salt, and the data key sealed with
// XChaCha20-Poly1305 under the KEK with a random nonce. The header (version,
// KDF, parameters, salt) is the AEAD's additional data, so a changed byte
// anywhere in the file makes Open fail.
//
// KEKs:
//   - a password: argon2id(password, salt, Params) — DefaultParams take about
//     0.5 s on a 2-core machine, the cost of every unlock, right or wrong;
//   - a raw key: HKDF-SHA256(key, salt, info "kruzhok kek v1") — the key is
//     already 256 random bits, so no stretching; HKDF with the file's salt
//     and a label keeps the KEK distinct from the raw key itself.
package keys

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"

	"kruzhok/internal/atomicfile"
)

// KeySize is the size of a data key and of a raw key.
const KeySize = 32

// MaxFileSize bounds every file this package reads: the key file and a raw
// key file.
const MaxFileSize = 4 << 10

// Version is the key file format this package writes and reads.
const Version = 1

// KDF names in the key file.
const (
	KDFArgon2id = "argon2id" // a password
	KDFHKDF     = "hkdf-sha256"
)

// Params are the argon2id parameters of a password KEK.
type Params struct {
	Time    uint32 `json:"time"`    // passes
	Memory  uint32 `json:"memory"`  // KiB
	Threads uint8  `json:"threads"` // lanes
}

// DefaultParams: 64 MiB, 2 lanes, 9 passes — about 0.5 s per unlock on the
// 2-core reference machine (BenchmarkUnlock; docs/SECURITY.md), within the
// issue's 1 s. A password file keeps its own parameters, so changing these
// later affects only new files and changed passwords.
var DefaultParams = Params{Time: 9, Memory: 64 << 10, Threads: 2}

// Bounds of parameters read from a file: a tampered file must not make an
// unlock run for hours or allocate gigabytes.
const (
	maxTime    = 64
	minMemory  = 8 << 10 // 8 MiB
	maxMemory  = 1 << 20 // 1 GiB
	maxThreads = 16
	saltSize   = 16
	maxSalt    = 64
	wrappedLen = KeySize + chacha20poly1305.Overhead
)

// Error is a key error: a stable code and a Russian message for the user
// (with an English gloss for logs).
type Error struct {
	Code string
	Msg  string
}

func (e *Error) Error() string { return e.Code + ": " + e.Msg }

// Errors, for errors.Is.
var (
	// ErrWrongSecret: the password or key does not unwrap the data key.
	// The AEAD cannot tell a wrong secret from an altered file.
	ErrWrongSecret = &Error{"KEY_WRONG_SECRET", "неверный пароль или ключ — база не открыта " +
		"(либо файл ключа изменён) (wrong password or key, or the key file was altered)"}
	// ErrSecretKind: a password for a file made for a raw key, or the other way.
	ErrSecretKind = &Error{"KEY_SECRET_KIND", "ключ этой базы защищён другим способом: " +
		"паролем вместо файла ключа или наоборот (the key file wants the other kind of secret)"}
	// ErrBadKeyFile: the key file is not one this program wrote.
	ErrBadKeyFile = &Error{"KEY_FILE_CORRUPT", "файл ключа повреждён или не является файлом ключа Kruzhok " +
		"(the key file is damaged or not a Kruzhok key file)"}
	// ErrKeyExists: Create found a key file already.
	ErrKeyExists = &Error{"KEY_EXISTS", "у базы уже есть файл ключа; он не заменяется " +
		"(the database has a key file already)"}
	// ErrNoKeyFile: Open or ChangePassword found no key file.
	ErrNoKeyFile = &Error{"KEY_FILE_MISSING", "нет файла ключа базы (the database has no key file)"}
	// ErrBadRawKey: a raw key is not 32 bytes (raw) or 64 hex digits.
	ErrBadRawKey = &Error{"KEY_RAW_INVALID", "ключ должен быть 32 байтами или 64 шестнадцатеричными цифрами " +
		"(a raw key is 32 bytes or 64 hex digits)"}
	// ErrKeyFileExposed: a raw key file readable by group or others.
	ErrKeyFileExposed = &Error{"KEY_FILE_EXPOSED", "файл ключа доступен группе или другим пользователям — " +
		"выполните chmod 600 (the raw key file is readable by group or others)"}
	// ErrKeyInDataDir: a raw key file in the database's directory.
	ErrKeyInDataDir = &Error{"KEY_IN_DATA_DIR", "файл ключа лежит в каталоге базы данных; храните его отдельно, " +
		"иначе копия каталога уносит и данные, и ключ (the raw key file is inside the data directory)"}
	// ErrEmptyPassword: an empty password.
	ErrEmptyPassword = &Error{"KEY_EMPTY_PASSWORD", "пустой пароль (empty password)"}
)

// Secret is what unlocks a key file: a password or a raw key. The zero
// Secret is invalid.
type Secret struct {
	password []byte
	raw      []byte
}

// Password is a password secret.
func Password(p string) Secret { return Secret{password: []byte(p)} }

// RawKey is a raw-key secret; key must be KeySize bytes.
func RawKey(key []byte) (Secret, error) {
	if len(key) != KeySize {
		return Secret{}, ErrBadRawKey
	}
	return Secret{raw: append([]byte(nil), key...)}, nil
}

// IsPassword reports whether s is a password.
func (s Secret) IsPassword() bool { return s.raw == nil }

func (s Secret) valid() error {
	if s.raw == nil && len(s.password) == 0 {
		return ErrEmptyPassword
	}
	return nil
}

// KeyPath is the key file of the database at dbPath.
func KeyPath(dbPath string) string { return dbPath + ".key" }

// Exists reports whether the database at dbPath has a key file; an error
// other than "not there" counts as existing, so that Open reports it.
func Exists(dbPath string) bool {
	_, err := os.Lstat(KeyPath(dbPath))
	return !errors.Is(err, fs.ErrNotExist)
}

// file is the key file's JSON.
type file struct {
	Version int    `json:"version"`
	KDF     string `json:"kdf"`
	Params  Params `json:"params,omitzero"`
	Salt    []byte `json:"salt"`    // base64
	Nonce   []byte `json:"nonce"`   // base64
	Wrapped []byte `json:"wrapped"` // base64: the sealed data key
}

// aad is the header the AEAD authenticates with the wrapped key.
func (f *file) aad() []byte {
	b := []byte("kruzhok key file\x00")
	b = strconv.AppendInt(b, int64(f.Version), 10)
	b = append(b, 0)
	b = append(b, f.KDF...)
	b = append(b, 0)
	b = strconv.AppendUint(b, uint64(f.Params.Time), 10)
	b = append(b, 0)
	b = strconv.AppendUint(b, uint64(f.Params.Memory), 10)
	b = append(b, 0)
	b = strconv.AppendUint(b, uint64(f.Params.Threads), 10)
	b = append(b, 0)
	return append(b, f.Salt...)
}

// decode parses and checks a key file's bytes: every bound before any work.
func decode(b []byte) (*file, error) {
	if len(b) > MaxFileSize {
		return nil, ErrBadKeyFile
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKeyFile, err)
	}
	if f.Version != Version {
		return nil, fmt.Errorf("%w: версия %d, ожидается %d", ErrBadKeyFile, f.Version, Version)
	}
	switch f.KDF {
	case KDFArgon2id:
		p := f.Params
		if p.Time < 1 || p.Time > maxTime || p.Memory < minMemory || p.Memory > maxMemory ||
			p.Threads < 1 || p.Threads > maxThreads || p.Memory < 8*uint32(p.Threads) {
			return nil, fmt.Errorf("%w: параметры argon2id вне границ", ErrBadKeyFile)
		}
	case KDFHKDF:
		if f.Params != (Params{}) {
			return nil, fmt.Errorf("%w: у hkdf нет параметров", ErrBadKeyFile)
		}
	default:
		return nil, fmt.Errorf("%w: неизвестная функция %q", ErrBadKeyFile, f.KDF)
	}
	if len(f.Salt) < saltSize || len(f.Salt) > maxSalt || len(f.Nonce) != chacha20poly1305.NonceSizeX ||
		len(f.Wrapped) != wrappedLen {
		return nil, fmt.Errorf("%w: неверная длина соли, nonce или ключа", ErrBadKeyFile)
	}
	return &f, nil
}

// kek derives the key-encryption key of s for f.
func (s Secret) kek(f *file) ([]byte, error) {
	switch {
	case f.KDF == KDFArgon2id && s.raw == nil:
		p := f.Params
		return argon2.IDKey(s.password, f.Salt, p.Time, p.Memory, p.Threads, KeySize), nil
	case f.KDF == KDFHKDF && s.raw != nil:
		return hkdf.Key(sha256.New, s.raw, f.Salt, "kruzhok kek v1", KeySize)
	}
	return nil, ErrSecretKind
}

// wrap makes a key file for dataKey under s, with a fresh salt and nonce.
func wrap(dataKey []byte, s Secret) ([]byte, error) {
	if err := s.valid(); err != nil {
		return nil, err
	}
	f := &file{Version: Version, KDF: KDFHKDF, Salt: make([]byte, saltSize), Nonce: make([]byte, chacha20poly1305.NonceSizeX)}
	if s.IsPassword() {
		f.KDF, f.Params = KDFArgon2id, DefaultParams
	}
	rand.Read(f.Salt) // never fails (crypto/rand)
	rand.Read(f.Nonce)
	kek, err := s.kek(f)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, err
	}
	f.Wrapped = aead.Seal(nil, f.Nonce, dataKey, f.aad())
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// unwrap opens a key file's bytes with s.
func unwrap(b []byte, s Secret) ([]byte, error) {
	if err := s.valid(); err != nil {
		return nil, err
	}
	f, err := decode(b)
	if err != nil {
		return nil, err
	}
	kek, err := s.kek(f)
	if err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(kek)
	if err != nil {
		return nil, err
	}
	dataKey, err := aead.Open(nil, f.Nonce, f.Wrapped, f.aad())
	if err != nil {
		return nil, ErrWrongSecret
	}
	return dataKey, nil
}

// readBounded reads at most MaxFileSize bytes of path; a longer file is an
// error.
func readBounded(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s: файл больше %d байт", path, MaxFileSize)
	}
	return b, nil
}

func readKeyFile(dbPath string) ([]byte, error) {
	b, err := readBounded(KeyPath(dbPath))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoKeyFile
	}
	if err != nil {
		return nil, fmt.Errorf("файл ключа: %w", err)
	}
	return b, nil
}

// Create makes a new random data key for the database at dbPath, writes its
// key file wrapped for secret, and returns the data key. It refuses if the
// key file exists: a second data key would orphan whatever the first sealed.
func Create(dbPath string, secret Secret) ([]byte, error) {
	if Exists(dbPath) {
		return nil, ErrKeyExists
	}
	dataKey := make([]byte, KeySize)
	rand.Read(dataKey)
	b, err := wrap(dataKey, secret)
	if err != nil {
		return nil, err
	}
	if err := writeNew(KeyPath(dbPath), b); err != nil {
		return nil, err
	}
	return dataKey, nil
}

// Open unwraps the data key of the database at dbPath with secret. A wrong
// secret costs the full KDF time, like a right one, and gives
// ErrWrongSecret.
func Open(dbPath string, secret Secret) ([]byte, error) {
	b, err := readKeyFile(dbPath)
	if err != nil {
		return nil, err
	}
	return unwrap(b, secret)
}

// Kind reports whether the key file of dbPath wants a password (true) or a
// raw key (false), so that a caller asks for the right secret.
func Kind(dbPath string) (password bool, err error) {
	b, err := readKeyFile(dbPath)
	if err != nil {
		return false, err
	}
	f, err := decode(b)
	if err != nil {
		return false, err
	}
	return f.KDF == KDFArgon2id, nil
}

// ChangePassword re-wraps the data key of dbPath, unwrapped with old, for
// new (a fresh salt and nonce; new may be of the other kind). The data key,
// and so the database, do not change. The file is replaced atomically: a
// crash leaves the old or the new, each opening the same data key.
func ChangePassword(dbPath string, old, new Secret) error {
	dataKey, err := Open(dbPath, old)
	if err != nil {
		return err
	}
	b, err := wrap(dataKey, new)
	if err != nil {
		return err
	}
	return atomicfile.Write(KeyPath(dbPath), b, 0o600)
}

// writeNew writes a file that must not exist: a synced temporary file, then
// a hard link to the name (which fails if the name exists) and the
// directory synced.
func writeNew(path string, data []byte) error {
	tmp, err := writeTemp(path, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return ErrKeyExists
		}
		return fmt.Errorf("запись %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("запись %s: %w", path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("запись %s: %w", path, err)
	}
	return f.Name(), nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
