package sync

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"kruzhok/app"
	"kruzhok/internal/atomicfile"
)

// A sealed batch file is a signed frame (EncodeBatch) encrypted to the
// server's long-term X25519 key with HPKE (RFC 9180, Go's crypto/hpke):
//
//	"KRZS" · node's ed25519 public key (32) · server's X25519 public key (32) ·
//	HPKE encapsulated key (32) · HPKE ciphertext of the frame (frame + 16)
//
// The node's key and the recipient stay in clear so that the server can find
// an active node, and see that the file is its own, before it reads the body
// or decrypts a byte. Both are bound into the HPKE info string, so a courier
// who swaps them breaks the decryption. The frame inside is verified exactly
// like a push, and its key must be the one in clear.
const (
	sealMagic      = "KRZS"
	sealInfo       = "kruzhok sealed batch v1\x00"
	sealKeySize    = 32 // X25519 public key and HPKE encapsulated key
	sealHeaderSize = len(sealMagic) + ed25519.PublicKeySize + 2*sealKeySize
	sealTagSize    = 16 // ChaCha20-Poly1305
	// MaxSealed is the largest sealed batch file: the header and the
	// encrypted largest frame.
	MaxSealed = sealHeaderSize + MaxFrame + sealTagSize
)

// The delivery reads the same number of header bytes of either kind, and
// finds the node's key at the same place.
var _ = [1]struct{}{}[sealHeaderSize-headerSize]

// sealSuite is the HPKE suite besides the KEM, which the X25519 keys fix as
// DHKEM(X25519, HKDF-SHA256): HKDF-SHA256 and ChaCha20-Poly1305 (fast without
// AES instructions, on old office PCs).
func sealSuite() (hpke.KDF, hpke.AEAD) { return hpke.HKDFSHA256(), hpke.ChaCha20Poly1305() }

// sealOpens counts decryption attempts of sealed files: tests use it to show
// that an unknown node or another server's file is refused before one.
var sealOpens atomic.Int64

// SealKey is the server's long-term key pair that batch files are sealed to.
type SealKey struct{ priv *ecdh.PrivateKey }

// NewSealKey makes a random seal key.
func NewSealKey() (*SealKey, error) {
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("ключ шифрования пакетов: %w", err)
	}
	return &SealKey{priv: k}, nil
}

// Recipient is the key's public half as nodes store it: 64 lowercase hex
// characters of the X25519 public key.
func (k *SealKey) Recipient() string { return hex.EncodeToString(k.priv.PublicKey().Bytes()) }

// SealKeyFile is where the server keeps its seal key: key.pem, mode 0600, in
// the directory <database>.seal (mode 0700) beside the database, as the TLS
// key is kept in TLSDir. A directory of its own, since a server on plain
// loopback HTTP or with a CA certificate has no TLSDir but seals all the same.
func SealKeyFile(dataPath string) string { return filepath.Join(dataPath+".seal", "key.pem") }

// LoadOrCreateSealKey returns the seal key kept in SealKeyFile(dataPath),
// making it on the first call (a PKCS #8 PEM file, mode 0600, in a 0700
// directory). A server keeps it for good: nodes seal to it, and a new one
// makes every file already on a stick unreadable to the server.
func LoadOrCreateSealKey(dataPath string) (*SealKey, error) {
	file := SealKeyFile(dataPath)
	data, err := os.ReadFile(file)
	if err == nil {
		b, _ := pem.Decode(data)
		if b == nil || b.Type != "PRIVATE KEY" {
			return nil, fmt.Errorf("ключ шифрования пакетов %s повреждён: нет PEM-блока PRIVATE KEY", file)
		}
		key, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("ключ шифрования пакетов %s: %w", file, err)
		}
		priv, ok := key.(*ecdh.PrivateKey)
		if !ok || priv.Curve() != ecdh.X25519() {
			return nil, fmt.Errorf("ключ шифрования пакетов %s: не X25519", file)
		}
		return &SealKey{priv: priv}, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("ключ шифрования пакетов: %w", err)
	}
	k, err := NewSealKey()
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		return nil, fmt.Errorf("ключ шифрования пакетов: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, fmt.Errorf("ключ шифрования пакетов: %w", err)
	}
	if err := atomicfile.Write(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	return k, nil
}

// ParseRecipient checks a recipient as Recipient writes it. Errors: EINVALID.
func ParseRecipient(s string) (*ecdh.PublicKey, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != sealKeySize || strings.ToLower(s) != s {
		return nil, errorf(app.EINVALID, "Неверный ключ шифрования сервера: нужно %d шестнадцатеричных знаков", 2*sealKeySize)
	}
	pub, err := ecdh.X25519().NewPublicKey(b)
	if err != nil {
		return nil, errorf(app.EINVALID, "Неверный ключ шифрования сервера: %v", err)
	}
	return pub, nil
}

// IsSealed tells a sealed batch file by its magic.
func IsSealed(b []byte) bool {
	return len(b) >= len(sealMagic) && string(b[:len(sealMagic)]) == sealMagic
}

