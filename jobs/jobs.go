// Package jobs runs Kruzhok's periodic work on one gocron scheduler per
// process: the nightly backup, and on an authority database the month close,
// the daily downgrade of unused financing certificates, the period
// roll-over and the daily journal retention; on a node the daily trimming of its outbox; and sync, when the
// process has a server to sync with.
//
// Every job writes through db.Exec with an app command, never to buckets.
// Every job is a singleton: a run never starts while another run of the same
// job is going (gocron's singleton mode for the scheduled runs, and a lock of
// the job's own for RunNow and sync's timers).
//
// Failures. A scheduled job other than sync that fails with a fault (an error
// without a domain code: a full disk, an I/O error) is retried in the same
// run up to Options.Retries times, Options.RetryDelay apart, and then waits
// for its next tick. A domain refusal (an *app.Error with a code) is not
// retried: the same state gives the same answer. The authority jobs also run
// once when the scheduler starts, in order roll-over, month close, downgrade,
// retirement of applications,
// so that a server that was down on the 1st catches up; each is idempotent.
// Sync retries by backoff (AddSync).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"kruzhok/app"
	"kruzhok/store"
)

// Names of the jobs, for RunNow and Status.
const (
	JobSync       = "sync"
	JobBackup     = "backup"
	JobMonthClose = "month-close"
	JobDowngrade  = "downgrade-unused"
	JobRetire     = "retire-applications"
	JobRollOver   = "period-rollover"
	JobOutboxTrim = "outbox-trim"
	JobJournal    = "journal-retention"
)

// Errors of RunNow.
var (
	ErrUnknownJob = errors.New("jobs: no such job")
	ErrShutdown   = errors.New("jobs: scheduler is shut down")
)

// Moscow is the default location of the schedule: Europe/Moscow, UTC+3 with
// no daylight saving since 2014, as a fixed zone so that no tz database is needed.
var Moscow = time.FixedZone("MSK", 3*3600)

// Options tune a Scheduler; zero fields take the defaults.
type Options struct {
	BackupDir string         // where nightly backups go; default <directory of the database>/backups
	Keep      int            // backups kept; default 14
	Location  *time.Location // of the schedule and of "today"; default Moscow
	Now       func() time.Time

	// Retries of a failed run of a job other than sync (default 3; negative
	// means none), RetryDelay apart (default 1 minute).
	Retries    int
	RetryDelay time.Duration

	SyncEvery time.Duration // the regular sync; default 5 minutes
	KickDelay time.Duration // how soon a sync follows Kick; default 5 seconds
	Backoff   Backoff       // sync's retries; zero: 30 s doubling to 1 h, ±20 %

	// Rand is the jitter source, uniform in [0, 1); default math/rand/v2.
	Rand func() float64
	// AfterFunc arms sync's one timer (its retries and kicks); default
	// time.AfterFunc. Tests pass a fake to see the delays and fire them.
	AfterFunc func(d time.Duration, f func()) (stop func() bool)
}

