package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/handoffbot/handoffbot/intake"
	"github.com/handoffbot/handoffbot/storage"
)

// keys is `handoffbot keys create NAME | list | revoke NAME`: the intake
// API's keys. A new key is printed once, alone on the last line of stdout;
// only its hash is stored.
func keys(ctx context.Context, e Env, args []string) error {
	usage := UsageError{errors.New("usage: handoffbot keys create NAME | keys list | keys revoke NAME")}
	if len(args) == 0 {
		return usage
	}
	db, err := openDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	now := e.Clock.Now()
	switch {
	case args[0] == "create" && len(args) == 2:
		token, hash := intake.NewToken()
		k, err := db.CreateKey(ctx, args[1], hash, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Out, "Created key %q (%g requests/s, bursts of %d). Store it now: it is not shown again.\n%s\n",
			k.Name, k.Rate, k.Burst, token)
		return nil
	case args[0] == "list" && len(args) == 1:
		return listKeys(ctx, e, db)
	case args[0] == "revoke" && len(args) == 2:
		if err := db.RevokeKey(ctx, args[1], now); err != nil {
			return err
		}
		fmt.Fprintf(e.Out, "Revoked key %q: it is refused from now on.\n", args[1])
		return nil
	}
	return usage
}

// listKeys prints every key: name, when created and last used, and
// whether it was revoked.
func listKeys(ctx context.Context, e Env, db *storage.DB) error {
	ks, err := db.Keys(ctx)
	if err != nil {
		return err
	}
	if len(ks) == 0 {
		_, err := fmt.Fprintln(e.Out, "No keys yet: `handoffbot keys create NAME` makes one.")
		return err
	}
	tw := tabwriter.NewWriter(e.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCREATED\tLAST USED\tREVOKED")
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04")
	}
	for _, k := range ks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.Name, day(&k.CreatedAt), day(k.LastUsedAt), day(k.RevokedAt))
	}
	return tw.Flush()
}
