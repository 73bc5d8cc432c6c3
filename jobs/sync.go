package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// Backoff is sync's retry schedule after failures in a row: Base, doubling
// with each failure up to Max, each delay jittered by ±Jitter (a fraction)
// so that nodes cut off together do not come back together.
type Backoff struct {
	Base, Max time.Duration
	Jitter    float64
}

// Delay is the wait after the failures-th failure in a row (1 = the first):
// Base·2^(failures−1) capped at Max, multiplied by 1 + Jitter·(2r−1) for r
// in [0, 1), and capped at Max again. r = 0.5 gives the bare schedule.
func (b Backoff) Delay(failures int, r float64) time.Duration {
	d := b.Base
	for i := 1; i < failures && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	d = time.Duration(float64(d) * (1 + b.Jitter*(2*r-1)))
	return max(min(d, b.Max), time.Millisecond)
}

// syncState is sync's one timer: a retry after a failure, or a kick after a
// local write. Guarded by Scheduler.mu.
type syncState struct {
	failures int
	at       time.Time   // when the armed timer fires (Options.Now's clock); zero: none armed
	kick     bool        // the armed timer is a kick, not a retry
	stop     func() bool // stops the armed timer
	gen      uint64      // bumped on every arm and disarm: a stale timer does nothing
}

func (st *syncState) disarm() {
	if st.stop != nil {
		st.stop()
	}
	st.stop, st.at, st.kick = nil, time.Time{}, false
	st.gen++
}

// AddSync adds the sync job: fn runs every Options.SyncEvery (5 minutes),
// never two at once. A failed run is retried after Backoff.Delay (30 s, 1 m,
// 2 m, … 1 h, jittered) with no new local write needed; while it is failing
// the regular runs and kicks wait for the retry, so the backoff really backs
// off. A run that succeeds resets the schedule. fn gets a context cancelled
// by Shutdown. If the scheduler is running already, a sync follows soon.
// Only one sync job per scheduler.
func (s *Scheduler) AddSync(fn func(ctx context.Context) error) error {
	if fn == nil {
		return errors.New("jobs: AddSync: nil function")
	}
	j := &job{name: JobSync, fn: fn, after: s.syncDone}
	j.st.Name = JobSync
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		return ErrShutdown
	}
	if _, ok := s.jobs[JobSync]; ok {
		s.mu.Unlock()
		return errors.New("jobs: AddSync: sync job added already")
	}
	s.jobs[JobSync] = j
	started := s.started
	s.mu.Unlock()
	gj, err := s.cron.NewJob(gocron.DurationJob(s.opt.SyncEvery), gocron.NewTask(func() { s.syncTick(j) }),
		gocron.WithName(JobSync), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		s.mu.Lock()
		delete(s.jobs, JobSync)
		s.mu.Unlock()
		return fmt.Errorf("jobs: sync: %w", err)
	}
	j.mu.Lock()
	j.gj = gj
	j.mu.Unlock()
	if started {
		s.Kick()
	}
	return nil
}

// Kick asks for a sync soon, Options.KickDelay (5 s) from now: the UI calls
// it after a local write. Kicks within that delay make one sync. While sync
// is failing a kick changes nothing: the pending retry comes first. No-op
// without a sync job.
func (s *Scheduler) Kick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown || s.jobs[JobSync] == nil || s.sync.failures > 0 || !s.sync.at.IsZero() {
		return
	}
	s.arm(s.opt.KickDelay, true)
}

// arm sets sync's timer to fire after d, replacing one armed. Caller holds s.mu.
func (s *Scheduler) arm(d time.Duration, kick bool) {
	s.sync.disarm()
	g := s.sync.gen
	s.sync.at, s.sync.kick = s.opt.Now().Add(d), kick
	s.sync.stop = s.opt.AfterFunc(d, func() { s.fire(g) })
}

// fire runs sync when its timer goes off, unless the timer is stale.
func (s *Scheduler) fire(gen uint64) {
	s.mu.Lock()
	j := s.jobs[JobSync]
	if s.shutdown || gen != s.sync.gen || j == nil {
		s.mu.Unlock()
		return
	}
	s.sync.stop, s.sync.at, s.sync.kick = nil, time.Time{}, false
	s.runs.Add(1)
	s.mu.Unlock()
	defer s.runs.Done()
	if err := s.run(j, false); errors.Is(err, errBusy) {
		// A round is going that may have missed the write behind a kick:
		// ask again after it, unless its outcome has set the timer already.
		s.mu.Lock()
		if !s.shutdown && s.sync.at.IsZero() && s.sync.failures == 0 {
			s.arm(s.opt.KickDelay, true)
		}
		s.mu.Unlock()
	}
}

// syncTick is the regular run; while sync is failing, the retry timer decides.
func (s *Scheduler) syncTick(j *job) {
	s.mu.Lock()
	failing := s.sync.failures > 0
	s.mu.Unlock()
	if failing {
		s.log.Debug("sync failing: regular run left to the retry", "job", JobSync)
		return
	}
	_ = s.run(j, false)
}

// syncDone arms the retry after a failure, or resets the schedule after a success.
func (s *Scheduler) syncDone(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown || errors.Is(err, ErrShutdown) || errors.Is(err, context.Canceled) {
		return
	}
	if err != nil {
		s.sync.failures++
		d := s.opt.Backoff.Delay(s.sync.failures, s.opt.Rand())
		s.arm(d, false)
		s.log.Warn("sync failed, will retry", "failures", s.sync.failures, "in", d.Round(time.Millisecond), "err", err)
		return
	}
	s.sync.failures = 0
	if !s.sync.at.IsZero() && !s.sync.kick {
		s.sync.disarm() // a retry is moot after a success; a pending kick stays
	}
}
