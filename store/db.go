package store

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"kruzhok/app"
)

var _ app.Store = (*DB)(nil)

// Errors of Open, for errors.Is.
var (
	// ErrLocked: another process (another Kruzhok) holds the database file.
	ErrLocked = errors.New("база данных занята другим экземпляром Kruzhok — закройте его и повторите " +
		"(another Kruzhok instance holds the database file)")
	// ErrTooNew: the file was written by a newer Kruzhok.
	ErrTooNew = errors.New("база данных создана более новой версией Kruzhok — обновите программу " +
		"(the database was written by a newer Kruzhok)")
	// ErrNotKruzhok: the file is a bbolt database of something else.
	ErrNotKruzhok = errors.New("файл не является базой данных Kruzhok (not a Kruzhok database)")
)

// Options tune Open.
type Options struct {
	Timeout time.Duration    // how long to wait for the file lock; 0 means 2s
	NoSync  bool             // skip fsync: for tests and benchmarks only
	Now     func() time.Time // the clock; nil means time.Now
	// DataKey, when set, is the 32-byte data key that seals every stored
	// value (docs/SECURITY.md, issue 10, seal.go); nil keeps a plaintext
	// database. A plaintext database opened with a key is sealed in place
	// (seal_migrate.go); a sealed one opened without it is ErrKeyRequired,
	// with another key ErrWrongKey.
	DataKey []byte
	// Progress, when set, is told how far the sealing of a plaintext
	// database has come: done of total values.
	Progress func(done, total int)
	// Node, when set, is the node id a new database takes instead of a
	// fresh UUID v7 (a file that has one keeps it). The demo's region-scale
	// world sets it, so that a seed gives the same records: a child records
	// the node that registered it.
	Node string
}

// DB is an open Kruzhok database. Its methods are safe for concurrent use;
// bbolt serialises writers and lets readers run beside them.
type DB struct {
	bolt *bbolt.DB
	path string
	node string
	now  func() time.Time

	mu        sync.RWMutex // guards scope and authority
	scope     string
	authority bool
}

