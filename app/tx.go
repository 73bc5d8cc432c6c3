package app

import (
	"fmt"
	"strings"
)

// Tx is the read-write view of one storage transaction. Commands validate
// against it and write through it; nothing is visible outside until the whole
// command succeeds, and a failed command leaves no trace.
type Tx interface {
	// Load fills rec (a pointer to a record type) with the stored record of
	// its kind and id; a missing record is ENOTFOUND.
	Load(kind Kind, id string, rec Record) error
	// Put stores rec and brings its secondary indexes up to date.
	Put(rec Record) error
	// PutOwned is Put of a record the caller gives away: the store may keep
	// rec's maps and slices as they are, so the caller must neither change
	// them nor use rec after the call. The attendance journal, which puts a
	// lesson with every mark, uses it to spare a copy of the lesson's marks.
	PutOwned(rec Record) error
	// Delete removes the record and its index entries; missing is not an error.
	Delete(kind Kind, id string) error
	// Scan calls fn with the ids of records of kind whose index name has a key
	// with the prefix, in key order then id order, until fn returns false.
	// An empty index name scans every record of the kind in id order.
	Scan(kind Kind, index, prefix string, fn func(id string) bool) error
	// NextSerial returns the next value of a named counter, starting at 1.
	NextSerial(name string) (uint64, error)
}

// Reader is the read-only part of Tx, for queries and checks.
type Reader interface {
	Load(kind Kind, id string, rec Record) error
	Scan(kind Kind, index, prefix string, fn func(id string) bool) error
}

// Get loads the record of type T with the id.
func Get[T any, P interface {
	*T
	Record
}](r Reader, id string) (T, error) {
	var v T
	err := r.Load(P(&v).Kind(), id, P(&v))
	return v, err
}

// List loads every record of type T found by the index prefix, up to limit (0 = all).
func List[T any, P interface {
	*T
	Record
}](r Reader, index, prefix string, limit int) ([]T, error) {
	var out []T
	// One value to load into: what Load fills escapes to the heap, and a
	// query runs on every attendance mark.
	v := new(T)
	var kind = P(v).Kind()
	var ferr error
	err := r.Scan(kind, index, prefix, func(id string) bool {
		var zero T
		*v = zero
		if ferr = r.Load(kind, id, P(v)); ferr != nil {
			return false
		}
		out = append(out, *v)
		return limit <= 0 || len(out) < limit
	})
	if err == nil {
		err = ferr
	}
	return out, err
}

// Exists reports whether a record of kind with id is stored.
func exists[T any, P interface {
	*T
	Record
}](r Reader, id string) (bool, error) {
	_, err := Get[T, P](r, id)
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	}
	return err == nil, err
}

// NameKey is the search form of a name: lower case, ё as е, single spaces.
func NameKey(s string) string {
	s = strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(s, "ё", "е"), "Ё", "Е"))
	return strings.Join(strings.Fields(s), " ")
}

func pad20(n uint64) string { return fmt.Sprintf("%020d", n) }

// pad4 is n in at least four digits; a lesson's id holds its start minute.
func pad4(n int) string {
	if n < 0 || n > 9999 {
		return fmt.Sprintf("%04d", n)
	}
	b := [4]byte{byte('0' + n/1000), byte('0' + n/100%10), byte('0' + n/10%10), byte('0' + n%10)}
	return string(b[:])
}
