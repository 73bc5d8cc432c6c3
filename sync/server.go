package sync

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kruzhok/app"
	"kruzhok/store"
)

// Headers of a signed pull request. The signature is over pullMessage.
const (
	HeaderKey  = "X-Kruzhok-Key"  // hex ed25519 public key
	HeaderTime = "X-Kruzhok-Time" // unix seconds of the node's estimate of server time
	HeaderSig  = "X-Kruzhok-Sig"  // hex ed25519 signature
)

const (
	// maxSkew is how far a signed request's time may lie from the server's.
	maxSkew = 10 * time.Minute
	// pageBytes is the size of pull pages asked from the store.
	pageBytes = 1 << 20
	// maxJSONBody bounds the small JSON requests (join).
	maxJSONBody = 64 << 10
	// pushSlots is how many pushes may hold decoded batches at once.
	pushSlots = 4
)

// pullMessage is what a node signs for GET /v1/pull: the request line and
// the time, so a captured signature is good for that cursor for minutes only.
func pullMessage(cursor string, unix int64) []byte {
	return []byte("GET /v1/pull?cursor=" + cursor + "\n" + strconv.FormatInt(unix, 10))
}

// InviteHash is what the server stores of an invite's secret: the hex
// SHA-256 of the secret's text (32 lowercase hex characters).
func InviteHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Server answers the sync API on an authority database.
type Server struct {
	db  *store.DB
	log *slog.Logger
	now func() time.Time
	// busy holds a slot per push between decompression and reply: each
	// batch may take 64 MiB decoded, and bbolt runs one writer at a time anyway.
	busy chan struct{}
}

// NewServer serves db, which must be an authority (a server database). A nil
// log discards the request logs.
func NewServer(db *store.DB, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{db: db, log: log, now: time.Now, busy: make(chan struct{}, pushSlots)}
}

// Handler is the HTTP API:
//
//	POST /v1/push    a signed batch frame → results per op
//	GET  /v1/pull    a signed request for a page of the node's scope
//	POST /v1/join    an invite secret, node id and key → scope and epoch
//	GET  /v1/health  status, epoch and server time, unauthenticated
//
// A panic in a handler answers 500 and the server keeps serving.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/push", s.handlePush)
	mux.HandleFunc("GET /v1/pull", s.handlePull)
	mux.HandleFunc("POST /v1/join", s.handleJoin)
	mux.HandleFunc("GET /v1/health", s.handleHealth)
	return s.recoverer(mux)
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
				writeError(w, errorf(app.EINTERNAL, "Сбой сервера"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	log := s.log.With("req", "push", "remote", r.RemoteAddr)
	fail := func(err error) {
		log.Warn("push refused", "code", app.ErrorCode(err), "err", err, "duration", time.Since(start))
		writeError(w, err)
	}
	frame, err := readBody(w, r, int64(MaxFrame))
	if err != nil {
		fail(err)
		return
	}
	var node app.Node
	held := false
	defer func() {
		if held {
			<-s.busy
		}
	}()
	_, b, err := decodeBatch(frame, func(pub ed25519.PublicKey) (err error) {
		if node, err = s.nodeOf(pub); err != nil {
			return err
		}
		select {
		case s.busy <- struct{}{}:
			held = true
			return nil
		case <-r.Context().Done():
			return errorf(app.EINTERNAL, "Запрос отменён в очереди на разбор")
		}
	})
	if err != nil {
		fail(err)
		return
	}
	log = log.With("node", node.ID, "scope", node.Scope)
	if b.Node != node.ID {
		// A frame names its node in the body, but only the key proves it.
		fail(errorf(app.SCOPE_FORBIDDEN, "Пакет узла %s подписан ключом узла %s", clip(b.Node), node.ID))
		return
	}
	acked, results, needFrom, err := s.db.ApplyRemote(node, b.Ops)
	if err != nil {
		fail(fmt.Errorf("apply batch %d…%d of node %s: %w", b.First, b.Last, node.ID, err))
		return
	}
	reply := PushReply{AckedThrough: acked, NeedFrom: needFrom, Results: results}
	status := http.StatusOK
	if needFrom > 0 {
		status = HTTPStatus(CodeNeedFrom)
	}
	applied, rejected := countResults(results)
	log.Info("push", "first", b.First, "last", b.Last, "ops", len(b.Ops), "applied", applied,
		"rejected", rejected, "acked", acked, "need_from", needFrom, "duration", time.Since(start))
	writeJSON(w, status, pushReplyToWire(reply))
}

func countResults(rs []store.Result) (applied, rejected int) {
	for _, r := range rs {
		switch r.Status {
		case "applied":
			applied++
		case "rejected":
			rejected++
		}
	}
	return applied, rejected
}

// nodeOf is the active node registered with the key. Errors: CodeUnauthorized.
func (s *Server) nodeOf(pub ed25519.PublicKey) (app.Node, error) {
	n, err := s.db.NodeByKey(pub)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return app.Node{}, errorf(CodeUnauthorized, "Ключ %s не принадлежит ни одному подключённому узлу", hex.EncodeToString(pub)[:16])
	} else if err != nil {
		return app.Node{}, err
	}
	if n.Status != "active" {
		return app.Node{}, errorf(CodeUnauthorized, "Узел %s отключён от сервера", n.ID)
	}
	return n, nil
}

