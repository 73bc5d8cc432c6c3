package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// JournalPayloadDays is how long the server's journal keeps the personal
// fields of the op payloads it holds (docs/SYNC.md, "Journal retention"). The
// journal is the audit trail (RULES.md §10: every change attributable: node,
// time, op), and that stays for good; the names, birth dates, SNILS, phones
// and code hashes an op carried are needed only to look into a recent
// dispute, since the records hold the current values and a retried push is
// answered from the stored results, never from the journal. After this many
// days the daily job (jobs "journal-retention") scrubs them (app.ScrubPersonal).
const JournalPayloadDays = 90

// metaJournalScrubbed is the journal number of the last batch ScrubJournal
// has passed: the batches up to it hold no personal payload.
var metaJournalScrubbed = []byte("journal_scrubbed")

// scrubJournalBytes bounds the decoded journal one transaction of
// ScrubJournal reads (a month of a provider's marks is some 900 KB), and
// scrubJournalBatches the batches (a var for the tests): a push never waits
// long behind it.
const scrubJournalBytes = 32 << 20

var scrubJournalBatches = 500

// ScrubJournal scrubs the personal fields (app.ScrubPersonal) of the op
// payloads of the journal batches the server appended before before, keeping
// each op's node, seq, HLC, type, time and result (a scrubbed op's rejection
// loses its Message and Detail, in the journal and in the stored results, as
// on erasure), and returns how many batches it rewrote. Journal numbers grow
// with time, so it walks from the batch after the last one it passed
// (meta/journal_scrubbed) and stops at the first batch of before or later: a
// daily run reads a day of batches. It works in transactions of at most 500
// batches or 32 MB of decoded journal; an error leaves the transactions done
// before it done, and a second call with the same before rewrites nothing.
// The old bytes stay in the file's free pages until bbolt reuses them.
// Errors: EINVALID on a database that is not an authority (it has no journal).
func (db *DB) ScrubJournal(before time.Time) (int, error) {
	total := 0
	for {
		n, more, err := db.scrubJournalBatch(before)
		total += n
		if err != nil {
			return total, fmt.Errorf("scrub journal: %w", err)
		}
		if !more {
			return total, nil
		}
	}
}

// scrubJournalBatch is one transaction of ScrubJournal; more reports that
// another is due.
func (db *DB) scrubJournalBatch(before time.Time) (n int, more bool, err error) {
	personal := app.PersonalOps()
	types := make([][]byte, len(personal))
	for i, t := range personal {
		types[i] = appendJSONString(nil, t)
	}
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if _, authority := readScope(meta); !authority {
			return app.Errorf(app.EINVALID, "Это база узла: журнала операций узлов в ней нет")
		}
		jb := tx.Bucket(bucketJournal)
		type rewrite struct{ k, v []byte }
		var out []rewrite
		var last []byte // the key of the last batch passed
		read, batches := 0, 0
		c := jb.Cursor()
		k, v := c.Seek(u64(metaU64(meta, metaJournalScrubbed) + 1))
		for ; k != nil; k, v = c.Next() {
			if batches >= scrubJournalBatches || read >= scrubJournalBytes {
				more = true
				break
			}
			if len(k) != 8 {
				return fmt.Errorf("journal key %x is not 8 bytes", k)
			}
			v, err := openv(tx, bucketJournal, k, v)
			if err != nil {
				return err
			}
			plain, err := decompressJournal(v)
			if err != nil {
				return fmt.Errorf("journal %x: %w", k, err)
			}
			t, err := journalTime(plain)
			if err != nil {
				return fmt.Errorf("journal %x: %w", k, err)
			}
			if !t.Before(before) {
				break
			}
			read, batches = read+len(plain), batches+1
			last = k
			if !containsAny(plain, types) {
				continue
			}
			nv, err := scrubBatch(tx, k, plain, app.ScrubPersonal)
			if err != nil {
				return err
			}
			if nv != nil {
				out = append(out, rewrite{bytes.Clone(k), nv})
			}
		}
		if last == nil {
			return nil
		}
		mark := binary.BigEndian.Uint64(last)
		// A bucket is not written while a cursor walks it.
		for _, r := range out {
			if err := putv(tx, jb, bucketJournal, r.k, r.v); err != nil {
				return fmt.Errorf("journal %x: %w", r.k, err)
			}
		}
		n = len(out)
		return meta.Put(metaJournalScrubbed, u64(mark))
	})
	if err != nil {
		return 0, false, err
	}
	return n, more, nil
}

// journalTime is the Time of a decoded journal value, read without decoding
// its ops.
func journalTime(plain []byte) (time.Time, error) {
	var e struct{ Time time.Time }
	// The batch form starts {"Node":…,"Time":"…","Ops":[: a decoder of the
	// whole value would read every payload, so the head is cut out first.
	if i := bytes.Index(plain, []byte(`,"Ops":[`)); i > 0 && plain[0] == codecVersion {
		head := append(bytes.Clone(plain[:i]), '}')
		if err := decode(head, &e); err == nil {
			return e.Time, nil
		}
	}
	if err := decode(plain, &e); err != nil {
		return time.Time{}, err
	}
	return e.Time, nil
}

// containsAny reports whether b holds any of subs.
func containsAny(b []byte, subs [][]byte) bool {
	for _, s := range subs {
		if bytes.Contains(b, s) {
			return true
		}
	}
	return false
}
