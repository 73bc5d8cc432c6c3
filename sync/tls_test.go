package sync_test

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"kruzhok/app"
	"kruzhok/sync"
)

// The first call makes the certificate, later calls load it: the
// fingerprint, which every invite carries, never changes.
func TestServerTLSCreatedOnce(t *testing.T) {
	data := filepath.Join(t.TempDir(), "server.db")
	if _, err := sync.StoredFingerprint(data); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("StoredFingerprint before the first start: %v, want ENOTFOUND", err)
	}
	cert, fp, err := sync.LoadOrCreateServerTLS(data)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cert.Certificate[0])
	if fp != hex.EncodeToString(sum[:]) {
		t.Errorf("fingerprint %s is not the SHA-256 of the DER", fp)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if leaf.PublicKeyAlgorithm != x509.ECDSA || leaf.SignatureAlgorithm != x509.ECDSAWithSHA256 {
		t.Errorf("certificate is %v signed with %v, want ECDSA P-256", leaf.PublicKeyAlgorithm, leaf.SignatureAlgorithm)
	}
	dir := sync.TLSDir(data)
	if dir != data+".tls" {
		t.Errorf("TLSDir = %s", dir)
	}
	if st, err := os.Stat(filepath.Join(dir, "key.pem")); err != nil {
		t.Fatal(err)
	} else if st.Mode().Perm() != 0o600 {
		t.Errorf("key.pem mode %v, want 0600", st.Mode().Perm())
	}
	_, again, err := sync.LoadOrCreateServerTLS(data)
	if err != nil {
		t.Fatal(err)
	}
	if again != fp {
		t.Errorf("second start fingerprint %s, first %s", again, fp)
	}
	if stored, err := sync.StoredFingerprint(data); err != nil || stored != fp {
		t.Errorf("StoredFingerprint = %s, %v; want %s", stored, err, fp)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

// A key without its certificate (a first start cut off in between) is
// replaced; a certificate without its key is an error, never a new pair.
func TestServerTLSHalfWritten(t *testing.T) {
	data := filepath.Join(t.TempDir(), "server.db")
	if _, _, err := sync.LoadOrCreateServerTLS(data); err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(sync.TLSDir(data), "cert.pem"), filepath.Join(sync.TLSDir(data), "key.pem")
	if err := os.Remove(certFile); err != nil {
		t.Fatal(err)
	}
	_, fp, err := sync.LoadOrCreateServerTLS(data)
	if err != nil {
		t.Fatalf("key without certificate: %v", err)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sync.LoadOrCreateServerTLS(data); err == nil {
		t.Fatal("certificate without key: no error")
	}
	if stored, _ := sync.StoredFingerprint(data); stored != fp {
		t.Errorf("the certificate changed: %s, was %s", stored, fp)
	}
}

// tlsServer serves "ok" over HTTPS with the server certificate of data.
func tlsServer(t *testing.T, data string) (*httptest.Server, string) {
	t.Helper()
	cert, fp, err := sync.LoadOrCreateServerTLS(data)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, fp
}

func fetch(hc *http.Client, url string) (string, error) {
	resp, err := hc.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestPinnedClient(t *testing.T) {
	dir := t.TempDir()
	ts, fp := tlsServer(t, filepath.Join(dir, "server.db"))
	_, otherFP, err := sync.LoadOrCreateServerTLS(filepath.Join(dir, "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Pinned", func(t *testing.T) {
		hc := sync.PinnedClient(fp)
		for i := range 2 { // the second request may resume the session: still checked
			if body, err := fetch(hc, ts.URL); err != nil || body != "ok" {
				t.Fatalf("request %d: %q, %v", i, body, err)
			}
		}
	})
	t.Run("OtherCertificate", func(t *testing.T) {
		_, err := fetch(sync.PinnedClient(otherFP), ts.URL)
		if !errors.Is(err, sync.ErrWrongCertificate) {
			t.Fatalf("error %v, want ErrWrongCertificate", err)
		}
	})
	t.Run("ClientForPinned", func(t *testing.T) {
		if body, err := fetch(sync.ClientFor(ts.URL, fp), ts.URL); err != nil || body != "ok" {
			t.Fatalf("%q, %v", body, err)
		}
	})
	t.Run("ClientForSystemRoots", func(t *testing.T) {
		// No fingerprint: the CA check applies, and a self-signed certificate fails it.
		_, err := fetch(sync.ClientFor(ts.URL, ""), ts.URL)
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Fatalf("error %v, want x509.UnknownAuthorityError", err)
		}
	})
	t.Run("ClientForPlainHTTP", func(t *testing.T) {
		plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "plain")
		}))
		defer plain.Close()
		if body, err := fetch(sync.ClientFor(plain.URL, fp), plain.URL); err != nil || body != "plain" {
			t.Fatalf("%q, %v", body, err)
		}
	})
}
