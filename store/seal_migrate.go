package store

import (
	"bytes"
	"crypto/hmac"
	"fmt"
	"os"
	"path/filepath"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// Sealing a plaintext database (Open with a DataKey for the first time).
// The first transaction writes meta/seal_check and meta/seal_pending, seals
// meta/sync_config and drops the plaintext name index; then the values of
// every sealed bucket are sealed in place, sealBatch per transaction, each
// transaction recording in seal_pending the bucket 0x00 key it stopped
// after; the last transaction builds the blinded name index and removes
// seal_pending. A kill anywhere leaves seal_pending, and the next Open with
// the key goes on from the recorded place; a value already sealed is known
// by its first byte (sealVersion: plaintext values begin with codecVersion,
// or are empty in base).

// After the last transaction the file still holds the plaintext values in
// its free pages: the last transaction also writes meta/seal_compact, and
// Open then copies the database into a fresh file (bbolt.Compact) without
// that mark and renames it over the old one. A kill before the rename
// leaves the mark in the old file, and the next Open compacts again.

// sealBatch is how many values one transaction of the migration seals.
var sealBatch = 5000

// sealBatchHook, when not nil, runs after each committed batch (numbered
// from 1); an error stops the migration there, as a kill would (tests).
var sealBatchHook func(batch int) error

// openSeal checks the seal state of the database against the key (s, nil
// without one) and seals a plaintext database; migrateSchema brings a
// plaintext database to the current layout first.
func (db *DB) openSeal(s *sealer, progress func(done, total int), migrateSchema func() error) error {
	var check []byte
	var pending bool
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		check = bytes.Clone(meta.Get(metaSealCheck))
		pending = meta.Get(metaSealPending) != nil
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case s == nil && check != nil:
		return ErrKeyRequired
	case s == nil:
		return nil
	case check != nil && !hmac.Equal(check, s.check):
		return ErrWrongKey
	case check != nil && !pending:
		sealers.Store(db.bolt, s)
		return nil
	}
	if check == nil {
		if err := migrateSchema(); err != nil {
			return err
		}
	}
	if err := sealValues(db.bolt, s, progress); err != nil {
		return fmt.Errorf("шифрование базы прервано, повторите открытие (sealing interrupted): %w", err)
	}
	sealers.Store(db.bolt, s)
	return db.bolt.Update(func(tx *bbolt.Tx) error {
		if err := rebuildIndex(tx, app.KindChild, app.IdxName); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(metaSealCompact, []byte{}); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Delete(metaSealPending)
	})
}

// sealValues seals every plaintext value of the sealed buckets.
func sealValues(bdb *bbolt.DB, s *sealer, progress func(done, total int)) error {
	total, done := 0, 0
	var pos []byte
	err := bdb.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta.Get(metaSealPending) == nil {
			if err := meta.Put(metaSealCheck, s.check); err != nil {
				return err
			}
			if err := meta.Put(metaSealPending, []byte{}); err != nil {
				return err
			}
			if n := idxBucket(app.KindChild, app.IdxName); tx.Bucket(n) != nil {
				if err := tx.DeleteBucket(n); err != nil {
					return err
				}
			}
		}
		pos = bytes.Clone(meta.Get(metaSealPending))
		if v := meta.Get(metaSyncConfig); len(v) > 0 && v[0] != sealVersion {
			sv, err := s.seal(bucketMeta, metaSyncConfig, v)
			if err != nil {
				return err
			}
			if err := meta.Put(metaSyncConfig, sv); err != nil {
				return err
			}
		}
		return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			if sealedBucket(string(name)) {
				total += b.Stats().KeyN
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	for batch := 1; ; batch++ {
		var n int
		var end bool
		err := bdb.Update(func(tx *bbolt.Tx) error {
			var err error
			n, pos, end, err = sealBatchAt(tx, s, pos)
			if err != nil {
				return err
			}
			return tx.Bucket(bucketMeta).Put(metaSealPending, pos)
		})
		if err != nil {
			return err
		}
		done += n
		if progress != nil {
			progress(min(done, total), total)
		}
		if end {
			return nil
		}
		if sealBatchHook != nil {
			if err := sealBatchHook(batch); err != nil {
				return err
			}
		}
	}
}

// sealBatchAt seals up to sealBatch values after pos (bucket 0x00 key; empty:
// the beginning) and returns how many it visited, where it stopped, and
// whether it reached the end.
func sealBatchAt(tx *bbolt.Tx, s *sealer, pos []byte) (int, []byte, bool, error) {
	type kv struct{ k, v []byte }
	from, after, _ := bytes.Cut(pos, []byte{idxSep})
	var names [][]byte
	_ = tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
		if sealedBucket(string(name)) && bytes.Compare(name, from) >= 0 {
			names = append(names, bytes.Clone(name))
		}
		return nil
	})
	n := 0
	for _, name := range names {
		b := tx.Bucket(name)
		var todo []kv
		c := b.Cursor()
		var k, v []byte
		if bytes.Equal(name, from) && len(pos) > 0 {
			if k, v = c.Seek(after); bytes.Equal(k, after) {
				k, v = c.Next()
			}
		} else {
			k, v = c.First()
		}
		var last []byte
		for ; k != nil && n < sealBatch; k, v = c.Next() {
			n++
			last = k
			if v == nil || len(v) > 0 && v[0] == sealVersion {
				continue // a nested bucket (none in the layout), or sealed already
			}
			todo = append(todo, kv{bytes.Clone(k), bytes.Clone(v)})
		}
		last = bytes.Clone(last)
		for _, e := range todo {
			sv, err := s.seal(name, e.k, e.v)
			if err != nil {
				return 0, nil, false, err
			}
			if err := b.Put(e.k, sv); err != nil {
				return 0, nil, false, err
			}
		}
		if n >= sealBatch {
			return n, append(append(name, idxSep), last...), false, nil
		}
	}
	return n, pos, true, nil
}

