package store_test

import (
	"fmt"
	"testing"

	"kruzhok/app"
	"kruzhok/store"
)

// putLessons stores lessons as they are: a test command that fills a scope
// fast, without the rules of the journal.
type putLessons struct{ Lessons []app.Lesson }

func (c putLessons) Op() string { return "test.PutLessons" }
func (c putLessons) Apply(tx app.Tx, _ app.Meta) error {
	for i := range c.Lessons {
		if err := tx.Put(c.Lessons[i]); err != nil {
			return err
		}
	}
	return nil
}

// benchLesson is lesson i of the provider, with ten marks.
func benchLesson(prov string, i int, mark string) app.Lesson {
	l := app.Lesson{ID: fmt.Sprintf("grp-%04d|%08d|0900", i%500, i), Group: fmt.Sprintf("grp-%04d", i%500),
		Provider: prov, Date: app.MustDate("2026-09-01") + app.Date(i%270), Start: 900, Marks: map[string]string{}}
	for k := range 10 {
		l.Marks[fmt.Sprintf("child-%06d", i*10+k)] = mark
	}
	return l
}

// BenchmarkPullUnderWrites is the pull of a provider node that is up to
// date, on a scope of n records, while the server keeps writing: each
// iteration changes one lesson of the scope (untimed), then times the pull
// of the last page, which carries that change and the scope's digest. walk
// is the digest before issue 12 (a walk over the scope: the memo of the last
// digest never hits under steady writes), kept is the accumulators. Both run
// on the same database; the untimed writes keep the accumulators in both.
func BenchmarkPullUnderWrites(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			db := openTemp(b)
			const prov = "prov-bench"
			scope := app.ProviderScope(prov)
			for i := 0; i < n; i += 1000 {
				batch := make([]app.Lesson, 0, 1000)
				for j := i; j < min(i+1000, n); j++ {
					batch = append(batch, benchLesson(prov, j, app.MarkPresent))
				}
				if _, err := db.Exec(putLessons{batch}); err != nil {
					b.Fatal(err)
				}
			}
			var cursor uint64
			for more := true; more; {
				p, err := db.Pull(scope, cursor, 0)
				if err != nil {
					b.Fatal(err)
				}
				cursor, more = p.Next, p.More
			}
			write := 0
			for _, mode := range []struct {
				name string
				old  bool
			}{{"digest=walk", true}, {"digest=kept", false}} {
				b.Run(mode.name, func(b *testing.B) {
					for range b.N {
						b.StopTimer()
						write++
						mark := []string{app.MarkAbsent, app.MarkPresent}[(write/n)%2] // not what it holds
						if _, err := db.Exec(putLessons{[]app.Lesson{benchLesson(prov, write%n, mark)}}); err != nil {
							b.Fatal(err)
						}
						restore := store.SetDigestOld(mode.old)
						b.StartTimer()
						p, err := db.Pull(scope, cursor, 0)
						if err != nil {
							b.Fatal(err)
						}
						if p.More || len(p.Changes) != 1 || p.Digest == "" {
							b.Fatalf("pull: more %v, %d changes, digest %q", p.More, len(p.Changes), p.Digest)
						}
						cursor = p.Next
						b.StopTimer()
						restore()
						b.StartTimer()
					}
				})
			}
		})
	}
}

// BenchmarkApplyRemoteDigest is BenchmarkApplyRemote (a push of 4 000 marks)
// without the accumulators (walk: writes as before issue 12) and with them
// (kept): what keeping the digests adds to a write. fsync=off leaves the CPU
// cost alone, without the disk's noise.
func BenchmarkApplyRemoteDigest(b *testing.B) {
	for _, fsync := range []bool{true, false} {
		for _, mode := range []struct {
			name string
			old  bool
		}{{"digest=walk", true}, {"digest=kept", false}} {
			name := "fsync=off/" + mode.name
			if fsync {
				name = "fsync=on/" + mode.name
			}
			b.Run(name, func(b *testing.B) {
				// Registered first, undone last: after the fixture's check.
				b.Cleanup(store.SetDigestOld(mode.old))
				benchApplyRemoteOpt(b, fsync, false)
			})
		}
	}
}

// BenchmarkDigestChange is what keeping the digests adds to one write of a
// lesson with ten marks, as the write-back's flush makes it: the old value
// decoded, two SHA-256, the region's and the provider's accumulators read
// and written. Compare it with the ns/op of a mark in BenchmarkApplyRemote.
func BenchmarkDigestChange(b *testing.B) {
	db := openTemp(b)
	l1 := benchLesson("prov-bench", 1, app.MarkPresent)
	l2 := benchLesson("prov-bench", 1, app.MarkAbsent)
	b.ResetTimer()
	if err := store.DigestChangeCost(db, b.N, l1, l2); err != nil {
		b.Fatal(err)
	}
}
