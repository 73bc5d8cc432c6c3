package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `kruzhok bench sync` prints one JSON object with the figures, their
// targets and whether they pass.
func TestBenchSync(t *testing.T) {
	r := exe(t, "bench", "sync", "--marks", "1000", "--runs", "2", "--warmup", "0")
	r.want(t, 0, "stdout", `"mark_bytes_per_op"`)
	got := oneJSON(t, r, "mark_ops", "mark_bytes_per_op", "month_push_bytes", "month_transfer_s_at_128kbit",
		"apply_ops_per_s", "bare_bolt_puts_per_s", "apply_pct_of_bare", "targets", "pass")
	if runs, _ := got["runs"].([]any); len(runs) != 2 || got["warmup_runs"] != float64(0) {
		t.Errorf("runs %v after %v warm-up runs, want the figures of 2 after none", got["runs"], got["warmup_runs"])
	}
	if got["mark_ops"] != float64(1000) || got["wire_matches_frames"] != true {
		t.Errorf("mark_ops %v, wire_matches_frames %v", got["mark_ops"], got["wire_matches_frames"])
	}
	exe(t, "bench").want(t, 2, "stderr", "kruzhok bench sync")
	exe(t, "bench", "sync", "--data", "x").want(t, 2, "stderr", "-data")
}

// `kruzhok bench enc` prints one JSON object: each figure plaintext and
// sealed side by side, with its target and whether it passes (small sizes
// here; the real run uses 100 000 children).
func TestBenchEnc(t *testing.T) {
	r := exe(t, "bench", "enc", "--children", "2000", "--marks", "500", "--commands", "20")
	r.want(t, 0, "stdout", `"apply_sealed_pct_of_plain"`)
	got := oneJSON(t, r, "apply_ops_per_s_plain", "apply_ops_per_s_sealed", "command_ms_plain_median",
		"command_ms_sealed_median", "unlock_s_median", "search", "search_ms_max", "targets", "pass")
	if got["apply_ops"] != float64(500) || got["search_children"] != float64(2000) || got["commands"] != float64(20) {
		t.Errorf("apply_ops %v, search_children %v, commands %v", got["apply_ops"], got["search_children"], got["commands"])
	}
	if s, _ := got["search"].([]any); len(s) != 5 {
		t.Errorf("search figures for %d prefixes, want 5", len(s))
	}
	exe(t, "bench", "enc", "--data", "x").want(t, 2, "stderr", "-data")
}

// `kruzhok bench region` at a tiny size, on a small demo region and on the
// same kind of region given as --world: one JSON object on stdout with every
// part, the table on stderr; correctness only, never timings.
func TestBenchRegion(t *testing.T) {
	small := []string{"--nodes", "3", "--marks", "200", "--clients", "2", "--requests", "3"}
	check := func(r result) map[string]any {
		t.Helper()
		r.want(t, 0, "stderr", "Каталог")
		got := oneJSON(t, r, "sizes", "bootstrap", "nodes", "catalogue", "e2e_ops_per_s", "store_apply_ops_per_s",
			"bare_bolt_puts_per_s", "e2e_pct_of_store", "server")
		if got["e2e_digest_match"] != true || got["e2e_marks"] != float64(200) || got["server_check_breaches"] != float64(0) {
			t.Errorf("end to end: %v", r.stdout)
		}
		if n := got["nodes"].(map[string]any); n["errors"] != float64(0) || n["converged"] != float64(3) {
			t.Errorf("nodes: %v", n)
		}
		return got
	}
	// The server as a child `kruzhok serve` (the default): its own memory and CPU.
	got := check(exe(t, append([]string{"bench", "region", "--children", "150", "--providers", "4", "--programmes", "12"}, small...)...))
	if w, _ := got["world"].(string); !strings.HasPrefix(w, "demo children=150") {
		t.Errorf("world %q", w)
	}
	if s, _ := got["server"].(string); !strings.HasPrefix(s, "child process") {
		t.Errorf("server %q", s)
	}
	if n := got["nodes"].(map[string]any); n["rss_bytes"].(float64) <= 0 || n["memory_cpu_server_only"] != true {
		t.Errorf("no memory or CPU of the child server: %v", n)
	}

	world := filepath.Join(t.TempDir(), "world.db")
	exe(t, "demo", "--data", world, "--children", "150", "--providers", "4", "--programmes", "12").want(t, 0, "stdout", "Демо-регион")
	before, err := os.ReadFile(world)
	if err != nil {
		t.Fatal(err)
	}
	// The server in the bench's process, on a given world.
	got = check(exe(t, append([]string{"bench", "region", "--in-process", "--world", world}, small...)...))
	if s, _ := got["server"].(string); !strings.HasPrefix(s, "in-process") || got["nodes"].(map[string]any)["memory_cpu_server_only"] != false {
		t.Errorf("server %q, nodes %v", s, got["nodes"])
	}
	if w, _ := got["world"].(string); w != "file "+world {
		t.Errorf("world %q", w)
	}
	if after, _ := os.ReadFile(world); !bytes.Equal(before, after) {
		t.Error("the bench wrote into the --world file")
	}

	// The same world sealed: the child server finds its key beside the
	// copy, and every stored record is 41 bytes longer (0x80, nonce, tag).
	plain := got["sizes"].(map[string]any)["buckets"].(map[string]any)["records"].(map[string]any)
	pass := []string{"KRUZHOK_PASSWORD=bench-region-secret-1"}
	exeEnv(t, pass, "keys", "init", "--data", world).want(t, 0, "stdout", "")
	got = check(exeEnv(t, pass, append([]string{"bench", "region", "--world", world}, small...)...))
	sealed := got["sizes"].(map[string]any)["buckets"].(map[string]any)["records"].(map[string]any)
	if sealed["keys"] != plain["keys"] || sealed["bytes"].(float64) != plain["bytes"].(float64)+41*plain["keys"].(float64) {
		t.Errorf("records plaintext %v, sealed %v", plain, sealed)
	}

	exe(t, "bench", "region", "--world", world, "--scale", "0.01").want(t, 2, "stderr", "исключают")
	exe(t, "bench", "region", "--scale", "2").want(t, 2, "stderr", "доля края")
	exe(t, "bench", "region", "--today", "2026-10-01").want(t, 2, "stderr", "--in-process")
	exe(t, "bench", "region", "--in-process", "--today", "вчера").want(t, 2, "stderr", "--today")
	exe(t, "bench", "region", "--cache", t.TempDir()).want(t, 2, "stderr", "--scale")

	// A built world of the krai (kruzhok demo --scale), put in a cache and
	// taken from it by the second run: the bench runs in the world's year.
	cache := t.TempDir()
	for range 2 {
		got = check(exe(t, append([]string{"bench", "region", "--scale", "0.001", "--seed", "3", "--cache", cache}, small...)...))
		if w, _ := got["world"].(string); w != "scale 0.001 seed 3" {
			t.Errorf("world %q", w)
		}
		if d, _ := got["today"].(string); d != "2026-05-31" {
			t.Errorf("today %q, want the world's last school day", d)
		}
	}
	if cached, _ := filepath.Glob(filepath.Join(cache, "world-*.db")); len(cached) != 1 {
		t.Errorf("cache holds %q", cached)
	}
}

// oneJSON is the one JSON object a bench printed on stdout, which must hold
// every key.
func oneJSON(t *testing.T, r result, keys ...string) map[string]any {
	t.Helper()
	var got map[string]any
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if dec.More() {
		t.Errorf("more than one JSON value on stdout:\n%s", r.stdout)
	}
	for _, k := range keys {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q in %s", k, r.stdout)
		}
	}
	return got
}
