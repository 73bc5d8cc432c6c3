package sync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"kruzhok/app"
	"kruzhok/store"
)

// maxReply bounds a JSON reply the client reads (push results of 5 000 ops
// with their messages stay far below it).
const maxReply = 16 << 20

// Client syncs one node database with its server. Its methods are safe for
// concurrent use; sync rounds of one Client run one at a time.
type Client struct {
	DB     *store.DB
	HTTP   *http.Client // with the TLS setup for Server; nil means http.DefaultClient
	Key    ed25519.PrivateKey
	Server string // base URL, e.g. "https://rmc.example:8443"
	// Now is the node's clock; nil means time.Now. Requests are signed with
	// Now plus the offset to the server's clock learned from /v1/health, so a
	// node clock that is far off still signs in the server's time.
	Now func() time.Time

	round  gosync.Mutex
	offset atomic.Int64 // server clock minus node clock, in nanoseconds
}

// Report is what one sync round did. Its JSON is
// {"pushed":N,"applied":N,"rejected":N,"pulled":N,"digest_match":true|false}.
type Report struct {
	Pushed      int  `json:"pushed"`       // ops delivered to the server
	Applied     int  `json:"applied"`      // of their results: applied
	Rejected    int  `json:"rejected"`     // of their results: rejected (see DB.OpResults)
	Pulled      int  `json:"pulled"`       // records received (changed or removed)
	DigestMatch bool `json:"digest_match"` // nothing pending and the node's state equals the server's view of its scope
}

// NewClient is the client of a joined node database, from its stored sync
// configuration. Errors: ENOTFOUND when the database was never joined,
// EINVALID for a damaged key.
func NewClient(db *store.DB, httpClient *http.Client) (*Client, error) {
	cfg, err := db.SyncConfig()
	if err != nil {
		return nil, fmt.Errorf("sync config: %w", err)
	}
	if cfg.Server == "" || cfg.NodeKey == "" {
		return nil, errorf(app.ENOTFOUND, "Узел не подключён к серверу: выполните kruzhok join")
	}
	key, err := keyFromSeed(cfg.NodeKey)
	if err != nil {
		return nil, err
	}
	return &Client{DB: db, HTTP: httpClient, Key: key, Server: cfg.Server}, nil
}

func keyFromSeed(seedHex string) (ed25519.PrivateKey, error) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errorf(app.EINVALID, "Ключ узла в базе повреждён")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// Join pairs a new, empty node database with the server at serverURL by
// spending an invite: it makes the node's ed25519 key, stores it with the
// server in the sync configuration, registers the node on the server, takes
// the invite's scope, and loads the scope's data (the bootstrap pull). The
// bootstrap applies each page with its cursor, so if it breaks off, Join
// returns an error and `sync` resumes where it stopped. A join whose reply was
// lost can be repeated with the same invite. Errors: ECONFLICT when the
// database is joined already or the invite is spent, ENOTFOUND for an unknown
// invite, EINVALID for a database that already holds data or a malformed
// secret.
func Join(ctx context.Context, db *store.DB, serverURL, tokenSecret string, httpClient *http.Client) error {
	if err := CheckSecureURL(serverURL); err != nil {
		return err
	}
	cfg, err := db.SyncConfig()
	if err != nil {
		return fmt.Errorf("join: sync config: %w", err)
	}
	if !db.Authority() {
		return errorf(app.ECONFLICT, "База уже подключена к серверу %s: для синхронизации выполните kruzhok sync", cfg.Server)
	}
	if n, err := db.OutboxLen(); err != nil {
		return fmt.Errorf("join: %w", err)
	} else if n > 0 {
		return errorf(app.EINVALID, "В базе уже есть данные (%d операций): к серверу подключают новую, пустую базу", n)
	}
	if cfg.NodeKey == "" {
		// A key stays once made: a join whose reply was lost is repeated with it.
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return fmt.Errorf("join: make key: %w", err)
		}
		cfg.NodeKey = hex.EncodeToString(seed)
	}
	cfg.Server = serverURL
	if err := db.SetSyncConfig(cfg); err != nil {
		return fmt.Errorf("join: store key: %w", err)
	}
	key, err := keyFromSeed(cfg.NodeKey)
	if err != nil {
		return err
	}
	c := &Client{DB: db, HTTP: httpClient, Key: key, Server: serverURL}
	body, err := json.Marshal(joinRequestWire{TokenSecret: strings.TrimSpace(tokenSecret), Node: db.Node(),
		Key: hex.EncodeToString(key.Public().(ed25519.PublicKey))})
	if err != nil {
		return fmt.Errorf("join: %w", err)
	}
	var reply joinReplyWire
	if err := c.postJSON(ctx, "/v1/join", body, &reply); err != nil {
		return fmt.Errorf("join %s: %w", serverURL, err)
	}
	if err := c.learnRecipient(reply.SealRecipient); err != nil {
		return fmt.Errorf("join: %w", err)
	}
	if err := db.SetScope(reply.Scope, false); err != nil {
		return fmt.Errorf("join: scope %q from server: %w", reply.Scope, err)
	}
	if _, err := c.health(ctx); err != nil {
		return fmt.Errorf("join: узел подключён, начальная загрузка не началась — выполните kruzhok sync: %w", err)
	}
	if _, err := c.pullAll(ctx, &Report{}); err != nil {
		return fmt.Errorf("join: узел подключён, начальная загрузка прервалась — выполните kruzhok sync: %w", err)
	}
	if err := db.Rebase(); err != nil {
		return fmt.Errorf("join: %w", err)
	}
	return nil
}

