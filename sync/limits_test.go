package sync_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

// testLimits are DefaultLimits with short times, so that slow clients are
// cut within a test.
func testLimits() sync.Limits {
	l := sync.DefaultLimits()
	l.Wait = 3 * time.Second
	l.RateWindow = time.Second
	l.MaxBodyTime = 20 * time.Second
	return l
}

// limitedServer serves w's database with l through an http.Server set up as
// `kruzhok serve` sets it up.
func limitedServer(t *testing.T, w *world, l sync.Limits) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(sync.NewServerWith(w.db, nil, l).Handler())
	sync.ConfigureHTTP(ts.Config, l)
	ts.Listener = sync.LimitListener(ts.Listener, sync.MaxConns)
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

// slowRequest sends head and then body one chunk of chunk bytes every
// every, and returns the status the server answers (0 when the connection
// ended without one).
func slowRequest(addr, head string, body []byte, chunk int, every time.Duration) int {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return -1
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	status := make(chan int, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	if _, err := io.WriteString(c, head); err != nil {
		return <-status
	}
	for len(body) > 0 {
		n := min(chunk, len(body))
		if _, err := c.Write(body[:n]); err != nil {
			break
		}
		body = body[n:]
		select {
		case s := <-status:
			return s
		case <-time.After(every):
		}
	}
	return <-status
}

// heapPeak samples the heap in use until stop is called and returns the
// peak above the heap at the start.
func heapPeak() (stop func() uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return max(peak.Load(), base) - base
	}
}

