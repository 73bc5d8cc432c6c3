//go:build !nogui

package ui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// moduleOption is a module a group can be opened on, with its programme.
type moduleOption struct {
	mod  app.Module
	prog app.Programme
}

func (o moduleOption) label() string { return o.prog.Title + " — " + o.mod.Name }

// groupsScreen is the provider's groups: the list with dates, places and
// schedule, and the form that opens or edits a group with its weekly
// schedule and enrolment window.
type groupsScreen struct {
	st       app.Store
	provider string
	now      func() time.Time

	groups   []app.Group
	options  []moduleOption
	selected string     // the group in the form; "" for a new one
	slots    []app.Slot // the schedule being edited

	list      *widget.List
	module    *choice
	name      *field
	start     *field
	end       *field
	capacity  *field
	ageMin    *field
	ageMax    *field
	enrolFrom *field
	enrolTo   *field

	weekday  *choice
	from     *field
	to       *field
	room     *widget.Entry
	address  *widget.Entry
	slotRows *fyne.Container
	slotMsg  *widget.Label

	form    *widget.Form
	status  *widget.Label
	content fyne.CanvasObject
}

func newGroupsScreen(st app.Store, provider string, now func() time.Time) *groupsScreen {
	s := &groupsScreen{st: st, provider: provider, now: now, status: newStatus()}
	s.list = widget.NewList(func() int { return len(s.groups) }, s.createRow, s.updateRow)
	s.list.OnSelected = s.onGroupSelected

	s.module = newChoice("выберите программу и модуль", "Выберите модуль программы", s.onModuleChanged)
	s.name = newField("например, «Роботы-1, вторник»", notEmpty("Укажите название группы"))
	s.start = newField("ДД.ММ.ГГГГ", validDate("дата начала", false))
	s.end = newField("ДД.ММ.ГГГГ", func(v string) error {
		d, err := parseDateField("дата окончания", v)
		if err != nil {
			return err
		}
		if st, err := app.ParseDate(strings.TrimSpace(s.start.text())); err == nil && d < st {
			return msgf("Окончание %s раньше начала %s", dateRu(d), dateRu(st))
		}
		return nil
	})
	s.capacity = newField("например, 15", validInt("вместимость", 1, 1000, "Вместимость должна быть от 1 до 1000"))
	ages := validInt("возраст", app.MinAge, app.MaxAge, "Возраст — от 5 до 18 лет")
	s.ageMin = newField("например, 7", ages)
	s.ageMax = newField("например, 12", func(v string) error {
		if err := ages(v); err != nil {
			return err
		}
		lo, err := strconv.Atoi(strings.TrimSpace(s.ageMin.text()))
		if hi, _ := strconv.Atoi(strings.TrimSpace(v)); err == nil && hi < lo {
			return msgf("Возраст «до» меньше возраста «от»")
		}
		return nil
	})
	s.enrolFrom = newField("ДД.ММ.ГГГГ", validDate("начало приёма", false))
	s.enrolTo = newField("ДД.ММ.ГГГГ", func(v string) error {
		d, err := parseDateField("окончание приёма", v)
		if err != nil {
			return err
		}
		if from, err := app.ParseDate(strings.TrimSpace(s.enrolFrom.text())); err == nil && d < from {
			return msgf("Приём заканчивается раньше, чем начинается")
		}
		if end, err := app.ParseDate(strings.TrimSpace(s.end.text())); err == nil && d > end {
			return msgf("Приём должен закончиться не позже окончания группы (%s)", dateRu(end))
		}
		return nil
	})

	s.weekday = newChoice("день", "Выберите день недели", nil)
	s.weekday.sel.Options = weekdaysRu
	s.from = newField("начало, ЧЧ:ММ", validClock("начало занятия"))
	s.to = newField("конец, ЧЧ:ММ", func(v string) error {
		end, err := parseClock("конец занятия", v)
		if err != nil {
			return err
		}
		if st, err := parseClock("", s.from.text()); err == nil && end <= st {
			return msgf("Занятие должно кончаться позже, чем начинается")
		}
		return nil
	})
	s.room = widget.NewEntry()
	s.room.SetPlaceHolder("кабинет")
	s.address = widget.NewEntry()
	s.address.SetPlaceHolder("адрес, если не основной")
	s.slotRows = container.NewVBox()
	s.slotMsg = widget.NewLabel("")
	s.slotMsg.Importance = widget.DangerImportance
	s.slotMsg.Hide()
	add := widget.NewButton("Добавить занятие", s.onAddSlot)
	s.from.onEnter(s.onAddSlot)
	s.to.onEnter(s.onAddSlot)
	s.room.OnSubmitted = func(string) { s.onAddSlot() }
	s.address.OnSubmitted = func(string) { s.onAddSlot() }
	slotEditor := container.NewVBox(
		s.slotRows,
		container.NewGridWithColumns(3, s.weekday.box, s.from.box, s.to.box),
		container.NewGridWithColumns(2, s.room, s.address),
		add, messageLine(s.slotMsg),
	)

	for _, f := range []*field{s.name, s.start, s.end, s.capacity, s.ageMin, s.ageMax, s.enrolFrom, s.enrolTo} {
		f.onEnter(s.onSubmit)
	}
	s.form = widget.NewForm(
		widget.NewFormItem("Модуль", s.module.box),
		widget.NewFormItem("Название группы", s.name.box),
		widget.NewFormItem("Начало занятий", s.start.box),
		widget.NewFormItem("Окончание", s.end.box),
		widget.NewFormItem("Вместимость", s.capacity.box),
		widget.NewFormItem("Возраст от", s.ageMin.box),
		widget.NewFormItem("Возраст до", s.ageMax.box),
		widget.NewFormItem("Расписание", slotEditor),
		widget.NewFormItem("Приём с", s.enrolFrom.box),
		widget.NewFormItem("Приём по", s.enrolTo.box),
	)
	save := widget.NewButton("Сохранить группу", s.onSubmit)
	save.Importance = widget.HighImportance

	left := container.NewBorder(
		container.NewVBox(heading("Мои группы"), widget.NewButton("Новая группа", s.onNewGroup)),
		nil, nil, nil, s.list)
	// The form scrolls; its button and status stay in a bar under it, so a
	// message that wraps moves nothing one clicks.
	right := container.NewBorder(nil, container.NewVBox(container.NewHBox(save), statusLines(s.status, 2)), nil, nil,
		container.NewVScroll(container.NewVBox(heading("Группа"), s.form)))
	split := container.NewHSplit(left, right)
	split.Offset = 0.38
	s.content = split
	s.refresh()
	return s
}

