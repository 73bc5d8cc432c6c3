// Package bench measures Kruzhok's whole-system figures on real databases
// and the real sync protocol: bytes on the wire per op, the size and
// transfer time of a provider's month, the server's apply rate beside bare
// bbolt, and the server under many nodes at once (load_test.go).
package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

// Targets of DESIGN.md and the brief of the sync protocol.
const (
	TargetBytesPerOp     = 20      // push bytes per attendance mark
	TargetMonthBytes     = 100_000 // push bytes of a provider's month
	TargetApplyPctOfBare = 20      // server apply rate, % of bare bbolt puts
	LinkBitsPerSecond    = 128_000 // the slow rural link of the month figure
)

// Options of Sync; zero fields take the defaults.
type Options struct {
	Dir      string // working directory; default a temporary one, removed after
	Marks    int    // attendance marks of the first figure; default 4 000
	BarePuts int    // puts of the bare bbolt figure, 1 000 per transaction; default 100 000
	Runs     int    // whole runs, each in a world of its own; the median one is the result; default 3
	Warmup   int    // whole runs before them, not counted; default 1, negative for none
	World    WorldOptions
	Log      *slog.Logger // progress; nil discards
}

// SyncResult is the JSON object `kruzhok bench sync` prints.
type SyncResult struct {
	MarkOps             int     `json:"mark_ops"`
	MarkPushBytes       int     `json:"mark_push_bytes"` // the push frames: magic, key, signature, zstd(JSON batch)
	MarkBytesPerOp      float64 `json:"mark_bytes_per_op"`
	MarkReplyBytesPerOp float64 `json:"mark_reply_bytes_per_op"` // the server's JSON results, not compressed

	MonthOps             int            `json:"month_ops"`
	MonthMix             map[string]int `json:"month_mix"`
	MonthPushBytes       int            `json:"month_push_bytes"`
	MonthBytesPerOp      float64        `json:"month_bytes_per_op"`
	MonthTransferSeconds float64        `json:"month_transfer_s_at_128kbit"`
	MonthReplyBytes      int            `json:"month_reply_bytes"`

	// Measured on the real HTTP push of the same ops: equal to the frames.
	WirePushBytes int  `json:"wire_push_bytes"`
	WireMatches   bool `json:"wire_matches_frames"`
	Converged     bool `json:"converged"` // digest of node and server equal after the month

	ApplyOps        int     `json:"apply_ops"`
	ApplyOpsPerSec  float64 `json:"apply_ops_per_s"` // ApplyRemote of the decoded batches, fsync on
	BarePutsPerSec  float64 `json:"bare_bolt_puts_per_s"`
	ApplyPctOfBare  float64 `json:"apply_pct_of_bare"`
	ServerFileBytes int64   `json:"server_file_bytes"`
	// Runs are the apply and bare figures of every run, in order; the
	// result is the run whose apply_pct_of_bare is their median.
	Runs       []RunFigures `json:"runs"`
	WarmupRuns int          `json:"warmup_runs"` // runs made first and not counted

	Targets struct {
		BytesPerOp     float64 `json:"bytes_per_op_max"`
		MonthBytes     int     `json:"month_bytes_max"`
		ApplyPctOfBare float64 `json:"apply_pct_of_bare_min"`
	} `json:"targets"`
	Pass struct {
		BytesPerOp bool `json:"bytes_per_op"`
		MonthBytes bool `json:"month_bytes"`
		ApplyRate  bool `json:"apply_rate"`
		All        bool `json:"all"`
	} `json:"pass"`

	Go      string  `json:"go"`
	CPUs    int     `json:"cpus"`
	Seconds float64 `json:"seconds"`
}

// RunFigures are the rates one run measured.
type RunFigures struct {
	ApplyOpsPerSec float64 `json:"apply_ops_per_s"`
	BarePutsPerSec float64 `json:"bare_bolt_puts_per_s"`
	ApplyPctOfBare float64 `json:"apply_pct_of_bare"`
}

