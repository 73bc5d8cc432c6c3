package store

import "reflect"

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

// SetMaxFullRejections sets how many rejections of a node keep their
// details and returns the function that puts the old value back.
func SetMaxFullRejections(n int) func() {
	old := maxFullRejections
	maxFullRejections = n
	return func() { maxFullRejections = old }
}
