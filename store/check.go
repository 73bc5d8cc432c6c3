package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// maxBreaches bounds the report of a badly broken database.
const maxBreaches = 1000

// breaches collects the report of Check.
type breaches struct {
	lines []string
	more  int
}

func (b *breaches) add(format string, args ...any) {
	if len(b.lines) >= maxBreaches {
		b.more++
		return
	}
	b.lines = append(b.lines, fmt.Sprintf(format, args...))
}

// Check verifies the database and returns one line per breach (nil when it is
// sound): bbolt's own page checks; the schema version; every record decodes,
// is of its kind and id, and has each of its index entries; every index entry
// belongs to an existing record that lists it; the outbox holds seqs 1..N up
// to the bucket's sequence, each a decodable op whose payload, for op types
// this binary knows, decodes to its command; serials are 8 bytes; there is no
// bucket that schema.go does not describe. Then the
// lines of domain(r), if domain is not nil, against the same snapshot.
//
// Check runs in a write transaction that it rolls back, because bbolt's page
// check is safe beside other writers only there; writers wait until it ends.
func (db *DB) Check(domain func(r app.Reader) []string) []string {
	var out breaches
	tx, err := db.bolt.Begin(true)
	if err != nil {
		return []string{fmt.Sprintf("не удалось начать транзакцию (cannot begin transaction): %v", err)}
	}
	defer func() { _ = tx.Rollback() }()

	for err := range tx.Check() {
		out.add("bbolt: %v", err)
	}
	checkMeta(tx, &out)
	checkBuckets(tx, &out)
	checkRecords(tx, &out)
	checkOutbox(tx, &out)
	checkSerials(tx, &out)
	if domain != nil {
		for _, l := range domain(txView{tx}) {
			out.add("%s", l)
		}
	}
	if out.more > 0 {
		out.lines = append(out.lines, fmt.Sprintf("… и ещё %d нарушений (and %d more breaches)", out.more, out.more))
	}
	return out.lines
}

func checkMeta(tx *bbolt.Tx, out *breaches) {
	v, err := schemaVersion(tx)
	if err != nil {
		out.add("meta: %v", err)
	} else if v != currentVersion {
		out.add("meta: версия схемы %d, ожидается %d (schema_version %d, want %d)", v, currentVersion, v, currentVersion)
	}
	if meta := tx.Bucket(bucketMeta); meta != nil && len(meta.Get(metaNode)) == 0 {
		out.add("meta: нет идентификатора узла (no node id)")
	}
}

