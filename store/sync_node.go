package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// SyncConfig is how a node reaches its server: the server's address, the
// SHA-256 fingerprint of its TLS certificate (hex) and the node's ed25519
// seed (hex). SealRecipient is the server's X25519 public key (hex) that
// batch files are sealed to, learned at join or from /v1/health; a config
// stored before it existed reads with it empty.
type SyncConfig struct {
	Server, Fingerprint, NodeKey string
	SealRecipient                string `json:",omitempty"`
}

// SyncState is a node's view of its sync: the server epoch its cursor belongs
// to, the cursor, the highest own seq the server has answered (Acked), how
// many own ops wait for an answer (Pending) or were rejected (Rejected), how
// far the outbox was trimmed (Trimmed), and the time and error of the last sync.
type SyncState struct {
	Epoch         string
	Cursor, Acked uint64
	Trimmed       uint64 // the highest seq TrimOutbox dropped; the outbox holds only ops above it
	Pending       int
	Rejected      int
	LastSync      time.Time
	LastError     string
}

// OpResult is one own op of a node with what is known of it: Pending until
// the server has answered; Result.Status "applied" or "rejected" (with Code
// and Russian Message) after, or "pending" while it waits, with Code and
// Message set when it no longer applies locally either (Rebase). An op acked
// without an answer the node kept (ResetForEpoch moved acked up) has Status "".
type OpResult struct {
	Op      app.Op
	Result  Result
	Pending bool
}

// SetSyncConfig stores the node's sync configuration.
func (db *DB) SetSyncConfig(c SyncConfig) error {
	data, err := encode(c)
	if err != nil {
		return err
	}
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		return putv(tx, tx.Bucket(bucketMeta), bucketMeta, metaSyncConfig, data)
	})
	if err != nil {
		return fmt.Errorf("set sync config: %w", err)
	}
	return nil
}

// SyncConfig returns the node's sync configuration; the zero value if none
// was set (the database has not joined a server).
func (db *DB) SyncConfig() (SyncConfig, error) {
	var c SyncConfig
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		v, err := getv(tx, bucketMeta, metaSyncConfig)
		if err != nil || v == nil {
			return err
		}
		return decode(v, &c)
	})
	if err != nil {
		return SyncConfig{}, fmt.Errorf("sync config: %w", err)
	}
	return c, nil
}

// SyncState returns the node's sync state.
func (db *DB) SyncState() (SyncState, error) {
	var s SyncState
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		s.Epoch = string(meta.Get(metaSyncEpoch))
		s.Cursor = metaU64(meta, metaSyncCursor)
		s.Acked = metaU64(meta, metaSyncAcked)
		s.Rejected = int(metaU64(meta, metaSyncRejected))
		s.Trimmed = metaU64(meta, metaOutboxTrimmed)
		if last := lastOutboxSeq(tx); last > s.Acked {
			s.Pending = int(last - s.Acked)
		}
		if v := meta.Get(metaSyncLast); len(v) == 8 {
			s.LastSync = time.Unix(0, int64(binary.BigEndian.Uint64(v)))
		}
		s.LastError = string(meta.Get(metaSyncError))
		return nil
	})
	return s, err
}

// SetLastSync records the time of a sync attempt and its error ("" = it
// succeeded).
func (db *DB) SetLastSync(t time.Time, errText string) error {
	return db.bolt.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := meta.Put(metaSyncLast, u64(uint64(t.UnixNano()))); err != nil {
			return err
		}
		if errText == "" {
			return meta.Delete(metaSyncError)
		}
		return meta.Put(metaSyncError, []byte(errText))
	})
}

// PendingOps returns up to limit (all if limit ≤ 0) own ops the server has
// not answered yet (outbox seq > acked), in seq order.
func (db *DB) PendingOps(limit int) ([]app.Op, error) {
	var ops []app.Op
	err := db.bolt.View(func(tx *bbolt.Tx) (err error) {
		ops, err = outboxFrom(tx, metaU64(tx.Bucket(bucketMeta), metaSyncAcked)+1, limit)
		return err
	})
	return ops, err
}

