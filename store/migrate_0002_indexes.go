package store

import (
	"fmt"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// migrate0002Indexes builds the idx/<kind>/<index> buckets, which schema 1
// did not have, from every stored record.
func migrate0002Indexes(tx *bbolt.Tx) error {
	for _, kind := range app.Kinds {
		b := tx.Bucket(recBucket(kind))
		if b == nil {
			continue
		}
		err := b.ForEach(func(k, v []byte) error {
			rec, err := decodeRecord(kind, v)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", kind, k, err)
			}
			if err := checkIndexes(rec.Indexes()); err != nil {
				return fmt.Errorf("%s/%s: %w", kind, k, err)
			}
			return putIndexes(tx, kind, string(k), rec.Indexes())
		})
		if err != nil {
			return err
		}
	}
	return nil
}
