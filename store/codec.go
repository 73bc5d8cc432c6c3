package store

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"kruzhok/app"
)

// Every stored value (records and ops) is one version byte followed by the
// JSON of the value. A new encoding gets a new version byte; decode refuses a
// version it does not know instead of guessing.
const codecVersion byte = 1

// errCodec marks every decoding failure of a stored value.
var errCodec = errors.New("store: undecodable value")

// encode returns the stored form of v.
func encode(v any) ([]byte, error) {
	if l, ok := v.(app.Lesson); ok {
		if b, ok := appendLesson(append(make([]byte, 0, 160+32*len(l.Marks)), codecVersion), l); ok {
			return b, nil
		}
	}
	var buf bytes.Buffer
	buf.WriteByte(codecVersion)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("store: encode %T: %w", v, err)
	}
	b := buf.Bytes()
	return b[:len(b)-1], nil // Encode adds a newline
}

// decode fills v (a pointer) from the stored form b. It never keeps b.
func decode(b []byte, v any) error {
	if len(b) == 0 {
		return fmt.Errorf("%w: пустое значение (empty value)", errCodec)
	}
	if b[0] != codecVersion {
		return fmt.Errorf("%w: неизвестная версия кодека %d, эта программа знает %d (unknown codec version)",
			errCodec, b[0], codecVersion)
	}
	if p, ok := v.(*app.Lesson); ok && p.ID == "" && reflect.ValueOf(*p).IsZero() {
		if l, ok := readLesson(b[1:]); ok {
			*p = l
			return nil
		}
	}
	if readCanon(b[1:], v) {
		return nil
	}
	if err := json.Unmarshal(b[1:], v); err != nil {
		return fmt.Errorf("%w: %T: %v", errCodec, v, err)
	}
	return nil
}

