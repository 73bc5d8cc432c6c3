package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// Change is one record in a pull page: its current stored bytes (the
// plaintext codec form, also in a sealed database: the node seals it with its
// own key), or Value nil when the record is gone from the scope (deleted, or
// no longer visible to it).
type Change struct {
	Kind  app.Kind
	ID    string
	Value []byte
}

// Page is one answer to a pull: the changes after the cursor, the cursor to
// ask from next, and whether more changes remain. Epoch is the authority's
// epoch the seqs belong to.
type Page struct {
	Epoch   string
	Changes []Change
	Next    uint64
	More    bool
	// Digest is the scope's digest (Digest) on the last page (More false),
	// computed in the same read transaction as the page, so a write landing
	// between them cannot make a converged node look diverged.
	Digest string
}

// DefaultPageBytes is the page size Pull uses when it is given none.
const DefaultPageBytes = 4 << 20

// pageExamine bounds the feed entries one page looks at, so that a scope that
// sees little of a long feed gets pages in bounded time; such a page may hold
// no change at all and still say More. A variable for the tests.
var pageExamine = 50_000

// changeSize is what a change counts against maxBytes: its value and its name.
func changeSize(c Change) int { return len(c.Kind) + len(c.ID) + len(c.Value) }

// Pull returns the page of the change feed after cursor that a node of scope
// receives: each changed record the scope sees (app.Visible) with its current
// bytes, and a removal (Value nil) for each changed record the scope saw once
// (it was in the record's audience union) but does not see now. Records the
// scope never saw are skipped. A page stops before the change that would take
// its size (kind + id + value bytes of every change) above maxBytes, but holds
// at least one change; maxBytes ≤ 0 means DefaultPageBytes. Next is the last
// feed seq the page examined; More says whether entries remain after it.
// Errors: EINVALID for a malformed scope or a database that is not an
// authority (a node keeps no feed).
func (db *DB) Pull(scope string, cursor uint64, maxBytes int) (Page, error) {
	if !validScope(scope) {
		return Page{}, app.Errorf(app.EINVALID, "Неверная область узла «%s»", scope)
	}
	if maxBytes <= 0 {
		maxBytes = DefaultPageBytes
	}
	p := Page{Next: cursor}
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if _, authority := readScope(meta); !authority {
			return app.Errorf(app.EINVALID, "База узла не раздаёт изменения: она не является сервером")
		}
		p.Epoch = string(meta.Get(metaEpoch))
		if cursor == ^uint64(0) {
			return nil
		}
		size, examined := 0, 0
		c := tx.Bucket(bucketChanges).Cursor()
		for k, v := c.Seek(u64(cursor + 1)); k != nil; k, v = c.Next() {
			if examined >= pageExamine {
				p.More = true
				return nil
			}
			examined++
			if len(k) != 8 {
				return fmt.Errorf("store: changes: key %x is not 8 bytes", k)
			}
			seq := binary.BigEndian.Uint64(k)
			ch, ok, err := changeFor(tx, scope, v)
			if err != nil {
				return fmt.Errorf("store: changes %d: %w", seq, err)
			}
			if ok {
				if len(p.Changes) > 0 && size+changeSize(ch) > maxBytes {
					p.More = true
					return nil
				}
				size += changeSize(ch)
				p.Changes = append(p.Changes, ch)
			}
			p.Next = seq
		}
		var err error
		p.Digest, err = digestTx(tx, scope)
		return err
	})
	if err != nil {
		return Page{}, err
	}
	return p, nil
}

// changeFor turns one feed entry (kind 0x00 id) into the change scope
// receives, or false when the scope never saw the record.
func changeFor(tx *bbolt.Tx, scope string, entry []byte) (Change, bool, error) {
	i := bytes.IndexByte(entry, idxSep)
	if i < 0 {
		return Change{}, false, fmt.Errorf("entry %q without 0x00", entry)
	}
	kind, id := app.Kind(entry[:i]), string(entry[i+1:])
	if _, known := recordTypes[kind]; !known {
		return Change{}, false, nil // a kind this binary no longer has
	}
	if scope != app.ScopeRegion {
		aud := tx.Bucket(audBucket(kind)).Get([]byte(id))
		seen, err := audienceHas(aud, app.AudienceAll)
		if err == nil && !seen {
			seen, err = audienceHas(aud, scope)
		}
		if err != nil {
			return Change{}, false, fmt.Errorf("%s%s/%s: %w", audPrefix, kind, id, err)
		}
		if !seen {
			return Change{}, false, nil
		}
	}
	ch := Change{Kind: kind, ID: id}
	v, err := getv(tx, recBucket(kind), []byte(id))
	if err != nil {
		return Change{}, false, fmt.Errorf("%s/%s: %w", kind, id, err)
	}
	if v == nil {
		return ch, true, nil
	}
	if scope != app.ScopeRegion {
		rec, err := decodeValue(kind, v)
		if err != nil {
			return Change{}, false, fmt.Errorf("%s/%s: %w", kind, id, err)
		}
		if !app.Visible(rec, scope) {
			return ch, true, nil
		}
		if v, err = scopedValue(rec, scope, v); err != nil {
			return Change{}, false, fmt.Errorf("%s/%s: %w", kind, id, err)
		}
	}
	ch.Value = bytes.Clone(v)
	return ch, true, nil
}

