package store

import (
	"reflect"

	"kruzhok/app"
)

// recordTypes is the fixed Go type of each kind. The store needs it to decode
// a stored value it was not handed a pointer for: the old value under Put and
// Delete (its index entries must go), migrations and Check.
var recordTypes = map[app.Kind]reflect.Type{}

func init() {
	for _, r := range []app.Record{
		app.Region{}, app.Municipality{}, app.Direction{}, app.Params{}, app.Quota{},
		app.Provider{}, app.Programme{}, app.Module{}, app.Listing{}, app.Group{},
		app.Child{}, app.Certificate{}, app.Request{}, app.Contract{}, app.Lesson{},
		app.Invoice{}, app.Invite{}, app.Node{}, app.CertCode{}, app.Guard{}, app.Alert{},
	} {
		recordTypes[r.Kind()] = reflect.TypeOf(r)
	}
	for _, k := range app.Kinds {
		if recordTypes[k] == nil {
			panic("store: no record type for kind " + string(k))
		}
	}
}

// newRecord returns a pointer to a zero record of kind, or false for a kind
// the store does not know.
func newRecord(kind app.Kind) (app.Record, bool) {
	t, ok := recordTypes[kind]
	if !ok {
		return nil, false
	}
	return reflect.New(t).Interface().(app.Record), true
}