// outboxFrom reads up to limit ops (all if ≤ 0) with seq ≥ from.
func outboxFrom(tx *bbolt.Tx, from uint64, limit int) ([]app.Op, error) {
	var ops []app.Op
	c := tx.Bucket(bucketOutbox).Cursor()
	for k, v := c.Seek(seqKey(from)); k != nil; k, v = c.Next() {
		if limit > 0 && len(ops) >= limit {
			break
		}
		v, err := openv(tx, bucketOutbox, k, v)
		if err != nil {
			return nil, err
		}
		op, err := decodeOp(v)
		if err != nil {
			return nil, fmt.Errorf("store: outbox %x: %w", k, err)
		}
		ops = append(ops, op)
	}
	return ops, nil
}

// RecordResults stores the server's results of own ops and moves acked up to
// acked (never down). Errors: EINVALID for a result of no own op or with a
// status other than applied or rejected; ECONFLICT when the server acks ops
// this node never made (the node's database is older than the server's record
// of it, e.g. restored from a backup).
func (db *DB) RecordResults(acked uint64, rs []Result) error {
	return db.bolt.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		last := lastOutboxSeq(tx)
		if acked > last {
			return app.Errorf(app.ECONFLICT, "Сервер подтвердил операции до №%d, а у узла их всего %d: база узла старше записей сервера о нём", acked, last)
		}
		trimmed := metaU64(meta, metaOutboxTrimmed)
		for _, r := range rs {
			if r.Seq == 0 || r.Seq > last {
				return app.Errorf(app.EINVALID, "Результат для неизвестной операции №%d", r.Seq)
			}
			if r.Seq <= trimmed {
				continue // the op is gone (TrimOutbox): its answer has nothing to belong to
			}
			if r.Status != StatusApplied && r.Status != StatusRejected {
				return app.Errorf(app.EINVALID, "Неверный статус «%s» операции №%d", r.Status, r.Seq)
			}
			if err := putOpResult(tx, r); err != nil {
				return err
			}
		}
		old := metaU64(meta, metaSyncAcked)
		if acked <= old {
			return nil
		}
		// A local note on an op the server has now answered without a result
		// in rs would outlive its meaning.
		for seq := old + 1; seq <= acked; seq++ {
			if r, ok, err := opResultAt(tx, seq); err != nil {
				return err
			} else if ok && r.Status == StatusPending {
				if err := deleteOpResult(tx, seq); err != nil {
					return err
				}
			}
		}
		return meta.Put(metaSyncAcked, u64(acked))
	})
}

