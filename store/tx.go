package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// txView is the app.Tx of one bbolt transaction. Everything it hands out is
// decoded or copied, so nothing refers to bbolt memory after the transaction.
// A view that writes carries w, the bookkeeping of its writes; a read-only
// view has none.
type txView struct {
	tx *bbolt.Tx
	w  *writes
}

// writes is what one command's writes through a txView set off besides
// themselves. n counts every write that changed the database (records put or
// deleted, serials drawn): ApplyRemote tells by it whether a failed op has
// written anything (docs/SYNC.md "Savepoints without nested transactions").
type writes struct {
	n       int
	feed    bool // an authority: every change goes into the change feed
	capture bool // a node: the first write of a record keeps its pre-image in base
	// undo, when not nil, collects what to restore if the command fails
	// (Rebase re-applies many ops in one transaction and keeps the good ones).
	undo *undoLog
	// cache, when not nil, keeps decoded records for the next command of the
	// same transaction.
	cache *loadCache
	// back, when not nil, defers some puts to the end of the transaction
	// (writeBack); such a put is not counted in n.
	back *writeBack
}

// writeBack defers, for one write transaction that runs many commands
// (ApplyRemote), the puts that overwrite a cached record without changing its
// index entries: the decoded record stays in the load cache, marked dirty,
// and flush encodes it, writes it and feeds it once at the end, however many
// commands changed it. A batch of marks thus writes each lesson once instead
// of once per mark (docs/SYNC.md "Write-back of a batch").
//
// Because a deferred put changes nothing but the cache, it can be undone: the
// writes of the op running now are kept in op, and revert restores them when
// the op fails before any write that went to bbolt.
type writeBack struct {
	order []cacheKey        // dirty records in the order they were first deferred
	dirty map[cacheKey]bool // true while the record's cached value is unwritten
	op    []deferredUndo    // the current op's deferred puts, oldest first
	inOp  map[cacheKey]bool // the keys of op, once it is long
}

// deferredUndo is what one deferred put replaced: the cached value and
// whether it was dirty.
type deferredUndo struct {
	key   cacheKey
	val   reflect.Value
	dirty bool
}

func newWriteBack() *writeBack {
	return &writeBack{dirty: map[cacheKey]bool{}}
}

// note keeps what the put of k replaces, the first time the current op puts k.
func (wb *writeBack) note(k cacheKey, val reflect.Value) {
	// An op puts a few records, and a list beats a map; a long op (a month
	// close) gets a map.
	if wb.inOp != nil {
		if wb.inOp[k] {
			return
		}
		wb.inOp[k] = true
	} else {
		for _, u := range wb.op {
			if u.key == k {
				return
			}
		}
		if len(wb.op) >= 16 {
			wb.inOp = map[cacheKey]bool{k: true}
			for _, u := range wb.op {
				wb.inOp[u.key] = true
			}
		}
	}
	wb.op = append(wb.op, deferredUndo{key: k, val: val, dirty: wb.dirty[k]})
}

// mark sets k dirty.
func (wb *writeBack) mark(k cacheKey) {
	if _, ok := wb.dirty[k]; !ok {
		wb.order = append(wb.order, k)
	}
	wb.dirty[k] = true
}

// clean forgets that k is dirty: it was written through or deleted. The op's
// undo keeps the old state only for a revert.
func (wb *writeBack) clean(k cacheKey) {
	if wb.dirty[k] {
		wb.dirty[k] = false
	}
}

// begin starts a new op: what the last one deferred stays.
func (wb *writeBack) begin() {
	wb.op, wb.inOp = wb.op[:0], nil
}

// revert undoes the deferred puts of the current op, newest first.
func (wb *writeBack) revert(c *loadCache) {
	for i := len(wb.op) - 1; i >= 0; i-- {
		u := wb.op[i]
		c.m[u.key] = u.val
		if u.dirty {
			wb.mark(u.key)
		} else {
			wb.clean(u.key)
		}
	}
	wb.begin()
}