// decodeRecord decodes the stored form of a record of kind into a fresh value.
func decodeRecord(kind app.Kind, b []byte) (app.Record, error) {
	rec, ok := newRecord(kind)
	if !ok {
		return nil, fmt.Errorf("%w: неизвестный вид записи %q (unknown kind)", errCodec, kind)
	}
	if err := decode(b, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// storedOp is an app.Op as the outbox keeps it: the payload stays JSON
// instead of becoming base64 inside JSON.
type storedOp struct {
	Node    string
	Seq     uint64
	HLC     uint64
	Type    string
	Payload json.RawMessage
}

// encodeOp writes what encode(storedOp) would, by hand: ops are the hot
// path of every write, and the generic encoder would compact the payload a
// second time.
func encodeOp(op app.Op) ([]byte, error) {
	if !json.Valid(op.Payload) {
		return nil, fmt.Errorf("store: payload of op %s is not JSON", op.Type)
	}
	return encodeValidOp(op)
}

// encodeValidOp is encodeOp of an op whose payload is known to be JSON: exec's
// own, just made by EncodeCommand, spared a second scan of every payload.
func encodeValidOp(op app.Op) ([]byte, error) {
	node, err := json.Marshal(op.Node)
	if err != nil {
		return nil, err
	}
	typ, err := json.Marshal(op.Type)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 64+len(node)+len(typ)+len(op.Payload))
	b = append(b, codecVersion)
	b = append(append(b, `{"Node":`...), node...)
	b = strconv.AppendUint(append(b, `,"Seq":`...), op.Seq, 10)
	b = strconv.AppendUint(append(b, `,"HLC":`...), op.HLC, 10)
	b = append(append(b, `,"Type":`...), typ...)
	b = append(append(b, `,"Payload":`...), op.Payload...)
	return append(b, '}'), nil
}

func decodeOp(b []byte) (app.Op, error) {
	var s storedOp
	if err := decode(b, &s); err != nil {
		return app.Op{}, err
	}
	if s.Type == "" || len(s.Payload) == 0 {
		return app.Op{}, fmt.Errorf("%w: операция без типа или данных (op without type or payload)", errCodec)
	}
	// RawMessage.UnmarshalJSON copies, so the payload does not alias b.
	return app.Op{Node: s.Node, Seq: s.Seq, HLC: s.HLC, Type: s.Type, Payload: s.Payload}, nil
}

// EncodeCommand returns the op payload of cmd: the JSON of the command.
func EncodeCommand(cmd app.Command) ([]byte, error) {
	if cmd == nil {
		return nil, app.Errorf(app.EINVALID, "Пустая команда")
	}
	b, err := json.Marshal(cmd)
	if err != nil {
		return nil, fmt.Errorf("store: encode command %s: %w", cmd.Op(), err)
	}
	return b, nil
}

// DecodeCommand rebuilds the command of an op from its type and payload. An
// unknown type, a payload that is not one JSON value of the command, or a
// field the command does not have is EINVALID: payloads come from other nodes.
func DecodeCommand(op string, payload []byte) (app.Command, error) {
	if op == "mark_attendance" {
		if m, ok := readMarkAttendance(payload); ok {
			return m, nil
		}
	}
	cmd, ok := app.NewCommand(op)
	if !ok {
		return nil, app.Errorf(app.EINVALID, "Неизвестный тип операции «%s»", op)
	}
	// A command registered as a value is decoded through a pointer to a copy.
	target := reflect.ValueOf(cmd)
	byValue := target.Kind() != reflect.Pointer
	if byValue {
		p := reflect.New(target.Type())
		p.Elem().Set(target)
		target = p
	} else if target.IsNil() {
		return nil, fmt.Errorf("store: app.NewCommand(%q) returned a nil pointer", op)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(target.Interface()); err != nil {
		return nil, app.Errorf(app.EINVALID, "Неверные данные операции «%s»: %v", op, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, app.Errorf(app.EINVALID, "Неверные данные операции «%s»: лишние данные после команды", op)
	}
	if byValue {
		return target.Elem().Interface().(app.Command), nil
	}
	return target.Interface().(app.Command), nil
}

// The lesson and the mark_attendance command are the hot path of a node's
// push (every attendance mark decodes one and rewrites the other), so they
// have hand-written codecs beside the generic one. They write exactly the
// bytes encode would and read only that canonical form (fields in order, no
// white space, strings without escapes); anything else goes to encoding/json,
// so what they accept and how they fill a value is what the generic codec does.

// appendLesson appends the JSON of l as encode would write it, or returns
// false when a string needs escaping (encode then does it).
func appendLesson(b []byte, l app.Lesson) ([]byte, bool) {
	for _, s := range [...]string{l.ID, l.Group, l.Provider} {
		if !rawString(s) {
			return b, false
		}
	}
	b = append(append(append(b, `{"ID":"`...), l.ID...), '"')
	b = append(append(append(b, `,"Group":"`...), l.Group...), '"')
	b = append(append(append(b, `,"Provider":"`...), l.Provider...), '"')
	b = strconv.AppendInt(append(b, `,"Date":`...), int64(l.Date), 10)
	b = strconv.AppendInt(append(b, `,"Start":`...), int64(l.Start), 10)
	b = strconv.AppendBool(append(b, `,"Extra":`...), l.Extra)
	b = strconv.AppendBool(append(b, `,"Cancelled":`...), l.Cancelled)
	b = append(b, `,"Marks":`...)
	if l.Marks == nil {
		return append(b, "null}"...), true
	}
	type mark struct{ child, mark string }
	marks := make([]mark, 0, len(l.Marks))
	for k, v := range l.Marks {
		if !rawString(k) || !rawString(v) {
			return b, false
		}
		marks = append(marks, mark{k, v})
	}
	slices.SortFunc(marks, func(x, y mark) int { return strings.Compare(x.child, y.child) })
	b = append(b, '{')
	for i, m := range marks {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), m.child...), `":"`...)
		b = append(append(b, m.mark...), '"')
	}
	return append(b, "}}"...), true
}

// rawString reports whether encoding/json (HTML escaping off) writes s as
// itself in quotes, and reads it back so.
func rawString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return utf8.ValidString(s) && !strings.ContainsAny(s, "\u2028\u2029") && plainRest(s)
		}
	}
	return true
}

