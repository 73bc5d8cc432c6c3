// Package app is the domain of Kruzhok: the entities of personalised additional
// education (ПФДО), the rules of RULES.md with their error codes, and the
// commands that are the only way to change data.
//
// A command validates itself against a Tx, the read-write view of one storage
// transaction, and writes its effect through that same Tx; the store records the
// command as an op in its outbox in the same transaction. The package imports the
// standard library only.
package app