// flush writes every dirty record whose value differs from its stored bytes,
// with its feed entry and audience, in the order they were first deferred.
func (wb *writeBack) flush(v txView) error {
	for _, k := range wb.order {
		if !wb.dirty[k] {
			continue
		}
		val, ok := v.w.cache.m[k]
		if !ok {
			return fmt.Errorf("store: write-back of %s/%s: not in the cache", k.kind, k.id)
		}
		rec := val.Interface().(app.Record)
		data, err := encode(rec)
		if err != nil {
			return err
		}
		b := v.tx.Bucket(recBucket(k.kind))
		if b == nil {
			return fmt.Errorf("store: no bucket for kind %q", k.kind)
		}
		cur, err := openv(v.tx, recBucket(k.kind), []byte(k.id), b.Get([]byte(k.id)))
		if err != nil {
			return fmt.Errorf("store: write-back of %s/%s: %w", k.kind, k.id, err)
		}
		if bytes.Equal(cur, data) {
			continue
		}
		// On a node the first write of the record keeps its pre-image (the
		// stored bytes: a deferred put never reached bbolt).
		if err := v.before(k.kind, k.id, cur); err != nil {
			return err
		}
		if err := putv(v.tx, b, recBucket(k.kind), []byte(k.id), data); err != nil {
			return fmt.Errorf("store: put %s/%s: %w", k.kind, k.id, err)
		}
		if err := v.after(k.kind, k.id, cur, nil, data, rec); err != nil {
			return err
		}
	}
	wb.order, wb.op, wb.inOp = wb.order[:0], wb.op[:0], nil
	clear(wb.dirty)
	return nil
}

// loadCache keeps, for one write transaction that runs many commands
// (ApplyRemote, Rebase), the decoded form of the records they load and put,
// so that the group, the region and the contracts a batch of marks reads again
// and again are decoded from JSON, and looked up in bbolt, once. It is right
// only while every write of a record in the transaction goes through the
// views that share it (Put, Delete) or drops the entry (undoLog.rollback); a
// hit hands out a deep copy, never the entry itself.
type loadCache struct {
	m map[cacheKey]reflect.Value // the decoded record, a struct value
	// scans keeps the keys a whole Scan found, for the next Scan of the same
	// kind, index and prefix; gen counts the writes to each index (and, for
	// index "", the records made or deleted), so an entry taken at an older
	// generation is stale.
	scans map[scanKey]scanEntry
	gen   map[cacheKey]uint64 // kind, index name → writes; id holds the index name
}

type scanKey struct {
	kind          app.Kind
	index, prefix string
}

type scanEntry struct {
	gen  uint64
	keys [][]byte // the bbolt keys, copied
	ids  []string // the ids in them
}

// maxScans bounds the scans one transaction's cache keeps.
const maxScans = 20_000

// scanned returns the keys and ids of a whole earlier scan of sk, if no
// write has touched its index since.
func (c *loadCache) scanned(sk scanKey) (scanEntry, bool) {
	if c == nil {
		return scanEntry{}, false
	}
	e, ok := c.scans[sk]
	if !ok || e.gen != c.gen[cacheKey{sk.kind, sk.index}] {
		return scanEntry{}, false
	}
	return e, true
}

// keepScan remembers the keys of a whole scan of sk taken at generation gen.
func (c *loadCache) keepScan(sk scanKey, gen uint64, keys [][]byte, ids []string) {
	if c == nil || gen != c.gen[cacheKey{sk.kind, sk.index}] {
		return
	}
	if c.scans == nil || len(c.scans) >= maxScans {
		c.scans = map[scanKey]scanEntry{}
	}
	c.scans[sk] = scanEntry{gen: gen, keys: keys, ids: ids}
}

// generation is how many writes index of kind has had in the transaction.
func (c *loadCache) generation(kind app.Kind, index string) uint64 {
	if c == nil {
		return 0
	}
	return c.gen[cacheKey{kind, index}]
}

// touch makes every kept scan of kind's index stale.
func (c *loadCache) touch(kind app.Kind, index string) {
	if c == nil {
		return
	}
	if c.gen == nil {
		c.gen = map[cacheKey]uint64{}
	}
	c.gen[cacheKey{kind, index}]++
}

// touchIndexes makes stale the scans of the indexes in idx, and with
// records true those of the record bucket.
func (c *loadCache) touchIndexes(kind app.Kind, records bool, idx ...[]app.Index) {
	if c == nil {
		return
	}
	if records {
		c.touch(kind, "")
	}
	for _, list := range idx {
		for _, x := range list {
			c.touch(kind, x.Name)
		}
	}
}

// dropScans forgets every kept scan: records were written behind the
// cache's back.
func (c *loadCache) dropScans() {
	if c != nil {
		c.scans = nil
	}
}