// refresh reloads the groups and the modules a group can be opened on.
func (s *groupsScreen) refresh() {
	var groups []app.Group
	var opts []moduleOption
	err := s.st.View(func(r app.Reader) error {
		var err error
		if groups, err = app.List[app.Group](r, app.IdxProvider, s.provider, 0); err != nil {
			return err
		}
		progs, err := app.List[app.Programme](r, app.IdxProvider, s.provider, 0)
		if err != nil {
			return err
		}
		for _, p := range progs {
			if p.Status == app.ProgArchived {
				continue
			}
			mods, err := app.List[app.Module](r, app.IdxProgramme, p.ID, 0)
			if err != nil {
				return err
			}
			for _, m := range mods {
				opts = append(opts, moduleOption{mod: m, prog: p})
			}
		}
		return nil
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	slices.SortStableFunc(groups, func(a, b app.Group) int { return strings.Compare(a.Name, b.Name) })
	slices.SortStableFunc(opts, func(a, b moduleOption) int { return strings.Compare(a.label(), b.label()) })
	s.groups, s.options = groups, opts
	slices.SortStableFunc(s.groups, func(a, b app.Group) int {
		return strings.Compare(s.moduleLabel(a.Module)+" · "+a.Name, s.moduleLabel(b.Module)+" · "+b.Name)
	})
	labels := make([]string, 0, len(opts))
	for _, o := range opts {
		labels = append(labels, o.label())
	}
	sel := s.module.sel.Selected
	s.module.sel.Options = labels
	if !slices.Contains(labels, sel) {
		s.module.sel.ClearSelected()
	}
	s.module.sel.Refresh()
	s.list.Refresh()
}

func (s *groupsScreen) createRow() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l1, l2 := widget.NewLabel(""), widget.NewLabel("")
	for _, l := range []*widget.Label{name, l1, l2} {
		l.Truncation = fyne.TextTruncateEllipsis
	}
	return container.NewVBox(name, l1, l2)
}

func (s *groupsScreen) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(s.groups) {
		return
	}
	g := s.groups[id]
	c := o.(*fyne.Container)
	// Named as everywhere else: programme · module · group.
	c.Objects[0].(*widget.Label).SetText(strings.ReplaceAll(s.moduleLabel(g.Module), " — ", " · ") + " · " + g.Name)
	c.Objects[1].(*widget.Label).SetText(dateRu(g.Start) + " – " + dateRu(g.End))
	c.Objects[2].(*widget.Label).SetText(groupPlaces(g) + " · " + scheduleRu(g.Schedule))
}

// groupPlaces is «мест 15, свободно 12», or «мест 15, свободных нет».
func groupPlaces(g app.Group) string {
	if g.Free() <= 0 {
		return "мест " + strconv.FormatInt(g.Capacity, 10) + ", свободных нет"
	}
	return "мест " + strconv.FormatInt(g.Capacity, 10) + ", свободно " + strconv.FormatInt(g.Free(), 10)
}

func (s *groupsScreen) moduleLabel(id string) string {
	for _, o := range s.options {
		if o.mod.ID == id {
			return o.label()
		}
	}
	return "модуль в архиве"
}

