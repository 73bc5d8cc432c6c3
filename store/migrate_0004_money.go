package store

import (
	"strings"

	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// migrate0004Money fills the money counters that schema 3 did not keep
// (RULES.md §8): Quota.Committed, the reserve and payments of each
// municipality's period, from the certificates' ledgers; and MonthShare.SettledIn
// of every settled share, taken as its own month (the close that followed it
// settled it, save for late write-offs, which the old invoices did not tell
// apart). On a server the changes enter the feed, so nodes receive them.
func migrate0004Money(tx *bbolt.Tx) error {
	_, authority := readScope(tx.Bucket(bucketMeta))
	view := txView{tx: tx, w: &writes{feed: authority}}
	certs, err := app.List[app.Certificate](view, "", "", 0)
	if err != nil {
		return err
	}
	committed := map[string]int64{} // municipality/period
	for _, c := range certs {
		for _, l := range c.Ledgers {
			committed[c.Municipality+"/"+l.Period] += l.Reserved + l.Paid
		}
	}
	quotas, err := app.List[app.Quota](view, "", "", 0)
	if err != nil {
		return err
	}
	for _, q := range quotas {
		id := q.RecordID()
		if q.Committed != committed[id] {
			q.Committed = committed[id]
			if err := view.Put(q); err != nil {
				return err
			}
		}
		delete(committed, id)
	}
	for id, sum := range committed {
		if sum == 0 {
			continue
		}
		mun, period, _ := strings.Cut(id, "/")
		if err := view.Put(app.Quota{Municipality: mun, Period: period, Committed: sum}); err != nil {
			return err
		}
	}
	contracts, err := app.List[app.Contract](view, "", "", 0)
	if err != nil {
		return err
	}
	for _, k := range contracts {
		changed := false
		for i := range k.Schedule {
			if s := &k.Schedule[i]; s.Settled && s.SettledIn == 0 {
				s.SettledIn, changed = s.Month, true
			}
		}
		if changed {
			if err := view.Put(k); err != nil {
				return err
			}
		}
	}
	return nil
}
