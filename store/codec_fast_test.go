package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"

	"kruzhok/app"
	"kruzhok/store"
)

// genericJSON is the stored form of v as encoding/json writes it.
func genericJSON(t testing.TB, v any) []byte {
	var buf bytes.Buffer
	buf.WriteByte(1)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// TestLessonCodec: the hand-written lesson codec writes the bytes
// encoding/json writes and reads back what encoding/json reads.
func TestLessonCodec(t *testing.T) {
	cases := map[string]app.Lesson{
		"NilMarks":   {ID: "g|2026-11-17|0900", Group: "g", Provider: "p", Date: 20000, Start: 540},
		"EmptyMarks": {ID: "g|x", Group: "g", Marks: map[string]string{}, Extra: true},
		"Marks": {ID: "g|x", Group: "g", Provider: "p", Date: -3, Start: 0, Cancelled: true,
			Marks: map[string]string{"c2": app.MarkAbsent, "c1": app.MarkPresent, "c10": ""}},
		"HTML":      {ID: "a<b>&c", Group: "g", Marks: map[string]string{"<": "&"}},
		"Cyrillic":  {ID: "группа|1", Group: "группа", Marks: map[string]string{"ребёнок": "был"}},
		"Quote":     {ID: `a"b`, Group: "g"},
		"Backslash": {ID: "g", Group: `a\b`},
		"Control":   {ID: "g", Provider: "a\tb", Marks: map[string]string{"k\n": "v"}},
		"BadUTF8":   {ID: "g\xff", Group: "g", Marks: map[string]string{"k": "v\xfe"}},
		"LineSep":   {ID: "g\u2028", Group: "g\u2029"},
	}
	for name, l := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := store.Encode(l)
			if err != nil {
				t.Fatal(err)
			}
			if want := genericJSON(t, l); !bytes.Equal(got, want) {
				t.Fatalf("encode\n got %s\nwant %s", got, want)
			}
			checkLessonDecode(t, got)
		})
	}
	for name, s := range map[string]string{
		"Spaces":    `{"ID": "g", "Group":"g","Provider":"","Date":1,"Start":2,"Extra":false,"Cancelled":false,"Marks":null}`,
		"Reordered": `{"Group":"g","ID":"g","Provider":"","Date":1,"Start":2,"Extra":false,"Cancelled":false,"Marks":null}`,
		"Short":     `{"ID":"g"}`,
		"DupMark":   `{"ID":"g","Group":"g","Provider":"","Date":1,"Start":2,"Extra":false,"Cancelled":false,"Marks":{"a":"x","a":"y"}}`,
		"Unsorted":  `{"ID":"g","Group":"g","Provider":"","Date":1,"Start":2,"Extra":false,"Cancelled":false,"Marks":{"b":"x","a":"y"}}`,
		"Escaped":   `{"ID":"g\u0041","Group":"g","Provider":"","Date":1,"Start":2,"Extra":false,"Cancelled":false,"Marks":{}}`,
		"Float":     `{"ID":"g","Group":"g","Provider":"","Date":1.0,"Start":2,"Extra":false,"Cancelled":false,"Marks":{}}`,
		"Overflow":  `{"ID":"g","Group":"g","Provider":"","Date":4294967296,"Start":2,"Extra":false,"Cancelled":false,"Marks":{}}`,
		"Zero":      `{"ID":"g","Group":"g","Provider":"","Date":-0,"Start":02,"Extra":false,"Cancelled":false,"Marks":{}}`,
		"Trailing":  `{"ID":"g","Group":"g","Provider":"","Date":1,"Start":2,"Extra":false,"Cancelled":false,"Marks":{}}x`,
		"BadBool":   `{"ID":"g","Group":"g","Provider":"","Date":1,"Start":2,"Extra":fals,"Cancelled":false,"Marks":{}}`,
	} {
		t.Run(name, func(t *testing.T) { checkLessonDecode(t, append([]byte{1}, s...)) })
	}
}

// checkLessonDecode compares store's decode of b with encoding/json's.
func checkLessonDecode(t testing.TB, b []byte) {
	var got, want app.Lesson
	gotErr := store.Decode(b, &got)
	wantErr := json.Unmarshal(b[1:], &want)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("decode %q: err %v, encoding/json %v", b, gotErr, wantErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decode %q\n got %#v\nwant %#v", b, got, want)
	}
}

