package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
	"reflect"
	"slices"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// Digest is the digest of the records a node of scope sees: every stored
// record r with app.Visible(r, scope), each in the form the scope's node
// holds it (app.ForScope: a provider never gets a child's SNILS). Each such
// record contributes
//
//	h = SHA-256( uint32 BE len(kind) · kind · uint32 BE len(id) · id · uint32 BE len(value) · value )
//
// where value is the record's stored bytes (codec.go), opened first in a
// sealed database (seal.go): each database may have its own key, and the
// digest is of the plaintext. The contributions are added as 256-bit
// big-endian integers modulo 2^256, and counted; the digest is the hex of
//
//	SHA-256( "kruzhok/digest/2" · sum (32 bytes) · uint64 BE count )
//
// A sum, unlike a hash over the records in order, can be kept up to date one
// record at a time: an authority keeps it per scope in the digest bucket
// (digestChange, in the transaction of every record write), so Digest and
// the pull's last page read two accumulators instead of walking the scope.
// Addition rather than XOR: a record counted twice by mistake moves the sum
// instead of cancelling out. It guards against mistakes, not against an
// adversary who would craft records to collide (docs/SYNC.md "Digest").
//
// A node walks what it holds (digestWalk, the same definition), so after a
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

// digestTx is Digest inside a read transaction: from the accumulators on an
// authority, by a walk on a node.
func digestTx(tx *bbolt.Tx, scope string) (string, error) {
	if _, authority := readScope(tx.Bucket(bucketMeta)); !authority || digestOld {
		acc, err := digestWalk(tx, scope)
		if err != nil {
			return "", err
		}
		return acc.String(), nil
	}
	acc, err := digestKept(tx, scope)
	if err != nil {
		return "", err
	}
	return acc.String(), nil
}

// digestOld, set only by the benchmarks that compare, is the behaviour before
// the accumulators: writes leave them alone and every digest walks.
var digestOld = false

// digestAll is the accumulator key of the records every node receives
// (app.AudienceAll): one sum for them instead of one write into every scope.
const digestAll = "*"

// digestKept reads the scope's digest from the accumulators of an authority:
// the region's own, or the shared one plus the scope's.
func digestKept(tx *bbolt.Tx, scope string) (digestAcc, error) {
	b := tx.Bucket(bucketDigest)
	if b == nil {
		return digestAcc{}, fmt.Errorf("store: no %s bucket", bucketDigest)
	}
	if scope == app.ScopeRegion {
		return readAcc(b, app.ScopeRegion)
	}
	all, err := readAcc(b, digestAll)
	if err != nil {
		return digestAcc{}, err
	}
	own, err := readAcc(b, scope)
	if err != nil {
		return digestAcc{}, err
	}
	all.add(&own.sum, own.n)
	return all, nil
}

// digestWalk is the digest of scope by a walk over every record: what a node
// computes, and what the accumulators of an authority must equal (check.go,
// the tests).
func digestWalk(tx *bbolt.Tx, scope string) (digestAcc, error) {
	var acc digestAcc
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
			h := recordHash(kind, k, v)
			acc.add(&h, 1)
			return nil
		})
		if err != nil {
			return digestAcc{}, err
		}
	}
	return acc, nil
}

// digestAcc is a sum of record hashes modulo 2^256 (big-endian) and how many
// records it holds.
type digestAcc struct {
	sum [32]byte
	n   uint64
}

// add adds h, n times over in the count (n is 1, or the count of a whole
// accumulator being merged).
func (a *digestAcc) add(h *[32]byte, n uint64) {
	var carry uint64
	for i := 24; i >= 0; i -= 8 {
		var s uint64
		s, carry = bits.Add64(binary.BigEndian.Uint64(a.sum[i:]), binary.BigEndian.Uint64(h[i:]), carry)
		binary.BigEndian.PutUint64(a.sum[i:], s)
	}
	a.n += n
}

// sub takes h out: the inverse of add(h, 1). A count below zero means the
// accumulator has lost track of the records.
func (a *digestAcc) sub(h *[32]byte) error {
	if a.n == 0 {
		return fmt.Errorf("store: digest accumulator below zero records")
	}
	var borrow uint64
	for i := 24; i >= 0; i -= 8 {
		var s uint64
		s, borrow = bits.Sub64(binary.BigEndian.Uint64(a.sum[i:]), binary.BigEndian.Uint64(h[i:]), borrow)
		binary.BigEndian.PutUint64(a.sum[i:], s)
	}
	a.n--
	return nil
}

