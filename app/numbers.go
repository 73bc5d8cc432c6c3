package app

import "fmt"

// Human numbers of documents (issue 11). The IDs stay the internal keys; the
// number is what a parent, a provider and a municipality read and quote. Only
// the authority (the server, a standalone region) assigns one, from its own
// counter per municipality, when it applies the command that creates the
// record: no command carries a number, so no node can choose one. A node's
// own copy has none until the pull brings the server's record, and shows
// NumberPending.

// NumberPending is what a document and a screen show for a number the
// authority has not assigned yet.
const NumberPending = "будет присвоен"

// ContractNumber is «ДД-27-2026-000123»: the paying municipality, the year
// the authority made the contract and its serial in that municipality and year.
func ContractNumber(mun string, year int, n uint64) string {
	return fmt.Sprintf("ДД-%s-%04d-%06d", mun, year, n)
}

// InvoiceNumber is «С-27-2026-12-А-0001»: the paying municipality, the month
// invoiced, А for an advance or И for a final, and the serial in that
// municipality and month (advances and finals share it).
func InvoiceNumber(mun string, m Month, typ string, n uint64) string {
	y, mm := m.Parts()
	letter := "И"
	if typ == InvAdvance {
		letter = "А"
	}
	return fmt.Sprintf("С-%s-%04d-%02d-%s-%04d", mun, y, int(mm), letter, n)
}

// NumberContract gives k its number from the authority's counter of k's
// municipality and the year of k.Created; a numbered contract keeps its own.
// The store's migration 5 numbers older contracts through it too.
func NumberContract(tx Tx, k *Contract) error {
	if k.Number != "" {
		return nil
	}
	made := k.Created
	if made.IsZero() { // a contract of a database older than the creation date
		made = k.Start
	}
	y, _, _ := made.Parts()
	n, err := tx.NextSerial(fmt.Sprintf("contract/%s/%04d", k.Municipality, y))
	if err != nil {
		return err
	}
	k.Number = ContractNumber(k.Municipality, y, n)
	return nil
}

// NumberInvoice gives inv its number from the authority's counter of its
// municipality and month; a numbered invoice keeps its own.
func NumberInvoice(tx Tx, inv *Invoice) error {
	if inv.Number != "" {
		return nil
	}
	n, err := tx.NextSerial("invoice/" + inv.Municipality + "/" + inv.Month.String())
	if err != nil {
		return err
	}
	inv.Number = InvoiceNumber(inv.Municipality, inv.Month, inv.Type, n)
	return nil
}

// NumberRu is the contract's number, or NumberPending before the authority
// has assigned one.
func (c Contract) NumberRu() string { return numberOr(c.Number) }

// NumberRu is the invoice's number, or NumberPending before the authority
// has assigned one.
func (i Invoice) NumberRu() string { return numberOr(i.Number) }

// Title is «Договор № ДД-27-2026-000123», or «Договор (номер будет
// присвоен)» before the authority has numbered it.
func (c Contract) Title() string {
	if c.Number == "" {
		return "Договор (номер " + NumberPending + ")"
	}
	return "Договор № " + c.Number
}

// Title is «Счёт № С-27-2026-12-А-0001».
func (i Invoice) Title() string {
	if i.Number == "" {
		return "Счёт (номер " + NumberPending + ")"
	}
	return "Счёт № " + i.Number
}

func numberOr(n string) string {
	if n == "" {
		return NumberPending
	}
	return n
}

// NumberRu is the certificate's number, or «(номер ещё не присвоен)» on a
// node before the pull brings the authority's number: a message never shows
// «Сертификат  не является…» with the number missing.
func (c Certificate) NumberRu() string {
	if c.Number == "" {
		return "(номер ещё не присвоен)"
	}
	return c.Number
}