// Open opens the database at path, creating the file (and its directory) and
// the current layout if it does not exist, and migrates an older layout. A
// new database gets a fresh node id, scope "region" and authority. Open fails
// with ErrLocked after opt.Timeout if another process holds the file, with
// ErrTooNew if the file's schema is newer than this binary's, and with
// ErrNotKruzhok for a file that is not a Kruzhok database.
func Open(path string, opt Options) (*DB, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = 2 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	var s *sealer
	if opt.DataKey != nil {
		var err error
		if s, err = newSealer(opt.DataKey); err != nil {
			return nil, fmt.Errorf("open store %s: %w", path, err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	bopt := &bbolt.Options{
		Timeout:      opt.Timeout,
		NoSync:       opt.NoSync,
		FreelistType: bbolt.FreelistMapType,
	}
	bdb, err := bbolt.Open(path, 0o600, bopt)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open store %s: %w: %w", path, ErrLocked, err)
	} else if errors.Is(err, bolterrors.ErrInvalid) {
		return nil, fmt.Errorf("open store %s: %w: %w", path, ErrNotKruzhok, err)
	} else if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db := &DB{bolt: bdb, path: path, now: opt.Now, node: opt.Node}
	if err := db.init(s, opt.Progress); err != nil {
		sealers.Delete(bdb)
		_ = bdb.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := db.compactSealed(bopt); err != nil {
		if db.bolt != nil {
			sealers.Delete(db.bolt)
			_ = db.bolt.Close()
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// init brings the file to the current layout and loads the meta values.
func (db *DB) init(s *sealer, progress func(done, total int)) error {
	fresh := false
	// Look before writing: a file that is not ours, or is too new, stays untouched.
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		if tx.Bucket(bucketMeta) != nil {
			return nil
		}
		fresh = true
		return tx.ForEach(func([]byte, *bbolt.Bucket) error { return ErrNotKruzhok })
	})
	if err != nil {
		return err
	}
	if fresh {
		err := db.bolt.Update(func(tx *bbolt.Tx) error {
			if err := createLayout(tx); err != nil {
				return err
			}
			if s != nil {
				return tx.Bucket(bucketMeta).Put(metaSealCheck, s.check)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := db.openSeal(s, progress, func() error { return migrate(db.bolt) }); err != nil {
		return err
	}
	if err := migrate(db.bolt); err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bbolt.Tx) error {
		// Kinds added to app later need no migration, only their bucket.
		if err := ensureBuckets(tx); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(metaNode); len(v) > 0 {
			db.node = string(v)
		} else if db.node != "" {
			if err := meta.Put(metaNode, []byte(db.node)); err != nil {
				return err
			}
		} else {
			id, err := uuid.NewV7()
			if err != nil {
				return fmt.Errorf("make node id: %w", err)
			}
			db.node = id.String()
			if err := meta.Put(metaNode, []byte(db.node)); err != nil {
				return err
			}
		}
		if len(meta.Get(metaEpoch)) == 0 {
			// A file from before epochs, or one whose meta was rebuilt.
			if err := putNewEpoch(meta); err != nil {
				return err
			}
		}
		db.scope, db.authority = readScope(meta)
		return nil
	})
}

// createLayout makes a new database at the current version.
func createLayout(tx *bbolt.Tx) error {
	if err := ensureBuckets(tx); err != nil {
		return err
	}
	meta := tx.Bucket(bucketMeta)
	for k, v := range map[string][]byte{
		string(metaSchemaVersion): u64(currentVersion),
		string(metaScope):         []byte("region"),
		string(metaAuthority):     {1},
	} {
		if err := meta.Put([]byte(k), v); err != nil {
			return err
		}
	}
	return putNewEpoch(meta)
}

// ensureBuckets makes the buckets every database has.
func ensureBuckets(tx *bbolt.Tx) error {
	names := [][]byte{bucketMeta, bucketOutbox, bucketSerial, bucketChanges, bucketAcked,
		bucketResults, bucketJournal, bucketOpResults, bucketDigest}
	for _, k := range app.Kinds {
		for _, p := range perKindPrefixes {
			names = append(names, []byte(p+string(k)))
		}
	}
	for _, n := range names {
		if _, err := tx.CreateBucketIfNotExists(n); err != nil {
			return fmt.Errorf("create bucket %s: %w", n, err)
		}
	}
	return nil
}

// readScope reads scope and authority; a database without them is a
// standalone region database.
func readScope(meta *bbolt.Bucket) (string, bool) {
	scope := string(meta.Get(metaScope))
	if scope == "" {
		return "region", true
	}
	a := meta.Get(metaAuthority)
	return scope, len(a) == 1 && a[0] == 1
}

// Epoch is the database's epoch: 32 hex digits made at random when the
// database is created. The seqs of the change feed belong to it; a node that
// sees another epoch in a page pulls again from 0 (docs/SYNC.md). "" only if
// the file cannot be read.
func (db *DB) Epoch() string {
	var e string
	_ = db.bolt.View(func(tx *bbolt.Tx) error {
		e = string(tx.Bucket(bucketMeta).Get(metaEpoch))
		return nil
	})
	return e
}

// NewEpoch gives the database a fresh random epoch. A restored backup calls
// it: the change feed it carries may repeat seqs the nodes have already
// pulled from the database it replaces.
func (db *DB) NewEpoch() error {
	err := db.bolt.Update(func(tx *bbolt.Tx) error { return putNewEpoch(tx.Bucket(bucketMeta)) })
	if err != nil {
		return fmt.Errorf("new epoch: %w", err)
	}
	return nil
}

// putNewEpoch writes a fresh random epoch into meta.
func putNewEpoch(meta *bbolt.Bucket) error {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("make epoch: %w", err)
	}
	return meta.Put(metaEpoch, []byte(hex.EncodeToString(b[:])))
}

// Close closes the database file.
func (db *DB) Close() error {
	err := db.bolt.Close() // waits for the open transactions, which need the key
	sealers.Delete(db.bolt)
	return err
}

// Path is the file of the database.
func (db *DB) Path() string { return db.path }

// Node is this database's node id (UUIDv7 text), made on first open.
func (db *DB) Node() string { return db.node }

// Bolt is the underlying bbolt database, for backup and benchmarks. Writing
// through it bypasses the outbox and the indexes.
func (db *DB) Bolt() *bbolt.DB { return db.bolt }

// Scope is the node's scope: "region", "municipality:<code>" or "provider:<id>".
func (db *DB) Scope() string {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.scope
}

// Authority reports whether this database decides scarce resources itself
// (a server or a standalone region database).
func (db *DB) Authority() bool {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.authority
}

// SetScope records the node's scope and authority. A scope that is not
// "region", "municipality:<code>" or "provider:<id>" is EINVALID.
//
// A database that becomes an authority gets a change feed of every record it
// holds, under a new epoch, and loses its undo log (its ops are final now); a
// database that stops being one loses its feed (a node keeps none).
func (db *DB) SetScope(scope string, authority bool) error {
	if !validScope(scope) {
		return app.Errorf(app.EINVALID, "Неверная область узла «%s»", scope)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		_, was := readScope(meta)
		a := []byte{0}
		if authority {
			a[0] = 1
		}
		if err := meta.Put(metaScope, []byte(scope)); err != nil {
			return err
		}
		if err := meta.Put(metaAuthority, a); err != nil {
			return err
		}
		switch {
		case authority && !was:
			if err := clearBase(tx); err != nil {
				return err
			}
			return rebuildFeed(tx)
		case !authority && was:
			return clearFeed(tx)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set scope: %w", err)
	}
	db.scope, db.authority = scope, authority
	return nil
}

func validScope(s string) bool {
	if s == "region" {
		return true
	}
	for _, p := range []string{"municipality:", "provider:"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest != "" && !strings.ContainsAny(rest, "\x00 \t\n")
		}
	}
	return false
}
