package app

import "slices"

func init() {
	register(func() Command { return &SeedRegion{} })
	register(func() Command { return &SetPeriod{} })
	register(func() Command { return &SetPriceCap{} })
	register(func() Command { return &SetMunicipalityType{} })
	register(func() Command { return &RegisterProvider{} })
	register(func() Command { return &SetProviderStatus{} })
	register(func() Command { return &CertifyProgramme{} })
	register(func() Command { return &DenyProgramme{} })
}

// SeedRegion loads the reference data of an empty region database: the
// municipalities, the directions and the periods. Errors: ECONFLICT when the
// region is seeded already, EINVALID for malformed data.
type SeedRegion struct {
	Municipalities []Municipality
	Directions     []Direction
	Periods        []Period
	Current        string
	Next           string
	PriceCapPct    int64
}

func (c *SeedRegion) Op() string { return "seed_region" }

func (c *SeedRegion) Apply(tx Tx, m Meta) error {
	if ok, err := exists[Region](tx, "region"); err != nil {
		return err
	} else if ok {
		return Errorf(ECONFLICT, "Справочники региона уже загружены")
	}
	if len(c.Municipalities) == 0 || len(c.Directions) == 0 || len(c.Periods) == 0 {
		return Errorf(EINVALID, "Справочники региона неполны")
	}
	r := Region{Current: c.Current, Next: c.Next, PriceCapPct: c.PriceCapPct}
	if r.PriceCapPct == 0 {
		r.PriceCapPct = 100
	}
	for _, p := range c.Periods {
		if err := checkPeriod(p); err != nil {
			return err
		}
		r.Periods = append(r.Periods, p)
	}
	if err := checkRegion(r); err != nil {
		return err
	}
	// Validate everything before the first write: a rejected op on the server
	// must leave nothing behind (docs/SYNC.md, savepoints).
	for _, mu := range c.Municipalities {
		if len(mu.Code) != 2 || mu.Code < "01" || mu.Code > "99" {
			return Errorf(EINVALID, "Неверный код муниципалитета «%s»", mu.Code)
		}
		if err := checkText("Название муниципалитета", mu.Name, 200, true); err != nil {
			return err
		}
	}
	for _, d := range c.Directions {
		if err := checkID("направленности", d.Code); err != nil {
			return err
		}
		if err := checkText("Направленность", d.Name, 100, true); err != nil {
			return err
		}
	}
	for _, mu := range c.Municipalities {
		if err := tx.Put(mu); err != nil {
			return err
		}
	}
	for _, d := range c.Directions {
		if err := tx.Put(d); err != nil {
			return err
		}
	}
	return tx.Put(r)
}

func checkPeriod(p Period) error {
	if err := checkText("Период", p.ID, 20, true); err != nil {
		return err
	}
	if p.Start.IsZero() || p.End <= p.Start || p.End-p.Start > 400 {
		return Errorf(EINVALID, "Период %s: неверные даты %s – %s", p.ID, p.Start.Russian(), p.End.Russian())
	}
	return nil
}

func checkRegion(r Region) error {
	if _, ok := r.Period(r.Current); !ok {
		return Errorf(EINVALID, "Текущий период «%s» не задан", r.Current)
	}
	if _, ok := r.Period(r.Next); r.Next != "" && !ok {
		return Errorf(EINVALID, "Следующий период «%s» не задан", r.Next)
	}
	if r.PriceCapPct < 1 || r.PriceCapPct > 1000 {
		return Errorf(EINVALID, "Предельный коэффициент цены %d%% вне допустимого диапазона", r.PriceCapPct)
	}
	for i, p := range r.Periods {
		for _, q := range r.Periods[i+1:] {
			if p.ID == q.ID || p.Start <= q.End && q.Start <= p.End {
				return Errorf(EINVALID, "Периоды %s и %s пересекаются", p.ID, q.ID)
			}
		}
	}
	return nil
}

// SetPeriod adds or changes a period and may make it current or next.
// Errors: EINVALID for bad or overlapping dates.
type SetPeriod struct {
	Period  Period
	Current bool
	Next    bool
}

func (c *SetPeriod) Op() string { return "set_period" }

func (c *SetPeriod) Apply(tx Tx, m Meta) error {
	r, err := region(tx)
	if err != nil {
		return err
	}
	if err := checkPeriod(c.Period); err != nil {
		return err
	}
	i := slices.IndexFunc(r.Periods, func(p Period) bool { return p.ID == c.Period.ID })
	if i >= 0 {
		r.Periods[i] = c.Period
	} else {
		r.Periods = append(r.Periods, c.Period)
	}
	if c.Current {
		r.Current = c.Period.ID
	}
	if c.Next {
		r.Next = c.Period.ID
	}
	if err := checkRegion(r); err != nil {
		return err
	}
	return tx.Put(r)
}

// SetPriceCap sets the regional cap coefficient (percent of the normative price).
type SetPriceCap struct{ Pct int64 }

func (c *SetPriceCap) Op() string { return "set_price_cap" }

func (c *SetPriceCap) Apply(tx Tx, m Meta) error {
	r, err := region(tx)
	if err != nil {
		return err
	}
	r.PriceCapPct = c.Pct
	if err := checkRegion(r); err != nil {
		return err
	}
	return tx.Put(r)
}

