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
//	                     "epoch"          = 32 lowercase hex digits, random: the history
//	                                        the change feed's seqs belong to (NewEpoch)
//	rec/<kind>:          <id> = codec(record)
//	idx/<kind>/<index>:  <index key> 0x00 <id> = empty
//	outbox:              <uint64 seq BE> = codec(op)
//	serial:              <name> = uint64 BE, the last value NextSerial gave
//
// The sync state of an authority database (a server, a standalone region):
//
//	changes:             <uint64 seq BE> = kind 0x00 id; the record's latest change, one
//	                     entry per record ever written (a deleted record keeps its
//	                     entry, so a pull can carry the removal)
//	chseq/<kind>:        <id> = uint64 BE, the record's seq in changes
//	aud/<kind>:          <id> = JSON []string, sorted: the union of every app.Audience
//	                     the record ever had
//	acked:               <node id> = uint64 BE, the node's highest seq applied or rejected
//	results:             <node id> 0x00 <uint64 seq BE> = codec(Result)
//	journal:             <uint64 BE, the bucket's sequence> = codec(journalEntry): every
//	                     op of a node the server ran, with its time and result
//	digest:              <scope> = 0x01 · 32-byte sum mod 2^256 of the hashes of the records
//	                     the scope sees (digest.go) · uint64 BE count; "region" holds every
//	                     record, "*" those every node sees (app.AudienceAll), any other
//	                     scope those app.Audience names it in; an empty sum is absent
//
// The sync state of a node database (authority false):
//
//	meta:                "sync_config"    = codec(SyncConfig)
//	                     "sync_epoch"     = the server epoch the cursor belongs to
//	                     "sync_cursor"    = uint64 BE, the last feed seq pulled
//	                     "sync_acked"     = uint64 BE, the highest own seq the server answered
//	                     "sync_rejected"  = uint64 BE, how many opresults are "rejected"
//	                     "sync_last"      = int64 BE, unix nanoseconds of the last sync
//	                     "sync_error"     = text of the last sync's error (absent: none)
//	                     "outbox_trimmed" = uint64 BE, the highest seq TrimOutbox removed
//	                                        (absent: none); the outbox begins right above it
//	base/<kind>:         <id> = the record's bytes before the first local write of the
//	                     pending period (the undo log); empty = the record did not exist
//	opresults:           <uint64 seq BE> = codec(Result): the server's answer to an own
//	                     op, or a local note (status "pending") from Rebase
//
// Ids and index keys never contain 0x00 (Put refuses them with EINVALID), so
// 0x00 ends the index key: the entries of one key sort before those of any
// longer key with the same prefix, and by id within the key. Node ids are
// app ids ([0-9A-Za-z-]) and never contain 0x00 either.
//
// A sealed database (Options.DataKey, seal.go) keeps the same layout; the
// values of rec/*, base/*, outbox, opresults, results, journal, digest and
// meta/sync_config are stored sealed (0x80 · nonce · XChaCha20-Poly1305 of
// the form above), idx/child/name holds blinded keys (seal_index.go), and
// meta has besides:
//
//	meta:                "seal_check"     = HMAC-SHA256(DataKey, label): the key check;
//	                                        present iff the database is sealed
//	                     "seal_pending"   = bucket 0x00 key: sealing of a plaintext
//	                                        database under way, done up to there
//	                     "seal_compact"   = empty: the file still holds plaintext in
//	                                        free pages; Open compacts it
//
// Schema version 1 had the meta, rec/<kind>, outbox and serial buckets but no
// idx buckets; version 2 added them (migrate_0002_indexes.go); version 3 the
// sync buckets, the epoch and the change feed of the records an authority
// database already held (migrate_0003_sync.go); version 4 the money counters
// (migrate_0004_money.go); version 5 the human numbers of contracts and
// invoices on an authority database, drawn from the serial counters
// "contract/<municipality>/<year>" and "invoice/<municipality>/<YYYY-MM>"
// (migrate_0005_numbers.go); version 6 the digest accumulators of an authority
// database (migrate_0006_digest.go). Every bucket above except
// idx/* exists in every database (ensureBuckets); an idx bucket is made by the
// first Put that needs it.

// currentVersion is the schema version this binary writes and understands.
const currentVersion uint64 = 6

var (
	bucketMeta      = []byte("meta")
	bucketOutbox    = []byte("outbox")
	bucketSerial    = []byte("serial")
	bucketChanges   = []byte("changes")
	bucketAcked     = []byte("acked")
	bucketResults   = []byte("results")
	bucketJournal   = []byte("journal")
	bucketOpResults = []byte("opresults")
	bucketDigest    = []byte("digest")
)

// Keys of the meta bucket.
var (
	metaSchemaVersion = []byte("schema_version")
	metaNode          = []byte("node")
	metaScope         = []byte("scope")
	metaAuthority     = []byte("authority")
	metaHLC           = []byte("hlc")
	metaEpoch         = []byte("epoch")
	metaSyncConfig    = []byte("sync_config")
	metaSyncEpoch     = []byte("sync_epoch")
	metaSyncCursor    = []byte("sync_cursor")
	metaSyncAcked     = []byte("sync_acked")
	metaSyncRejected  = []byte("sync_rejected")
	metaSyncLast      = []byte("sync_last")
	metaSyncError     = []byte("sync_error")
	metaOutboxTrimmed = []byte("outbox_trimmed")
)

const (
	recPrefix   = "rec/"
	idxPrefix   = "idx/"
	chseqPrefix = "chseq/"
	audPrefix   = "aud/"
	basePrefix  = "base/"
	// idxSep ends the index key inside an index bucket's key, the kind inside
	// a changes value and the node id inside a results key.
	idxSep = 0x00
)

// perKindPrefixes are the buckets that exist once per kind.
var perKindPrefixes = []string{recPrefix, chseqPrefix, audPrefix, basePrefix}

// recBucket is the name of the bucket of records of kind.
func recBucket(kind app.Kind) []byte { return []byte(recPrefix + string(kind)) }

// chseqBucket, audBucket and baseBucket name the per-kind sync buckets.
func chseqBucket(kind app.Kind) []byte { return []byte(chseqPrefix + string(kind)) }
func audBucket(kind app.Kind) []byte   { return []byte(audPrefix + string(kind)) }
func baseBucket(kind app.Kind) []byte  { return []byte(basePrefix + string(kind)) }

// changeValue is the value of a changes entry: kind 0x00 id.
func changeValue(kind app.Kind, id string) []byte {
	b := make([]byte, 0, len(kind)+1+len(id))
	b = append(b, kind...)
	b = append(b, idxSep)
	return append(b, id...)
}

// resultKey is the key of a node's op result: node 0x00 seq.
func resultKey(node string, seq uint64) []byte {
	b := make([]byte, 0, len(node)+9)
	b = append(b, node...)
	b = append(b, idxSep)
	return append(b, u64(seq)...)
}

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
	case string(bucketMeta), string(bucketOutbox), string(bucketSerial), string(bucketChanges),
		string(bucketAcked), string(bucketResults), string(bucketJournal), string(bucketOpResults),
		string(bucketDigest):
		return true
	}
	for _, p := range perKindPrefixes {
		if kind, ok := strings.CutPrefix(name, p); ok {
			_, known := recordTypes[app.Kind(kind)]
			return known
		}
	}
	if rest, ok := strings.CutPrefix(name, idxPrefix); ok {
		kind, index, ok := strings.Cut(rest, "/")
		_, known := recordTypes[app.Kind(kind)]
		return ok && known && index != "" && !strings.Contains(index, "/")
	}
	return false
}
