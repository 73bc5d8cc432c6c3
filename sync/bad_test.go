package sync_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

// errorReply is the JSON body of an error.
type errorReply struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	NeedFrom uint64 `json:"need_from"`
}

// Every bad push body is answered with its status and code, a Russian
// message, and nothing applied; the server keeps serving, and the good push
// afterwards goes through.
func TestBadPushes(t *testing.T) {
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	x := w.join(app.ProviderScope(w.B.ID)) // only its key is used, to sign what is not its own
	a.must(groupCmd("grp-new", w.A.Mod))
	good, err := sync.ExportBatch(a.db, a.key())
	if err != nil {
		t.Fatal(err)
	}
	_, batch, err := sync.DecodeBatch(good)
	if err != nil {
		t.Fatal(err)
	}
	resign := func(k ed25519.PrivateKey, b sync.Batch) []byte {
		f, err := sync.EncodeBatch(k, b)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	batchJSON := func(first uint64, schema int, ops ...string) []byte {
		return []byte(fmt.Sprintf(`{"node":%q,"first":%d,"last":%d,"schema":%d,"ops":[%s]}`,
			a.db.Node(), first, first+uint64(len(ops))-1, schema, strings.Join(ops, ",")))
	}
	op := func(seq uint64) string {
		return fmt.Sprintf(`{"s":%d,"h":1,"t":%q,"p":%s}`, seq, batch.Ops[0].Type, batch.Ops[0].Payload)
	}
	gap := batch
	gap.Ops = []app.Op{batch.Ops[0]}
	gap.Ops[0].Seq, gap.First, gap.Last = 2, 2, 2
	stranger := newKey(t)
	huge := make([]byte, sync.MaxFrame+1)
	copy(huge, good)

	// Each body goes twice: pushed with headers signed by by (a when nil), and
	// delivered without headers; push and deliver are the statuses expected.
	type want struct {
		status int
		code   string
	}
	for _, c := range []struct {
		name          string
		body          []byte
		by            ed25519.PrivateKey
		push, deliver want
	}{
		{"CorruptZstd", signed(a.key(), []byte("certainly not zstd")), nil, want{400, app.EINVALID}, want{400, app.EINVALID}},
		{"DecompressionBomb", signed(a.key(), zeroBomb(1<<30, false, 20)), nil, want{413, sync.CodeTooLarge}, want{413, sync.CodeTooLarge}},
		{"BombOfAStranger", signed(stranger, zeroBomb(1<<30, false, 20)), stranger, want{401, sync.CodeUnauthorized}, want{401, sync.CodeUnauthorized}},
		{"OversizedBody", huge, nil, want{413, sync.CodeTooLarge}, want{413, sync.CodeTooLarge}},
		{"NotAFrame", []byte(`{"node":"me"}`), nil, want{400, app.EINVALID}, want{400, app.EINVALID}},
		{"EmptyBody", nil, nil, want{400, app.EINVALID}, want{400, app.EINVALID}},
		{"BadSignature", append(append(good[:36:36], good[37:100]...), append([]byte{good[36] ^ 0xff}, good[100:]...)...), nil, want{401, sync.CodeUnauthorized}, want{401, sync.CodeUnauthorized}},
		{"MissingSignature", append(append(good[:36:36], make([]byte, 64)...), good[100:]...), nil, want{401, sync.CodeUnauthorized}, want{401, sync.CodeUnauthorized}},
		{"UnknownKey", resign(stranger, batch), nil, want{403, app.SCOPE_FORBIDDEN}, want{401, sync.CodeUnauthorized}},
		{"UnknownKeyOwnHeaders", resign(stranger, batch), stranger, want{401, sync.CodeUnauthorized}, want{401, sync.CodeUnauthorized}},
		{"BodyOfAnotherNode", resign(x.key(), batch), x.key(), want{403, app.SCOPE_FORBIDDEN}, want{403, app.SCOPE_FORBIDDEN}},
		{"FrameOfAnotherNode", good, x.key(), want{403, app.SCOPE_FORBIDDEN}, want{409, sync.CodeNeedFrom}},
		{"FutureSchema", rawFrame(a.key(), batchJSON(1, sync.Schema+1, op(1)), true), nil, want{400, sync.CodeSchema}, want{400, sync.CodeSchema}},
		{"SeqsNotConsecutive", rawFrame(a.key(), []byte(strings.Replace(string(batchJSON(1, 1, op(1), op(3))), `"last":2`, `"last":3`, 1)), true), nil, want{400, app.EINVALID}, want{400, app.EINVALID}},
		{"PayloadNotObject", rawFrame(a.key(), batchJSON(1, 1, `{"s":1,"h":1,"t":"open_group","p":"grp"}`), true), nil, want{400, app.EINVALID}, want{400, app.EINVALID}},
		{"Gap", resign(a.key(), gap), nil, want{409, sync.CodeNeedFrom}, want{409, sync.CodeNeedFrom}},
	} {
		for _, via := range []string{"push", "deliver"} {
			t.Run(c.name+"/"+via, func(t *testing.T) {
				if c.name == "FrameOfAnotherNode" && via == "deliver" {
					t.Skip("a's own good frame, delivered: it applies (TestReplayFromAnotherNode)")
				}
				before := len(w.journal(a.db.Node())) + len(w.journal(x.db.Node()))
				exp := c.push
				var status int
				var body string
				if via == "push" {
					by := c.by
					if by == nil {
						by = a.key()
					}
					status, body = w.push(by, c.body, nil)
				} else {
					exp = c.deliver
					status, body = w.post(c.body)
				}
				var e errorReply
				if err := json.Unmarshal([]byte(body), &e); err != nil || status != exp.status || e.Code != exp.code || e.Message == "" {
					t.Fatalf("status %d body %s, want %d %s", status, body, exp.status, exp.code)
				}
				if exp.code == sync.CodeNeedFrom && e.NeedFrom != 1 {
					t.Fatalf("need_from %d, want 1", e.NeedFrom)
				}
				if after := len(w.journal(a.db.Node())) + len(w.journal(x.db.Node())); after != before {
					t.Fatalf("%d ops applied", after-before)
				}
				if acked, _ := w.db.Acked(a.db.Node()); acked != 0 {
					t.Fatalf("acked %d", acked)
				}
			})
		}
	}
	// The headers of a push: missing, of another body, or of a stale time.
	for _, c := range []struct {
		name   string
		header func(h http.Header)
	}{
		{"NoHeaders", func(h http.Header) { h.Del(sync.HeaderKey); h.Del(sync.HeaderSig); h.Del(sync.HeaderBody) }},
		{"NoBodyHash", func(h http.Header) { h.Del(sync.HeaderBody) }},
		{"HashOfAnotherBody", func(h http.Header) { h.Set(sync.HeaderBody, strings.Repeat("0", 64)) }},
		{"StaleTime", func(h http.Header) { h.Set(sync.HeaderTime, strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)) }},
		{"BadSig", func(h http.Header) { h.Set(sync.HeaderSig, strings.Repeat("ab", 64)) }},
	} {
		t.Run("Headers/"+c.name, func(t *testing.T) {
			status, body := w.push(a.key(), good, c.header)
			var e errorReply
			if err := json.Unmarshal([]byte(body), &e); err != nil || status != 401 || e.Code != sync.CodeUnauthorized {
				t.Fatalf("status %d body %s, want 401", status, body)
			}
			if acked, _ := w.db.Acked(a.db.Node()); acked != 0 {
				t.Fatalf("acked %d", acked)
			}
		})
	}
	// A body that differs from the one the headers sign.
	t.Run("Headers/OtherBody", func(t *testing.T) {
		status, body := w.pushSigned(a.key(), good[:len(good)-1], good)
		if status != 401 || !strings.Contains(body, sync.CodeUnauthorized) {
			t.Fatalf("status %d body %s, want 401", status, body)
		}
	})
	// A body cut short of its declared length (the client died mid-send).
	t.Run("BodyBreaksOff", func(t *testing.T) {
		a.c.HTTP = &http.Client{Transport: &cutTransport{base: w.ts.Client().Transport}}
		tr := a.c.HTTP.Transport.(*cutTransport)
		tr.push.Store(int64(len(good) / 2))
		tr.pull.Store(-1)
		if _, err := a.c.SyncOnce(context.Background()); err == nil {
			t.Fatal("a push cut in half went through")
		}
		if acked, _ := w.db.Acked(a.db.Node()); acked != 0 {
			t.Fatalf("acked %d", acked)
		}
		a.c.HTTP = w.hc
	})
	a.converged()
	a.exactlyOnce()
	w.checkClean()
}