func (o Options) withDefaults(db *store.DB) Options {
	if o.BackupDir == "" {
		o.BackupDir = filepath.Join(filepath.Dir(db.Path()), "backups")
	}
	if o.Keep <= 0 {
		o.Keep = 14
	}
	if o.Location == nil {
		o.Location = Moscow
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Retries == 0 {
		o.Retries = 3
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = time.Minute
	}
	if o.SyncEvery <= 0 {
		o.SyncEvery = 5 * time.Minute
	}
	if o.KickDelay <= 0 {
		o.KickDelay = 5 * time.Second
	}
	if o.Backoff == (Backoff{}) {
		o.Backoff = Backoff{Base: 30 * time.Second, Max: time.Hour, Jitter: 0.2}
	}
	if o.Backoff.Base <= 0 {
		o.Backoff.Base = 30 * time.Second
	}
	if o.Backoff.Max < o.Backoff.Base {
		o.Backoff.Max = max(time.Hour, o.Backoff.Base)
	}
	o.Backoff.Jitter = min(max(o.Backoff.Jitter, 0), 0.9)
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	if o.AfterFunc == nil {
		o.AfterFunc = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	return o
}

// Status is what the UI shows of a job.
type Status struct {
	Name         string
	Running      bool
	LastRun      time.Time     // start of the last finished run; zero if none
	LastDuration time.Duration // of that run, retries included
	LastError    string        // "" when the last run succeeded
	Failures     int           // runs that failed in a row
	NextRun      time.Time     // next planned run; zero if none
}

// Scheduler is the one scheduler of a process. Its methods are safe for
// concurrent use.
type Scheduler struct {
	db   *store.DB
	log  *slog.Logger
	opt  Options
	cron gocron.Scheduler

	ctx    context.Context // cancelled by Shutdown: running jobs stop
	cancel context.CancelFunc
	runs   sync.WaitGroup // runs outside gocron: RunNow, sync's timer

	control net.Listener // the control socket (control.go), nil if it could not open

	mu       sync.Mutex
	jobs     map[string]*job
	started  bool
	shutdown bool
	sync     syncState
}

// job is one named job and its status.
type job struct {
	name    string
	fn      func(ctx context.Context) error
	retries int
	after   func(err error) // called after each run, before the lock is released

	running sync.Mutex // held during a run: the job never overlaps itself
	mu      sync.Mutex // guards st and gj
	st      Status
	gj      gocron.Job // its schedule
}

// New makes the scheduler of db and registers the jobs db needs: the nightly
// backup at 02:30 into opt.BackupDir, keeping opt.Keep; on an authority
// database also the period roll-over on 1 September at 00:05, the month
// close on the 1st at 00:10 (catching up every month missed, in order) and
// the downgrade of unused financing certificates daily at 00:20 and the end
// of providers' sight of children (RULES.md §10) daily at 00:25 and the
// scrubbing of personal payloads from the journal's batches older than
// store.JournalPayloadDays daily at 03:40, after the backup; on a node
// the trimming of acked ops older than store.OutboxKeepDays daily at 03:10,
// after the backup. Nothing runs before Start. Whether db is an authority is
// read once, here.
func New(db *store.DB, log *slog.Logger, opt Options) (*Scheduler, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{db: db, log: log.With("part", "jobs"), opt: opt.withDefaults(db), jobs: map[string]*job{}}
	cron, err := gocron.NewScheduler(gocron.WithLocation(s.opt.Location),
		gocron.WithLogger(s.log), gocron.WithStopTimeout(time.Minute))
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	s.cron = cron
	s.ctx, s.cancel = context.WithCancel(context.Background())

	at := func(h, m uint) gocron.AtTimes { return gocron.NewAtTimes(gocron.NewAtTime(h, m, 0)) }
	if err := s.add(JobBackup, s.backup, gocron.DailyJob(1, at(2, 30))); err != nil {
		return nil, err
	}
	if !db.Authority() {
		if err := s.add(JobOutboxTrim, s.trimOutbox, gocron.DailyJob(1, at(3, 10))); err != nil {
			return nil, err
		}
	}
	if db.Authority() {
		if err := s.add(JobRollOver, s.rollOver, gocron.CronJob("1 September 00:05", false),
			gocron.WithCronImplementation(&yearly{month: time.September, day: 1, hour: 0, min: 5})); err != nil {
			return nil, err
		}
		if err := s.add(JobMonthClose, s.closeMonths,
			gocron.MonthlyJob(1, gocron.NewDaysOfTheMonth(1), at(0, 10))); err != nil {
			return nil, err
		}
		if err := s.add(JobDowngrade, s.downgrade, gocron.DailyJob(1, at(0, 20))); err != nil {
			return nil, err
		}
		if err := s.add(JobRetire, s.retire, gocron.DailyJob(1, at(0, 25))); err != nil {
			return nil, err
		}
		if err := s.add(JobJournal, s.scrubJournal, gocron.DailyJob(1, at(3, 40))); err != nil {
			return nil, err
		}
		_, err := s.cron.NewJob(gocron.OneTimeJob(gocron.OneTimeJobStartImmediately()),
			gocron.NewTask(s.catchUp), gocron.WithName("catch-up"))
		if err != nil {
			return nil, fmt.Errorf("jobs: catch-up: %w", err)
		}
	}
	return s, nil
}

// add registers a job run by gocron on def.
func (s *Scheduler) add(name string, fn func(context.Context) error, def gocron.JobDefinition, opts ...gocron.JobOption) error {
	j := &job{name: name, fn: fn, retries: s.opt.Retries}
	j.st.Name = name
	gj, err := s.cron.NewJob(def, gocron.NewTask(func() { _ = s.run(j, false) }),
		append(opts, gocron.WithName(name), gocron.WithSingletonMode(gocron.LimitModeReschedule))...)
	if err != nil {
		return fmt.Errorf("jobs: %s: %w", name, err)
	}
	j.mu.Lock()
	j.gj = gj
	j.mu.Unlock()
	s.mu.Lock()
	s.jobs[name] = j
	s.mu.Unlock()
	return nil
}

// Start starts the schedule: the authority's catch-up runs at once, and a
// sync follows after Options.KickDelay.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.shutdown {
		return
	}
	s.started = true
	if err := s.serveControl(); err != nil {
		s.log.Warn("control socket not available: kruzhok backup cannot reach this process", "err", err)
	}
	s.cron.Start()
	if s.jobs[JobSync] != nil && s.sync.at.IsZero() {
		s.arm(s.opt.KickDelay, true)
	}
}

// Shutdown stops the schedule and sync's timer, cancels the context of the
// running jobs and waits for them (gocron's part at most a minute). The
// scheduler cannot be started again.
func (s *Scheduler) Shutdown() error {
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		return nil
	}
	s.shutdown = true
	s.sync.disarm()
	if s.control != nil {
		s.control.Close()
		_ = os.Remove(ControlPath(s.db.Path()))
	}
	s.mu.Unlock()
	s.cancel()
	err := s.cron.Shutdown()
	s.runs.Wait()
	if err != nil {
		return fmt.Errorf("jobs: shutdown: %w", err)
	}
	return nil
}

