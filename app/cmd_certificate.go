package app

import (
	"fmt"
	"slices"
	"strings"
)

func init() {
	register(func() Command { return &RegisterChild{} })
	register(func() Command { return &UpdateChild{} })
	register(func() Command { return &IssueCertificate{} })
	register(func() Command { return &RequestFinancing{} })
	register(func() Command { return &TransferCertificate{} })
	register(func() Command { return &FreezeCertificate{} })
	register(func() Command { return &ReturnToAccounting{} })
	register(func() Command { return &DowngradeUnused{} })
	register(func() Command { return &ApplyChild{} })
}

// ApplyChild is a child's application to a provider: the provider then sees
// the child and the certificate (RULES.md §10). A provider proves the family
// sent it with the certificate's number and code, which the guardian holds
// (the number and the birth date are no secret); a wrong pair counts against
// the node, and the fifth in an hour throttles it for an hour with an alert
// to the region. A municipality or the region, who see the child already,
// need the number only. Errors: ENOTFOUND with one message for every failed
// lookup, THROTTLED, SCOPE_FORBIDDEN.
type ApplyChild struct {
	Number   string
	Code     string
	Provider string
}

func (c *ApplyChild) Op() string { return "apply_child" }

// Throttling of wrong certificate codes (RULES.md §3).
const (
	CodeTries  = 5    // wrong codes a node gets in CodeWindow
	CodeWindow = 3600 // seconds
)

func (c *ApplyChild) Apply(tx Tx, m Meta) error {
	if _, err := Get[Provider](tx, c.Provider); err != nil {
		return err
	}
	kind, id, _ := ParseScope(m.Scope)
	if kind == "provider" && id != c.Provider {
		return Errorf(SCOPE_FORBIDDEN, "Заявление можно подать только к своему исполнителю")
	}
	byCode := kind == "provider"
	if byCode && m.Authority {
		g, err := guardOf(tx, m.Scope)
		if err != nil {
			return err
		}
		if g.Until > m.Time {
			a, err := raiseAlert(tx, m, THROTTLED, c.Op())
			if err != nil {
				return err
			}
			return &Error{Code: THROTTLED, Keep: []Record{a}, Message: fmt.Sprintf(
				"Слишком много неверных кодов сертификата: поиск по сертификату недоступен этому узлу до %s (время сервера). РМЦ получил уведомление",
				clockOf(g.Until))}
		}
	}
	cert, found, err := certByNumber(tx, c.Number)
	if err != nil {
		return err
	}
	if !m.Authority && (!found || byCode) {
		return nil // the node cannot check the code: the server decides
	}
	if !found || byCode && !codeMatches(tx, cert, c.Code) {
		return missedCode(tx, m, byCode)
	}
	ch, err := Get[Child](tx, cert.Child)
	if err != nil {
		return err
	}
	if err := notErased(ch); err != nil {
		return err
	}
	return addProvider(tx, &ch, &cert, c.Provider)
}

// certByNumber finds a certificate by its exact number.
func certByNumber(r Reader, number string) (Certificate, bool, error) {
	if number == "" || len(number) > 32 {
		return Certificate{}, false, nil
	}
	certs, err := List[Certificate](r, IdxNumber, number, 1)
	if err != nil || len(certs) == 0 || certs[0].Number != number {
		return Certificate{}, false, err
	}
	return certs[0], true, nil
}

// errNoCertificate is the one answer to every failed lookup by number and
// code: which half was wrong is not told.
const errNoCertificate = "Сертификат с таким номером и кодом не найден. Проверьте номер и код в выписке из реестра сертификатов"

