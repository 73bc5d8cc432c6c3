//go:build !nogui

package ui

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kruzhok/app"
)

// journalKid is a row of the journal: a child with a contract in force in
// the month, and the days of the month the contracts cover.
type journalKid struct {
	id     string
	name   string
	ranges [][2]app.Date
}

// enrolledOn reports whether a contract covers the day: only then can the
// child be marked (MarkAttendance refuses NOT_ENROLLED).
func (k journalKid) enrolledOn(d app.Date) bool {
	for _, r := range k.ranges {
		if r[0] <= d && d <= r[1] {
			return true
		}
	}
	return false
}

// journalScreen is the attendance journal of a group for a month: rows are
// the children, columns the lessons of the schedule; a tap on a cell moves
// the mark on (был → н → ув → none), and a lesson the provider cancels greys
// its column and lowers the month's completeness (RULES.md §7).
type journalScreen struct {
	st       app.Store
	provider string
	now      func() time.Time

	groups  []groupInfo
	month   app.Month
	lessons []app.Lesson // the month's lessons, scheduled and extra, with their marks
	kids    []journalKid
	percent int64

	group      *widget.Select
	monthLabel *widget.Label
	prev       *widget.Button
	next       *widget.Button
	table      *widget.Table
	empty      *emptyNote
	lesson     *widget.Select
	cancel     *widget.Button
	allHere    *widget.Button
	complete   *widget.Label
	status     *widget.Label
	content    fyne.CanvasObject
}

// journalNameWidth and journalLessonWidth size the journal's columns.
const (
	journalNameWidth   = 280
	journalLessonWidth = 86
)

func newJournalScreen(st app.Store, provider string, now func() time.Time) *journalScreen {
	s := &journalScreen{st: st, provider: provider, now: now, status: newStatus(),
		monthLabel: widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		complete:   widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	s.month = today(now).Month()
	s.group = widget.NewSelect(nil, func(string) { s.onGroupChanged() })
	s.group.PlaceHolder = "выберите группу"
	s.prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { s.onMonthChanged(-1) })
	s.next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { s.onMonthChanged(+1) })
	s.table = widget.NewTableWithHeaders(s.size, s.createCell, s.updateCell)
	s.table.ShowHeaderColumn = false
	s.table.CreateHeader = s.createCell
	s.table.UpdateHeader = s.updateHeader
	s.table.OnSelected = s.onCellSelected
	s.table.SetColumnWidth(0, journalNameWidth)
	s.lesson = widget.NewSelect(nil, func(string) { s.showCancel() })
	s.lesson.PlaceHolder = "выберите занятие" // a short placeholder: it sets the select's width
	s.cancel = widget.NewButton("Отменить занятие", s.onCancelLesson)
	s.allHere = widget.NewButton("Все присутствовали", s.onAllPresent)

	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Группа"), nil, s.group),
		container.NewHBox(s.prev, s.monthLabel, s.next, widget.NewSeparator(), s.complete),
		container.NewBorder(nil, nil, widget.NewLabel("Занятие"), container.NewHBox(s.allHere, s.cancel), s.lesson),
		helpText("Нажмите на клетку, чтобы поставить отметку: был → н (не был) → ув (по уважительной причине) → пусто. "+
			"Будущие занятия отмечаются в их день"),
	)
	s.empty = newEmptyNote(s.table, "")
	s.content = container.NewBorder(top, s.status, nil, nil, s.empty.view)
	s.refresh()
	return s
}

