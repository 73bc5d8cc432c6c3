package sync

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"

	"kruzhok/app"
	"kruzhok/store"
)

// Schema is the version of the batch format and of the op payloads inside it
// that this binary writes and accepts. A batch of another schema is refused
// with CodeSchema rather than guessed at.
const Schema = 1

// Limits of what one message may hold (DESIGN.md "Sync protocol (v1)").
const (
	MaxCompressed   = 8 << 20  // compressed bytes of a batch or a page
	MaxDecompressed = 64 << 20 // a page's JSON after decompression
	// MaxBatchJSON is the most a batch's JSON may take decompressed: a month
	// of a provider's marks is ~1 MB; a server holds DecodeSlots of these.
	MaxBatchJSON = 16 << 20
	MaxOps       = store.MaxBatchOps // ops in one batch (5 000)
	// MaxChanges bounds the records of one pull page, so that a page of tiny
	// entries cannot make the decoder allocate far beyond its 64 MiB of JSON.
	MaxChanges = 1_000_000
	maxWindow  = 8 << 20 // zstd window: the encoder never uses more, the decoder refuses more

	magic      = "KRZ1"
	headerSize = len(magic) + ed25519.PublicKeySize + ed25519.SignatureSize
	// MaxFrame is the largest push body or batch file: header and compressed batch.
	MaxFrame = headerSize + MaxCompressed
)

// Batch is a run of consecutive outbox ops of one node, as pushed to the
// server or written to a batch file. Every op's Node is the batch's Node and
// the seqs run First, First+1, …, Last without a gap.
type Batch struct {
	Node   string
	First  uint64
	Last   uint64
	Schema int
	Ops    []app.Op
}

// NewBatch makes the batch of ops (consecutive, of node) at the current schema.
func NewBatch(node string, ops []app.Op) Batch {
	b := Batch{Node: node, Schema: Schema, Ops: ops}
	if len(ops) > 0 {
		b.First, b.Last = ops[0].Seq, ops[len(ops)-1].Seq
	}
	return b
}

// The JSON shapes of docs/SYNC.md. Op identity is (node, seq), so an op
// carries no id of its own and its node is said once per batch.
type wireBatch struct {
	Node   string   `json:"node"`
	First  uint64   `json:"first"`
	Last   uint64   `json:"last"`
	Schema int      `json:"schema"`
	Ops    []wireOp `json:"ops"`
}

type wireOp struct {
	S uint64          `json:"s"`
	H uint64          `json:"h"`
	T string          `json:"t"`
	P json.RawMessage `json:"p"`
}

type wirePage struct {
	Epoch   string       `json:"epoch"`
	Changes []wireChange `json:"changes"`
	Next    uint64       `json:"next"`
	More    bool         `json:"more"`
	Digest  string       `json:"digest,omitempty"`
}

// wireChange is one record of a page; no "v" is its removal from the scope.
type wireChange struct {
	K string          `json:"k"`
	I string          `json:"i"`
	V json.RawMessage `json:"v,omitempty"`
}

func batchToWire(b Batch) wireBatch {
	w := wireBatch{Node: b.Node, First: b.First, Last: b.Last, Schema: b.Schema, Ops: make([]wireOp, len(b.Ops))}
	for i, op := range b.Ops {
		w.Ops[i] = wireOp{S: op.Seq, H: op.HLC, T: op.Type, P: op.Payload}
	}
	return w
}

func batchFromWire(w wireBatch) Batch {
	b := Batch{Node: w.Node, First: w.First, Last: w.Last, Schema: w.Schema, Ops: make([]app.Op, len(w.Ops))}
	for i, op := range w.Ops {
		b.Ops[i] = app.Op{Node: w.Node, Seq: op.S, HLC: op.H, Type: op.T, Payload: []byte(op.P)}
	}
	return b
}

// recordCodec is the version byte that starts every stored record value
// (store/codec.go: one version byte, then the record's JSON). The wire carries
// the JSON inline, so a page stays text that zstd compresses well, and puts
// the byte back on arrival; a value of another codec is refused, not guessed.
const recordCodec = 1

