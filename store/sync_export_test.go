package store

import (
	"time"

	"kruzhok/app"
)

// SetCommandDecoder makes ApplyRemote and Rebase rebuild commands with f (the
// tests' own commands besides app's) until the returned func restores it.
func SetCommandDecoder(f func(op string, payload []byte) (app.Command, error)) (restore func()) {
	old := commandDecoder
	commandDecoder = f
	return func() { commandDecoder = old }
}

// SetPageExamine bounds the feed entries one Pull page examines until the
// returned func restores it.
func SetPageExamine(n int) (restore func()) {
	old := pageExamine
	pageExamine = n
	return func() { pageExamine = old }
}

// JournalValue decodes a stored journal value into its entries.
var JournalValue = journalOps

// JournalBatchValue is the stored value of a batch of ops of node, rs their
// results, run at now.
func JournalBatchValue(node string, ops []app.Op, rs []Result, now time.Time) ([]byte, error) {
	jops := make([]journalOp, len(ops))
	for i, op := range ops {
		jops[i] = journalOpOf(op, false)
	}
	z, err := compressJournalOps(node, jops, now)
	if err != nil {
		return nil, err
	}
	return compressJournalEnd(z, rs)
}

// DecompressJournal is the encoded form of a stored journal value.
var DecompressJournal = decompressJournal