// String is the hex digest of the accumulator.
func (a digestAcc) String() string {
	h := sha256.New()
	h.Write([]byte("kruzhok/digest/2"))
	h.Write(a.sum[:])
	h.Write(u64(a.n))
	return hex.EncodeToString(h.Sum(nil))
}

// accVersion is the first byte of a stored accumulator: never the first
// byte of a sealed value (seal.go), as a sum's first byte could be.
const accVersion = 0x01

// readAcc reads the accumulator under key; a missing one is empty. The
// values are sealed in a sealed database: the sum of one scope that sees a
// single record is that record's hash, which would let a holder of the file
// confirm a guess of the record.
func readAcc(b *bbolt.Bucket, key string) (digestAcc, error) {
	var a digestAcc
	v, err := openv(b.Tx(), bucketDigest, []byte(key), b.Get([]byte(key)))
	if err != nil {
		return a, fmt.Errorf("store: %s/%s: %w", bucketDigest, key, err)
	}
	if v == nil {
		return a, nil
	}
	if len(v) != 41 || v[0] != accVersion {
		return a, fmt.Errorf("store: %s/%s is %d bytes starting %#x, want %d bytes starting %#x",
			bucketDigest, key, len(v), v[:min(len(v), 1)], 41, accVersion)
	}
	copy(a.sum[:], v[1:])
	a.n = binary.BigEndian.Uint64(v[33:])
	return a, nil
}

// writeAcc stores the accumulator under key; an empty one is deleted.
func writeAcc(b *bbolt.Bucket, key string, a digestAcc) error {
	if a.n == 0 && a.sum == ([32]byte{}) {
		return b.Delete([]byte(key))
	}
	v := make([]byte, 41)
	v[0] = accVersion
	copy(v[1:], a.sum[:])
	binary.BigEndian.PutUint64(v[33:], a.n)
	return putv(b.Tx(), b, bucketDigest, []byte(key), v)
}

