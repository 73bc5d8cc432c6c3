package store

import (
	"encoding/binary"
	"strings"

	"kruzhok/app"
)

// The database layout. Every bucket is top level; its name is a flat string
// whose parts are separated by "/", which never occurs in a kind or an index
// name. Integers are big-endian so that byte order is numeric order.
//
//	meta:                "schema_version" = uint64 BE
//	                     "node"           = node id, UUIDv7 text
//	                     "scope"          = "region" | "municipality:<code>" | "provider:<id>"
//	                     "authority"      = 0x00 | 0x01
//	                     "hlc"            = uint64 BE, the last HLC stamp given to an op
//	rec/<kind>:          <id> = codec(record)
//	idx/<kind>/<index>:  <index key> 0x00 <id> = empty
//	outbox:              <uint64 seq BE> = codec(op)
//	serial:              <name> = uint64 BE, the last value NextSerial gave
//
// Ids and index keys never contain 0x00 (Put refuses them with EINVALID), so
// 0x00 ends the index key: the entries of one key sort before those of any
// longer key with the same prefix, and by id within the key.
//
// Schema version 1 had the meta, rec/<kind>, outbox and serial buckets but no
// idx buckets; version 2 added them (migrate_0002_indexes.go). The rec/<kind>,
// meta, outbox and serial buckets exist in every database; an idx bucket is
// made by the first Put that needs it.

// currentVersion is the schema version this binary writes and understands.
const currentVersion uint64 = 2

var (
	bucketMeta   = []byte("meta")
	bucketOutbox = []byte("outbox")
	bucketSerial = []byte("serial")
)

// Keys of the meta bucket.
var (
	metaSchemaVersion = []byte("schema_version")
	metaNode          = []byte("node")
	metaScope         = []byte("scope")
	metaAuthority     = []byte("authority")
	metaHLC           = []byte("hlc")
)

const (
	recPrefix = "rec/"
	idxPrefix = "idx/"
	// idxSep ends the index key inside an index bucket's key.
	idxSep = 0x00
)

// recBucket is the name of the bucket of records of kind.
func recBucket(kind app.Kind) []byte { return []byte(recPrefix + string(kind)) }

// idxBucket is the name of the bucket of the index of kind.
func idxBucket(kind app.Kind, index string) []byte {
	return []byte(idxPrefix + string(kind) + "/" + index)
}

// idxKey is the key of one index entry: key 0x00 id.
func idxKey(key, id string) []byte {
	b := make([]byte, 0, len(key)+1+len(id))
	b = append(b, key...)
	b = append(b, idxSep)
	return append(b, id...)
}

// u64 is the big-endian form of n.
func u64(n uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return b[:]
}

// seqKey is the outbox key of a seq.
func seqKey(seq uint64) []byte { return u64(seq) }

// knownBucket reports whether a top-level bucket name is part of the layout.
func knownBucket(name string) bool {
	switch name {
	case string(bucketMeta), string(bucketOutbox), string(bucketSerial):
		return true
	}
	if kind, ok := strings.CutPrefix(name, recPrefix); ok {
		_, known := recordTypes[app.Kind(kind)]
		return known
	}
	if rest, ok := strings.CutPrefix(name, idxPrefix); ok {
		kind, index, ok := strings.Cut(rest, "/")
		_, known := recordTypes[app.Kind(kind)]
		return ok && known && index != "" && !strings.Contains(index, "/")
	}
	return false
}
