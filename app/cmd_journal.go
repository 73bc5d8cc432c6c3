package app

import "slices"

func init() {
	register(func() Command { return &MarkAttendance{} })
	register(func() Command { return &CancelLesson{} })
}

// lessonFor loads or starts the journal record of a group's lesson, checking
// that the lesson is in the schedule (or marked extra), within the group's
// dates and in a month not yet settled.
func lessonFor(tx Tx, groupID string, d Date, start int, extra bool) (Lesson, Group, error) {
	g, err := Get[Group](tx, groupID)
	if err != nil {
		return Lesson{}, g, err
	}
	if d < g.Start || d > g.End {
		return Lesson{}, g, Errorf(DATE_OUT_OF_PERIOD, "Занятие %s вне сроков группы %s – %s", d.Russian(), g.Start.Russian(), g.End.Russian())
	}
	if start < 0 || start >= 24*60 {
		return Lesson{}, g, Errorf(EINVALID, "Неверное время занятия")
	}
	r, err := region(tx)
	if err != nil {
		return Lesson{}, g, err
	}
	if r.LastClosed != 0 && d.Month() < r.LastClosed {
		return Lesson{}, g, Errorf(MONTH_CLOSED, "Месяц %s закрыт: журнал за него изменить нельзя", d.Month().Russian())
	}
	l, err := Get[Lesson](tx, LessonID(groupID, d, start))
	if ErrorCode(err) == ENOTFOUND {
		if !extra && !inSchedule(g, d, start) {
			return l, g, Errorf(EINVALID, "По расписанию группы «%s» занятия %s в %s нет", g.Name, d.Russian(), ClockRu(start))
		}
		l, err = Lesson{ID: LessonID(groupID, d, start), Group: groupID, Provider: g.Provider, Date: d,
			Start: start, Extra: extra, Marks: map[string]string{}}, nil
	}
	return l, g, err
}

// notInFuture refuses a mark for a lesson that has not happened yet: a lesson
// of today may be marked, one of tomorrow may not. Clearing a mark is refused
// too, so a future lesson never holds marks at all.
func notInFuture(d, today Date) error {
	if d > today {
		return Errorf(LESSON_IN_FUTURE, "Занятие %s ещё не прошло (сегодня %s): отметить посещение можно в день занятия или позже", d.Russian(), today.Russian())
	}
	return nil
}

func inSchedule(g Group, d Date, start int) bool {
	wd := int(d.Weekday())
	if wd == 0 {
		wd = 7
	}
	return slices.ContainsFunc(g.Schedule, func(s Slot) bool { return s.Weekday == wd && s.Start == start })
}

// MarkAttendance records one child's mark for a held lesson. The child must
// have a contract with the group in force on that date, and the lesson must
// not lie after the executing database's today (Meta.Today: on the server its
// own date, so a node whose clock runs ahead is refused there). Errors:
// LESSON_IN_FUTURE, NOT_ENROLLED, MONTH_CLOSED, DATE_OUT_OF_PERIOD, EINVALID.
type MarkAttendance struct {
	Group string
	Date  Date
	Start int
	Extra bool
	Child string
	Mark  string
}

func (c *MarkAttendance) Op() string { return "mark_attendance" }

func (c *MarkAttendance) Apply(tx Tx, m Meta) error {
	if c.Mark != MarkPresent && c.Mark != MarkAbsent && c.Mark != MarkExcused && c.Mark != "" {
		return Errorf(EINVALID, "Неизвестная отметка «%s»", c.Mark)
	}
	if err := notInFuture(c.Date, m.Today); err != nil {
		return err
	}
	l, _, err := lessonFor(tx, c.Group, c.Date, c.Start, c.Extra)
	if err != nil {
		return err
	}
	if l.Cancelled {
		return Errorf(EINVALID, "Занятие %s отменено: отметки не ставятся", c.Date.Russian())
	}
	ok := false
	ks, err := List[Contract](tx, IdxGroup, c.Group+"|"+c.Child, 0)
	if err != nil {
		return err
	}
	for _, k := range ks {
		if k.Child == c.Child && k.Status != ContractRejected && k.Start <= c.Date && c.Date <= k.End {
			ok = true
		}
	}
	if !ok {
		return Errorf(NOT_ENROLLED, "Ребёнок не зачислен в группу на %s", c.Date.Russian())
	}
	if c.Mark == "" {
		delete(l.Marks, c.Child)
	} else {
		l.Marks[c.Child] = c.Mark
	}
	return tx.PutOwned(l) // l is this command's own copy, and it is done with it
}

// CancelLesson marks a scheduled lesson as cancelled by the provider (or
// restores it); cancelled lessons reduce the month's completeness and its marks
// are dropped. Errors: MONTH_CLOSED, DATE_OUT_OF_PERIOD, EINVALID.
type CancelLesson struct {
	Group     string
	Date      Date
	Start     int
	Cancelled bool
}

func (c *CancelLesson) Op() string { return "cancel_lesson" }

func (c *CancelLesson) Apply(tx Tx, m Meta) error {
	l, _, err := lessonFor(tx, c.Group, c.Date, c.Start, false)
	if err != nil {
		return err
	}
	if l.Extra {
		return Errorf(EINVALID, "Дополнительное занятие не отменяют: удалите отметки")
	}
	l.Cancelled = c.Cancelled
	if c.Cancelled {
		l.Marks = map[string]string{}
	}
	return tx.Put(l)
}

// ScheduledLessons lists the dates and start times of a group's scheduled
// lessons in a month, within the group's dates.
func ScheduledLessons(g Group, mo Month) []Lesson {
	var out []Lesson
	for d := max(mo.First(), g.Start); d <= min(mo.Last(), g.End); d++ {
		wd := int(d.Weekday())
		if wd == 0 {
			wd = 7
		}
		for _, s := range g.Schedule {
			if s.Weekday == wd {
				out = append(out, Lesson{ID: LessonID(g.ID, d, s.Start), Group: g.ID, Provider: g.Provider, Date: d, Start: s.Start})
			}
		}
	}
	return out
}

// GroupCompleteness is the month's completeness of a group from its journal:
// floor(100 × held / scheduled), 100 when nothing was scheduled or cancelled.
func GroupCompleteness(r Reader, g Group, mo Month) (int64, error) {
	sched := ScheduledLessons(g, mo)
	cancelled := 0
	ls, err := List[Lesson](r, IdxGroup, g.ID+"|"+mo.String(), 0)
	if err != nil {
		return 0, err
	}
	for _, l := range ls {
		if l.Cancelled && !l.Extra {
			cancelled++
		}
	}
	return Completeness(len(sched), cancelled), nil
}