func pageToWire(p store.Page, digest string) (wirePage, error) {
	w := wirePage{Epoch: p.Epoch, Next: p.Next, More: p.More, Changes: make([]wireChange, len(p.Changes))}
	if !p.More {
		w.Digest = digest
	}
	for i, c := range p.Changes {
		w.Changes[i] = wireChange{K: string(c.Kind), I: c.ID}
		if c.Value == nil {
			continue
		}
		if len(c.Value) == 0 || c.Value[0] != recordCodec {
			return wirePage{}, errorf(app.EINTERNAL, "Запись %s/%s хранится в неизвестном формате", c.Kind, clip(c.ID))
		}
		w.Changes[i].V = c.Value[1:]
	}
	return w, nil
}

func pageFromWire(w wirePage) (store.Page, string) {
	p := store.Page{Epoch: w.Epoch, Next: w.Next, More: w.More, Changes: make([]store.Change, len(w.Changes))}
	for i, c := range w.Changes {
		p.Changes[i] = store.Change{Kind: app.Kind(c.K), ID: c.I}
		if !isNull(c.V) {
			p.Changes[i].Value = append([]byte{recordCodec}, c.V...)
		}
	}
	return p, w.Digest
}

func isNull(v json.RawMessage) bool { return len(v) == 0 || string(v) == "null" }

// EncodeBatch checks b and returns its frame: "KRZ1" · public key (32) ·
// signature (64) · zstd(JSON batch), the signature made by priv over the
// compressed bytes. Errors: EINVALID for a malformed batch or key, CodeSchema
// for a batch not at Schema, CodeTooLarge when b has more than MaxOps ops or
// compresses to more than MaxCompressed bytes.
func EncodeBatch(priv ed25519.PrivateKey, b Batch) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, errorf(app.EINVALID, "Неверный ключ узла: %d байт вместо %d", len(priv), ed25519.PrivateKeySize)
	}
	if err := checkBatch(b); err != nil {
		return nil, err
	}
	data, err := marshal(batchToWire(b))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBatchJSON {
		return nil, errorf(CodeTooLarge, "Пакет больше %d МиБ до сжатия", MaxBatchJSON>>20)
	}
	z, err := compress(data)
	if err != nil {
		return nil, err
	}
	frame := make([]byte, 0, headerSize+len(z))
	frame = append(frame, magic...)
	frame = append(frame, priv.Public().(ed25519.PublicKey)...)
	frame = append(frame, ed25519.Sign(priv, z)...)
	return append(frame, z...), nil
}

// DecodeBatch verifies a frame and returns the key that signed it and the
// batch. Everything in it is checked before it is returned: the signature,
// the sizes (compressed, decompressed, op count), the schema, consecutive
// seqs from First to Last, and that every payload is a JSON object. The batch
// is not trusted beyond that: the key says whose it is, the server still
// checks that it names the key's node. Errors: EINVALID, CodeUnauthorized
// (bad signature), CodeTooLarge, CodeSchema.
func DecodeBatch(frame []byte) (ed25519.PublicKey, Batch, error) {
	return decodeBatchLimit(frame, MaxBatchJSON, nil)
}

// decodeBatchLimit is DecodeBatch with a gate: once the signature holds,
// accept judges the key before a byte is decompressed, so that only a
// registered node can make the server spend limit bytes on a batch.
func decodeBatchLimit(frame []byte, limit int, accept func(ed25519.PublicKey) error) (ed25519.PublicKey, Batch, error) {
	if len(frame) < headerSize || string(frame[:len(magic)]) != magic {
		return nil, Batch{}, errorf(app.EINVALID, "Это не пакет Kruzhok: нет заголовка %s", magic)
	}
	if len(frame) > MaxFrame {
		return nil, Batch{}, errorf(CodeTooLarge, "Пакет больше %d МиБ", MaxCompressed>>20)
	}
	pub := ed25519.PublicKey(bytes.Clone(frame[len(magic) : len(magic)+ed25519.PublicKeySize]))
	sig := frame[len(magic)+ed25519.PublicKeySize : headerSize]
	z := frame[headerSize:]
	// The signature is checked first: unsigned bytes never reach the decompressor.
	if !ed25519.Verify(pub, z, sig) {
		return nil, Batch{}, errorf(CodeUnauthorized, "Подпись пакета неверна: пакет повреждён или подделан")
	}
	if accept != nil {
		if err := accept(pub); err != nil {
			return nil, Batch{}, err
		}
	}
	data, err := decompress(z, limit)
	if err != nil {
		return nil, Batch{}, err
	}
	w, err := parseBatch(data)
	if err != nil {
		return nil, Batch{}, err
	}
	b := batchFromWire(w)
	if err := checkBatch(b); err != nil {
		return nil, Batch{}, err
	}
	return pub, b, nil
}