// recordHash is one record's contribution: the SHA-256 of its kind, id and
// value, each prefixed with its length.
func recordHash(kind app.Kind, id, v []byte) [32]byte {
	h := sha256.New()
	var n [4]byte
	for _, f := range [][]byte{[]byte(kind), id, v} {
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		h.Write(n[:])
		h.Write(f)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// digestParts calls fn with every accumulator key the record (stored bytes v,
// decoded rec) counts in and its contribution there: the region's always,
// then the shared one (app.AudienceAll) or each scope of app.Audience once,
// in the scope's form (app.ForScope). This is app.Visible turned around: a
// scope s other than the region sees rec iff its digest (shared + s) holds it.
func digestParts(kind app.Kind, id []byte, v []byte, rec app.Record, fn func(key string, h *[32]byte) error) error {
	h := recordHash(kind, id, v)
	if err := fn(app.ScopeRegion, &h); err != nil {
		return err
	}
	aud := app.Audience(rec)
	if slices.Contains(aud, app.AudienceAll) {
		return fn(digestAll, &h)
	}
	for i, s := range aud {
		// The region counted it already; a scope no Digest can ask for
		// needs no sum; a scope listed twice counts once.
		if s == app.ScopeRegion || !validScope(s) || slices.Contains(aud[:i], s) {
			continue
		}
		hs := &h
		if r, changed := app.ForScope(rec, s); changed {
			sv, err := encode(r)
			if err != nil {
				return err
			}
			x := recordHash(kind, id, sv)
			hs = &x
		}
		if err := fn(s, hs); err != nil {
			return err
		}
	}
	return nil
}

// accDelta is the pending change of one accumulator in digestChange.
type accDelta struct {
	key      string
	add, sub [][32]byte
}

// digestChange moves the accumulators of an authority from the record kind/id
// with stored bytes old (nil: absent; oldRec its decoded form, or nil to
// decode it here) to the one with bytes data (nil: deleted) and decoded form
// rec. It runs in the transaction of the write (txView.after), so a rollback
// takes it back too. Before migration 0006 there is no bucket and nothing
// to keep.
func digestChange(tx *bbolt.Tx, kind app.Kind, id string, old []byte, oldRec app.Record, data []byte, rec app.Record) error {
	b := tx.Bucket(bucketDigest)
	if b == nil || digestOld {
		return nil
	}
	var deltas []accDelta
	at := func(key string) *accDelta {
		for i := range deltas {
			if deltas[i].key == key {
				return &deltas[i]
			}
		}
		deltas = append(deltas, accDelta{key: key})
		return &deltas[len(deltas)-1]
	}
	if old != nil {
		if oldRec == nil {
			var err error
			if oldRec, err = decodeRecord(kind, old); err != nil {
				return fmt.Errorf("store: digest %s/%s: old value: %w", kind, id, err)
			}
		}
		err := digestParts(kind, []byte(id), old, recordValue(oldRec), func(key string, h *[32]byte) error {
			d := at(key)
			d.sub = append(d.sub, *h)
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: digest %s/%s: %w", kind, id, err)
		}
	}
	if data != nil {
		err := digestParts(kind, []byte(id), data, recordValue(rec), func(key string, h *[32]byte) error {
			d := at(key)
			d.add = append(d.add, *h)
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: digest %s/%s: %w", kind, id, err)
		}
	}
	for _, d := range deltas {
		a, err := readAcc(b, d.key)
		if err != nil {
			return err
		}
		for i := range d.add {
			a.add(&d.add[i], 1)
		}
		for i := range d.sub {
			if err := a.sub(&d.sub[i]); err != nil {
				return fmt.Errorf("%w: %s, %s/%s", err, d.key, kind, id)
			}
		}
		if err := writeAcc(b, d.key, a); err != nil {
			return fmt.Errorf("store: digest %s: %w", d.key, err)
		}
	}
	return nil
}

// recordValue is rec as a value, not a pointer: app.Audience and
// app.ForScope switch on the value types.
func recordValue(rec app.Record) app.Record {
	if rv := reflect.ValueOf(rec); rv.Kind() == reflect.Pointer {
		return rv.Elem().Interface().(app.Record)
	}
	return rec
}

// rebuildDigests empties the accumulators and fills them from every record
// in one pass (migration 0006, a database that becomes an authority).
func rebuildDigests(tx *bbolt.Tx) error {
	accs, err := digestsOf(tx)
	if err != nil {
		return fmt.Errorf("store: build the digests: %w", err)
	}
	if err := recreateBuckets(tx, bucketDigest); err != nil {
		return err
	}
	b := tx.Bucket(bucketDigest)
	for key, a := range accs {
		if err := writeAcc(b, key, *a); err != nil {
			return fmt.Errorf("store: build the digests: %w", err)
		}
	}
	return nil
}

// digestsOf is what every accumulator must hold, from a walk over the records.
func digestsOf(tx *bbolt.Tx) (map[string]*digestAcc, error) {
	accs := map[string]*digestAcc{}
	err := eachRecord(tx, func(kind app.Kind, k, v []byte, rec app.Record) error {
		return digestParts(kind, k, v, rec, func(key string, h *[32]byte) error {
			a := accs[key]
			if a == nil {
				a = &digestAcc{}
				accs[key] = a
			}
			a.add(h, 1)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return accs, nil
}

// eachRecord calls fn with every stored record, kinds in app.Kinds order and
// ids in byte order: its kind, id, plaintext bytes (opened in a sealed
// database) and decoded value. An error names the record.
func eachRecord(tx *bbolt.Tx, fn func(kind app.Kind, id, v []byte, rec app.Record) error) error {
	for _, kind := range app.Kinds {
		b := tx.Bucket(recBucket(kind))
		if b == nil {
			continue
		}
		err := b.ForEach(func(k, v []byte) error {
			v, err := openv(tx, recBucket(kind), k, v)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", kind, k, err)
			}
			rec, err := decodeValue(kind, v)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", kind, k, err)
			}
			return fn(kind, k, v, rec)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// checkDigests reports every accumulator of an authority that differs from
// what a walk over the records gives (Check).
func checkDigests(tx *bbolt.Tx, out *breaches) {
	b := tx.Bucket(bucketDigest)
	if b == nil {
		out.add("%s: нет корзины (bucket missing)", bucketDigest)
		return
	}
	if digestOld {
		return // a benchmark of the time before them: nothing keeps them
	}
	want, err := digestsOf(tx)
	if err != nil {
		return // checkRecords reports an undecodable record
	}
	_ = b.ForEach(func(k, v []byte) error {
		if _, ok := want[string(k)]; !ok {
			out.add("%s/%s: сумма области, которая не видит ни одной записи (sum of a scope that sees nothing)", bucketDigest, k)
		}
		return nil
	})
	for key, a := range want {
		got, err := readAcc(b, key)
		if err != nil {
			out.add("%s/%s: не читается (undecodable): %v", bucketDigest, key, err)
			continue
		}
		if got != *a {
			out.add("%s/%s: сумма %d записей не сходится с записями, их %d (digest accumulator differs from the records)",
				bucketDigest, key, got.n, a.n)
		}
	}
}