// The batch of node A delivered by node B is A's batch (the key says so): a
// retry of A, applied once whoever carries it.
func TestReplayFromAnotherNode(t *testing.T) {
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	b := w.join(app.ProviderScope(w.B.ID))
	a.must(groupCmd("grp-a2", w.A.Mod))
	a.must(groupCmd("grp-a3", w.A.Mod))
	frame, err := sync.ExportBatch(a.db, a.key())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		reply, err := sync.Deliver(context.Background(), b.c.HTTP, b.c.Server, frame)
		if err != nil || reply.AckedThrough != 2 || len(reply.Results) != 2 || reply.Results[1].Status != store.StatusApplied {
			t.Fatalf("delivery %d by B: %+v %v", i, reply, err)
		}
	}
	if j := w.journal(a.db.Node()); len(j) != 2 || j[1] != 1 || j[2] != 1 {
		t.Fatalf("journal of A %v", j)
	}
	if j := w.journal(b.db.Node()); len(j) != 0 {
		t.Fatalf("journal of B %v", j)
	}
	rep := a.sync()
	if rep.Pushed != 2 || rep.Applied != 2 || !rep.DigestMatch {
		t.Fatalf("A after its batch was delivered: %+v", rep)
	}
	a.exactlyOnce()
	b.converged()
	get[app.Group](t, b.db, "grp-a3")
}