// EncodePage returns the body of a pull reply: zstd(JSON page). The digest is
// sent only on the last page (More == false). Errors: EINVALID for a change of
// unknown kind or a value that is not a JSON object, CodeTooLarge.
func EncodePage(p store.Page, digest string) ([]byte, error) {
	w, err := pageToWire(p, digest)
	if err != nil {
		return nil, err
	}
	if err := checkPage(w); err != nil {
		return nil, err
	}
	data, err := marshal(w)
	if err != nil {
		return nil, err
	}
	return compress(data)
}

// DecodePage checks and decodes a pull reply body and returns the page and,
// on the last page, the server's digest of the scope. A removal comes back
// with a nil Value. Errors: EINVALID, CodeTooLarge.
func DecodePage(body []byte) (store.Page, string, error) {
	if len(body) > MaxCompressed {
		return store.Page{}, "", errorf(CodeTooLarge, "Страница больше %d МиБ", MaxCompressed>>20)
	}
	data, err := decompress(body, MaxDecompressed)
	if err != nil {
		return store.Page{}, "", err
	}
	w, err := parsePage(data)
	if err != nil {
		return store.Page{}, "", err
	}
	if err := checkPage(w); err != nil {
		return store.Page{}, "", err
	}
	p, digest := pageFromWire(w)
	return p, digest, nil
}

// checkBatch holds for every batch that is encoded or accepted.
func checkBatch(b Batch) error {
	switch {
	case b.Schema > Schema:
		return errorf(CodeSchema, "Пакет записан более новой версией Kruzhok (схема %d, эта программа знает %d): обновите программу на этой стороне", b.Schema, Schema)
	case b.Schema != Schema:
		return errorf(CodeSchema, "Пакет записан старой версией Kruzhok (схема %d, нужна %d): обновите программу узла", b.Schema, Schema)
	case !validName(b.Node):
		return errorf(app.EINVALID, "В пакете неверный узел «%s»", clip(b.Node))
	case len(b.Ops) == 0:
		return errorf(app.EINVALID, "Пакет без операций")
	case len(b.Ops) > MaxOps:
		return errorf(CodeTooLarge, "В пакете %d операций, можно не больше %d", len(b.Ops), MaxOps)
	case b.First == 0 || b.First > b.Last || b.Last-b.First != uint64(len(b.Ops)-1):
		return errorf(app.EINVALID, "Номера операций пакета %d…%d не сходятся с их числом %d", b.First, b.Last, len(b.Ops))
	}
	for i, op := range b.Ops {
		switch {
		case op.Seq != b.First+uint64(i):
			return errorf(app.EINVALID, "Операции пакета идут не подряд: №%d на месте №%d", op.Seq, b.First+uint64(i))
		case op.Node != b.Node:
			return errorf(app.EINVALID, "Операция №%d принадлежит другому узлу", op.Seq)
		case !validName(op.Type):
			return errorf(app.EINVALID, "Операция №%d: неверный тип «%s»", op.Seq, clip(op.Type))
		case !isObject(op.Payload):
			return errorf(app.EINVALID, "Операция №%d (%s): данные не являются объектом JSON", op.Seq, op.Type)
		}
	}
	return nil
}

