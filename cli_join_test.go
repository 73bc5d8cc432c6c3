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
