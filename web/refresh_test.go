package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/demo"
	"kruzhok/store"
	"kruzhok/web"
)

// TestRefresh: a programme newly listed in a municipal registry appears once
// the snapshot is older than its 10 seconds, and not before.
func TestRefresh(t *testing.T) {
	clock := &demo.Clock{}
	st, err := store.Open(filepath.Join(t.TempDir(), "demo.db"), store.Options{NoSync: true, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if _, err := demo.Build(st, demo.Options{Children: 50, Providers: 4, Programmes: 12, Clock: clock}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	now := time.Now()
	srv := httptest.NewServer(web.NewWithClock(st, slog.New(slog.DiscardHandler), func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}))
	t.Cleanup(srv.Close)
	c := readCatalogue(t, st)
	var hidden app.Programme
	for _, p := range c.hidden {
		if p.Status != app.ProgArchived {
			hidden = p
			break
		}
	}
	if hidden.ID == "" {
		t.Fatal("the demo has no programme outside both registries")
	}
	status := func() int {
		resp, err := http.Get(srv.URL + "/programme/" + hidden.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := status(); got != http.StatusNotFound {
		t.Fatalf("a %s programme: status %d, want 404", hidden.Status, got)
	}
	if _, err := st.Exec(&app.ListProgramme{Municipality: "27", Programme: hidden.ID}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(5 * time.Second)
	mu.Unlock()
	if got := status(); got != http.StatusNotFound {
		t.Errorf("5 s after: status %d, want 404 from the snapshot", got)
	}
	mu.Lock()
	now = now.Add(6 * time.Second)
	mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for status() != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the listed programme never appeared after the snapshot went stale")
		}
		time.Sleep(20 * time.Millisecond)
	}
	body := get(t, &region{srv: srv}, "/programme/"+hidden.ID)
	if !strings.Contains(body, "муниципальный реестр") {
		t.Error("the programme's page does not name the municipal registry")
	}
}
