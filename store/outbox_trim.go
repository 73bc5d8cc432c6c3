package store

import (
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// OutboxKeepDays is how long a node keeps own ops the server has answered
// (DESIGN.md, "Sync protocol"): a server restored from a backup younger than
// that gets them pushed again. Older ones hold overwritten personal data
// (old phones, old names) beyond need, so the daily job drops them.
const OutboxKeepDays = 30

// trimBatch is how many ops one transaction of TrimOutbox drops: a writer
// never waits long behind it.
const trimBatch = 10_000

// TrimOutbox drops the node's own ops that the server has answered (seq ≤
// acked) and that were made before before, with their op results, and
// returns how many it dropped. An op's time is the wall clock of its HLC
// stamp; stamps never go back along the seqs, so the ops dropped are always
// a prefix of the outbox and the first op kept ends the run: a pending op is
// never touched. The highest seq dropped is kept in meta (outbox_trimmed) so
// that Check, SyncState and ResetForEpoch know where the outbox begins. It
// works in transactions of at most 10 000 ops; an error leaves the batches
// done before it done, and a second call with the same before drops nothing.
// The bytes of the dropped ops stay in the file's free pages until bbolt
// reuses them or the file is compacted; backups (Tx.WriteTo) copy free pages too.
// Errors: EINVALID on an authority database, whose outbox is its history.
func (db *DB) TrimOutbox(before time.Time) (int, error) {
	var cut uint64
	if ms := before.UnixMilli(); ms > 0 {
		cut = uint64(ms) << 16
	}
	total := 0
	for {
		n, more, err := db.trimOutboxBatch(cut)
		total += n
		if err != nil {
			return total, fmt.Errorf("trim outbox: %w", err)
		}
		if !more {
			return total, nil
		}
	}
}

// trimOutboxBatch drops at most trimBatch ops stamped below cut and acked,
// in one transaction; more reports that another batch is due.
func (db *DB) trimOutboxBatch(cut uint64) (n int, more bool, err error) {
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if _, authority := readScope(meta); authority {
			return app.Errorf(app.EINVALID, "Это база сервера: её журнал операций не сокращают")
		}
		acked := metaU64(meta, metaSyncAcked)
		outbox := tx.Bucket(bucketOutbox)
		var seqs []uint64
		c := outbox.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("store: outbox: key %x is not 8 bytes", k)
			}
			seq := binary.BigEndian.Uint64(k)
			if seq > acked {
				break
			}
			v, err := openv(tx, bucketOutbox, k, v)
			if err != nil {
				return err
			}
			op, err := decodeOp(v)
			if err != nil {
				return fmt.Errorf("store: outbox %d: %w", seq, err)
			}
			if op.HLC >= cut {
				break
			}
			if len(seqs) == trimBatch {
				more = true
				break
			}
			seqs = append(seqs, seq)
		}
		if len(seqs) == 0 {
			return nil
		}
		// Deleting under a cursor skips keys in bbolt: the seqs were collected first.
		for _, seq := range seqs {
			if err := outbox.Delete(seqKey(seq)); err != nil {
				return fmt.Errorf("store: outbox %d: %w", seq, err)
			}
			if err := deleteOpResult(tx, seq); err != nil {
				return err
			}
		}
		n = len(seqs)
		return meta.Put(metaOutboxTrimmed, u64(seqs[len(seqs)-1]))
	})
	if err != nil {
		return 0, false, err
	}
	return n, more, nil
}

// OutboxTrimmedError is the refusal, with code OUTBOX_TRIMMED, when the
// server needs own ops from need on and the node has dropped them up to
// trimmed: the sync cannot go on, and retrying changes nothing.
func OutboxTrimmedError(need, trimmed uint64) error {
	return app.Errorf(app.OUTBOX_TRIMMED, "Сервер восстановлен из резервной копии и ждёт операции этого компьютера "+
		"с №%d, но операции по №%d уже удалены: подтверждённые сервером операции хранятся %d дней. "+
		"Вернуть их на сервер нельзя — обратитесь в РМЦ: данные, внесённые в эти дни, нужно проверить и внести заново",
		need, trimmed, OutboxKeepDays)
}
