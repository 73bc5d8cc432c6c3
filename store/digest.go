package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// Digest is the hex SHA-256 of the records a node of scope sees: every stored
// record r with app.Visible(r, scope), kinds in app.Kinds order, records in id
// (byte) order. Each record adds three length-prefixed fields to the hash:
//
//	uint32 BE len(kind) · kind · uint32 BE len(id) · id · uint32 BE len(value) · value
//
// where value is the record's stored bytes (codec.go), opened first in a
// sealed database (seal.go): each database may have its own key, and the
// digest is of the plaintext. The same function runs
// on the server and on a node (over the records the node holds), so after a
// sync with nothing pending both print the same hash. The undo log (base) is
// not part of it. Errors: EINVALID for a malformed scope.
func (db *DB) Digest(scope string) (string, error) {
	if !validScope(scope) {
		return "", app.Errorf(app.EINVALID, "Неверная область узла «%s»", scope)
	}
	var d string
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		var err error
		d, err = digestTx(tx, scope)
		return err
	})
	return d, err
}

// digestTx is Digest inside a read transaction.
func digestTx(tx *bbolt.Tx, scope string) (string, error) {
	h := sha256.New()
	for _, kind := range app.Kinds {
		b := tx.Bucket(recBucket(kind))
		if b == nil {
			continue
		}
		err := b.ForEach(func(k, v []byte) error {
			v, err := openv(tx, recBucket(kind), k, v)
			if err != nil {
				return fmt.Errorf("store: digest %s/%s: %w", kind, k, err)
			}
			if scope != app.ScopeRegion {
				rec, err := decodeValue(kind, v)
				if err != nil {
					return fmt.Errorf("store: digest %s/%s: %w", kind, k, err)
				}
				if !app.Visible(rec, scope) {
					return nil
				}
				// The scope's node holds what the pull sent it.
				if v, err = scopedValue(rec, scope, v); err != nil {
					return fmt.Errorf("store: digest %s/%s: %w", kind, k, err)
				}
			}
			digestField(h, []byte(kind))
			digestField(h, k)
			digestField(h, v)
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func digestField(h hash.Hash, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}
