package app_test

import (
	"strings"
	"testing"

	"kruzhok/app"
)

func TestInviteAndJoin(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.provider(5)
	h := strings.Repeat("ab", 32)
	key := strings.Repeat("cd", 32)
	w.wantCode(&app.CreateInvite{Hash: "xyz", Scope: "region"}, app.EINVALID)
	w.wantCode(&app.CreateInvite{Hash: h, Scope: "municipality:99"}, app.NOT_RESIDENT)
	w.wantCode(&app.CreateInvite{Hash: h, Scope: "provider:nope"}, app.ENOTFOUND)
	w.must(&app.CreateInvite{Hash: h, Scope: app.ProviderScope(w.Prov)})
	w.wantCode(&app.CreateInvite{Hash: h, Scope: "municipality:27"}, app.ECONFLICT)
	w.wantCode(&app.JoinNode{Hash: strings.Repeat("00", 32), Node: "n1", Key: key}, app.ENOTFOUND)
	w.must(&app.JoinNode{Hash: h, Node: "n1", Key: key})
	if n := get[app.Node](w, "n1"); n.Scope != app.ProviderScope(w.Prov) || n.Key != key {
		t.Fatalf("joined node %+v", n)
	}
	w.wantCode(&app.JoinNode{Hash: h, Node: "n2", Key: strings.Repeat("ef", 32)}, app.ECONFLICT) // spent
	w.wantCode(&app.RevokeInvite{Hash: h}, app.ECONFLICT)
	w.must(&app.RevokeNode{Node: "n1"})
	if n := get[app.Node](w, "n1"); n.Status != "revoked" {
		t.Fatalf("revoked node %+v", n)
	}
	w.wantCode(&app.RevokeNode{Node: "n1"}, app.ECONFLICT)
	// A municipality node invites its own providers only.
	if err := w.db.SetScope("municipality:28", true); err != nil {
		t.Fatal(err)
	}
	w.wantCode(&app.CreateInvite{Hash: strings.Repeat("11", 32), Scope: app.ProviderScope(w.Prov)}, app.SCOPE_FORBIDDEN)
	w.wantCode(&app.CreateInvite{Hash: strings.Repeat("11", 32), Scope: "region"}, app.SCOPE_FORBIDDEN)
	w.must(&app.CreateInvite{Hash: strings.Repeat("11", 32), Scope: "municipality:28"})
	w.must(&app.RevokeInvite{Hash: strings.Repeat("11", 32)})
	w.wantCode(&app.JoinNode{Hash: strings.Repeat("11", 32), Node: "n3", Key: strings.Repeat("12", 32)}, app.ECONFLICT)
}

func TestRollOverPeriod(t *testing.T) {
	w := newWorld(t, "2026-11-10")
	w.wantCode(&app.RollOverPeriod{Date: day("2027-08-31")}, app.DATE_OUT_OF_PERIOD)
	w.must(&app.RollOverPeriod{Date: day("2027-09-01")})
	r := get[app.Region](w, "region")
	if r.Current != "2027-2028" || r.Next != "2028-2029" {
		t.Fatalf("after roll-over current %s next %s", r.Current, r.Next)
	}
	if p, _ := r.Period("2028-2029"); p.Start != day("2028-09-01") || p.End != day("2029-08-31") {
		t.Fatalf("new next period %+v", p)
	}
}
