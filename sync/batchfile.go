package sync

import (
	"crypto/ed25519"

	"kruzhok/app"
	"kruzhok/store"
)

// ExportBatch returns the node's pending ops (outbox after the ack, at most
// MaxOps, fewer if they would not fit one frame) as one signed frame, for a
// batch file carried to any connected machine and handed to Deliver. The
// server applies it as a push from the node whose key signed it; when the node
// later syncs, the same seqs get the stored results back. Errors: ENOTFOUND
// when nothing is pending, those of EncodeBatch.
func ExportBatch(db *store.DB, priv ed25519.PrivateKey) ([]byte, error) {
	ops, err := db.PendingOps(MaxOps)
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		return nil, errorf(app.ENOTFOUND, "Нет операций для выгрузки: всё уже передано на сервер")
	}
	for n := len(ops); ; n /= 2 {
		frame, err := EncodeBatch(priv, NewBatch(db.Node(), ops[:n]))
		if app.ErrorCode(err) == CodeTooLarge && n > 1 {
			continue
		}
		return frame, err
	}
}