// checkPage holds for every page that is sent or applied.
func checkPage(w wirePage) error {
	if !validName(w.Epoch) {
		return errorf(app.EINVALID, "Страница без эпохи сервера")
	}
	if len(w.Changes) > MaxChanges {
		return errorf(CodeTooLarge, "На странице %d записей, можно не больше %d", len(w.Changes), MaxChanges)
	}
	for _, c := range w.Changes {
		if !slices.Contains(app.Kinds, app.Kind(c.K)) {
			return errorf(app.EINVALID, "Неизвестный вид записи «%s»", clip(c.K))
		}
		if c.I == "" || len(c.I) > 1024 || !utf8.ValidString(c.I) || strings.IndexByte(c.I, 0) >= 0 {
			return errorf(app.EINVALID, "Неверный id записи вида %s", c.K)
		}
		if !isNull(c.V) && !isObject(c.V) {
			return errorf(app.EINVALID, "Запись %s/%s: значение не является объектом JSON", c.K, clip(c.I))
		}
	}
	return nil
}

// validName: a non-empty short printable string (node ids, op types, epochs).
func validName(s string) bool {
	if s == "" || len(s) > 200 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// isObject reports whether b is one JSON object.
func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}

// clip shortens outside text quoted back in a message.
func clip(s string) string { return clipTo(s, 60) }

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("sync: encode %T: %w", v, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}), nil
}

// parseBatch reads the batch JSON token by token, so that a batch with more
// than MaxOps ops is refused before they are all decoded.
func parseBatch(data []byte) (wireBatch, error) {
	var w wireBatch
	seenSchema := false
	err := parseObject(data, func(dec *json.Decoder, key string) error {
		switch key {
		case "node":
			return dec.Decode(&w.Node)
		case "first":
			return dec.Decode(&w.First)
		case "last":
			return dec.Decode(&w.Last)
		case "schema":
			seenSchema = true
			return dec.Decode(&w.Schema)
		case "ops":
			return parseArray(dec, MaxOps, "операций", func() error {
				var op wireOp
				if err := dec.Decode(&op); err != nil {
					return err
				}
				w.Ops = append(w.Ops, op)
				return nil
			})
		}
		return skipValue(dec)
	})
	if err != nil {
		if seenSchema && w.Schema != Schema {
			// The shape changed with the schema: say that, not what broke.
			return w, checkBatch(Batch{Schema: w.Schema})
		}
		return w, err
	}
	return w, nil
}

func parsePage(data []byte) (wirePage, error) {
	var w wirePage
	err := parseObject(data, func(dec *json.Decoder, key string) error {
		switch key {
		case "epoch":
			return dec.Decode(&w.Epoch)
		case "next":
			return dec.Decode(&w.Next)
		case "more":
			return dec.Decode(&w.More)
		case "digest":
			return dec.Decode(&w.Digest)
		case "changes":
			return parseArray(dec, MaxChanges, "записей", func() error {
				var c wireChange
				if err := dec.Decode(&c); err != nil {
					return err
				}
				w.Changes = append(w.Changes, c)
				return nil
			})
		}
		return skipValue(dec)
	})
	return w, err
}

// parseObject walks the one top-level JSON object of data, calling field
// for each key with the decoder positioned at the value. Anything after the
// object is an error.
func parseObject(data []byte, field func(dec *json.Decoder, key string) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return badJSON(err)
		}
		key, ok := t.(string)
		if !ok {
			return errorf(app.EINVALID, "Неверный JSON: ожидался ключ")
		}
		if err := field(dec, key); err != nil {
			var ae *app.Error
			if errors.As(err, &ae) {
				return err
			}
			return badJSON(fmt.Errorf("%s: %w", key, err))
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(app.EINVALID, "Неверный JSON: лишние данные после объекта")
	}
	return nil
}

// parseArray reads a JSON array (or null) of at most max elements.
func parseArray(dec *json.Decoder, max int, what string, elem func() error) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t == nil {
		return nil
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return errorf(app.EINVALID, "Неверный JSON: ожидался список %s", what)
	}
	for n := 0; dec.More(); n++ {
		if n == max {
			return errorf(CodeTooLarge, "Больше %d %s в одном сообщении", max, what)
		}
		if err := elem(); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

func skipValue(dec *json.Decoder) error {
	var skip json.RawMessage
	return dec.Decode(&skip)
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return badJSON(err)
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return errorf(app.EINVALID, "Неверный JSON: ожидался «%c»", want)
	}
	return nil
}