// missedCode is the refusal of a failed lookup; a provider's counts against
// its node and may throttle it.
func missedCode(tx Tx, m Meta, byCode bool) error {
	e := &Error{Code: ENOTFOUND, Message: errNoCertificate}
	if !byCode || !m.Authority {
		return e
	}
	g, err := guardOf(tx, m.Scope)
	if err != nil {
		return err
	}
	kept := g.Failures[:0]
	for _, t := range g.Failures {
		if t > m.Time-CodeWindow {
			kept = append(kept, t)
		}
	}
	g.Failures = append(kept, m.Time)
	if len(g.Failures) >= CodeTries {
		g.Until, g.Failures = m.Time+CodeWindow, nil
		a, err := raiseAlert(tx, m, THROTTLED, "apply_child")
		if err != nil {
			return err
		}
		e.Keep = append(e.Keep, a)
	}
	e.Keep = append(e.Keep, g)
	return e
}

// guardOf is the count of wrong codes of a provider: per provider, not per
// node, so that a provider with several nodes gets five tries an hour in all.
func guardOf(r Reader, scope string) (Guard, error) {
	g, err := Get[Guard](r, scope)
	if ErrorCode(err) == ENOTFOUND {
		return Guard{Scope: scope}, nil
	}
	return g, err
}

// raiseAlert is the region's alert about a node's refused op: one record per
// node, day and code, counting the refusals.
func raiseAlert(r Reader, m Meta, code, op string) (Alert, error) {
	id := m.Node + "|" + m.Today.String() + "|" + code
	a, err := Get[Alert](r, id)
	if ErrorCode(err) == ENOTFOUND {
		a, err = Alert{ID: id, Node: m.Node, Scope: m.Scope, Date: m.Today, Code: code}, nil
	}
	a.Count++
	a.Op, a.Last = op, m.Time
	return a, err
}

// clockOf is a unix time as Moscow wall-clock «ЧЧ:ММ».
func clockOf(unix int64) string {
	s := (unix + 3*3600) % 86400
	return ClockRu(int(s / 60))
}

// addProvider records that the child applied to the provider.
func addProvider(tx Tx, ch *Child, cert *Certificate, provider string) error {
	if !slices.Contains(ch.Providers, provider) {
		ch.Providers = append(ch.Providers, provider)
		if err := tx.Put(*ch); err != nil {
			return err
		}
	}
	n := len(cert.Declined)
	cert.Declined = slices.DeleteFunc(cert.Declined, func(d Declined) bool { return d.Provider == provider })
	if !slices.Contains(cert.Providers, provider) || len(cert.Declined) != n {
		if !slices.Contains(cert.Providers, provider) {
			cert.Providers = append(cert.Providers, provider)
		}
		return tx.Put(*cert)
	}
	return nil
}

// RegisterChild registers a child with the guardian's consent. The child must
// be 5–18 today and live in the krai. Errors: AGE_OUT_OF_RANGE, NOT_RESIDENT,
// CONSENT_REQUIRED, EINVALID, ECONFLICT.
type RegisterChild struct{ Child Child }

func (c *RegisterChild) Op() string { return "register_child" }

func (c *RegisterChild) Apply(tx Tx, m Meta) error {
	ch := c.Child
	if err := checkID("ребёнка", ch.ID); err != nil {
		return err
	}
	if err := checkChild(tx, ch); err != nil {
		return err
	}
	if err := CheckAge(ch.BirthDate, m.Today); err != nil {
		return err
	}
	if ok, err := exists[Child](tx, ch.ID); err != nil {
		return err
	} else if ok {
		return Errorf(ECONFLICT, "Ребёнок уже зарегистрирован")
	}
	ch.Registered = m.Node
	ch.Providers = nil
	ch.Erased = 0 // only erase_child erases, and the server then scrubs its journal
	if k, id, _ := ParseScope(m.Scope); k == "provider" {
		ch.Providers = []string{id} // the child applied to the provider that registers it
	}
	return tx.Put(ch)
}

// UpdateChild corrects a child's profile; the registering node stays recorded.
type UpdateChild struct{ Child Child }

func (c *UpdateChild) Op() string { return "update_child" }