type cacheKey struct {
	kind app.Kind
	id   string
}

// maxCached bounds the records one transaction's cache holds.
const maxCached = 50_000

func newLoadCache() *loadCache { return &loadCache{m: map[cacheKey]reflect.Value{}} }

// get returns the cached record of kind/id.
func (c *loadCache) get(kind app.Kind, id string) (reflect.Value, bool) {
	if c == nil {
		return reflect.Value{}, false
	}
	v, ok := c.m[cacheKey{kind, id}]
	return v, ok
}

// put caches a copy of val as the stored record of kind/id.
func (c *loadCache) put(kind app.Kind, id string, val reflect.Value) {
	if c == nil {
		return
	}
	k := cacheKey{kind, id}
	if _, ok := c.m[k]; !cacheable[kind] || !ok && len(c.m) >= maxCached {
		delete(c.m, k)
		return
	}
	c.m[k] = cloneValue(val)
}

// drop forgets kind/id, which was written behind the cache's back.
func (c *loadCache) drop(kind app.Kind, id string) {
	if c != nil {
		delete(c.m, cacheKey{kind, id})
	}
}

// cacheable marks the kinds whose record types copyValue copies whole: only
// exported fields of plain, slice, map, array, pointer and struct types.
var cacheable = map[app.Kind]bool{}

func init() {
	for k, t := range recordTypes {
		cacheable[k] = copyable(t, map[reflect.Type]bool{})
	}
}

func copyable(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	case reflect.Slice, reflect.Array, reflect.Pointer:
		return copyable(t.Elem(), seen)
	case reflect.Map:
		return copyable(t.Key(), seen) && copyable(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if !t.Field(i).IsExported() || !copyable(t.Field(i).Type, seen) {
				return false
			}
		}
		return true
	}
	return false
}

// cloneValue is a deep copy of v.
func cloneValue(v reflect.Value) reflect.Value {
	c := reflect.New(v.Type()).Elem()
	copyValue(c, v)
	return c
}

// copyValue sets dst (settable, of src's type) to a deep copy of src. Nil
// slices and maps stay nil and empty ones empty, as a decode of the same
// bytes would give them.
func copyValue(dst, src reflect.Value) { copierOf(src.Type())(dst, src) }

// copier copies a value of one type deeply; copiers are built once per type.
type copier func(dst, src reflect.Value)

var copiers sync.Map // reflect.Type → copier

func copierOf(t reflect.Type) copier {
	if c, ok := copiers.Load(t); ok {
		return c.(copier)
	}
	c := makeCopier(t)
	copiers.Store(t, c)
	return c
}

