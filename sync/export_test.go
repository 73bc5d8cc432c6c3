package sync

import "crypto/ecdh"

// SealOpens is how many sealed files the process has tried to decrypt.
func SealOpens() int64 { return sealOpens.Load() }

// SealKeyOf is the seal key with the X25519 private key b (32 bytes), for
// fuzz seeds that must open the same way on every run.
func SealKeyOf(b []byte) *SealKey {
	k, err := ecdh.X25519().NewPrivateKey(b)
	if err != nil {
		panic(err)
	}
	return &SealKey{priv: k}
}
