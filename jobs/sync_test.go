package jobs_test

import (
	"context"
	"errors"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"kruzhok/jobs"
)

func TestBackoffDelay(t *testing.T) {
	b := jobs.Backoff{Base: 30 * time.Second, Max: time.Hour, Jitter: 0.2}
	for _, tc := range []struct {
		name     string
		failures int
		r        float64
		want     time.Duration
	}{
		{"First", 1, 0.5, 30 * time.Second},
		{"Second", 2, 0.5, time.Minute},
		{"Seventh", 7, 0.5, 32 * time.Minute},
		{"Capped", 8, 0.5, time.Hour},
		{"StaysCapped", 1000, 0.5, time.Hour},
		{"JitterDown", 1, 0, 24 * time.Second},
		{"JitterUp", 2, 0.75, 66 * time.Second},
		{"JitterNeverAboveMax", 9, 0.99, time.Hour},
		{"JitterBelowMax", 9, 0, 48 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := b.Delay(tc.failures, tc.r); got != tc.want {
				t.Errorf("Delay(%d, %v) = %v, want %v", tc.failures, tc.r, got, tc.want)
			}
		})
	}
}

// fakeTimers is Options.AfterFunc under the test's control: it records each
// armed delay and lets the test fire it.
type fakeTimers struct {
	mu     gosync.Mutex
	timers []*fakeTimer
}

type fakeTimer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (ft *fakeTimers) AfterFunc(d time.Duration, f func()) func() bool {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	tm := &fakeTimer{d: d, f: f}
	ft.timers = append(ft.timers, tm)
	return func() bool {
		ft.mu.Lock()
		defer ft.mu.Unlock()
		was := !tm.stopped
		tm.stopped = true
		return was
	}
}

// live returns the timers armed and not stopped.
func (ft *fakeTimers) live() []*fakeTimer {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	var out []*fakeTimer
	for _, tm := range ft.timers {
		if !tm.stopped {
			out = append(out, tm)
		}
	}
	return out
}

// fire fires the one live timer, as time.AfterFunc would.
func (ft *fakeTimers) fire(t *testing.T) {
	t.Helper()
	live := ft.live()
	if len(live) != 1 {
		t.Fatalf("%d live timers, want 1", len(live))
	}
	ft.mu.Lock()
	live[0].stopped = true
	ft.mu.Unlock()
	live[0].f()
}

// A failing sync is retried by the timer alone, no local write needed, at
// 30 s, 1 m, 2 m … capped at 1 h; a kick does not cut the backoff short; a
// success resets it; kicks are debounced into one sync.
func TestSyncBackoffSchedule(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	ft := &fakeTimers{}
	s := w.scheduler(jobs.Options{Rand: func() float64 { return 0.5 }, AfterFunc: ft.AfterFunc})
	var failing atomic.Bool
	var calls atomic.Int64
	failing.Store(true)
	err := s.AddSync(func(context.Context) error {
		calls.Add(1)
		if failing.Load() {
			return errors.New("link down")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RunNow(jobs.JobSync); err == nil {
		t.Fatal("RunNow of a failing sync returned nil")
	}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour, time.Hour}
	for i, d := range want {
		live := ft.live()
		if len(live) != 1 || live[0].d != d {
			t.Fatalf("after failure %d: timers %v, want one of %v", i+1, live, d)
		}
		st, _ := s.StatusOf(jobs.JobSync)
		if st.Failures != i+1 || st.LastError != "link down" || !st.NextRun.Equal(w.clk.Now().Add(d)) {
			t.Fatalf("after failure %d: status %+v, want next run %v", i+1, st, w.clk.Now().Add(d))
		}
		armed := len(ft.timers)
		s.Kick()
		if len(ft.timers) != armed {
			t.Fatalf("a kick during backoff armed a timer")
		}
		ft.fire(t)
		if got := calls.Load(); got != int64(i+2) {
			t.Fatalf("retry %d: fn ran %d times", i+1, got)
		}
	}

	failing.Store(false)
	ft.fire(t)
	st, _ := s.StatusOf(jobs.JobSync)
	if st.Failures != 0 || st.LastError != "" || len(ft.live()) != 0 {
		t.Fatalf("after a success: status %+v, %d live timers", st, len(ft.live()))
	}

	n := calls.Load()
	s.Kick()
	s.Kick()
	s.Kick()
	if live := ft.live(); len(live) != 1 || live[0].d != 5*time.Second {
		t.Fatalf("three kicks armed %v, want one timer of 5s", live)
	}
	ft.fire(t)
	if calls.Load() != n+1 {
		t.Fatalf("three kicks made %d syncs", calls.Load()-n)
	}

	failing.Store(true)
	_ = s.RunNow(jobs.JobSync)
	if live := ft.live(); len(live) != 1 || live[0].d != 30*time.Second {
		t.Fatalf("first failure after a success armed %v, want 30s", live)
	}
}

// With the real timer: the retries come by themselves, each at least its
// backoff delay after the failure before it.
func TestSyncRetriesByItself(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	b := jobs.Backoff{Base: 20 * time.Millisecond, Max: 80 * time.Millisecond, Jitter: 0.2}
	s := w.scheduler(jobs.Options{Backoff: b})
	var mu gosync.Mutex
	var starts, ends []time.Time
	done := make(chan struct{})
	err := s.AddSync(func(context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		starts = append(starts, time.Now())
		defer func() { ends = append(ends, time.Now()) }()
		if len(starts) <= 5 {
			return errors.New("server unreachable")
		}
		close(done)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.RunNow(jobs.JobSync)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("sync was not retried to success: %d runs", len(starts))
	}
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(starts); i++ {
		gap := starts[i].Sub(ends[i-1])
		if least := time.Duration(float64(b.Delay(i, 0)) * 0.99); gap < least {
			t.Errorf("retry %d came %v after the failure, before its backoff of at least %v", i, gap, least)
		}
	}
	time.Sleep(10 * time.Millisecond) // let the run record its success
	if st, _ := s.StatusOf(jobs.JobSync); st.Failures != 0 {
		t.Errorf("after the success: %+v", st)
	}
}

// However sync is started — its regular tick, kicks, RunNow from many
// goroutines — a run never begins while another is going.
func TestSyncSingleton(t *testing.T) {
	w := newWorld(t, "2026-09-10")
	s := w.scheduler(jobs.Options{SyncEvery: 5 * time.Millisecond, KickDelay: time.Millisecond})
	var in, most, calls atomic.Int64
	err := s.AddSync(func(ctx context.Context) error {
		n := in.Add(1)
		defer in.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		calls.Add(1)
		select {
		case <-time.After(15 * time.Millisecond):
		case <-ctx.Done():
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	var wg gosync.WaitGroup
	stop := time.Now().Add(500 * time.Millisecond)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				s.Kick()
				if (i+g)%7 == 0 {
					if err := s.RunNow(jobs.JobSync); err != nil {
						t.Errorf("RunNow: %v", err)
						return
					}
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	wg.Wait()
	if err := s.Shutdown(); err != nil {
		t.Fatal(err)
	}
	n := calls.Load()
	time.Sleep(30 * time.Millisecond)
	if most.Load() != 1 || in.Load() != 0 || calls.Load() != n || n < 5 {
		t.Errorf("max concurrent runs %d (want 1), running after shutdown %d, runs %d then %d",
			most.Load(), in.Load(), n, calls.Load())
	}
	if err := s.RunNow(jobs.JobSync); !errors.Is(err, jobs.ErrShutdown) {
		t.Errorf("RunNow after Shutdown: %v", err)
	}
}