func makeCopier(t reflect.Type) copier {
	if plain(t) {
		return func(dst, src reflect.Value) { dst.Set(src) }
	}
	if c, ok := typedCopiers[t]; ok && slices.Equal(deepFields(t), c.deep) {
		return c.copy
	}
	switch t.Kind() {
	case reflect.Struct:
		// One Set copies every plain field; the others are copied again deeply.
		type deep struct {
			i int
			c copier
		}
		var fields []deep
		for i := range t.NumField() {
			if ft := t.Field(i).Type; !plain(ft) {
				fields = append(fields, deep{i, copierOf(ft)})
			}
		}
		return func(dst, src reflect.Value) {
			dst.Set(src)
			for _, f := range fields {
				f.c(dst.Field(f.i), src.Field(f.i))
			}
		}
	case reflect.Slice:
		elem := t.Elem()
		plainElem := plain(elem)
		return func(dst, src reflect.Value) {
			if src.IsNil() {
				dst.SetZero()
				return
			}
			s := reflect.MakeSlice(t, src.Len(), src.Len())
			if plainElem {
				reflect.Copy(s, src)
			} else {
				c := copierOf(elem)
				for i := range src.Len() {
					c(s.Index(i), src.Index(i))
				}
			}
			dst.Set(s)
		}
	case reflect.Map:
		switch t {
		case reflect.TypeFor[map[string]string]():
			return func(dst, src reflect.Value) {
				dst.Set(reflect.ValueOf(maps.Clone(src.Interface().(map[string]string))))
			}
		case reflect.TypeFor[map[string]int64]():
			return func(dst, src reflect.Value) {
				dst.Set(reflect.ValueOf(maps.Clone(src.Interface().(map[string]int64))))
			}
		}
		return func(dst, src reflect.Value) {
			if src.IsNil() {
				dst.SetZero()
				return
			}
			m := reflect.MakeMapWithSize(t, src.Len())
			it := src.MapRange()
			for it.Next() {
				m.SetMapIndex(it.Key(), cloneValue(it.Value()))
			}
			dst.Set(m)
		}
	case reflect.Array:
		c := copierOf(t.Elem())
		return func(dst, src reflect.Value) {
			for i := range src.Len() {
				c(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Pointer:
		return func(dst, src reflect.Value) {
			if src.IsNil() {
				dst.SetZero()
				return
			}
			p := reflect.New(t.Elem())
			copyValue(p.Elem(), src.Elem())
			dst.Set(p)
		}
	}
	panic("store: no deep copy for " + t.String()) // copyable() keeps such types out
}

// typedCopiers copy the records a batch of attendance marks loads again and
// again (its lesson, group and the child's contracts) without reflection.
// Each names the fields it copies deeply; should the type gain another field
// that is not plain, makeCopier falls back to the reflective copier.
var typedCopiers = map[reflect.Type]struct {
	deep []string
	copy copier
}{
	reflect.TypeFor[app.Lesson](): {[]string{"Marks"}, func(dst, src reflect.Value) {
		d := dst.Addr().Interface().(*app.Lesson)
		*d = valueOf[app.Lesson](src)
		d.Marks = maps.Clone(d.Marks)
	}},
	reflect.TypeFor[app.Group](): {[]string{"Schedule"}, func(dst, src reflect.Value) {
		d := dst.Addr().Interface().(*app.Group)
		*d = valueOf[app.Group](src)
		d.Schedule = slices.Clone(d.Schedule)
	}},
	reflect.TypeFor[app.Contract](): {[]string{"Schedule"}, func(dst, src reflect.Value) {
		d := dst.Addr().Interface().(*app.Contract)
		*d = valueOf[app.Contract](src)
		d.Schedule = slices.Clone(d.Schedule)
	}},
}

// valueOf is the T that v holds, read through its address when it has one.
func valueOf[T any](v reflect.Value) T {
	if v.CanAddr() {
		return *v.Addr().Interface().(*T)
	}
	return v.Interface().(T)
}

// deepFields names the fields of the struct type t that are not plain, or
// also the elements of a slice or map field that are not plain ("Field[]").
func deepFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if plain(f.Type) {
			continue
		}
		out = append(out, f.Name)
		if k := f.Type.Kind(); (k == reflect.Slice || k == reflect.Map) && !plain(f.Type.Elem()) {
			out = append(out, f.Name+"[]")
		}
	}
	return out
}

// plain reports whether values of t hold nothing a copy must duplicate
// (strings are immutable, so sharing one is a copy).
func plain(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface:
		return false
	case reflect.Struct:
		for i := range t.NumField() {
			if !plain(t.Field(i).Type) {
				return false
			}
		}
	case reflect.Array:
		return plain(t.Elem())
	}
	return true
}

// cache is the view's load cache, nil if it has none.
func (v txView) cache() *loadCache {
	if v.w == nil {
		return nil
	}
	return v.w.cache
}

// readView is a view that only reads.
func readView(tx *bbolt.Tx) txView { return txView{tx: tx} }

var _ app.Tx = txView{}

// maxID bounds record ids, keeping every index key far below bbolt's limit.
const maxID = 1024

// Load fills rec, a non-nil pointer to the record type of kind, with the stored
// record; a missing record is ENOTFOUND.
func (v txView) Load(kind app.Kind, id string, rec app.Record) error {
	t, ok := recordTypes[kind]
	if !ok {
		return fmt.Errorf("store: load of unknown kind %q", kind)
	}
	rv := reflect.ValueOf(rec)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Type().Elem() != t {
		return fmt.Errorf("store: load %s/%s into %T, want *%v", kind, id, rec, t)
	}
	c := v.cache()
	if tmpl, ok := c.get(kind, id); ok {
		copyValue(rv.Elem(), tmpl)
		return nil
	}
	b := v.tx.Bucket(recBucket(kind))
	if b == nil {
		return fmt.Errorf("store: no bucket for kind %q", kind)
	}
	data, err := openv(v.tx, recBucket(kind), []byte(id), b.Get([]byte(id)))
	if err != nil {
		return fmt.Errorf("store: load %s/%s: %w", kind, id, err)
	}
	if data == nil {
		return app.Errorf(app.ENOTFOUND, "Запись «%s» (%s) не найдена", id, kindRu(kind))
	}
	// Unmarshal merges into what is there (maps above all): start from zero.
	rv.Elem().SetZero()
	if err := decode(data, rec); err != nil {
		return fmt.Errorf("store: load %s/%s: %w", kind, id, err)
	}
	c.put(kind, id, rv.Elem())
	return nil
}

