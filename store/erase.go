package store

import (
	"bytes"
	"fmt"
	"math"
	"slices"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// Erasure of a child's personal data from the op payloads a database keeps
// (RULES.md §10). The domain says what is personal (app.ScrubPayload); the
// store only finds the payloads that name the child and writes the scrubbed
// ones back, in the transaction that applied the erasure:
//
//   - the server, after it applied an erase_child (ApplyRemote or its own
//     Exec), rewrites every journal batch holding such a payload
//     (scrubJournal);
//   - a node, after its own erase_child (Exec) or a pull that brings an
//     erased Child record (ApplyPull), rewrites its outbox ops the server
//     has acked (scrubOutbox). A pending op keeps its payload: the server
//     still has to run it as sent; it is scrubbed by the pull that follows
//     its push, when the server's erased record comes back.
//
// Both are full scans: there is no index from a child to the ops that name
// it. The journal scan decompresses every batch (some 900 KB of JSON per
// month of a provider's marks, zstd at several hundred MB/s), so a server
// with a few GB of journal spends seconds to a minute per erasure inside the
// push's write transaction. Erasures are rare (a municipality's decision, a
// few a day at most); an index child → journal keys is the fix when they are
// not.

// erasedChild is the child an applied command erased, or "".
func erasedChild(cmd app.Command) string {
	if e, ok := cmd.(*app.EraseChild); ok {
		return e.Child
	}
	return ""
}

// mayName is the quick test that a decoded journal value or op payload names
// child at all: its id as a JSON string.
func mayName(b []byte, child string) bool {
	return bytes.Contains(b, appendJSONString(nil, child))
}

// scrubJournal rewrites every journal batch holding an op whose payload names
// child (app.ScrubPayload), keeping its node, time, ops' seqs, types and
// results; a scrubbed op's rejection loses its Message and Detail there and
// in the stored results, as a compacted one does (a refusal may quote what
// the op sent: «Неверный СНИЛС «…»»). It returns how many batches it rewrote.
func scrubJournal(tx *bbolt.Tx, child string) (int, error) {
	jb := tx.Bucket(bucketJournal)
	type rewrite struct{ k, v []byte }
	var out []rewrite
	c := jb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		v, err := openv(tx, bucketJournal, k, v)
		if err != nil {
			return 0, err
		}
		plain, err := decompressJournal(v)
		if err != nil {
			return 0, fmt.Errorf("store: journal %x: %w", k, err)
		}
		if !mayName(plain, child) {
			continue
		}
		nv, err := scrubBatch(tx, k, plain, func(typ string, p []byte) ([]byte, bool) {
			return app.ScrubPayload(typ, p, child)
		})
		if err != nil {
			return 0, err
		}
		if nv != nil {
			out = append(out, rewrite{bytes.Clone(k), nv})
		}
	}
	// A bucket is not written while a cursor walks it.
	for _, r := range out {
		if err := putv(tx, jb, bucketJournal, r.k, r.v); err != nil {
			return 0, fmt.Errorf("store: journal %x: %w", r.k, err)
		}
	}
	return len(out), nil
}

