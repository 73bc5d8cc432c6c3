package sync

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"kruzhok/app"
)

// The invite code a person types: 36 symbols of Crockford's base32, shown
// in nine groups of four (docs/SYNC.md, «Код приглашения»):
//
//	symbols 0–15   the secret, 80 random bits
//	symbols 16–34  the pin: the first 95 bits of the SHA-256 of the server
//	               certificate's DER (all zero: no pin, the system roots check
//	               a server with a CA-signed certificate)
//	symbol 35      the check symbol, Luhn mod 32 over the 35 before it
//
// Reading forgives what people do when they retype: lower case, spaces and
// dashes anywhere, O for 0 and I or L for 1. U is not a symbol.
const (
	codeAlphabet   = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	codeSecretSyms = 16 // 80 bits
	codePinSyms    = 19 // 95 bits
	codeDataSyms   = codeSecretSyms + codePinSyms
	codeSyms       = codeDataSyms + 1
	codeGroup      = 4
	// CodeSecretBytes is the size of a code's secret: 80 bits.
	CodeSecretBytes = codeSecretSyms * 5 / 8
	// PinBits is how much of the certificate's SHA-256 a code pins.
	PinBits = codePinSyms * 5
)

// codeValue maps a typed character to its symbol's value, -1 for none.
var codeValue = func() [256]int8 {
	var v [256]int8
	for i := range v {
		v[i] = -1
	}
	for i, c := range codeAlphabet {
		v[c] = int8(i)
		v[c|0x20] = int8(i) // lower case; digits are unchanged by it
	}
	for _, p := range []struct {
		c byte
		n int8
	}{{'O', 0}, {'o', 0}, {'I', 1}, {'i', 1}, {'L', 1}, {'l', 1}} {
		v[p.c] = p.n
	}
	return v
}()

// NewCode makes an invite code for the server whose certificate has the
// given fingerprint (64 hex digits, see Fingerprint; "" for a server checked
// by the system roots): code is what a person types, secret the hex the node
// sends, hash is InviteHash(secret), what app.CreateInvite records.
// Errors: EINVALID for a fingerprint that is not 64 hex digits.
func NewCode(fingerprint string) (code, secret, hash string, err error) {
	fingerprint = strings.ToLower(strings.TrimSpace(fingerprint))
	var pin []byte
	if fingerprint != "" {
		if p := fingerprintProblem(fingerprint); p != "" {
			return "", "", "", app.Errorf(app.EINVALID, "Неверный отпечаток сертификата: %s", p)
		}
		pin, _ = hex.DecodeString(fingerprint)
	}
	b := make([]byte, CodeSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", "", app.Errorf(app.EINTERNAL, "Не удалось получить случайные числа для приглашения: %v", err)
	}
	syms := make([]byte, 0, codeSyms)
	syms = appendBits(syms, b, codeSecretSyms)
	if pin == nil {
		syms = append(syms, make([]byte, codePinSyms)...)
	} else {
		syms = appendBits(syms, pin, codePinSyms)
	}
	syms = append(syms, luhn32(syms))
	secret = hex.EncodeToString(b)
	return formatCode(syms), secret, InviteHash(secret), nil
}

// PinOf is the pin a code carries for a certificate of this DER: its
// SHA-256's first PinBits bits as codePinSyms symbols.
func PinOf(der []byte) string {
	h := sha256.Sum256(der)
	return symString(appendBits(nil, h[:], codePinSyms))
}

// isCodePin reports whether pin is a code's pin (codePinSyms symbols).
func isCodePin(pin string) bool {
	if len(pin) != codePinSyms {
		return false
	}
	for i := 0; i < len(pin); i++ {
		if strings.IndexByte(codeAlphabet, pin[i]) < 0 {
			return false
		}
	}
	return true
}

