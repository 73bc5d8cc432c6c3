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
// child, one entry per prefix of its app.NameKey of 1..blindRunes runes:
//
//	hex(HMAC-SHA256(nameKey, prefix)[:16]) 0x00 id
//
// Scan(child, name, p) looks up the entries of p cut to blindRunes runes,
// loads those children and keeps the ones whose name key has the prefix p,
// in name key then id order: the order and result of the plaintext index.
// What an attacker with the file learns: how many children share each
// prefix of up to blindRunes runes (not which letters they are).
const blindRunes = 8

// blindIndex reports whether the index of kind is blinded in a sealed
// database.
func blindIndex(kind app.Kind, index string) bool {
	return kind == app.KindChild && index == app.IdxName
}

// blindKey is the blinded form of a name prefix.
func (s *sealer) blindKey(p string) string {
	m := hmac.New(sha256.New, s.nameKey)
	m.Write([]byte(p))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// cutRunes is s cut to at most n runes.
func cutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// indexKeys are the bbolt keys of the index entry x of kind/id.
func indexKeys(tx *bbolt.Tx, kind app.Kind, x app.Index, id string) [][]byte {
	s := sealerOf(tx)
	if s == nil || !blindIndex(kind, x.Name) {
		return [][]byte{idxKey(x.Key, id)}
	}
	var keys [][]byte
	for i := range x.Key {
		if i == 0 {
			continue
		}
		keys = append(keys, idxKey(s.blindKey(x.Key[:i]), id))
		if len(keys) == blindRunes {
			return keys
		}
	}
	if x.Key != "" {
		keys = append(keys, idxKey(s.blindKey(x.Key), id))
	}
	return keys
}

// scanBlind is Scan of a blinded index.
func (v txView) scanBlind(s *sealer, kind app.Kind, index, prefix string, fn func(id string) bool) error {
	var ids []string
	var err error
	if prefix == "" {
		ids, err = v.scanIDs(recBucket(kind), "", false)
	} else {
		ids, err = v.scanIDs(idxBucket(kind, index), s.blindKey(cutRunes(prefix, blindRunes))+"\x00", true)
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