// OpResults returns own ops with their state, newest first, up to limit (all
// if ≤ 0); onlyRejected keeps those the server rejected.
func (db *DB) OpResults(onlyRejected bool, limit int) ([]OpResult, error) {
	var out []OpResult
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		acked := metaU64(tx.Bucket(bucketMeta), metaSyncAcked)
		outbox := tx.Bucket(bucketOutbox)
		add := func(seq uint64, opData []byte, r Result) error {
			op, err := decodeOp(opData)
			if err != nil {
				return fmt.Errorf("store: outbox %d: %w", seq, err)
			}
			pending := seq > acked
			r.Seq = seq
			if pending && r.Status == "" {
				r.Status = StatusPending
			}
			out = append(out, OpResult{Op: op, Result: r, Pending: pending})
			return nil
		}
		full := func() bool { return limit > 0 && len(out) >= limit }
		if onlyRejected {
			c := tx.Bucket(bucketOpResults).Cursor()
			for k, v := c.Last(); k != nil && !full(); k, v = c.Prev() {
				var r Result
				v, err := openv(tx, bucketOpResults, k, v)
				if err != nil {
					return err
				}
				if err := decode(v, &r); err != nil {
					return fmt.Errorf("store: opresults %x: %w", k, err)
				}
				if r.Status != StatusRejected {
					continue
				}
				opData, err := getv(tx, bucketOutbox, k)
				if err != nil {
					return err
				}
				if opData == nil {
					continue // an op trimmed from the outbox
				}
				if err := add(binary.BigEndian.Uint64(k), opData, r); err != nil {
					return err
				}
			}
			return nil
		}
		c := outbox.Cursor()
		for k, v := c.Last(); k != nil && !full(); k, v = c.Prev() {
			seq := binary.BigEndian.Uint64(k)
			r, _, err := opResultAt(tx, seq)
			if err != nil {
				return err
			}
			if v, err = openv(tx, bucketOutbox, k, v); err != nil {
				return err
			}
			if err := add(seq, v, r); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// ApplyPull writes a pulled page as the server's state, in one transaction
// with the page's cursor and epoch. A changed record goes to its live bucket
// (indexes kept), or into base when a pending own op has written it (Rebase
// then restores it under the op); a removal likewise deletes or records
// "absent" in base. Every value must decode as a record of its kind and id,
// else the page is refused whole with EINVALID. A page of another epoch than
// the cursor's is ECONFLICT (call ResetForEpoch first); on an authority
// database ApplyPull is EINVALID.
func (db *DB) ApplyPull(p Page) error {
	if p.Epoch == "" {
		return app.Errorf(app.EINVALID, "Страница синхронизации без эпохи сервера")
	}
	for _, c := range p.Changes {
		if err := checkChange(c); err != nil {
			return err
		}
	}
	return db.bolt.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := notAuthority(meta); err != nil {
			return err
		}
		if e := string(meta.Get(metaSyncEpoch)); e != "" && e != p.Epoch {
			return app.Errorf(app.ECONFLICT, "Сервер сменил эпоху (%s → %s): нужна полная загрузка", e, p.Epoch)
		}
		for _, c := range p.Changes {
			if err := applyChange(tx, c); err != nil {
				return err
			}
		}
		if err := scrubPulled(tx, p.Changes); err != nil {
			return err
		}
		if err := meta.Put(metaSyncCursor, u64(p.Next)); err != nil {
			return err
		}
		return meta.Put(metaSyncEpoch, []byte(p.Epoch))
	})
}

// checkChange refuses a change that cannot be written as it stands.
func checkChange(c Change) error {
	if _, ok := recordTypes[c.Kind]; !ok {
		return app.Errorf(app.EINVALID, "Неверная страница синхронизации: неизвестный вид записи «%s»", c.Kind)
	}
	if err := checkID(c.Kind, c.ID); err != nil {
		return app.Errorf(app.EINVALID, "Неверная страница синхронизации: %s", app.ErrorMessage(err))
	}
	if c.Value == nil {
		return nil
	}
	rec, err := decodeRecord(c.Kind, c.Value)
	if err != nil {
		return app.Errorf(app.EINVALID, "Неверная страница синхронизации: запись %s/%s не читается: %v", c.Kind, c.ID, err)
	}
	if rec.RecordID() != c.ID {
		return app.Errorf(app.EINVALID, "Неверная страница синхронизации: под ключом %s/%s лежит запись %s", c.Kind, c.ID, rec.RecordID())
	}
	if err := checkIndexes(rec.Indexes()); err != nil {
		return app.Errorf(app.EINVALID, "Неверная страница синхронизации: %s/%s: %v", c.Kind, c.ID, err)
	}
	return nil
}

func applyChange(tx *bbolt.Tx, c Change) error {
	base := tx.Bucket(baseBucket(c.Kind))
	if has(base, []byte(c.ID)) {
		v := []byte{}
		if c.Value != nil {
			v = bytes.Clone(c.Value)
		}
		return putv(tx, base, baseBucket(c.Kind), []byte(c.ID), v)
	}
	if c.Value == nil {
		return deleteRaw(tx, c.Kind, c.ID)
	}
	return putRaw(tx, c.Kind, c.ID, c.Value)
}

