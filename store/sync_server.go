package store

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	gosync "sync"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"
	"go.etcd.io/bbolt"

	"kruzhok/app"
)

// Statuses of a Result.
const (
	StatusApplied  = "applied"  // the server ran the op
	StatusRejected = "rejected" // the server refused it with Code; it never blocks later ops
	StatusPending  = "pending"  // a node's own note: the server has not answered yet
)

// Result is the outcome of one op: Status, and for a rejection the error's
// Code, Russian Message and machine-readable Detail (app.Error).
type Result struct {
	Seq                           uint64
	Status, Code, Message, Detail string
}

// MaxBatchOps is the most ops one ApplyRemote takes (docs/SYNC.md, Limits).
const MaxBatchOps = 5000

// Bounds of what a node's ops leave on the server (docs/SYNC.md, Limits):
// a node chooses its payloads, and the domain quotes parts of them back in
// its messages, so nothing of theirs is stored or echoed whole.
const (
	// MaxOpPayload is the largest op payload the server runs and journals. A
	// larger op is rejected TOO_LARGE without being decoded, and the journal
	// keeps its seq, type and size, not its payload.
	MaxOpPayload = 256 << 10
	// MaxBatchPayload bounds the payloads of one ApplyRemote together (the
	// wire's own limit is lower); with MaxOps types, ids and clipped results
	// it keeps a journal value under maxJournalValue, base64 included.
	MaxBatchPayload = 24 << 20
	// MaxResultMessage and MaxResultDetail clip a rejection's Message and
	// Detail (at a rune boundary) before it is stored or answered.
	MaxResultMessage = 300
	MaxResultDetail  = 200
	// maxOpType bounds an op's type; a longer one is refused with the batch.
	maxOpType = 200
)

// maxFullRejections is how many of a node's rejections keep their Message
// and Detail; older ones are compacted to seq, status and code (a var for
// the tests).
var maxFullRejections = 10_000

// compactedMessage is the Message a compacted rejection reads back with.
const compactedMessage = "Подробности отказа не хранятся: сервер хранит их для последних 10 000 отказов узла"

// journalEntry is a journal value: one push batch of a node as the server
// ran it, with who, when, each op as sent (Ops) and the results that were
// not "applied" (RULES.md §10: every change attributable). Its key is the
// journal number of its first op; the ops after it take the numbers that
// follow. A value without Ops is an entry of one op with its Result, the form
// before batches, still read from databases that have it.
type journalEntry struct {
	Node    string
	Time    time.Time
	Ops     []journalOp
	Results []Result `json:",omitempty"` // the rejections, by seq; any other op was applied

	// One op with its result: the form before batches.
	Seq     uint64
	HLC     uint64
	Type    string
	Payload json.RawMessage `json:",omitempty"`
	Raw     []byte          `json:",omitempty"`
	Result  Result
}

// journalOp is one op of a journal batch.
type journalOp struct {
	Seq     uint64
	HLC     uint64
	Type    string
	Payload json.RawMessage `json:",omitempty"`
	Raw     []byte          `json:",omitempty"` // a payload that is not JSON, as sent
	Cut     int             `json:",omitempty"` // the size of a payload over MaxOpPayload, not kept
}

// A journal batch is stored as two zstd frames of its encoded form, the
// ops' (compressJournalOps) and the end's (compressJournalEnd), which a
// decoder reads as one content: a month of marks is some 900 KB of JSON that
// compresses twentyfold, and the bytes a batch writes are what its commit
// waits for. A value that starts with codecVersion is stored plain (entries
// of one op, before batches).
const (
	journalWindow    = 1 << 20  // zstd window the encoder uses
	maxJournalWindow = 8 << 20  // zstd window the decoder accepts
	maxJournalValue  = 64 << 20 // the decoded size of a batch: a push's own limit
)

// maxJournalOpsBytes bounds the encoded ops of a journal batch and
// maxJournalEnd its results, so that a value written always reads back.
const (
	maxJournalOpsBytes = maxJournalValue - maxJournalEnd
	maxJournalEnd      = MaxBatchOps * (64 + 6*(MaxResultMessage+MaxResultDetail+maxOpType) + 20)
)