// parseCode reads a code made by NewCode: the pin (codePinSyms symbols, ""
// for none) and the secret as lowercase hex. Errors: EINVALID saying what
// to check, in words for the person who typed it.
func parseCode(s string) (pin, secret string, err error) {
	syms := make([]byte, 0, codeSyms)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		case codeValue[c] < 0:
			if c == 'U' || c == 'u' {
				return "", "", app.Errorf(app.EINVALID, "В коде приглашения нет буквы U: проверьте, что код введён без ошибок")
			}
			return "", "", app.Errorf(app.EINVALID, "В коде приглашения только латинские буквы и цифры, "+
				"а введён знак «%s»", printable(s[i:]))
		}
		if len(syms) == codeSyms {
			return "", "", app.Errorf(app.EINVALID, "Код приглашения длиннее %d знаков: проверьте, что он введён без ошибок", codeSyms)
		}
		syms = append(syms, byte(codeValue[c]))
	}
	if len(syms) < codeSyms {
		return "", "", app.Errorf(app.EINVALID, "В коде приглашения %d знаков из %d: проверьте, что он введён полностью",
			len(syms), codeSyms)
	}
	if luhn32(syms[:codeDataSyms]) != syms[codeDataSyms] {
		return "", "", app.Errorf(app.EINVALID, "Код приглашения введён с ошибкой: сверьте его с листом приглашения знак за знаком")
	}
	b := bitsOf(syms[:codeSecretSyms], CodeSecretBytes)
	// The secret's symbols carry exactly 80 bits; the pin's last symbol has
	// one bit past the 95 kept, always 0 in a code made by NewCode.
	if syms[codeDataSyms-1]&1 != 0 {
		return "", "", app.Errorf(app.EINVALID, "Код приглашения введён с ошибкой: сверьте его с листом приглашения знак за знаком")
	}
	zero := true
	for _, v := range syms[codeSecretSyms:codeDataSyms] {
		zero = zero && v == 0
	}
	if !zero {
		pin = symString(syms[codeSecretSyms:codeDataSyms])
	}
	return pin, hex.EncodeToString(b), nil
}

// printable is the first character of s for a message: a rune, or its byte.
func printable(s string) string {
	for _, r := range s {
		if r == '\uFFFD' {
			break
		}
		return string(r)
	}
	return "?"
}

// appendBits appends the first n 5-bit symbols of b's bits (big-endian, b
// padded with zero bits) to syms, with the bits beyond 5n-…: a pin of 95 bits
// keeps bit 95 of the digest out by clearing the last symbol's low bit.
func appendBits(syms, b []byte, n int) []byte {
	start := len(syms)
	for i := 0; i < n; i++ {
		var v byte
		for j := 0; j < 5; j++ {
			bit := i*5 + j
			v <<= 1
			if bit/8 < len(b) && b[bit/8]&(0x80>>(bit%8)) != 0 {
				v |= 1
			}
		}
		syms = append(syms, v)
	}
	if n == codePinSyms {
		syms[start+n-1] &^= 1 // 95 bits, not 96
	}
	return syms
}

// bitsOf packs 5-bit symbols into n bytes, big-endian.
func bitsOf(syms []byte, n int) []byte {
	b := make([]byte, n)
	for i, v := range syms {
		for j := 0; j < 5; j++ {
			bit := i*5 + j
			if v&(0x10>>j) != 0 && bit/8 < n {
				b[bit/8] |= 0x80 >> (bit % 8)
			}
		}
	}
	return b
}

// luhn32 is the Luhn mod 32 check symbol of syms: it catches any one wrong
// symbol and any swap of two neighbours but 0 and Z.
func luhn32(syms []byte) byte {
	const n = 32
	sum, factor := 0, 2
	for i := len(syms) - 1; i >= 0; i-- {
		a := factor * int(syms[i])
		factor = 3 - factor
		sum += a/n + a%n
	}
	return byte((n - sum%n) % n)
}

func symString(syms []byte) string {
	b := make([]byte, len(syms))
	for i, v := range syms {
		b[i] = codeAlphabet[v]
	}
	return string(b)
}

// formatCode writes symbols in groups of four joined by dashes.
func formatCode(syms []byte) string {
	var b strings.Builder
	for i, v := range syms {
		if i > 0 && i%codeGroup == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[v])
	}
	return b.String()
}