// Sync runs the sync figures opt.Warmup times uncounted, then opt.Runs times
// (syncRun), each in a world and directory of its own, and returns the run
// whose apply rate, as a share of the bare rate of the same run, is the
// median, with every counted run's figures in Runs. A server applies batches
// for days in one process, while the first run of a fresh one also grows its
// heap and makes the journal's buffers: the warm-up keeps that out. On a
// shared machine of two cores one run's rates swing by a third either way,
// hence the median (docs/SYNC.md "Measured"). The byte figures are the same
// in every run.
func Sync(ctx context.Context, opt Options) (SyncResult, error) {
	if opt.Runs <= 0 {
		opt.Runs = 3
	}
	if opt.Warmup == 0 {
		opt.Warmup = 1
	}
	t0 := time.Now()
	for i := 0; i < opt.Warmup; i++ {
		o := opt
		if opt.Dir != "" {
			o.Dir = filepath.Join(opt.Dir, fmt.Sprintf("warmup-%d", i+1))
		}
		if _, err := syncRun(ctx, o); err != nil {
			return SyncResult{}, fmt.Errorf("warm-up run %d: %w", i+1, err)
		}
	}
	var all []SyncResult
	var runs []RunFigures
	for i := range opt.Runs {
		o := opt
		if opt.Dir != "" {
			o.Dir = filepath.Join(opt.Dir, fmt.Sprintf("run-%d", i+1))
		}
		res, err := syncRun(ctx, o)
		if err != nil {
			return res, fmt.Errorf("run %d: %w", i+1, err)
		}
		all = append(all, res)
		runs = append(runs, RunFigures{res.ApplyOpsPerSec, res.BarePutsPerSec, res.ApplyPctOfBare})
	}
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, func(a, b SyncResult) int { return cmp.Compare(a.ApplyPctOfBare, b.ApplyPctOfBare) })
	res := sorted[len(sorted)/2]
	res.Runs, res.WarmupRuns = runs, max(opt.Warmup, 0)
	res.Seconds = time.Since(t0).Seconds()
	return res, nil
}