// journalZ compresses journal batches, one at a time, keeping the buffer of
// the encoded batch from one to the next.
var journalZ struct {
	gosync.Mutex
	enc     *zstd.Encoder
	scratch []byte
}

// journalEncoder is journalZ's encoder, made on first use.
func journalEncoder() (*zstd.Encoder, error) {
	if journalZ.enc == nil {
		e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest),
			zstd.WithWindowSize(journalWindow), zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("store: zstd encoder: %w", err)
		}
		journalZ.enc = e
	}
	return journalZ.enc, nil
}

// compressJournalOps is the first frame of a journal batch: its node, time
// and ops.
func compressJournalOps(node string, ops []journalOp, now time.Time) ([]byte, error) {
	journalZ.Lock()
	defer journalZ.Unlock()
	enc, err := journalEncoder()
	if err != nil {
		return nil, err
	}
	journalZ.scratch = encodeJournalOps(journalZ.scratch[:0], node, ops, now)
	b := journalZ.scratch
	if len(b) > maxJournalOpsBytes {
		// ApplyRemote's limits keep a batch below this; a value over it would
		// not read back (decompressJournal), so it is never written.
		return nil, fmt.Errorf("store: journal of %d ops is %d bytes, over %d", len(ops), len(b), maxJournalOpsBytes)
	}
	if cap(b) > 2*maxJournalOpsBytes/8 {
		journalZ.scratch = nil // one huge batch does not pin its buffer
	}
	return enc.EncodeAll(b, make([]byte, 0, len(b)/8+64)), nil
}

// compressJournalEnd appends to z the last frame of a journal batch: the
// results that are not "applied", and the batch's closing brace.
func compressJournalEnd(z []byte, rs []Result) ([]byte, error) {
	journalZ.Lock()
	defer journalZ.Unlock()
	enc, err := journalEncoder()
	if err != nil {
		return nil, err
	}
	end := encodeJournalEnd(nil, rs)
	if len(end) > maxJournalEnd {
		return nil, fmt.Errorf("store: journal results of %d ops are %d bytes, over %d", len(rs), len(end), maxJournalEnd)
	}
	return enc.EncodeAll(end, z), nil
}

var journalDecoder = func() *zstd.Decoder {
	// DecodeAll reads concatenated frames (a batch's ops and its end) as one.
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderMaxMemory(maxJournalValue), zstd.WithDecoderMaxWindow(maxJournalWindow))
	if err != nil {
		panic(fmt.Sprintf("store: zstd decoder: %v", err))
	}
	return d
}()

// journalMu serialises the use of journalDecoder: DecodeAll with concurrency 1
// is not safe for concurrent use.
var journalMu gosync.Mutex

// decompressJournal returns the encoded form of a journal value.
func decompressJournal(v []byte) ([]byte, error) {
	if len(v) == 0 || v[0] == codecVersion {
		return v, nil
	}
	journalMu.Lock()
	defer journalMu.Unlock()
	b, err := journalDecoder.DecodeAll(v, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: zstd: %v", errCodec, err)
	}
	if len(b) > maxJournalValue {
		return nil, fmt.Errorf("%w: a journal value of %d bytes", errCodec, len(b))
	}
	return b, nil
}

