package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/jobs"
	"kruzhok/store"
)

func names(s *jobs.Scheduler) []string {
	var out []string
	for _, st := range s.Status() {
		out = append(out, st.Name)
	}
	return out
}

func TestJobsOfAuthorityAndNode(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	s := w.scheduler(jobs.Options{})
	want := []string{jobs.JobBackup, jobs.JobDowngrade, jobs.JobJournal, jobs.JobMonthClose, jobs.JobRollOver, jobs.JobRetire}
	if got := names(s); !slices.Equal(got, want) {
		t.Errorf("authority jobs %v, want %v", got, want)
	}
	if err := s.AddSync(func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSync(func(context.Context) error { return nil }); err == nil {
		t.Error("a second sync job was accepted")
	}
	if err := s.RunNow("nonsense"); !errors.Is(err, jobs.ErrUnknownJob) {
		t.Errorf("RunNow(nonsense): %v", err)
	}

	n := newWorld(t, "2026-09-10")
	if err := n.db.SetScope("provider:p-1", false); err != nil {
		t.Fatal(err)
	}
	if got := names(n.scheduler(jobs.Options{})); !slices.Equal(got, []string{jobs.JobBackup, jobs.JobOutboxTrim}) {
		t.Errorf("node jobs %v, want the backup and the outbox trim", got)
	}
}

// The schedule as gocron has it, in Moscow time, of an authority and of a node.
func TestNextRuns(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	s := w.scheduler(jobs.Options{})
	s.Start()
	n := newWorld(t, "2026-09-10")
	if err := n.db.SetScope("provider:p-1", false); err != nil {
		t.Fatal(err)
	}
	ns := n.scheduler(jobs.Options{})
	ns.Start()
	now := time.Now().In(jobs.Moscow)
	for _, st := range append(s.Status(), ns.Status()...) {
		at := st.NextRun.In(jobs.Moscow)
		var ok bool
		switch st.Name {
		case jobs.JobBackup:
			ok = at.Hour() == 2 && at.Minute() == 30 && at.Sub(now) <= 24*time.Hour
		case jobs.JobDowngrade:
			ok = at.Hour() == 0 && at.Minute() == 20 && at.Sub(now) <= 24*time.Hour
		case jobs.JobOutboxTrim:
			ok = at.Hour() == 3 && at.Minute() == 10 && at.Sub(now) <= 24*time.Hour
		case jobs.JobRetire:
			ok = at.Hour() == 0 && at.Minute() == 25 && at.Sub(now) <= 24*time.Hour
		case jobs.JobJournal:
			ok = at.Hour() == 3 && at.Minute() == 40 && at.Sub(now) <= 24*time.Hour
		case jobs.JobMonthClose:
			ok = at.Day() == 1 && at.Hour() == 0 && at.Minute() == 10 && at.Sub(now) <= 31*24*time.Hour
		case jobs.JobRollOver:
			ok = at.Month() == time.September && at.Day() == 1 && at.Hour() == 0 && at.Minute() == 5 &&
				at.Sub(now) <= 366*24*time.Hour
		}
		if !ok || !at.After(now) {
			t.Errorf("%s: next run %s", st.Name, at)
		}
	}
}

// Month close on the 1st writes the contract's months off (reserved → paid)
// and makes the advance invoice; months missed while the server was down are
// closed in order; a second run does nothing.
func TestMonthClose(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	w.provider()
	cert := w.financed()
	k := w.enrol(cert, "2026-09-15")
	before := get[app.Certificate](w, cert).LedgerOf("2026-2027")
	if before.Reserved == 0 || before.Paid != 0 {
		t.Fatalf("ledger before the close %+v", before)
	}
	s := w.scheduler(jobs.Options{})

	// Not the 1st, and never closed: the job does not guess where to start.
	w.clk.Set("2026-09-20", 0, 10)
	ops := w.ops()
	if err := s.RunNow(jobs.JobMonthClose); err != nil || w.ops() != ops {
		t.Fatalf("mid-month run on a region never closed: %v, %d ops", err, w.ops()-ops)
	}

	w.clk.Set("2026-10-01", 0, 10)
	if err := s.RunNow(jobs.JobMonthClose); err != nil {
		t.Fatal(err)
	}
	if got := w.region().LastClosed; got != app.MonthOf(2026, time.October) {
		t.Fatalf("last closed %s, want 2026-10", got)
	}
	after := get[app.Certificate](w, cert).LedgerOf("2026-2027")
	if after.Paid <= 0 || after.Reserved >= before.Reserved || after.Paid+after.Reserved != before.Reserved {
		t.Errorf("money did not move from reserved to paid: before %+v, after %+v", before, after)
	}
	contract := get[app.Contract](w, k)
	var paid int64
	for _, m := range contract.Schedule {
		if m.WrittenOff {
			paid += m.Cert
		}
	}
	if paid != after.Paid {
		t.Errorf("written-off shares %d, paid %d", paid, after.Paid)
	}
	var invoices []app.Invoice
	_ = w.db.View(func(r app.Reader) error {
		var err error
		invoices, err = app.List[app.Invoice](r, "", "", 0)
		return err
	})
	advance := slices.IndexFunc(invoices, func(i app.Invoice) bool {
		return i.Type == app.InvAdvance && i.Month == app.MonthOf(2026, time.October) && i.Amount > 0
	})
	if advance < 0 {
		t.Errorf("no advance invoice for October: %+v", invoices)
	}

	// The server was down from 31 October to 15 December: both months close, in order.
	w.clk.Set("2026-12-15", 11, 0)
	if err := s.RunNow(jobs.JobMonthClose); err != nil {
		t.Fatal(err)
	}
	if got := w.region().LastClosed; got != app.MonthOf(2026, time.December) {
		t.Fatalf("last closed %s, want 2026-12", got)
	}
	if n := w.logs.Count("month closed"); n != 3 {
		t.Errorf("%d months closed, want 3:\n%s", n, w.logs)
	}
	ops = w.ops()
	if err := s.RunNow(jobs.JobMonthClose); err != nil || w.ops() != ops {
		t.Errorf("second run in December: %v, %d ops", err, w.ops()-ops)
	}
}

// A server that was down on the 1st closes the month when it starts.
func TestCatchUpOnStart(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	w.provider()
	w.enrol(w.financed(), "2026-09-15")
	w.clk.Set("2026-10-01", 0, 10)
	w.must(&app.CloseMonth{Month: app.MonthOf(2026, time.October)})
	w.clk.Set("2026-11-03", 8, 0)
	s := w.scheduler(jobs.Options{})
	s.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, _ := s.StatusOf(jobs.JobDowngrade) // the last of the catch-up
		if !st.LastRun.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("catch-up did not run:\n%s", w.logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := w.region().LastClosed; got != app.MonthOf(2026, time.November) {
		t.Errorf("last closed %s after start on 3 November, want 2026-11", got)
	}
	for _, st := range s.Status() {
		if st.LastError != "" {
			t.Errorf("%s: %s", st.Name, st.LastError)
		}
	}
}

// A financing certificate nobody used within 30 days goes back to accounting.
func TestDowngrade(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	w.provider()
	unused := w.financed()
	used := w.financed()
	w.enrol(used, "2026-09-15")
	s := w.scheduler(jobs.Options{})

	w.clk.Set("2026-10-05", 0, 20) // within the 30 days
	if err := s.RunNow(jobs.JobDowngrade); err != nil {
		t.Fatal(err)
	}
	if c := get[app.Certificate](w, unused); c.Type != app.CertFinancing {
		t.Fatalf("downgraded early: %+v", c)
	}
	w.clk.Set("2026-10-20", 0, 20)
	if err := s.RunNow(jobs.JobDowngrade); err != nil {
		t.Fatal(err)
	}
	if c := get[app.Certificate](w, unused); c.Type != app.CertAccounting {
		t.Errorf("unused certificate is %s, want accounting", c.Type)
	}
	if c := get[app.Certificate](w, used); c.Type != app.CertFinancing {
		t.Errorf("used certificate is %s, want financing", c.Type)
	}
}

// The roll-over acts on 1 September only; any other day it is not due, which
// is no failure.
func TestRollOver(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	s := w.scheduler(jobs.Options{})
	cur := w.region().Current
	w.clk.Set("2027-03-01", 0, 5)
	if err := s.RunNow(jobs.JobRollOver); err != nil || w.region().Current != cur {
		t.Fatalf("roll-over in March: %v, current %s", err, w.region().Current)
	}
	w.clk.Set("2027-09-01", 0, 5)
	if err := s.RunNow(jobs.JobRollOver); err != nil {
		t.Fatal(err)
	}
	if r := w.region(); r.Current != "2027-2028" || r.Next != "2028-2029" {
		t.Errorf("after 1 September 2027: current %s, next %s", r.Current, r.Next)
	}
	if st, _ := s.StatusOf(jobs.JobRollOver); st.LastError != "" || st.Failures != 0 {
		t.Errorf("status %+v", st)
	}
}

// The node's daily outbox trim drops the ops the server acked more than
// store.OutboxKeepDays ago and keeps the younger and the pending ones.
func TestOutboxTrimJob(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	old := w.ops() // the seed, made on 2026-09-10
	w.clk.Set("2026-09-25", 9, 0)
	w.provider()
	total := w.ops()
	if err := w.db.SetScope("provider:p-1", false); err != nil {
		t.Fatal(err)
	}
	if err := w.db.RecordResults(uint64(total-1), nil); err != nil { // the last op is pending
		t.Fatal(err)
	}
	s := w.scheduler(jobs.Options{})

	w.clk.Set("2026-10-15", 3, 10)
	if err := s.RunNow(jobs.JobOutboxTrim); err != nil {
		t.Fatal(err)
	}
	if n := w.ops(); n != total-old {
		t.Errorf("%d ops left, want %d (the seed of 35 days ago gone)", n, total-old)
	}
	if ops, err := w.db.Outbox(0, 1); err != nil || len(ops) != 1 || ops[0].Seq != uint64(old+1) {
		t.Errorf("the outbox begins with %+v, %v; want seq %d", ops, err, old+1)
	}

	w.clk.Set("2026-12-01", 3, 10)
	if err := s.RunNow(jobs.JobOutboxTrim); err != nil {
		t.Fatal(err)
	}
	if ops, err := w.db.PendingOps(0); err != nil || len(ops) != 1 || w.ops() != 1 {
		t.Errorf("after the second trim: %d ops, pending %d, %v; want the pending op alone", w.ops(), len(ops), err)
	}
	if st, _ := s.StatusOf(jobs.JobOutboxTrim); st.LastError != "" || st.Failures != 0 {
		t.Errorf("status %+v", st)
	}
	if b := w.db.Check(nil); len(b) > 0 {
		t.Errorf("check after the trim: %q", b)
	}
}

// The nightly backup is taken while the database keeps taking writes, reads
// back with Restore into a database that passes every check, and rotation
// keeps the newest 14.
func TestBackupJob(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	w.provider()
	dir := filepath.Join(t.TempDir(), "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for i := range 20 { // older backups
		n := store.BackupFileName(time.Date(2026, 8, 1+i, 2, 30, 0, 0, jobs.Moscow))
		if err := os.WriteFile(filepath.Join(dir, n), []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := w.scheduler(jobs.Options{BackupDir: dir})
	w.clk.Set("2026-09-11", 2, 30)

	ctx, cancel := context.WithCancel(context.Background())
	var wrote atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			_, err := w.db.Exec(&app.RegisterChild{Child: app.Child{ID: fmt.Sprintf("w-%d", i), LastName: "Сидоров",
				FirstName: "Олег", BirthDate: app.MustDate("2016-01-02"), Municipality: "27",
				GuardianName: "Сидорова Ольга", ConsentDate: app.MustDate("2026-09-10"), ConsentBy: "МОЦ"}})
			if err != nil {
				t.Errorf("write beside the backup: %v", err)
				return
			}
			wrote.Add(1)
		}
	}()
	for wrote.Load() < 10 {
		time.Sleep(time.Millisecond)
	}
	err := s.RunNow(jobs.JobBackup)
	for n := wrote.Load(); wrote.Load() < n+10; {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	newest := store.BackupFileName(w.clk.Now().In(jobs.Moscow))
	if len(files) != 14 || files[len(files)-1] != newest {
		t.Fatalf("backups after rotation: %v, want 14 ending with %s", files, newest)
	}
	f, err := os.Open(filepath.Join(dir, newest))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	path := filepath.Join(t.TempDir(), "restored.db")
	if err := store.Restore(f, path); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if b := db.Check(app.Check); len(b) > 0 {
		t.Fatalf("restored backup: %q", b)
	}
	n, _ := db.OutboxLen()
	if n < 10 || n >= w.ops() {
		t.Errorf("backup holds %d ops, the live database %d", n, w.ops())
	}
}

// A fault is retried Retries times within the run, then reported; a domain
// refusal would not be retried.
func TestFailedJobRetried(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := w.scheduler(jobs.Options{BackupDir: filepath.Join(blocker, "backups"), Retries: 2})
	if err := s.RunNow(jobs.JobBackup); err == nil {
		t.Fatal("backup into a file's subdirectory succeeded")
	}
	if n := w.logs.Count("job failed, retrying"); n != 2 {
		t.Errorf("%d retries, want 2:\n%s", n, w.logs)
	}
	st, _ := s.StatusOf(jobs.JobBackup)
	if st.Failures != 1 || st.LastError == "" || st.LastRun.IsZero() || st.Running {
		t.Errorf("status %+v", st)
	}
}
