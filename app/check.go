package app

import "fmt"

// Check verifies the domain invariants of a database and returns one line per
// breach (empty when all hold):
//   - every certificate ledger: balance + reserved + paid == nominal, every term ≥ 0;
//   - reserved equals the unwritten shares of the contracts in force, and paid
//     the written-off shares less what completeness returned;
//   - per municipality and period: active financing certificates and their
//     nominals match the quota counters and never exceed quota or sum limit;
//   - the waiting queue matches its counter; group places match contracts.
//
// CheckNode verifies what a node's partial view can show: every ledger of
// every certificate it holds balances with non-negative terms. The counters of
// Check need the whole region and hold on the server.
func CheckNode(r Reader) []string {
	var out []string
	certs, err := List[Certificate](r, "", "", 0)
	if err != nil {
		return []string{"certificates: " + err.Error()}
	}
	for _, c := range certs {
		for _, l := range c.Ledgers {
			if !l.Holds() {
				out = append(out, fmt.Sprintf("сертификат %s период %s: баланс %d + резерв %d + оплачено %d ≠ номинал %d или член < 0",
					c.Number, l.Period, l.Balance, l.Reserved, l.Paid, l.Nominal))
			}
		}
	}
	return out
}

func Check(r Reader) []string {
	var out []string
	bad := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	type ledgerKey struct{ cert, period string }
	reserved := map[ledgerKey]int64{}
	paid := map[ledgerKey]int64{}
	taken := map[string]int64{}
	dirs := map[string]int64{}
	contracts, err := List[Contract](r, "", "", 0)
	if err != nil {
		return []string{"contracts: " + err.Error()}
	}
	for _, k := range contracts {
		if k.Status == ContractActive || k.Status == ContractRequested {
			taken[k.Group]++
			if k.Funded {
				dirs[k.Municipality+"/"+k.Period+"/"+k.Direction]++
			}
		}
		var sum int64
		for _, s := range k.Schedule {
			lk := ledgerKey{k.Certificate, k.Period}
			sum += s.Cert
			switch {
			case s.Returned:
			case !s.WrittenOff && k.InForce():
				reserved[lk] += s.Cert
			case s.WrittenOff && s.Settled:
				paid[lk] += s.Due
			case s.WrittenOff:
				paid[lk] += s.Cert
			}
		}
		if k.Funded && sum != k.Quote.Cert {
			bad("договор %s: график %d коп. ≠ сумма сертификата %d коп.", k.ID, sum, k.Quote.Cert)
		}
	}
	type qk struct{ mun, period string }
	active := map[qk]int64{}
	nominals := map[qk]int64{}
	certs, err := List[Certificate](r, "", "", 0)
	if err != nil {
		return append(out, "certificates: "+err.Error())
	}
	for _, c := range certs {
		for _, l := range c.Ledgers {
			if !l.Holds() {
				bad("сертификат %s период %s: баланс %d + резерв %d + оплачено %d ≠ номинал %d или член < 0",
					c.Number, l.Period, l.Balance, l.Reserved, l.Paid, l.Nominal)
			}
			lk := ledgerKey{c.ID, l.Period}
			if l.Reserved != reserved[lk] {
				bad("сертификат %s период %s: резерв %d ≠ невыплаченным долям договоров %d", c.Number, l.Period, l.Reserved, reserved[lk])
			}
			if l.Paid != paid[lk] {
				bad("сертификат %s период %s: оплачено %d ≠ списанным долям договоров %d", c.Number, l.Period, l.Paid, paid[lk])
			}
		}
		if c.Type == CertFinancing {
			active[qk{c.Municipality, c.Period}]++
			nominals[qk{c.Municipality, c.Period}] += c.LedgerOf(c.Period).Nominal
		}
	}
	waiting := map[qk]int64{}
	reqs, err := List[Request](r, "", "", 0)
	if err != nil {
		return append(out, "requests: "+err.Error())
	}
	for _, q := range reqs {
		if q.Status == ReqWaiting {
			waiting[qk{q.Municipality, q.Period}]++
		}
	}
	quotas, err := List[Quota](r, "", "", 0)
	if err != nil {
		return append(out, "quotas: "+err.Error())
	}
	seen := map[qk]bool{}
	for _, q := range quotas {
		k := qk{q.Municipality, q.Period}
		seen[k] = true
		if q.Active != active[k] || q.SumNominals != nominals[k] {
			bad("квота %s/%s: счётчик %d сертификатов на %d коп., фактически %d на %d коп.", q.Municipality, q.Period, q.Active, q.SumNominals, active[k], nominals[k])
		}
		if q.Waiting != waiting[k] {
			bad("очередь %s/%s: счётчик %d, фактически %d заявок", q.Municipality, q.Period, q.Waiting, waiting[k])
		}
		for d, n := range q.Directions {
			if n != dirs[q.Municipality+"/"+q.Period+"/"+d] {
				bad("направленность %s в %s/%s: счётчик %d, фактически %d", d, q.Municipality, q.Period, n, dirs[q.Municipality+"/"+q.Period+"/"+d])
			}
		}
		if p, err := Get[Params](r, q.Municipality+"/"+q.Period); err == nil {
			if q.Active > p.Quota {
				bad("квота %s/%s превышена: %d сертификатов финансирования при квоте %d", q.Municipality, q.Period, q.Active, p.Quota)
			}
			if p.SumLimit > 0 && q.SumNominals > p.SumLimit {
				bad("лимит суммы номиналов %s/%s превышен: %d > %d", q.Municipality, q.Period, q.SumNominals, p.SumLimit)
			}
		}
	}
	for k, n := range active {
		if !seen[k] && n > 0 {
			bad("квота %s/%s: нет счётчика при %d сертификатах", k.mun, k.period, n)
		}
	}
	groups, err := List[Group](r, "", "", 0)
	if err != nil {
		return append(out, "groups: "+err.Error())
	}
	for _, g := range groups {
		if g.Taken != taken[g.ID] || g.Taken > g.Capacity || g.Taken < 0 {
			bad("группа %s: занято %d мест, договоров %d, вместимость %d", g.ID, g.Taken, taken[g.ID], g.Capacity)
		}
	}
	return out
}
