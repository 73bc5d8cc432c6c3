package app

// ComputeQuote returns the money of a contract exactly as RULES.md §6 states:
// Dg = days of the group (groupStart…groupEnd), Dc = days of the contract
// (start…end), M = calendar months touched, B = the certificate's balance.
// All arithmetic is in int64 kopecks with the stated rounding.
func ComputeQuote(groupStart, groupEnd, start, end Date, price, norm, balance int64) Quote {
	q := Quote{
		GroupDays: DaysInclusive(groupStart, groupEnd),
		Days:      DaysInclusive(start, end),
	}
	if q.GroupDays == 0 || q.Days == 0 {
		return q
	}
	q.Months = int64(end.Month()-start.Month()) + 1
	q.FirstDays = DaysInclusive(start, min(start.Month().Last(), end))
	q.All = ceilDiv(q.Days*price, q.GroupDays)
	q.Norm = ceilDiv(q.Days*norm, q.GroupDays)
	q.Cert = minInt64(q.All, q.Norm, max(balance, 0))
	q.Parent = q.All - q.Cert
	q.CertFirst, q.CertOther = q.split(q.Cert)
	q.ParentFirst, q.ParentOther = q.split(q.Parent)
	return q
}

// split divides an amount into the first month's share and every other
// month's share: other = floor((Dc − D1) × x / (Dc × (M − 1))).
func (q Quote) split(x int64) (first, other int64) {
	if q.Months <= 1 {
		return x, 0
	}
	other = (q.Days - q.FirstDays) * x / (q.Days * (q.Months - 1))
	return x - other*(q.Months-1), other
}

// Schedule lays the quote out month by month from the start month.
func (q Quote) Schedule(start Date) []MonthShare {
	out := make([]MonthShare, 0, q.Months)
	for i := int64(0); i < q.Months; i++ {
		s := MonthShare{Month: start.Month() + Month(i), Cert: q.CertOther, Parent: q.ParentOther}
		if i == 0 {
			s.Cert, s.Parent = q.CertFirst, q.ParentFirst
		}
		out = append(out, s)
	}
	return out
}

// Completeness is floor(100 × held / scheduled); 100 when nothing was scheduled.
func Completeness(scheduled, cancelled int) int64 {
	if scheduled <= 0 || cancelled <= 0 {
		return 100
	}
	held := max(scheduled-cancelled, 0)
	return int64(100 * held / scheduled)
}

// DueAfterCompleteness is floor(share × c / 100).
func DueAfterCompleteness(share, c int64) int64 { return share * c / 100 }

// AdvanceMax is floor(80 % × Σ shares).
func AdvanceMax(shares int64) int64 { return shares * 80 / 100 }
