package keys

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds the key-file decoder arbitrary bytes: it must not panic,
// and whatever it accepts must be within the bounds, so that an unlock of a
// hostile file does bounded work. Seeds are in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		kf, err := decode(b)
		if err != nil {
			if kf != nil {
				t.Fatal("a file with an error")
			}
			return
		}
		if len(b) > MaxFileSize {
			t.Fatalf("accepted %d bytes", len(b))
		}
		if kf.KDF == KDFArgon2id && (kf.Params.Time > maxTime || kf.Params.Memory > maxMemory || kf.Params.Threads > maxThreads) {
			t.Fatalf("accepted parameters %+v", kf.Params)
		}
		if len(kf.Wrapped) != wrappedLen || len(kf.Nonce) != 24 || len(kf.Salt) < saltSize {
			t.Fatalf("accepted lengths %d %d %d", len(kf.Wrapped), len(kf.Nonce), len(kf.Salt))
		}
		// The cheap secret kind never runs argon2: only a file that wants a raw key is unwrapped here.
		if kf.KDF == KDFHKDF {
			_, _ = unwrap(b, Secret{raw: bytes.Repeat([]byte{1}, KeySize)}) // the rawkey seed opens; others must not panic
		}
	})
}
