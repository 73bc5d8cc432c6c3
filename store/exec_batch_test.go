package store_test

import (
	"errors"
	"maps"
	"testing"

	"go.etcd.io/bbolt"

	"kruzhok/app"
	"kruzhok/store"
)

// ExecBatch shares a load cache and a write-back between its commands: a
// later command must see what an earlier one wrote (a mark, a cancellation),
// and a batch that fails must leave nothing behind, in bbolt or in a cache
// the next batch could read. Run on a node (pre-images for Rebase) and on the
// server (feed and kept digests, which the cleanup's Check compares with a
// walk). The same on sealed databases, whose records are opened on read.
func TestExecBatchCacheNeverStale(t *testing.T) {
	t.Run("plain", func(t *testing.T) { execBatchCacheNeverStale(t, newRegion(t)) })
	t.Run("sealed", func(t *testing.T) { execBatchCacheNeverStale(t, newRegionSealed(t, false)) })
}

func execBatchCacheNeverStale(t *testing.T, w *region) {
	d := app.DateOf(w.now) // a Tuesday: the group meets at 15:00
	var kids []string
	for range 2 {
		child, cert, _ := w.financed()
		w.must(w.server, w.enrolCmd(w.server, cert, w.Group, d))
		kids = append(kids, child)
	}
	nd := w.join("prov.db", app.ProviderScope(w.Prov))
	w.sync(nd)
	id := app.LessonID(w.Group, d, 15*60)
	mark := func(child, m string) app.Command {
		return &app.MarkAttendance{Group: w.Group, Date: d, Start: 15 * 60, Child: child, Mark: m}
	}
	for _, db := range []*store.DB{w.server, nd.db} {
		if db == nd.db {
			w.sync(nd) // the server's lesson reaches the node: its marks go to the write-back
		}
		// Each mark reads the lesson the one before it wrote.
		if _, err := db.ExecBatch([]app.Command{mark(kids[0], app.MarkPresent), mark(kids[1], app.MarkAbsent),
			mark(kids[0], app.MarkAbsent), mark(kids[1], app.MarkExcused), mark(kids[1], "")}); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{kids[0]: app.MarkAbsent}
		if l := getRec[app.Lesson](t, db, id); !maps.Equal(l.Marks, want) {
			t.Fatalf("after one batch the lesson holds %v, want %v", l.Marks, want)
		}
		if db == nd.db {
			// The node kept the lesson's pre-image (the server's lesson) for
			// Rebase, though the batch wrote the lesson only at its end.
			var pre []byte
			_ = db.Bolt().View(func(tx *bbolt.Tx) error {
				pre = append(pre, tx.Bucket([]byte("base/"+string(app.KindLesson))).Get([]byte(id))...)
				return nil
			})
			if len(pre) == 0 {
				t.Fatalf("no pre-image of the lesson in the node's base after the batch")
			}
		}
		before, err := db.OutboxLen()
		if err != nil {
			t.Fatal(err)
		}
		// The cancellation (a plain Put) is seen by the mark after it, which
		// is refused: the whole batch is undone.
		_, err = db.ExecBatch([]app.Command{mark(kids[1], app.MarkPresent),
			&app.CancelLesson{Group: w.Group, Date: d, Start: 15 * 60, Cancelled: true}, mark(kids[0], app.MarkPresent)})
		var be *store.BatchError
		if !errors.As(err, &be) || be.Index != 2 || app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("a mark after the cancellation in the same batch: %v, want EINVALID at command 3", err)
		}
		if l := getRec[app.Lesson](t, db, id); !maps.Equal(l.Marks, want) || l.Cancelled {
			t.Fatalf("after the failed batch the lesson is %+v, want marks %v and not cancelled", l, want)
		}
		if n, err := db.OutboxLen(); err != nil || n != before {
			t.Fatalf("outbox %d ops after the failed batch (%v), want %d", n, err, before)
		}
		// The next batch starts from what is stored, not from the failed
		// batch's cached lesson (which held kids[1] present, then cancelled).
		if _, err := db.ExecBatch([]app.Command{mark(kids[0], app.MarkPresent)}); err != nil {
			t.Fatal(err)
		}
		want = map[string]string{kids[0]: app.MarkPresent}
		if l := getRec[app.Lesson](t, db, id); !maps.Equal(l.Marks, want) || l.Cancelled {
			t.Fatalf("after the next batch the lesson is %+v, want marks %v", l, want)
		}
	}
	w.sync(nd)
	w.converged(nd)
}