// plainRest is rawString's check of a string with non-ASCII bytes.
func plainRest(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// canon reads the canonical JSON form: literal tokens, plain strings and
// integers, in the one order the hand-written encoders write them.
type canon struct {
	b  []byte
	ok bool
}

func (c *canon) lit(s string) {
	if c.ok && len(c.b) >= len(s) && string(c.b[:len(s)]) == s {
		c.b = c.b[len(s):]
		return
	}
	c.ok = false
}

// str reads a string without escapes (the opening quote already read) up to
// its closing quote.
func (c *canon) str() string {
	if !c.ok {
		return ""
	}
	i := bytes.IndexByte(c.b, '"')
	if i < 0 {
		c.ok = false
		return ""
	}
	s := c.b[:i]
	for _, ch := range s {
		if ch < 0x20 || ch == '\\' || ch >= 0x80 {
			if ch == '\\' || ch < 0x20 || !utf8.Valid(s) {
				c.ok = false
				return ""
			}
		}
	}
	c.b = c.b[i+1:]
	return string(s)
}

// mark is str for an attendance mark: one of app's marks is that constant,
// so the thousands of marks a batch reads allocate nothing.
func (c *canon) mark() string {
	for _, m := range [...]string{app.MarkPresent, app.MarkAbsent, app.MarkExcused} {
		if c.ok && len(c.b) > len(m) && c.b[len(m)] == '"' && string(c.b[:len(m)]) == m {
			c.b = c.b[len(m)+1:]
			return m
		}
	}
	return c.str()
}

// int reads an integer of at most bits bits in JSON's number syntax.
func (c *canon) int(bits int) int64 {
	if !c.ok {
		return 0
	}
	i := 0
	if i < len(c.b) && c.b[i] == '-' {
		i++
	}
	j := i
	for j < len(c.b) && c.b[j] >= '0' && c.b[j] <= '9' {
		j++
	}
	if j == i || c.b[i] == '0' && j > i+1 || j < len(c.b) && (c.b[j] == '.' || c.b[j] == 'e' || c.b[j] == 'E') {
		c.ok = false
		return 0
	}
	n, err := strconv.ParseInt(string(c.b[:j]), 10, bits)
	if err != nil {
		c.ok = false
		return 0
	}
	c.b = c.b[j:]
	return n
}

func (c *canon) bool() bool {
	switch {
	case !c.ok:
	case bytes.HasPrefix(c.b, []byte("true")):
		c.b = c.b[4:]
		return true
	case bytes.HasPrefix(c.b, []byte("false")):
		c.b = c.b[5:]
	default:
		c.ok = false
	}
	return false
}

// end reports whether everything was read in canonical form.
func (c *canon) end() bool { return c.ok && len(c.b) == 0 }

// readLesson reads what appendLesson writes; false: not that form.
func readLesson(b []byte) (app.Lesson, bool) {
	c := canon{b: b, ok: true}
	var l app.Lesson
	c.lit(`{"ID":"`)
	l.ID = c.str()
	c.lit(`,"Group":"`)
	l.Group = c.str()
	c.lit(`,"Provider":"`)
	l.Provider = c.str()
	c.lit(`,"Date":`)
	l.Date = app.Date(c.int(32))
	c.lit(`,"Start":`)
	l.Start = int(c.int(strconv.IntSize))
	c.lit(`,"Extra":`)
	l.Extra = c.bool()
	c.lit(`,"Cancelled":`)
	l.Cancelled = c.bool()
	c.lit(`,"Marks":`)
	if c.ok && bytes.Equal(c.b, []byte("null}")) {
		return l, true
	}
	c.lit(`{`)
	l.Marks = map[string]string{}
	last := ""
	for i := 0; c.ok && len(c.b) > 0 && c.b[0] != '}'; i++ {
		if i > 0 {
			c.lit(`,`)
		}
		c.lit(`"`)
		k := c.str()
		c.lit(`:"`)
		v := c.mark()
		if i > 0 && k <= last { // a repeated key: encoding/json decides
			c.ok = false
		}
		l.Marks[k], last = v, k
	}
	c.lit(`}}`)
	return l, c.end()
}

// readMarkAttendance reads a mark_attendance payload in the form
// EncodeCommand writes; false: not that form.
func readMarkAttendance(b []byte) (*app.MarkAttendance, bool) {
	c := canon{b: b, ok: true}
	var m app.MarkAttendance
	c.lit(`{"Group":"`)
	m.Group = c.str()
	c.lit(`,"Date":`)
	m.Date = app.Date(c.int(32))
	c.lit(`,"Start":`)
	m.Start = int(c.int(strconv.IntSize))
	c.lit(`,"Extra":`)
	m.Extra = c.bool()
	c.lit(`,"Child":"`)
	m.Child = c.str()
	c.lit(`,"Mark":"`)
	m.Mark = c.mark()
	c.lit(`}`)
	return &m, c.end()
}

// A record decodes most often from the form encode wrote: every field in
// declaration order, no white space. readCanon reads that form for struct
// types made only of strings, bools, integers, structs, slices and
// map[string]string, by a plan built once per type; any other type, and any
// byte the plan does not expect, goes to encoding/json, which reads the
// canonical form to the same value.
type readPlan func(c *canon, v reflect.Value)

var readPlans sync.Map // reflect.Type → readPlan (nil: no plan)

func planOf(t reflect.Type) readPlan {
	if p, ok := readPlans.Load(t); ok {
		return p.(readPlan)
	}
	p := makePlan(t, map[reflect.Type]bool{})
	readPlans.Store(t, p)
	return p
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// makePlan returns the plan of t, nil when t has none.
func makePlan(t reflect.Type, seen map[reflect.Type]bool) readPlan {
	if seen[t] || reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil // recursive types and custom decoders are left to encoding/json
	}
	seen[t] = true
	defer delete(seen, t)
	switch t.Kind() {
	case reflect.String:
		return func(c *canon, v reflect.Value) {
			c.lit(`"`)
			v.SetString(c.str())
		}
	case reflect.Bool:
		return func(c *canon, v reflect.Value) { v.SetBool(c.bool()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return func(c *canon, v reflect.Value) { v.SetInt(c.int(bits)) }
	case reflect.Struct:
		type field struct {
			key string
			p   readPlan
		}
		var fields []field
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Anonymous || f.Tag != "" {
				return nil
			}
			p := makePlan(f.Type, seen)
			if p == nil {
				return nil
			}
			fields = append(fields, field{`"` + f.Name + `":`, p})
		}
		if len(fields) == 0 {
			return nil
		}
		fields[0].key = "{" + fields[0].key
		for i := 1; i < len(fields); i++ {
			fields[i].key = "," + fields[i].key
		}
		return func(c *canon, v reflect.Value) {
			for i, f := range fields {
				if !c.ok {
					return
				}
				c.lit(f.key)
				f.p(c, v.Field(i))
			}
			c.lit("}")
		}
	case reflect.Slice:
		elem := makePlan(t.Elem(), seen)
		if elem == nil || t.Elem().Kind() == reflect.Uint8 {
			return nil
		}
		return func(c *canon, v reflect.Value) {
			if c.ok && bytes.HasPrefix(c.b, []byte("null")) {
				c.b = c.b[4:]
				return
			}
			c.lit("[")
			s := reflect.MakeSlice(t, 0, 0)
			for i := 0; c.ok && len(c.b) > 0 && c.b[0] != ']'; i++ {
				if i > 0 {
					c.lit(",")
				}
				s = reflect.Append(s, reflect.Zero(t.Elem()))
				elem(c, s.Index(i))
			}
			c.lit("]")
			v.Set(s)
		}
	case reflect.Map:
		if t != reflect.TypeFor[map[string]string]() {
			return nil
		}
		return func(c *canon, v reflect.Value) {
			if c.ok && bytes.HasPrefix(c.b, []byte("null")) {
				c.b = c.b[4:]
				return
			}
			c.lit("{")
			m := map[string]string{}
			last := ""
			for i := 0; c.ok && len(c.b) > 0 && c.b[0] != '}'; i++ {
				if i > 0 {
					c.lit(",")
				}
				c.lit(`"`)
				k := c.str()
				c.lit(`:"`)
				val := c.str()
				if i > 0 && k <= last {
					c.ok = false
				}
				m[k], last = val, k
			}
			c.lit("}")
			v.Set(reflect.ValueOf(m))
		}
	}
	return nil
}

// readCanon fills *v (a pointer to a zero value) from the canonical form b,
// or returns false with *v zero again.
func readCanon(b []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return false
	}
	p := planOf(rv.Type().Elem())
	if p == nil || !rv.Elem().IsZero() {
		return false
	}
	c := canon{b: b, ok: true}
	p(&c, rv.Elem())
	if !c.end() {
		rv.Elem().SetZero()
		return false
	}
	return true
}