func (c *UpdateChild) Apply(tx Tx, m Meta) error {
	old, err := Get[Child](tx, c.Child.ID)
	if err != nil {
		return err
	}
	if err := notErased(old); err != nil {
		return err
	}
	if err := checkChild(tx, c.Child); err != nil {
		return err
	}
	if cert, err := certificateOfChild(tx, old.ID); err == nil && cert.Municipality != c.Child.Municipality {
		return Errorf(CERTIFICATE_PERSONAL, "У ребёнка есть сертификат муниципалитета %s: переезд оформляется через МОЦ", cert.Municipality)
	}
	ch := c.Child
	ch.Registered, ch.Providers, ch.Erased = old.Registered, old.Providers, 0
	return tx.Put(ch)
}

func checkChild(tx Tx, ch Child) error {
	for _, f := range []struct{ name, v string }{{"Фамилия", ch.LastName}, {"Имя", ch.FirstName}} {
		if err := checkText(f.name, f.v, 100, true); err != nil {
			return err
		}
	}
	if err := checkText("Отчество", ch.MiddleName, 100, false); err != nil {
		return err
	}
	if _, err := checkMunicipality(tx, ch.Municipality); err != nil {
		return err
	}
	if ch.BirthDate.IsZero() {
		return Errorf(EINVALID, "Не указана дата рождения")
	}
	if strings.TrimSpace(ch.GuardianName) == "" || ch.ConsentDate.IsZero() || strings.TrimSpace(ch.ConsentBy) == "" {
		return Errorf(CONSENT_REQUIRED, "Нужно согласие родителя (законного представителя) на обработку персональных данных: ФИО представителя, дата согласия и кто его принял")
	}
	if err := checkText("ФИО представителя", ch.GuardianName, 200, true); err != nil {
		return err
	}
	if err := checkText("Кто принял согласие", ch.ConsentBy, 200, true); err != nil {
		return err
	}
	if err := checkPhone(ch.GuardianPhone); err != nil {
		return err
	}
	if ch.SNILS != "" && (len(ch.SNILS) > MaxSNILS || !validSNILS(ch.SNILS)) {
		return Errorf(EINVALID, "Неверный СНИЛС «%s»", ch.SNILS)
	}
	return nil
}

// MaxSNILS is the longest SNILS as written: «123-456-789 01».
const MaxSNILS = 14

// checkPhone allows an empty phone or up to 20 characters of digits, spaces,
// «+», «-» and brackets.
func checkPhone(phone string) error {
	p := strings.Trim(phone, "+ ()-")
	if phone != "" && (len(phone) > 20 || !digits(strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(p))) {
		return Errorf(EINVALID, "Неверный телефон «%s»", phone)
	}
	return nil
}

// validSNILS checks the format 123-456-789 01 and the control number.
func validSNILS(s string) bool {
	d := strings.NewReplacer("-", "", " ", "").Replace(s)
	if len(d) != 11 || !digits(d) {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(d[i]-'0') * (9 - i)
	}
	ctl := sum % 101
	if ctl == 100 {
		ctl = 0
	}
	return fmt.Sprintf("%02d", ctl) == d[9:]
}

func certificateOfChild(tx Reader, child string) (Certificate, error) {
	cs, err := List[Certificate](tx, IdxChild, child, 1)
	if err != nil {
		return Certificate{}, err
	}
	if len(cs) == 0 {
		return Certificate{}, Errorf(ENOTFOUND, "У ребёнка нет сертификата")
	}
	return cs[0], nil
}

// IssueCertificate issues a child's one certificate of accounting (nominal 0).
// The authority numbers it 26-MM-NNNNNN. Errors: CERTIFICATE_EXISTS,
// AGE_OUT_OF_RANGE, ENOTFOUND.
//
// A certificate issued by a provider's node is unconfirmed until the child's
// municipality confirms it (RULES.md §3). CodeHash is CodeHash(ID, code) of
// the code the issuing node made and printed for the guardian; only the hash
// travels, and only the server and the municipality keep it.
type IssueCertificate struct {
	ID       string
	Child    string
	CodeHash string
}

