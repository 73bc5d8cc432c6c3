package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// txView is the app.Tx of one bbolt transaction. Everything it hands out is
// decoded or copied, so nothing refers to bbolt memory after the transaction.
type txView struct {
	tx *bbolt.Tx
}

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
	b := v.tx.Bucket(recBucket(kind))
	if b == nil {
		return fmt.Errorf("store: no bucket for kind %q", kind)
	}
	data := b.Get([]byte(id))
	if data == nil {
		return app.Errorf(app.ENOTFOUND, "Запись «%s» (%s) не найдена", id, kindRu(kind))
	}
	// Unmarshal merges into what is there (maps above all): start from zero.
	rv.Elem().SetZero()
	if err := decode(data, rec); err != nil {
		return fmt.Errorf("store: load %s/%s: %w", kind, id, err)
	}
	return nil
}

// Put stores rec (a record value or a non-nil pointer to one) and replaces the
// index entries of the record it overwrites with those of rec. An empty or
// over-long id and an id or index key with a 0x00 byte are EINVALID.
func (v txView) Put(rec app.Record) error {
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
	data, err := encode(rv.Interface())
	if err != nil {
		return err
	}
	b := v.tx.Bucket(recBucket(kind))
	if b == nil {
		return fmt.Errorf("store: no bucket for kind %q", kind)
	}
	var oldIdx []app.Index
	if old := b.Get([]byte(id)); old != nil {
		if bytes.Equal(old, data) {
			return nil
		}
		o, err := decodeRecord(kind, old)
		if err != nil {
			return fmt.Errorf("store: put %s/%s: old value: %w", kind, id, err)
		}
		oldIdx = o.Indexes()
	}
	if err := b.Put([]byte(id), data); err != nil {
		return fmt.Errorf("store: put %s/%s: %w", kind, id, err)
	}
	gone, added := diffIndexes(oldIdx, newIdx)
	if err := deleteIndexes(v.tx, kind, id, gone); err != nil {
		return err
	}
	return putIndexes(v.tx, kind, id, added)
}

// Delete removes the record and its index entries; a missing record is not an
// error.
func (v txView) Delete(kind app.Kind, id string) error {
	b := v.tx.Bucket(recBucket(kind))
	if b == nil {
		return fmt.Errorf("store: delete of unknown kind %q", kind)
	}
	old := b.Get([]byte(id))
	if old == nil {
		return nil
	}
	o, err := decodeRecord(kind, old)
	if err != nil {
		return fmt.Errorf("store: delete %s/%s: %w", kind, id, err)
	}
	if err := deleteIndexes(v.tx, kind, id, o.Indexes()); err != nil {
		return err
	}
	if err := b.Delete([]byte(id)); err != nil {
		return fmt.Errorf("store: delete %s/%s: %w", kind, id, err)
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
	pre := []byte(prefix)
	var ids []string
	var last []byte
	for {
		b := v.tx.Bucket(name)
		if b == nil {
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
			id := string(k)
			if index != "" {
				i := bytes.IndexByte(k, idxSep)
				if i < 0 {
					return fmt.Errorf("store: %s: entry %q without 0x00", name, k)
				}
				id = string(k[i+1:])
			}
			ids = append(ids, id)
			last = append(last[:0], k...)
		}
		for _, id := range ids {
			if !fn(id) {
				return nil
			}
		}
		if len(ids) < scanChunk {
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
	if err := b.Put([]byte(name), u64(n)); err != nil {
		return 0, fmt.Errorf("store: serial %q: %w", name, err)
	}
	return n, nil
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
		if err := b.Put(idxKey(x.Key, id), nil); err != nil {
			return fmt.Errorf("store: index %s/%s: %w", kind, x.Name, err)
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
		if err := b.Delete(idxKey(x.Key, id)); err != nil {
			return fmt.Errorf("store: index %s/%s: %w", kind, x.Name, err)
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
}