// SealBatch encrypts a signed frame to recipient (the server's, as
// Recipient writes it). Only the server with that key can open it; anyone
// can carry it. Errors: EINVALID for a bad recipient or a frame that is not
// one, CodeTooLarge.
func SealBatch(recipient string, frame []byte) ([]byte, error) {
	pub, err := ParseRecipient(recipient)
	if err != nil {
		return nil, err
	}
	if len(frame) < headerSize || string(frame[:len(magic)]) != magic {
		return nil, errorf(app.EINVALID, "Это не пакет Kruzhok: нет заголовка %s", magic)
	}
	if len(frame) > MaxFrame {
		return nil, errorf(CodeTooLarge, "Пакет больше %d МиБ", MaxCompressed>>20)
	}
	hpub, err := hpke.NewDHKEMPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	head := make([]byte, 0, sealHeaderSize)
	head = append(head, sealMagic...)
	head = append(head, frame[len(magic):len(magic)+ed25519.PublicKeySize]...)
	head = append(head, pub.Bytes()...)
	kdf, aead := sealSuite()
	enc, sender, err := hpke.NewSender(hpub, kdf, aead, sealContext(head))
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	if len(enc) != sealKeySize {
		return nil, fmt.Errorf("seal: encapsulated key of %d bytes", len(enc))
	}
	ct, err := sender.Seal(nil, frame)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	out := make([]byte, 0, sealHeaderSize+len(ct))
	out = append(append(append(out, head...), enc...), ct...)
	return out, nil
}

// sealContext is the HPKE info: the version and the clear header, so that a
// changed node key or recipient fails the decryption.
func sealContext(head []byte) []byte {
	return append([]byte(sealInfo), head[:len(sealMagic)+ed25519.PublicKeySize+sealKeySize]...)
}

// SealedHeader reads the clear part of a sealed file: the node's key and
// the recipient it was sealed to (hex). It decrypts nothing: a courier's
// machine, which has no key, uses it to say whose file it carries. Errors:
// EINVALID.
func SealedHeader(sealed []byte) (ed25519.PublicKey, string, error) {
	if len(sealed) < sealHeaderSize+sealTagSize || !IsSealed(sealed) {
		return nil, "", errorf(app.EINVALID, "Это не зашифрованный пакет Kruzhok: нет заголовка %s", sealMagic)
	}
	o := len(sealMagic)
	pub := ed25519.PublicKey(bytes.Clone(sealed[o : o+ed25519.PublicKeySize]))
	o += ed25519.PublicKeySize
	return pub, hex.EncodeToString(sealed[o : o+sealKeySize]), nil
}

// checkSealedHead judges the clear header of a sealed file for key k before
// anything else is read: a server without a key, or a file sealed to another
// key, is refused. Errors: EINVALID, ECONFLICT (another server's file).
func checkSealedHead(k *SealKey, head []byte) error {
	if k == nil {
		return errorf(app.EINVALID, "Сервер не принимает зашифрованные файлы пакетов: у него нет ключа шифрования")
	}
	o := len(sealMagic) + ed25519.PublicKeySize
	if !bytes.Equal(head[o:o+sealKeySize], k.priv.PublicKey().Bytes()) {
		return errorf(app.ECONFLICT, "Файл пакета зашифрован для другого сервера (ключ %s…, у этого сервера %s…): "+
			"доставьте его на сервер, к которому подключён узел", hex.EncodeToString(head[o:o+8]), k.Recipient()[:16])
	}
	return nil
}

// OpenSealed decrypts a sealed file with k and returns the node's key in
// clear and the signed frame inside, unverified: the caller decodes it
// (DecodeBatch) and checks that its key is the one in clear. Errors:
// EINVALID, ECONFLICT (sealed to another key), CodeTooLarge, CodeUnauthorized
// (the file was changed or not sealed to k).
func OpenSealed(k *SealKey, sealed []byte) (ed25519.PublicKey, []byte, error) {
	pub, _, err := SealedHeader(sealed)
	if err != nil {
		return nil, nil, err
	}
	if len(sealed) > MaxSealed {
		return nil, nil, errorf(CodeTooLarge, "Пакет больше %d МиБ", MaxCompressed>>20)
	}
	if err := checkSealedHead(k, sealed[:sealHeaderSize]); err != nil {
		return nil, nil, err
	}
	sealOpens.Add(1)
	hpriv, err := hpke.NewDHKEMPrivateKey(k.priv)
	if err != nil {
		return nil, nil, fmt.Errorf("open sealed: %w", err)
	}
	kdf, aead := sealSuite()
	enc := sealed[sealHeaderSize-sealKeySize : sealHeaderSize]
	r, err := hpke.NewRecipient(enc, hpriv, kdf, aead, sealContext(sealed[:sealHeaderSize]))
	if err != nil {
		return nil, nil, errorf(CodeUnauthorized, "Зашифрованный пакет повреждён или подделан")
	}
	frame, err := r.Open(nil, sealed[sealHeaderSize:])
	if err != nil {
		return nil, nil, errorf(CodeUnauthorized, "Зашифрованный пакет повреждён или подделан")
	}
	return pub, frame, nil
}

// OpenSealedBatch opens a sealed file with k and decodes the frame inside
// (DecodeBatch), whose key must be the one in clear. Errors: those of
// OpenSealed and DecodeBatch, SCOPE_FORBIDDEN for a frame of another key.
func OpenSealedBatch(k *SealKey, sealed []byte) (ed25519.PublicKey, Batch, error) {
	pub, frame, err := OpenSealed(k, sealed)
	if err != nil {
		return nil, Batch{}, err
	}
	key, b, err := DecodeBatch(frame)
	if err != nil {
		return nil, Batch{}, err
	}
	if !key.Equal(pub) {
		return nil, Batch{}, errorf(app.SCOPE_FORBIDDEN, "Пакет внутри подписан не тем ключом, что указан снаружи")
	}
	return pub, b, nil
}
