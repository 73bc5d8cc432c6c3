package app

import "fmt"

func init() {
	register(func() Command { return &Enrol{} })
	register(func() Command { return &Terminate{} })
}

// Enrolment is everything a contract needs, loaded and checked: the quote the
// family is shown and the authority recomputes.
type Enrolment struct {
	Group     Group
	Module    Module
	Programme Programme
	Provider  Provider
	Child     Child
	Cert      Certificate
	Period    Period
	Start     Date
	End       Date
	Funded    bool
	Quote     Quote
}

// PrepareEnrolment checks every precondition of RULES.md §6 for enrolling the
// certificate's holder into the group from start, and computes the quote.
// Errors: PROVIDER_NOT_ACTIVE, PROGRAMME_NOT_CERTIFIED, CERTIFICATE_NOT_FUNDED,
// ENROLMENT_CLOSED, GROUP_FULL, AGE_OUT_OF_RANGE, AGE_NOT_IN_GROUP,
// DUPLICATE_MODULE, CERTIFICATE_FROZEN, BALANCE_INSUFFICIENT, DIRECTION_LIMIT,
// MUNICIPAL_PLACES_FULL, DATE_OUT_OF_PERIOD.
func PrepareEnrolment(tx Reader, certID, groupID string, start, today Date) (Enrolment, error) {
	var e Enrolment
	var err error
	if e.Group, err = Get[Group](tx, groupID); err != nil {
		return e, err
	}
	if e.Module, err = Get[Module](tx, e.Group.Module); err != nil {
		return e, err
	}
	if e.Programme, err = Get[Programme](tx, e.Group.Programme); err != nil {
		return e, err
	}
	if e.Provider, err = Get[Provider](tx, e.Group.Provider); err != nil {
		return e, err
	}
	if e.Cert, err = Get[Certificate](tx, certID); err != nil {
		return e, err
	}
	if e.Child, err = Get[Child](tx, e.Cert.Child); err != nil {
		return e, err
	}
	if err := notErased(e.Child); err != nil {
		return e, err
	}
	if e.Provider.Status != ProviderActive {
		return e, Errorf(PROVIDER_NOT_ACTIVE, "Исполнитель «%s» не допущен к приёму детей", e.Provider.Name)
	}
	if e.Cert.Status == CertFrozen {
		return e, Errorf(CERTIFICATE_FROZEN, "Сертификат %s заморожен", e.Cert.NumberRu())
	}
	if e.Cert.Unconfirmed {
		return e, errUnconfirmed(e.Cert)
	}
	if start < e.Group.Start || start > e.Group.End {
		return e, Errorf(DATE_OUT_OF_PERIOD, "Дата начала %s вне сроков группы %s – %s", start.Russian(), e.Group.Start.Russian(), e.Group.End.Russian())
	}
	if e.Period, err = periodOf(tx, start); err != nil {
		return e, err
	}
	e.Start, e.End = start, min(e.Group.End, e.Period.End)
	if today < e.Group.EnrolFrom || today > e.Group.EnrolTo {
		return e, Errorf(ENROLMENT_CLOSED, "Приём в группу «%s» открыт с %s по %s", e.Group.Name, e.Group.EnrolFrom.Russian(), e.Group.EnrolTo.Russian())
	}
	if e.Group.Free() <= 0 {
		return e, Errorf(GROUP_FULL, "В группе «%s» нет свободных мест", e.Group.Name)
	}
	if err := CheckAge(e.Child.BirthDate, start); err != nil {
		return e, err
	}
	if a := AgeOn(e.Child.BirthDate, start); a < e.Group.AgeMin || a > e.Group.AgeMax {
		return e, Errorf(AGE_NOT_IN_GROUP, "Группа «%s» для детей %d–%d лет, ребёнку на %s — %d", e.Group.Name, e.Group.AgeMin, e.Group.AgeMax, start.Russian(), a)
	}
	others, err := List[Contract](tx, IdxCertificate, e.Cert.ID, 0)
	if err != nil {
		return e, err
	}
	for _, k := range others {
		if k.Module == e.Module.ID && (k.Status == ContractActive || k.Status == ContractRequested) {
			return e, Errorf(DUPLICATE_MODULE, "Ребёнок уже обучается по модулю «%s»", e.Module.Name)
		}
	}
	listing, lerr := Get[Listing](tx, e.Cert.Municipality+"/"+e.Programme.ID)
	switch {
	case lerr == nil:
		if listing.Places > 0 && listing.Enrolled >= listing.Places {
			return e, Errorf(MUNICIPAL_PLACES_FULL, "Места по муниципальному заданию на программу «%s» закончились", e.Programme.Title)
		}
		return e, nil
	case ErrorCode(lerr) != ENOTFOUND:
		return e, lerr
	case e.Programme.Status != ProgCertified:
		return e, Errorf(PROGRAMME_NOT_CERTIFIED, "Программа «%s» не прошла сертификацию и не входит в муниципальный реестр: оплатить её сертификатом нельзя", e.Programme.Title)
	case e.Cert.Type != CertFinancing || e.Cert.Period != e.Period.ID:
		return e, Errorf(CERTIFICATE_NOT_FUNDED, "Сертификат %s не является сертификатом финансирования на период %s", e.Cert.NumberRu(), e.Period.ID)
	}
	e.Funded = true
	params, err := paramsOf(tx, e.Cert.Municipality, e.Period.ID)
	if err != nil {
		return e, err
	}
	if limit, ok := params.DirectionLimits[e.Programme.Direction]; ok {
		q, err := quotaOf(tx, e.Cert.Municipality, e.Period.ID)
		if err != nil {
			return e, err
		}
		if q.Directions[e.Programme.Direction] >= limit {
			return e, Errorf(DIRECTION_LIMIT, "Достигнут лимит муниципалитета по направленности: %d зачислений", limit)
		}
	}
	b := e.Cert.LedgerOf(e.Period.ID).Balance
	if b <= 0 {
		return e, Errorf(BALANCE_INSUFFICIENT, "На сертификате %s нет свободного остатка", e.Cert.NumberRu())
	}
	e.Quote = ComputeQuote(e.Group.Start, e.Group.End, e.Start, e.End, e.Module.Price, e.Module.NormPrice, b)
	if params.BudgetLimit > 0 {
		q, err := quotaOf(tx, e.Cert.Municipality, e.Period.ID)
		if err != nil {
			return e, err
		}
		if q.Committed+e.Quote.Cert > params.BudgetLimit {
			return e, &Error{Code: BUDGET_LIMIT,
				Detail: fmt.Sprintf("limit=%s committed=%s cert=%s", kopDot(params.BudgetLimit), kopDot(q.Committed), kopDot(e.Quote.Cert)),
				Message: fmt.Sprintf("Лимит бюджета муниципалитета %s на период %s исчерпан: зарезервировано и оплачено %s из %s, договор требует %s",
					e.Cert.Municipality, e.Period.ID, FormatRub(q.Committed), FormatRub(params.BudgetLimit), FormatRub(e.Quote.Cert))}
		}
	}
	return e, nil
}