// Ops outside the node's scope are rejected with SCOPE_FORBIDDEN and undone
// on the node; an unknown op type is rejected too; none blocks the ops after it.
func TestOpsOutsideScope(t *testing.T) {
	w := newWorld(t)
	a := w.join(app.ProviderScope(w.A.ID))
	x := w.join(app.ProviderScope(w.B.ID))
	// Locally a node runs the rules of app, not the server's authorization.
	a.must(groupCmd("grp-in-b", w.B.Mod))
	a.must(&app.SetParams{Params: app.Params{Municipality: "27", Period: "2026-2027", Mode: app.ModeAccounting,
		DaysToRequest: 30, Population: 5}})
	a.must(groupCmd("grp-own", w.A.Mod))
	rep := a.sync()
	if rep.Rejected != 2 || rep.Applied != 1 || !rep.DigestMatch {
		t.Fatalf("report %+v", rep)
	}
	rs, err := a.db.OpResults(true, 0)
	if err != nil || len(rs) != 2 {
		t.Fatalf("rejected %+v %v", rs, err)
	}
	for _, r := range rs {
		if r.Result.Code != app.SCOPE_FORBIDDEN || r.Result.Message == "" {
			t.Fatalf("op %d %s: %+v", r.Op.Seq, r.Op.Type, r.Result)
		}
	}
	if p := get[app.Params](t, w.db, "27/2026-2027"); p.Mode != app.ModeFinancing {
		t.Fatalf("params changed by a provider: %+v", p)
	}
	if p := get[app.Params](t, a.db, "27/2026-2027"); p.Mode != app.ModeFinancing {
		t.Fatalf("provider still shows its own params: %+v", p)
	}
	err = a.db.View(func(r app.Reader) error { _, err := app.Get[app.Group](r, "grp-in-b"); return err })
	if app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("the rejected group stays on the node: %v", err)
	}
	get[app.Group](t, w.db, "grp-own")

	// An unknown op type, and an op after it, signed by x's key.
	ok, err := store.EncodeCommand(groupCmd("grp-x", w.B.Mod))
	if err != nil {
		t.Fatal(err)
	}
	frame, err := sync.EncodeBatch(x.key(), sync.NewBatch(x.db.Node(), []app.Op{
		{Node: x.db.Node(), Seq: 1, HLC: 1, Type: "launch_rocket", Payload: []byte(`{"To":"Луна"}`)},
		{Node: x.db.Node(), Seq: 2, HLC: 2, Type: "open_group", Payload: ok}}))
	if err != nil {
		t.Fatal(err)
	}
	reply, err := sync.Deliver(context.Background(), w.hc, w.ts.URL, frame)
	if err != nil || len(reply.Results) != 2 || reply.Results[0].Status != store.StatusRejected ||
		reply.Results[0].Code != app.EINVALID || reply.Results[1].Status != store.StatusApplied {
		t.Fatalf("unknown op: %+v %v", reply, err)
	}
	a.converged()
	w.checkClean()
}

