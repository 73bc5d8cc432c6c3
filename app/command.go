package app

import (
	"sort"
)

// Meta is what the store tells a command about where and when it runs.
type Meta struct {
	Node      string // the node executing the command
	Today     Date   // the executing node's calendar date
	Authority bool   // this database decides scarce resources (server, standalone region)
	Scope     string // the scope of the node that issued the command
	Time      int64  // the executing database's clock, unix seconds (throttling windows)
}

// authorityOnly refuses a command that only the authority may run (the
// server's jobs); a node records nothing for it.
func authorityOnly(m Meta, what string) error {
	if !m.Authority {
		return Errorf(AUTHORITY_ONLY, "%s выполняет только РМЦ (сервер региона)", what)
	}
	return nil
}

// Command is a change request. Apply validates it against tx with the rules of
// RULES.md and writes its effect through tx; an error leaves tx to be rolled
// back. A command carries every ID it creates, so applying the same command on
// the server repeats the node's effect.
type Command interface {
	// Op is the stable op type name under which the command is stored and synced.
	Op() string
	Apply(tx Tx, m Meta) error
}

// Op is a command as it travels: identity (node, seq), a hybrid logical clock
// stamp, its type and encoded payload.
type Op struct {
	Node    string
	Seq     uint64
	HLC     uint64
	Type    string
	Payload []byte
}

var registry = map[string]func() Command{}

func register(f func() Command) { registry[f().Op()] = f }

// RegisterCommand adds a command type to the registry of op types, for
// commands defined outside app (tests of the storage and sync machinery),
// with the row of the authorization table that judges it when a node pushes
// it. Registering an op type twice panics.
func RegisterCommand(f func() Command, p Permission) {
	if _, dup := registry[f().Op()]; dup {
		panic("app: op type registered twice: " + f().Op())
	}
	register(f)
	p.Op = f().Op()
	RegisterPermission(p)
}

// NewCommand returns a zero command of the op type, or false for an unknown type.
func NewCommand(op string) (Command, bool) {
	f, ok := registry[op]
	if !ok {
		return nil, false
	}
	return f(), true
}

// OpTypes lists every known op type, sorted.
func OpTypes() []string {
	var out []string
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Store is what the UI, importers, jobs and the server hold: the one write path
// (Exec) and read-only views.
type Store interface {
	// Exec applies cmd and records it as an op in the outbox, in one
	// transaction; on error nothing changes and the error carries the code.
	Exec(cmd Command) (Op, error)
	// View runs fn against a consistent read-only snapshot.
	View(fn func(r Reader) error) error
	// Scope is the node's scope: "region", "municipality:27" or "provider:<id>".
	Scope() string
}
