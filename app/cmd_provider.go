package app

import "slices"

func init() {
	register(func() Command { return &SaveProgramme{} })
	register(func() Command { return &SaveModule{} })
	register(func() Command { return &SubmitProgramme{} })
	register(func() Command { return &ArchiveProgramme{} })
	register(func() Command { return &OpenGroup{} })
}

// SaveProgramme creates a programme (as a draft) or edits a draft or denied one.
// Errors: EINVALID, ENOTFOUND (provider), PROGRAMME_STATUS.
type SaveProgramme struct {
	ID          string
	Provider    string
	Title       string
	Direction   string
	AgeMin      int
	AgeMax      int
	Form        string
	Description string
}

func (c *SaveProgramme) Op() string { return "save_programme" }

func (c *SaveProgramme) Apply(tx Tx, m Meta) error {
	if err := checkID("программы", c.ID); err != nil {
		return err
	}
	if err := checkText("Название программы", c.Title, 300, true); err != nil {
		return err
	}
	if err := checkText("Описание", c.Description, MaxText, false); err != nil {
		return err
	}
	if _, err := Get[Provider](tx, c.Provider); err != nil {
		return err
	}
	if ok, err := exists[Direction](tx, c.Direction); err != nil {
		return err
	} else if !ok {
		return Errorf(EINVALID, "Неизвестная направленность «%s»", c.Direction)
	}
	if c.AgeMin < MinAge || c.AgeMax > MaxAge || c.AgeMin > c.AgeMax {
		return Errorf(AGE_OUT_OF_RANGE, "Возраст программы %d–%d лет должен лежать в пределах 5–18", c.AgeMin, c.AgeMax)
	}
	if !slices.Contains(Forms, c.Form) {
		return Errorf(EINVALID, "Неизвестная форма обучения «%s»", c.Form)
	}
	p, err := Get[Programme](tx, c.ID)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		p = Programme{ID: c.ID, Provider: c.Provider, Status: ProgDraft}
	case err != nil:
		return err
	case p.Provider != c.Provider:
		return Errorf(ECONFLICT, "Программа принадлежит другому исполнителю")
	case p.Status != ProgDraft && p.Status != ProgDenied:
		return Errorf(PROGRAMME_STATUS, "Программу в статусе «%s» менять нельзя", progStatusRu[p.Status])
	}
	p.Title, p.Direction, p.AgeMin, p.AgeMax, p.Form, p.Description =
		c.Title, c.Direction, c.AgeMin, c.AgeMax, c.Form, c.Description
	if p.Status == ProgDenied {
		p.Status, p.DenyReason = ProgDraft, ""
	}
	return tx.Put(p)
}

// SaveModule creates or edits a module of a programme. The price must not
// exceed the cap and is frozen once a contract exists. Errors: PRICE_ABOVE_CAP,
// PRICE_FROZEN, EINVALID.
type SaveModule struct {
	ID          string
	Programme   string
	Name        string
	Hours       int
	Months      int
	MinChildren int
	MaxChildren int
	Price       int64
	NormPrice   int64
}

func (c *SaveModule) Op() string { return "save_module" }

func (c *SaveModule) Apply(tx Tx, m Meta) error {
	if err := checkID("модуля", c.ID); err != nil {
		return err
	}
	if err := checkText("Название модуля", c.Name, 300, true); err != nil {
		return err
	}
	p, err := Get[Programme](tx, c.Programme)
	if err != nil {
		return err
	}
	if p.Status != ProgDraft && p.Status != ProgDenied {
		return Errorf(PROGRAMME_STATUS, "Модули программы в статусе «%s» менять нельзя: изменения проходят новую экспертизу", progStatusRu[p.Status])
	}
	if c.Hours <= 0 || c.Hours > 5000 || c.Months <= 0 || c.Months > 12 {
		return Errorf(EINVALID, "Часы (1–5000) и месяцы (1–12) модуля заданы неверно")
	}
	if c.MinChildren < 1 || c.MaxChildren < c.MinChildren || c.MaxChildren > 1000 {
		return Errorf(EINVALID, "Число детей в группе модуля задано неверно: %d–%d", c.MinChildren, c.MaxChildren)
	}
	if err := checkAmount("Цена", c.Price); err != nil {
		return err
	}
	if err := checkAmount("Нормативная стоимость", c.NormPrice); err != nil {
		return err
	}
	r, err := region(tx)
	if err != nil {
		return err
	}
	if capped := PriceCap(c.NormPrice, r.PriceCapPct); c.Price > capped {
		return Errorf(PRICE_ABOVE_CAP, "Цена %s выше предельной %s (нормативная стоимость × %d%%)",
			FormatRub(c.Price), FormatRub(capped), r.PriceCapPct)
	}
	mod, err := Get[Module](tx, c.ID)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		mod = Module{ID: c.ID, Programme: c.Programme}
	case err != nil:
		return err
	case mod.Programme != c.Programme:
		return Errorf(ECONFLICT, "Модуль принадлежит другой программе")
	case mod.Contracts > 0 && (mod.Price != c.Price || mod.NormPrice != c.NormPrice):
		return Errorf(PRICE_FROZEN, "По модулю «%s» уже заключены договоры: цену менять нельзя", mod.Name)
	}
	mod.Name, mod.Hours, mod.Months, mod.MinChildren, mod.MaxChildren, mod.Price, mod.NormPrice =
		c.Name, c.Hours, c.Months, c.MinChildren, c.MaxChildren, c.Price, c.NormPrice
	return tx.Put(mod)
}