// The server's memory stays under Limits.MemoryBound however many clients
// attack at once, and each is refused with its own status: slow bodies
// without headers (401 at once: nothing is read), slow signed pushes and slow
// deliveries of 8 MiB (408 once they fall below the rate, or 503 when the
// budget or the slots are taken), and signed zstd bombs (413, or 503 while
// the decode slots are taken). Afterwards the server serves a real sync.
func TestServerMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds of slow clients")
	}
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	l := testLimits()
	ts := limitedServer(t, w, l)
	addr := ts.Listener.Addr().String()
	bound := uint64(l.MemoryBound())

	frameHead := append(append([]byte("KRZ1"), a.key().Public().(ed25519.PublicKey)...), make([]byte, 64)...)
	big := make([]byte, sync.MaxFrame)
	copy(big, frameHead)
	sum := sha256.Sum256(big)
	hash := hex.EncodeToString(sum[:])
	signedHead := func() string {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/push", nil)
		sync.SignPush(req, a.key(), big, time.Now())
		var b strings.Builder
		fmt.Fprintf(&b, "POST /v1/push HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", addr, len(big))
		for _, k := range []string{sync.HeaderKey, sync.HeaderTime, sync.HeaderSig, sync.HeaderBody} {
			fmt.Fprintf(&b, "%s: %s\r\n", k, req.Header.Get(k))
		}
		return b.String() + "\r\n"
	}
	if h := signedHead(); !strings.Contains(h, hash) {
		t.Fatalf("headers do not sign the body: %s", h)
	}
	plainHead := func(path string) string {
		return fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n", path, addr, len(big))
	}
	bomb := signed(a.key(), zeroBomb(1<<30, false, 20))

	const (
		unsigned   = 40 // slow bodies to /v1/push without headers
		slowPushes = 8  // slow signed pushes
		deliveries = 8  // slow deliveries
		bombs      = 16 // signed zstd bombs, all at once
	)
	stop := heapPeak()
	var mu gosync.Mutex
	got := map[string]map[int]int{}
	count := func(kind string, status int) {
		mu.Lock()
		defer mu.Unlock()
		if got[kind] == nil {
			got[kind] = map[int]int{}
		}
		got[kind][status]++
	}
	var wg gosync.WaitGroup
	for range unsigned {
		wg.Go(func() { count("unsigned", slowRequest(addr, plainHead("/v1/push"), big, 64, 200*time.Millisecond)) })
	}
	for range slowPushes {
		wg.Go(func() { count("push", slowRequest(addr, signedHead(), big, 64, 200*time.Millisecond)) })
	}
	for range deliveries {
		wg.Go(func() { count("deliver", slowRequest(addr, plainHead("/v1/deliver"), big, 128, 200*time.Millisecond)) })
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	for range bombs {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/push", bytes.NewReader(bomb))
			sync.SignPush(req, a.key(), bomb, time.Now())
			resp, err := hc.Do(req)
			if err != nil {
				count("bomb", -1)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			count("bomb", resp.StatusCode)
		})
	}
	wg.Wait()
	peak := stop()
	t.Logf("heap peak +%d MiB (bound %d MiB); statuses %v", peak>>20, bound>>20, got)
	if peak > bound {
		t.Errorf("heap grew by %d MiB, over the bound of %d MiB", peak>>20, bound>>20)
	}
	allowed := map[string][]int{
		"unsigned": {401},
		"push":     {408, 503},
		"deliver":  {408, 503},
		"bomb":     {413, 503},
	}
	for kind, statuses := range got {
		for status, n := range statuses {
			if !containsInt(allowed[kind], status) {
				t.Errorf("%s: %d answered %d", kind, n, status)
			}
		}
	}
	if got["push"][408] == 0 || got["deliver"][408] == 0 || got["bomb"][413] == 0 || got["unsigned"][401] != unsigned {
		t.Errorf("each kind must be refused with its own status at least once: %v", got)
	}

	// The server still serves: the node syncs through it.
	a.must(groupCmd("grp-after", w.A.Mod))
	c, err := sync.NewClient(a.db, hc)
	if err != nil {
		t.Fatal(err)
	}
	c.Server = ts.URL
	if rep, err := c.SyncOnce(context.Background()); err != nil || rep.Applied != 1 || !rep.DigestMatch {
		t.Fatalf("sync after the attack: %+v %v", rep, err)
	}
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// Over the byte budget a request waits Wait and is answered 503 with
// Retry-After; a body within the budget goes through once it is free.
func TestBodyBudgetBusy(t *testing.T) {
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	l := testLimits()
	l.BodyBudget = int64(sync.MaxFrame) // one 8 MiB body at a time
	l.Wait = 300 * time.Millisecond
	l.RateWindow = 2 * time.Second
	ts := limitedServer(t, w, l)
	addr := ts.Listener.Addr().String()
	big := make([]byte, sync.MaxFrame)
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/push", nil)
	sync.SignPush(req, a.key(), big, time.Now())
	head := fmt.Sprintf("POST /v1/push HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", addr, len(big))
	for _, k := range []string{sync.HeaderKey, sync.HeaderTime, sync.HeaderSig, sync.HeaderBody} {
		head += k + ": " + req.Header.Get(k) + "\r\n"
	}
	head += "\r\n"
	hold := make(chan int, 1)
	go func() { hold <- slowRequest(addr, head, big, 64, 100*time.Millisecond) }() // 640 B/s: holds the budget ~2 s
	time.Sleep(200 * time.Millisecond)

	a.must(groupCmd("grp-busy", w.A.Mod))
	frame, err := sync.ExportBatch(a.db, a.key())
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(http.MethodPost, ts.URL+"/v1/push", bytes.NewReader(frame))
	sync.SignPush(req, a.key(), frame, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), app.EINTERNAL) {
		t.Fatalf("push over the budget: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if s := <-hold; s != http.StatusRequestTimeout {
		t.Fatalf("slow body: %d, want 408", s)
	}
	reply, err := func() (sync.PushReply, error) {
		c, err := sync.NewClient(a.db, http.DefaultClient)
		if err != nil {
			return sync.PushReply{}, err
		}
		c.Server = ts.URL
		_, err = c.SyncOnce(context.Background())
		return sync.PushReply{}, err
	}()
	if err != nil {
		t.Fatalf("push once the budget is free: %+v %v", reply, err)
	}
	if acked, _ := w.db.Acked(a.db.Node()); acked != 1 {
		t.Fatalf("acked %d", acked)
	}
}

