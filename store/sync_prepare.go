package store

import (
	"fmt"
	"time"

	"kruzhok/app"
)

// prepared is the part of a push batch's work that needs no state: the
// commands of its new ops decoded, and the journal's frame of those ops
// (encoded and compressed). A goroutine of its own does it while ApplyRemote
// runs the ops, so on a machine of two cores the server's apply waits for
// neither (docs/SYNC.md "Write-back of a batch").
type prepared struct {
	cmds   []app.Command
	errs   []error
	chunks chan int // how many ops are decoded, sent after each chunk
	have   int      // the most the receiver has heard of
	frame  chan preparedFrame
}

type preparedFrame struct {
	z   []byte
	err error
}

// prepareChunk is how many ops the goroutine decodes between reports.
const prepareChunk = 128

// prepare starts the preparation of ops, the new ops of node's batch run at
// now. Everything it sends goes through buffered channels, so a batch that
// aborts leaves nothing blocked.
func prepare(node string, ops []app.Op, now time.Time) *prepared {
	p := &prepared{
		cmds:   make([]app.Command, len(ops)),
		errs:   make([]error, len(ops)),
		chunks: make(chan int, len(ops)/prepareChunk+1),
		frame:  make(chan preparedFrame, 1),
	}
	go p.run(node, ops, now)
	return p
}

func (p *prepared) run(node string, ops []app.Op, now time.Time) {
	for i, op := range ops {
		p.cmds[i], p.errs[i] = decodeSafe(op)
		if (i+1)%prepareChunk == 0 || i+1 == len(ops) {
			p.chunks <- i + 1
		}
	}
	jops := make([]journalOp, len(ops))
	for i, op := range ops {
		jops[i] = journalOpOf(op, p.errs[i] == nil)
	}
	z, err := compressJournalOps(node, jops, now)
	p.frame <- preparedFrame{z, err}
}

// decodeSafe is commandDecoder, turning a panic into an EINVALID error: it
// runs on a goroutine of its own, where a panic would end the server.
func decodeSafe(op app.Op) (cmd app.Command, err error) {
	if len(op.Payload) > MaxOpPayload {
		return nil, app.Errorf(app.TOO_LARGE, "Данные операции «%s» — %d байт, больше предела %d", op.Type, len(op.Payload), MaxOpPayload)
	}
	defer func() {
		if r := recover(); r != nil {
			cmd, err = nil, app.Errorf(app.EINVALID, "Неверные данные операции «%s»: %s", op.Type, ClipText(fmt.Sprint(r), 100))
		}
	}()
	return commandDecoder(op.Type, op.Payload)
}

// command is the decoded command of op i (or why it did not decode),
// waiting for it if need be.
func (p *prepared) command(i int) (app.Command, error) {
	for i >= p.have {
		p.have = <-p.chunks
	}
	return p.cmds[i], p.errs[i]
}

// journal is the stored journal value of the ops with their results rs,
// waiting for the frame of the ops if need be.
func (p *prepared) journal(rs []Result) ([]byte, error) {
	f := <-p.frame
	if f.err != nil {
		return nil, f.err
	}
	if len(rs) != len(p.cmds) {
		return nil, fmt.Errorf("store: journal of %d ops with %d results", len(p.cmds), len(rs))
	}
	return compressJournalEnd(f.z, rs)
}
