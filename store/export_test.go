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
