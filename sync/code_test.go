package sync_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"kruzhok/app"
	"kruzhok/sync"
)

// codeShape is nine groups of four Crockford symbols.
var codeShape = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){8}$`)

// A code carries the secret and the certificate's pin; retyped in lower
// case, without dashes, with O for 0 and L for 1, it reads the same.
func TestCodeRoundTrip(t *testing.T) {
	der := []byte("a server certificate")
	h := sha256.Sum256(der)
	fp := hex.EncodeToString(h[:])
	code, secret, hash, err := sync.NewCode(fp)
	if err != nil {
		t.Fatal(err)
	}
	if !codeShape.MatchString(code) {
		t.Fatalf("code %q is not nine groups of four symbols", code)
	}
	if len(secret) != 2*sync.CodeSecretBytes || hash != sync.InviteHash(secret) {
		t.Fatalf("secret %q hash %q", secret, hash)
	}
	pin, gotSecret, err := sync.ParseToken(code)
	if err != nil {
		t.Fatal(err)
	}
	if pin != sync.PinOf(der) || gotSecret != secret {
		t.Fatalf("ParseToken(%q) = %q, %q; want %q, %q", code, pin, gotSecret, sync.PinOf(der), secret)
	}
	sloppy := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	sloppy = strings.NewReplacer("0", "o", "1", "l").Replace(sloppy)
	if p, s, err := sync.ParseToken("  " + sloppy + "\n"); err != nil || p != pin || s != secret {
		t.Fatalf("ParseToken(%q) = %q, %q, %v", sloppy, p, s, err)
	}
	other, secret2, _, _ := sync.NewCode(fp)
	if other == code || secret2 == secret {
		t.Fatal("two codes are the same")
	}
	// No pin: the pin's symbols are zero, and none comes back.
	bare, bareSecret, _, err := sync.NewCode("")
	if err != nil {
		t.Fatal(err)
	}
	if p, s, err := sync.ParseToken(bare); err != nil || p != "" || s != bareSecret {
		t.Fatalf("ParseToken(%q) = %q, %q, %v; want no pin", bare, p, s, err)
	}
	if _, _, _, err := sync.NewCode("abc"); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("NewCode(abc): %v, want EINVALID", err)
	}
}

// The check symbol catches every single wrong symbol and every swap of two
// different neighbours (Luhn mod 32 misses only 0↔Z).
func TestCodeCheckCatchesTypos(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	for n := 0; n < 20; n++ {
		code, _, _, err := sync.NewCode(strings.Repeat("ab", 32))
		if err != nil {
			t.Fatal(err)
		}
		syms := []byte(strings.ReplaceAll(code, "-", ""))
		for i := range syms {
			for _, c := range []byte(alphabet) {
				if c == syms[i] {
					continue
				}
				typo := append([]byte(nil), syms...)
				typo[i] = c
				if _, _, err := sync.ParseToken(string(typo)); app.ErrorCode(err) != app.EINVALID {
					t.Fatalf("typo %q of %q accepted", typo, syms)
				}
			}
			if i+1 < len(syms) && syms[i] != syms[i+1] && !(syms[i] == '0' && syms[i+1] == 'Z' || syms[i] == 'Z' && syms[i+1] == '0') {
				swap := append([]byte(nil), syms...)
				swap[i], swap[i+1] = swap[i+1], swap[i]
				if _, _, err := sync.ParseToken(string(swap)); app.ErrorCode(err) != app.EINVALID {
					t.Fatalf("swap %q of %q accepted", swap, syms)
				}
			}
		}
	}
}

// A person's mistakes are named in plain words, never with the format.
func TestCodeErrors(t *testing.T) {
	code, _, _, _ := sync.NewCode(strings.Repeat("ab", 32))
	for _, c := range []struct{ name, code, want string }{
		{"Empty", "  ", "пуст"},
		{"Short", code[:20], "знаков из 36"},
		{"Long", code + "-A", "длиннее 36"},
		{"Cyrillic", "АВС" + code[3:], "только латинские буквы и цифры"},
		{"LetterU", "U" + code[1:], "нет буквы U"},
		{"Typo", code[:len(code)-1] + map[bool]string{true: "1", false: "0"}[code[len(code)-1] == '0'], "введён с ошибкой"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := sync.ParseToken(c.code)
			if app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), c.want) {
				t.Fatalf("ParseToken(%q): %v, want EINVALID with %q", c.code, err, c.want)
			}
			if strings.Contains(app.ErrorMessage(err), "KRZ1") || strings.Contains(app.ErrorMessage(err), "‹") {
				t.Fatalf("message %q names the internal format", app.ErrorMessage(err))
			}
		})
	}
}

// Old long tokens still work beside the codes.
func TestCodeAcceptsLongToken(t *testing.T) {
	token, secret, _, err := sync.NewToken(pinFP)
	if err != nil {
		t.Fatal(err)
	}
	if fp, s, err := sync.ParseToken(token); err != nil || fp != pinFP || s != secret {
		t.Fatalf("ParseToken(%q) = %q, %q, %v", token, fp, s, err)
	}
}

// FuzzParseToken feeds outside bytes to the invite reader: it never panics,
// a refusal is EINVALID in Russian, and what it accepts is a pin it can
// give (none, a full fingerprint or a code's) with a secret of 20 or 32 hex
// digits; a code it accepts reads back the same after formatting.
func FuzzParseToken(f *testing.F) {
	code, _, _, _ := sync.NewCode(pinFP)
	bare, _, _, _ := sync.NewCode("")
	long, _, _, _ := sync.NewToken(pinFP)
	for _, s := range []string{code, bare, long, strings.ToLower(code), "KRZ1--" + strings.Repeat("a", 32), "", "U", "ЖЖЖ", "\xff", code + code} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pin, secret, err := sync.ParseToken(s)
		if err != nil {
			if app.ErrorCode(err) != app.EINVALID || app.ErrorMessage(err) == "" {
				t.Fatalf("ParseToken(%q): %v, want EINVALID with a message", s, err)
			}
			return
		}
		if _, herr := hex.DecodeString(secret); herr != nil || len(secret) != 20 && len(secret) != 32 {
			t.Fatalf("ParseToken(%q) secret %q", s, secret)
		}
		if pin != "" && len(pin) != 64 && len(pin) != sync.PinBits/5 {
			t.Fatalf("ParseToken(%q) pin %q", s, pin)
		}
	})
}

// A revoked invite is answered as an unknown one, word for word: whoever
// guesses codes learns nothing of codes that once existed. A spent one says
// so (INVITE_USED): it is useless to anyone.
func TestJoinRevokedLooksUnknown(t *testing.T) {
	w := newWorld(t)
	revoked := w.invite(app.ProviderScope(w.A.ID))
	w.must(&app.RevokeInvite{Hash: sync.InviteHash(revoked)})
	db := openDB(t, "node.db", func() time.Time { return today })
	errRevoked := sync.Join(context.Background(), db, w.ts.URL, revoked, w.hc)
	errUnknown := sync.Join(context.Background(), db, w.ts.URL, strings.Repeat("cd", 16), w.hc)
	if app.ErrorCode(errRevoked) != app.ENOTFOUND || app.ErrorCode(errUnknown) != app.ENOTFOUND ||
		app.ErrorMessage(errRevoked) != app.ErrorMessage(errUnknown) {
		t.Fatalf("revoked: %v\nunknown: %v\nwant the same NOT_FOUND", errRevoked, errUnknown)
	}
	if !db.Authority() || db.Scope() != app.ScopeRegion {
		t.Fatalf("a refused join changed the database: %s", db.Scope())
	}
}

// A code's 95-bit pin holds a TLS server to its certificate as the full
// fingerprint does; another certificate is refused as ErrWrongCertificate.
func TestPinnedClientTakesCodePin(t *testing.T) {
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer ts.Close()
	pin := sync.PinOf(ts.Certificate().Raw)
	if len(pin) != sync.PinBits/5 {
		t.Fatalf("pin %q", pin)
	}
	resp, err := sync.PinnedClient(strings.ToLower(pin)).Get(ts.URL)
	if err != nil {
		t.Fatalf("the right pin refused: %v", err)
	}
	resp.Body.Close()
	other := sync.PinOf([]byte("another certificate"))
	if _, err := sync.PinnedClient(other).Get(ts.URL); !errors.Is(err, sync.ErrWrongCertificate) {
		t.Fatalf("another pin: %v, want ErrWrongCertificate", err)
	}
}