// readBody reads at most limit bytes of the request body. Errors:
// CodeTooLarge, EINVALID when the body breaks off.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, errorf(CodeTooLarge, "Тело запроса %d байт больше предела %d", r.ContentLength, limit)
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errorf(CodeTooLarge, "Тело запроса больше предела %d байт", limit)
	} else if err != nil {
		return nil, errorf(app.EINVALID, "Тело запроса оборвалось: %v", err)
	}
	return data, nil
}

// ParseCursor splits "<epoch>:<seq>". A bare "<seq>" or an empty epoch means
// any epoch (the bootstrap of a new node). Errors: EINVALID.
func ParseCursor(c string) (epoch string, seq uint64, err error) {
	e, n, ok := strings.Cut(c, ":")
	if !ok {
		e, n = "", c
	}
	seq, perr := strconv.ParseUint(n, 10, 64)
	if perr != nil || (e != "" && !validName(e)) {
		return "", 0, errorf(app.EINVALID, "Неверный курсор «%s»: нужно <эпоха>:<номер>", clip(c))
	}
	return e, seq, nil
}

// FormatCursor is the inverse of ParseCursor.
func FormatCursor(epoch string, seq uint64) string { return epoch + ":" + strconv.FormatUint(seq, 10) }

func (s *Server) handlePull(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	log := s.log.With("req", "pull", "remote", r.RemoteAddr)
	fail := func(err error) {
		log.Warn("pull refused", "code", app.ErrorCode(err), "err", err, "duration", time.Since(start))
		writeError(w, err)
	}
	cursor := r.URL.Query().Get("cursor")
	node, err := s.authPull(r, cursor)
	if err != nil {
		fail(err)
		return
	}
	log = log.With("node", node.ID, "scope", node.Scope, "cursor", cursor)
	epoch, seq, err := ParseCursor(cursor)
	if err != nil {
		fail(err)
		return
	}
	if cur := s.db.Epoch(); epoch != "" && epoch != cur {
		acked, err := s.db.Acked(node.ID)
		if err != nil {
			fail(err)
			return
		}
		log.Info("pull: epoch changed", "epoch", cur, "acked", acked, "duration", time.Since(start))
		writeJSON(w, HTTPStatus(CodeEpochChanged), errorBody{Code: CodeEpochChanged,
			Message: "Сервер восстановлен из резервной копии: узел загрузит данные заново и повторит свои операции",
			Epoch:   cur, Acked: acked})
		return
	}
	page, err := s.db.Pull(node.Scope, seq, pageBytes)
	if err != nil {
		fail(err)
		return
	}
	body, err := EncodePage(page, page.Digest)
	if err != nil {
		fail(err)
		return
	}
	log.Info("pull", "changes", len(page.Changes), "next", page.Next, "more", page.More,
		"bytes", len(body), "duration", time.Since(start))
	w.Header().Set("Content-Type", "application/zstd")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// authPull verifies the signed headers of a pull and returns the node.
// Errors: CodeUnauthorized.
func (s *Server) authPull(r *http.Request, cursor string) (app.Node, error) {
	pub, err := hex.DecodeString(r.Header.Get(HeaderKey))
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return app.Node{}, errorf(CodeUnauthorized, "Запрос не подписан: нет ключа узла")
	}
	sig, err := hex.DecodeString(r.Header.Get(HeaderSig))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return app.Node{}, errorf(CodeUnauthorized, "Запрос не подписан: нет подписи")
	}
	unix, err := strconv.ParseInt(r.Header.Get(HeaderTime), 10, 64)
	if err != nil {
		return app.Node{}, errorf(CodeUnauthorized, "Запрос не подписан: нет времени")
	}
	if !ed25519.Verify(pub, pullMessage(cursor, unix), sig) {
		return app.Node{}, errorf(CodeUnauthorized, "Подпись запроса неверна")
	}
	if skew := s.now().Sub(time.Unix(unix, 0)); skew > maxSkew || skew < -maxSkew {
		return app.Node{}, errorf(CodeUnauthorized, "Время запроса расходится с временем сервера на %s: больше %s",
			skew.Round(time.Second), maxSkew)
	}
	return s.nodeOf(pub)
}

