package sync

import (
	"crypto/ed25519"

	"kruzhok/app"
	"kruzhok/store"
)

// ExportBatch returns the node's pending ops (outbox after the ack, at most
// MaxOps, fewer if they would not fit one frame) as one signed frame, which
// ExportSealed seals for a batch file carried to any connected machine and
// handed to Deliver; a plain frame is what nodes before sealing wrote. The
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

// ExportSealed is ExportBatch sealed (SealBatch) to the server's key that the
// node learned at join or from /v1/health: the batch file a node writes to a
// stick, which only its server can read. It returns the sealed bytes and the
// batch inside. Errors: ENOTFOUND when the node has no server key yet (it
// joined before sealed files and has not synced online since) or nothing is
// pending, those of ExportBatch and SealBatch.
func ExportSealed(db *store.DB, priv ed25519.PrivateKey) ([]byte, Batch, error) {
	cfg, err := db.SyncConfig()
	if err != nil {
		return nil, Batch{}, err
	}
	if cfg.SealRecipient == "" {
		return nil, Batch{}, errorf(app.ENOTFOUND, "Нет ключа шифрования сервера: узел подключён до того, как файлы пакетов "+
			"стали зашифрованными. Синхронизируйтесь по сети один раз (kruzhok sync --once) — узел получит ключ, — "+
			"и повторите выгрузку")
	}
	frame, err := ExportBatch(db, priv)
	if err != nil {
		return nil, Batch{}, err
	}
	_, b, err := DecodeBatch(frame)
	if err != nil {
		return nil, Batch{}, err
	}
	sealed, err := SealBatch(cfg.SealRecipient, frame)
	if err != nil {
		return nil, Batch{}, err
	}
	return sealed, b, nil
}