// TestDecodeMarkAttendance: the hand-read mark_attendance payload decodes as
// the strict generic decoder would, and what that refuses stays refused.
func TestDecodeMarkAttendance(t *testing.T) {
	cmds := []app.MarkAttendance{
		{Group: "g", Date: 20000, Start: 540, Child: "c", Mark: app.MarkPresent},
		{Group: "g<&>", Date: -1, Start: 0, Extra: true, Child: "ребёнок", Mark: ""},
		{Group: `g"\`, Child: "c\t", Mark: "x\u2028"},
	}
	for _, c := range cmds {
		p, err := store.EncodeCommand(&c)
		if err != nil {
			t.Fatal(err)
		}
		checkMarkDecode(t, p)
	}
	for _, s := range []string{
		`{"Group":"g","Date":1,"Start":2,"Extra":false,"Child":"c","Mark":"present","X":1}`,
		`{"Group":"g","Date":1,"Start":2,"Extra":false,"Child":"c","Mark":"present"}{}`,
		`{"Group":"g","Date":1,"Start":2,"Extra":false,"Child":"c","Mark":"present"} `,
		`{"group":"g","Date":1,"Start":2,"Extra":false,"Child":"c","Mark":"present"}`,
		`{"Group":"g","Date":1.5,"Start":2,"Extra":false,"Child":"c","Mark":"present"}`,
		`{"Group":"g","Date":1,"Start":2,"Extra":false,"Child":"c\u0041","Mark":"present"}`,
		`{"Group":"g\xff","Date":1,"Start":2,"Extra":false,"Child":"c","Mark":"present"}`,
		`{"Group":"g","Date":1}`,
		`{"Group":"g","Date":1,"Start":2,"Extra":false,"Child":"c","Mark":"present"`,
		`{"Group":"g","Date":1,"Start":99999999999999999999,"Extra":false,"Child":"c","Mark":"present"}`,
	} {
		checkMarkDecode(t, []byte(s))
	}
}

// checkMarkDecode compares store.DecodeCommand on p with the strict generic
// decoder (unknown fields and trailing data refused).
func checkMarkDecode(t testing.TB, p []byte) {
	got, gotErr := store.DecodeCommand("mark_attendance", p)
	var want app.MarkAttendance
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.DisallowUnknownFields()
	wantErr := dec.Decode(&want)
	if wantErr == nil {
		if _, err := dec.Token(); err != io.EOF {
			wantErr = errors.New("data after the command")
		}
	}
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("decode %q: err %v, generic %v", p, gotErr, wantErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got, &want) {
		t.Fatalf("decode %q\n got %#v\nwant %#v", p, got, &want)
	}
}

func FuzzLessonCodec(f *testing.F) {
	f.Add([]byte(`{"ID":"g","Group":"g","Provider":"","Date":1,"Start":2,"Extra":false,"Cancelled":false,"Marks":{"a":"x","b":"y"}}`))
	f.Add([]byte(`{"ID":"g","Group":"g","Provider":"","Date":1,"Start":2,"Extra":false,"Cancelled":false,"Marks":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkLessonDecode(t, append([]byte{1}, b...))
		var l app.Lesson
		if json.Unmarshal(b, &l) == nil {
			got, err := store.Encode(l)
			if err != nil {
				t.Fatal(err)
			}
			if want := genericJSON(t, l); !bytes.Equal(got, want) {
				t.Fatalf("encode\n got %s\nwant %s", got, want)
			}
		}
	})
}

func FuzzDecodeMarkAttendance(f *testing.F) {
	f.Add([]byte(`{"Group":"g","Date":1,"Start":2,"Extra":false,"Child":"c","Mark":"present"}`))
	f.Fuzz(func(t *testing.T, p []byte) { checkMarkDecode(t, p) })
}

// fillStrings are the strings fill picks from: the first fillClean of them
// encode as themselves in quotes, the others need escapes.
var fillStrings = []string{"", "a", "группа", "<&>", "c-0001|2026", `q"uote`, `back\slash`, "tab\t", "bad\xff", "\u2028"}

// fillClean is how many of fillStrings fill uses; TestRecordDecodeCanon sets it.
var fillClean = len(fillStrings)

// fill sets v (settable) to pseudo-random contents from r: strings from a
// set that needs escaping now and then, small and extreme integers, nil,
// empty and full slices and maps.
func fill(v reflect.Value, r *rand.Rand) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fillStrings[r.IntN(fillClean)])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := []int64{0, 1, -1, 20000, 1<<(v.Type().Bits()-1) - 1, -1 << (v.Type().Bits() - 1)}
		v.SetInt(n[r.IntN(len(n))])
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(r.IntN(1000)))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(r.Float64())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), r)
			}
		}
	case reflect.Slice:
		switch r.IntN(3) {
		case 0:
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), 3, 3)
			for i := range 3 {
				fill(s.Index(i), r)
			}
			v.Set(s)
		}
	case reflect.Map:
		if r.IntN(3) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range r.IntN(4) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, r)
			fill(e, r)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		if r.IntN(2) == 1 {
			p := reflect.New(v.Type().Elem())
			fill(p.Elem(), r)
			v.Set(p)
		}
	}
}

// TestRecordDecodeCanon: every record type, filled at random and stored by
// encode, decodes as encoding/json decodes it, as do the stored bytes with
// each byte changed in turn.
func TestRecordDecodeCanon(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for kind, typ := range store.RecordTypes {
		t.Run(string(kind), func(t *testing.T) {
			for i := range 400 {
				fillClean = 5 // most records in the canonical form, a few not
				if i%4 == 0 {
					fillClean = len(fillStrings)
				}
				v := reflect.New(typ)
				fill(v.Elem(), r)
				b, err := store.Encode(v.Elem().Interface())
				if err != nil {
					t.Fatal(err)
				}
				checkRecordDecode(t, typ, b)
				m := bytes.Clone(b)
				i := 1 + r.IntN(len(m)-1)
				m[i] = "0-9\"\\{}[],:nulltruefalse \xff"[r.IntN(26)]
				checkRecordDecode(t, typ, m)
			}
		})
	}
}

// checkRecordDecode compares store's decode of b into a typ with encoding/json's.
func checkRecordDecode(t testing.TB, typ reflect.Type, b []byte) {
	got, want := reflect.New(typ), reflect.New(typ)
	gotErr := store.Decode(b, got.Interface())
	wantErr := json.Unmarshal(b[1:], want.Interface())
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("decode %q: err %v, encoding/json %v", b, gotErr, wantErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got.Interface(), want.Interface()) {
		t.Fatalf("decode %q\n got %#v\nwant %#v", b, got.Interface(), want.Interface())
	}
}

func FuzzContractDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	fillClean = 5
	defer func() { fillClean = len(fillStrings) }()
	for range 4 {
		var k app.Contract
		fill(reflect.ValueOf(&k).Elem(), r)
		b, err := store.Encode(k)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[1:])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkRecordDecode(t, reflect.TypeFor[app.Contract](), append([]byte{1}, b...))
	})
}