func (s *groupsScreen) onGroupSelected(id widget.ListItemID) {
	if id < 0 || id >= len(s.groups) {
		return
	}
	g := s.groups[id]
	s.selected = g.ID
	s.fill(g)
	say(s.status, "")
}

func (s *groupsScreen) onNewGroup() {
	s.selected = ""
	s.list.UnselectAll()
	s.fill(app.Group{})
	say(s.status, "")
}

// fill puts a group into the form (the zero group clears it).
func (s *groupsScreen) fill(g app.Group) {
	s.module.sel.ClearSelected()
	if g.Module != "" {
		s.module.sel.SetSelected(s.moduleLabel(g.Module))
	}
	s.module.msg.Hide()
	s.name.set(g.Name)
	dateText := func(d app.Date) string {
		if d.IsZero() {
			return ""
		}
		return dateRu(d)
	}
	s.start.set(dateText(g.Start))
	s.end.set(dateText(g.End))
	s.capacity.set(intText(int(g.Capacity)))
	s.ageMin.set(intText(g.AgeMin))
	s.ageMax.set(intText(g.AgeMax))
	s.enrolFrom.set(dateText(g.EnrolFrom))
	s.enrolTo.set(dateText(g.EnrolTo))
	s.slots = slices.Clone(g.Schedule)
	s.showSlots()
}

// onModuleChanged offers the programme's ages for a new group.
func (s *groupsScreen) onModuleChanged(string) {
	i := s.module.sel.SelectedIndex()
	if i < 0 || i >= len(s.options) {
		return
	}
	p := s.options[i].prog
	if s.ageMin.text() == "" && s.ageMax.text() == "" {
		s.ageMin.set(strconv.Itoa(p.AgeMin))
		s.ageMax.set(strconv.Itoa(p.AgeMax))
	}
}

// showSlots lists the schedule being edited, each lesson with «Убрать».
func (s *groupsScreen) showSlots() {
	s.slotRows.RemoveAll()
	if len(s.slots) == 0 {
		s.slotRows.Add(widget.NewLabel("Занятий в расписании пока нет"))
	}
	for i, sl := range s.slots {
		s.slotRows.Add(container.NewBorder(nil, nil, nil,
			widget.NewButton("Убрать", func() { s.onRemoveSlot(i) }), widget.NewLabel(slotRu(sl))))
	}
}

func (s *groupsScreen) onAddSlot() {
	if err := firstError(s.weekday, s.from, s.to); err != nil {
		return
	}
	from, _ := parseClock("", s.from.text())
	to, _ := parseClock("", s.to.text())
	s.slots = append(s.slots, app.Slot{Weekday: s.weekday.sel.SelectedIndex() + 1, Start: from, End: to,
		Room: strings.TrimSpace(s.room.Text), Address: strings.TrimSpace(s.address.Text)})
	slices.SortStableFunc(s.slots, func(a, b app.Slot) int { return (a.Weekday*24*60 + a.Start) - (b.Weekday*24*60 + b.Start) })
	s.slotMsg.Hide()
	s.showSlots()
}

func (s *groupsScreen) onRemoveSlot(i int) {
	if i >= 0 && i < len(s.slots) {
		s.slots = slices.Delete(s.slots, i, i+1)
	}
	s.showSlots()
}

func (s *groupsScreen) onSubmit() {
	fields := []checker{s.module, s.name, s.start, s.end, s.capacity, s.ageMin, s.ageMax, s.enrolFrom, s.enrolTo}
	err := firstError(fields...)
	if err == nil && len(s.slots) == 0 {
		err = fieldError("Добавьте в расписание хотя бы одно занятие")
		s.slotMsg.SetText(err.Error())
		s.slotMsg.Show()
	}
	if err != nil {
		sayInvalid(s.status, "Группа не сохранена", fields...)
		return
	}
	date := func(f *field) app.Date { d, _ := app.ParseDate(strings.TrimSpace(f.text())); return d }
	num := func(f *field) int { n, _ := strconv.Atoi(strings.TrimSpace(f.text())); return n }
	id := s.selected
	if id == "" {
		id = newID()
	}
	cmd := &app.OpenGroup{ID: id, Module: s.options[s.module.sel.SelectedIndex()].mod.ID,
		Name: strings.TrimSpace(s.name.text()), Start: date(s.start), End: date(s.end),
		Capacity: int64(num(s.capacity)), AgeMin: num(s.ageMin), AgeMax: num(s.ageMax),
		Schedule: slices.Clone(s.slots), EnrolFrom: date(s.enrolFrom), EnrolTo: date(s.enrolTo)}
	if _, err := s.st.Exec(cmd); err != nil {
		sayErr(s.status, err)
		watchFields(s.status, fields...) // the error goes with the next edit
		return
	}
	s.selected = id
	s.refresh()
	say(s.status, "Группа «"+cmd.Name+"» сохранена")
}