// CheckSecureURL refuses a server URL that would carry an invite secret or a
// node's data in clear: anything but https://, except http:// to a loopback
// host (127.0.0.0/8, ::1, localhost), which never leaves the machine.
// Errors: EINVALID with a Russian message.
func CheckSecureURL(serverURL string) error {
	u, err := url.Parse(strings.TrimSpace(serverURL))
	switch {
	case err != nil || u.Host == "":
		return errorf(app.EINVALID, "Неверный адрес сервера «%s»", clip(serverURL))
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && LoopbackHost(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return errorf(app.EINVALID, "Адрес сервера «%s» без шифрования (http://): код приглашения и данные детей "+
			"передаются только по https://; http:// допустим лишь для петлевого адреса (127.0.0.1, ::1, localhost)", clip(serverURL))
	}
	return errorf(app.EINVALID, "Адрес сервера должен начинаться с https:// (а не «%s»)", clip(serverURL))
}

// LoopbackHost reports whether host (without a port) names this machine
// only: localhost, 127.0.0.0/8 or ::1.
func LoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SyncOnce runs one sync round: it pushes every pending op in batches of at
// most MaxOps and records the results, pulls the changes of the node's scope
// page by page, re-applies what is still pending on top (rebase), and
// compares the node's digest with the server's when nothing is pending. When
// the server was restored (its epoch changed), the node resets to the
// server's ack, pushes again and pulls from 0. The outcome, error or not, is
// recorded with DB.SetLastSync. A cut link leaves nothing half-done: the next
// round resumes. Errors: those of the server (with its code and message),
// network errors, and CodeEpochChanged when the epoch changes twice in a round.
func (c *Client) SyncOnce(ctx context.Context) (rep Report, err error) {
	c.round.Lock()
	defer c.round.Unlock()
	defer func() {
		text := ""
		if err != nil {
			text = err.Error()
		}
		if lerr := c.DB.SetLastSync(c.now(), text); lerr != nil && err == nil {
			err = fmt.Errorf("sync: record last sync: %w", lerr)
		}
	}()
	if _, err := c.health(ctx); err != nil {
		return rep, err
	}
	reset := false
	// The digest is computed after the last page, in its own transaction: a
	// write between the two shows as a mismatch, which one more pull settles.
	for tries := 0; tries < 3; tries++ {
		if err := c.pushAll(ctx, &rep); err != nil {
			return rep, err
		}
		digest, err := c.pullAll(ctx, &rep)
		var ec *epochChanged
		if errors.As(err, &ec) && !reset {
			reset = true
			if err := c.DB.ResetForEpoch(ec.epoch, ec.acked); err != nil {
				return rep, fmt.Errorf("sync: reset for server epoch %s: %w", ec.epoch, err)
			}
			tries--
			continue
		} else if ec != nil {
			return rep, errorf(CodeEpochChanged, "Эпоха сервера сменилась дважды за один сеанс (теперь %s): повторите синхронизацию", ec.epoch)
		} else if err != nil {
			return rep, err
		}
		if err := c.DB.Rebase(); err != nil {
			return rep, fmt.Errorf("sync: rebase: %w", err)
		}
		st, err := c.DB.SyncState()
		if err != nil {
			return rep, err
		}
		if st.Pending > 0 {
			return rep, nil // ops made during the round: the next round sends them
		}
		local, err := c.DB.Digest(c.DB.Scope())
		if err != nil {
			return rep, err
		}
		if rep.DigestMatch = local == digest; rep.DigestMatch {
			return rep, nil
		}
	}
	return rep, nil
}

// pushAll sends the outbox from the node's ack on, batch by batch, and records
// the results. A gap answer (the server acked less than the node thinks,
// after a restore) makes it resend from the server's need_from.
func (c *Client) pushAll(ctx context.Context, rep *Report) error {
	st, err := c.DB.SyncState()
	if err != nil {
		return err
	}
	next := st.Acked + 1
	for {
		if next <= st.Trimmed {
			return store.OutboxTrimmedError(next, st.Trimmed)
		}
		ops, err := c.DB.Outbox(next, MaxOps)
		if err != nil {
			return err
		}
		if len(ops) == 0 {
			return nil
		}
		if ops[0].Seq != next {
			return errorf(app.EINTERNAL, "Операции узла с №%d нет в журнале, а сервер ждёт их: обратитесь в РМЦ", next)
		}
		reply, n, err := c.pushOps(ctx, ops)
		if app.ErrorCode(err) == CodeNeedFrom {
			if reply.NeedFrom == 0 || reply.NeedFrom >= next {
				return errorf(app.EINTERNAL, "Сервер ждёт операции с №%d, а пакет начинался с №%d", reply.NeedFrom, next)
			}
			next = reply.NeedFrom
			continue
		} else if err != nil {
			return err
		}
		if err := c.DB.RecordResults(reply.AckedThrough, reply.Results); err != nil {
			return fmt.Errorf("sync: record results: %w", err)
		}
		rep.Pushed += n
		a, r := countResults(reply.Results)
		rep.Applied += a
		rep.Rejected += r
		if reply.AckedThrough+1 <= next {
			return errorf(app.EINTERNAL, "Сервер не подтвердил ни одной операции пакета %d…%d", next, ops[n-1].Seq)
		}
		next = reply.AckedThrough + 1
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// pushOps sends the longest prefix of ops that fits one frame and returns the
// reply and how many ops went.
func (c *Client) pushOps(ctx context.Context, ops []app.Op) (PushReply, int, error) {
	n := len(ops)
	for {
		frame, err := EncodeBatch(c.Key, NewBatch(c.DB.Node(), ops[:n]))
		if app.ErrorCode(err) == CodeTooLarge && n > 1 {
			n /= 2
			continue
		} else if err != nil {
			return PushReply{}, 0, err
		}
		reply, err := c.push(ctx, frame)
		if app.ErrorCode(err) == CodeTooLarge && n > 1 {
			n /= 2 // a server with lower limits than this binary's
			continue
		} else if err != nil {
			return reply, 0, err
		}
		if err := checkReply(reply, ops[0].Seq, ops[n-1].Seq); err != nil {
			return reply, 0, err
		}
		return reply, n, nil
	}
}

// checkReply refuses results that do not belong to the batch first…last.
func checkReply(r PushReply, first, last uint64) error {
	if r.AckedThrough > last {
		return errorf(app.EINTERNAL, "Сервер подтвердил операции до №%d, а отправлены %d…%d", r.AckedThrough, first, last)
	}
	for _, x := range r.Results {
		if x.Seq < first || x.Seq > last || (x.Status != "applied" && x.Status != "rejected") {
			return errorf(app.EINTERNAL, "Сервер вернул непонятный результат операции №%d (%q)", x.Seq, x.Status)
		}
	}
	return nil
}

// epochChanged is the server's answer to a cursor of an old epoch.
type epochChanged struct {
	epoch string
	acked uint64
}

func (e *epochChanged) Error() string {
	return fmt.Sprintf("%s: server epoch is now %s, node acked through %d", CodeEpochChanged, e.epoch, e.acked)
}

// pullAll pulls pages from the stored cursor until the last one, applying
// each with its cursor, and returns the digest of the last page.
func (c *Client) pullAll(ctx context.Context, rep *Report) (string, error) {
	for {
		st, err := c.DB.SyncState()
		if err != nil {
			return "", err
		}
		page, digest, err := c.pullPage(ctx, FormatCursor(st.Epoch, st.Cursor))
		if err != nil {
			return "", err
		}
		if st.Epoch != "" && page.Epoch != st.Epoch {
			return "", errorf(app.EINTERNAL, "Сервер прислал страницу эпохи %s на курсор эпохи %s", page.Epoch, st.Epoch)
		}
		if page.More && page.Next <= st.Cursor {
			return "", errorf(app.EINTERNAL, "Сервер не продвинул курсор: %d", page.Next)
		}
		if err := c.DB.ApplyPull(page); err != nil {
			return "", fmt.Errorf("sync: apply page %d: %w", page.Next, err)
		}
		rep.Pulled += len(page.Changes)
		if !page.More {
			return digest, nil
		}
		if err := ctx.Err(); err != nil {
			return "", err
		}
	}
}

// pullPage asks for one page after cursor, signed in the server's time.
func (c *Client) pullPage(ctx context.Context, cursor string) (store.Page, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		c.url("/v1/pull")+"?cursor="+url.QueryEscape(cursor), nil)
	if err != nil {
		return store.Page{}, "", err
	}
	unix := c.serverNow().Unix()
	req.Header.Set(HeaderKey, hex.EncodeToString(c.Key.Public().(ed25519.PublicKey)))
	req.Header.Set(HeaderTime, strconv.FormatInt(unix, 10))
	req.Header.Set(HeaderSig, hex.EncodeToString(ed25519.Sign(c.Key, pullMessage(cursor, unix))))
	status, body, err := roundTrip(c.client(), req, MaxCompressed)
	if err != nil {
		return store.Page{}, "", fmt.Errorf("pull %s: %w", cursor, err)
	}
	if status != http.StatusOK {
		var b errorBody
		if json.Unmarshal(body, &b) == nil && b.Code == CodeEpochChanged && b.Epoch != "" {
			return store.Page{}, "", &epochChanged{epoch: b.Epoch, acked: b.Acked}
		}
		return store.Page{}, "", fmt.Errorf("pull %s: %w", cursor, remoteError(status, body))
	}
	page, digest, err := DecodePage(body)
	if err != nil {
		return store.Page{}, "", fmt.Errorf("pull %s: %w", cursor, err)
	}
	return page, digest, nil
}

// health asks the server's status and learns the offset of its clock.
func (c *Client) health(ctx context.Context) (healthWire, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url("/v1/health"), nil)
	if err != nil {
		return healthWire{}, err
	}
	t0 := c.now()
	status, body, err := roundTrip(c.client(), req, maxReply)
	t1 := c.now()
	if err != nil {
		return healthWire{}, fmt.Errorf("health %s: %w", c.Server, err)
	}
	if status != http.StatusOK {
		return healthWire{}, fmt.Errorf("health %s: %w", c.Server, remoteError(status, body))
	}
	var h healthWire
	if err := json.Unmarshal(body, &h); err != nil || h.Status != "ok" || h.Time <= 0 {
		return healthWire{}, errorf(app.EINTERNAL, "Сервер %s ответил на проверку непонятно", c.Server)
	}
	mid := t0.Add(t1.Sub(t0) / 2)
	c.offset.Store(int64(time.Unix(h.Time, 0).Sub(mid)))
	if err := c.learnRecipient(h.SealRecipient); err != nil {
		return healthWire{}, err
	}
	return h, nil
}

// learnRecipient stores the server's seal key (from the join reply or
// /v1/health) in the node's sync configuration when it is new or changed, so
// that `export --batch` can seal to it. A server that sends none (an older
// one) leaves the stored one. Errors: EINTERNAL for a malformed key, storage.
func (c *Client) learnRecipient(recipient string) error {
	if recipient == "" {
		return nil
	}
	if _, err := ParseRecipient(recipient); err != nil {
		return errorf(app.EINTERNAL, "Сервер %s прислал неверный ключ шифрования пакетов", c.Server)
	}
	cfg, err := c.DB.SyncConfig()
	if err != nil {
		return err
	}
	if cfg.SealRecipient == recipient {
		return nil
	}
	cfg.SealRecipient = recipient
	if err := c.DB.SetSyncConfig(cfg); err != nil {
		return fmt.Errorf("sync: store server seal key: %w", err)
	}
	return nil
}

func (c *Client) postJSON(ctx context.Context, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(path), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	status, data, err := roundTrip(c.client(), req, maxReply)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return remoteError(status, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return errorf(app.EINTERNAL, "Непонятный ответ сервера: %v", err)
	}
	return nil
}

// push posts a frame of this node to /v1/push with signed headers: the
// server knows the node before it reads the body.
func (c *Client) push(ctx context.Context, frame []byte) (PushReply, error) {
	return Push(ctx, c.client(), c.Server, c.Key, frame, c.serverNow())
}

// Push posts a frame of the node of priv to serverURL's /v1/push, its
// headers signed at the server's time now (SignPush), and returns the reply
// as Deliver does.
func Push(ctx context.Context, httpClient *http.Client, serverURL string, priv ed25519.PrivateKey, frame []byte, now time.Time) (PushReply, error) {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(serverURL, "/")+"/v1/push", bytes.NewReader(frame))
	if err != nil {
		return PushReply{}, err
	}
	SignPush(req, priv, frame, now)
	return postFrame(httpClient, req)
}