// Join refuses a spent, an unknown and a malformed invite with its code and
// a Russian message, and leaves the database free to join with a good one.
func TestJoinRefusesBadInvites(t *testing.T) {
	w := newWorld(t)
	spent := w.invite(app.ProviderScope(w.A.ID))
	first := openDB(t, "first.db", func() time.Time { return today })
	if err := sync.Join(context.Background(), first, w.ts.URL, spent, w.hc); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, "node.db", func() time.Time { return today })
	for _, c := range []struct {
		name, secret, code, text string
	}{
		{"Spent", spent, app.INVITE_USED, "уже использовано"},
		{"Unknown", strings.Repeat("ab", 16), app.ENOTFOUND, "не найдено"},
		{"Malformed", "KRZ1-not-a-secret", app.EINVALID, "код приглашения"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := sync.Join(context.Background(), db, w.ts.URL, c.secret, w.hc)
			wantCode(t, err, c.code)
			if !strings.Contains(app.ErrorMessage(err), c.text) {
				t.Fatalf("message %q", app.ErrorMessage(err))
			}
			if !db.Authority() || db.Scope() != app.ScopeRegion {
				t.Fatalf("a refused join changed the database: %s", db.Scope())
			}
		})
	}
	if err := sync.Join(context.Background(), db, w.ts.URL, w.invite(app.ProviderScope(w.B.ID)), w.hc); err != nil {
		t.Fatalf("join after refusals: %v", err)
	}
	if db.Scope() != app.ProviderScope(w.B.ID) {
		t.Fatalf("scope %s", db.Scope())
	}
	wantCode(t, sync.Join(context.Background(), db, w.ts.URL, w.invite(app.ProviderScope(w.B.ID)), w.hc), app.ECONFLICT)
}

// A join whose reply was lost is asked again with the same invite and key.
func TestJoinRetryAfterLostReply(t *testing.T) {
	w := newWorld(t)
	secret := w.invite(app.MunicipalityScope("27"))
	inner := *w.front.Load()
	var lost http.Handler = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/join" {
			inner.ServeHTTP(discard{}, r)
			panic(http.ErrAbortHandler)
		}
		inner.ServeHTTP(rw, r)
	})
	w.front.Store(&lost)
	db := openDB(t, "node.db", func() time.Time { return today })
	if err := sync.Join(context.Background(), db, w.ts.URL, secret, w.hc); err == nil {
		t.Fatal("join without a reply succeeded")
	}
	w.front.Store(&inner)
	if err := sync.Join(context.Background(), db, w.ts.URL, secret, w.hc); err != nil {
		t.Fatalf("retry: %v", err)
	}
	c, err := sync.NewClient(db, w.hc)
	if err != nil {
		t.Fatal(err)
	}
	n := &node{t: t, w: w, db: db, c: c, scope: app.MunicipalityScope("27")}
	n.converged()
}

// discard is a ResponseWriter that drops the reply: the server "dies" after
// its work is done.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) WriteHeader(int)             {}

