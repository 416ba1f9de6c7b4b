package handoffcsv

import (
	"bytes"
	"io"
	"testing"

	"github.com/handoffbot/handoffbot/handoffcsv/csvtest"
)

// BenchmarkRead10k: parse and validate an export of 10,000 varied handoffs.
func BenchmarkRead10k(b *testing.B) {
	data := mustWrite(b, csvtest.Sample(10_000, 1))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rows, _, err := Read(bytes.NewReader(data))
		if err != nil || len(rows) != 10_000 {
			b.Fatalf("Read = %d rows, %v", len(rows), err)
		}
	}
}

// BenchmarkWrite10k: export 10,000 varied handoffs.
func BenchmarkWrite10k(b *testing.B) {
	hs := csvtest.Sample(10_000, 1)
	b.ReportAllocs()
	for b.Loop() {
		w := NewWriter(io.Discard)
		for _, h := range hs {
			if err := w.Write(h); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}