// SignPush sets the headers of a push of body by the node of priv at the
// server's time now: key, time, the body's hex SHA-256, and the signature
// over pushMessage.
func SignPush(req *http.Request, priv ed25519.PrivateKey, body []byte, now time.Time) {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	unix := now.Unix()
	req.Header.Set(HeaderKey, hex.EncodeToString(priv.Public().(ed25519.PublicKey)))
	req.Header.Set(HeaderTime, strconv.FormatInt(unix, 10))
	req.Header.Set(HeaderBody, hash)
	req.Header.Set(HeaderSig, hex.EncodeToString(ed25519.Sign(priv, pushMessage(hash, unix))))
}

// Deliver posts a batch frame (a batch file of any node) to the server at
// serverURL's /v1/deliver and returns its reply: the frame's own signature
// proves whose it is, so anyone may carry it. When the server lacks earlier
// ops of that node the reply has NeedFrom and the error has code
// CodeNeedFrom; nothing of the frame was applied then. Other errors carry the
// server's code and message, or are network errors.
func Deliver(ctx context.Context, httpClient *http.Client, serverURL string, frame []byte) (PushReply, error) {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(serverURL, "/")+"/v1/deliver", bytes.NewReader(frame))
	if err != nil {
		return PushReply{}, err
	}
	return postFrame(httpClient, req)
}