// SubmitProgramme sends a draft (or a denied programme) to expertise; it needs
// at least one module. Errors: PROGRAMME_STATUS, EINVALID.
type SubmitProgramme struct{ Programme string }

func (c *SubmitProgramme) Op() string { return "submit_programme" }

func (c *SubmitProgramme) Apply(tx Tx, m Meta) error {
	mods, err := List[Module](tx, IdxProgramme, c.Programme, 1)
	if err != nil {
		return err
	}
	if len(mods) == 0 {
		return Errorf(EINVALID, "У программы нет ни одного модуля")
	}
	return moveProgramme(tx, c.Programme, ProgSubmitted, "", ProgDraft, ProgDenied)
}

// ArchiveProgramme takes a programme out of use.
type ArchiveProgramme struct{ Programme string }

func (c *ArchiveProgramme) Op() string { return "archive_programme" }

func (c *ArchiveProgramme) Apply(tx Tx, m Meta) error {
	return moveProgramme(tx, c.Programme, ProgArchived, "", ProgDraft, ProgSubmitted, ProgCertified, ProgDenied)
}

// OpenGroup creates or edits a group of a module: dates within one period,
// capacity, ages, weekly schedule and enrolment window. Errors: EINVALID,
// DATE_OUT_OF_PERIOD, AGE_OUT_OF_RANGE.
type OpenGroup struct {
	ID        string
	Module    string
	Name      string
	Start     Date
	End       Date
	Capacity  int64
	AgeMin    int
	AgeMax    int
	Schedule  []Slot
	EnrolFrom Date
	EnrolTo   Date
}

func (c *OpenGroup) Op() string { return "open_group" }

func (c *OpenGroup) Apply(tx Tx, m Meta) error {
	if err := checkID("группы", c.ID); err != nil {
		return err
	}
	if err := checkText("Название группы", c.Name, 200, true); err != nil {
		return err
	}
	mod, err := Get[Module](tx, c.Module)
	if err != nil {
		return err
	}
	prog, err := Get[Programme](tx, mod.Programme)
	if err != nil {
		return err
	}
	if prog.Status == ProgArchived {
		return Errorf(PROGRAMME_STATUS, "Программа «%s» в архиве", prog.Title)
	}
	if c.Start.IsZero() || c.End < c.Start {
		return Errorf(EINVALID, "Неверные даты группы: %s – %s", c.Start.Russian(), c.End.Russian())
	}
	p, err := periodOf(tx, c.Start)
	if err != nil {
		return err
	}
	if !p.Contains(c.End) {
		return Errorf(DATE_OUT_OF_PERIOD, "Группа должна укладываться в один период (%s – %s)", p.Start.Russian(), p.End.Russian())
	}
	if c.Capacity < 1 || c.Capacity > 1000 {
		return Errorf(EINVALID, "Вместимость группы должна быть от 1 до 1000, указано %d", c.Capacity)
	}
	if c.AgeMin < prog.AgeMin || c.AgeMax > prog.AgeMax || c.AgeMin > c.AgeMax {
		return Errorf(AGE_OUT_OF_RANGE, "Возраст группы %d–%d лет вне возраста программы %d–%d", c.AgeMin, c.AgeMax, prog.AgeMin, prog.AgeMax)
	}
	if len(c.Schedule) == 0 || len(c.Schedule) > 14 {
		return Errorf(EINVALID, "В расписании группы должно быть от 1 до 14 занятий в неделю")
	}
	for _, s := range c.Schedule {
		if s.Weekday < 1 || s.Weekday > 7 || s.Start < 0 || s.End <= s.Start || s.End > 24*60 {
			return Errorf(EINVALID, "Неверное занятие в расписании: день %d, %s–%s", s.Weekday, ClockRu(s.Start), ClockRu(s.End))
		}
		if err := checkText("Аудитория", s.Room, 100, false); err != nil {
			return err
		}
		if err := checkText("Адрес", s.Address, 300, false); err != nil {
			return err
		}
	}
	if c.EnrolFrom.IsZero() || c.EnrolTo < c.EnrolFrom || c.EnrolTo > c.End {
		return Errorf(EINVALID, "Неверный период приёма: %s – %s", c.EnrolFrom.Russian(), c.EnrolTo.Russian())
	}
	g, err := Get[Group](tx, c.ID)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		g = Group{ID: c.ID, Module: c.Module, Programme: prog.ID, Provider: prog.Provider}
	case err != nil:
		return err
	case g.Module != c.Module:
		return Errorf(ECONFLICT, "Группа принадлежит другому модулю")
	case g.Taken > 0 && (g.Start != c.Start || g.End != c.End):
		return Errorf(ECONFLICT, "В группе есть договоры: даты группы менять нельзя")
	case c.Capacity < g.Taken:
		return Errorf(EINVALID, "Вместимость %d меньше числа зачисленных (%d)", c.Capacity, g.Taken)
	}
	g.Name, g.Start, g.End, g.Capacity, g.AgeMin, g.AgeMax, g.Schedule, g.EnrolFrom, g.EnrolTo =
		c.Name, c.Start, c.End, c.Capacity, c.AgeMin, c.AgeMax, c.Schedule, c.EnrolFrom, c.EnrolTo
	return tx.Put(g)
}

// ClockRu renders minutes after midnight as 15:30.
func ClockRu(min int) string {
	return string([]byte{byte('0' + min/600%10), byte('0' + min/60%10), ':', byte('0' + min%60/10), byte('0' + min%10)})
}