// Put stores rec (a record value or a non-nil pointer to one) and replaces the
// index entries of the record it overwrites with those of rec. An empty or
// over-long id and an id or index key with a 0x00 byte are EINVALID.
func (v txView) Put(rec app.Record) error { return v.put(rec, false) }

// PutOwned is Put of a record the caller gives away: a put the batch defers
// keeps rec's maps and slices in the cache instead of a deep copy of them.
// The cache never hands them out (Load copies), so they are the cache's once
// the caller keeps its promise not to touch them.
func (v txView) PutOwned(rec app.Record) error { return v.put(rec, true) }

func (v txView) put(rec app.Record, owned bool) error {
	if rec == nil {
		return errors.New("store: put of a nil record")
	}
	rv := reflect.ValueOf(rec)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return fmt.Errorf("store: put of a nil %T", rec)
		}
		rv = rv.Elem()
	}
	kind := rec.Kind()
	if t, ok := recordTypes[kind]; !ok || rv.Type() != t {
		return fmt.Errorf("store: put of %T as kind %q", rec, kind)
	}
	id := rec.RecordID()
	if err := checkID(kind, id); err != nil {
		return err
	}
	newIdx := rec.Indexes()
	if err := checkIndexes(newIdx); err != nil {
		return fmt.Errorf("%s/%s: %w", kind, id, err)
	}
	c := v.cache()
	tmpl, cached := c.get(kind, id)
	var wb *writeBack
	if v.w != nil && v.w.back != nil && cacheable[kind] {
		wb = v.w.back
	}
	var oldIdx []app.Index
	var oldRec app.Record // the stored record, when decoded here
	if cached {
		// Through its address: Interface of the value itself would copy it.
		oldIdx = tmpl.Addr().Interface().(app.Record).Indexes()
	}
	k := cacheKey{kind, id}
	if wb != nil && cached {
		// A cached record is a stored one (a new record is never cached
		// before its first put), so its key is in the bucket.
		wb.note(k, tmpl)
		if slices.Equal(oldIdx, newIdx) {
			if owned {
				nv := reflect.New(rv.Type()).Elem()
				nv.Set(rv) // a shallow copy: the maps and slices are given
				c.m[k] = nv
			} else {
				c.m[k] = cloneValue(rv)
			}
			wb.mark(k)
			return nil
		}
		wb.clean(k)
	}
	data, err := encode(rv.Interface())
	if err != nil {
		return err
	}
	b := v.tx.Bucket(recBucket(kind))
	if b == nil {
		return fmt.Errorf("store: no bucket for kind %q", kind)
	}
	old, err := openv(v.tx, recBucket(kind), []byte(id), b.Get([]byte(id)))
	if err != nil {
		return fmt.Errorf("store: put %s/%s: old value: %w", kind, id, err)
	}
	if old != nil {
		if bytes.Equal(old, data) {
			if wb != nil && cached {
				c.m[k] = cloneValue(rv) // the dirty value it replaces is gone
			}
			return nil
		}
		if !cached {
			o, err := decodeRecord(kind, old)
			if err != nil {
				return fmt.Errorf("store: put %s/%s: old value: %w", kind, id, err)
			}
			oldIdx, oldRec = o.Indexes(), o
		}
	}
	if err := v.before(kind, id, old); err != nil {
		return err
	}
	if err := putv(v.tx, b, recBucket(kind), []byte(id), data); err != nil {
		return fmt.Errorf("store: put %s/%s: %w", kind, id, err)
	}
	gone, added := diffIndexes(oldIdx, newIdx)
	c.touchIndexes(kind, old == nil, gone, added)
	if err := deleteIndexes(v.tx, kind, id, gone); err != nil {
		return err
	}
	if err := putIndexes(v.tx, kind, id, added); err != nil {
		return err
	}
	c.put(kind, id, rv)
	return v.after(kind, id, old, oldRec, data, rv.Interface().(app.Record))
}

