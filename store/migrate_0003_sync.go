package store

import (
	"go.etcd.io/bbolt"
)

// migrate0003Sync adds the sync state of schema 3: the buckets of the change
// feed, of op results and of the undo log, an epoch, and, on an authority
// database, one feed entry for every record it already holds, so that a node
// joining later receives them.
func migrate0003Sync(tx *bbolt.Tx) error {
	if err := ensureBuckets(tx); err != nil {
		return err
	}
	meta := tx.Bucket(bucketMeta)
	if len(meta.Get(metaEpoch)) == 0 {
		if err := putNewEpoch(meta); err != nil {
			return err
		}
	}
	if _, authority := readScope(meta); !authority {
		return nil
	}
	return rebuildFeed(tx)
}