// journalOps decodes a journal value into its entries, numbered from first.
func journalOps(v []byte) ([]JournalEntry, error) {
	v, err := decompressJournal(v)
	if err != nil {
		return nil, err
	}
	var e journalEntry
	if err := decode(v, &e); err != nil {
		return nil, err
	}
	if e.Ops == nil { // the form before batches
		if e.Result.Seq != e.Seq {
			return nil, fmt.Errorf("%w: the journal entry of op %d holds the result of op %d", errCodec, e.Seq, e.Result.Seq)
		}
		p := []byte(e.Payload)
		if len(p) == 0 {
			p = e.Raw
		}
		return []JournalEntry{{Op: app.Op{Node: e.Node, Seq: e.Seq, HLC: e.HLC, Type: e.Type,
			Payload: bytes.Clone(p)}, Time: e.Time, Result: e.Result}}, nil
	}
	out := make([]JournalEntry, len(e.Ops))
	rej := e.Results
	for i, o := range e.Ops {
		p := []byte(o.Payload)
		if len(p) == 0 {
			p = o.Raw
		}
		r := Result{Seq: o.Seq, Status: StatusApplied}
		if len(rej) > 0 && rej[0].Seq == o.Seq {
			r, rej = rej[0], rej[1:]
		}
		out[i] = JournalEntry{Op: app.Op{Node: e.Node, Seq: o.Seq, HLC: o.HLC, Type: o.Type,
			Payload: bytes.Clone(p)}, Time: e.Time, Result: r, Cut: o.Cut}
	}
	if len(rej) > 0 {
		return nil, fmt.Errorf("a result of op %d, which the batch does not hold", rej[0].Seq)
	}
	return out, nil
}

// commandDecoder rebuilds the command of an op on the server and in Rebase;
// the tests widen it to their own commands.
var commandDecoder = DecodeCommand

// NodeByKey returns the joined node whose ed25519 public key is pub. Errors:
// EINVALID for a key that is not 32 bytes, ENOTFOUND for a key no node has,
// SCOPE_FORBIDDEN for a node whose status is not "active" (revoked).
func (db *DB) NodeByKey(pub ed25519.PublicKey) (app.Node, error) {
	if len(pub) != ed25519.PublicKeySize {
		return app.Node{}, app.Errorf(app.EINVALID, "Неверный ключ узла: %d байт вместо %d", len(pub), ed25519.PublicKeySize)
	}
	key := hex.EncodeToString(pub)
	var found []app.Node
	err := db.View(func(r app.Reader) (err error) {
		found, err = app.List[app.Node](r, "key", key, 2)
		return err
	})
	if err != nil {
		return app.Node{}, err
	}
	for _, n := range found {
		if n.Key != key {
			continue
		}
		if err := activeNode(n); err != nil {
			return app.Node{}, err
		}
		return n, nil
	}
	return app.Node{}, app.Errorf(app.ENOTFOUND, "Узел с таким ключом не подключён к серверу")
}

func activeNode(n app.Node) error {
	if n.Status != "active" {
		return app.Errorf(app.SCOPE_FORBIDDEN, "Узел %s отключён от сервера", n.ID)
	}
	return nil
}

// Acked is the highest seq of node that the server has applied or rejected;
// 0 for a node that has pushed nothing.
func (db *DB) Acked(node string) (uint64, error) {
	var n uint64
	err := db.bolt.View(func(tx *bbolt.Tx) (err error) {
		n, err = loadAcked(tx, node)
		return err
	})
	return n, err
}