// Delete removes the record and its index entries; a missing record is not an
// error.
func (v txView) Delete(kind app.Kind, id string) error {
	b := v.tx.Bucket(recBucket(kind))
	if b == nil {
		return fmt.Errorf("store: delete of unknown kind %q", kind)
	}
	old, err := openv(v.tx, recBucket(kind), []byte(id), b.Get([]byte(id)))
	if err != nil {
		return fmt.Errorf("store: delete %s/%s: %w", kind, id, err)
	}
	if old == nil {
		return nil
	}
	o, err := decodeRecord(kind, old)
	if err != nil {
		return fmt.Errorf("store: delete %s/%s: %w", kind, id, err)
	}
	if err := v.before(kind, id, old); err != nil {
		return err
	}
	if v.w != nil && v.w.back != nil {
		v.w.back.clean(cacheKey{kind, id})
	}
	v.cache().touchIndexes(kind, true, o.Indexes())
	if err := deleteIndexes(v.tx, kind, id, o.Indexes()); err != nil {
		return err
	}
	if err := b.Delete([]byte(id)); err != nil {
		return fmt.Errorf("store: delete %s/%s: %w", kind, id, err)
	}
	v.cache().drop(kind, id)
	return v.after(kind, id, old, o, nil, nil)
}

// before runs ahead of a write that changes kind/id, whose stored bytes are
// old (nil: absent): on a node it keeps the pre-image in base, and under
// Rebase it notes what to restore should the command fail.
func (v txView) before(kind app.Kind, id string, old []byte) error {
	if v.w == nil {
		return nil
	}
	// Counted before the write: a write that fails halfway still counts.
	v.w.n++
	created := false
	if v.w.capture {
		var err error
		if created, err = capturePreImage(v.tx, kind, id, old); err != nil {
			return err
		}
	}
	if v.w.undo != nil {
		v.w.undo.record(kind, id, old, created)
	}
	return nil
}

// after runs once a write of kind/id is done: old and data are the stored
// bytes before and after (nil: absent), oldRec the old record when the
// writer has decoded it (nil: not yet), rec the new value, nil for a delete.
// On an authority the change enters the feed and moves the scopes' digests
// (digest.go), in the write's own transaction: every record write of an
// authority comes through here.
func (v txView) after(kind app.Kind, id string, old []byte, oldRec app.Record, data []byte, rec app.Record) error {
	if v.w == nil {
		return nil
	}
	if v.w.feed {
		if err := digestChange(v.tx, kind, id, old, oldRec, data, rec); err != nil {
			return err
		}
		return feedRecord(v.tx, kind, id, rec)
	}
	return nil
}

// scanChunk is how many entries Scan reads before it calls fn: fn may write
// to the bucket being scanned, so no cursor is held across a call of fn.
const scanChunk = 256

// Scan calls fn with the ids of kind whose index has a key with the prefix,
// in key order then id order; with index "" it walks the records, and the
// prefix applies to ids. A missing index has no entries. fn may write through
// the same Tx; the scan resumes after the last entry it handed out.
func (v txView) Scan(kind app.Kind, index, prefix string, fn func(id string) bool) error {
	if _, ok := recordTypes[kind]; !ok {
		return fmt.Errorf("store: scan of unknown kind %q", kind)
	}
	name := recBucket(kind)
	if index != "" {
		name = idxBucket(kind, index)
	}
	idOf := func(k []byte) (string, error) {
		if index == "" {
			return string(k), nil
		}
		i := bytes.IndexByte(k, idxSep)
		if i < 0 {
			return "", fmt.Errorf("store: %s: entry %q without 0x00", name, k)
		}
		return string(k[i+1:]), nil
	}
	if s := sealerOf(v.tx); s != nil && blindIndex(kind, index) {
		return v.scanBlind(s, kind, index, prefix, fn)
	}
	c := v.cache()
	sk := scanKey{kind, index, prefix}
	if e, ok := c.scanned(sk); ok {
		gen := c.generation(kind, index)
		for i, id := range e.ids {
			if !fn(id) {
				return nil
			}
			if c.generation(kind, index) != gen {
				// fn wrote to the index: go on from bbolt after the last key.
				return v.scanLive(name, []byte(prefix), e.keys[i], idOf, fn, nil)
			}
		}
		return nil
	}
	var keep *scanKeep
	if c != nil {
		keep = &scanKeep{gen: c.generation(kind, index)}
	}
	if err := v.scanLive(name, []byte(prefix), nil, idOf, fn, keep); err != nil {
		return err
	}
	if keep != nil && keep.whole {
		c.keepScan(sk, keep.gen, keep.keys, keep.ids)
	}
	return nil
}

