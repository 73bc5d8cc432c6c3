package store

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// The blinded name index. In a sealed database the keys of idx/child/name
// would hold children's names in clear, so there it holds instead, for every
// child with name key n (app.NameKey of the full name), up to three entries
//
//	hex(HMAC-SHA256(nameKey, tag · n′)[:16]) 0x00 id
//
// with tag "2" and n′ the first 2 runes of n, tag "4" and its first 4 runes
// (names that long), and tag "w" and its first word (names of more than one
// word). Scan(child, name, p) looks up the most selective entry p allows:
// "w" when p holds a space (its first word is then whole), "4" when p has at
// least 4 runes, "2" for 2 or 3; a 1-rune or empty p walks the records. It
// then loads the children found and keeps, in name key then id order, those
// whose name key has the prefix p: the result and order of the plaintext
// index. What the file tells without the key: how many children share the
// first 2 or 4 letters or the surname, and which children do (not the
// letters). Three entries per child keep Exec within the budget;
// an entry per prefix length would have cost eight index writes a child.
const (
	blindShort = 2
	blindLong  = 4
)

// blindIndex reports whether the index of kind is blinded in a sealed
// database.
func blindIndex(kind app.Kind, index string) bool {
	return kind == app.KindChild && index == app.IdxName
}

// blindKey is the blinded form of a name part under a tag.
func (s *sealer) blindKey(tag byte, p string) string {
	m := hmac.New(sha256.New, s.nameKey)
	m.Write([]byte{tag, 0})
	m.Write([]byte(p))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// cutRunes is s cut to n runes, and whether s had at least n.
func cutRunes(s string, n int) (string, bool) {
	for i := range s {
		if n == 0 {
			return s[:i], true
		}
		n--
	}
	return s, n == 0
}

// blindParts are the tagged parts of a name key the index holds.
func blindParts(key string) (tags []byte, parts []string) {
	if p, ok := cutRunes(key, blindShort); ok {
		tags, parts = append(tags, '2'), append(parts, p)
	}
	if p, ok := cutRunes(key, blindLong); ok {
		tags, parts = append(tags, '4'), append(parts, p)
	}
	if w, _, ok := strings.Cut(key, " "); ok {
		tags, parts = append(tags, 'w'), append(parts, w)
	}
	return tags, parts
}

// blindLookup is the tagged part a Scan of prefix p looks up; false: none
// (walk the records).
func blindLookup(p string) (byte, string, bool) {
	if w, _, ok := strings.Cut(p, " "); ok {
		return 'w', w, true
	}
	if s, ok := cutRunes(p, blindLong); ok {
		return '4', s, true
	}
	if s, ok := cutRunes(p, blindShort); ok {
		return '2', s, true
	}
	return 0, "", false
}

// indexKeys are the bbolt keys of the index entry x of kind/id.
func indexKeys(tx *bbolt.Tx, kind app.Kind, x app.Index, id string) [][]byte {
	s := sealerOf(tx)
	if s == nil || !blindIndex(kind, x.Name) {
		return [][]byte{idxKey(x.Key, id)}
	}
	tags, parts := blindParts(x.Key)
	keys := make([][]byte, len(tags))
	for i := range tags {
		keys[i] = idxKey(s.blindKey(tags[i], parts[i]), id)
	}
	return keys
}

// scanBlind is Scan of a blinded index.
func (v txView) scanBlind(s *sealer, kind app.Kind, index, prefix string, fn func(id string) bool) error {
	var ids []string
	var err error
	if tag, part, ok := blindLookup(prefix); ok {
		ids, err = v.scanIDs(idxBucket(kind, index), s.blindKey(tag, part)+"\x00", true)
	} else {
		ids, err = v.scanIDs(recBucket(kind), "", false)
	}
	if err != nil {
		return err
	}
	type hit struct{ key, id string }
	var hits []hit
	for _, id := range ids {
		rec, ok := newRecord(kind)
		if !ok {
			return fmt.Errorf("store: scan of unknown kind %q", kind)
		}
		if err := v.Load(kind, id, rec); err != nil {
			return fmt.Errorf("store: scan %s/%s: %w", kind, index, err)
		}
		for _, x := range rec.Indexes() {
			if x.Name == index && strings.HasPrefix(x.Key, prefix) && utf8.ValidString(x.Key) {
				hits = append(hits, hit{x.Key, id})
				break
			}
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	for _, h := range hits {
		if !fn(h.id) {
			return nil
		}
	}
	return nil
}

// scanIDs collects the ids of the keys of bucket with the prefix pre; in an
// index bucket (idx) the id follows the 0x00.
func (v txView) scanIDs(name []byte, pre string, idx bool) ([]string, error) {
	b := v.tx.Bucket(name)
	if b == nil {
		return nil, nil
	}
	var ids []string
	c := b.Cursor()
	for k, _ := c.Seek([]byte(pre)); k != nil && strings.HasPrefix(string(k), pre); k, _ = c.Next() {
		id := string(k)
		if idx {
			i := strings.IndexByte(id, idxSep)
			if i < 0 {
				return nil, fmt.Errorf("store: %s: entry %q without 0x00", name, k)
			}
			id = id[i+1:]
		}
		ids = append(ids, id)
	}
	return ids, nil
}