// RunNow runs the named job at once and returns its error: after the running
// instance, if any, has finished, never beside it. Retries of a fault happen
// as for a scheduled run; a failed sync arms its backoff as usual.
// ErrUnknownJob, ErrShutdown.
func (s *Scheduler) RunNow(name string) error {
	s.mu.Lock()
	j, ok := s.jobs[name]
	down := s.shutdown
	if !down {
		s.runs.Add(1)
	}
	s.mu.Unlock()
	if down {
		return ErrShutdown
	}
	defer s.runs.Done()
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownJob, name)
	}
	return s.run(j, true)
}

// errBusy: a run was skipped because another run of the job is going.
var errBusy = errors.New("jobs: already running")

// run runs j once: with wait, after the current run; without, not at all if
// one is going (errBusy).
func (s *Scheduler) run(j *job, wait bool) error {
	if wait {
		j.running.Lock()
	} else if !j.running.TryLock() {
		s.log.Debug("job still running: run skipped", "job", j.name)
		return errBusy
	}
	defer j.running.Unlock()
	if err := s.ctx.Err(); err != nil {
		return ErrShutdown
	}
	start, t0 := s.opt.Now(), time.Now()
	j.mu.Lock()
	j.st.Running = true
	j.mu.Unlock()

	err := s.attempts(j)

	d := time.Since(t0)
	j.mu.Lock()
	j.st.Running, j.st.LastRun, j.st.LastDuration = false, start, d
	if err != nil {
		j.st.LastError = err.Error()
		j.st.Failures++
	} else {
		j.st.LastError, j.st.Failures = "", 0
	}
	j.mu.Unlock()
	if err != nil {
		s.log.Error("job failed", "job", j.name, "code", app.ErrorCode(err), "err", err, "duration", d)
	} else {
		s.log.Info("job done", "job", j.name, "duration", d)
	}
	if j.after != nil {
		j.after(err)
	}
	return err
}

// attempts runs j.fn, retrying a fault up to j.retries times.
func (s *Scheduler) attempts(j *job) error {
	for try := 0; ; try++ {
		err := safe(s.ctx, j.fn)
		if err == nil || try >= j.retries || !fault(err) || s.ctx.Err() != nil {
			return err
		}
		s.log.Warn("job failed, retrying", "job", j.name, "try", try+1, "of", j.retries, "in", s.opt.RetryDelay, "err", err)
		select {
		case <-s.ctx.Done():
			return err
		case <-time.After(s.opt.RetryDelay):
		}
	}
}

// fault reports whether err is worth retrying: not a domain refusal.
func fault(err error) bool {
	return app.ErrorCode(err) == app.EINTERNAL && !errors.Is(err, context.Canceled)
}

// safe runs fn, turning a panic into an error: one bad job must not take the
// process down.
func safe(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn(ctx)
}

// Status returns every job's status, by name.
func (s *Scheduler) Status() []Status {
	s.mu.Lock()
	jobs := make([]*job, 0, len(s.jobs))
	for _, j := range s.jobs {
		jobs = append(jobs, j)
	}
	syncAt, syncFailing := s.sync.at, s.sync.failures > 0
	s.mu.Unlock()
	out := make([]Status, 0, len(jobs))
	for _, j := range jobs {
		j.mu.Lock()
		st, gj := j.st, j.gj
		j.mu.Unlock()
		if gj != nil {
			if t, err := gj.NextRun(); err == nil {
				st.NextRun = t
			}
		}
		if j.name == JobSync && !syncAt.IsZero() && (syncFailing || st.NextRun.IsZero() || syncAt.Before(st.NextRun)) {
			st.NextRun = syncAt
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b Status) int {
		if a.Name < b.Name {
			return -1
		} else if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return out
}

// StatusOf is the status of the named job; false if there is no such job.
func (s *Scheduler) StatusOf(name string) (Status, bool) {
	for _, st := range s.Status() {
		if st.Name == name {
			return st, true
		}
	}
	return Status{}, false
}

// today is the calendar date of now in the schedule's location.
func (s *Scheduler) today() app.Date {
	t := s.opt.Now().In(s.opt.Location)
	return app.NewDate(t.Year(), t.Month(), t.Day())
}

// yearly is a gocron.Cron that fires once a year on a fixed date and time in
// the scheduler's location. gocron's own cron parser needs a tz database name
// for the location, which a fixed zone does not have.
type yearly struct {
	month          time.Month
	day, hour, min int
	loc            *time.Location
}

func (y *yearly) IsValid(_ string, loc *time.Location, _ time.Time) error {
	y.loc = loc
	return nil
}

func (y *yearly) Next(last time.Time) time.Time {
	t := last.In(y.loc)
	next := time.Date(t.Year(), y.month, y.day, y.hour, y.min, 0, 0, y.loc)
	if !next.After(last) {
		next = next.AddDate(1, 0, 0)
	}
	return next
}
