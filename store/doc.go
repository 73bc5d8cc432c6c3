// Package store keeps Kruzhok's data in an embedded bbolt database: records,
// indexes, the outbox of ops, and migrations.
//
// The layout of every bucket is in schema.go, the encoding of every stored
// value in codec.go. DB.Exec is the one write path: it runs an app.Command
// against a Tx view of one bbolt write transaction and appends the command as
// an op to the outbox in that same transaction, so no crash can separate a
// change from its op.
package store
