package app

func init() {
	register(func() Command { return &SetParams{} })
	register(func() Command { return &ListProgramme{} })
	register(func() Command { return &UnlistProgramme{} })
}

// SetParams sets a municipality's parameters for a period (RULES.md §2).
// Raising the quota serves the queue at once. Errors: NOT_RESIDENT, EINVALID,
// DATE_OUT_OF_PERIOD for an unknown period.
type SetParams struct{ Params Params }

func (c *SetParams) Op() string { return "set_params" }

func (c *SetParams) Apply(tx Tx, m Meta) error {
	p := c.Params
	if _, err := checkMunicipality(tx, p.Municipality); err != nil {
		return err
	}
	r, err := region(tx)
	if err != nil {
		return err
	}
	if _, ok := r.Period(p.Period); !ok {
		return Errorf(DATE_OUT_OF_PERIOD, "Период «%s» не задан регионом", p.Period)
	}
	if p.Mode != ModeAccounting && p.Mode != ModeFinancing {
		return Errorf(EINVALID, "Неверный режим «%s»: учёт или финансирование", p.Mode)
	}
	if p.DaysToRequest < 5 || p.DaysToRequest > 366 {
		return Errorf(EINVALID, "Срок до первой заявки должен быть от 5 до 366 дней, указано %d", p.DaysToRequest)
	}
	if p.Quota < 0 || p.Quota > 10_000_000 || p.Population < 0 || p.Population > 100_000_000 {
		return Errorf(EINVALID, "Недопустимое число сертификатов или детей")
	}
	for field, v := range map[string]int64{"Номинал": p.Nominal, "Лимит суммы номиналов": p.SumLimit,
		"Лимит бюджета": p.BudgetLimit} {
		if err := checkAmount(field, v); err != nil {
			return err
		}
	}
	if p.Mode == ModeFinancing && (p.Nominal <= 0 || p.Quota <= 0) {
		return Errorf(EINVALID, "В режиме финансирования нужны номинал и число сертификатов больше нуля")
	}
	for d, n := range p.DirectionLimits {
		if ok, err := exists[Direction](tx, d); err != nil {
			return err
		} else if !ok || n < 0 {
			return Errorf(EINVALID, "Неверный лимит по направленности «%s»", d)
		}
	}
	q, err := quotaOf(tx, p.Municipality, p.Period)
	if err != nil {
		return err
	}
	if q.Active > p.Quota && q.Active > 0 || p.SumLimit > 0 && q.SumNominals > p.SumLimit {
		return Errorf(EINVALID, "Уже выдано %d сертификатов финансирования на %s: квоту и лимит ниже этого не снизить", q.Active, FormatRub(q.SumNominals))
	}
	if p.BudgetLimit > 0 && q.Committed > p.BudgetLimit {
		return Errorf(BUDGET_LIMIT, "Уже зарезервировано и оплачено %s: лимит бюджета ниже этого не снизить", FormatRub(q.Committed))
	}
	if err := tx.Put(p); err != nil {
		return err
	}
	if !m.Authority {
		return nil
	}
	return serveQueue(tx, m, p.Municipality, p.Period)
}

// ListProgramme puts a programme into the municipal registry of educational
// programmes, with an optional cap on places (0 = none).
type ListProgramme struct {
	Municipality string
	Programme    string
	Places       int64
}

func (c *ListProgramme) Op() string { return "list_programme" }

func (c *ListProgramme) Apply(tx Tx, m Meta) error {
	if _, err := checkMunicipality(tx, c.Municipality); err != nil {
		return err
	}
	p, err := Get[Programme](tx, c.Programme)
	if err != nil {
		return err
	}
	if p.Status == ProgArchived {
		return Errorf(PROGRAMME_STATUS, "Программа «%s» в архиве", p.Title)
	}
	if c.Places < 0 || c.Places > 1_000_000 {
		return Errorf(EINVALID, "Недопустимое число мест %d", c.Places)
	}
	l, err := Get[Listing](tx, c.Municipality+"/"+c.Programme)
	if ErrorCode(err) == ENOTFOUND {
		l, err = Listing{Municipality: c.Municipality, Programme: c.Programme}, nil
	}
	if err != nil {
		return err
	}
	l.Places = c.Places
	return tx.Put(l)
}

// UnlistProgramme removes a programme from the municipal registry; contracts in
// force stay. Errors: ENOTFOUND.
type UnlistProgramme struct {
	Municipality string
	Programme    string
}

func (c *UnlistProgramme) Op() string { return "unlist_programme" }

func (c *UnlistProgramme) Apply(tx Tx, m Meta) error {
	if _, err := Get[Listing](tx, c.Municipality+"/"+c.Programme); err != nil {
		return err
	}
	return tx.Delete(KindListing, c.Municipality+"/"+c.Programme)
}
