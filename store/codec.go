package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"

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
