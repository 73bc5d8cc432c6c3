package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kruzhok/app"
	"kruzhok/demo"
	"kruzhok/store"
)

// worldScale is the region-scale world the CI builds: a hundredth of the krai.
const worldScale = 0.01

// The world at --scale 0.01 is a hundredth of the krai within ±15 %, breaks
// no rule, is the same from the same seed (digests of the region, a
// municipality and a provider), comes back from the cache as built, and a
// node joined to a server on it ends with the server's digest. Correctness
// only: no timing is asserted (docs/PERFORMANCE.md has the figures).
func TestDemoWorld(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	world := filepath.Join(dir, "world.db")
	r := exe(t, "demo", "--data", world, "--scale", "0.01", "--seed", "5", "--cache", cache)
	r.want(t, 0, "stdout", "Период программ: 2025-2026")
	for _, s := range []string{"май 2026: журнал", "край положен в", "Итоги"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("progress lacks %q:\n%s", s, r.stderr)
		}
	}
	exe(t, "check", "--data", world).want(t, 0, "stdout", "OK: нарушений нет")

	// The sizes: a hundredth of issue 12's region, ±15 %.
	db, err := store.Open(world, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := demo.Count(db)
	var population int64
	var provider string
	if err == nil {
		err = db.View(func(r app.Reader) error {
			params, err := app.List[app.Params](r, "", "", 0)
			for _, p := range params {
				population += p.Population
			}
			provs, perr := app.List[app.Provider](r, "", "", 0)
			if len(provs) > 0 {
				provider = provs[len(provs)/2].ID
			}
			if err == nil {
				err = perr
			}
			return err
		})
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", s)
	for _, c := range []struct {
		name   string
		got    int64
		target int64
	}{
		{"children aged 5–18 in the municipalities", population, demo.TargetPopulation},
		{"financing certificates", int64(s.CertFinancing), demo.TargetCertFinancing},
		{"programmes", int64(s.Programmes), demo.TargetProgrammes},
		{"groups", int64(s.Groups), demo.TargetGroups},
		{"contracts", int64(s.Contracts), demo.TargetContracts},
		{"attendance marks", int64(s.Marks), demo.TargetMarks},
	} {
		want := float64(c.target) * worldScale
		if math.Abs(float64(c.got)-want) > 0.15*want {
			t.Errorf("%s: %d, want %.0f ± 15 %%", c.name, c.got, want)
		}
	}
	if s.Municipalities != 33 || s.Providers < 8 || s.InvPaid == 0 || s.Cancelled == 0 || s.ContractsTerminated == 0 {
		t.Errorf("world lacks a part of the year: %+v", s)
	}

	// The same seed builds the same records; the cache gives them back.
	again := filepath.Join(dir, "again.db")
	exe(t, "demo", "--data", again, "--scale", "0.01", "--seed", "5").want(t, 0, "stdout", "Детей:")
	cached := filepath.Join(dir, "cached.db")
	exe(t, "demo", "--data", cached, "--scale", "0.01", "--seed", "5", "--cache", cache).
		want(t, 0, "stderr", "край взят из")
	scopes := []string{"region", "municipality:27", "provider:" + provider}
	digests := map[string]string{}
	for _, scope := range scopes {
		d := exe(t, "digest", "--data", world, "--scope", scope)
		d.want(t, 0, "stdout", "")
		digests[scope] = d.stdout
		for _, other := range []string{again, cached} {
			if o := exe(t, "digest", "--data", other, "--scope", scope); o.stdout != d.stdout {
				t.Errorf("digest of %s: %s has %q, the first build %q", scope, filepath.Base(other), o.stdout, d.stdout)
			}
		}
	}
	if len(strings.TrimSpace(digests["region"])) != 64 || digests["region"] == digests["municipality:27"] {
		t.Errorf("digests %q", digests)
	}

	// A region node joined to a server on the world holds what the server does.
	srv := serve(t, world)
	token, err := os.ReadFile(srv.tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	node := filepath.Join(dir, "node.db")
	exe(t, "join", "--data", node, "--server", srv.url, "--token", strings.TrimSpace(string(token))).
		want(t, 0, "stdout", "область region")
	if rep := report(t, exe(t, "sync", "--data", node, "--once")); !rep.DigestMatch || rep.Rejected != 0 {
		t.Fatalf("region node sync %+v", rep)
	}
	srv.stop(t)
	nodeDigest := exe(t, "digest", "--data", node)
	server := exe(t, "digest", "--data", world, "--scope", "region")
	if nodeDigest.stdout != server.stdout || len(strings.TrimSpace(server.stdout)) != 64 {
		t.Errorf("region digest: node %q, server %q", nodeDigest.stdout, server.stdout)
	}
}

// --scale is checked before anything is written.
func TestDemoScaleUsage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.db")
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--scale", "2"}, "не больше 1"},
		{[]string{"--scale", "0"}, "больше 0"},
		{[]string{"--scale", "край"}, "region или доля"},
		{[]string{"--scale", "0.01", "--children", "10"}, "--scale задаёт размеры сам"},
		{[]string{"--cache", dir}, "только края, построенные с --scale"},
	} {
		exe(t, append([]string{"demo", "--data", path}, c.args...)...).want(t, 2, "stderr", c.msg)
		if _, err := os.Stat(path); err == nil {
			t.Fatalf("demo %v wrote %s", c.args, path)
		}
	}
}
