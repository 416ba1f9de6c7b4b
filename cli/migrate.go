package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/handoffbot/handoffbot/storage"
)

// migrate applies pending migrations, or with "status" lists them.
func migrate(ctx context.Context, e Env, args []string) error {
	switch {
	case len(args) == 0:
		db, err := openDB(ctx, e)
		if err != nil {
			return err
		}
		return db.Close()
	case len(args) == 1 && args[0] == "status":
		return migrateStatus(ctx, e)
	}
	return UsageError{fmt.Errorf("usage: handoffbot migrate [status]")}
}

func migrateStatus(ctx context.Context, e Env) error {
	db, err := storage.Open(ctx, e.Config.DatabaseURL, storage.MaxConns(e.Config.MaxConns))
	if err != nil {
		return err
	}
	defer db.Close()
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tAPPLIED")
	for _, m := range ms {
		applied := "pending"
		if m.AppliedAt != nil {
			applied = m.AppliedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%04d\t%s\t%s\n", m.Version, m.Name, applied)
	}
	return tw.Flush()
}