// Enrol makes a contract. On a funded programme the certificate part is
// reserved at once: balance −= cert, reserved += cert. QuotedCert and
// QuotedParent are what the family was shown; when the authority's figures
// differ the contract is rejected with BALANCE_CHANGED and the figures. A
// family part needs ParentConfirmed. Errors: those of PrepareEnrolment,
// BALANCE_CHANGED, PARENT_NOT_CONFIRMED, ECONFLICT.
type Enrol struct {
	ID              string
	Certificate     string
	Group           string
	Start           Date
	QuotedCert      int64
	QuotedParent    int64
	ParentConfirmed bool
}

func (c *Enrol) Op() string { return "enrol" }

func (c *Enrol) Apply(tx Tx, m Meta) error {
	if err := checkID("договора", c.ID); err != nil {
		return err
	}
	if ok, err := exists[Contract](tx, c.ID); err != nil {
		return err
	} else if ok {
		return Errorf(ECONFLICT, "Договор уже заключён")
	}
	e, err := PrepareEnrolment(tx, c.Certificate, c.Group, c.Start, m.Today)
	if err != nil {
		return err
	}
	q := e.Quote
	if q.Cert != c.QuotedCert || q.Parent != c.QuotedParent {
		b := e.Cert.LedgerOf(e.Period.ID).Balance
		return &Error{Code: BALANCE_CHANGED,
			Detail: fmt.Sprintf("available=%s cert=%s parent=%s", kopDot(b), kopDot(q.Cert), kopDot(q.Parent)),
			Message: fmt.Sprintf("Условия изменились: на сертификате доступно %s; сертификатом оплачивается %s (было %s), родителем %s (было %s). Покажите семье новый расчёт",
				FormatRub(b), FormatRub(q.Cert), FormatRub(c.QuotedCert), FormatRub(q.Parent), FormatRub(c.QuotedParent))}
	}
	if q.Parent > 0 && !c.ParentConfirmed {
		return Errorf(PARENT_NOT_CONFIRMED, "Родитель должен подтвердить оплату своей части: %s", FormatRub(q.Parent))
	}
	k := Contract{ID: c.ID, Certificate: e.Cert.ID, Child: e.Child.ID, Group: e.Group.ID,
		Module: e.Module.ID, Programme: e.Programme.ID, Provider: e.Provider.ID,
		Municipality: e.Cert.Municipality, Direction: e.Programme.Direction, Period: e.Period.ID,
		Funded: e.Funded, Start: e.Start, End: e.End, Status: ContractActive, Created: m.Today}
	if !m.Authority {
		k.Status = ContractRequested
	}
	if e.Funded {
		k.Quote = q
		k.Schedule = q.Schedule(e.Start)
		l := e.Cert.Ledger(e.Period.ID)
		l.Balance -= q.Cert
		l.Reserved += q.Cert
		qu, err := quotaOf(tx, e.Cert.Municipality, e.Period.ID)
		if err != nil {
			return err
		}
		if qu.Directions == nil {
			qu.Directions = map[string]int64{}
		}
		qu.Directions[k.Direction]++
		qu.Committed += q.Cert
		if err := tx.Put(qu); err != nil {
			return err
		}
	} else {
		l, err := Get[Listing](tx, e.Cert.Municipality+"/"+e.Programme.ID)
		if err != nil {
			return err
		}
		l.Enrolled++
		if err := tx.Put(l); err != nil {
			return err
		}
	}
	// Any contract request counts against the downgrade of RULES.md §3,
	// a free municipal-registry one too.
	e.Cert.Requests++
	if err := tx.Put(e.Cert); err != nil {
		return err
	}
	if err := addProvider(tx, &e.Child, &e.Cert, e.Provider.ID); err != nil {
		return err
	}
	e.Group.Taken++
	e.Module.Contracts++
	if err := tx.Put(e.Group); err != nil {
		return err
	}
	if err := tx.Put(e.Module); err != nil {
		return err
	}
	if m.Authority {
		if err := NumberContract(tx, &k); err != nil {
			return err
		}
	}
	return tx.Put(k)
}

