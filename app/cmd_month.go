package app

import (
	"maps"
	"slices"
	"strings"
	"time"
)

func init() {
	register(func() Command { return &CloseMonth{} })
	register(func() Command { return &SubmitInvoice{} })
	register(func() Command { return &ApproveInvoice{} })
	register(func() Command { return &PayInvoice{} })
	register(func() Command { return &RecordRefund{} })
}

// CloseMonth is the month-close job of the authority, run on the 1st of Month:
//   - write-off: for every funded contract in force, each month up to Month not
//     yet written off moves its share from reserved to paid;
//   - one advance invoice per provider and municipality for Month, at most
//     floor(80 % × Σ shares of the contracts in force);
//   - the final settlement of the previous month: due = floor(share × c / 100)
//     with the group's completeness c, share − due returns from paid to the
//     balance, and the final invoice is Σ due − advance invoiced;
//   - terminating contracts whose end has passed are closed.
//
// Errors: MONTH_CLOSED when Month is not after the last closed month.
type CloseMonth struct{ Month Month }

func (c *CloseMonth) Op() string { return "close_month" }

type invKey struct{ provider, mun string }

func (c *CloseMonth) Apply(tx Tx, m Meta) error {
	if err := authorityOnly(m, "Закрытие месяца"); err != nil {
		return err
	}
	r, err := region(tx)
	if err != nil {
		return err
	}
	if c.Month < MonthOf(2000, time.January) || c.Month > MonthOf(2200, time.January) {
		return Errorf(EINVALID, "Неверный месяц")
	}
	if c.Month <= r.LastClosed {
		return Errorf(MONTH_CLOSED, "Месяц %s уже закрыт (последний закрытый — %s)", c.Month.Russian(), r.LastClosed.Russian())
	}
	if r.LastClosed != 0 && c.Month != r.LastClosed+1 {
		return Errorf(MONTH_CLOSED, "Месяцы закрываются по порядку: сначала %s", (r.LastClosed + 1).Russian())
	}
	prev := c.Month - 1
	var ids []string
	for _, st := range []string{ContractActive, ContractTerminating} {
		if err := tx.Scan(KindContract, IdxStatus, st, func(id string) bool { ids = append(ids, id); return true }); err != nil {
			return err
		}
	}
	slices.Sort(ids)
	shares := map[invKey]int64{}
	dues := map[invKey]int64{}
	completeness := map[string]int64{}
	returned := map[[2]string]int64{} // municipality, period → what completeness returned
	for _, id := range ids {
		k, err := Get[Contract](tx, id)
		if err != nil {
			return err
		}
		key := invKey{k.Provider, k.Municipality}
		if k.Funded {
			cert, err := Get[Certificate](tx, k.Certificate)
			if err != nil {
				return err
			}
			l := cert.Ledger(k.Period)
			for i := range k.Schedule {
				s := &k.Schedule[i]
				if s.Month <= c.Month && !s.WrittenOff && !s.Returned {
					l.Reserved -= s.Cert
					l.Paid += s.Cert
					s.WrittenOff = true
				}
				if s.Month == c.Month && s.WrittenOff {
					shares[key] += s.Cert
				}
				if s.Month <= prev && s.WrittenOff && !s.Settled {
					cp, ok := completeness[k.Group+s.Month.String()]
					if !ok {
						g, err := Get[Group](tx, k.Group)
						if err != nil {
							return err
						}
						if cp, err = GroupCompleteness(tx, g, s.Month); err != nil {
							return err
						}
						completeness[k.Group+s.Month.String()] = cp
					}
					s.Due = DueAfterCompleteness(s.Cert, cp)
					s.Settled, s.SettledIn = true, prev
					l.Paid -= s.Cert - s.Due
					l.Balance += s.Cert - s.Due
					returned[[2]string{k.Municipality, k.Period}] += s.Cert - s.Due
					dues[key] += s.Due // late write-offs of earlier months settle into this final invoice
				}
			}
			if err := tx.Put(cert); err != nil {
				return err
			}
		}
		if k.Status == ContractTerminating && k.End < c.Month.First() {
			k.Status = ContractClosed
		}
		if err := tx.Put(k); err != nil {
			return err
		}
	}
	// In key order: the authority numbers the invoices as it draws them.
	for _, key := range sortedKeys(shares) {
		amt := AdvanceMax(shares[key])
		inv := Invoice{ID: InvoiceID(key.provider, key.mun, c.Month, InvAdvance), Provider: key.provider,
			Municipality: key.mun, Month: c.Month, Type: InvAdvance, Amount: amt, Max: amt,
			Status: InvDraft, Due: (c.Month + 1).First().AddDays(9)}
		if err := NumberInvoice(tx, &inv); err != nil {
			return err
		}
		if err := tx.Put(inv); err != nil {
			return err
		}
	}
	for _, mp := range slices.SortedFunc(maps.Keys(returned), func(a, b [2]string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) }) {
		if err := commit(tx, mp[0], mp[1], -returned[mp]); err != nil {
			return err
		}
	}
	// Every advance of the previous month gets its final, dues or not.
	advances, err := invoicesOf(tx, prev, InvAdvance)
	if err != nil {
		return err
	}
	for _, adv := range advances {
		key := invKey{adv.Provider, adv.Municipality}
		dues[key] += 0
	}
	for _, key := range sortedKeys(dues) {
		if err := drawFinal(tx, key, prev, dues[key]); err != nil {
			return err
		}
	}
	r.LastClosed = c.Month
	return tx.Put(r)
}