// Pulls without a valid signature, with a time far from the server's, with a
// key nobody has or a malformed cursor are refused; the server keeps serving.
func TestBadPulls(t *testing.T) {
	w := newWorld(t)
	n := w.join(app.ProviderScope(w.A.ID))
	key := n.key()
	pub := hex.EncodeToString(key.Public().(ed25519.PublicKey))
	cursor := sync.FormatCursor(w.db.Epoch(), 0)
	sign := func(k ed25519.PrivateKey, cursor string, at time.Time) (string, string) {
		ts := strconv.FormatInt(at.Unix(), 10)
		return ts, hex.EncodeToString(ed25519.Sign(k, []byte("GET /v1/pull?cursor="+cursor+"\n"+ts)))
	}
	get := func(cursor string, hdr map[string]string) (int, errorReply) {
		req, _ := http.NewRequest(http.MethodGet, w.ts.URL+"/v1/pull?cursor="+cursor, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := w.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var e errorReply
		_ = json.Unmarshal(body, &e)
		return resp.StatusCode, e
	}
	ts, sig := sign(key, cursor, time.Now())
	okHdr := map[string]string{sync.HeaderKey: pub, sync.HeaderTime: ts, sync.HeaderSig: sig}
	with := func(k, v string) map[string]string {
		h := map[string]string{}
		for a, b := range okHdr {
			h[a] = b
		}
		if v == "" {
			delete(h, k)
		} else {
			h[k] = v
		}
		return h
	}
	yearTS, yearSig := sign(key, cursor, time.Now().Add(365*24*time.Hour))
	strangerKey := newKey(t)
	sTS, sSig := sign(strangerKey, cursor, time.Now())
	badTS, badSig := sign(key, "e:x", time.Now())
	for _, c := range []struct {
		name   string
		cursor string
		hdr    map[string]string
		status int
		code   string
	}{
		{"NoHeaders", cursor, nil, 401, sync.CodeUnauthorized},
		{"NoSignature", cursor, with(sync.HeaderSig, ""), 401, sync.CodeUnauthorized},
		{"NoTime", cursor, with(sync.HeaderTime, ""), 401, sync.CodeUnauthorized},
		{"BadSignature", cursor, with(sync.HeaderSig, strings.Repeat("00", 64)), 401, sync.CodeUnauthorized},
		{"OtherCursor", sync.FormatCursor(w.db.Epoch(), 5), okHdr, 401, sync.CodeUnauthorized},
		{"AYearAhead", cursor, with(sync.HeaderTime, yearTS), 401, sync.CodeUnauthorized},
		{"AYearAheadSigned", cursor, map[string]string{sync.HeaderKey: pub, sync.HeaderTime: yearTS, sync.HeaderSig: yearSig}, 401, sync.CodeUnauthorized},
		{"UnknownKey", cursor, map[string]string{sync.HeaderKey: hex.EncodeToString(strangerKey.Public().(ed25519.PublicKey)), sync.HeaderTime: sTS, sync.HeaderSig: sSig}, 401, sync.CodeUnauthorized},
		{"BadCursor", "e:x", map[string]string{sync.HeaderKey: pub, sync.HeaderTime: badTS, sync.HeaderSig: badSig}, 400, app.EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, e := get(c.cursor, c.hdr)
			if status != c.status || e.Code != c.code || e.Message == "" {
				t.Fatalf("status %d %+v, want %d %s", status, e, c.status, c.code)
			}
		})
	}
	if status, _ := get(cursor, okHdr); status != 200 {
		t.Fatalf("a good pull: %d", status)
	}
	// Methods the API does not have.
	for _, m := range []string{http.MethodGet + " /v1/push", http.MethodPost + " /v1/pull", http.MethodGet + " /v1/nothing"} {
		method, path, _ := strings.Cut(m, " ")
		req, _ := http.NewRequest(method, w.ts.URL+path, nil)
		resp, err := w.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Fatalf("%s: %d", m, resp.StatusCode)
		}
	}
	n.converged()
}

func TestHealth(t *testing.T) {
	w := newWorld(t)
	resp, err := w.ts.Client().Get(w.ts.URL + "/v1/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h struct {
		Status string `json:"status"`
		Epoch  string `json:"epoch"`
		Time   int64  `json:"time"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || h.Status != "ok" || h.Epoch != w.db.Epoch() ||
		time.Since(time.Unix(h.Time, 0)).Abs() > time.Minute {
		t.Fatalf("health %+v %v", h, err)
	}
}
