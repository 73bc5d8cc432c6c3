package store

import (
	"reflect"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// Internals the external tests reach: the decoders for the fuzz target and the
// schema version for the upgrade tests.
var (
	DecodeOp       = decodeOp
	EncodeOp       = encodeOp
	DecodeRecord   = decodeRecord
	CurrentVersion = currentVersion
	Encode         = encode
	Decode         = decode
	RecordTypes    = recordTypes
	Clone          = func(v any) any { return cloneValue(reflect.ValueOf(v)).Interface() }
)

// SetSealBatch sets how many values one transaction of the sealing of a
// plaintext database seals, and a hook run after each batch (an error stops
// the sealing as a kill would); it returns the function that undoes it.
func SetSealBatch(n int, hook func(batch int) error) func() {
	oldN, oldHook := sealBatch, sealBatchHook
	sealBatch, sealBatchHook = n, hook
	return func() { sealBatch, sealBatchHook = oldN, oldHook }
}

// SetMaxFullRejections sets how many rejections of a node keep their
// details and returns the function that puts the old value back.
func SetMaxFullRejections(n int) func() {
	old := maxFullRejections
	maxFullRejections = n
	return func() { maxFullRejections = old }
}

// NewRecordOf is a pointer to a zero record of kind.
func NewRecordOf(kind app.Kind) (app.Record, bool) { return newRecord(kind) }

// SetScrubJournalBatches sets how many journal batches one transaction of
// ScrubJournal reads and returns the function that undoes it.
func SetScrubJournalBatches(n int) func() {
	old := scrubJournalBatches
	scrubJournalBatches = n
	return func() { scrubJournalBatches = old }
}

// DigestWalk is the digest of scope by a walk over every record of db: the
// reference the accumulators of an authority must equal.
func DigestWalk(db *DB, scope string) (string, error) {
	var d string
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		acc, err := digestWalk(tx, scope)
		d = acc.String()
		return err
	})
	return d, err
}

// SetDigestOld makes writes leave the digest accumulators alone and every
// digest walk, as before them (on: true), for the benchmarks that compare;
// it returns the function that undoes it.
func SetDigestOld(on bool) func() {
	old := digestOld
	digestOld = on
	return func() { digestOld = old }
}

// DigestChangeCost runs n changes of one lesson-sized record (the value of
// old and new alternating) through the digest accumulators of db, in one
// transaction, as the write path does for each write: the cost keeping the
// digests adds to a record write.
func DigestChangeCost(db *DB, n int, a, b app.Lesson) error {
	va, err := encode(a)
	if err != nil {
		return err
	}
	vb, err := encode(b)
	if err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bbolt.Tx) error {
		if err := digestChange(tx, app.KindLesson, a.ID, nil, nil, va, a); err != nil {
			return err
		}
		for i := range n {
			old, data, rec := va, vb, b
			if i%2 == 1 {
				old, data, rec = vb, va, a
			}
			// nil for the old record: the write-back's flush has only its bytes.
			if err := digestChange(tx, app.KindLesson, a.ID, old, nil, data, rec); err != nil {
				return err
			}
		}
		return nil
	})
}
