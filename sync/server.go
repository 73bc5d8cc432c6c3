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
	"slices"
	"strconv"
	"strings"
	"time"

	"kruzhok/app"
	"kruzhok/store"
)

// Headers of a signed request (pull and push). The signature is over
// pullMessage or pushMessage.
const (
	HeaderKey  = "X-Kruzhok-Key"  // hex ed25519 public key
	HeaderTime = "X-Kruzhok-Time" // unix seconds of the node's estimate of server time
	HeaderSig  = "X-Kruzhok-Sig"  // hex ed25519 signature
	// HeaderBody is the hex SHA-256 of a push's body, which its signature
	// covers: the server checks the signature before it reads the body, and
	// the body against this hash after.
	HeaderBody = "X-Kruzhok-Body-SHA256"
)

const (
	// maxSkew is how far a signed request's time may lie from the server's.
	maxSkew = 10 * time.Minute
	// pageBytes is the size of pull pages asked from the store.
	pageBytes = 1 << 20
	// maxJSONBody bounds the small JSON requests (join).
	maxJSONBody = 64 << 10
	// maxLogText bounds any string a client sent that goes to a log line.
	maxLogText = 200
)

// pullMessage is what a node signs for GET /v1/pull: the request line and
// the time, so a captured signature is good for that cursor for minutes only.
func pullMessage(cursor string, unix int64) []byte {
	return []byte("GET /v1/pull?cursor=" + cursor + "\n" + strconv.FormatInt(unix, 10))
}

// pushMessage is what a node signs for POST /v1/push: the request line, the
// hex SHA-256 of the body and the time. A captured set of headers is good
// for that very body for minutes only, and a push is idempotent anyway.
func pushMessage(bodyHash string, unix int64) []byte {
	return []byte("POST /v1/push\n" + bodyHash + "\n" + strconv.FormatInt(unix, 10))
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
	lim Limits
	// bodies is the budget of request body bytes in flight.
	bodies *budget
	// decode holds a slot per push between decompression and reply: a batch
	// may take MaxBatchJSON decoded, and bbolt runs one writer at a time anyway.
	decode slots
	// deliver holds a slot per header-less delivery while it reads its body.
	deliver slots
	// pull holds a slot per pull while it builds and sends its page.
	pull slots
	// seal is the key batch files are sealed to; nil: sealed files are refused.
	seal *SealKey
}

// SetSealKey gives the server the key that nodes seal batch files to
// (LoadOrCreateSealKey): its recipient goes to nodes in the join reply and
// /v1/health, and /v1/deliver opens files sealed to it. Call it before
// serving.
func (s *Server) SetSealKey(k *SealKey) { s.seal = k }

// recipient is the seal key's recipient, or "" without a key.
func (s *Server) recipient() string {
	if s.seal == nil {
		return ""
	}
	return s.seal.Recipient()
}

// NewServer serves db, which must be an authority (a server database), with
// DefaultLimits. A nil log discards the request logs.
func NewServer(db *store.DB, log *slog.Logger) *Server {
	return NewServerWith(db, log, DefaultLimits())
}

// NewServerWith is NewServer with limits l.
func NewServerWith(db *store.DB, log *slog.Logger, l Limits) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{db: db, log: log, now: time.Now, lim: l, bodies: newBudget(l.BodyBudget),
		decode: make(slots, l.DecodeSlots), deliver: make(slots, l.DeliverSlots), pull: make(slots, l.PullSlots)}
}

