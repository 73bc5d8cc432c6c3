package app_test

import (
	"strings"
	"testing"

	"kruzhok/app"
)

// The journal of 08.12.2026 (a Tuesday): the group meets on Tuesdays and
// Thursdays at 15:00, so 31.12 is a lesson of the schedule, three weeks
// ahead. Marking it is LESSON_IN_FUTURE and names both dates; today's lesson
// may be marked, and the 10th may be once the 10th has come.
func TestMarkFutureLesson(t *testing.T) {
	w := newWorld(t, "2026-09-01")
	w.params("27", 10, 10_000_00)
	w.provider(20)
	child, cert := w.financed()
	w.enrol(cert, w.Group, "2026-09-01")
	w.setToday("2026-12-08")
	mark := func(d string) *app.MarkAttendance {
		return &app.MarkAttendance{Group: w.Group, Date: day(d), Start: 15 * 60, Child: child, Mark: app.MarkPresent}
	}
	w.wantCode(mark("2026-12-31"), app.LESSON_IN_FUTURE)
	err := w.exec(mark("2026-12-31"))
	if msg := app.ErrorMessage(err); !strings.Contains(msg, "31.12.2026") || !strings.Contains(msg, "08.12.2026") {
		t.Errorf("message %q does not name the lesson and today", msg)
	}
	w.wantCode(mark("2026-12-10"), app.LESSON_IN_FUTURE)
	clear := mark("2026-12-10")
	clear.Mark = ""
	w.wantCode(clear, app.LESSON_IN_FUTURE)
	extra := mark("2026-12-09")
	extra.Extra = true
	w.wantCode(extra, app.LESSON_IN_FUTURE)
	w.must(mark("2026-12-08"))
	w.must(mark("2026-12-03"))

	// A future lesson holds no record at all: nothing counts it as held.
	for _, d := range []string{"2026-12-10", "2026-12-31"} {
		err := w.db.View(func(r app.Reader) error {
			_, err := app.Get[app.Lesson](r, app.LessonID(w.Group, day(d), 15*60))
			return err
		})
		if app.ErrorCode(err) != app.ENOTFOUND {
			t.Errorf("lesson %s stored: %v", d, err)
		}
	}
	// A lesson the provider knows will not happen may still be cancelled ahead.
	w.must(&app.CancelLesson{Group: w.Group, Date: day("2026-12-31"), Start: 15 * 60, Cancelled: true})

	w.setToday("2026-12-10")
	w.must(mark("2026-12-10"))
	if l := get[app.Lesson](w, app.LessonID(w.Group, day("2026-12-10"), 15*60)); l.Marks[child] != app.MarkPresent {
		t.Errorf("the 10th on the 10th: %+v", l)
	}
}
