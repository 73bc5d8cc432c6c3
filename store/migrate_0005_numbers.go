package store

import (
	"cmp"
	"slices"
	"strings"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// migrate0005Numbers gives every contract and invoice of an authority
// database its human number (issue 11), in the order the authority would
// have numbered them had it done so from the start: contracts by creation
// date then id, invoices by month, advance before final, then provider and
// municipality, the order CloseMonth draws them in. The numbers come from the
// same per-municipality counters app.NumberContract and app.NumberInvoice
// draw from afterwards, so a later document continues the series. A node
// database numbers nothing: the server's numbered records reach it through
// the change feed, which the migration feeds.
func migrate0005Numbers(tx *bbolt.Tx) error {
	_, authority := readScope(tx.Bucket(bucketMeta))
	if !authority {
		return nil
	}
	view := txView{tx: tx, w: &writes{feed: true}}
	contracts, err := app.List[app.Contract](view, "", "", 0)
	if err != nil {
		return err
	}
	slices.SortFunc(contracts, func(a, b app.Contract) int {
		return cmp.Or(cmp.Compare(a.Created, b.Created), strings.Compare(a.ID, b.ID))
	})
	for _, k := range contracts {
		if k.Number != "" {
			continue
		}
		if err := app.NumberContract(view, &k); err != nil {
			return err
		}
		if err := view.Put(k); err != nil {
			return err
		}
	}
	invoices, err := app.List[app.Invoice](view, "", "", 0)
	if err != nil {
		return err
	}
	slices.SortFunc(invoices, func(a, b app.Invoice) int {
		return cmp.Or(cmp.Compare(a.Month, b.Month), cmp.Compare(typeOrder(a.Type), typeOrder(b.Type)),
			strings.Compare(a.Provider, b.Provider), strings.Compare(a.Municipality, b.Municipality), strings.Compare(a.ID, b.ID))
	})
	for _, inv := range invoices {
		if inv.Number != "" {
			continue
		}
		if err := app.NumberInvoice(view, &inv); err != nil {
			return err
		}
		if err := view.Put(inv); err != nil {
			return err
		}
	}
	return nil
}

// typeOrder puts a month's advance before its final: the advance is drawn at
// the month's own close, the final at the next.
func typeOrder(typ string) int {
	if typ == app.InvAdvance {
		return 0
	}
	return 1
}
