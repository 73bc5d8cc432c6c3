package app

import (
	"slices"
	"time"
)

func init() {
	register(func() Command { return &CloseMonth{} })
	register(func() Command { return &SubmitInvoice{} })
	register(func() Command { return &ApproveInvoice{} })
	register(func() Command { return &PayInvoice{} })
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
					s.Settled = true
					l.Paid -= s.Cert - s.Due
					l.Balance += s.Cert - s.Due
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
	for key, sum := range shares {
		amt := AdvanceMax(sum)
		if err := tx.Put(Invoice{ID: InvoiceID(key.provider, key.mun, c.Month, InvAdvance), Provider: key.provider,
			Municipality: key.mun, Month: c.Month, Type: InvAdvance, Amount: amt, Max: amt,
			Status: InvDraft, Due: (c.Month + 1).First().AddDays(9)}); err != nil {
			return err
		}
	}
	for key, due := range dues {
		adv, err := Get[Invoice](tx, InvoiceID(key.provider, key.mun, prev, InvAdvance))
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return err
		}
		amt := due - adv.Amount
		if err := tx.Put(Invoice{ID: InvoiceID(key.provider, key.mun, prev, InvFinal), Provider: key.provider,
			Municipality: key.mun, Month: prev, Type: InvFinal, Amount: amt, Max: amt,
			Status: InvDraft, Due: c.Month.First().AddDays(9)}); err != nil {
			return err
		}
	}
	r.LastClosed = c.Month
	return tx.Put(r)
}

var invoiceStatusRu = map[string]string{InvDraft: "черновик", InvSubmitted: "подан",
	InvApproved: "утверждён", InvPaid: "оплачен"}

// InvoiceStatusRu is the Russian name of an invoice status.
func InvoiceStatusRu(s string) string { return invoiceStatusRu[s] }

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
	return tx.Put(inv)
}
