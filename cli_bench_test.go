package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// `kruzhok bench sync` prints one JSON object with the figures, their
// targets and whether they pass.
func TestBenchSync(t *testing.T) {
	r := exe(t, "bench", "sync", "--marks", "1000", "--runs", "2", "--warmup", "0")
	r.want(t, 0, "stdout", `"mark_bytes_per_op"`)
	var got map[string]any
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if dec.More() {
		t.Errorf("more than one JSON value on stdout:\n%s", r.stdout)
	}
	for _, k := range []string{"mark_ops", "mark_bytes_per_op", "month_push_bytes", "month_transfer_s_at_128kbit",
		"apply_ops_per_s", "bare_bolt_puts_per_s", "apply_pct_of_bare", "targets", "pass"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q in %s", k, r.stdout)
		}
	}
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
	var got map[string]any
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if dec.More() {
		t.Errorf("more than one JSON value on stdout:\n%s", r.stdout)
	}
	for _, k := range []string{"apply_ops_per_s_plain", "apply_ops_per_s_sealed", "command_ms_plain_median",
		"command_ms_sealed_median", "unlock_s_median", "search", "search_ms_max", "targets", "pass"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %q in %s", k, r.stdout)
		}
	}
	if got["apply_ops"] != float64(500) || got["search_children"] != float64(2000) || got["commands"] != float64(20) {
		t.Errorf("apply_ops %v, search_children %v, commands %v", got["apply_ops"], got["search_children"], got["commands"])
	}
	if s, _ := got["search"].([]any); len(s) != 5 {
		t.Errorf("search figures for %d prefixes, want 5", len(s))
	}
	exe(t, "bench", "enc", "--data", "x").want(t, 2, "stderr", "-data")
}