// Handler is the HTTP API:
//
//	POST /v1/push     a batch frame of the node that signs the headers → results per op
//	POST /v1/deliver  a batch frame of any node, carried by anyone (a batch file)
//	GET  /v1/pull     a signed request for a page of the node's scope
//	POST /v1/join     an invite secret, node id and key → scope and epoch
//	GET  /v1/health   status, epoch and server time, unauthenticated
//
// A panic in a handler answers 500 and the server keeps serving. Every
// request body is read at the server's minimum rate (ConfigureHTTP's guard,
// applied here too for a server that is not configured by it).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/push", s.handlePush)
	mux.HandleFunc("POST /v1/deliver", s.handleDeliver)
	mux.HandleFunc("GET /v1/pull", s.handlePull)
	mux.HandleFunc("POST /v1/join", s.handleJoin)
	mux.HandleFunc("GET /v1/health", s.handleHealth)
	return guardBodies(s.lim, s.recoverer(mux))
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "path", r.URL.Path, "panic", logText(fmt.Sprint(v)))
				writeError(w, errorf(app.EINTERNAL, "Сбой сервера"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// logText is an error or a client's string as a log line may hold it.
func logText(v any) string {
	switch v := v.(type) {
	case error:
		return store.ClipText(v.Error(), maxLogText)
	case string:
		return store.ClipText(v, maxLogText)
	}
	return store.ClipText(fmt.Sprint(v), maxLogText)
}

// refuse logs and answers err, a refusal of request what.
func (s *Server) refuse(w http.ResponseWriter, log *slog.Logger, what string, start time.Time, err error) {
	log.Warn(what+" refused", "code", app.ErrorCode(err), "err", logText(err), "duration", time.Since(start))
	if !writeRefusal(w, err, s.lim) {
		writeError(w, err)
	}
}

// handlePush takes a batch of the node whose key signs the headers. The
// node is known, and active, before a byte of the body is read; the body is
// then read within the byte budget, checked against the signed hash, and its
// frame must be signed by the same key.
func (s *Server) handlePush(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	log := s.log.With("req", "push", "remote", r.RemoteAddr)
	node, pub, hash, err := s.authPush(r)
	if err != nil {
		s.refuse(w, log, "push", start, err)
		return
	}
	log = log.With("node", node.ID, "scope", node.Scope)
	size, err := s.reserve(r, MaxFrame)
	if err != nil {
		s.refuse(w, log, "push", start, err)
		return
	}
	defer s.bodies.give(size)
	frame, err := readBody(w, r, size, nil)
	if err != nil {
		s.refuse(w, log, "push", start, err)
		return
	}
	if sum := sha256.Sum256(frame); hex.EncodeToString(sum[:]) != hash {
		s.refuse(w, log, "push", start, errorf(CodeUnauthorized, "Тело запроса не совпадает с подписанным: запрос повреждён или подделан"))
		return
	}
	s.applyFrame(w, r, log, start, frame, func(key ed25519.PublicKey) (app.Node, error) {
		if !key.Equal(pub) {
			return app.Node{}, errorf(app.SCOPE_FORBIDDEN, "Пакет подписан не ключом узла %s: чужой пакет доставляют через /v1/deliver", node.ID)
		}
		return node, nil
	})
}

// handleDeliver takes a batch file of any node from anyone: carried on a
// stick (sync --deliver). It is sealed to the server's key (SealBatch) or,
// from nodes of earlier versions, a plain frame. Only the frame's own
// signature proves it, and that can be checked only once the body is in; so
// a delivery reads its header first and goes on only for the key of an
// active node (and, sealed, for a file sealed to this server), holds one of
// a few delivery slots while it reads, and its body, and then what it
// decrypts to, count against the same byte budget as every other.
func (s *Server) handleDeliver(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	log := s.log.With("req", "deliver", "remote", r.RemoteAddr)
	if r.ContentLength > int64(MaxSealed) {
		s.refuse(w, log, "deliver", start, errorf(CodeTooLarge, "Тело запроса %d байт больше предела %d", r.ContentLength, MaxSealed))
		return
	}
	if !s.deliver.take(r.Context(), s.lim.Wait) {
		s.refuse(w, log, "deliver", start, errBusy{"доставки пакетов"})
		return
	}
	defer s.deliver.give()
	size, err := s.reserve(r, MaxSealed)
	if err != nil {
		s.refuse(w, log, "deliver", start, err)
		return
	}
	defer s.bodies.give(size)
	var node app.Node
	sealed := false
	body, err := readBody(w, r, size, func(head []byte) (err error) {
		switch string(head[:len(magic)]) {
		case magic:
		case sealMagic:
			sealed = true
		default:
			return errorf(app.EINVALID, "Это не пакет Kruzhok: нет заголовка %s или %s", sealMagic, magic)
		}
		// Both headers carry the node's key at the same place.
		if node, err = s.nodeOf(ed25519.PublicKey(head[len(magic) : len(magic)+ed25519.PublicKeySize])); err != nil {
			return err
		}
		if sealed {
			return checkSealedHead(s.seal, head)
		}
		return nil
	})
	if err != nil {
		s.refuse(w, log, "deliver", start, err)
		return
	}
	log = log.With("node", node.ID, "scope", node.Scope, "sealed", sealed)
	frame := body
	if sealed {
		if len(body) > MaxSealed {
			s.refuse(w, log, "deliver", start, errorf(CodeTooLarge, "Пакет больше %d МиБ", MaxCompressed>>20))
			return
		}
		// The plaintext is as long as the body less the header and tag.
		plain := int64(max(len(body)-sealHeaderSize-sealTagSize, 0))
		if !s.bodies.take(r.Context(), plain, s.lim.Wait) {
			s.refuse(w, log, "deliver", start, errBusy{"очередь приёма данных"})
			return
		}
		defer s.bodies.give(plain)
		var pub ed25519.PublicKey
		if pub, frame, err = OpenSealed(s.seal, body); err != nil {
			s.refuse(w, log, "deliver", start, err)
			return
		}
		s.applyFrame(w, r, log, start, frame, func(key ed25519.PublicKey) (app.Node, error) {
			if !key.Equal(pub) {
				return app.Node{}, errorf(app.SCOPE_FORBIDDEN, "Пакет внутри подписан не ключом узла %s, указанным снаружи", node.ID)
			}
			return s.nodeOf(key)
		})
		return
	}
	log.Warn("unsealed batch file delivered: the node should sync online once to seal its files")
	s.applyFrame(w, r, log, start, frame, s.nodeOf)
}

// applyFrame decodes frame, judging its key with nodeOf before a byte is
// decompressed, applies it and answers the results.
func (s *Server) applyFrame(w http.ResponseWriter, r *http.Request, log *slog.Logger, start time.Time,
	frame []byte, nodeOf func(ed25519.PublicKey) (app.Node, error)) {
	var node app.Node
	held := false
	defer func() {
		if held {
			s.decode.give()
		}
	}()
	_, b, err := decodeBatchLimit(frame, MaxBatchJSON, func(pub ed25519.PublicKey) (err error) {
		if node, err = nodeOf(pub); err != nil {
			return err
		}
		if !s.decode.take(r.Context(), s.lim.Wait) {
			return errBusy{"разбор пакетов"}
		}
		held = true
		return nil
	})
	if err != nil {
		s.refuse(w, log, "push", start, err)
		return
	}
	if b.Node != node.ID {
		// A frame names its node in the body, but only the key proves it.
		s.refuse(w, log, "push", start, errorf(app.SCOPE_FORBIDDEN, "Пакет узла %s подписан ключом узла %s", clip(b.Node), node.ID))
		return
	}
	acked, results, needFrom, err := s.db.ApplyRemote(node, b.Ops)
	if err != nil {
		s.refuse(w, log, "push", start, fmt.Errorf("apply batch %d…%d of node %s: %w", b.First, b.Last, node.ID, err))
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

// reserve takes from the byte budget what the body of r may hold: its
// Content-Length, or limit when it has none. Errors: CodeTooLarge, errBusy.
func (s *Server) reserve(r *http.Request, limit int) (int64, error) {
	n := r.ContentLength
	if n > int64(limit) {
		return 0, errorf(CodeTooLarge, "Тело запроса %d байт больше предела %d", n, limit)
	}
	if n < 0 {
		n = int64(limit)
	}
	if !s.bodies.take(r.Context(), n, s.lim.Wait) {
		return 0, errBusy{"очередь приёма данных"}
	}
	return n, nil
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

// readBody reads the request body of at most size bytes (the reservation:
// its Content-Length, or the limit of a chunked one). When head is not nil
// it judges the frame header (the first headerSize bytes) before the rest
// is read or its buffer allocated. Errors: CodeTooLarge, EINVALID when the body breaks off, errSlow,
// and those of head.
func readBody(w http.ResponseWriter, r *http.Request, size int64, head func([]byte) error) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, size)
	buf := make([]byte, 0, min(size, 64<<10))
	if head != nil {
		// Nothing beyond the header is allocated before head accepts it.
		buf = make([]byte, 0, headerSize)
	} else if r.ContentLength >= 0 {
		buf = make([]byte, 0, r.ContentLength)
	}
	fill := func(upto int64) error {
		if upto > size {
			return io.EOF // a reservation short of upto: the body ends before it
		}
		for int64(len(buf)) < upto {
			if len(buf) == cap(buf) {
				buf = slices.Grow(buf, int(min(int64(cap(buf)), size-int64(len(buf)))))
			}
			n, err := body.Read(buf[len(buf):min(cap(buf), int(upto))])
			buf = buf[:len(buf)+n]
			if err != nil {
				return bodyError(r, err, size)
			}
		}
		return nil
	}
	if head != nil {
		if err := fill(int64(headerSize)); err == io.EOF {
			return nil, errorf(app.EINVALID, "Это не пакет Kruzhok: тело короче заголовка")
		} else if err != nil {
			return nil, err
		}
		if err := head(buf[:headerSize]); err != nil {
			return nil, err
		}
		if r.ContentLength > int64(headerSize) && r.ContentLength <= size {
			buf = slices.Grow(buf, int(r.ContentLength)-len(buf))
		}
	}
	err := fill(size)
	if err == nil { // size bytes came: the body must end there
		var one [1]byte
		var n int
		n, err = body.Read(one[:])
		if n > 0 {
			err = errorf(CodeTooLarge, "Тело запроса больше предела %d байт", size)
		} else if err == nil {
			err = io.EOF // a reader may say EOF on the next call; MaxBytesReader reads ahead, so not here
		} else {
			err = bodyError(r, err, size)
		}
	}
	if err != io.EOF {
		return nil, err
	}
	if r.ContentLength >= 0 && int64(len(buf)) != r.ContentLength {
		return nil, errorf(app.EINVALID, "Тело запроса оборвалось: %d байт из %d", len(buf), r.ContentLength)
	}
	return buf, nil
}

// bodyError is what a failed read of a request body answers: io.EOF as
// is, CodeTooLarge, errSlow, or EINVALID for a body that broke off.
func bodyError(r *http.Request, err error, size int64) error {
	var tooBig *http.MaxBytesError
	switch {
	case err == io.EOF:
		return io.EOF
	case errors.As(err, &tooBig):
		return errorf(CodeTooLarge, "Тело запроса больше предела %d байт", size)
	case tooSlow(r, err):
		return errSlow
	}
	return errorf(app.EINVALID, "Тело запроса оборвалось: %v", err)
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
	fail := func(err error) { s.refuse(w, log, "pull", start, err) }
	cursor := r.URL.Query().Get("cursor")
	node, err := s.authPull(r, cursor)
	if err != nil {
		fail(err)
		return
	}
	log = log.With("node", node.ID, "scope", node.Scope, "cursor", logText(cursor))
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
	if !s.pull.take(r.Context(), s.lim.Wait) {
		fail(errBusy{"выдача данных"})
		return
	}
	defer s.pull.give()
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
	page = store.Page{} // the body is all the reply needs while it is written
	w.Header().Set("Content-Type", "application/zstd")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	setWriteDeadline(w, len(body))
	_, _ = w.Write(body)
}

// signedHeaders reads the key, time and signature headers of a request and
// verifies the signature over message(unix) and the time against the
// server's. Errors: CodeUnauthorized.
func (s *Server) signedHeaders(r *http.Request, message func(unix int64) []byte) (ed25519.PublicKey, error) {
	pub, err := hex.DecodeString(r.Header.Get(HeaderKey))
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, errorf(CodeUnauthorized, "Запрос не подписан: нет ключа узла")
	}
	sig, err := hex.DecodeString(r.Header.Get(HeaderSig))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, errorf(CodeUnauthorized, "Запрос не подписан: нет подписи")
	}
	unix, err := strconv.ParseInt(r.Header.Get(HeaderTime), 10, 64)
	if err != nil {
		return nil, errorf(CodeUnauthorized, "Запрос не подписан: нет времени")
	}
	if !ed25519.Verify(pub, message(unix), sig) {
		return nil, errorf(CodeUnauthorized, "Подпись запроса неверна")
	}
	if skew := s.now().Sub(time.Unix(unix, 0)); skew > maxSkew || skew < -maxSkew {
		return nil, errorf(CodeUnauthorized, "Время запроса расходится с временем сервера на %s: больше %s",
			skew.Round(time.Second), maxSkew)
	}
	return pub, nil
}

// authPull verifies the signed headers of a pull and returns the node.
// Errors: CodeUnauthorized.
func (s *Server) authPull(r *http.Request, cursor string) (app.Node, error) {
	pub, err := s.signedHeaders(r, func(unix int64) []byte { return pullMessage(cursor, unix) })
	if err != nil {
		return app.Node{}, err
	}
	return s.nodeOf(pub)
}

// authPush verifies the signed headers of a push, before its body is read,
// and returns the node, its key and the signed hex SHA-256 of the body.
// Errors: CodeUnauthorized.
func (s *Server) authPush(r *http.Request) (app.Node, ed25519.PublicKey, string, error) {
	hash := r.Header.Get(HeaderBody)
	if b, err := hex.DecodeString(hash); err != nil || len(b) != sha256.Size || strings.ToLower(hash) != hash {
		return app.Node{}, nil, "", errorf(CodeUnauthorized, "Запрос не подписан: нет хеша тела (%s); пакет с другой машины доставляют через /v1/deliver", HeaderBody)
	}
	pub, err := s.signedHeaders(r, func(unix int64) []byte { return pushMessage(hash, unix) })
	if err != nil {
		return app.Node{}, nil, "", err
	}
	n, err := s.nodeOf(pub)
	return n, pub, hash, err
}

func (s *Server) handleJoin(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	log := s.log.With("req", "join", "remote", r.RemoteAddr)
	fail := func(err error) { s.refuse(w, log, "join", start, err) }
	size, err := s.reserve(r, maxJSONBody)
	if err != nil {
		fail(err)
		return
	}
	defer s.bodies.give(size)
	data, err := readBody(w, r, size, nil)
	if err != nil {
		fail(err)
		return
	}
	var req joinRequestWire
	if err := json.Unmarshal(data, &req); err != nil {
		fail(errorf(app.EINVALID, "Неверный запрос подключения: %v", err))
		return
	}
	if !validSecret(req.TokenSecret) {
		fail(errorf(app.EINVALID, "Неверный код приглашения: нужно 20 или 32 шестнадцатеричных знака"))
		return
	}
	log = log.With("node", logText(req.Node))
	join := &app.JoinNode{Hash: InviteHash(req.TokenSecret), Node: req.Node, Key: req.Key}
	scope, err := s.rejoin(join)
	if err == nil && scope == "" {
		if _, err = s.db.Exec(join); err == nil {
			scope, err = s.rejoin(join)
		} else {
			err = s.joinRefusal(join, err)
		}
	}
	if err != nil {
		fail(err)
		return
	}
	log.Info("join", "scope", scope, "duration", time.Since(start))
	writeJSON(w, http.StatusOK, joinReplyWire{Scope: scope, Epoch: s.db.Epoch(), SealRecipient: s.recipient()})
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
	writeJSON(w, http.StatusOK, healthWire{Status: "ok", Epoch: s.db.Epoch(), Time: s.now().Unix(), SealRecipient: s.recipient()})
}
