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
	numbers := map[string]string{} // a document's number → the record that holds it
	unique := func(kind, number, id string) {
		if number == "" {
			return
		}
		if other, dup := numbers[number]; dup {
			bad("%s: номер %s у двух документов (%s и %s)", kind, number, other, id)
		}
		numbers[number] = id
	}
	for _, k := range contracts {
		unique("договор", k.Number, k.ID)
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
	out = append(out, checkBudgets(r, quotas, certs)...)
	out = append(out, checkInvoices(r, contracts)...)
	invs, err := List[Invoice](r, "", "", 0)
	if err != nil {
		return append(out, "invoices: "+err.Error())
	}
	for _, inv := range invs {
		unique("счёт", inv.Number, inv.ID)
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

// checkBudgets: per municipality and period, the budget counter equals
// Σ reserved + paid of its certificates, and stays within the budget limit
// where one is set (RULES.md §8).
func checkBudgets(r Reader, quotas []Quota, certs []Certificate) []string {
	var out []string
	type qk struct{ mun, period string }
	committed := map[qk]int64{}
	for _, c := range certs {
		for _, l := range c.Ledgers {
			committed[qk{c.Municipality, l.Period}] += l.Reserved + l.Paid
		}
	}
	seen := map[qk]bool{}
	for _, q := range quotas {
		k := qk{q.Municipality, q.Period}
		seen[k] = true
		if q.Committed != committed[k] {
			out = append(out, fmt.Sprintf("бюджет %s/%s: счётчик %d коп., резерв и оплата сертификатов %d коп.", q.Municipality, q.Period, q.Committed, committed[k]))
		}
		if p, err := Get[Params](r, q.Municipality+"/"+q.Period); err == nil && p.BudgetLimit > 0 && q.Committed > p.BudgetLimit {
			out = append(out, fmt.Sprintf("лимит бюджета %s/%s превышен: %d > %d коп.", q.Municipality, q.Period, q.Committed, p.BudgetLimit))
		}
	}
	for k, n := range committed {
		if !seen[k] && n != 0 {
			out = append(out, fmt.Sprintf("бюджет %s/%s: нет счётчика при %d коп.", k.mun, k.period, n))
		}
	}
	return out
}

// checkInvoices is the invoice invariant of RULES.md §8, per provider,
// municipality and month: once the final exists, the advance submitted (or
// later) plus the final equals Σ due of the shares settled into it, to the
// kopeck; before it, the advance is at most floor(80 % × Σ shares) of the
// month's written-off shares.
func checkInvoices(r Reader, contracts []Contract) []string {
	var out []string
	type ik struct {
		provider, mun string
		month         Month
	}
	due := map[ik]int64{}
	shares := map[ik]int64{}
	for _, k := range contracts {
		for _, s := range k.Schedule {
			if s.Settled {
				due[ik{k.Provider, k.Municipality, s.SettledIn}] += s.Due
			}
			if s.WrittenOff {
				shares[ik{k.Provider, k.Municipality, s.Month}] += s.Cert
			}
		}
	}
	invs, err := List[Invoice](r, "", "", 0)
	if err != nil {
		return []string{"invoices: " + err.Error()}
	}
	adv := map[ik]Invoice{}
	final := map[ik]Invoice{}
	for _, inv := range invs {
		key := ik{inv.Provider, inv.Municipality, inv.Month}
		switch inv.Type {
		case InvAdvance:
			adv[key] = inv
		case InvFinal:
			final[key] = inv
		}
		if inv.Status == InvApproved || inv.Status == InvPaid {
			if inv.Amount > inv.Max {
				out = append(out, fmt.Sprintf("счёт %s: утверждён на %d коп. при начисленных %d коп.", inv.ID, inv.Amount, inv.Max))
			}
		}
	}
	for key, a := range adv {
		if _, ok := final[key]; ok {
			continue
		}
		if a.Amount > AdvanceMax(shares[key]) || a.Amount > a.Max {
			out = append(out, fmt.Sprintf("аванс %s: %d коп. больше 80%% начислений %d коп.", a.ID, a.Amount, shares[key]))
		}
	}
	for key, f := range final {
		a := advanceSubmitted(adv[key])
		if adv[key].Status == InvDraft {
			out = append(out, fmt.Sprintf("аванс %s остался черновиком после итогового счёта", adv[key].ID))
		}
		if a+f.Amount != due[key] {
			out = append(out, fmt.Sprintf("счета %s/%s за %s: аванс %d + итог %d ≠ к оплате %d коп.", key.provider, key.mun, key.month, a, f.Amount, due[key]))
		}
	}
	return out
}