// refresh reloads the groups and the journal of the chosen group and month.
func (s *journalScreen) refresh() {
	var groups []groupInfo
	err := s.st.View(func(r app.Reader) error {
		var err error
		groups, err = loadGroups(r, s.provider)
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	id := ""
	if g, ok := s.selectedGroup(); ok {
		id = g.ID
	}
	s.groups = groups
	names := make([]string, 0, len(groups))
	for _, g := range groups {
		names = append(names, g.label())
	}
	s.group.Options = names
	i := slices.IndexFunc(groups, func(g groupInfo) bool { return g.g.ID == id })
	if i < 0 && len(groups) > 0 {
		i = 0
	}
	if i >= 0 {
		s.group.SetSelectedIndex(i) // loads the journal when the choice changes
	}
	s.group.Refresh()
	s.load()
}

func (s *journalScreen) selectedGroup() (app.Group, bool) {
	i := s.group.SelectedIndex()
	if i < 0 || i >= len(s.groups) {
		return app.Group{}, false
	}
	return s.groups[i].g, true
}

// onGroupChanged keeps the month inside the group's dates.
func (s *journalScreen) onGroupChanged() {
	if g, ok := s.selectedGroup(); ok {
		s.month = min(max(s.month, g.Start.Month()), g.End.Month())
	}
	s.load()
}

func (s *journalScreen) onMonthChanged(delta int) {
	s.month += app.Month(delta)
	if g, ok := s.selectedGroup(); ok {
		s.month = min(max(s.month, g.Start.Month()), g.End.Month())
	}
	s.load()
}

// load reads the journal of the chosen group and month.
func (s *journalScreen) load() {
	s.monthLabel.SetText(capitalize(s.month.Russian()))
	g, ok := s.selectedGroup()
	if !ok {
		s.lessons, s.kids, s.percent = nil, nil, 100
		s.complete.SetText("")
		s.show()
		if len(s.groups) == 0 {
			say(s.status, "Групп пока нет: откройте группу на вкладке «Группы»")
		}
		return
	}
	setEnabled(s.prev, s.month > g.Start.Month())
	setEnabled(s.next, s.month < g.End.Month())
	var lessons []app.Lesson
	var kids []journalKid
	var pct int64
	err := s.st.View(func(r app.Reader) error {
		stored, err := app.List[app.Lesson](r, app.IdxGroup, g.ID+"|"+s.month.String(), 0)
		if err != nil {
			return err
		}
		byID := map[string]app.Lesson{}
		for _, l := range stored {
			byID[l.ID] = l
		}
		for _, l := range app.ScheduledLessons(g, s.month) {
			if st, ok := byID[l.ID]; ok {
				l = st
				delete(byID, l.ID)
			}
			lessons = append(lessons, l)
		}
		for _, l := range byID {
			lessons = append(lessons, l) // extra lessons
		}
		slices.SortFunc(lessons, func(a, b app.Lesson) int { return strings.Compare(a.ID, b.ID) })
		ks, err := app.List[app.Contract](r, app.IdxGroup, g.ID+"|", 0)
		if err != nil {
			return err
		}
		first, last := s.month.First(), s.month.Last()
		at := map[string]int{}
		for _, k := range ks {
			if k.Status == app.ContractRejected || k.Start > last || k.End < first {
				continue
			}
			i, ok := at[k.Child]
			if !ok {
				name := "ребёнок вне области узла"
				if ch, err := app.Get[app.Child](r, k.Child); err == nil {
					name = ch.FullName()
				} else if app.ErrorCode(err) != app.ENOTFOUND {
					return err
				}
				i = len(kids)
				at[k.Child] = i
				kids = append(kids, journalKid{id: k.Child, name: name})
			}
			kids[i].ranges = append(kids[i].ranges, [2]app.Date{k.Start, k.End})
		}
		slices.SortStableFunc(kids, func(a, b journalKid) int { return strings.Compare(a.name, b.name) })
		pct, err = app.GroupCompleteness(r, g, s.month)
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	s.lessons, s.kids, s.percent = lessons, kids, pct
	s.show()
}

// show puts the loaded journal on the screen.
func (s *journalScreen) show() {
	held, cancelled, ahead := 0, 0, 0
	opts := make([]string, 0, len(s.lessons))
	for i, l := range s.lessons {
		switch {
		case l.Cancelled:
			cancelled++
		case s.future(l):
			ahead++
		default:
			held++
		}
		opts = append(opts, lessonText(l, s.future(l)))
		s.table.SetColumnWidth(i+1, journalLessonWidth)
	}
	if _, ok := s.selectedGroup(); ok {
		s.complete.SetText(completenessText(s.percent, held, cancelled, ahead))
	}
	sel := s.lesson.SelectedIndex()
	s.lesson.Options = opts
	if sel >= len(opts) {
		sel = -1
	}
	if sel >= 0 {
		s.lesson.SetSelectedIndex(sel)
	} else {
		s.lesson.ClearSelected()
	}
	s.lesson.Refresh()
	s.showCancel()
	s.table.Refresh()
	empty := "В этом месяце у группы нет детей с действующим договором"
	if _, ok := s.selectedGroup(); !ok {
		empty = "Выберите группу"
	}
	s.empty.set(len(s.kids), empty)
}

// completenessText is «Выполнение: 75 % (проведено 3, отменено 1, впереди 2)»:
// a lesson after today is not yet held.
func completenessText(pct int64, held, cancelled, ahead int) string {
	t := "Выполнение: " + percentRu(pct) + " (проведено " + itoa(held) + ", отменено " + itoa(cancelled)
	if ahead > 0 {
		t += ", впереди " + itoa(ahead)
	}
	return t + ")"
}

// lessonText names a lesson: «10.11.2026 Вт 15:00».
func lessonText(l app.Lesson, future bool) string {
	t := dateRu(l.Date) + " " + weekdayRu(weekdayOf(l.Date)) + " " + clockRu(l.Start)
	if l.Extra {
		t += " (доп.)"
	}
	switch {
	case l.Cancelled:
		t += " — отменено"
	case future:
		t += " — ещё не было"
	}
	return t
}

// future reports a lesson after today: nobody can have attended it yet, so
// it takes no marks (the rules refuse them too, LESSON_IN_FUTURE).
func (s *journalScreen) future(l app.Lesson) bool { return l.Date > today(s.now) }

// showCancel names the action for the chosen lesson: cancel or restore it.
func (s *journalScreen) showCancel() {
	i := s.lesson.SelectedIndex()
	if i < 0 || i >= len(s.lessons) {
		s.cancel.SetText("Отменить занятие")
		s.cancel.Disable()
		s.allHere.Disable()
		return
	}
	setEnabled(s.allHere, !s.lessons[i].Cancelled && !s.future(s.lessons[i]) && len(s.kids) > 0)
	if s.lessons[i].Cancelled {
		s.cancel.SetText("Вернуть занятие")
	} else {
		s.cancel.SetText("Отменить занятие")
	}
	setEnabled(s.cancel, !s.lessons[i].Extra)
}

func (s *journalScreen) size() (int, int) { return len(s.kids), len(s.lessons) + 1 }

func (s *journalScreen) createCell() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func (s *journalScreen) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	l.Importance = widget.MediumImportance
	if id.Col > 0 && id.Col-1 < len(s.lessons) && (s.lessons[id.Col-1].Cancelled || s.future(s.lessons[id.Col-1])) {
		l.Importance = widget.LowImportance
	}
	l.Alignment = fyne.TextAlignCenter
	if id.Col == 0 {
		l.Alignment = fyne.TextAlignLeading
	}
	l.SetText(s.cell(id.Row, id.Col))
}

// cell is the text at a row and column: the child's name in column 0, then
// the mark of each lesson; «отм.» in a cancelled lesson, «·» on a day no
// contract covers.
func (s *journalScreen) cell(row, col int) string {
	if row < 0 || row >= len(s.kids) || col < 0 || col > len(s.lessons) {
		return ""
	}
	k := s.kids[row]
	if col == 0 {
		return k.name
	}
	l := s.lessons[col-1]
	switch {
	case l.Cancelled:
		return "отм."
	case !k.enrolledOn(l.Date):
		return "·"
	}
	return markRu(l.Marks[k.id])
}

func (s *journalScreen) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	l.TextStyle = fyne.TextStyle{Bold: true}
	l.Importance = widget.MediumImportance
	l.Alignment = fyne.TextAlignCenter
	switch {
	case id.Col == 0:
		l.Alignment = fyne.TextAlignLeading
		l.SetText("Ребёнок")
	case id.Col > 0 && id.Col-1 < len(s.lessons):
		ls := s.lessons[id.Col-1]
		_, m, dd := ls.Date.Parts()
		if ls.Cancelled || s.future(ls) {
			l.Importance = widget.LowImportance
		}
		l.SetText(twoDigits(dd) + "." + twoDigits(int(m)) + " " + weekdayRu(weekdayOf(ls.Date)))
	default:
		l.SetText("")
	}
}

// onCellSelected moves the tapped cell's mark on and records it.
func (s *journalScreen) onCellSelected(id widget.TableCellID) {
	defer s.table.UnselectAll()
	g, ok := s.selectedGroup()
	if !ok || id.Col < 1 || id.Col > len(s.lessons) || id.Row < 0 || id.Row >= len(s.kids) {
		return
	}
	l, k := s.lessons[id.Col-1], s.kids[id.Row]
	switch {
	case l.Cancelled:
		sayErr(s.status, fieldError("Занятие "+dateRu(l.Date)+" отменено: отметки не ставятся. Верните занятие, чтобы отметить детей"))
		return
	case s.future(l):
		sayErr(s.status, fieldError("Занятие "+dateRu(l.Date)+" ещё не прошло: отметки ставятся в день занятия или позже"))
		return
	case !k.enrolledOn(l.Date):
		sayErr(s.status, fieldError(k.name+" не обучается в группе "+dateRu(l.Date)+": договор в этот день не действует"))
		return
	}
	mark := nextMark(l.Marks[k.id])
	cmd := &app.MarkAttendance{Group: g.ID, Date: l.Date, Start: l.Start, Extra: l.Extra, Child: k.id, Mark: mark}
	if _, err := s.st.Exec(cmd); err != nil {
		sayErr(s.status, err)
		return
	}
	s.load()
	say(s.status, "")
}

// onCancelLesson cancels the chosen lesson (or restores a cancelled one).
// Cancelling drops the lesson's marks: the status line says so.
func (s *journalScreen) onCancelLesson() {
	g, ok := s.selectedGroup()
	i := s.lesson.SelectedIndex()
	if !ok || i < 0 || i >= len(s.lessons) {
		return
	}
	l := s.lessons[i]
	cmd := &app.CancelLesson{Group: g.ID, Date: l.Date, Start: l.Start, Cancelled: !l.Cancelled}
	if _, err := s.st.Exec(cmd); err != nil {
		sayErr(s.status, err)
		return
	}
	s.load()
	if cmd.Cancelled {
		say(s.status, "Занятие "+dateRu(l.Date)+" отменено: оно снижает выполнение месяца и оплату")
	} else {
		say(s.status, "Занятие "+dateRu(l.Date)+" возвращено в расписание")
	}
}

// onAllPresent marks every child enrolled on the chosen lesson's day
// present. Marks of absence already set are replaced only after the
// provider confirms it.
func (s *journalScreen) onAllPresent() {
	i := s.lesson.SelectedIndex()
	if _, ok := s.selectedGroup(); !ok || i < 0 || i >= len(s.lessons) {
		return
	}
	l := s.lessons[i]
	switch {
	case l.Cancelled:
		sayErr(s.status, fieldError("Занятие "+dateRu(l.Date)+" отменено: отметки не ставятся"))
		return
	case s.future(l):
		sayErr(s.status, fieldError("Занятие "+dateRu(l.Date)+" ещё не прошло: отметки ставятся в день занятия или позже"))
		return
	}
	var absent []string
	for _, k := range s.kids {
		if m := l.Marks[k.id]; k.enrolledOn(l.Date) && (m == app.MarkAbsent || m == app.MarkExcused) {
			absent = append(absent, k.name+" — «"+markRu(m)+"»")
		}
	}
	if len(absent) == 0 {
		s.markAllPresent(l)
		return
	}
	msg := widget.NewLabel("На занятии " + dateRu(l.Date) + " уже отмечены отсутствующие:\n" + strings.Join(absent, "\n") +
		"\n\nЗаменить эти отметки на «был»?")
	msg.Wrapping = fyne.TextWrapWord
	if !confirmContent(s.content, "Все присутствовали", "Заменить на «был»", msg, func() { s.markAllPresent(l) }) {
		sayErr(s.status, fieldError("Окно программы недоступно: отметки не изменены"))
	}
}

// markAllPresent records «был» for every enrolled child without it, one
// mark a command, as a tap on a cell does.
func (s *journalScreen) markAllPresent(l app.Lesson) {
	g, ok := s.selectedGroup()
	if !ok {
		return
	}
	n := 0
	for _, k := range s.kids {
		if !k.enrolledOn(l.Date) || l.Marks[k.id] == app.MarkPresent {
			continue
		}
		cmd := &app.MarkAttendance{Group: g.ID, Date: l.Date, Start: l.Start, Extra: l.Extra, Child: k.id, Mark: app.MarkPresent}
		if _, err := s.st.Exec(cmd); err != nil {
			s.load()
			sayErr(s.status, err)
			return
		}
		n++
	}
	s.load()
	say(s.status, "Занятие "+dateRu(l.Date)+": все дети отмечены «был» (новых отметок: "+itoa(n)+")")
}
