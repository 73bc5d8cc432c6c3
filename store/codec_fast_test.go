package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
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
