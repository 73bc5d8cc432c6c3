package jobs

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"kruzhok/app"
	"kruzhok/store"
)

// backup writes BackupDir/kruzhok-YYYYMMDD-HHMMSS.db.zst (the time in the
// schedule's location) from one read transaction, while writers go on, and
// keeps the newest Keep backups.
func (s *Scheduler) backup(context.Context) error {
	dir := s.opt.BackupDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	path := filepath.Join(dir, store.BackupFileName(s.opt.Now().In(s.opt.Location)))
	t0 := time.Now()
	n, err := s.db.BackupTo(path)
	if err != nil {
		return err
	}
	s.log.Info("backup written", "path", path, "bytes", n, "duration", time.Since(t0))
	return store.RotateBackups(dir, s.opt.Keep)
}

// trimOutbox drops the node's own ops that the server answered more than
// store.OutboxKeepDays ago (152-ФЗ: their payloads hold overwritten personal
// data). A database that has become an authority since New is skipped.
func (s *Scheduler) trimOutbox(context.Context) error {
	if s.db.Authority() {
		s.log.Info("an authority database: job skipped", "job", JobOutboxTrim)
		return nil
	}
	before := s.opt.Now().AddDate(0, 0, -store.OutboxKeepDays)
	n, err := s.db.TrimOutbox(before)
	if err != nil {
		return err
	}
	s.log.Info("outbox trimmed", "ops", n, "before", before)
	return nil
}

// scrubJournal drops the personal fields of the op payloads in the server's
// journal batches older than store.JournalPayloadDays (docs/SYNC.md,
// "Journal retention"); the batches' node, time, ops and results stay.
func (s *Scheduler) scrubJournal(context.Context) error {
	if !s.authority(JobJournal) {
		return nil
	}
	before := s.opt.Now().AddDate(0, 0, -store.JournalPayloadDays)
	n, err := s.db.ScrubJournal(before)
	if err != nil {
		return err
	}
	s.log.Info("journal payloads scrubbed", "batches", n, "before", before)
	return nil
}

// authority reports whether db decides as an authority now; a database
// joined to a server since New has no business with these jobs.
func (s *Scheduler) authority(name string) bool {
	if s.db.Authority() {
		return true
	}
	s.log.Info("not an authority database: job skipped", "job", name)
	return false
}

// closeMonths closes every month from the one after the last closed through
// the current one, in order (app requires it). A region that has never
// closed a month starts with the current month, on the 1st only: which
// earlier months it wants closed is not the job's guess. A month found closed
// already (MONTH_CLOSED: someone closed it meanwhile) is logged and passed.
func (s *Scheduler) closeMonths(ctx context.Context) error {
	if !s.authority(JobMonthClose) {
		return nil
	}
	today := s.today()
	target := today.Month()
	var last app.Month
	err := s.db.View(func(r app.Reader) error {
		reg, err := app.Get[app.Region](r, "region")
		last = reg.LastClosed
		return err
	})
	if app.ErrorCode(err) == app.ENOTFOUND {
		s.log.Warn("region not seeded: no month to close", "job", JobMonthClose)
		return nil
	} else if err != nil {
		return fmt.Errorf("month close: %w", err)
	}
	from := last + 1
	if last == 0 {
		if _, _, d := today.Parts(); d != 1 {
			return nil
		}
		from = target
	}
	for m := from; m <= target; m++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		_, err := s.db.Exec(&app.CloseMonth{Month: m})
		switch app.ErrorCode(err) {
		case "":
			s.log.Info("month closed", "month", m.String())
		case app.MONTH_CLOSED:
			s.log.Info("month already closed", "month", m.String(), "msg", app.ErrorMessage(err))
		default:
			return fmt.Errorf("close month %s: %w", m, err)
		}
	}
	return nil
}

// downgrade runs the daily return of unused financing certificates.
func (s *Scheduler) downgrade(context.Context) error {
	if !s.authority(JobDowngrade) {
		return nil
	}
	if _, err := s.db.Exec(&app.DowngradeUnused{Date: s.today()}); err != nil {
		return fmt.Errorf("downgrade unused certificates: %w", err)
	}
	return nil
}

// retire runs the daily end of providers' sight of children (RULES.md §10):
// 90 days after the last contract ended or the application was declined.
func (s *Scheduler) retire(context.Context) error {
	if !s.authority(JobRetire) {
		return nil
	}
	if _, err := s.db.Exec(&app.RetireApplications{Date: s.today()}); err != nil {
		return fmt.Errorf("retire applications: %w", err)
	}
	return nil
}

// rollOver makes the next period current when today is in it; on any other
// day app answers DATE_OUT_OF_PERIOD, which is no failure.
func (s *Scheduler) rollOver(context.Context) error {
	if !s.authority(JobRollOver) {
		return nil
	}
	today := s.today()
	_, err := s.db.Exec(&app.RollOverPeriod{Date: today})
	switch app.ErrorCode(err) {
	case "":
		s.log.Info("period rolled over", "date", today.String())
	case app.DATE_OUT_OF_PERIOD, app.NO_PARAMETERS:
		s.log.Debug("period roll-over not due", "date", today.String(), "msg", app.ErrorMessage(err))
	default:
		return fmt.Errorf("period roll-over: %w", err)
	}
	return nil
}

// catchUp runs the authority jobs once at start, in the order of a 1st of
// the month, each as its own singleton run.
func (s *Scheduler) catchUp() {
	for _, name := range []string{JobRollOver, JobMonthClose, JobDowngrade, JobRetire} {
		s.mu.Lock()
		j := s.jobs[name]
		s.mu.Unlock()
		if s.ctx.Err() != nil {
			return
		}
		_ = s.run(j, true)
	}
}
