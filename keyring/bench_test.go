package keyring

import (
	"context"
	"path/filepath"
	"testing"
)

// benchmarkSetGet measures one Set plus one Get of a session-sized secret.
func benchmarkSetGet(b *testing.B, store Store) {
	ctx := context.Background()
	key := uniqueKey(b, store, "bench")
	const secret = "abcdefghij-0123456789012345678901"
	b.ResetTimer()
	for b.Loop() {
		if err := store.Set(ctx, key, secret); err != nil {
			b.Fatal(err)
		}
		if _, err := store.Get(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOSKeyringSetGet(b *testing.B) { benchmarkSetGet(b, requireOSKeyring(b)) }

func BenchmarkOSKeyringProbe(b *testing.B) {
	store := requireOSKeyring(b)
	for b.Loop() {
		if err := Probe(context.Background(), store); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFileStoreSetGet(b *testing.B) {
	benchmarkSetGet(b, NewFile(filepath.Join(b.TempDir(), "secrets.json")))
}

func BenchmarkMemoryStoreSetGet(b *testing.B) { benchmarkSetGet(b, NewMemory()) }