// sortedKeys are the provider × municipality keys of m, by provider then municipality.
func sortedKeys(m map[invKey]int64) []invKey {
	return slices.SortedFunc(maps.Keys(m), func(a, b invKey) int {
		if a.provider != b.provider {
			return strings.Compare(a.provider, b.provider)
		}
		return strings.Compare(a.mun, b.mun)
	})
}

// drawFinal draws the final invoice of a provider and municipality for month
// (RULES.md §8): Σ due less the advance the provider submitted. An advance
// still in draft is withdrawn (amount 0): the provider is paid what is due,
// whatever it asked or did not ask in advance. A negative final is a refund.
func drawFinal(tx Tx, key invKey, month Month, due int64) error {
	adv, err := Get[Invoice](tx, InvoiceID(key.provider, key.mun, month, InvAdvance))
	switch {
	case ErrorCode(err) == ENOTFOUND:
		adv = Invoice{}
	case err != nil:
		return err
	case adv.Status == InvDraft:
		adv.Status, adv.Amount = InvWithdrawn, 0
		if err := tx.Put(adv); err != nil {
			return err
		}
	}
	amt := due - advanceSubmitted(adv)
	inv := Invoice{ID: InvoiceID(key.provider, key.mun, month, InvFinal), Provider: key.provider,
		Municipality: key.mun, Month: month, Type: InvFinal, Amount: amt, Max: amt,
		Status: InvDraft, Due: (month + 1).First().AddDays(9)}
	if err := NumberInvoice(tx, &inv); err != nil {
		return err
	}
	return tx.Put(inv)
}

// advanceSubmitted is what an advance claims once submitted (0 for a draft
// or a withdrawn one).
func advanceSubmitted(adv Invoice) int64 {
	switch adv.Status {
	case InvSubmitted, InvApproved, InvPaid:
		return adv.Amount
	}
	return 0
}

// invoicesOf lists the invoices of a type for a month, in every municipality.
func invoicesOf(r Reader, month Month, typ string) ([]Invoice, error) {
	var muns []string
	if err := r.Scan(KindMunicipality, "", "", func(id string) bool { muns = append(muns, id); return true }); err != nil {
		return nil, err
	}
	var out []Invoice
	for _, mun := range muns {
		invs, err := List[Invoice](r, IdxMunicipality, mun+"|"+month.String(), 0)
		if err != nil {
			return nil, err
		}
		for _, inv := range invs {
			if inv.Type == typ {
				out = append(out, inv)
			}
		}
	}
	return out, nil
}

var invoiceStatusRu = map[string]string{InvDraft: "черновик", InvSubmitted: "подан",
	InvApproved: "утверждён", InvPaid: "оплачен", InvWithdrawn: "отозван", InvRefunded: "возврат получен"}

