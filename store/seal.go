package store

import (
	"bytes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"go.etcd.io/bbolt"
	"golang.org/x/crypto/chacha20poly1305"
)

// Encryption at rest (docs/SECURITY.md "Encryption at rest (store)"). When
// Open is given a DataKey, every value that may hold personal data or a
// secret (records, the undo log, the outbox, op results, the journal and
// meta/sync_config) is stored sealed:
//
//	sealVersion · nonce (24 bytes, random per write) · XChaCha20-Poly1305(plaintext)
//
// with the additional data sealVersion · uint32 BE len(bucket) · bucket · key,
// so a value copied to another key or bucket does not open. The plaintext is
// the value's codec form (or, in base, the record's codec form or empty): the
// seal sits between bbolt and the rest of the package (getv, openv, putv),
// so the cache, the write-back, the digest and the change feed see plaintext.
const sealVersion byte = 0x80

// Errors of Open with and without a DataKey, for errors.Is.
var (
	// ErrKeyRequired: the database is sealed and Open was given no DataKey.
	ErrKeyRequired = errors.New("база данных зашифрована — для открытия нужен ключ " +
		"(the database is encrypted: a data key is required)")
	// ErrWrongKey: the DataKey is not the key the database was sealed with.
	ErrWrongKey = errors.New("неверный ключ базы данных (wrong data key)")
)

// Keys of the meta bucket for the seal.
var (
	// metaSealCheck = HMAC-SHA256(DataKey, "kruzhok store key check v1"):
	// present iff the database is sealed (or being sealed).
	metaSealCheck = []byte("seal_check")
	// metaSealPending is present while a plaintext database is being
	// sealed (migrateSeal); it holds nothing.
	metaSealPending = []byte("seal_pending")
	// metaSealCompact is present while the file of a newly sealed database
	// still holds plaintext in its free pages (compactSealed).
	metaSealCompact = []byte("seal_compact")
)

// sealer is the key material of an open sealed database.
type sealer struct {
	aead    cipher.AEAD
	nameKey []byte // blinds the name index (blindKeys)
	check   []byte
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("store: data key is %d bytes, want 32", len(key))
	}
	aead, err := chacha20poly1305.NewX(derive(key, "kruzhok store seal v1"))
	if err != nil {
		return nil, err
	}
	return &sealer{
		aead:    aead,
		nameKey: derive(key, "kruzhok store name index v1"),
		check:   derive(key, "kruzhok store key check v1"),
	}, nil
}

// sealers maps an open bbolt database to its sealer: every helper that gets
// a *bbolt.Tx finds the key through tx.DB() without a new parameter.
var sealers sync.Map // *bbolt.DB → *sealer

func sealerOf(tx *bbolt.Tx) *sealer {
	if s, ok := sealers.Load(tx.DB()); ok {
		return s.(*sealer)
	}
	return nil
}

func (s *sealer) ad(bucket, key []byte) []byte {
	ad := make([]byte, 0, 5+len(bucket)+len(key))
	ad = append(ad, sealVersion)
	ad = binary.BigEndian.AppendUint32(ad, uint32(len(bucket)))
	ad = append(ad, bucket...)
	return append(ad, key...)
}

func (s *sealer) seal(bucket, key, plain []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+ns]); err != nil {
		return nil, fmt.Errorf("store: seal nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:1+ns], plain, s.ad(bucket, key)), nil
}

func (s *sealer) open(bucket, key, v []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(v) < 1+ns+s.aead.Overhead() || v[0] != sealVersion {
		return nil, fmt.Errorf("%w: %s/%x: значение не зашифровано или повреждено (value not sealed)", errCodec, bucket, key)
	}
	p, err := s.aead.Open(nil, v[1:1+ns], v[1+ns:], s.ad(bucket, key))
	if err != nil {
		return nil, fmt.Errorf("%w: %s/%x: значение повреждено или подменено (value fails authentication)", errCodec, bucket, key)
	}
	if p == nil {
		p = []byte{}
	}
	return p, nil
}

// openv is the plaintext of v, the stored value of key in bucket (nil stays
// nil). Without a key it is v itself, bbolt memory.
func openv(tx *bbolt.Tx, bucket, key, v []byte) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	s := sealerOf(tx)
	if s == nil {
		if len(v) > 0 && v[0] == sealVersion {
			return nil, fmt.Errorf("%w: %s/%x: %w", errCodec, bucket, key, ErrKeyRequired)
		}
		return v, nil
	}
	return s.open(bucket, key, v)
}

// getv is the plaintext value of key in bucket, nil when absent.
func getv(tx *bbolt.Tx, bucket, key []byte) ([]byte, error) {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil, nil
	}
	return openv(tx, bucket, key, b.Get(key))
}

// putv stores plain, sealed when the database has a key, under key in b, the
// bucket named bucket.
func putv(tx *bbolt.Tx, b *bbolt.Bucket, bucket, key, plain []byte) error {
	if s := sealerOf(tx); s != nil {
		v, err := s.seal(bucket, key, plain)
		if err != nil {
			return err
		}
		return b.Put(key, v)
	}
	return b.Put(key, plain)
}

// sealedBucket reports whether the values of a top-level bucket are sealed.
func sealedBucket(name string) bool {
	switch name {
	case string(bucketOutbox), string(bucketResults), string(bucketJournal), string(bucketOpResults),
		string(bucketDigest):
		return true
	}
	return bytes.HasPrefix([]byte(name), []byte(recPrefix)) || bytes.HasPrefix([]byte(name), []byte(basePrefix))
}

// sealedMeta reports whether a meta value is sealed.
func sealedMeta(key []byte) bool { return bytes.Equal(key, metaSyncConfig) }
