package pglocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// cluster is a throwaway cluster this package started: its binaries, its
// files and whether its server is up, so it can be taken down and brought
// back like a real database restart.
type cluster struct {
	bin, dir, data, opts string
	owner                owner

	mu      sync.Mutex
	running bool
}

// ErrNotOwned is returned by Halt and Restart for a server this package
// did not start: a shared server is never taken down by a test.
var ErrNotOwned = errors.New("pglocal: only a throwaway cluster started by Start can be halted or restarted")

// Halt stops the server at once, as a crash or an operator's immediate
// shutdown would: clients' connections are cut mid-flight and
// uncommitted transactions are lost, but the data stays for Restart.
// Fault tests use it to take the database away from a running bot.
func (s *Server) Halt(ctx context.Context) error {
	if s.cluster == nil {
		return ErrNotOwned
	}
	return s.cluster.halt(ctx)
}

// Restart starts a halted server again on the same port and waits until
// it accepts connections (after crash recovery), so the same URL works.
func (s *Server) Restart(ctx context.Context) error {
	if s.cluster == nil {
		return ErrNotOwned
	}
	return s.cluster.start(ctx)
}

func (c *cluster) start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return nil
	}
	if err := c.pg(ctx, "pg_ctl", "-D", c.data, "-o", c.opts, "-l", filepath.Join(c.dir, "log"), "-w", "start"); err != nil {
		return err
	}
	c.running = true
	return nil
}

func (c *cluster) halt(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.running {
		return nil
	}
	if err := c.pg(ctx, "pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop"); err != nil {
		return err
	}
	c.running = false
	return nil
}

// remove stops the server if it runs and deletes the cluster's files.
func (c *cluster) remove() error {
	err := c.halt(context.Background())
	return errors.Join(err, os.RemoveAll(c.dir))
}

// pg runs one of the server's programs as the cluster's owner.
func (c *cluster) pg(ctx context.Context, program string, args ...string) error {
	cmd := c.owner.command(ctx, append([]string{filepath.Join(c.bin, program)}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", program, err, out)
	}
	return nil
}
