package store

import (
	"go.etcd.io/bbolt"
)

// migrate0006Digest fills the digest accumulators (digest.go) of an
// authority database from the records it holds, in one pass, so that a pull
// no longer walks the scope. A node database gets the bucket empty: it walks
// its own records (digestTx).
func migrate0006Digest(tx *bbolt.Tx) error {
	if _, authority := readScope(tx.Bucket(bucketMeta)); !authority {
		return recreateBuckets(tx, bucketDigest)
	}
	return rebuildDigests(tx)
}
