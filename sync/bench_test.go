package sync_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"kruzhok/app"
	"kruzhok/store"
	"kruzhok/sync"
)

// monthFixture is a provider's November 2026 as its node writes it: 25
// groups of 20 children with lessons on Tuesdays and Thursdays, ids UUIDv7
// as nodes make them, HLC stamps as a teacher marks a lesson after it.
type monthFixture struct {
	rng    *rand.Rand
	node   string
	seq    uint64
	ops    []app.Op
	groups []string
	kids   [][]string
}

func newMonth() *monthFixture {
	m := &monthFixture{rng: rand.New(rand.NewPCG(26, 27))}
	m.node = m.v7(time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC))
	for g := 0; g < 25; g++ {
		m.groups = append(m.groups, m.v7(time.Date(2026, 8, 20, 12, g, 0, 0, time.UTC)))
		var kids []string
		for k := 0; k < 20; k++ {
			kids = append(kids, m.v7(time.Date(2026, 8, 25+k%5, 10, g, k, 0, time.UTC)))
		}
		m.kids = append(m.kids, kids)
	}
	return m
}

// v7 is a UUIDv7 of the time with random bits from the fixture's seed.
func (m *monthFixture) v7(t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	binary.BigEndian.PutUint64(b[8:], m.rng.Uint64())
	b[6] = 0x70 | byte(m.rng.IntN(16))
	b[7] = byte(m.rng.IntN(256))
	b[8] = 0x80 | b[8]&0x3f
	return uuid.UUID(b).String()
}

func (m *monthFixture) add(at time.Time, c app.Command) {
	p, err := store.EncodeCommand(c)
	if err != nil {
		panic(err)
	}
	m.seq++
	m.ops = append(m.ops, app.Op{Node: m.node, Seq: m.seq, HLC: uint64(at.UnixMilli()) << 16, Type: c.Op(), Payload: p})
}

// lessons of the month: Tuesdays and Thursdays of November 2026.
var lessonDays = []int{3, 5, 10, 12, 17, 19, 24, 26}

// attendance adds the marks of every lesson, child by child.
func (m *monthFixture) attendance(extra int) {
	for _, d := range lessonDays {
		for g, group := range m.groups {
			start := 15*60 + 90*(g%3)
			end := time.Date(2026, 11, d, start/60+1, start%60+30, 0, 0, time.FixedZone("MSK", 3*3600))
			for k, kid := range m.kids[g] {
				mark := app.MarkPresent
				if r := m.rng.IntN(100); r < 7 {
					mark = app.MarkAbsent
				} else if r < 10 {
					mark = app.MarkExcused
				}
				m.add(end.Add(time.Duration(k)*2500*time.Millisecond), &app.MarkAttendance{Group: group,
					Date: app.NewDate(2026, 11, d), Start: start, Child: kid, Mark: mark})
			}
		}
	}
	for i := 0; i < extra; i++ {
		g := i % len(m.groups)
		m.add(time.Date(2026, 11, 26, 20, 0, i, 0, time.UTC), &app.MarkAttendance{Group: m.groups[g],
			Date: app.NewDate(2026, 11, 26), Start: 15*60 + 90*(g%3), Extra: true, Child: m.kids[g][i%20], Mark: app.MarkPresent})
	}
}

