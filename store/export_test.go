package store

import (
	"reflect"

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
