package bench

import (
	"encoding/binary"
	"fmt"
	"os"
	"time"

	"go.etcd.io/bbolt"
)

// BarePuts is the bare bbolt figure: puts per second of n puts (8-byte
// big-endian sequential keys, 128-byte values) in transactions of perTx,
// with fsync, into a new file at path that it removes after.
func BarePuts(path string, n, perTx int) (float64, error) {
	defer os.Remove(path)
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: 2 * time.Second, FreelistType: bbolt.FreelistMapType})
	if err != nil {
		return 0, fmt.Errorf("bare bbolt: %w", err)
	}
	defer db.Close()
	val := make([]byte, 128)
	for i := range val {
		val[i] = byte(i * 7)
	}
	name := []byte("bench")
	t := time.Now()
	for done := 0; done < n; {
		err := db.Update(func(tx *bbolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			for i := 0; i < perTx && done < n; i++ {
				var k [8]byte
				binary.BigEndian.PutUint64(k[:], uint64(done))
				if err := b.Put(k[:], val); err != nil {
					return err
				}
				done++
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("bare bbolt: %w", err)
		}
	}
	return float64(n) / time.Since(t).Seconds(), nil
}