func loadAcked(tx *bbolt.Tx, node string) (uint64, error) {
	v := tx.Bucket(bucketAcked).Get([]byte(node))
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("store: acked %q is %d bytes, want 8", node, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// ApplyRemote applies the ops of node n in one bbolt transaction, in seq
// order, each as the server's own decision: store.DecodeCommand, then
// app.Authorize against n's scope, then Apply with Meta{Node: n.ID, Today: the
// server's date, Authority: true, Scope: n's scope}.
//
// n is taken from the node registry again inside the transaction (by n.ID),
// so a node revoked meanwhile is refused and its stored scope, not the
// caller's copy, decides. The ops must be n's (op.Node == n.ID), at most
// MaxBatchOps, with strictly consecutive seqs from 1 up; else EINVALID and
// nothing happens.
//
// Ops at or below the node's acked seq return their stored results and run
// no second time. If the first op is above acked+1, needFrom is acked+1 and
// nothing is applied. An op that fails to decode, is not the node's to issue
// or fails with a domain error is a rejected Result (Code, Message, Detail of
// its *app.Error; a panic inside Apply is INTERNAL) and the next op runs. The
// one exception is the savepoint rule (docs/SYNC.md): an op that fails after
// it has written something, or fails with an error that is not an *app.Error
// (storage), aborts the whole batch with an EINTERNAL error whose Detail names
// the op; nothing is committed, and the node retries.
//
// Each new op's result is stored (results), the op with its result and time
// goes to the journal, and acked moves to the last op of the batch. The
// returned results cover every op of the batch, in order.
//
// Errors besides those: ENOTFOUND for an unknown node, SCOPE_FORBIDDEN for a
// revoked one, EINVALID on a database that is not an authority.
func (db *DB) ApplyRemote(n app.Node, ops []app.Op) (acked uint64, results []Result, needFrom uint64, err error) {
	if err := checkBatch(n, ops); err != nil {
		return 0, nil, 0, err
	}
	err = db.bolt.Update(func(tx *bbolt.Tx) error {
		acked, results, needFrom = 0, nil, 0
		meta := tx.Bucket(bucketMeta)
		if _, authority := readScope(meta); !authority {
			return app.Errorf(app.EINVALID, "Операции узлов применяет только сервер")
		}
		stored, err := app.Get[app.Node](readView(tx), n.ID)
		if app.ErrorCode(err) == app.ENOTFOUND {
			return app.Errorf(app.ENOTFOUND, "Узел %s не подключён к серверу", n.ID)
		} else if err != nil {
			return err
		}
		if err := activeNode(stored); err != nil {
			return err
		}
		if acked, err = loadAcked(tx, n.ID); err != nil {
			return err
		}
		if len(ops) == 0 {
			return nil
		}
		if ops[0].Seq > acked+1 {
			needFrom = acked + 1
			return nil
		}
		now := db.now()
		m := app.Meta{Node: n.ID, Today: app.DateOf(now), Authority: true, Scope: stored.Scope, Time: now.Unix()}
		w := &writes{feed: true, cache: newLoadCache(), back: newWriteBack()}
		view := txView{tx: tx, w: w}
		rb := tx.Bucket(bucketResults)
		results = make([]Result, 0, len(ops))
		first := 0 // the first op that runs now
		for first < len(ops) && ops[first].Seq <= acked {
			first++
		}
		var pre *prepared
		var erased []string // children whose personal data an applied erase_child removed
		rejections := 0
		if first < len(ops) {
			pre = prepare(n.ID, ops[first:], now)
		}
		for i, op := range ops {
			if op.Seq <= acked {
				r, err := storedResult(rb, n.ID, op.Seq)
				if err != nil {
					return err
				}
				results = append(results, r)
				continue
			}
			w.n = 0
			w.back.begin()
			cmd, derr := pre.command(i - first)
			r, keep, err := applyRemoteOp(view, m, op, cmd, derr)
			if err != nil {
				return err
			}
			if r.Status != StatusApplied {
				rejections++
				w.back.revert(w.cache)
				// What the refusal itself must leave behind (an alert, a
				// count of wrong codes), once the op's own writes are undone.
				for _, rec := range keep {
					if err := view.Put(rec); err != nil {
						return err
					}
				}
				if err := putv(tx, rb, bucketResults, resultKey(n.ID, op.Seq), encodeResult(r)); err != nil {
					return fmt.Errorf("store: result %s/%d: %w", n.ID, op.Seq, err)
				}
			}
			if r.Status == StatusApplied {
				if child := erasedChild(cmd); child != "" {
					erased = append(erased, child)
				}
			}
			acked = op.Seq
			results = append(results, r)
		}
		if err := w.back.flush(view); err != nil {
			return err
		}
		if rejections > 0 {
			if err := compactResults(rb, n.ID, acked); err != nil {
				return err
			}
		}
		if pre != nil {
			if err := appendJournal(tx.Bucket(bucketJournal), pre, results[first:]); err != nil {
				return err
			}
		}
		// After the batch is journaled, so that a register_child and the
		// erase_child of one batch leave no name either (store/erase.go).
		for _, child := range erased {
			if err := scrubAfterExec(tx, true, child); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketAcked).Put([]byte(n.ID), u64(acked))
	})
	if err != nil {
		return 0, nil, 0, err
	}
	return acked, results, needFrom, nil
}

// checkBatch is what ApplyRemote can check before it opens a transaction.
func checkBatch(n app.Node, ops []app.Op) error {
	if n.ID == "" || strings.IndexByte(n.ID, 0) >= 0 || len(n.ID) > maxID {
		return app.Errorf(app.EINVALID, "Неверный идентификатор узла")
	}
	if len(ops) > MaxBatchOps {
		return app.Errorf(app.EINVALID, "В пакете %d операций, допускается не больше %d", len(ops), MaxBatchOps)
	}
	total := 0
	for i, op := range ops {
		total += min(len(op.Payload), MaxOpPayload+1)
		if total > MaxBatchPayload {
			return app.Errorf(app.TOO_LARGE, "Данные операций пакета больше %d МиБ", MaxBatchPayload>>20)
		}
		if op.Type == "" || len(op.Type) > maxOpType || !utf8.ValidString(op.Type) {
			return app.Errorf(app.EINVALID, "Операция %d: неверный тип", op.Seq)
		}
		if op.Node != n.ID {
			return app.Errorf(app.EINVALID, "Операция %d принадлежит узлу «%s», а не отправителю %s", op.Seq, ClipText(op.Node, 60), n.ID)
		}
		if op.Seq == 0 || i > 0 && op.Seq != ops[i-1].Seq+1 {
			return app.Errorf(app.EINVALID, "Номера операций в пакете идут не подряд: %d после %d", op.Seq, ops[max(i-1, 0)].Seq)
		}
	}
	return nil
}

// applyRemoteOp runs one new op of a node, decoded as cmd (or failed to
// decode with derr), through view and returns its result, and for a refusal
// the records the refusal keeps (app.Error.Keep); an error aborts the batch.
// A command is bounded (app.CheckBounds), then judged by the authorization
// table (app.Authorize) from the server's state, then applied.
func applyRemoteOp(view txView, m app.Meta, op app.Op, cmd app.Command, derr error) (Result, []app.Record, error) {
	if derr != nil {
		return rejected(op.Seq, derr), nil, nil
	}
	err := app.CheckBounds(cmd)
	if err == nil {
		err = authorizeSafe(view, m, cmd)
	}
	if err == nil {
		err = applySafe(cmd, view, m)
	}
	var ae *app.Error
	switch {
	case err == nil:
		return Result{Seq: op.Seq, Status: StatusApplied}, nil, nil
	case errors.As(err, &ae) && view.w.n == 0:
		return rejected(op.Seq, err), ae.Keep, nil
	}
	return Result{}, nil, &app.Error{Code: app.EINTERNAL,
		Message: fmt.Sprintf("Операция №%d (%s) узла %s прервана после записи: пакет не применён, узел повторит его", op.Seq, op.Type, op.Node),
		Detail:  fmt.Sprintf("seq=%d op=%s writes=%d code=%s cause=%v", op.Seq, op.Type, view.w.n, app.ErrorCode(err), err)}
}

// authorizeSafe runs app.Authorize, turning a panic into an EINTERNAL error.
func authorizeSafe(r app.Reader, m app.Meta, cmd app.Command) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = app.Errorf(app.EINTERNAL, "Сбой проверки прав для %s: %v", cmd.Op(), p)
		}
	}()
	return app.Authorize(r, m, cmd)
}

