package app

// RetentionYears is how long a child's personal data is kept after the last
// contract ended, when nothing else calls for it (RULES.md §10).
const RetentionYears = 3

// ErasureDue lists the children of a municipality whose personal data is due
// for erasure on today: not erased yet, with contracts, none in force, the
// last of them ended more than RetentionYears ago. The municipality reviews
// the list and erases (EraseChild); nothing is erased without it. A child
// who never had a contract is not listed: only the guardian's withdrawal of
// consent ends that purpose.
func ErasureDue(r Reader, mun string, today Date) ([]Child, error) {
	children, err := List[Child](r, IdxMunicipality, mun, 0)
	if err != nil {
		return nil, err
	}
	y, mo, d := today.Parts()
	bound := NewDate(y-RetentionYears, mo, d)
	var out []Child
	for _, ch := range children {
		if !ch.Erased.IsZero() {
			continue
		}
		certs, err := List[Certificate](r, IdxChild, ch.ID, 0)
		if err != nil {
			return nil, err
		}
		var last Date
		inForce, any := false, false
		for _, c := range certs {
			ks, err := List[Contract](r, IdxCertificate, c.ID, 0)
			if err != nil {
				return nil, err
			}
			for _, k := range ks {
				any = true
				if k.InForce() {
					inForce = true
				}
				last = max(last, k.End)
			}
		}
		if any && !inForce && last < bound {
			out = append(out, ch)
		}
	}
	return out, nil
}