// scanKeep collects the keys of a live scan for the load cache: whole says
// the scan ran to its end.
type scanKeep struct {
	gen   uint64
	keys  [][]byte
	ids   []string
	whole bool
}

// scanLive is Scan over bbolt from after the key last (nil: from the first
// key with the prefix pre), in chunks; keep, when not nil, collects the keys.
func (v txView) scanLive(name, pre, last []byte, idOf func([]byte) (string, error), fn func(id string) bool, keep *scanKeep) error {
	var ids []string
	last = bytes.Clone(last)
	for {
		b := v.tx.Bucket(name)
		if b == nil {
			if keep != nil {
				keep.whole = true
			}
			return nil
		}
		ids = ids[:0]
		c := b.Cursor()
		var k []byte
		if last == nil {
			k, _ = c.Seek(pre)
		} else if k, _ = c.Seek(last); bytes.Equal(k, last) {
			k, _ = c.Next()
		}
		for ; k != nil && bytes.HasPrefix(k, pre) && len(ids) < scanChunk; k, _ = c.Next() {
			id, err := idOf(k)
			if err != nil {
				return err
			}
			ids = append(ids, id)
			last = append(last[:0], k...)
			if keep != nil {
				keep.keys, keep.ids = append(keep.keys, bytes.Clone(k)), append(keep.ids, id)
			}
		}
		for _, id := range ids {
			if !fn(id) {
				return nil
			}
		}
		if len(ids) < scanChunk {
			if keep != nil {
				keep.whole = true
			}
			return nil
		}
	}
}

// NextSerial returns the next value of the named counter, starting at 1.
func (v txView) NextSerial(name string) (uint64, error) {
	if name == "" {
		return 0, fmt.Errorf("store: serial without a name")
	}
	b := v.tx.Bucket(bucketSerial)
	if b == nil {
		return 0, errors.New("store: no serial bucket")
	}
	var n uint64
	if cur := b.Get([]byte(name)); cur != nil {
		if len(cur) != 8 {
			return 0, fmt.Errorf("store: serial %q is %d bytes, want 8", name, len(cur))
		}
		n = binary.BigEndian.Uint64(cur)
	}
	n++
	if v.w != nil {
		v.w.n++
		if v.w.undo != nil {
			v.w.undo.recordSerial(name, b.Get([]byte(name)))
		}
	}
	if err := b.Put([]byte(name), u64(n)); err != nil {
		return 0, fmt.Errorf("store: serial %q: %w", name, err)
	}
	return n, nil
}

// putRaw stores the bytes of a record that came from elsewhere (a pulled page,
// a pre-image) under kind/id, bringing the indexes up to date, with no feed,
// no capture and no count: only a node writes so, outside any command. The
// bytes must decode as a record of kind with that id.
func putRaw(tx *bbolt.Tx, kind app.Kind, id string, data []byte) error {
	rec, err := decodeRecord(kind, data)
	if err != nil {
		return fmt.Errorf("store: %s/%s: %w", kind, id, err)
	}
	if rec.Kind() != kind || rec.RecordID() != id {
		return fmt.Errorf("%w: %s/%s holds the record %s/%s", errCodec, kind, id, rec.Kind(), rec.RecordID())
	}
	if err := checkID(kind, id); err != nil {
		return err
	}
	newIdx := rec.Indexes()
	if err := checkIndexes(newIdx); err != nil {
		return fmt.Errorf("%s/%s: %w", kind, id, err)
	}
	b := tx.Bucket(recBucket(kind))
	if b == nil {
		return fmt.Errorf("store: no bucket for kind %q", kind)
	}
	var oldIdx []app.Index
	old, err := openv(tx, recBucket(kind), []byte(id), b.Get([]byte(id)))
	if err != nil {
		return fmt.Errorf("store: put %s/%s: old value: %w", kind, id, err)
	}
	if old != nil {
		if bytes.Equal(old, data) {
			return nil
		}
		o, err := decodeRecord(kind, old)
		if err != nil {
			return fmt.Errorf("store: put %s/%s: old value: %w", kind, id, err)
		}
		oldIdx = o.Indexes()
	}
	// The caller's slice may be bbolt memory of another bucket: copy it.
	if err := putv(tx, b, recBucket(kind), []byte(id), bytes.Clone(data)); err != nil {
		return fmt.Errorf("store: put %s/%s: %w", kind, id, err)
	}
	gone, added := diffIndexes(oldIdx, newIdx)
	if err := deleteIndexes(tx, kind, id, gone); err != nil {
		return err
	}
	return putIndexes(tx, kind, id, added)
}