// rejected is the result of an op refused with err, its Message and Detail
// clipped: the domain may quote what the node sent.
func rejected(seq uint64, err error) Result {
	r := Result{Seq: seq, Status: StatusRejected, Code: app.ErrorCode(err), Message: app.ErrorMessage(err)}
	var ae *app.Error
	if errors.As(err, &ae) {
		r.Detail = ae.Detail
	}
	return ClipResult(r)
}

// ClipResult is r with Code, Message and Detail cut to their limits
// (MaxResultMessage, MaxResultDetail; a code to 64 bytes).
func ClipResult(r Result) Result {
	r.Code = ClipText(r.Code, 64)
	r.Message = ClipText(r.Message, MaxResultMessage)
	r.Detail = ClipText(r.Detail, MaxResultDetail)
	return r
}

// ClipText is s cut to at most n bytes at a rune boundary, ending in "…"
// when cut; invalid UTF-8 becomes U+FFFD first, so the result is valid.
func ClipText(s string, n int) string {
	if len(s) <= n && utf8.ValidString(s) {
		return s
	}
	if len(s) > 4*n+4 {
		s = s[:4*n+4] // ToValidUTF8 need not see what is cut anyway
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	const ell = "…"
	i := max(n-len(ell), 0)
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + ell
}

// storedResult is the result of op seq of node, at or below its acked seq:
// the stored rejection, or "applied" when none is stored (an applied op keeps
// no result of its own; its batch in the journal has it).
func storedResult(rb *bbolt.Bucket, node string, seq uint64) (Result, error) {
	v, err := openv(rb.Tx(), bucketResults, resultKey(node, seq), rb.Get(resultKey(node, seq)))
	if err != nil {
		return Result{}, err
	}
	if v == nil {
		return Result{Seq: seq, Status: StatusApplied}, nil
	}
	var r Result
	if err := decode(v, &r); err != nil {
		return Result{}, fmt.Errorf("store: result %s/%d: %w", node, seq, err)
	}
	if r.Status == StatusRejected && r.Message == "" {
		r.Message = compactedMessage
	}
	return ClipResult(r), nil // results stored before the clip was made
}

// compactedTail is how a compacted result's stored value ends.
var compactedTail = []byte(`,"Message":"","Detail":""}`)

// compactResults keeps the Message and Detail of node's newest
// maxFullRejections stored rejections (at or below through) and cuts the
// older ones to seq, status and code: a node may be refused without end, and
// only these two are long. Compacted ones are the oldest, so the walk back
// from the newest stops at the first it meets; it visits at most the kept
// ones and those it compacts now.
func compactResults(rb *bbolt.Bucket, node string, through uint64) error {
	prefix := resultKey(node, 0)
	prefix = prefix[:len(prefix)-8]
	c := rb.Cursor()
	k, v := c.Seek(resultKey(node, through+1))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	full := 0
	var cut [][]byte
	for ; k != nil && len(k) == len(prefix)+8 && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		v, err := openv(rb.Tx(), bucketResults, k, v)
		if err != nil {
			return err
		}
		if bytes.HasSuffix(v, compactedTail) {
			break
		}
		if full++; full > maxFullRejections {
			cut = append(cut, bytes.Clone(k))
		}
	}
	for _, k := range cut {
		var r Result
		v, err := openv(rb.Tx(), bucketResults, k, rb.Get(k))
		if err != nil {
			return err
		}
		if err := decode(v, &r); err != nil {
			return fmt.Errorf("store: result %s/%x: %w", node, k[len(prefix):], err)
		}
		if err := putv(rb.Tx(), rb, bucketResults, k, encodeResult(Result{Seq: r.Seq, Status: r.Status, Code: r.Code})); err != nil {
			return fmt.Errorf("store: compact result %s/%d: %w", node, r.Seq, err)
		}
	}
	return nil
}