func (c *IssueCertificate) Op() string { return "issue_certificate" }

func (c *IssueCertificate) Apply(tx Tx, m Meta) error {
	if err := checkID("сертификата", c.ID); err != nil {
		return err
	}
	ch, err := Get[Child](tx, c.Child)
	if err != nil {
		return err
	}
	if err := notErased(ch); err != nil {
		return err
	}
	if cert, err := certificateOfChild(tx, ch.ID); err == nil {
		// The number, not the name: a refusal is stored with the op's
		// result, and erase_child does not reach into results.
		return Errorf(CERTIFICATE_EXISTS, "У ребёнка уже есть сертификат %s: сертификат выдаётся один на ребёнка", cert.NumberRu())
	} else if ErrorCode(err) != ENOTFOUND {
		return err
	}
	if err := CheckAge(ch.BirthDate, m.Today); err != nil {
		return err
	}
	kind, _, _ := ParseScope(m.Scope)
	cert := Certificate{ID: c.ID, Child: ch.ID, Municipality: ch.Municipality,
		Type: CertAccounting, Status: CertActive, Issued: m.Today, Providers: ch.Providers,
		Unconfirmed: kind == "provider", IssuedBy: m.Scope}
	if m.Authority {
		n, err := tx.NextSerial("certificate/" + ch.Municipality)
		if err != nil {
			return err
		}
		cert.Number = fmt.Sprintf("26-%s-%06d", ch.Municipality, n)
	}
	if err := putCode(tx, m, cert, c.CodeHash); err != nil {
		return err
	}
	return tx.Put(cert)
}

// RequestFinancing asks to turn a certificate of accounting into a financing
// one for the current period. It is served at once when the municipality is in
// financing mode, has a vacancy and nobody waits ahead; otherwise it joins the
// first-come queue. Errors: MODE_ACCOUNTING_ONLY, NO_PARAMETERS, REQUEST_EXISTS,
// CERTIFICATE_FROZEN, AGE_OUT_OF_RANGE, ECONFLICT (already financing).
type RequestFinancing struct {
	ID          string
	Certificate string
}

func (c *RequestFinancing) Op() string { return "request_financing" }

func (c *RequestFinancing) Apply(tx Tx, m Meta) error {
	if err := checkID("заявки", c.ID); err != nil {
		return err
	}
	cert, err := Get[Certificate](tx, c.Certificate)
	if err != nil {
		return err
	}
	if cert.Status == CertFrozen {
		return Errorf(CERTIFICATE_FROZEN, "Сертификат %s заморожен", cert.NumberRu())
	}
	if cert.Unconfirmed {
		return errUnconfirmed(cert)
	}
	if cert.Type == CertFinancing {
		return Errorf(ECONFLICT, "Сертификат %s уже является сертификатом финансирования", cert.NumberRu())
	}
	ch, err := Get[Child](tx, cert.Child)
	if err != nil {
		return err
	}
	if err := notErased(ch); err != nil {
		return err
	}
	if err := CheckAge(ch.BirthDate, m.Today); err != nil {
		return err
	}
	r, err := region(tx)
	if err != nil {
		return err
	}
	params, err := paramsOf(tx, cert.Municipality, r.Current)
	if err != nil {
		return err
	}
	if params.Mode != ModeFinancing {
		return Errorf(MODE_ACCOUNTING_ONLY, "Муниципалитет %s работает только в режиме персонифицированного учёта: сертификаты финансирования не выдаются", cert.Municipality)
	}
	waiting, err := List[Request](tx, IdxCertificate, cert.ID, 0)
	if err != nil {
		return err
	}
	for _, w := range waiting {
		if w.Status == ReqWaiting || w.Status == ReqPending {
			return Errorf(REQUEST_EXISTS, "Заявка по сертификату %s уже стоит в очереди", cert.NumberRu())
		}
	}
	if ok, err := exists[Request](tx, c.ID); err != nil {
		return err
	} else if ok {
		return Errorf(ECONFLICT, "Заявка уже подана")
	}
	if !m.Authority {
		// Offline the node only records the request («ожидает РМЦ»): the
		// server alone decides the quota, in order of arrival.
		return tx.Put(Request{ID: c.ID, Certificate: cert.ID, Municipality: cert.Municipality,
			Period: r.Current, Date: m.Today, Status: ReqPending})
	}
	q, err := quotaOf(tx, cert.Municipality, r.Current)
	if err != nil {
		return err
	}
	q.Arrivals++
	q.Waiting++
	if err := tx.Put(q); err != nil {
		return err
	}
	req := Request{ID: c.ID, Certificate: cert.ID, Municipality: cert.Municipality, Period: r.Current,
		Arrival: q.Arrivals, Date: m.Today, Status: ReqWaiting}
	if err := tx.Put(req); err != nil {
		return err
	}
	return serveQueue(tx, m, cert.Municipality, r.Current)
}

