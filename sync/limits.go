package sync

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	gosync "sync"
	"time"

	"kruzhok/app"
	"kruzhok/store"
)

// Limits bound what the server spends on requests: memory, time and
// concurrency (docs/SYNC.md, "Limits and worst-case memory"). The defaults
// are DefaultLimits; the tests shrink the times.
type Limits struct {
	// BodyBudget is the most bytes of request bodies that all requests
	// together may hold. A request reserves its Content-Length (MaxFrame for
	// a chunked push) before it reads a byte.
	BodyBudget int64
	// Wait is how long a request waits for body budget or a slot before it
	// is answered 503 with Retry-After.
	Wait time.Duration
	// DecodeSlots is how many pushes may decompress, decode and apply a
	// batch at once (bbolt runs one writer anyway).
	DecodeSlots int
	// DeliverSlots is how many header-less deliveries (/v1/deliver) may read
	// their body at once: their sender is known only from the frame.
	DeliverSlots int
	// PullSlots is how many pulls may build and send a page at once.
	PullSlots int
	// MinBodyRate is the bytes per second a request body must keep up: each
	// RateWindow must bring MinBodyRate×RateWindow bytes, or the read fails
	// and the request is answered 408.
	MinBodyRate int64
	RateWindow  time.Duration
	// MaxBodyTime is the longest any body may take, however fast it comes.
	MaxBodyTime time.Duration
	// WriteTime is the base time to write a reply; a reply of n bytes gets
	// WriteTime + n/MinBodyRate.
	WriteTime time.Duration
}

// DefaultLimits are the server's limits.
func DefaultLimits() Limits {
	return Limits{
		BodyBudget:   32 << 20,
		Wait:         10 * time.Second,
		DecodeSlots:  2,
		DeliverSlots: 2,
		PullSlots:    2,
		MinBodyRate:  1 << 10,
		RateWindow:   10 * time.Second,
		MaxBodyTime:  30 * time.Minute,
		WriteTime:    30 * time.Second,
	}
}

// Connection limits of the HTTP server (ConfigureHTTP, LimitListener).
const (
	ReadHeaderTimeout = 10 * time.Second
	IdleTimeout       = 60 * time.Second
	MaxHeaderBytes    = 16 << 10
	// MaxConns is how many connections the server keeps open at once.
	MaxConns = 512
)

// ConfigureHTTP sets the timeouts and header limit of hs and wraps its
// handler so that every request body, of any route, is read at MinBodyRate
// at least: a slow client is cut, not waited for. ReadTimeout stays 0 (a
// batch over EDGE takes minutes); the rate does its work. WriteTimeout is a
// hard cap on a whole request; the sync handlers set their own, shorter
// write deadlines from the size of their reply.
func ConfigureHTTP(hs *http.Server, l Limits) {
	hs.ReadHeaderTimeout = ReadHeaderTimeout
	hs.ReadTimeout = 0
	hs.WriteTimeout = l.MaxBodyTime + 5*time.Minute
	hs.IdleTimeout = IdleTimeout
	hs.MaxHeaderBytes = MaxHeaderBytes
	hs.Handler = guardBodies(l, hs.Handler)
}

// guardBodies wraps every request body in a rateBody (once).
func guardBodies(l Limits, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Body.(*rateBody); !ok && r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
			r.Body = newRateBody(http.NewResponseController(w), r.Body, l)
		}
		next.ServeHTTP(w, r)
	})
}

// rateBody reads a request body under moving read deadlines: each window
// of RateWindow must bring MinBodyRate×RateWindow bytes, and the whole body
// must come within MaxBodyTime. The deadline set at the start also bounds
// what net/http discards of a body the handler did not read. At the end of
// the body the deadline is lifted, so the server's background read does not
// cancel a request whose reply takes long to make.
type rateBody struct {
	rc      *http.ResponseController
	body    io.ReadCloser
	need    int64 // bytes each window must bring
	window  time.Duration
	end     time.Time // MaxBodyTime after the start
	got     int64     // bytes in the current window
	done    bool
	slow    bool // the deadline passed: the client was too slow
	started time.Time
}

func newRateBody(rc *http.ResponseController, body io.ReadCloser, l Limits) *rateBody {
	now := time.Now()
	b := &rateBody{rc: rc, body: body, need: max(l.MinBodyRate*int64(l.RateWindow/time.Second), 1),
		window: l.RateWindow, end: now.Add(l.MaxBodyTime), started: now}
	b.renew(now)
	return b
}

func (b *rateBody) renew(now time.Time) {
	b.got = 0
	d := now.Add(b.window)
	if d.After(b.end) {
		d = b.end
	}
	_ = b.rc.SetReadDeadline(d) // ErrNotSupported in a recorder: no deadline
}