// checkRecords checks records against the indexes in both directions: the
// entries every record lists are collected and then matched with every
// entry of every index bucket.
func checkRecords(tx *bbolt.Tx, out *breaches) {
	want := map[string]map[string]bool{} // index bucket → entry key → seen
	for _, kind := range app.Kinds {
		b := tx.Bucket(recBucket(kind))
		if b == nil {
			out.add("%s%s: нет корзины (bucket missing)", recPrefix, kind)
			continue
		}
		_ = b.ForEach(func(k, v []byte) error {
			id := string(k)
			rec, err := decodeRecord(kind, v)
			if err != nil {
				out.add("%s/%s: не читается (undecodable): %v", kind, id, err)
				return nil
			}
			if rec.Kind() != kind || rec.RecordID() != id {
				out.add("%s/%s: запись %s/%s лежит не под своим ключом (record stored under a wrong key)",
					kind, id, rec.Kind(), rec.RecordID())
			}
			if err := checkIndexes(rec.Indexes()); err != nil {
				out.add("%s/%s: %v", kind, id, err)
				return nil
			}
			for _, x := range rec.Indexes() {
				name := string(idxBucket(kind, x.Name))
				key := string(idxKey(x.Key, id))
				if want[name] == nil {
					want[name] = map[string]bool{}
				}
				want[name][key] = false
			}
			return nil
		})
	}
	_ = tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
		n := string(name)
		rest, ok := strings.CutPrefix(n, idxPrefix)
		if !ok {
			return nil
		}
		kind, _, _ := strings.Cut(rest, "/")
		if _, known := recordTypes[app.Kind(kind)]; !known {
			return nil // checkBuckets reports it
		}
		recs := tx.Bucket(recBucket(app.Kind(kind)))
		return b.ForEach(func(k, v []byte) error {
			i := bytes.IndexByte(k, idxSep)
			if i < 0 {
				out.add("%s: ключ %q без разделителя 0x00 (key without 0x00)", n, k)
				return nil
			}
			id := k[i+1:]
			switch {
			case v == nil:
				out.add("%s: ключ %q — вложенная корзина (nested bucket)", n, k)
			case len(v) != 0:
				out.add("%s: ключ %q с непустым значением (non-empty value)", n, k)
			}
			if _, listed := want[n][string(k)]; listed {
				want[n][string(k)] = true
			} else if recs == nil || recs.Get(id) == nil {
				out.add("%s: ключ %q указывает на несуществующую запись %s/%s (entry of a missing record)",
					n, k[:i], kind, id)
			} else {
				out.add("%s: ключ %q не входит в индексы записи %s/%s (entry the record does not list)",
					n, k[:i], kind, id)
			}
			return nil
		})
	})
	var missing []string
	for name, keys := range want {
		kind := strings.SplitN(strings.TrimPrefix(name, idxPrefix), "/", 2)[0]
		for k, seen := range keys {
			if !seen {
				key, id, _ := strings.Cut(k, "\x00")
				missing = append(missing, fmt.Sprintf("%s/%s: нет записи индекса %s = %q (index entry missing)",
					kind, id, name, key))
			}
		}
	}
	sort.Strings(missing)
	for _, l := range missing {
		out.add("%s", l)
	}
}

// checkBuckets reports top-level buckets that schema.go does not describe.
func checkBuckets(tx *bbolt.Tx, out *breaches) {
	_ = tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
		if !knownBucket(string(name)) {
			out.add("%s: корзина не из схемы (bucket not in the schema)", name)
		}
		return nil
	})
}

func checkOutbox(tx *bbolt.Tx, out *breaches) {
	b := tx.Bucket(bucketOutbox)
	if b == nil {
		out.add("outbox: нет корзины (bucket missing)")
		return
	}
	var next uint64 = 1
	_ = b.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			out.add("outbox: ключ %x не 8 байт (key is not 8 bytes)", k)
			return nil
		}
		seq := binary.BigEndian.Uint64(k)
		if seq != next {
			out.add("outbox: пропуск seq %d…%d (gap)", next, seq-1)
		}
		next = seq + 1
		op, err := decodeOp(v)
		if err != nil {
			out.add("outbox %d: не читается (undecodable): %v", seq, err)
			return nil
		}
		if op.Seq != seq {
			out.add("outbox %d: операция с seq %d (op has seq %d)", seq, op.Seq, op.Seq)
		}
		if op.Node == "" {
			out.add("outbox %d: операция без узла (op without node)", seq)
		}
		if !json.Valid(op.Payload) {
			out.add("outbox %d: данные не JSON (payload is not JSON)", seq)
		} else if _, known := app.NewCommand(op.Type); known {
			if _, err := DecodeCommand(op.Type, op.Payload); err != nil {
				out.add("outbox %d: %v", seq, err)
			}
		}
		return nil
	})
	if last := next - 1; last != b.Sequence() {
		out.add("outbox: последний seq %d, а счётчик корзины %d (last seq %d, bucket sequence %d)",
			last, b.Sequence(), last, b.Sequence())
	}
}

func checkSerials(tx *bbolt.Tx, out *breaches) {
	b := tx.Bucket(bucketSerial)
	if b == nil {
		out.add("serial: нет корзины (bucket missing)")
		return
	}
	_ = b.ForEach(func(k, v []byte) error {
		if len(v) != 8 {
			out.add("serial %q: значение не 8 байт (value is not 8 bytes)", k)
		}
		return nil
	})
}