// postFrame does a push or delivery request and reads its reply.
func postFrame(httpClient *http.Client, req *http.Request) (PushReply, error) {
	req.Header.Set("Content-Type", "application/octet-stream")
	status, body, err := roundTrip(httpClient, req, maxReply)
	if err != nil {
		return PushReply{}, fmt.Errorf("push: %w", err)
	}
	if status != http.StatusOK && status != HTTPStatus(CodeNeedFrom) {
		return PushReply{}, fmt.Errorf("push: %w", remoteError(status, body))
	}
	var w pushReplyWire
	if err := json.Unmarshal(body, &w); err != nil {
		return PushReply{}, fmt.Errorf("push: %w", remoteError(status, body))
	}
	reply, err := pushReplyFromWire(w)
	if err != nil {
		return PushReply{}, fmt.Errorf("push: %w", err)
	}
	if status != http.StatusOK {
		if w.Code != CodeNeedFrom || w.NeedFrom == 0 {
			return PushReply{}, fmt.Errorf("push: %w", remoteError(status, body))
		}
		return reply, errorf(CodeNeedFrom, "Сервер ждёт операции узла с №%d: сначала доставьте их", w.NeedFrom)
	}
	return reply, nil
}

// roundTrip does req and reads at most limit bytes of the reply.
func roundTrip(hc *http.Client, req *http.Request, limit int64) (int, []byte, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, nil, fmt.Errorf("read reply: %w", err)
	}
	if int64(len(body)) > limit {
		return 0, nil, errorf(CodeTooLarge, "Ответ сервера больше %d байт", limit)
	}
	return resp.StatusCode, body, nil
}

func (c *Client) client() *http.Client {
	if c.HTTP == nil {
		return http.DefaultClient
	}
	return c.HTTP
}

func (c *Client) url(path string) string { return strings.TrimRight(c.Server, "/") + path }

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// serverNow is the node's estimate of the server's clock.
func (c *Client) serverNow() time.Time { return c.now().Add(time.Duration(c.offset.Load())) }
