package storagetest

import (
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// Wire counts what a client says to Postgres, measured on the wire
// between them: round trips (each time the client speaks after Postgres
// has answered, however many messages it sends at once) and statements
// (each Execute of the extended protocol and each simple Query).
type Wire struct {
	RoundTrips atomic.Int64
	Statements atomic.Int64
}

// Reset starts counting afresh.
func (w *Wire) Reset() {
	w.RoundTrips.Store(0)
	w.Statements.Store(0)
}

// WireProxy starts a proxy in front of the Postgres server of dbURL and
// returns the URL to connect through it, and its counters. The URL must
// not ask for TLS (the proxy reads the protocol in clear).
func WireProxy(tb testing.TB, dbURL string) (string, *Wire) {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	w := &Wire{}
	upstream := u.Host
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go w.relay(c, upstream)
		}
	}()
	u.Host = ln.Addr().String()
	return u.String(), w
}

// relay carries one connection both ways, counting the client's side.
func (w *Wire) relay(client net.Conn, upstream string) {
	defer client.Close()
	server, err := net.Dial("tcp", upstream)
	if err != nil {
		return
	}
	defer server.Close()
	var answered atomic.Bool // Postgres has spoken since the client last did
	answered.Store(true)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer server.Close()
		w.readClient(io.TeeReader(client, server), &answered)
	})
	wg.Go(func() {
		defer client.Close()
		buf := make([]byte, 32<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 {
				answered.Store(true)
				if _, werr := client.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	})
	wg.Wait()
}

// readClient reads the client's messages (a startup message without a
// type byte, then typed ones) and counts them.
func (w *Wire) readClient(r io.Reader, answered *atomic.Bool) {
	var head [5]byte
	if _, err := io.ReadFull(r, head[:4]); err != nil {
		return
	}
	if _, err := io.CopyN(io.Discard, r, int64(binary.BigEndian.Uint32(head[:4]))-4); err != nil {
		return
	}
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return
		}
		if answered.Swap(false) {
			w.RoundTrips.Add(1)
		}
		if head[0] == 'E' || head[0] == 'Q' {
			w.Statements.Add(1)
		}
		if _, err := io.CopyN(io.Discard, r, int64(binary.BigEndian.Uint32(head[1:]))-4); err != nil {
			return
		}
	}
}
