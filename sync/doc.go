// Package sync implements Kruzhok's sync protocol v1 between nodes and the regional server.
//
// wire.go owns the bytes that travel: signed zstd batch frames (push bodies
// and USB batch files alike), pull pages and the small JSON messages.
// server.go serves /v1/push, /v1/pull, /v1/join and /v1/health on an
// authority database; client.go joins a node and runs one sync round on a
// node database. Every request a node makes is signed with its ed25519 key,
// and the server derives the node from that key, never from the body. The
// contract with the store is docs/SYNC.md.
package sync
