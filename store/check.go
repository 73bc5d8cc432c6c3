package store

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
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
// this binary knows, decodes to its command (on a node trimmed by TrimOutbox
// the outbox begins right above meta's outbox_trimmed, at most acked); serials are 8
// bytes; there is no bucket that schema.go does not describe; the epoch is 32
// hex digits. On an authority: every record ever written has exactly one
// change-feed entry that its chseq entry points to, with an audience union
// holding the record's audience; each node's results are exactly its seqs
// 1..acked; there is no undo log and no own-op result. On a node: no feed,
// acked within the outbox, pre-images that decode as their records, op
// results of own ops only and a right count of rejected ones. Then the
// lines of domain(r), if domain is not nil, against the same snapshot
// (app.Check on an authority, app.CheckNode on a node).
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
	if _, authority := readScope(tx.Bucket(bucketMeta)); authority {
		checkFeed(tx, &out)
		checkDigests(tx, &out)
		checkResults(tx, &out)
		checkEmpty(tx, &out, "на сервере (on an authority database)", bucketOpResults)
		for _, k := range app.Kinds {
			checkEmpty(tx, &out, "на сервере (on an authority database)", baseBucket(k))
		}
	} else {
		checkNodeSync(tx, &out)
		checkEmpty(tx, &out, "на узле (on a node database)", bucketChanges, bucketAcked, bucketResults, bucketDigest)
		for _, k := range app.Kinds {
			checkEmpty(tx, &out, "на узле (on a node database)", chseqBucket(k), audBucket(k))
		}
	}
	if domain != nil {
		for _, l := range domain(readView(tx)) {
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
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return
	}
	if len(meta.Get(metaNode)) == 0 {
		out.add("meta: нет идентификатора узла (no node id)")
	}
	if e, err := hex.DecodeString(string(meta.Get(metaEpoch))); err != nil || len(e) != 16 {
		out.add("meta: эпоха %q не 32 шестнадцатеричные цифры (epoch is not 32 hex digits)", meta.Get(metaEpoch))
	}
	for _, k := range [][]byte{metaSyncCursor, metaSyncAcked, metaSyncRejected, metaSyncLast, metaOutboxTrimmed, metaJournalScrubbed} {
		if v := meta.Get(k); v != nil && len(v) != 8 {
			out.add("meta: %s не 8 байт (%s is not 8 bytes)", k, k)
		}
	}
	if v, err := getv(tx, bucketMeta, metaSyncConfig); err != nil {
		out.add("meta: sync_config не читается (undecodable): %v", err)
	} else if v != nil {
		var c SyncConfig
		if err := decode(v, &c); err != nil {
			out.add("meta: sync_config не читается (undecodable): %v", err)
		}
	}
	sealed := sealerOf(tx) != nil
	if sealed != (meta.Get(metaSealCheck) != nil) || meta.Get(metaSealPending) != nil {
		out.add("meta: состояние шифрования не завершено или не совпадает с ключом (seal state incomplete or unlike the key)")
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
			v, err := openv(tx, recBucket(kind), k, v)
			if err != nil {
				out.add("%s/%s: не читается (undecodable): %v", kind, id, err)
				return nil
			}
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
				if want[name] == nil {
					want[name] = map[string]bool{}
				}
				for _, key := range indexKeys(tx, kind, x, id) {
					want[name][string(key)] = false
				}
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
	// A node drops old ops the server has answered (TrimOutbox): its outbox
	// then begins right above meta's outbox_trimmed, which is never above
	// acked.
	meta := tx.Bucket(bucketMeta)
	_, authority := readScope(meta)
	acked := metaU64(meta, metaSyncAcked)
	switch trimmed := metaU64(meta, metaOutboxTrimmed); {
	case trimmed == 0:
	case authority:
		out.add("meta: outbox_trimmed %d у базы сервера (outbox trimmed on an authority)", trimmed)
	case trimmed > acked:
		out.add("meta: outbox обрезан до %d, а подтверждено до %d (outbox trimmed above acked)", trimmed, acked)
	default:
		next = trimmed + 1
	}
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
		v, err := openv(tx, bucketOutbox, k, v)
		if err != nil {
			out.add("outbox %d: не читается (undecodable): %v", seq, err)
			return nil
		}
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

// checkEmpty reports entries in buckets that this kind of database never fills.
func checkEmpty(tx *bbolt.Tx, out *breaches, where string, names ...[]byte) {
	for _, n := range names {
		b := tx.Bucket(n)
		if b == nil {
			out.add("%s: нет корзины (bucket missing)", n)
			continue
		}
		if k, _ := b.Cursor().First(); k != nil {
			out.add("%s: записи %s, например %q (entries where there must be none)", n, where, k)
		}
	}
}

// checkFeed checks the change feed of an authority database: every changes
// entry names a known record kind and is the one its chseq entry points to,
// every chseq entry has its changes entry and an audience union, every stored
// record has a feed entry, and the union holds the record's audience now.
func checkFeed(tx *bbolt.Tx, out *breaches) {
	changes := tx.Bucket(bucketChanges)
	if changes == nil {
		out.add("changes: нет корзины (bucket missing)")
		return
	}
	feed := map[string]uint64{} // kind 0x00 id → seq
	var last uint64
	_ = changes.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			out.add("changes: ключ %x не 8 байт (key is not 8 bytes)", k)
			return nil
		}
		seq := binary.BigEndian.Uint64(k)
		last = seq
		kind, _, ok := bytes.Cut(v, []byte{idxSep})
		if _, known := recordTypes[app.Kind(kind)]; !ok || !known {
			out.add("changes %d: %q не «вид 0x00 id» (not kind 0x00 id)", seq, v)
			return nil
		}
		if prev, dup := feed[string(v)]; dup {
			out.add("changes %d: второе изменение записи %q после %d (two feed entries for one record)", seq, v, prev)
		}
		feed[string(v)] = seq
		return nil
	})
	if last > changes.Sequence() {
		out.add("changes: seq %d выше счётчика корзины %d (seq above the bucket sequence)", last, changes.Sequence())
	}
	pointed := 0
	for _, kind := range app.Kinds {
		chseq, aud, recs := tx.Bucket(chseqBucket(kind)), tx.Bucket(audBucket(kind)), tx.Bucket(recBucket(kind))
		if chseq == nil || aud == nil || recs == nil {
			out.add("%s%s/%s%s: нет корзины (bucket missing)", chseqPrefix, kind, audPrefix, kind)
			continue
		}
		_ = chseq.ForEach(func(k, v []byte) error {
			pointed++
			key := changeValue(kind, string(k))
			if len(v) != 8 {
				out.add("%s%s/%s: значение не 8 байт (value is not 8 bytes)", chseqPrefix, kind, k)
			} else if seq, ok := feed[string(key)]; !ok || seq != binary.BigEndian.Uint64(v) {
				out.add("%s/%s: изменение %d не в ленте, там %d (feed entry missing or stale)",
					kind, k, binary.BigEndian.Uint64(v), seq)
			}
			if aud.Get(k) == nil {
				out.add("%s/%s: нет множества получателей (no audience union)", kind, k)
			}
			return nil
		})
		_ = aud.ForEach(func(k, v []byte) error {
			var union []string
			if err := json.Unmarshal(v, &union); err != nil {
				out.add("%s%s/%s: не читается (undecodable): %v", audPrefix, kind, k, err)
				return nil
			}
			if chseq.Get(k) == nil {
				out.add("%s%s/%s: получатели записи, которой нет в ленте (audience of a record not in the feed)", audPrefix, kind, k)
			}
			return nil
		})
		_ = recs.ForEach(func(k, v []byte) error {
			if chseq.Get(k) == nil {
				out.add("%s/%s: запись не в ленте изменений (record not in the change feed)", kind, k)
				return nil
			}
			rec, err := decodeValue(kind, v)
			if err != nil {
				return nil // checkRecords reports it
			}
			raw := aud.Get(k)
			for _, s := range app.Audience(rec) {
				if ok, err := audienceHas(raw, s); err == nil && !ok {
					out.add("%s/%s: получатель %s не в множестве получателей (audience not in the union)", kind, k, s)
				}
			}
			return nil
		})
	}
	if pointed != len(feed) {
		out.add("changes: %d изменений, а ссылок на них %d (feed entries without their record's pointer)", len(feed), pointed)
	}
}

