package app

import "slices"

func init() {
	register(func() Command { return &DeclineApplication{} })
	register(func() Command { return &RetireApplications{} })
}

// SightDays is how long a provider keeps seeing a child after its last
// contract with the child ended or it declined the child's application
// (RULES.md §10).
const SightDays = 90

// Declined records that a provider declined a child's application.
type Declined struct {
	Provider string
	Date     Date
}

// DeclineApplication is a provider's refusal of a child's application (no
// place, not the child's age…): SightDays later the child's records leave
// the provider's node unless a contract binds them. A new application takes
// the refusal back. Errors: ECONFLICT when the child did not apply to the
// provider or has a contract in force with it.
type DeclineApplication struct {
	Certificate string
	Provider    string
}

func (c *DeclineApplication) Op() string { return "decline_application" }

func (c *DeclineApplication) Apply(tx Tx, m Meta) error {
	cert, err := Get[Certificate](tx, c.Certificate)
	if err != nil {
		return err
	}
	if !slices.Contains(cert.Providers, c.Provider) {
		return Errorf(ECONFLICT, "Ребёнок с сертификатом %s не подавал заявление этому исполнителю", cert.NumberRu())
	}
	ks, err := List[Contract](tx, IdxCertificate, cert.ID, 0)
	if err != nil {
		return err
	}
	for _, k := range ks {
		if k.Provider == c.Provider && k.InForce() {
			return Errorf(ECONFLICT, "По сертификату %s действует договор: сначала расторгните его", cert.NumberRu())
		}
	}
	cert.Declined = slices.DeleteFunc(cert.Declined, func(d Declined) bool { return d.Provider == c.Provider })
	cert.Declined = append(cert.Declined, Declined{Provider: c.Provider, Date: m.Today})
	return tx.Put(cert)
}

// RetireApplications is the server's daily job of RULES.md §10: a provider
// stops seeing a child (and its certificate) SightDays after its last
// contract with the child ended, or after it declined the child's
// application, unless a contract with it is in force; the pull then removes
// the child from the provider's node. A child who applied and was neither
// enrolled nor declined stays: the application is open. Errors:
// AUTHORITY_ONLY.
type RetireApplications struct{ Date Date }

func (c *RetireApplications) Op() string { return "retire_applications" }

func (c *RetireApplications) Apply(tx Tx, m Meta) error {
	if err := authorityOnly(m, "Снятие детей с узлов исполнителей"); err != nil {
		return err
	}
	if c.Date.IsZero() {
		return Errorf(EINVALID, "Не указана дата")
	}
	var ids []string
	if err := tx.Scan(KindCertificate, "", "", func(id string) bool { ids = append(ids, id); return true }); err != nil {
		return err
	}
	for _, id := range ids {
		cert, err := Get[Certificate](tx, id)
		if err != nil {
			return err
		}
		if len(cert.Providers) == 0 {
			continue
		}
		gone, err := sightEnded(tx, cert, c.Date)
		if err != nil || len(gone) == 0 {
			if err != nil {
				return err
			}
			continue
		}
		leaves := func(p string) bool { return slices.Contains(gone, p) }
		cert.Providers = slices.DeleteFunc(cert.Providers, leaves)
		cert.Declined = slices.DeleteFunc(cert.Declined, func(d Declined) bool { return leaves(d.Provider) })
		if err := tx.Put(cert); err != nil {
			return err
		}
		ch, err := Get[Child](tx, cert.Child)
		if err != nil {
			return err
		}
		ch.Providers = slices.DeleteFunc(ch.Providers, leaves)
		if err := tx.Put(ch); err != nil {
			return err
		}
	}
	return nil
}

// sightEnded lists the providers of cert whose sight of the child ended more
// than SightDays before today.
func sightEnded(r Reader, cert Certificate, today Date) ([]string, error) {
	ks, err := List[Contract](r, IdxCertificate, cert.ID, 0)
	if err != nil {
		return nil, err
	}
	var gone []string
	for _, p := range cert.Providers {
		var ended Date
		bound := false
		for _, k := range ks {
			switch {
			case k.Provider != p:
			case k.InForce():
				bound = true
			case k.Status == ContractRejected:
				ended = max(ended, k.Created)
			default:
				ended = max(ended, k.End)
			}
		}
		for _, d := range cert.Declined {
			if d.Provider == p {
				ended = max(ended, d.Date)
			}
		}
		if !bound && !ended.IsZero() && today > ended.AddDays(SightDays) {
			gone = append(gone, p)
		}
	}
	return gone, nil
}