// rebuildIndex writes the entries of index of every record of kind.
func rebuildIndex(tx *bbolt.Tx, kind app.Kind, index string) error {
	b := tx.Bucket(recBucket(kind))
	if b == nil {
		return nil
	}
	type entry struct {
		id string
		x  app.Index
	}
	var all []entry
	err := b.ForEach(func(k, v []byte) error {
		v, err := openv(tx, recBucket(kind), k, v)
		if err != nil {
			return err
		}
		rec, err := decodeRecord(kind, v)
		if err != nil {
			return fmt.Errorf("store: %s/%s: %w", kind, k, err)
		}
		for _, x := range rec.Indexes() {
			if x.Name == index {
				all = append(all, entry{string(k), x})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range all {
		if err := putIndexes(tx, kind, e.id, []app.Index{e.x}); err != nil {
			return err
		}
	}
	return nil
}

// compactSealed rewrites the file of a newly sealed database (meta/seal_compact)
// into a fresh one, so that no free page keeps a plaintext value, and reopens
// it with bopt. On an error db.bolt is the open database, or nil if none.
func (db *DB) compactSealed(bopt *bbolt.Options) error {
	var need bool
	_ = db.bolt.View(func(tx *bbolt.Tx) error {
		need = tx.Bucket(bucketMeta).Get(metaSealCompact) != nil
		return nil
	})
	if !need {
		return nil
	}
	tmp := db.path + ".sealing"
	_ = os.Remove(tmp) // a copy a kill left behind
	dst, err := bbolt.Open(tmp, 0o600, &bbolt.Options{NoSync: true, FreelistType: bbolt.FreelistMapType})
	if err != nil {
		return fmt.Errorf("сжатие зашифрованной базы (compact): %w", err)
	}
	err = bbolt.Compact(dst, db.bolt, 64<<20)
	if err == nil {
		err = dst.Update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketMeta).Delete(metaSealCompact) })
	}
	if err == nil && !bopt.NoSync {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("сжатие зашифрованной базы (compact): %w", err)
	}
	s, _ := sealers.Load(db.bolt)
	sealers.Delete(db.bolt)
	err = db.bolt.Close()
	db.bolt = nil
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, db.path); err != nil {
		return fmt.Errorf("сжатие зашифрованной базы (compact): %w", err)
	}
	if !bopt.NoSync {
		if d, err := os.Open(filepath.Dir(db.path)); err == nil {
			_ = d.Sync()
			_ = d.Close()
		}
	}
	bdb, err := bbolt.Open(db.path, 0o600, bopt)
	if err != nil {
		return err
	}
	if s != nil {
		sealers.Store(bdb, s)
	}
	db.bolt = bdb
	return nil
}