// kopDot renders kopecks as 1234.00 for machine-readable figures.
func kopDot(k int64) string { return fmt.Sprintf("%d.%02d", k/100, k%100) }

// Terminate gives notice on date Notice: the contract ends on the last day of
// that month, that month is paid, and every later month's share returns from
// reserved to balance at once. The place in the group frees. Errors:
// CONTRACT_CLOSED, DATE_OUT_OF_PERIOD.
type Terminate struct {
	Contract string
	Notice   Date
	Reason   string
}

func (c *Terminate) Op() string { return "terminate" }

func (c *Terminate) Apply(tx Tx, m Meta) error {
	k, err := Get[Contract](tx, c.Contract)
	if err != nil {
		return err
	}
	if k.Status != ContractActive && k.Status != ContractRequested {
		return Errorf(CONTRACT_CLOSED, "Договор уже расторгнут или закрыт (статус «%s»)", ContractStatusRu(k.Status))
	}
	if err := checkText("Причина", c.Reason, 500, false); err != nil {
		return err
	}
	// Against the start, not the server's creation date: a node offline across
	// a month's end may give notice before its contract reached the server.
	if c.Notice.IsZero() || c.Notice < k.Start.Month().First() || c.Notice > k.End {
		return Errorf(DATE_OUT_OF_PERIOD, "Дата уведомления %s вне срока договора", c.Notice.Russian())
	}
	last := c.Notice.Month()
	// A notice that reaches the server after a later month was closed takes
	// effect at the end of the last closed month: a closed month is closed,
	// its share written off and advanced on (docs/DOMAIN.md).
	if r, err := region(tx); err != nil {
		return err
	} else if r.LastClosed > last {
		last = r.LastClosed
	}
	k.Notice, k.Reason = c.Notice, c.Reason
	k.End = min(k.End, last.Last())
	k.Status = ContractTerminating
	if k.End < k.Start {
		k.End = k.Start
	}
	if k.Funded {
		cert, err := Get[Certificate](tx, k.Certificate)
		if err != nil {
			return err
		}
		l := cert.Ledger(k.Period)
		var back int64
		for i := range k.Schedule {
			s := &k.Schedule[i]
			if s.Month > last && !s.WrittenOff && !s.Returned {
				l.Reserved -= s.Cert
				l.Balance += s.Cert
				back += s.Cert
				s.Returned = true
			}
		}
		if err := tx.Put(cert); err != nil {
			return err
		}
		qu, err := quotaOf(tx, k.Municipality, k.Period)
		if err != nil {
			return err
		}
		if qu.Directions == nil { // a node without the municipality's counters
			qu.Directions = map[string]int64{}
		}
		qu.Directions[k.Direction]--
		qu.Committed -= back
		if err := tx.Put(qu); err != nil {
			return err
		}
	} else if l, err := Get[Listing](tx, k.Municipality+"/"+k.Programme); err == nil {
		l.Enrolled--
		if err := tx.Put(l); err != nil {
			return err
		}
	}
	g, err := Get[Group](tx, k.Group)
	if err != nil {
		return err
	}
	g.Taken--
	if err := tx.Put(g); err != nil {
		return err
	}
	return tx.Put(k)
}

var contractStatusRu = map[string]string{ContractRequested: "ожидает РМЦ", ContractActive: "действует",
	ContractRejected: "отклонён", ContractTerminating: "расторгается", ContractClosed: "закрыт"}

// ContractStatusRu is the Russian name of a contract status.
func ContractStatusRu(s string) string { return contractStatusRu[s] }