// InvoiceStatusRu is the Russian name of an invoice status.
func InvoiceStatusRu(s string) string { return invoiceStatusRu[s] }

// commit moves the budget counter of a municipality's period by delta.
func commit(tx Tx, mun, period string, delta int64) error {
	if delta == 0 {
		return nil
	}
	q, err := quotaOf(tx, mun, period)
	if err != nil {
		return err
	}
	q.Committed += delta
	return tx.Put(q)
}

func moveInvoice(tx Tx, id, from, to string) (Invoice, error) {
	inv, err := Get[Invoice](tx, id)
	if err != nil {
		return inv, err
	}
	if inv.Status != from {
		return inv, Errorf(INVOICE_STATUS, "Счёт в статусе «%s»: действие недоступно", invoiceStatusRu[inv.Status])
	}
	inv.Status = to
	return inv, nil
}

// SubmitInvoice submits a draft invoice; the provider may ask less than the
// maximum of an advance. Errors: INVOICE_STATUS, INVOICE_ABOVE_LIMIT, EINVALID.
type SubmitInvoice struct {
	Invoice string
	Amount  int64
}

func (c *SubmitInvoice) Op() string { return "submit_invoice" }

func (c *SubmitInvoice) Apply(tx Tx, m Meta) error {
	inv, err := moveInvoice(tx, c.Invoice, InvDraft, InvSubmitted)
	if err != nil {
		return err
	}
	if inv.Type == InvAdvance {
		if ok, err := exists[Invoice](tx, InvoiceID(inv.Provider, inv.Municipality, inv.Month, InvFinal)); err != nil {
			return err
		} else if ok {
			return Errorf(INVOICE_STATUS, "Итоговый счёт за %s уже выставлен: аванс подать нельзя", inv.Month.Russian())
		}
		if err := checkAmount("Сумма счёта", c.Amount); err != nil {
			return err
		}
		if c.Amount > inv.Max {
			return Errorf(INVOICE_ABOVE_LIMIT, "Аванс не может превышать %s (80%% начислений месяца)", FormatRub(inv.Max))
		}
		inv.Amount = c.Amount
	}
	return tx.Put(inv)
}

// ApproveInvoice is the municipality's approval of a submitted invoice.
type ApproveInvoice struct{ Invoice string }

func (c *ApproveInvoice) Op() string { return "approve_invoice" }

func (c *ApproveInvoice) Apply(tx Tx, m Meta) error {
	inv, err := moveInvoice(tx, c.Invoice, InvSubmitted, InvApproved)
	if err != nil {
		return err
	}
	if inv.Amount > inv.Max {
		return Errorf(INVOICE_ABOVE_LIMIT, "Счёт на %s больше начисленного по договорам (%s): утвердить нельзя", FormatRub(inv.Amount), FormatRub(inv.Max))
	}
	return tx.Put(inv)
}

// PayInvoice records the payment of an approved invoice.
type PayInvoice struct{ Invoice string }

func (c *PayInvoice) Op() string { return "pay_invoice" }

func (c *PayInvoice) Apply(tx Tx, m Meta) error {
	inv, err := moveInvoice(tx, c.Invoice, InvApproved, InvPaid)
	if err != nil {
		return err
	}
	if inv.Amount < 0 {
		return Errorf(INVOICE_STATUS, "Счёт на %s — это возврат исполнителя: отметьте получение возврата", FormatRub(inv.Amount))
	}
	return tx.Put(inv)
}

// RecordRefund records that the provider returned the money of a negative
// final invoice (it was advanced more than was due, RULES.md §8); the
// municipality records it once the invoice is approved. Errors: INVOICE_STATUS.
type RecordRefund struct{ Invoice string }

func (c *RecordRefund) Op() string { return "record_refund" }

func (c *RecordRefund) Apply(tx Tx, m Meta) error {
	inv, err := moveInvoice(tx, c.Invoice, InvApproved, InvRefunded)
	if err != nil {
		return err
	}
	if inv.Amount >= 0 {
		return Errorf(INVOICE_STATUS, "Счёт на %s — не возврат: его оплачивают", FormatRub(inv.Amount))
	}
	return tx.Put(inv)
}