func (s *Server) handleJoin(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	log := s.log.With("req", "join", "remote", r.RemoteAddr)
	fail := func(err error) {
		log.Warn("join refused", "code", app.ErrorCode(err), "err", err, "duration", time.Since(start))
		writeError(w, err)
	}
	data, err := readBody(w, r, maxJSONBody)
	if err != nil {
		fail(err)
		return
	}
	var req joinRequestWire
	if err := json.Unmarshal(data, &req); err != nil {
		fail(errorf(app.EINVALID, "Неверный запрос подключения: %v", err))
		return
	}
	if b, err := hex.DecodeString(req.TokenSecret); err != nil || len(b) != 16 || strings.ToLower(req.TokenSecret) != req.TokenSecret {
		fail(errorf(app.EINVALID, "Неверный код приглашения: нужно 32 шестнадцатеричных знака"))
		return
	}
	log = log.With("node", req.Node)
	join := &app.JoinNode{Hash: InviteHash(req.TokenSecret), Node: req.Node, Key: req.Key}
	scope, err := s.rejoin(join)
	if err == nil && scope == "" {
		if _, err = s.db.Exec(join); err == nil {
			scope, err = s.rejoin(join)
		}
	}
	if err != nil {
		fail(err)
		return
	}
	log.Info("join", "scope", scope, "duration", time.Since(start))
	writeJSON(w, http.StatusOK, joinReplyWire{Scope: scope, Epoch: s.db.Epoch()})
}

// rejoin returns the scope when the invite was spent by this very node with
// this key (a join whose reply was lost, asked again), else "".
func (s *Server) rejoin(c *app.JoinNode) (scope string, err error) {
	err = s.db.View(func(r app.Reader) error {
		inv, err := app.Get[app.Invite](r, c.Hash)
		if err != nil || inv.Status != app.InviteSpent || inv.Node != c.Node {
			return nil
		}
		n, err := app.Get[app.Node](r, c.Node)
		if err == nil && n.Key == c.Key {
			scope = n.Scope
		}
		return nil
	})
	return scope, err
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, healthWire{Status: "ok", Epoch: s.db.Epoch(), Time: s.now().Unix()})
}
