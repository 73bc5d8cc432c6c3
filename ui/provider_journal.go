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

	groups  []app.Group
	month   app.Month
	lessons []app.Lesson // the month's lessons, scheduled and extra, with their marks
	kids    []journalKid
	percent int64

	group      *widget.Select
	monthLabel *widget.Label
	prev       *widget.Button
	next       *widget.Button
	table      *widget.Table
	lesson     *widget.Select
	cancel     *widget.Button
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
	s.lesson.PlaceHolder = "выберите занятие, чтобы отменить его или вернуть"
	s.cancel = widget.NewButton("Отменить занятие", s.onCancelLesson)

	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Группа"), nil, s.group),
		container.NewHBox(s.prev, s.monthLabel, s.next, widget.NewSeparator(), s.complete),
		container.NewBorder(nil, nil, widget.NewLabel("Занятие"), s.cancel, s.lesson),
		widget.NewLabel("Нажмите на клетку, чтобы поставить отметку: был → н (не был) → ув (по уважительной причине) → пусто"),
	)
	s.content = container.NewBorder(top, s.status, nil, nil, s.table)
	s.refresh()
	return s
}

// refresh reloads the groups and the journal of the chosen group and month.
func (s *journalScreen) refresh() {
	var groups []app.Group
	err := s.st.View(func(r app.Reader) error {
		var err error
		groups, err = app.List[app.Group](r, app.IdxProvider, s.provider, 0)
		return err
	})
	if err != nil {
		sayErr(s.status, err)
		return
	}
	slices.SortStableFunc(groups, func(a, b app.Group) int { return strings.Compare(a.Name, b.Name) })
	id := ""
	if g, ok := s.selectedGroup(); ok {
		id = g.ID
	}
	s.groups = groups
	names := make([]string, 0, len(groups))
	for _, g := range groups {
		names = append(names, g.Name)
	}
	s.group.Options = names
	i := slices.IndexFunc(groups, func(g app.Group) bool { return g.ID == id })
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
	return s.groups[i], true
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
	held, cancelled := 0, 0
	opts := make([]string, 0, len(s.lessons))
	for i, l := range s.lessons {
		if l.Cancelled {
			cancelled++
		} else if l.Date <= today(s.now) { // a lesson still ahead is not held
			held++
		}
		opts = append(opts, lessonText(l))
		s.table.SetColumnWidth(i+1, journalLessonWidth)
	}
	if _, ok := s.selectedGroup(); ok {
		s.complete.SetText(completenessText(s.percent, held, cancelled))
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
}

// completenessText is «Выполнение: 75 % (проведено 3, отменено 1)».
func completenessText(pct int64, held, cancelled int) string {
	return "Выполнение: " + percentRu(pct) + " (проведено " + itoa(held) + ", отменено " + itoa(cancelled) + ")"
}

// lessonText names a lesson: «10.11.2026 Вт 15:00».
func lessonText(l app.Lesson) string {
	t := dateRu(l.Date) + " " + weekdayRu(weekdayOf(l.Date)) + " " + clockRu(l.Start)
	if l.Extra {
		t += " (доп.)"
	}
	if l.Cancelled {
		t += " — отменено"
	}
	return t
}

// showCancel names the action for the chosen lesson: cancel or restore it.
func (s *journalScreen) showCancel() {
	i := s.lesson.SelectedIndex()
	if i < 0 || i >= len(s.lessons) {
		s.cancel.SetText("Отменить занятие")
		s.cancel.Disable()
		return
	}
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
	if id.Col > 0 && id.Col-1 < len(s.lessons) && s.lessons[id.Col-1].Cancelled {
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
		if ls.Cancelled {
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