// SetMunicipalityType records a change of a municipality's legal type from a date.
type SetMunicipalityType struct {
	Code string
	From Date
	Type string
}

func (c *SetMunicipalityType) Op() string { return "set_municipality_type" }

func (c *SetMunicipalityType) Apply(tx Tx, m Meta) error {
	mu, err := checkMunicipality(tx, c.Code)
	if err != nil {
		return err
	}
	if c.Type != MunDistrict && c.Type != MunCity || c.From.IsZero() {
		return Errorf(EINVALID, "Неверный тип муниципалитета «%s»", c.Type)
	}
	mu.Types = slices.DeleteFunc(mu.Types, func(t DatedType) bool { return t.From == c.From })
	mu.Types = append(mu.Types, DatedType{From: c.From, Type: c.Type})
	slices.SortFunc(mu.Types, func(a, b DatedType) int { return int(a.From - b.From) })
	return tx.Put(mu)
}

var providerTypes = []string{ProviderOrg, ProviderTraining, ProviderIPStaff, ProviderIPNoStaff}

// ProviderTypes lists the provider types of RULES.md §1.
func ProviderTypes() []string { return slices.Clone(providerTypes) }

// RegisterProvider registers a licensed provider (status new) after checking
// the exclusion rule. Errors: PROVIDER_EXCLUDED, NOT_RESIDENT, ECONFLICT, EINVALID.
type RegisterProvider struct {
	ID           string
	Name         string
	Type         string
	Municipality string
	INN          string
	Licence      string
}

func (c *RegisterProvider) Op() string { return "register_provider" }

func (c *RegisterProvider) Apply(tx Tx, m Meta) error {
	if err := checkID("исполнителя", c.ID); err != nil {
		return err
	}
	if err := checkText("Полное наименование", c.Name, 300, true); err != nil {
		return err
	}
	if ExcludedProvider(c.Name) {
		return Errorf(PROVIDER_EXCLUDED, "«%s»: организации дополнительного образования со специальным наименованием (детские школы искусств и подобные) не участвуют в системе персонифицированного финансирования", c.Name)
	}
	if !slices.Contains(providerTypes, c.Type) {
		return Errorf(EINVALID, "Неизвестный тип исполнителя «%s»", c.Type)
	}
	if _, err := checkMunicipality(tx, c.Municipality); err != nil {
		return err
	}
	if err := checkText("Лицензия", c.Licence, 100, c.Type != ProviderIPNoStaff); err != nil {
		return err
	}
	if len(c.INN) != 10 && len(c.INN) != 12 || !digits(c.INN) {
		return Errorf(EINVALID, "ИНН должен состоять из 10 или 12 цифр")
	}
	if ok, err := exists[Provider](tx, c.ID); err != nil {
		return err
	} else if ok {
		return Errorf(ECONFLICT, "Исполнитель уже зарегистрирован")
	}
	return tx.Put(Provider{ID: c.ID, Name: c.Name, Type: c.Type, Municipality: c.Municipality,
		INN: c.INN, Licence: c.Licence, Status: ProviderNew})
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// SetProviderStatus activates or suspends a provider.
type SetProviderStatus struct {
	Provider string
	Status   string
}

func (c *SetProviderStatus) Op() string { return "set_provider_status" }

func (c *SetProviderStatus) Apply(tx Tx, m Meta) error {
	p, err := Get[Provider](tx, c.Provider)
	if err != nil {
		return err
	}
	if c.Status != ProviderActive && c.Status != ProviderSuspended {
		return Errorf(EINVALID, "Неверный статус исполнителя «%s»", c.Status)
	}
	p.Status = c.Status
	return tx.Put(p)
}

// CertifyProgramme records a positive outcome of the independent expertise:
// submitted → certified. Errors: PROGRAMME_STATUS.
type CertifyProgramme struct{ Programme string }

func (c *CertifyProgramme) Op() string { return "certify_programme" }

func (c *CertifyProgramme) Apply(tx Tx, m Meta) error {
	return moveProgramme(tx, c.Programme, ProgCertified, "", ProgSubmitted)
}

// DenyProgramme records a negative outcome with its reason: submitted → denied.
type DenyProgramme struct {
	Programme string
	Reason    string
}

func (c *DenyProgramme) Op() string { return "deny_programme" }

func (c *DenyProgramme) Apply(tx Tx, m Meta) error {
	if err := checkText("Причина отказа", c.Reason, 1000, true); err != nil {
		return err
	}
	return moveProgramme(tx, c.Programme, ProgDenied, c.Reason, ProgSubmitted)
}

var progStatusRu = map[string]string{ProgDraft: "черновик", ProgSubmitted: "на экспертизе",
	ProgCertified: "сертифицирована", ProgDenied: "отказано", ProgArchived: "в архиве"}

// ProgrammeStatusRu is the Russian name of a programme status.
func ProgrammeStatusRu(s string) string { return progStatusRu[s] }

func moveProgramme(tx Tx, id, to, reason string, from ...string) error {
	p, err := Get[Programme](tx, id)
	if err != nil {
		return err
	}
	if !slices.Contains(from, p.Status) {
		return Errorf(PROGRAMME_STATUS, "Программа «%s» в статусе «%s»: действие недоступно", p.Title, progStatusRu[p.Status])
	}
	p.Status, p.DenyReason = to, reason
	return tx.Put(p)
}