// scrubBatch applies scrub to the op payloads of the decoded journal value
// plain (key k) and returns the value to store, or nil when scrub changed
// nothing. A scrubbed op keeps its seq, HLC, type and result; its rejection
// loses its Message and Detail, in the batch and in the stored results (a
// refusal may quote what the op sent). A payload that was stored as Raw (not
// JSON) is offered to scrub too; a scrubbed one is stored as JSON or not at
// all.
func scrubBatch(tx *bbolt.Tx, k, plain []byte, scrub func(opType string, payload []byte) ([]byte, bool)) ([]byte, error) {
	var e journalEntry
	if err := decode(plain, &e); err != nil {
		return nil, fmt.Errorf("store: journal %x: %w", k, err)
	}
	var seqs []uint64 // the scrubbed ops
	if e.Ops == nil { // the form before batches
		p := []byte(e.Payload)
		if len(p) == 0 {
			p = e.Raw
		}
		if p, ok := scrub(e.Type, p); ok {
			e.Payload, e.Raw, seqs = p, nil, append(seqs, e.Seq)
			e.Result.Message, e.Result.Detail = "", ""
		}
	}
	for i := range e.Ops {
		o := &e.Ops[i]
		p := []byte(o.Payload)
		if len(p) == 0 {
			p = o.Raw
		}
		if p, ok := scrub(o.Type, p); ok {
			o.Payload, o.Raw, seqs = p, nil, append(seqs, o.Seq)
		}
	}
	if len(seqs) == 0 {
		return nil, nil
	}
	for i, r := range e.Results {
		if slices.Contains(seqs, r.Seq) {
			e.Results[i].Message, e.Results[i].Detail = "", ""
		}
	}
	rb := tx.Bucket(bucketResults)
	for _, seq := range seqs {
		k := resultKey(e.Node, seq)
		v, err := getv(tx, bucketResults, k)
		if err != nil {
			return nil, err
		}
		if v != nil {
			var r Result
			if err := decode(v, &r); err != nil {
				return nil, fmt.Errorf("store: result %s/%d: %w", e.Node, seq, err)
			}
			if r.Message == "" && r.Detail == "" {
				continue
			}
			if err := putv(tx, rb, bucketResults, k, encodeResult(Result{Seq: r.Seq, Status: r.Status, Code: r.Code})); err != nil {
				return nil, fmt.Errorf("store: result %s/%d: %w", e.Node, seq, err)
			}
		}
	}
	if e.Ops == nil {
		return encode(e)
	}
	nv, err := compressJournalOps(e.Node, e.Ops, e.Time)
	if err != nil {
		return nil, err
	}
	return compressJournalEnd(nv, e.Results)
}

// scrubOutbox rewrites the outbox ops up to seq through whose payloads name
// child, and drops the Message and Detail of their stored results; it
// returns how many it rewrote.
func scrubOutbox(tx *bbolt.Tx, child string, through uint64) (int, error) {
	ob := tx.Bucket(bucketOutbox)
	type rewrite struct{ k, v []byte }
	var out []rewrite
	personal := app.PersonalOps()
	c := ob.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		v, err := openv(tx, bucketOutbox, k, v)
		if err != nil {
			return 0, err
		}
		op, err := decodeOp(v)
		if err != nil {
			return 0, fmt.Errorf("store: outbox %x: %w", k, err)
		}
		if op.Seq > through {
			break
		}
		if !slices.Contains(personal, op.Type) || !mayName(op.Payload, child) {
			continue
		}
		p, ok := app.ScrubPayload(op.Type, op.Payload, child)
		if !ok {
			continue
		}
		op.Payload = p
		nv, err := encodeOp(op)
		if err != nil {
			return 0, err
		}
		if r, ok, err := opResultAt(tx, op.Seq); err != nil {
			return 0, err
		} else if ok && (r.Message != "" || r.Detail != "") {
			if err := putOpResult(tx, Result{Seq: r.Seq, Status: r.Status, Code: r.Code}); err != nil {
				return 0, err
			}
		}
		out = append(out, rewrite{bytes.Clone(k), nv})
	}
	for _, r := range out {
		if err := putv(tx, ob, bucketOutbox, r.k, r.v); err != nil {
			return 0, fmt.Errorf("store: outbox %x: %w", r.k, err)
		}
	}
	return len(out), nil
}

// scrubAfterExec is what a database's own applied erase_child scrubs: on the
// server the journal and its whole outbox (every op of its own is applied),
// on a node the acked part of its outbox.
func scrubAfterExec(tx *bbolt.Tx, authority bool, child string) error {
	through := uint64(math.MaxUint64)
	if authority {
		if _, err := scrubJournal(tx, child); err != nil {
			return err
		}
	} else {
		through = metaU64(tx.Bucket(bucketMeta), metaSyncAcked)
	}
	_, err := scrubOutbox(tx, child, through)
	return err
}

// scrubPulled scrubs the acked outbox ops of every erased child a pull page
// brings.
func scrubPulled(tx *bbolt.Tx, changes []Change) error {
	through := metaU64(tx.Bucket(bucketMeta), metaSyncAcked)
	for _, c := range changes {
		if c.Kind != app.KindChild || c.Value == nil {
			continue
		}
		var ch app.Child
		if err := decode(c.Value, &ch); err != nil {
			return fmt.Errorf("store: pulled child %s: %w", c.ID, err)
		}
		if ch.Erased.IsZero() {
			continue
		}
		if _, err := scrubOutbox(tx, ch.ID, through); err != nil {
			return err
		}
	}
	return nil
}
