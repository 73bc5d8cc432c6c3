package sync_test

import (
	"strings"
	"testing"

	"kruzhok/app"
	"kruzhok/sync"
)

const pinFP = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestTokenRoundTrip(t *testing.T) {
	token, secret, hash, err := sync.NewToken(pinFP)
	if err != nil {
		t.Fatal(err)
	}
	if want := "KRZ1-" + pinFP + "-" + secret; token != want {
		t.Errorf("token %q, want %q", token, want)
	}
	if hash != sync.InviteHash(secret) {
		t.Errorf("hash %s is not InviteHash(secret) %s", hash, sync.InviteHash(secret))
	}
	gotFP, gotSecret, err := sync.ParseToken(token)
	if err != nil {
		t.Fatal(err)
	}
	if gotFP != pinFP || gotSecret != secret {
		t.Errorf("ParseToken = %q, %q; want %q, %q", gotFP, gotSecret, pinFP, secret)
	}
	// Retyped: upper case, spaces around.
	if f, s, err := sync.ParseToken("  " + strings.ToUpper(token) + "\n"); err != nil || f != pinFP || s != secret {
		t.Errorf("ParseToken(upper) = %q, %q, %v", f, s, err)
	}
	again, secret2, _, err := sync.NewToken(pinFP)
	if err != nil {
		t.Fatal(err)
	}
	if again == token || secret2 == secret {
		t.Error("two tokens share a secret")
	}
}

// A token without a pin is for a server with a CA-signed certificate.
func TestTokenWithoutFingerprint(t *testing.T) {
	token, secret, _, err := sync.NewToken("")
	if err != nil {
		t.Fatal(err)
	}
	if token != "KRZ1--"+secret {
		t.Errorf("token %q", token)
	}
	f, s, err := sync.ParseToken(token)
	if err != nil || f != "" || s != secret {
		t.Errorf("ParseToken = %q, %q, %v", f, s, err)
	}
}

func TestBadTokens(t *testing.T) {
	secret := "00112233445566778899aabbccddeeff"
	for _, c := range []struct {
		name, token, says string
	}{
		{"Empty", "  ", "пуст"},
		{"WrongPrefix", "KRZ2-" + pinFP + "-" + secret, "длиннее 36 знаков"},
		{"NoSecret", "KRZ1-" + pinFP, "KRZ1-<отпечаток"},
		{"ExtraPart", "KRZ1-" + pinFP + "-" + secret + "-00", "KRZ1-<отпечаток"},
		{"ShortFingerprint", "KRZ1-" + pinFP[:63] + "-" + secret, "64 шестнадцатеричных знаков, а в нём 63"},
		{"FingerprintNotHex", "KRZ1-" + pinFP[:63] + "g-" + secret, "отпечаток сертификата сервера содержит знаки"},
		{"ShortSecret", "KRZ1-" + pinFP + "-" + secret[:30], "секрет должен состоять из 32"},
		{"SecretNotHex", "KRZ1-" + pinFP + "-" + secret[:31] + "z", "секрет содержит знаки"},
		{"NoSecretAfterDash", "KRZ1-" + pinFP + "-", "в нём 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, s, err := sync.ParseToken(c.token)
			if err == nil {
				t.Fatalf("ParseToken(%q) = %q, %q; want an error", c.token, f, s)
			}
			if app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), c.says) {
				t.Errorf("error %q (%s), want EINVALID saying %q", app.ErrorMessage(err), app.ErrorCode(err), c.says)
			}
		})
	}
	if _, _, _, err := sync.NewToken("abc"); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("NewToken(abc): %v, want EINVALID", err)
	}
}