func errUnconfirmed(cert Certificate) error {
	return Errorf(CERTIFICATE_UNCONFIRMED, "Сертификат %s ещё не подтверждён муниципалитетом: его нельзя финансировать и по нему нельзя зачислять", cert.NumberRu())
}

// vacancy reports whether one more financing certificate fits the quota and the sum limit.
func vacancy(p Params, q Quota) bool {
	return p.Mode == ModeFinancing && q.Active < p.Quota &&
		(p.SumLimit == 0 || q.SumNominals+p.Nominal <= p.SumLimit)
}

// serveQueue grants financing to the head of the municipality's queue while
// there is a vacancy: strictly in order of arrival, no selection.
func serveQueue(tx Tx, m Meta, mun, period string) error {
	p, err := Get[Params](tx, mun+"/"+period)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	q, err := quotaOf(tx, mun, period)
	if err != nil {
		return err
	}
	for q.Waiting > 0 && vacancy(p, q) {
		head, err := List[Request](tx, IdxQueue, mun+"|"+period+"|", 1)
		if err != nil {
			return err
		}
		if len(head) == 0 {
			return Errorf(EINTERNAL, "очередь %s/%s пуста при счётчике %d", mun, period, q.Waiting)
		}
		req := head[0]
		cert, err := Get[Certificate](tx, req.Certificate)
		if err != nil {
			return err
		}
		q.Turns++
		req.Status, req.Served, req.Turn = ReqServed, m.Today, q.Turns
		q.Waiting--
		if cert.Type == CertAccounting && cert.Status == CertActive {
			cert.Type, cert.Period = CertFinancing, period
			cert.FinancingSince, cert.FinancingUntil = m.Today, m.Today.AddDays(p.DaysToRequest)
			cert.Requests = 0
			l := cert.Ledger(period)
			*l = Ledger{Period: period, Nominal: p.Nominal, Balance: p.Nominal}
			q.Active++
			q.SumNominals += p.Nominal
			if err := tx.Put(cert); err != nil {
				return err
			}
		} else {
			req.Status = ReqCancelled
		}
		if err := tx.Put(req); err != nil {
			return err
		}
	}
	return tx.Put(q)
}

// TransferCertificate is what a user tries when handing a certificate to
// another child. It always fails: a certificate is personal.
type TransferCertificate struct {
	Certificate string
	ToChild     string
}

func (c *TransferCertificate) Op() string { return "transfer_certificate" }

func (c *TransferCertificate) Apply(tx Tx, m Meta) error {
	return Errorf(CERTIFICATE_PERSONAL, "Сертификат персонален: его нельзя передать другому ребёнку")
}