// checkResults checks the op results and the journal of the nodes' ops:
// results keyed node 0x00 seq, each a decodable result of its seq with a
// known status at or below its node's acked seq; a journal of decodable
// entries, numbered without gaps, that holds each node's ops 1..acked once,
// in order.
func checkResults(tx *bbolt.Tx, out *breaches) {
	acked := map[string]uint64{}
	_ = tx.Bucket(bucketAcked).ForEach(func(k, v []byte) error {
		if len(v) != 8 {
			out.add("acked %q: значение не 8 байт (value is not 8 bytes)", k)
			return nil
		}
		acked[string(k)] = binary.BigEndian.Uint64(v)
		return nil
	})
	_ = tx.Bucket(bucketResults).ForEach(func(k, v []byte) error {
		i := bytes.IndexByte(k, idxSep)
		if i < 0 || len(k)-i-1 != 8 {
			out.add("results: ключ %q не «узел 0x00 seq» (key is not node 0x00 seq)", k)
			return nil
		}
		node, seq := string(k[:i]), binary.BigEndian.Uint64(k[i+1:])
		var r Result
		v, err := openv(tx, bucketResults, k, v)
		if err == nil {
			err = decode(v, &r)
		}
		if err != nil {
			out.add("results %s/%d: не читается (undecodable): %v", node, seq, err)
			return nil
		}
		if r.Seq != seq || (r.Status != StatusApplied && r.Status != StatusRejected) {
			out.add("results %s/%d: результат seq %d со статусом %q (result of another seq or status)", node, seq, r.Seq, r.Status)
		}
		if seq > acked[node] {
			out.add("results %s/%d: выше подтверждённого %d (above acked)", node, seq, acked[node])
		}
		return nil
	})
	jb := tx.Bucket(bucketJournal)
	last := map[string]uint64{} // the last seq of each node in the journal
	next := uint64(1)           // the number the next journal entry must have
	_ = jb.ForEach(func(k, v []byte) error {
		v, err := openv(tx, bucketJournal, k, v)
		if err != nil {
			out.add("journal %x: не читается (undecodable): %v", k, err)
			return nil
		}
		es, err := journalOps(v)
		if err != nil || len(k) != 8 {
			out.add("journal %x: не читается (undecodable): %v", k, err)
			return nil
		}
		if n := binary.BigEndian.Uint64(k); n != next {
			out.add("journal %d: ожидался номер %d (entries out of number)", n, next)
		}
		next = binary.BigEndian.Uint64(k) + uint64(len(es))
		for _, e := range es {
			node := e.Op.Node
			if e.Op.Seq != last[node]+1 {
				out.add("journal: операция %d узла %s после %d (ops of a node not in order)", e.Op.Seq, node, last[node])
			}
			last[node] = e.Op.Seq
		}
		return nil
	})
	if s := metaU64(tx.Bucket(bucketMeta), metaJournalScrubbed); s > jb.Sequence() {
		out.add("journal: очищено до %d, а последний номер %d (scrubbed past the end)", s, jb.Sequence())
	}
	if next-1 != jb.Sequence() {
		out.add("journal: последний номер %d, счётчик %d (sequence behind the entries)", next-1, jb.Sequence())
	}
	for node, a := range acked {
		if last[node] != a {
			out.add("journal %s: последняя операция %d при подтверждённом seq %d (journal and acked differ)", node, last[node], a)
		}
	}
	for node, l := range last {
		if _, ok := acked[node]; !ok {
			out.add("journal %s: операции до %d у узла без подтверждения (ops of a node with no acked seq)", node, l)
		}
	}
}

