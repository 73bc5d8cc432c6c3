package sync

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kruzhok/app"
	"kruzhok/internal/atomicfile"
)

// Timeouts of the sync client, chosen for EDGE links: a slow handshake or a
// big upload is normal there, a link that moves no byte for minutes is dead.
// There is no overall timeout, so an 8 MiB batch at a few kB/s still goes.
const (
	dialTimeout      = 30 * time.Second
	handshakeTimeout = 30 * time.Second
	// replyTimeout is how long the server may think after the request was
	// sent; applying a batch of 5 000 ops takes well under a second.
	replyTimeout = 2 * time.Minute
	// linkIdleTimeout closes a connection on which no byte moved either way.
	linkIdleTimeout = 2 * time.Minute
	// poolIdleTimeout drops a pooled connection before linkIdleTimeout can
	// break it under a new request.
	poolIdleTimeout = 60 * time.Second
)

// ErrWrongCertificate is the error of a connection whose server certificate
// is not the one pinned by the invite: another server, or someone in between.
var ErrWrongCertificate = errors.New("сертификат сервера не совпадает с отпечатком из приглашения — " +
	"это другой сервер или подмена соединения; проверьте адрес сервера и код приглашения " +
	"(the server's certificate does not match the pinned fingerprint)")

// TLSDir is the directory beside the database at dataPath where the server
// keeps its self-signed certificate: cert.pem and key.pem.
func TLSDir(dataPath string) string { return dataPath + ".tls" }

// Fingerprint is the hex SHA-256 of a certificate's DER bytes: what invite
// tokens carry and nodes pin.
func Fingerprint(der []byte) string {
	h := sha256.Sum256(der)
	return hex.EncodeToString(h[:])
}

// LoadOrCreateServerTLS returns the server certificate kept in
// TLSDir(dataPath) and its fingerprint. On the first call it makes one: an
// ECDSA P-256 key (key.pem, mode 0600) and a self-signed certificate
// (cert.pem) valid for 30 years, since nodes pin it rather than check its
// dates, and a new one would strand every joined node. Later calls load the
// same pair, so the fingerprint stays. A key.pem without cert.pem (a first
// start cut off in between, before any token could name the certificate) is
// replaced; a cert.pem whose key is missing or does not match is an error.
func LoadOrCreateServerTLS(dataPath string) (tls.Certificate, string, error) {
	dir := TLSDir(dataPath)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if _, err := os.Stat(certFile); err == nil {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return tls.Certificate{}, "", fmt.Errorf("сертификат сервера %s не читается вместе с ключом %s: %w", certFile, keyFile, err)
		}
		return cert, Fingerprint(cert.Certificate[0]), nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, "", fmt.Errorf("сертификат сервера: %w", err)
	}
	certPEM, keyPEM, err := newSelfSigned(time.Now())
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("сертификат сервера: %w", err)
	}
	// The certificate goes last: its presence means the pair is complete.
	if err := atomicfile.Write(keyFile, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, "", err
	}
	if err := atomicfile.Write(certFile, certPEM, 0o644); err != nil {
		return tls.Certificate{}, "", err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("сертификат сервера: %w", err)
	}
	return cert, Fingerprint(cert.Certificate[0]), nil
}

// StoredFingerprint is the fingerprint of the self-signed certificate in
// TLSDir(dataPath), read without making one. Errors: ENOTFOUND when the
// server has not made it yet (it never ran `kruzhok serve` with TLS).
func StoredFingerprint(dataPath string) (string, error) {
	certFile := filepath.Join(TLSDir(dataPath), "cert.pem")
	data, err := os.ReadFile(certFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", app.Errorf(app.ENOTFOUND, "Нет сертификата сервера %s: он появляется при первом запуске kruzhok serve", certFile)
	} else if err != nil {
		return "", fmt.Errorf("сертификат сервера: %w", err)
	}
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return "", fmt.Errorf("в файле %s нет сертификата", certFile)
		}
		if b.Type == "CERTIFICATE" {
			return Fingerprint(b.Bytes), nil
		}
	}
}