// journalOpOf is op as the journal keeps it: a payload that is JSON (known
// to be when it decoded as a command) as is, any other in Raw.
func journalOpOf(op app.Op, isJSON bool) journalOp {
	o := journalOp{Seq: op.Seq, HLC: op.HLC, Type: op.Type}
	switch {
	case len(op.Payload) > MaxOpPayload:
		o.Cut = len(op.Payload)
	case len(op.Payload) == 0:
	case isJSON || json.Valid(op.Payload):
		o.Payload = op.Payload
	default:
		o.Raw = op.Payload
	}
	return o
}

// appendJournal adds the ops that one ApplyRemote ran (pre), with their
// results rs (in the same order), as one journal entry.
func appendJournal(jb *bbolt.Bucket, pre *prepared, rs []Result) error {
	first := jb.Sequence() + 1
	if err := jb.SetSequence(first + uint64(len(rs)) - 1); err != nil {
		return fmt.Errorf("store: journal sequence: %w", err)
	}
	z, err := pre.journal(rs)
	if err != nil {
		return err
	}
	if err := putv(jb.Tx(), jb, bucketJournal, u64(first), z); err != nil {
		return fmt.Errorf("store: journal: %w", err)
	}
	return nil
}

// JournalEntry is one op of a node as the server ran it, for an audit.
type JournalEntry struct {
	Op     app.Op
	Time   time.Time
	Result Result
	Cut    int // the size of a payload over MaxOpPayload, which was not kept
}