// syncRun runs the sync figures in one run: a provider node joined to a server
// over loopback HTTP records opt.Marks attendance marks (September 2026),
// then a mixed month (October: every lesson's marks, a few cancelled
// lessons, a few enrolments and terminations). The bytes are those of the
// real push frames (sync.EncodeBatch, what the client sends), checked
// against what went over HTTP; the apply rate is the server's ApplyRemote
// of the decoded frames; the bare bbolt rate is measured on the same disk.
func syncRun(ctx context.Context, opt Options) (SyncResult, error) {
	var res SyncResult
	t0 := time.Now()
	if opt.Marks <= 0 {
		opt.Marks = 4000
	}
	if opt.BarePuts <= 0 {
		opt.BarePuts = 100_000
	}
	log := logOr(opt.Log)
	dir, done, err := workDir(opt.Dir, "kruzhok-bench-")
	if err != nil {
		return res, err
	}
	defer done()

	log.Info("building the world: server, provider, children, contracts")
	srv, err := NewServer(dir, opt.World)
	if err != nil {
		return res, err
	}
	defer srv.Close()
	hc := srv.Client()
	prov := srv.Providers[0]
	node, err := srv.Join(ctx, filepath.Join(dir, "provider.db"), app.ProviderScope(prov.ID), hc)
	if err != nil {
		return res, fmt.Errorf("join: %w", err)
	}
	defer node.DB.Close()
	rnd := rand.New(rand.NewPCG(1, 2))

	// 1. Attendance marks of September.
	log.Info("marks", "ops", opt.Marks)
	srv.Clock.Set(app.MustDate("2026-09-30"))
	marks := MarkCommands(prov.Groups, Lessons(app.MonthOf(2026, time.September)), nil, rnd)
	if len(marks) < opt.Marks {
		return res, fmt.Errorf("the world has %d marks in September, fewer than %d", len(marks), opt.Marks)
	}
	if err := execAll(node.DB, marks[:opt.Marks]); err != nil {
		return res, fmt.Errorf("marks: %w", err)
	}
	p1, err := pushPhase(ctx, srv, node)
	if err != nil {
		return res, fmt.Errorf("marks: %w", err)
	}
	res.MarkOps, res.MarkPushBytes = p1.ops, p1.frameBytes
	res.MarkBytesPerOp = float64(p1.frameBytes) / float64(p1.ops)
	res.MarkReplyBytesPerOp = float64(p1.replyBytes) / float64(p1.ops)

	// 2. A mixed provider-month: October.
	srv.Clock.Set(app.MustDate("2026-10-31"))
	month := MonthCommands(prov, node.DB, rnd)
	res.MonthMix = map[string]int{}
	for _, c := range month {
		res.MonthMix[c.Op()]++
	}
	log.Info("provider month", "ops", len(month))
	if err := execAll(node.DB, month); err != nil {
		return res, fmt.Errorf("month: %w", err)
	}
	p2, err := pushPhase(ctx, srv, node)
	if err != nil {
		return res, fmt.Errorf("month: %w", err)
	}
	res.MonthOps, res.MonthPushBytes, res.MonthReplyBytes = p2.ops, p2.frameBytes, p2.replyBytes
	res.MonthBytesPerOp = float64(p2.frameBytes) / float64(p2.ops)
	res.MonthTransferSeconds = float64(p2.frameBytes) * 8 / LinkBitsPerSecond
	res.WirePushBytes = p1.wireBytes + p2.wireBytes
	res.WireMatches = p1.wireBytes == p1.frameBytes && p2.wireBytes == p2.frameBytes
	res.Converged = p2.converged

	res.ApplyOps = p1.ops + p2.ops
	res.ApplyOpsPerSec = float64(res.ApplyOps) / (p1.apply + p2.apply).Seconds()
	if fi, err := os.Stat(srv.DB.Path()); err == nil {
		res.ServerFileBytes = fi.Size()
	}

	// 3. Bare bbolt on the same disk.
	log.Info("bare bbolt", "puts", opt.BarePuts)
	bare, err := BarePuts(filepath.Join(dir, "bare.db"), opt.BarePuts, 1000)
	if err != nil {
		return res, err
	}
	res.BarePutsPerSec = bare
	res.ApplyPctOfBare = 100 * res.ApplyOpsPerSec / bare

	res.Targets.BytesPerOp, res.Targets.MonthBytes, res.Targets.ApplyPctOfBare =
		TargetBytesPerOp, TargetMonthBytes, TargetApplyPctOfBare
	res.Pass.BytesPerOp = res.MarkBytesPerOp <= TargetBytesPerOp
	res.Pass.MonthBytes = res.MonthPushBytes <= TargetMonthBytes
	res.Pass.ApplyRate = res.ApplyPctOfBare >= TargetApplyPctOfBare
	res.Pass.All = res.Pass.BytesPerOp && res.Pass.MonthBytes && res.Pass.ApplyRate && res.WireMatches
	res.Go, res.CPUs = runtime.Version(), runtime.NumCPU()
	res.Seconds = time.Since(t0).Seconds()
	return res, nil
}

// MarkCommands are the marks of every enrolled child of groups at each
// lesson on dates, lesson by lesson as a teacher fills the journal: 85 %
// present, 10 % absent, 5 % excused. Lessons in skip are left out.
func MarkCommands(groups []Group, dates []app.Date, skip map[string]bool, rnd *rand.Rand) []app.Command {
	var out []app.Command
	for _, d := range dates {
		for _, g := range groups {
			if skip[app.LessonID(g.ID, d, lessonStart)] {
				continue
			}
			for _, c := range g.Children {
				out = append(out, &app.MarkAttendance{Group: g.ID, Date: d, Start: lessonStart, Child: c, Mark: randomMark(rnd)})
			}
		}
	}
	return out
}

func randomMark(rnd *rand.Rand) string {
	switch x := rnd.IntN(100); {
	case x < 85:
		return app.MarkPresent
	case x < 95:
		return app.MarkAbsent
	default:
		return app.MarkExcused
	}
}

