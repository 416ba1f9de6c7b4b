// Package pglocal finds a Postgres server to use for tests and the demo, or
// starts a throwaway one from the Postgres binaries installed on the machine,
// so that `go test ./...` and `handoffbot demo` need no setup beyond Postgres
// being installed.
package pglocal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/lib/pq"
)

// Server is a Postgres server on which databases can be created.
type Server struct {
	// URL connects to the server's maintenance database as a superuser.
	URL     string
	stop    func() error
	cluster *cluster // nil for a server that was found running
}

// HowToInstall is the advice given when no server can be found or started.
const HowToInstall = `no PostgreSQL server found: set TEST_DATABASE_URL (or DATABASE_URL) to a server ` +
	`where the user may create databases, run one on localhost:5432, or install the server binaries ` +
	`(Debian/Ubuntu: apt-get install postgresql) so a throwaway cluster can be started`

// Find returns the server named by TEST_DATABASE_URL or DATABASE_URL, else
// one answering on localhost:5432, else a throwaway cluster started with
// initdb and pg_ctl. Stop it when done (a found server is left running).
func Find(ctx context.Context) (*Server, error) {
	for _, name := range []string{"TEST_DATABASE_URL", "DATABASE_URL"} {
		if u := os.Getenv(name); u != "" {
			if err := ping(ctx, u); err != nil {
				return nil, fmt.Errorf("%s is set but the server does not answer: %w", name, err)
			}
			return &Server{URL: u, stop: noop}, nil
		}
	}
	const local = "postgres://localhost:5432/postgres?sslmode=disable"
	if ping(ctx, local) == nil {
		return &Server{URL: local, stop: noop}, nil
	}
	return Start(ctx)
}

func noop() error { return nil }

// Stop shuts a throwaway cluster down and deletes its files.
func (s *Server) Stop() error {
	return s.stop()
}

// DatabaseURL is s.URL pointed at database name.
func (s *Server) DatabaseURL(name string) string {
	u, err := url.Parse(s.URL)
	if err != nil || u.Scheme == "" {
		// A key=value DSN: a later dbname wins.
		return s.URL + " dbname=" + name
	}
	u.Path = "/" + name
	return u.String()
}

// ping connects to dsn. A dsn that does not parse is refused without the
// parser's words, which quote it, password and all.
func ping(ctx context.Context, dsn string) error {
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return errors.New("not a postgres:// URL or key=value connection string")
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// Start initialises a cluster in a temporary directory and starts it on a
// free port, listening on loopback and a socket in that directory. As root it
// runs the server as the postgres user, because Postgres refuses root.
func Start(ctx context.Context) (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "handoffbot-pg-")
	if err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	owner, err := clusterOwner(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c := &cluster{bin: bin, dir: dir, data: filepath.Join(dir, "data"), owner: owner,
		opts: fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", port, dir)}
	if err := c.pg(ctx, "initdb", "-D", c.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	if err := c.start(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	return &Server{URL: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port), stop: c.remove, cluster: c}, nil
}

// binDir finds initdb on PATH or in Debian's versioned directories, newest first.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New(HowToInstall)
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// owner runs the cluster's commands, as the postgres user when we are root.
type owner struct{ asUser string }

func clusterOwner(dir string) (owner, error) {
	if os.Geteuid() != 0 {
		return owner{}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return owner{}, fmt.Errorf("running as root, Postgres must run as another user, and there is no postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return owner{}, fmt.Errorf("give %s to postgres: %w", dir, err)
	}
	return owner{asUser: "postgres"}, nil
}

func (o owner) command(ctx context.Context, args ...string) *exec.Cmd {
	if o.asUser == "" {
		return exec.CommandContext(ctx, args[0], args[1:]...)
	}
	return exec.CommandContext(ctx, "runuser", append([]string{"-u", o.asUser, "--"}, args...)...)
}