// checkUntouched requires balance == nominal and no contract in force, the
// condition of RULES.md §3 for type change, freeze and nominal decrease.
func checkUntouched(tx Reader, cert Certificate) error {
	for _, l := range cert.Ledgers {
		if l.Balance != l.Nominal {
			return Errorf(CERTIFICATE_IN_USE, "По сертификату %s есть зарезервированные или списанные средства", cert.NumberRu())
		}
	}
	cs, err := List[Contract](tx, IdxCertificate, cert.ID, 0)
	if err != nil {
		return err
	}
	for _, k := range cs {
		if k.InForce() {
			return Errorf(CERTIFICATE_IN_USE, "По сертификату %s действует договор", cert.NumberRu())
		}
	}
	return nil
}

// FreezeCertificate freezes or unfreezes a certificate. Errors: CERTIFICATE_IN_USE.
type FreezeCertificate struct {
	Certificate string
	Frozen      bool
}

func (c *FreezeCertificate) Op() string { return "freeze_certificate" }

func (c *FreezeCertificate) Apply(tx Tx, m Meta) error {
	cert, err := Get[Certificate](tx, c.Certificate)
	if err != nil {
		return err
	}
	if c.Frozen {
		if err := checkUntouched(tx, cert); err != nil {
			return err
		}
		cert.Status = CertFrozen
	} else {
		cert.Status = CertActive
	}
	return tx.Put(cert)
}

// ReturnToAccounting turns a financing certificate back into one of
// accounting; its place goes to the head of the queue. Errors: CERTIFICATE_IN_USE.
type ReturnToAccounting struct{ Certificate string }

func (c *ReturnToAccounting) Op() string { return "return_to_accounting" }

func (c *ReturnToAccounting) Apply(tx Tx, m Meta) error {
	cert, err := Get[Certificate](tx, c.Certificate)
	if err != nil {
		return err
	}
	if cert.Type != CertFinancing {
		return Errorf(ECONFLICT, "Сертификат %s уже сертификат учёта", cert.NumberRu())
	}
	if err := checkUntouched(tx, cert); err != nil {
		return err
	}
	return downgrade(tx, m, cert)
}

func downgrade(tx Tx, m Meta, cert Certificate) error {
	period := cert.Period
	l := cert.Ledger(period)
	q, err := quotaOf(tx, cert.Municipality, period)
	if err != nil {
		return err
	}
	q.Active--
	q.SumNominals -= l.Nominal
	if err := tx.Put(q); err != nil {
		return err
	}
	*l = Ledger{Period: period}
	cert.Type, cert.FinancingSince, cert.FinancingUntil, cert.Period = CertAccounting, 0, 0, ""
	if err := tx.Put(cert); err != nil {
		return err
	}
	return serveQueue(tx, m, cert.Municipality, period)
}

// DowngradeUnused is the daily job: a financing certificate with no contract
// request within N days of getting that status goes back to accounting, and
// its place goes to the head of the queue.
type DowngradeUnused struct{ Date Date }

func (c *DowngradeUnused) Op() string { return "downgrade_unused" }

func (c *DowngradeUnused) Apply(tx Tx, m Meta) error {
	if err := authorityOnly(m, "Возврат неиспользованных сертификатов"); err != nil {
		return err
	}
	if c.Date.IsZero() {
		return Errorf(EINVALID, "Не указана дата")
	}
	var due []string
	err := tx.Scan(KindCertificate, "", "", func(id string) bool {
		due = append(due, id)
		return true
	})
	if err != nil {
		return err
	}
	for _, id := range due {
		cert, err := Get[Certificate](tx, id)
		if err != nil {
			return err
		}
		if cert.Type != CertFinancing || cert.Requests > 0 || cert.FinancingUntil >= c.Date {
			continue
		}
		if l := cert.LedgerOf(cert.Period); l.Balance != l.Nominal {
			continue
		}
		if err := downgrade(tx, m, cert); err != nil {
			return err
		}
	}
	return nil
}