// newSelfSigned makes the PEM of a self-signed ECDSA P-256 server
// certificate and of its PKCS #8 key.
func newSelfSigned(now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("ключ сервера: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("сертификат сервера: %w", err)
	}
	host, _ := os.Hostname()
	names := []string{"localhost"}
	if host != "" && host != "localhost" {
		names = append(names, host)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Kruzhok " + host, Organization: []string{"Kruzhok"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(30, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              names,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("сертификат сервера: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("ключ сервера: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// PinnedClient is an HTTP client for a server with a self-signed
// certificate: it checks no CA, host name or dates, only that the server's
// leaf certificate has the pin from the invite, on every connection, resumed
// ones included. The pin is the full SHA-256 fingerprint (64 hex digits, a
// long token or a joined node's configuration) or the PinBits-bit pin of an
// invite code (PinOf). A mismatch fails the request with an error that wraps
// ErrWrongCertificate. The client has the EDGE timeouts of this file and no
// overall one.
func PinnedClient(fingerprint string) *http.Client {
	return pinnedClient(fingerprint, nil)
}

// pinnedClient is PinnedClient that tells seen the full fingerprint of each
// certificate that matched the pin.
func pinnedClient(fingerprint string, seen func(fingerprint string)) *http.Client {
	pin := strings.TrimSpace(fingerprint)
	codePin := isCodePin(strings.ToUpper(pin)) && len(pin) != fingerprintHex
	if codePin {
		pin = strings.ToUpper(pin)
	} else {
		pin = strings.ToLower(pin)
	}
	t := newTransport()
	t.TLSClientConfig = &tls.Config{
		MinVersion: tls.VersionTLS12,
		// The pin replaces the CA check, which a self-signed certificate cannot pass.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return fmt.Errorf("%w: сервер не предъявил сертификата", ErrWrongCertificate)
			}
			der := cs.PeerCertificates[0].Raw
			got := Fingerprint(der)
			if codePin {
				if p := PinOf(der); p != pin {
					return fmt.Errorf("%w: ожидался %s…, получен %s…", ErrWrongCertificate, pin[:8], p[:8])
				}
			} else if got != pin {
				return fmt.Errorf("%w: ожидался %s…, получен %s…", ErrWrongCertificate, short(pin), short(got))
			}
			if seen != nil {
				seen(got)
			}
			return nil
		},
	}
	return &http.Client{Transport: t}
}

// ClientFor is the HTTP client a node uses for serverURL: for https:// with
// a fingerprint, PinnedClient; for https:// without one (a server with a
// CA-signed certificate), a client that checks the system roots; for http://
// (a loopback test server), a plain one. All have the EDGE timeouts of this
// file. Any other scheme gets the plain client, whose requests fail naming it.
func ClientFor(serverURL, fingerprint string) *http.Client {
	u, err := url.Parse(strings.TrimSpace(serverURL))
	if err == nil && strings.EqualFold(u.Scheme, "https") {
		if strings.TrimSpace(fingerprint) != "" {
			return PinnedClient(fingerprint)
		}
		t := newTransport()
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		return &http.Client{Transport: t}
	}
	return &http.Client{Transport: newTransport()}
}

func newTransport() *http.Transport {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return newIdleConn(c, linkIdleTimeout), nil
		},
		TLSHandshakeTimeout:   handshakeTimeout,
		ResponseHeaderTimeout: replyTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       poolIdleTimeout,
		MaxIdleConnsPerHost:   2,
	}
}

// idleConn is a connection that fails a read or write once no byte has moved
// either way for idle: each transfer pushes the deadline on.
type idleConn struct {
	net.Conn
	idle time.Duration
}

func newIdleConn(c net.Conn, idle time.Duration) *idleConn {
	ic := &idleConn{Conn: c, idle: idle}
	_ = c.SetDeadline(time.Now().Add(idle))
	return ic
}

func (c *idleConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		_ = c.Conn.SetDeadline(time.Now().Add(c.idle))
	}
	return n, err
}

func (c *idleConn) Write(p []byte) (int, error) {
	// Extend first: a write blocked on a slow link counts as it drains.
	_ = c.Conn.SetDeadline(time.Now().Add(c.idle))
	n, err := c.Conn.Write(p)
	if n > 0 {
		_ = c.Conn.SetDeadline(time.Now().Add(c.idle))
	}
	return n, err
}

func short(fp string) string {
	if len(fp) > 16 {
		return fp[:16]
	}
	return fp
}