func badJSON(err error) error {
	return errorf(app.EINVALID, "Неверный JSON сообщения: %v", err)
}

// One encoder serves every goroutine: EncodeAll is safe for concurrent use.
// Its window is bounded so that what it writes always fits the decoder's limit.
var encoder = func() *zstd.Encoder {
	e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
		zstd.WithWindowSize(maxWindow))
	if err != nil {
		panic(fmt.Sprintf("sync: zstd encoder: %v", err))
	}
	return e
}()

func compress(data []byte) ([]byte, error) {
	if len(data) > MaxDecompressed {
		return nil, errorf(CodeTooLarge, "Сообщение больше %d МиБ до сжатия", MaxDecompressed>>20)
	}
	z := encoder.EncodeAll(data, make([]byte, 0, len(data)/4+64))
	if len(z) > MaxCompressed {
		return nil, errorf(CodeTooLarge, "Сообщение больше %d МиБ после сжатия", MaxCompressed>>20)
	}
	return z, nil
}

// Decoders read as streams into a buffer that grows up to the limit, so the
// output is cut at the limit whatever the frames claim; DecodeAll would check
// the total only after each frame. A stream decoder serves one reader at a
// time and keeps its window's memory between uses, hence a pool with a fixed
// number of decoders: DecoderPool × (maxWindow + the decoder's blocks) is
// all the memory zstd decoding ever holds in this process. A caller beyond
// DecoderPool waits for one to come back (decompress never holds two).
const DecoderPool = 2

var decoders = func() chan *zstd.Decoder {
	c := make(chan *zstd.Decoder, DecoderPool)
	for range DecoderPool {
		c <- nil // made on first use
	}
	return c
}()

func newDecoder() *zstd.Decoder {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxMemory(MaxDecompressed), zstd.WithDecoderMaxWindow(maxWindow))
	if err != nil {
		panic(fmt.Sprintf("sync: zstd decoder: %v", err))
	}
	return d
}

// decompress returns the content of zstd data of at most limit bytes.
// Errors: EINVALID for data that is not zstd, CodeTooLarge.
func decompress(z []byte, limit int) ([]byte, error) {
	// A first frame that declares its size is judged before any decoding.
	var h zstd.Header
	declared := h.Decode(z) == nil && h.HasFCS
	if declared && h.FrameContentSize > uint64(limit) {
		return nil, errorf(CodeTooLarge, "Данные больше %d МиБ после распаковки", limit>>20)
	}
	d := <-decoders
	if d == nil {
		d = newDecoder()
	}
	defer func() {
		_ = d.Reset(nil) // drop the reference to z before going back to the pool
		decoders <- d
	}()
	if err := d.Reset(bytes.NewReader(z)); err != nil {
		return nil, errorf(app.EINVALID, "Повреждённые сжатые данные: %v", err)
	}
	size := min(4*len(z)+512, limit+1)
	if declared {
		size = int(h.FrameContentSize) + 1 // +1: room to see the end
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			if len(buf) > limit {
				return nil, errorf(CodeTooLarge, "Данные больше %d МиБ после распаковки", limit>>20)
			}
			buf = slices.Grow(buf, min(cap(buf), limit+1-len(buf)))
		}
		n, err := d.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch {
		case err == io.EOF:
			if len(buf) > limit {
				return nil, errorf(CodeTooLarge, "Данные больше %d МиБ после распаковки", limit>>20)
			}
			return buf, nil
		case errors.Is(err, zstd.ErrDecoderSizeExceeded), errors.Is(err, zstd.ErrWindowSizeExceeded):
			return nil, errorf(CodeTooLarge, "Сжатые данные требуют больше памяти, чем позволено: %v", err)
		case err != nil:
			return nil, errorf(app.EINVALID, "Повреждённые сжатые данные: %v", err)
		}
	}
}