// scopedValue is the stored form v of rec as scope may hold it
// (app.ForScope): v itself, or the encoding of what is left of rec.
func scopedValue(rec app.Record, scope string, v []byte) ([]byte, error) {
	if r, changed := app.ForScope(rec, scope); changed {
		return encode(r)
	}
	return v, nil
}

// decodeValue decodes the stored form of a record of kind into a record value,
// not a pointer: app.Audience and app.Visible switch on the value types.
func decodeValue(kind app.Kind, b []byte) (app.Record, error) {
	rec, err := decodeRecord(kind, b)
	if err != nil {
		return nil, err
	}
	return reflect.ValueOf(rec).Elem().Interface().(app.Record), nil
}

// feedRecord records a change of kind/id in the feed: its old entry goes, a
// new one takes the next seq, and rec's audience (rec nil: a delete) joins the
// union of audiences the record ever had.
func feedRecord(tx *bbolt.Tx, kind app.Kind, id string, rec app.Record) error {
	changes, chseq := tx.Bucket(bucketChanges), tx.Bucket(chseqBucket(kind))
	if changes == nil || chseq == nil {
		return fmt.Errorf("store: no feed buckets for kind %q", kind)
	}
	key := []byte(id)
	if old := chseq.Get(key); old != nil {
		if len(old) != 8 {
			return fmt.Errorf("store: %s%s/%s is %d bytes, want 8", chseqPrefix, kind, id, len(old))
		}
		if err := changes.Delete(bytes.Clone(old)); err != nil {
			return fmt.Errorf("store: feed %s/%s: %w", kind, id, err)
		}
	}
	seq, err := changes.NextSequence()
	if err != nil {
		return fmt.Errorf("store: feed sequence: %w", err)
	}
	sk := u64(seq)
	if err := changes.Put(sk, changeValue(kind, id)); err != nil {
		return fmt.Errorf("store: feed %s/%s: %w", kind, id, err)
	}
	if err := chseq.Put(key, sk); err != nil {
		return fmt.Errorf("store: feed %s/%s: %w", kind, id, err)
	}
	var aud []string
	if rec != nil {
		aud = app.Audience(rec)
	}
	return widenAudience(tx, kind, id, aud)
}

// widenAudience adds aud to the stored audience union of kind/id.
func widenAudience(tx *bbolt.Tx, kind app.Kind, id string, aud []string) error {
	b := tx.Bucket(audBucket(kind))
	if b == nil {
		return fmt.Errorf("store: no bucket %s%s", audPrefix, kind)
	}
	cur := b.Get([]byte(id))
	if cur != nil {
		known := true
		for _, s := range aud {
			if ok, err := audienceHas(cur, s); err != nil {
				return fmt.Errorf("store: %s%s/%s: %w", audPrefix, kind, id, err)
			} else if !ok {
				known = false
				break
			}
		}
		if known {
			return nil // the hot path: the record's audience has not grown
		}
	}
	var union []string
	if cur != nil {
		if err := json.Unmarshal(cur, &union); err != nil {
			return fmt.Errorf("store: %s%s/%s: %w", audPrefix, kind, id, err)
		}
	}
	union = append(union, aud...)
	slices.Sort(union)
	union = slices.Compact(union)
	if union == nil {
		union = []string{}
	}
	data, err := json.Marshal(union)
	if err != nil {
		return err
	}
	return b.Put([]byte(id), data)
}

// audienceHas reports whether the stored audience union (JSON []string; nil
// is empty) holds s. A scope of plain characters is found without decoding.
func audienceHas(raw []byte, s string) (bool, error) {
	if raw == nil {
		return false, nil
	}
	if plainJSON(s) {
		q := make([]byte, 0, len(s)+2)
		q = append(append(append(q, '"'), s...), '"')
		return bytes.Contains(raw, q), nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return false, err
	}
	return slices.Contains(list, s), nil
}

// plainJSON reports whether s is encoded by encoding/json as itself in quotes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// rebuildFeed makes the feed anew from the records: one entry per record, in
// app.Kinds order then id order, each with its audience, under a new epoch
// (the seqs start again, so no node's cursor may carry over).
func rebuildFeed(tx *bbolt.Tx) error {
	if err := clearFeed(tx); err != nil {
		return err
	}
	err := eachRecord(tx, func(kind app.Kind, k, _ []byte, rec app.Record) error {
		return feedRecord(tx, kind, string(k), rec)
	})
	if err != nil {
		return fmt.Errorf("store: build the change feed: %w", err)
	}
	if err := rebuildDigests(tx); err != nil {
		return err
	}
	return putNewEpoch(tx.Bucket(bucketMeta))
}

// clearFeed empties the changes, chseq, aud and digest buckets.
func clearFeed(tx *bbolt.Tx) error {
	names := [][]byte{bucketChanges, bucketDigest}
	for _, k := range app.Kinds {
		names = append(names, chseqBucket(k), audBucket(k))
	}
	return recreateBuckets(tx, names...)
}

// recreateBuckets empties each named bucket (its sequence too) by deleting and
// making it again; a missing bucket is made.
func recreateBuckets(tx *bbolt.Tx, names ...[]byte) error {
	for _, n := range names {
		if tx.Bucket(n) != nil {
			if err := tx.DeleteBucket(n); err != nil {
				return fmt.Errorf("store: empty bucket %s: %w", n, err)
			}
		}
		if _, err := tx.CreateBucket(n); err != nil {
			return fmt.Errorf("store: empty bucket %s: %w", n, err)
		}
	}
	return nil
}
