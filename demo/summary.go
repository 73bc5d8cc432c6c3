package demo

import (
	"fmt"
	"strings"

	"kruzhok/app"
	"kruzhok/store"
)

// Summary counts what a database holds, as Build leaves it.
type Summary struct {
	Period                            string // the current period
	Municipalities                    int
	Financing, Accounting             int // municipalities in each mode for the period
	Providers                         int
	Programmes                        int
	Certified, Submitted, Denied      int // programmes by status (the rest are drafts)
	Listings                          int // entries of municipal registries
	Modules, Groups                   int
	Children                          int
	CertFinancing, CertAccounting     int // certificates by type
	Waiting                           int // financing requests in a queue
	Contracts                         int
	ContractsActive                   int
	ContractsTerminated               int // terminating or closed
	ContractsFunded                   int // paid from a certificate (the rest: municipal registry)
	Lessons, Cancelled                int // journal records; of them cancelled by the provider
	Marks                             int // attendance marks
	Invoices                          int
	InvDraft, InvSubmitted            int
	InvApproved, InvPaid              int
	Nominals, Reserved, Paid, Balance int64 // kopecks over every certificate ledger of the period
	Ops                               int   // ops in the outbox
}

// count reads the summary of st in one snapshot.
func count(st *store.DB) (Summary, error) {
	var s Summary
	err := st.View(func(r app.Reader) error {
		reg, err := app.Get[app.Region](r, "region")
		if err != nil {
			return err
		}
		s.Period = reg.Current
		muns, err := app.List[app.Municipality](r, "", "", 0)
		if err != nil {
			return err
		}
		s.Municipalities = len(muns)
		for _, m := range muns {
			p, err := app.Get[app.Params](r, m.Code+"/"+reg.Current)
			switch {
			case app.ErrorCode(err) == app.ENOTFOUND:
			case err != nil:
				return err
			case p.Mode == app.ModeFinancing:
				s.Financing++
			default:
				s.Accounting++
			}
		}
		if s.Providers, err = countKind(r, app.KindProvider); err != nil {
			return err
		}
		progs, err := app.List[app.Programme](r, "", "", 0)
		if err != nil {
			return err
		}
		s.Programmes = len(progs)
		for _, p := range progs {
			switch p.Status {
			case app.ProgCertified:
				s.Certified++
			case app.ProgSubmitted:
				s.Submitted++
			case app.ProgDenied:
				s.Denied++
			}
		}
		for kind, n := range map[app.Kind]*int{app.KindListing: &s.Listings, app.KindModule: &s.Modules,
			app.KindGroup: &s.Groups, app.KindChild: &s.Children} {
			if *n, err = countKind(r, kind); err != nil {
				return err
			}
		}
		certs, err := app.List[app.Certificate](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, c := range certs {
			if c.Type == app.CertFinancing {
				s.CertFinancing++
			} else {
				s.CertAccounting++
			}
			l := c.LedgerOf(reg.Current)
			s.Nominals += l.Nominal
			s.Reserved += l.Reserved
			s.Paid += l.Paid
			s.Balance += l.Balance
		}
		reqs, err := app.List[app.Request](r, "", "", 0)
		if err != nil {
			return err
		}
		for _, q := range reqs {
			if q.Status == app.ReqWaiting {
				s.Waiting++
			}
		}
		ks, err := app.List[app.Contract](r, "", "", 0)
		if err != nil {
			return err
		}
		s.Contracts = len(ks)
		for _, k := range ks {
			switch k.Status {
			case app.ContractActive:
				s.ContractsActive++
			case app.ContractTerminating, app.ContractClosed:
				s.ContractsTerminated++
			}
			if k.Funded {
				s.ContractsFunded++
			}
		}
		ls, err := app.List[app.Lesson](r, "", "", 0)
		if err != nil {
			return err
		}
		s.Lessons = len(ls)
		for _, l := range ls {
			if l.Cancelled {
				s.Cancelled++
			}
			s.Marks += len(l.Marks)
		}
		invs, err := app.List[app.Invoice](r, "", "", 0)
		if err != nil {
			return err
		}
		s.Invoices = len(invs)
		for _, inv := range invs {
			switch inv.Status {
			case app.InvDraft:
				s.InvDraft++
			case app.InvSubmitted:
				s.InvSubmitted++
			case app.InvApproved:
				s.InvApproved++
			case app.InvPaid:
				s.InvPaid++
			}
		}
		return nil
	})
	if err != nil {
		return s, fmt.Errorf("demo: count: %w", err)
	}
	if s.Ops, err = st.OutboxLen(); err != nil {
		return s, fmt.Errorf("demo: count ops: %w", err)
	}
	return s, nil
}

func countKind(r app.Reader, kind app.Kind) (int, error) {
	n := 0
	err := r.Scan(kind, "", "", func(string) bool { n++; return true })
	return n, err
}

// String is the summary as a user reads it, one topic a line.
func (s Summary) String() string {
	var b strings.Builder
	line := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	line("Период программ: %s", s.Period)
	line("Муниципалитетов: %d (финансирование — %d, только учёт — %d)", s.Municipalities, s.Financing, s.Accounting)
	line("Исполнителей: %d", s.Providers)
	line("Программ: %d (сертифицировано %d, на экспертизе %d, отказано %d, черновиков %d); в муниципальных реестрах: %d",
		s.Programmes, s.Certified, s.Submitted, s.Denied, s.Programmes-s.Certified-s.Submitted-s.Denied, s.Listings)
	line("Модулей: %d, групп: %d", s.Modules, s.Groups)
	line("Детей: %d; сертификатов финансирования: %d, учёта: %d; заявок в очереди: %d",
		s.Children, s.CertFinancing, s.CertAccounting, s.Waiting)
	line("Договоров: %d (действуют %d, расторгнуто %d; оплачиваются сертификатом %d, по муниципальному заданию %d)",
		s.Contracts, s.ContractsActive, s.ContractsTerminated, s.ContractsFunded, s.Contracts-s.ContractsFunded)
	line("Номиналы: %s; в резерве %s, оплачено %s, свободно %s",
		app.FormatRub(s.Nominals), app.FormatRub(s.Reserved), app.FormatRub(s.Paid), app.FormatRub(s.Balance))
	line("Занятий в журнале: %d (отменено %d), отметок посещаемости: %d", s.Lessons, s.Cancelled, s.Marks)
	line("Счетов: %d (черновиков %d, подано %d, утверждено %d, оплачено %d)",
		s.Invoices, s.InvDraft, s.InvSubmitted, s.InvApproved, s.InvPaid)
	line("Операций в журнале изменений: %d", s.Ops)
	return b.String()
}

// Count reads the summary of st: what Build would report of it.
func Count(st *store.DB) (Summary, error) { return count(st) }
