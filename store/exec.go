package store

import (
	"encoding/binary"
	"fmt"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// BatchError says which command of an ExecBatch failed. It unwraps to the
// command's error, so errors.As still finds the *app.Error and its code.
type BatchError struct {
	Index int    // position of the failed command in the batch
	Op    string // its op type
	Err   error
}

func (e *BatchError) Error() string {
	return fmt.Sprintf("команда №%d (%s): %v", e.Index+1, e.Op, e.Err)
}

func (e *BatchError) Unwrap() error { return e.Err }

// Exec applies cmd and appends it to the outbox as an op, in one transaction.
// On error nothing changes and the error is the command's (with its code); a
// panic inside the command is turned into an EINTERNAL error.
func (db *DB) Exec(cmd app.Command) (app.Op, error) {
	var op app.Op
	err := db.bolt.Update(func(tx *bbolt.Tx) (err error) {
		op, err = db.exec(tx, cmd, nil)
		return err
	})
	if err != nil {
		return app.Op{}, err
	}
	return op, nil
}

// ExecBatch applies every command in one transaction, each recorded as its own
// op in order. If any command fails nothing at all changes, and the error is a
// *BatchError naming the command.
//
// The commands share one load cache and one write-back (tx.go): a batch of
// attendance marks decodes its group, region, lessons and contracts once and
// encodes, captures and (on an authority) feeds and digests each lesson once,
// at the end, instead of once per mark. Both live and die with the
// transaction: a failed command fails the whole batch, whose bbolt
// transaction is rolled back and whose cache is dropped with it.
func (db *DB) ExecBatch(cmds []app.Command) ([]app.Op, error) {
	if len(cmds) == 0 {
		return nil, nil
	}
	ops := make([]app.Op, 0, len(cmds))
	err := db.bolt.Update(func(tx *bbolt.Tx) error {
		shared := &batchState{cache: newLoadCache(), back: newWriteBack()}
		for i, cmd := range cmds {
			op, err := db.exec(tx, cmd, shared)
			if err != nil {
				name := "<nil>"
				if cmd != nil {
					name = cmd.Op()
				}
				return &BatchError{Index: i, Op: name, Err: err}
			}
			ops = append(ops, op)
		}
		return shared.flush(tx)
	})
	if err != nil {
		return nil, err
	}
	return ops, nil
}

// batchState is what the commands of one ExecBatch share: the load cache and
// the write-back, and the kind of database they ran on (for the flush).
type batchState struct {
	cache         *loadCache
	back          *writeBack
	feed, capture bool
}

// flush writes what the batch's commands deferred, as a command's own view
// would have: captured pre-images on a node, the feed and digests on an
// authority.
func (b *batchState) flush(tx *bbolt.Tx) error {
	return b.back.flush(txView{tx: tx, w: &writes{feed: b.feed, capture: b.capture, cache: b.cache, back: b.back}})
}

// exec applies one command inside tx and appends its op; shared, when not
// nil, is the state of the ExecBatch it runs in.
func (db *DB) exec(tx *bbolt.Tx, cmd app.Command, shared *batchState) (op app.Op, err error) {
	if cmd == nil {
		return app.Op{}, app.Errorf(app.EINVALID, "Пустая команда")
	}
	meta := tx.Bucket(bucketMeta)
	scope, authority := readScope(meta)
	now := db.now()
	m := app.Meta{Node: db.node, Today: app.DateOf(now), Authority: authority, Scope: scope, Time: now.Unix()}
	if err := app.CheckBounds(cmd); err != nil {
		return app.Op{}, err
	}
	// An authority's changes go to its feed; a node keeps the pre-images its
	// pending ops overwrite, for Rebase.
	w := &writes{feed: authority, capture: !authority}
	if shared != nil {
		shared.feed, shared.capture = authority, !authority
		shared.back.begin()
		w.cache, w.back = shared.cache, shared.back
	}
	view := txView{tx: tx, w: w}
	if err := applySafe(cmd, view, m); err != nil {
		return app.Op{}, err
	}
	payload, err := EncodeCommand(cmd)
	if err != nil {
		return app.Op{}, err
	}
	outbox := tx.Bucket(bucketOutbox)
	seq, err := outbox.NextSequence()
	if err != nil {
		return app.Op{}, fmt.Errorf("store: outbox sequence: %w", err)
	}
	stamp, err := nextHLC(meta, now.UnixMilli())
	if err != nil {
		return app.Op{}, err
	}
	op = app.Op{Node: db.node, Seq: seq, HLC: stamp, Type: cmd.Op(), Payload: payload}
	data, err := encodeValidOp(op) // payload: json.Marshal's output
	if err != nil {
		return app.Op{}, err
	}
	if err := putv(tx, outbox, bucketOutbox, seqKey(seq), data); err != nil {
		return app.Op{}, fmt.Errorf("store: outbox put %d: %w", seq, err)
	}
	if child := erasedChild(cmd); child != "" {
		if err := scrubAfterExec(tx, authority, child); err != nil {
			return app.Op{}, err
		}
	}
	return op, nil
}

// applySafe runs cmd.Apply, turning a panic into an error: one bad command
// must not take a server down, and the transaction is rolled back anyway.
func applySafe(cmd app.Command, tx app.Tx, m app.Meta) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = app.Errorf(app.EINTERNAL, "Сбой команды %s: %v", cmd.Op(), r)
		}
	}()
	return cmd.Apply(tx, m)
}

// nextHLC gives the next hybrid logical clock stamp, (unix millis << 16) |
// counter, and keeps it in meta: it never goes back, whatever the wall clock does.
func nextHLC(meta *bbolt.Bucket, wallMillis int64) (uint64, error) {
	var last uint64
	if v := meta.Get(metaHLC); len(v) == 8 {
		last = binary.BigEndian.Uint64(v)
	}
	next := last + 1
	if wallMillis > 0 {
		if w := uint64(wallMillis) << 16; w > next {
			next = w
		}
	}
	if err := meta.Put(metaHLC, u64(next)); err != nil {
		return 0, fmt.Errorf("store: hlc: %w", err)
	}
	return next, nil
}

// View runs fn against a consistent read-only snapshot.
func (db *DB) View(fn func(r app.Reader) error) error {
	return db.bolt.View(func(tx *bbolt.Tx) error { return fn(readView(tx)) })
}

// Outbox returns up to limit ops (all if limit <= 0) with seq >= fromSeq, in
// seq order.
func (db *DB) Outbox(fromSeq uint64, limit int) ([]app.Op, error) {
	var ops []app.Op
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.Seek(seqKey(fromSeq)); k != nil; k, v = c.Next() {
			if limit > 0 && len(ops) >= limit {
				break
			}
			v, err := openv(tx, bucketOutbox, k, v)
			if err != nil {
				return err
			}
			op, err := decodeOp(v)
			if err != nil {
				return fmt.Errorf("store: outbox %x: %w", k, err)
			}
			ops = append(ops, op)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ops, nil
}

// OutboxLen is the number of ops in the outbox.
func (db *DB) OutboxLen() (int, error) {
	n := 0
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		n = tx.Bucket(bucketOutbox).Stats().KeyN
		return nil
	})
	return n, err
}
