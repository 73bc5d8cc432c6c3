package store

import (
	"encoding/binary"
	"fmt"

	"go.etcd.io/bbolt"
)

// A migration brings a database from version-1 to version. The list is
// ordered and append-only: a released migration is never edited, a change of
// layout is a new file migrate_NNNN_<what>.go and a new entry here, and
// currentVersion in schema.go moves to it. A new database is made at
// currentVersion directly (createLayout) and runs none of them.
type migration struct {
	version uint64
	name    string
	up      func(tx *bbolt.Tx) error
}

var migrations = []migration{
	{2, "secondary indexes", migrate0002Indexes},
	{3, "sync: epoch, change feed, op results, undo log", migrate0003Sync},
	{4, "money: budget counters, settled-in months of shares", migrate0004Money},
	{5, "human numbers of contracts and invoices", migrate0005Numbers},
	{6, "incremental per-scope digests", migrate0006Digest},
}

func init() {
	for i, m := range migrations {
		if m.version != uint64(i)+2 {
			panic(fmt.Sprintf("store: migration %q has version %d, want %d", m.name, m.version, i+2))
		}
	}
	if last := migrations[len(migrations)-1].version; last != currentVersion {
		panic(fmt.Sprintf("store: last migration is %d but currentVersion is %d", last, currentVersion))
	}
}

// schemaVersion reads meta/schema_version.
func schemaVersion(tx *bbolt.Tx) (uint64, error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, ErrNotKruzhok
	}
	v := meta.Get(metaSchemaVersion)
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: meta/schema_version is %d bytes, want 8", ErrNotKruzhok, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// migrate runs every migration above the database's version, each in its own
// transaction together with the bump of schema_version, so a crash leaves the
// database at one version or the next, never between.
func migrate(db *bbolt.DB) error {
	var version uint64
	err := db.View(func(tx *bbolt.Tx) (err error) {
		version, err = schemaVersion(tx)
		return err
	})
	if err != nil {
		return err
	}
	if version > currentVersion {
		return fmt.Errorf("%w: версия схемы %d, программа знает до %d (schema version %d, this binary knows up to %d)",
			ErrTooNew, version, currentVersion, version, currentVersion)
	}
	if version == 0 {
		return fmt.Errorf("%w: schema version 0", ErrNotKruzhok)
	}
	for _, m := range migrations {
		if m.version <= version {
			continue
		}
		err := db.Update(func(tx *bbolt.Tx) error {
			if err := m.up(tx); err != nil {
				return err
			}
			return tx.Bucket(bucketMeta).Put(metaSchemaVersion, u64(m.version))
		})
		if err != nil {
			return fmt.Errorf("migrate to schema %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}