// deleteRaw removes kind/id and its index entries, like putRaw without a command.
func deleteRaw(tx *bbolt.Tx, kind app.Kind, id string) error {
	return txView{tx: tx}.Delete(kind, id)
}

func checkID(kind app.Kind, id string) error {
	switch {
	case id == "":
		return app.Errorf(app.EINVALID, "Пустой идентификатор записи (%s)", kindRu(kind))
	case len(id) > maxID:
		return app.Errorf(app.EINVALID, "Слишком длинный идентификатор записи (%s): %d байт", kindRu(kind), len(id))
	case strings.IndexByte(id, 0) >= 0:
		return app.Errorf(app.EINVALID, "Недопустимый символ в идентификаторе записи (%s)", kindRu(kind))
	}
	return nil
}

// checkIndexes refuses entries that the key layout cannot hold.
func checkIndexes(idx []app.Index) error {
	for _, x := range idx {
		if x.Name == "" || strings.ContainsAny(x.Name, "/\x00") {
			return fmt.Errorf("store: bad index name %q", x.Name)
		}
		if strings.IndexByte(x.Key, 0) >= 0 {
			return app.Errorf(app.EINVALID, "Недопустимый символ в значении поиска «%s»", x.Name)
		}
		if len(x.Key)+1+maxID > bbolt.MaxKeySize {
			return app.Errorf(app.EINVALID, "Слишком длинное значение поиска «%s»: %d байт", x.Name, len(x.Key))
		}
	}
	return nil
}

// diffIndexes returns the entries of old not in new, and of new not in old.
func diffIndexes(old, new []app.Index) (gone, added []app.Index) {
	in := func(x app.Index, list []app.Index) bool {
		for _, y := range list {
			if x == y {
				return true
			}
		}
		return false
	}
	for _, x := range old {
		if !in(x, new) {
			gone = append(gone, x)
		}
	}
	for _, x := range new {
		if !in(x, old) {
			added = append(added, x)
		}
	}
	return gone, added
}

func putIndexes(tx *bbolt.Tx, kind app.Kind, id string, idx []app.Index) error {
	for _, x := range idx {
		b, err := tx.CreateBucketIfNotExists(idxBucket(kind, x.Name))
		if err != nil {
			return fmt.Errorf("store: index %s/%s: %w", kind, x.Name, err)
		}
		for _, k := range indexKeys(tx, kind, x, id) {
			if err := b.Put(k, nil); err != nil {
				return fmt.Errorf("store: index %s/%s: %w", kind, x.Name, err)
			}
		}
	}
	return nil
}

func deleteIndexes(tx *bbolt.Tx, kind app.Kind, id string, idx []app.Index) error {
	for _, x := range idx {
		b := tx.Bucket(idxBucket(kind, x.Name))
		if b == nil {
			continue
		}
		for _, k := range indexKeys(tx, kind, x, id) {
			if err := b.Delete(k); err != nil {
				return fmt.Errorf("store: index %s/%s: %w", kind, x.Name, err)
			}
		}
	}
	return nil
}

// kindRu names a kind for a Russian message.
func kindRu(k app.Kind) string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return string(k)
}

var kindNames = map[app.Kind]string{
	app.KindRegion:       "регион",
	app.KindMunicipality: "муниципалитет",
	app.KindDirection:    "направленность",
	app.KindParams:       "параметры муниципалитета",
	app.KindQuota:        "квота",
	app.KindProvider:     "исполнитель",
	app.KindProgramme:    "программа",
	app.KindModule:       "модуль",
	app.KindListing:      "реестр программ",
	app.KindGroup:        "группа",
	app.KindChild:        "ребёнок",
	app.KindCertificate:  "сертификат",
	app.KindRequest:      "заявка",
	app.KindContract:     "договор",
	app.KindLesson:       "занятие",
	app.KindInvoice:      "счёт",
	app.KindCertCode:     "код сертификата",
	app.KindGuard:        "счётчик неверных кодов",
	app.KindAlert:        "уведомление РМЦ",
}