// pushReplyWire is the reply of /v1/push, also the body of a gap (409).
// pushReplyWire lists only the ops that were not applied: every op of the
// batch from First up to min(Last, AckedThrough) that is not listed was
// applied. A month of attendance then answers in a few bytes instead of one
// result per op (the reply was three times the size of the push).
type pushReplyWire struct {
	Code         string       `json:"code,omitempty"`
	Message      string       `json:"message,omitempty"`
	AckedThrough uint64       `json:"acked_through"`
	NeedFrom     uint64       `json:"need_from,omitempty"`
	First        uint64       `json:"first,omitempty"`
	Last         uint64       `json:"last,omitempty"`
	Results      []resultWire `json:"results"`
}

// maxReplyRange bounds the applied range a reply may ask the client to expand.
const maxReplyRange = MaxOps

type resultWire struct {
	Seq     uint64 `json:"seq"`
	Status  string `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// PushReply is the server's answer to a batch: the highest seq of the node
// it has decided, the result of every op of the batch it has decided (new or
// stored from an earlier delivery), and, when the batch started beyond the
// ack, NeedFrom: the seq to send from (nothing was applied then).
type PushReply struct {
	AckedThrough uint64
	NeedFrom     uint64
	Results      []store.Result
}

func pushReplyToWire(r PushReply) pushReplyWire {
	w := pushReplyWire{AckedThrough: r.AckedThrough, NeedFrom: r.NeedFrom, Results: []resultWire{}}
	for i, x := range r.Results {
		if i == 0 || x.Seq < w.First {
			w.First = x.Seq
		}
		w.Last = max(w.Last, x.Seq)
		if x.Status != store.StatusApplied {
			x = store.ClipResult(x) // the store clips; results stored before it did are clipped here
			w.Results = append(w.Results, resultWire{Seq: x.Seq, Status: x.Status, Code: x.Code, Message: x.Message, Detail: x.Detail})
		}
	}
	if r.NeedFrom > 0 {
		w.Code = CodeNeedFrom
		w.Message = fmt.Sprintf("Сервер ждёт операции узла с №%d", r.NeedFrom)
	}
	return w
}

// pushReplyFromWire expands the compact reply into one result per op.
func pushReplyFromWire(w pushReplyWire) (PushReply, error) {
	r := PushReply{AckedThrough: w.AckedThrough, NeedFrom: w.NeedFrom}
	listed := make(map[uint64]resultWire, len(w.Results))
	for _, x := range w.Results {
		if x.Seq < w.First || x.Seq > w.Last || x.Status == store.StatusApplied {
			return PushReply{}, errorf(app.EINTERNAL, "Сервер вернул непонятный результат операции №%d (%q)", x.Seq, x.Status)
		}
		listed[x.Seq] = x
	}
	if w.First == 0 {
		if len(w.Results) > 0 {
			return PushReply{}, errorf(app.EINTERNAL, "Ответ сервера без диапазона операций")
		}
		return r, nil
	}
	end := min(w.Last, w.AckedThrough)
	if w.Last < w.First || end >= w.First && end-w.First >= maxReplyRange {
		return PushReply{}, errorf(app.EINTERNAL, "Ответ сервера с неверным диапазоном %d…%d", w.First, w.Last)
	}
	for seq := w.First; seq <= end; seq++ {
		if x, ok := listed[seq]; ok {
			r.Results = append(r.Results, store.ClipResult(store.Result{Seq: x.Seq, Status: x.Status, Code: x.Code, Message: x.Message, Detail: x.Detail}))
		} else {
			r.Results = append(r.Results, store.Result{Seq: seq, Status: store.StatusApplied})
		}
	}
	return r, nil
}

// The join request and reply, and the health reply.
type joinRequestWire struct {
	TokenSecret string `json:"token_secret"`
	Node        string `json:"node"`
	Key         string `json:"key"`
}

// SealRecipient, in both, is the server's key that batch files are sealed
// to (SealKey.Recipient); a server without one leaves it out.
type joinReplyWire struct {
	Scope         string `json:"scope"`
	Epoch         string `json:"epoch"`
	SealRecipient string `json:"seal_recipient,omitempty"`
}

type healthWire struct {
	Status        string `json:"status"`
	Epoch         string `json:"epoch"`
	Time          int64  `json:"time"`
	SealRecipient string `json:"seal_recipient,omitempty"`
}