// MonthCommands is October 2026 of the provider as its node records it: one
// lesson cancelled in every third group, the marks of every other lesson,
// the spare children enrolled from 15 October and one contract in six groups
// terminated from 20 October. The enrolments carry the quotes the node's
// own view gives.
func MonthCommands(prov Provider, view *store.DB, rnd *rand.Rand) []app.Command {
	dates := Lessons(app.MonthOf(2026, time.October))
	var cmds []app.Command
	skip := map[string]bool{}
	for i, g := range prov.Groups {
		if i%3 == 0 {
			d := dates[(i/3)%len(dates)]
			skip[app.LessonID(g.ID, d, lessonStart)] = true
			cmds = append(cmds, &app.CancelLesson{Group: g.ID, Date: d, Start: lessonStart, Cancelled: true})
		}
	}
	cmds = append(cmds, MarkCommands(prov.Groups, dates, skip, rnd)...)
	start := app.MustDate("2026-10-15")
	for i, cert := range prov.Spare {
		g := prov.Groups[i%len(prov.Groups)]
		var q app.Quote
		_ = view.View(func(r app.Reader) error {
			e, err := app.PrepareEnrolment(r, cert, g.ID, start, start)
			q = e.Quote
			return err
		})
		cmds = append(cmds, &app.Enrol{ID: newID(), Certificate: cert, Group: g.ID, Start: start,
			QuotedCert: q.Cert, QuotedParent: q.Parent, ParentConfirmed: true})
	}
	for i := 0; i < len(prov.Groups) && i < 6*4; i += 4 {
		g := prov.Groups[i]
		cmds = append(cmds, &app.Terminate{Contract: g.Contract[len(g.Contract)-1], Notice: app.MustDate("2026-10-20"),
			Reason: "Переезд семьи в другой город"})
	}
	return cmds
}

// phase is what one push of a node's pending ops measured.
type phase struct {
	ops        int
	frameBytes int           // the encoded push frames
	wireBytes  int           // push request bodies that went over HTTP
	replyBytes int           // push reply bodies
	apply      time.Duration // ApplyRemote on the server
	converged  bool
}

// pushPhase encodes the node's pending ops into push frames exactly as the
// client does, applies them on the server with ApplyRemote (timed), then
// runs the real sync round, which pushes the same frames over HTTP (the
// server answers with the stored results) and pulls.
func pushPhase(ctx context.Context, srv *Server, node *Node) (phase, error) {
	var p phase
	st, err := node.DB.SyncState()
	if err != nil {
		return p, err
	}
	for next := st.Acked + 1; ; {
		ops, err := node.DB.Outbox(next, sync.MaxOps)
		if err != nil {
			return p, err
		}
		if len(ops) == 0 {
			break
		}
		frame, err := sync.EncodeBatch(node.Client.Key, sync.NewBatch(node.DB.Node(), ops))
		if err != nil {
			return p, err
		}
		pub, b, err := sync.DecodeBatch(frame)
		if err != nil {
			return p, err
		}
		n, err := srv.DB.NodeByKey(pub)
		if err != nil {
			return p, err
		}
		t := time.Now()
		var results []store.Result
		var needFrom uint64
		pprof.Do(ctx, pprof.Labels("phase", "apply"), func(context.Context) {
			_, results, needFrom, err = srv.DB.ApplyRemote(n, b.Ops)
		})
		p.apply += time.Since(t)
		if err != nil {
			return p, err
		}
		if needFrom != 0 {
			return p, fmt.Errorf("server needs ops from %d", needFrom)
		}
		for _, r := range results {
			if r.Status != store.StatusApplied {
				return p, fmt.Errorf("op %d rejected: %s %s", r.Seq, r.Code, r.Message)
			}
		}
		p.ops += len(ops)
		p.frameBytes += len(frame)
		next = ops[len(ops)-1].Seq + 1
	}
	sent, replied := srv.Wire.PushSent.Load(), srv.Wire.PushReply.Load()
	rep, err := node.Client.SyncOnce(ctx)
	if err != nil {
		return p, fmt.Errorf("sync: %w", err)
	}
	if rep.Pushed != p.ops || rep.Rejected != 0 {
		return p, fmt.Errorf("sync round pushed %d ops (%d rejected), want %d", rep.Pushed, rep.Rejected, p.ops)
	}
	p.wireBytes = int(srv.Wire.PushSent.Load() - sent)
	p.replyBytes = int(srv.Wire.PushReply.Load() - replied)
	p.converged = rep.DigestMatch
	if !rep.DigestMatch {
		return p, errors.New("node and server digests differ after the sync")
	}
	return p, nil
}

// logOr is l, or a logger that discards.
func logOr(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// workDir is dir, made if missing, or a new temporary directory named with
// prefix that done removes.
func workDir(dir, prefix string) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, os.MkdirAll(dir, 0o700)
	}
	d, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	return d, func() { os.RemoveAll(d) }, nil
}
