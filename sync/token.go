package sync

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"kruzhok/app"
)

// tokenPrefix starts every invite token; the version of the token format.
const tokenPrefix = "KRZ1-"

// Sizes of a token's parts in hex digits.
const (
	fingerprintHex = 64 // SHA-256 of the server certificate's DER
	secretHex      = 32 // 16 random bytes
)

// NewToken makes a long invite token for the server whose certificate has the
// given fingerprint (64 hex digits, see Fingerprint): token is what the
// inviter hands over, `KRZ1-<fingerprint>-<secret>`; secret is its random
// part; hash is InviteHash(secret), the only part the server keeps (as
// app.CreateInvite's Hash).
//
// An empty fingerprint makes `KRZ1--<secret>`: a token for a server with a
// CA-signed certificate (serve --tls-cert) or a loopback test server
// (--insecure-http), which the node then checks with the system roots instead
// of a pin. Errors: EINVALID for a fingerprint that is not 64 hex digits.
func NewToken(fingerprint string) (token, secret, hash string, err error) {
	fingerprint = strings.ToLower(strings.TrimSpace(fingerprint))
	if p := fingerprintProblem(fingerprint); fingerprint != "" && p != "" {
		return "", "", "", app.Errorf(app.EINVALID, "Неверный отпечаток сертификата: %s", p)
	}
	b := make([]byte, secretHex/2)
	if _, err := rand.Read(b); err != nil {
		return "", "", "", app.Errorf(app.EINTERNAL, "Не удалось получить случайные числа для приглашения: %v", err)
	}
	secret = hex.EncodeToString(b)
	return tokenPrefix + fingerprint + "-" + secret, secret, InviteHash(secret), nil
}

// ParseToken reads an invite: a code made by NewCode (what the app hands
// out) or a long token made by NewToken. It returns the pin of the server's
// certificate ("" for none): for a long token its full fingerprint, 64
// lowercase hex digits; for a code the first PinBits bits of it, as
// PinOf gives them. PinnedClient takes either. secret is lowercase hex.
// Spaces around the token and the case of its digits do not matter, so a
// token read aloud or retyped still works. Errors: EINVALID with a message
// that says what is wrong with it.
func ParseToken(s string) (fingerprint, secret string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "", app.Errorf(app.EINVALID, "Код приглашения пуст: введите код с листа приглашения")
	}
	if len(s) < len(tokenPrefix) || !strings.EqualFold(s[:len(tokenPrefix)], tokenPrefix) {
		return parseCode(s)
	}
	fingerprint, secret, ok := strings.Cut(strings.ToLower(s[len(tokenPrefix):]), "-")
	if !ok || strings.Contains(secret, "-") {
		return "", "", app.Errorf(app.EINVALID,
			"Неверный код приглашения: нужно KRZ1-<отпечаток сертификата, 64 знака>-<секрет, 32 знака>")
	}
	if p := fingerprintProblem(fingerprint); fingerprint != "" && p != "" {
		return "", "", app.Errorf(app.EINVALID, "Неверный код приглашения: %s", p)
	}
	// The secret of a code (CodeSecretBytes) goes in a long token too: LongToken.
	if p := hexProblem("секрет", secret, secretHex); p != "" && !isHex(secret, 2*CodeSecretBytes) {
		return "", "", app.Errorf(app.EINVALID, "Неверный код приглашения: %s", p)
	}
	return fingerprint, secret, nil
}

// fingerprintProblem says what is wrong with a fingerprint, "" if it is 64
// lowercase hex digits.
func fingerprintProblem(fp string) string {
	return hexProblem("отпечаток сертификата сервера", fp, fingerprintHex)
}

// hexProblem says what keeps s from being n lowercase hex digits, "" if nothing.
func hexProblem(what, s string, n int) string {
	switch {
	case len(s) != n:
		return fmt.Sprintf("%s должен состоять из %d шестнадцатеричных знаков, а в нём %d", what, n, len(s))
	case !isHex(s, n):
		return fmt.Sprintf("%s содержит знаки, кроме 0–9 и a–f", what)
	}
	return ""
}

// isHex reports whether s is n lowercase hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// LongToken is the long form of the invite whose code NewCode gave secret
// for: `KRZ1-<fingerprint>-<secret>`, the full fingerprint pinned. Scripts
// and the command line take it; both forms spend the same invite.
func LongToken(fingerprint, secret string) string {
	return tokenPrefix + strings.ToLower(strings.TrimSpace(fingerprint)) + "-" + secret
}