// checkNodeSync checks a node's sync state: acked within the outbox, the
// undo log's pre-images decodable as their records, and the op results.
func checkNodeSync(tx *bbolt.Tx, out *breaches) {
	meta := tx.Bucket(bucketMeta)
	last := lastOutboxSeq(tx)
	acked := metaU64(meta, metaSyncAcked)
	if acked > last {
		out.add("meta: подтверждено до %d, а последняя операция %d (acked above the last op)", acked, last)
	}
	for _, kind := range app.Kinds {
		b := tx.Bucket(baseBucket(kind))
		if b == nil {
			out.add("%s%s: нет корзины (bucket missing)", basePrefix, kind)
			continue
		}
		_ = b.ForEach(func(k, v []byte) error {
			v, err := openv(tx, baseBucket(kind), k, v)
			if err != nil {
				out.add("%s%s/%s: не читается (undecodable): %v", basePrefix, kind, k, err)
				return nil
			}
			if len(v) == 0 {
				return nil
			}
			rec, err := decodeRecord(kind, v)
			if err != nil {
				out.add("%s%s/%s: не читается (undecodable): %v", basePrefix, kind, k, err)
			} else if rec.RecordID() != string(k) {
				out.add("%s%s/%s: прообраз записи %s (pre-image of another record)", basePrefix, kind, k, rec.RecordID())
			}
			return nil
		})
	}
	var rejected uint64
	_ = tx.Bucket(bucketOpResults).ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			out.add("opresults: ключ %x не 8 байт (key is not 8 bytes)", k)
			return nil
		}
		seq := binary.BigEndian.Uint64(k)
		var r Result
		v, err := openv(tx, bucketOpResults, k, v)
		if err == nil {
			err = decode(v, &r)
		}
		if err != nil {
			out.add("opresults %d: не читается (undecodable): %v", seq, err)
			return nil
		}
		switch {
		case r.Seq != seq:
			out.add("opresults %d: результат seq %d (result of another seq)", seq, r.Seq)
		case seq > last:
			out.add("opresults %d: операции нет в outbox (no such op)", seq)
		case r.Status == StatusPending && seq <= acked:
			out.add("opresults %d: пометка «ожидает» у подтверждённой операции (pending note on an acked op)", seq)
		case r.Status != StatusApplied && r.Status != StatusRejected && r.Status != StatusPending:
			out.add("opresults %d: неизвестный статус %q (unknown status)", seq, r.Status)
		}
		if r.Status == StatusRejected {
			rejected++
		}
		return nil
	})
	if n := metaU64(meta, metaSyncRejected); n != rejected {
		out.add("meta: счётчик отклонённых %d, а их %d (rejected counter is wrong)", n, rejected)
	}
}
