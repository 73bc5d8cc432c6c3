package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kruzhok join refuses a plain http:// server beyond loopback, even with a
// token that pins a certificate, before it opens the database or sends the
// secret.
func TestJoinRefusesPlainHTTP(t *testing.T) {
	token := "KRZ1-" + strings.Repeat("ab", 32) + "-" + strings.Repeat("cd", 16)
	data := filepath.Join(t.TempDir(), "node.db")
	for _, server := range []string{"http://rmc.example.ru:8443", "http://10.1.2.3"} {
		var out, errb bytes.Buffer
		code := cmdJoin([]string{"--data", data, "--server", server, "--token", token}, &out, &errb)
		if code != exitUsage || !strings.Contains(errb.String(), "https://") {
			t.Fatalf("join %s: exit %d, stderr %q", server, code, errb.String())
		}
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Fatalf("a refused join made the database: %v", err)
	}
}

// kruzhok sync --deliver carries a node's batch of children's data: never in
// clear beyond this machine either.
func TestDeliverRefusesPlainHTTP(t *testing.T) {
	batch := filepath.Join(t.TempDir(), "batch.krz")
	if err := os.WriteFile(batch, []byte("KRZ1"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := cmdSync([]string{"--deliver", batch, "--server", "http://rmc.example.ru:8443"}, &out, &errb)
	if code == exitOK || !strings.Contains(errb.String(), "https://") {
		t.Fatalf("deliver over http: exit %d, stderr %q", code, errb.String())
	}
}
