package bench_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"kruzhok/bench"
)

// The region bench at a tiny size, on a small demo region: it asserts what
// the run must get right, never how fast it was. No round fails, no op is
// refused, every node and the end-to-end node end equal to the server, the
// server passes app.Check, every figure is in the JSON and the sizes are
// there.
func TestRegionTiny(t *testing.T) {
	res, err := bench.Region(context.Background(), bench.RegionOptions{
		Dir:          t.TempDir(),
		DemoChildren: 150, DemoProviders: 4, DemoProgrammes: 12,
		Nodes: 6, MunNodes: 2, Days: 2, Marks: 400, Catalogue: 3, PerClient: 6,
		NoSync: true, Log: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Load
	if l.Errors != 0 || l.Converged != l.Nodes || l.Rounds != 12 || l.MunNodes != 2 || l.Scopes != 6 {
		t.Errorf("nodes: %+v", l)
	}
	// Only enrolments may be refused (nodes of two providers racing for a
	// child or a municipality's limit); a mark never is.
	refused := 0
	for what, n := range l.Refused {
		if !strings.HasPrefix(what, "enrol ") {
			t.Errorf("%d ops refused: %s", n, what)
		}
		refused += n
	}
	if refused != l.Rejected || l.Rejected > l.Enrolments {
		t.Errorf("%d refused of %d enrolments, by kind %v", l.Rejected, l.Enrolments, l.Refused)
	}
	if l.Marks == 0 || l.Ops < l.Marks || l.P50 <= 0 || l.P99 < l.P50 {
		t.Errorf("nodes pushed nothing or timed nothing: %+v", l)
	}
	if l.CPUSeconds <= 0 || l.HWMBytes <= 0 || l.RSSBytes <= 0 {
		t.Errorf("no memory or CPU figure: %+v", l)
	}
	if len(res.Boot) != 3 {
		t.Fatalf("bootstraps: %+v", res.Boot)
	}
	for _, b := range res.Boot {
		if !b.Match || b.WireBytes <= 0 || b.FileBytes <= 0 || b.Records <= 0 || b.Seconds <= 0 {
			t.Errorf("bootstrap %+v", b)
		}
	}
	if !strings.HasPrefix(res.Boot[0].Scope, "region") || res.Boot[0].Records <= res.Boot[2].Records {
		t.Errorf("the region node has no more records than a provider: %+v", res.Boot)
	}
	c := res.Catalog
	if c.Errors != 0 || c.Requests != 18 || c.Programmes == 0 || c.P99 <= 0 {
		t.Errorf("catalogue: %+v", c)
	}
	if !res.E2EMatch || res.E2EMarks != 400 || res.E2EPushBytes <= 0 || res.E2EPerSec <= 0 ||
		res.StorePerSec <= 0 || res.BarePerSec <= 0 || res.RecordPerSec <= 0 || res.Check != 0 {
		t.Errorf("end to end: %+v", res.EndToEnd)
	}
	s := res.Sizes
	if s.FileBytes <= 0 || s.DataBytes <= 0 || s.Records <= 0 || s.Ops <= 0 {
		t.Errorf("sizes: %+v", s)
	}
	for _, k := range []string{"child", "contract", "lesson", "group"} {
		if s.Kinds[k].Count <= 0 || s.Kinds[k].PerRecord <= 0 {
			t.Errorf("kind %s: %+v", k, s.Kinds[k])
		}
	}
	for _, g := range []string{"records", "index", "feed", "outbox"} {
		if s.Buckets[g].Bytes <= 0 {
			t.Errorf("bucket group %s: %+v", g, s.Buckets[g])
		}
	}

	// Every field of the result is in its JSON.
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	missing(t, reflect.TypeOf(res), m)
	var tbl strings.Builder
	res.Table(&tbl)
	if !strings.Contains(tbl.String(), "Каталог") || !strings.Contains(tbl.String(), "Узлов сразу 6 (муниципалитетов 2)") {
		t.Errorf("table:\n%s", tbl.String())
	}
}

// missing fails for every JSON field of type typ (and of its embedded and
// struct fields) that m lacks.
func missing(t *testing.T, typ reflect.Type, m map[string]any) {
	t.Helper()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Anonymous {
			missing(t, f.Type, m)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		v, ok := m[name]
		if !ok {
			t.Errorf("JSON lacks %q", name)
			continue
		}
		if sub, ok := v.(map[string]any); ok && f.Type.Kind() == reflect.Struct {
			missing(t, f.Type, sub)
		}
	}
}

// testWriter sends the bench's warnings to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