func (b *rateBody) Read(p []byte) (int, error) {
	if b.got >= b.need {
		b.renew(time.Now())
	}
	n, err := b.body.Read(p)
	b.got += int64(n)
	if err != nil && !b.done {
		b.done = true
		if errors.Is(err, os.ErrDeadlineExceeded) {
			b.slow = true
		} else {
			_ = b.rc.SetReadDeadline(time.Time{})
		}
	}
	return n, err
}

func (b *rateBody) Close() error { return b.body.Close() }

// tooSlow reports whether err of a body read means the client was cut for
// being slow.
func tooSlow(r *http.Request, err error) bool {
	if rb, ok := r.Body.(*rateBody); ok && rb.slow {
		return true
	}
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// budget is a weighted semaphore of bytes: the request bodies in flight.
type budget struct {
	mu   gosync.Mutex
	free int64
	wake chan struct{} // closed when bytes come back
}

func newBudget(n int64) *budget { return &budget{free: n, wake: make(chan struct{})} }

// take reserves n bytes, waiting at most wait; false when they did not come
// (or the request ended).
func (b *budget) take(ctx context.Context, n int64, wait time.Duration) bool {
	var timeout <-chan time.Time
	for {
		b.mu.Lock()
		if b.free >= n {
			b.free -= n
			b.mu.Unlock()
			return true
		}
		wake := b.wake
		b.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-wake:
		case <-timeout:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

func (b *budget) give(n int64) {
	b.mu.Lock()
	b.free += n
	close(b.wake)
	b.wake = make(chan struct{})
	b.mu.Unlock()
}

// slots is a counting semaphore.
type slots chan struct{}

// take holds a slot, waiting at most wait; false when none came.
func (s slots) take(ctx context.Context, wait time.Duration) bool {
	select {
	case s <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case s <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (s slots) give() { <-s }

// errBusy is the answer of a request that found no budget or slot in time.
type errBusy struct{ what string }

func (e errBusy) Error() string { return "busy: " + e.what }

// errSlow is the answer of a request whose body came too slowly.
var errSlow = errors.New("request body too slow")

// writeRefusal answers the server's own refusals that have no domain code:
// 503 with Retry-After when it is busy, 408 when the client was too slow.
// Both carry INTERNAL: for a node they are faults, retried later.
func writeRefusal(w http.ResponseWriter, err error, l Limits) bool {
	var busy errBusy
	switch {
	case errors.As(err, &busy):
		w.Header().Set("Retry-After", strconv.Itoa(max(int(l.Wait/time.Second), 1)))
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Code: app.EINTERNAL,
			Message: "Сервер занят (" + busy.what + "): повторите позже"})
	case errors.Is(err, errSlow):
		w.Header().Set("Connection", "close")
		writeJSON(w, http.StatusRequestTimeout, errorBody{Code: app.EINTERNAL,
			Message: "Запрос передавался слишком медленно и прерван сервером: повторите позже"})
	default:
		return false
	}
	return true
}

// LimitListener accepts at most n connections at once; Accept waits for one
// to close beyond that.
func LimitListener(ln net.Listener, n int) net.Listener {
	return &limitListener{Listener: ln, sem: make(chan struct{}, n), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce gosync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

type limitConn struct {
	net.Conn
	once    gosync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// Per-request figures of the worst-case memory (MemoryBound).
const (
	// perConn is what one open connection may hold without a body: header
	// bytes, bufio reader and writer, TLS record buffers and goroutine stacks.
	perConn = MaxHeaderBytes + 48<<10
	// perDecoder is one pooled zstd decoder: its window and blocks.
	perDecoder = maxWindow + 1<<20
	// perDecode is one push between decompression and reply: the JSON and
	// the garbage of growing it (2×), the decoded batch, the commands decoded
	// from it, the journal value and its compressed form (2×), and per op
	// the structs of op, command and result, with results up to six times
	// their clipped length when JSON-escaped.
	perDecode = 6*MaxBatchJSON + MaxOps*(6*(store.MaxResultMessage+store.MaxResultDetail)+2<<10)
	// perPull is one pull: a page of pageBytes of values, up to 50 000
	// changes (store.Pull examines no more) as store, wire and JSON values,
	// and the compressed body.
	perPull = 4*pageBytes + 50_000*3*96
)

// MemoryBound is the most heap the sync API can hold at once under l,
// whatever clients send (docs/SYNC.md, "Worst-case memory"):
//
//	MaxConns×perConn + BodyBudget + DecodeSlots×perDecode
//	  + DecoderPool×perDecoder + PullSlots×perPull
//
// A body is counted once, in BodyBudget, from before its first byte is read
// until its request ends; a delivery's slot only bounds how many wait.
func (l Limits) MemoryBound() int64 {
	return int64(MaxConns)*perConn + l.BodyBudget + int64(l.DecodeSlots)*perDecode +
		int64(DecoderPool)*perDecoder + int64(l.PullSlots)*perPull
}