// ResetForEpoch prepares a node for a pull from 0 after the server's epoch
// changed (a restored server): every record, index and undo-log entry goes,
// the cursor returns to 0 under epoch, and acked becomes serverAcked, so the
// own ops above it are pending again (their results are dropped) and will be
// pushed anew. The outbox stays whole. Errors: EINVALID for an empty epoch or
// an authority database; ECONFLICT when serverAcked is above the last own op;
// OUTBOX_TRIMMED when the server needs own ops TrimOutbox has dropped (nothing
// changes: the node cannot give the restored server its lost ops).
func (db *DB) ResetForEpoch(epoch string, serverAcked uint64) error {
	if epoch == "" {
		return app.Errorf(app.EINVALID, "Пустая эпоха сервера")
	}
	return db.bolt.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := notAuthority(meta); err != nil {
			return err
		}
		if last := lastOutboxSeq(tx); serverAcked > last {
			return app.Errorf(app.ECONFLICT, "Сервер подтвердил операции до №%d, а у узла их всего %d", serverAcked, last)
		}
		if trimmed := metaU64(meta, metaOutboxTrimmed); serverAcked < trimmed {
			return OutboxTrimmedError(serverAcked+1, trimmed)
		}
		var names [][]byte
		err := tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
			if bytes.HasPrefix(name, []byte(idxPrefix)) {
				names = append(names, bytes.Clone(name))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, n := range names {
			if err := tx.DeleteBucket(n); err != nil {
				return fmt.Errorf("store: drop %s: %w", n, err)
			}
		}
		names = names[:0]
		for _, k := range app.Kinds {
			names = append(names, recBucket(k), baseBucket(k))
		}
		if err := recreateBuckets(tx, names...); err != nil {
			return err
		}
		if err := clearFeed(tx); err != nil {
			return err
		}
		// The server's answers above serverAcked are lost with its state, and
		// a local note means nothing on an op the server has acked.
		var stale []uint64
		err = tx.Bucket(bucketOpResults).ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return fmt.Errorf("store: opresults: key %x is not 8 bytes", k)
			}
			seq := binary.BigEndian.Uint64(k)
			var r Result
			v, err := openv(tx, bucketOpResults, k, v)
			if err != nil {
				return err
			}
			if err := decode(v, &r); err != nil {
				return fmt.Errorf("store: opresults %d: %w", seq, err)
			}
			if seq > serverAcked || r.Status == StatusPending {
				stale = append(stale, seq)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, seq := range stale {
			if err := deleteOpResult(tx, seq); err != nil {
				return err
			}
		}
		for k, v := range map[string][]byte{string(metaSyncAcked): u64(serverAcked),
			string(metaSyncCursor): u64(0), string(metaSyncEpoch): []byte(epoch)} {
			if err := meta.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Rebase puts the node's own pending ops on top of the server's state, in one
// transaction: every pre-image of the undo log is restored (so the live
// buckets hold exactly what the server sent), the log is cleared, and each op
// above acked is applied again in seq order through the same path as Exec,
// keeping new pre-images. An op that no longer applies locally stays pending
// (the server decides): its writes are undone and a note with its error is
// stored as a Result with Status "pending" (OpResults shows it). Errors: a
// storage error (nothing changes); EINVALID on an authority database.
func (db *DB) Rebase() error {
	return db.bolt.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := notAuthority(meta); err != nil {
			return err
		}
		if err := restoreBase(tx); err != nil {
			return err
		}
		scope, _ := readScope(meta)
		now := db.now()
		m := app.Meta{Node: db.node, Today: app.DateOf(now), Authority: false, Scope: scope, Time: now.Unix()}
		ops, err := outboxFrom(tx, metaU64(meta, metaSyncAcked)+1, 0)
		if err != nil {
			return err
		}
		cache := newLoadCache()
		for _, op := range ops {
			undo := &undoLog{}
			view := txView{tx: tx, w: &writes{capture: true, undo: undo, cache: cache}}
			cmd, err := commandDecoder(op.Type, op.Payload)
			if err == nil {
				err = applySafe(cmd, view, m)
			}
			if err == nil {
				if r, ok, err := opResultAt(tx, op.Seq); err != nil {
					return err
				} else if ok && r.Status == StatusPending {
					if err := deleteOpResult(tx, op.Seq); err != nil {
						return err
					}
				}
				continue
			}
			var ae *app.Error
			if !errors.As(err, &ae) {
				return fmt.Errorf("store: rebase op %d (%s): %w", op.Seq, op.Type, err)
			}
			if err := undo.rollback(tx, cache); err != nil {
				return fmt.Errorf("store: rebase op %d (%s): undo: %w", op.Seq, op.Type, err)
			}
			note := Result{Seq: op.Seq, Status: StatusPending, Code: ae.Code, Message: ae.Message, Detail: ae.Detail}
			if err := putOpResult(tx, note); err != nil {
				return err
			}
		}
		return nil
	})
}

// restoreBase writes every pre-image back to the live buckets and empties base.
func restoreBase(tx *bbolt.Tx) error {
	type pre struct {
		id string
		v  []byte
	}
	var names [][]byte
	for _, kind := range app.Kinds {
		b := tx.Bucket(baseBucket(kind))
		if b == nil {
			continue
		}
		var pres []pre
		err := b.ForEach(func(k, v []byte) error {
			v, err := openv(tx, baseBucket(kind), k, v)
			if err != nil {
				return err
			}
			pres = append(pres, pre{string(k), bytes.Clone(v)})
			return nil
		})
		if err != nil {
			return err
		}
		for _, p := range pres {
			if len(p.v) == 0 {
				err = deleteRaw(tx, kind, p.id)
			} else {
				err = putRaw(tx, kind, p.id, p.v)
			}
			if err != nil {
				return fmt.Errorf("store: restore %s/%s: %w", kind, p.id, err)
			}
		}
		if len(pres) > 0 {
			names = append(names, baseBucket(kind))
		}
	}
	return recreateBuckets(tx, names...)
}

// clearBase empties the undo log without restoring it.
func clearBase(tx *bbolt.Tx) error {
	var names [][]byte
	for _, k := range app.Kinds {
		names = append(names, baseBucket(k))
	}
	return recreateBuckets(tx, names...)
}

// capturePreImage keeps old (nil: absent) as the pre-image of kind/id unless
// base has one already; it reports whether it made one.
func capturePreImage(tx *bbolt.Tx, kind app.Kind, id string, old []byte) (bool, error) {
	b := tx.Bucket(baseBucket(kind))
	if b == nil {
		return false, fmt.Errorf("store: no bucket %s%s", basePrefix, kind)
	}
	if has(b, []byte(id)) {
		return false, nil
	}
	v := []byte{}
	if old != nil {
		v = bytes.Clone(old)
	}
	if err := putv(tx, b, baseBucket(kind), []byte(id), v); err != nil {
		return false, fmt.Errorf("store: pre-image %s/%s: %w", kind, id, err)
	}
	return true, nil
}

// undoLog is what one op under Rebase changed, to restore if it fails: bbolt
// has no savepoints, and the transaction holds the other ops' work.
type undoLog struct {
	entries []undoEntry
	seen    map[string]bool
}

type undoEntry struct {
	kind        app.Kind
	id          string // record id, or the serial's name when serial
	old         []byte // nil: absent
	serial      bool
	baseCreated bool
}

func (u *undoLog) first(key string) bool {
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	if u.seen[key] {
		return false
	}
	u.seen[key] = true
	return true
}

func (u *undoLog) record(kind app.Kind, id string, old []byte, baseCreated bool) {
	if u.first(string(kind) + "\x00" + id) {
		u.entries = append(u.entries, undoEntry{kind: kind, id: id, old: bytes.Clone(old), baseCreated: baseCreated})
	}
}

func (u *undoLog) recordSerial(name string, old []byte) {
	if u.first("\x01" + name) {
		u.entries = append(u.entries, undoEntry{id: name, old: bytes.Clone(old), serial: true})
	}
}

// rollback restores, newest first, everything the op changed, and drops
// what it restores from the transaction's load cache.
func (u *undoLog) rollback(tx *bbolt.Tx, cache *loadCache) error {
	cache.dropScans()
	for i := len(u.entries) - 1; i >= 0; i-- {
		e := u.entries[i]
		if !e.serial {
			cache.drop(e.kind, e.id)
		}
		var err error
		switch {
		case e.serial && e.old == nil:
			err = tx.Bucket(bucketSerial).Delete([]byte(e.id))
		case e.serial:
			err = tx.Bucket(bucketSerial).Put([]byte(e.id), e.old)
		case e.old == nil:
			err = deleteRaw(tx, e.kind, e.id)
		default:
			err = putRaw(tx, e.kind, e.id, e.old)
		}
		if err == nil && e.baseCreated {
			err = tx.Bucket(baseBucket(e.kind)).Delete([]byte(e.id))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// putOpResult stores r in opresults, keeping the rejected counter.
func putOpResult(tx *bbolt.Tx, r Result) error {
	old, had, err := opResultAt(tx, r.Seq)
	if err != nil {
		return err
	}
	data, err := encode(r)
	if err != nil {
		return err
	}
	if err := putv(tx, tx.Bucket(bucketOpResults), bucketOpResults, u64(r.Seq), data); err != nil {
		return fmt.Errorf("store: opresults %d: %w", r.Seq, err)
	}
	was := had && old.Status == StatusRejected
	return adjustRejected(tx, was, r.Status == StatusRejected)
}

func deleteOpResult(tx *bbolt.Tx, seq uint64) error {
	old, had, err := opResultAt(tx, seq)
	if err != nil || !had {
		return err
	}
	if err := tx.Bucket(bucketOpResults).Delete(u64(seq)); err != nil {
		return fmt.Errorf("store: opresults %d: %w", seq, err)
	}
	return adjustRejected(tx, old.Status == StatusRejected, false)
}

func adjustRejected(tx *bbolt.Tx, was, is bool) error {
	if was == is {
		return nil
	}
	meta := tx.Bucket(bucketMeta)
	n := metaU64(meta, metaSyncRejected)
	if is {
		n++
	} else if n > 0 {
		n--
	}
	return meta.Put(metaSyncRejected, u64(n))
}

func opResultAt(tx *bbolt.Tx, seq uint64) (Result, bool, error) {
	v, err := getv(tx, bucketOpResults, u64(seq))
	if err != nil {
		return Result{}, false, err
	}
	if v == nil {
		return Result{}, false, nil
	}
	var r Result
	if err := decode(v, &r); err != nil {
		return Result{}, false, fmt.Errorf("store: opresults %d: %w", seq, err)
	}
	return r, true, nil
}

func notAuthority(meta *bbolt.Bucket) error {
	if _, authority := readScope(meta); authority {
		return app.Errorf(app.EINVALID, "Это база сервера: её состояние окончательно, синхронизация узла к ней не применяется")
	}
	return nil
}

// metaU64 reads a uint64 meta value; 0 if absent or malformed (Check reports it).
func metaU64(meta *bbolt.Bucket, key []byte) uint64 {
	if v := meta.Get(key); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// lastOutboxSeq is the seq of the newest op the node made, 0 if none: the
// newest in the outbox, or the trim point when TrimOutbox emptied it.
func lastOutboxSeq(tx *bbolt.Tx) uint64 {
	trimmed := metaU64(tx.Bucket(bucketMeta), metaOutboxTrimmed)
	k, _ := tx.Bucket(bucketOutbox).Cursor().Last()
	if len(k) != 8 {
		return trimmed
	}
	return max(binary.BigEndian.Uint64(k), trimmed)
}

// has reports whether key is in b, whatever its value (an empty value is a
// value).
func has(b *bbolt.Bucket, key []byte) bool {
	k, _ := b.Cursor().Seek(key)
	return k != nil && bytes.Equal(k, key)
}