// Journal returns up to limit entries (all if limit ≤ 0) of the server's
// journal of node ops, oldest first, from entry number from (1 = the first).
func (db *DB) Journal(from uint64, limit int) ([]JournalEntry, error) {
	var out []JournalEntry
	err := db.bolt.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketJournal).Cursor()
		// The batch holding entry from starts at or before it.
		k, v := c.Seek(u64(from))
		if k == nil || binary.BigEndian.Uint64(k) > from {
			if k, v = c.Prev(); k == nil {
				k, v = c.First()
			}
		}
		for ; k != nil; k, v = c.Next() {
			if len(k) != 8 {
				return fmt.Errorf("store: journal key %x is not 8 bytes", k)
			}
			v, err := openv(tx, bucketJournal, k, v)
			if err != nil {
				return err
			}
			es, err := journalOps(v)
			if err != nil {
				return fmt.Errorf("store: journal %x: %w", k, err)
			}
			for i, e := range es {
				if binary.BigEndian.Uint64(k)+uint64(i) < from {
					continue
				}
				if limit > 0 && len(out) >= limit {
					return nil
				}
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// encodeResult writes what encode(r) would, by hand: one result per op is on
// the hot path of ApplyRemote, as is encodeJournal.
func encodeResult(r Result) []byte {
	return appendResult(append(make([]byte, 0, 64+len(r.Message)+len(r.Detail)), codecVersion), r)
}

func appendResult(b []byte, r Result) []byte {
	b = strconv.AppendUint(append(b, `{"Seq":`...), r.Seq, 10)
	b = appendJSONString(append(b, `,"Status":`...), r.Status)
	b = appendJSONString(append(b, `,"Code":`...), r.Code)
	b = appendJSONString(append(b, `,"Message":`...), r.Message)
	b = appendJSONString(append(b, `,"Detail":`...), r.Detail)
	return append(b, '}')
}

// encodeJournalOps appends to b the encoded form of a journal batch of ops of
// node run at now up to its ops (encodeJournalEnd writes the rest): by hand,
// as encode would write it, since every batch a server takes goes through it.
func encodeJournalOps(b []byte, node string, ops []journalOp, now time.Time) []byte {
	b = append(b, codecVersion)
	b = appendJSONString(append(b, `{"Node":`...), node)
	b = append(b, `,"Time":"`...)
	b = now.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","Ops":[`...)
	for i, op := range ops {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(append(b, `{"Seq":`...), op.Seq, 10)
		b = strconv.AppendUint(append(b, `,"HLC":`...), op.HLC, 10)
		b = appendJSONString(append(b, `,"Type":`...), op.Type)
		if len(op.Payload) > 0 {
			b = append(append(b, `,"Payload":`...), op.Payload...)
		}
		if len(op.Raw) > 0 {
			b = append(append(b, `,"Raw":"`...), base64.StdEncoding.EncodeToString(op.Raw)...)
			b = append(b, '"')
		}
		if op.Cut > 0 {
			b = strconv.AppendInt(append(b, `,"Cut":`...), int64(op.Cut), 10)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// encodeJournalEnd appends the end of a journal batch whose ops have the
// results rs: the ones that are not "applied", and the closing brace.
func encodeJournalEnd(b []byte, rs []Result) []byte {
	n := 0
	for _, r := range rs {
		if r.Status == StatusApplied {
			continue
		}
		if n == 0 {
			b = append(b, `,"Results":[`...)
		} else {
			b = append(b, ',')
		}
		b = appendResult(b, r)
		n++
	}
	if n > 0 {
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	plain := utf8.ValidString(s)
	for i := 0; plain && i < len(s); i++ {
		plain = s[i] >= 0x20 && s[i] != '"' && s[i] != '\\'
	}
	if plain && !strings.ContainsAny(s, "\u2028\u2029") {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