// Six register_child ops with a SNILS of 10 MB in one signed frame of a few
// KB are refused whole with a small reply (the batch's JSON is over
// MaxBatchJSON). Six of 512 KB each (the batch within the limit) are rejected
// one by one, TOO_LARGE, unread, and two of 100 KB that the domain quotes back
// are clipped: a small reply, small stored results, a journal that reads back
// (the server's check passes), and a replay answers as small.
func TestHugeFieldsAnswerSmall(t *testing.T) {
	w := newWorld(t)
	m := w.join(app.MunicipalityScope("27"))
	batch := func(sizes ...int) []app.Op {
		var ops []app.Op
		for _, n := range sizes {
			c := &app.RegisterChild{Child: app.Child{ID: w.id("child"), LastName: "Петров", FirstName: "Иван",
				BirthDate: day("2015-03-10"), Municipality: "27", GuardianName: "Петрова Анна Ивановна",
				ConsentDate: day("2026-09-01"), ConsentBy: "Сидорова М. П."}}
			op := m.must(c)
			c.Child.SNILS = strings.Repeat("1", n)
			p, err := store.EncodeCommand(c)
			if err != nil {
				t.Fatal(err)
			}
			op.Payload = p
			ops = append(ops, op)
		}
		return ops
	}
	const mb = 1 << 20
	attack := batch(10*mb, 10*mb, 10*mb, 10*mb, 10*mb, 10*mb)
	var js bytes.Buffer
	fmt.Fprintf(&js, `{"node":%q,"first":1,"last":6,"schema":1,"ops":[`, m.db.Node())
	for i, op := range attack {
		if i > 0 {
			js.WriteByte(',')
		}
		fmt.Fprintf(&js, `{"s":%d,"h":%d,"t":%q,"p":%s}`, op.Seq, op.HLC, op.Type, op.Payload)
	}
	js.WriteString("]}")
	frame := rawFrame(m.key(), js.Bytes(), true)
	if len(frame) > 64<<10 {
		t.Fatalf("the attack's frame is %d bytes", len(frame))
	}
	status, body := w.push(m.key(), frame, nil)
	if status != http.StatusRequestEntityTooLarge || len(body) > 1<<10 {
		t.Fatalf("six SNILS of 10 MB: status %d, %d bytes: %.300s", status, len(body), body)
	}

	ops := append([]app.Op{}, attack...)
	for i, op := range batch(mb/2, mb/2, mb/2, mb/2, mb/2, mb/2, 100<<10, 100<<10) {
		if i < 6 {
			ops[i].Payload = op.Payload
		} else {
			op.Seq = uint64(i + 1)
			ops = append(ops, op)
		}
	}
	frame, err := sync.EncodeBatch(m.key(), sync.NewBatch(m.db.Node(), ops))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		status, body := w.push(m.key(), frame, nil)
		if status != http.StatusOK || len(body) > 64<<10 || strings.Count(body, `"rejected"`) != 8 || strings.Count(body, app.TOO_LARGE) != 6 {
			t.Fatalf("push %d: status %d, %d bytes: %.300s", i, status, len(body), body)
		}
	}
	es, err := w.db.Journal(1, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if len(e.Op.Payload) > store.MaxOpPayload || len(e.Result.Message) > store.MaxResultMessage || len(e.Result.Detail) > store.MaxResultDetail {
			t.Fatalf("journal op %d: payload %d, message %d, detail %d bytes", e.Op.Seq, len(e.Op.Payload), len(e.Result.Message), len(e.Result.Detail))
		}
	}
	w.checkClean()
	_, rs, _, err := w.db.ApplyRemote(mustNode(t, w, m), ops)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if len(r.Message)+len(r.Detail) > store.MaxResultMessage+store.MaxResultDetail {
			t.Fatalf("stored result %d: %d bytes", r.Seq, len(r.Message)+len(r.Detail))
		}
	}
}

func mustNode(t *testing.T, w *world, n *node) app.Node {
	t.Helper()
	nd, err := w.db.NodeByKey(n.key().Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return nd
}

// A join refuses a plain http:// server beyond this machine, before the
// invite's secret leaves it; loopback http:// and https:// pass the check.
func TestJoinRefusesPlainHTTP(t *testing.T) {
	for _, u := range []string{"http://rmc.example.ru:8443", "http://10.0.0.7", "http://[2001:db8::1]:80", "ftp://127.0.0.1", "http://"} {
		if err := sync.CheckSecureURL(u); app.ErrorCode(err) != app.EINVALID || u != "http://" && !strings.Contains(app.ErrorMessage(err), "https://") {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"https://rmc.example.ru:8443", "http://127.0.0.1:8080", "http://127.3.4.5", "http://[::1]:9", "http://localhost:1", "http://LOCALHOST"} {
		if err := sync.CheckSecureURL(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	db := openDB(t, "n.db", func() time.Time { return today })
	var asked atomic.Bool
	err := sync.Join(context.Background(), db, "http://192.0.2.1:8443", strings.Repeat("ab", 16),
		&http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
			asked.Store(true)
			return nil, io.EOF
		})})
	if app.ErrorCode(err) != app.EINVALID || asked.Load() {
		t.Fatalf("join over http: %v (asked the server: %v)", err, asked.Load())
	}
	if cfg, _ := db.SyncConfig(); cfg.Server != "" || !db.Authority() {
		t.Fatalf("a refused join changed the database: %+v", cfg)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