// others adds the rest of a provider's month: children registered and
// applied, enrolments with their quotes, terminations and cancelled lessons.
func (m *monthFixture) others() {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	names := []string{"Иванов", "Смирнова", "Кузнецов", "Попова", "Васильев", "Петрова", "Соколов", "Михайлова"}
	for i := 0; i < 20; i++ {
		at = at.Add(37 * time.Minute)
		m.add(at, &app.RegisterChild{Child: app.Child{ID: m.v7(at), LastName: names[i%8], FirstName: "Александр",
			MiddleName: "Сергеевич", BirthDate: app.NewDate(2014+i%6, time.Month(1+i%12), 1+i), Municipality: "27",
			GuardianName: names[(i+3)%8] + " Мария Ивановна", GuardianPhone: fmt.Sprintf("+7 918 %03d-%02d-%02d", 100+i, i, 40+i),
			ConsentDate: app.NewDate(2026, 11, 2), ConsentBy: "Сидорова М. П."}})
		m.add(at.Add(time.Minute), &app.ApplyChild{Number: fmt.Sprintf("26-27-%06d", 1000+i*7),
			Code: app.NewCode(), Provider: "prov-" + m.groups[0][:8]})
	}
	for i := 0; i < 40; i++ {
		at = at.Add(23 * time.Minute)
		m.add(at, &app.Enrol{ID: m.v7(at), Certificate: m.v7(at.Add(-time.Hour)), Group: m.groups[i%25],
			Start: app.NewDate(2026, 11, 15), QuotedCert: 7_252_75 - int64(i*1117), QuotedParent: 3_703_30 + int64(i*1117), ParentConfirmed: true})
	}
	for i := 0; i < 10; i++ {
		m.add(at.Add(time.Duration(i)*time.Hour), &app.Terminate{Contract: m.v7(at), Notice: app.NewDate(2026, 11, 20+i), Reason: "переезд семьи"})
	}
	for i := 0; i < 12; i++ {
		d := lessonDays[i%8]
		m.add(time.Date(2026, 11, d, 8, 0, 0, 0, time.UTC), &app.CancelLesson{Group: m.groups[i*2], Date: app.NewDate(2026, 11, d),
			Start: 15*60 + 90*((i*2)%3), Cancelled: true})
	}
}

func attendanceFrame(tb testing.TB) ([]byte, int) {
	m := newMonth()
	m.attendance(0)
	frame, err := sync.EncodeBatch(fuzzKey, sync.NewBatch(m.node, m.ops))
	if err != nil {
		tb.Fatal(err)
	}
	return frame, len(m.ops)
}

func monthFrame(tb testing.TB) ([]byte, int) {
	m := newMonth()
	m.others()
	m.attendance(4098 - 4000)
	frame, err := sync.EncodeBatch(fuzzKey, sync.NewBatch(m.node, m.ops))
	if err != nil {
		tb.Fatal(err)
	}
	return frame, len(m.ops)
}

// BenchmarkWireAttendance: bytes on the wire per op of a push of 4 000
// attendance marks (target ≤ 20).
func BenchmarkWireAttendance(b *testing.B) {
	var frame []byte
	var n int
	for b.Loop() {
		frame, n = attendanceFrame(b)
	}
	b.ReportMetric(float64(len(frame))/float64(n), "wire-bytes/op")
	b.ReportMetric(float64(n), "ops")
}

// BenchmarkWireProviderMonth: bytes on the wire of a provider's month of
// about 4 200 changes (target ≤ 100 KB).
func BenchmarkWireProviderMonth(b *testing.B) {
	var frame []byte
	var n int
	for b.Loop() {
		frame, n = monthFrame(b)
	}
	b.ReportMetric(float64(len(frame)), "wire-bytes")
	b.ReportMetric(float64(n), "ops")
}

// BenchmarkDecodeBatch: the server's cost to verify and decode that month.
func BenchmarkDecodeBatch(b *testing.B) {
	frame, n := monthFrame(b)
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, batch, err := sync.DecodeBatch(frame); err != nil || len(batch.Ops) != n {
			b.Fatal(err)
		}
	}
}

// The sizes are deterministic, so the targets of DESIGN.md are checked on
// every run; a change of format or level that breaks them fails here.
func TestWireBudget(t *testing.T) {
	frame, n := attendanceFrame(t)
	if per := float64(len(frame)) / float64(n); n != 4000 || per > 20 {
		t.Errorf("attendance: %d ops, %.1f bytes/op on the wire, want ≤ 20", n, per)
	} else {
		t.Logf("attendance: %d ops, %d bytes, %.2f bytes/op", n, len(frame), per)
	}
	frame, n = monthFrame(t)
	if n < 4150 || len(frame) > 100_000 {
		t.Errorf("provider month: %d ops, %d bytes on the wire, want ≤ 100 000", n, len(frame))
	} else {
		t.Logf("provider month: %d ops, %d bytes, %.2f bytes/op", n, len(frame), float64(len(frame))/float64(n))
	}
}
