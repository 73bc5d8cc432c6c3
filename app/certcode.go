package app

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

func init() {
	register(func() Command { return &ConfirmCertificate{} })
	register(func() Command { return &NewCertificateCode{} })
	register(func() Command { return &SetGuardianPhone{} })
}

// Kinds of the trust boundary.
const (
	KindCertCode Kind = "certcode"
	KindGuard    Kind = "guard"
	KindAlert    Kind = "alert"
)

// CertCode is the hash of a certificate's code (RULES.md §3), kept apart from
// the certificate so that it reaches only the municipality's nodes and the
// server, never a provider's.
type CertCode struct {
	Certificate  string
	Municipality string
	Hash         string // CodeHash(certificate, code)
	Issued       Date
}

func (c CertCode) Kind() Kind       { return KindCertCode }
func (c CertCode) RecordID() string { return c.Certificate }
func (c CertCode) Indexes() []Index { return nil }

// Guard is the server's count of a provider's wrong certificate codes in the
// last CodeWindow seconds, from all its nodes, and the time until which its
// nodes are throttled.
type Guard struct {
	Scope    string  // the provider's scope
	Failures []int64 // unix seconds of recent wrong codes, oldest first
	Until    int64   // THROTTLED before this unix second
}

func (g Guard) Kind() Kind       { return KindGuard }
func (g Guard) RecordID() string { return g.Scope }
func (g Guard) Indexes() []Index { return nil }

// Alert tells the region that a node was refused: SCOPE_FORBIDDEN (it pushed
// what §11 does not allow it) or THROTTLED (it guessed certificate codes). One
// record per node, day and code counts the refusals.
type Alert struct {
	ID    string // node|date|code
	Node  string
	Scope string
	Date  Date
	Code  string
	Op    string // the last refused op type
	Count int64
	Last  int64 // unix seconds of the last refusal
}

func (a Alert) Kind() Kind       { return KindAlert }
func (a Alert) RecordID() string { return a.ID }
func (a Alert) Indexes() []Index { return []Index{{IdxDate, a.Date.String() + "|" + a.Node}} }

// IdxDate finds alerts by day.
const IdxDate = "date"

// codeAlphabet has no 0, O, 1, I or L: a guardian reads the code off paper.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// CodeLen is the length of a certificate code.
const CodeLen = 8

// NewCode makes a random certificate code of CodeLen characters.
func NewCode() string {
	b := make([]byte, CodeLen)
	// The rejection bound keeps every character equally likely.
	limit := byte(256 - 256%len(codeAlphabet))
	var buf [1]byte
	for i := range b {
		for {
			if _, err := rand.Read(buf[:]); err != nil {
				panic("app: no randomness: " + err.Error())
			}
			if buf[0] < limit {
				b[i] = codeAlphabet[int(buf[0])%len(codeAlphabet)]
				break
			}
		}
	}
	return string(b)
}

// NormalizeCode is a code as typed: upper case, without spaces and dashes.
func NormalizeCode(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\u00a0", "").Replace(s))
}

// CodeHash is what is stored of a code: hex SHA-256 over the certificate id
// and the normalised code, so equal codes of two certificates differ.
func CodeHash(certificate, code string) string {
	h := sha256.Sum256([]byte("kruzhok-certificate-code\x00" + certificate + "\x00" + NormalizeCode(code)))
	return hex.EncodeToString(h[:])
}

// codeMatches compares a typed code with the stored hash in constant time.
func codeMatches(r Reader, cert Certificate, code string) bool {
	if code == "" || len(code) > 4*CodeLen {
		return false
	}
	cc, err := Get[CertCode](r, cert.ID)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(cc.Hash), []byte(CodeHash(cert.ID, code))) == 1
}

// putCode stores a certificate's code hash where it may be kept: on the
// server and a municipality's or the region's node, never a provider's.
func putCode(tx Tx, m Meta, cert Certificate, hash string) error {
	if hash == "" {
		return nil
	}
	if err := checkHex("hash", hash, 32); err != nil {
		return err
	}
	if k, _, _ := ParseScope(m.Scope); k == "provider" && !m.Authority {
		return nil
	}
	return tx.Put(CertCode{Certificate: cert.ID, Municipality: cert.Municipality, Hash: hash, Issued: m.Today})
}

// ConfirmCertificate is the municipality's (or the region's) check of the
// documents behind a certificate a provider registered (RULES.md §3): from
// then on it can be financed, enrolled and counted. Errors: ECONFLICT when it
// is confirmed already.
type ConfirmCertificate struct{ Certificate string }

func (c *ConfirmCertificate) Op() string { return "confirm_certificate" }

func (c *ConfirmCertificate) Apply(tx Tx, m Meta) error {
	cert, err := Get[Certificate](tx, c.Certificate)
	if err != nil {
		return err
	}
	if !cert.Unconfirmed {
		return Errorf(ECONFLICT, "Сертификат %s уже подтверждён", cert.NumberRu())
	}
	cert.Unconfirmed = false
	return tx.Put(cert)
}

// NewCertificateCode replaces a certificate's code: the old one stops working.
// The node that makes it prints the new code for the guardian; only its hash
// travels. Errors: EINVALID for a hash that is not hex SHA-256.
type NewCertificateCode struct {
	Certificate string
	CodeHash    string
}

func (c *NewCertificateCode) Op() string { return "new_certificate_code" }

func (c *NewCertificateCode) Apply(tx Tx, m Meta) error {
	if c.CodeHash == "" {
		return Errorf(EINVALID, "Не указан код сертификата")
	}
	cert, err := Get[Certificate](tx, c.Certificate)
	if err != nil {
		return err
	}
	return putCode(tx, m, cert, c.CodeHash)
}

// SetGuardianPhone changes the guardian's phone: the one field of a child a
// provider that sees the child may change (RULES.md §11). Errors: EINVALID.
type SetGuardianPhone struct {
	Child string
	Phone string
}

func (c *SetGuardianPhone) Op() string { return "set_guardian_phone" }

func (c *SetGuardianPhone) Apply(tx Tx, m Meta) error {
	if err := checkPhone(c.Phone); err != nil {
		return err
	}
	ch, err := Get[Child](tx, c.Child)
	if err != nil {
		return err
	}
	if err := notErased(ch); err != nil {
		return err
	}
	ch.GuardianPhone = c.Phone
	return tx.Put(ch)
}
