package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/handoffbot/handoffbot/domain"
	"github.com/handoffbot/handoffbot/routing"
)

// routingCmd is `handoffbot routing check FILE | routing explain [lead]`.
func routingCmd(ctx context.Context, e Env, args []string) error {
	switch {
	case len(args) == 2 && args[0] == "check":
		return routingCheck(e, args[1])
	case len(args) >= 1 && args[0] == "explain":
		return routingExplain(ctx, e, args[1:])
	}
	return UsageError{errors.New("usage: handoffbot routing check FILE | routing explain [--direction … --country … | --json '{…}']")}
}

// routingCheck prints the rules as the bot reads them, or every problem
// of the file with its line; a bad file fails the command.
func routingCheck(e Env, file string) error {
	rules, err := readRules(file)
	if err != nil {
		return err
	}
	fmt.Fprint(e.Out, rules.Describe())
	for _, w := range rules.Warnings {
		fmt.Fprintf(e.Out, "warning: %s:%s\n", file, w)
	}
	return nil
}

// readRules reads and validates a routing file.
func readRules(file string) (*routing.Rules, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("routing rules: %w", err)
	}
	return routing.Parse(file, data)
}

// accountsCmd is `handoffbot accounts import FILE.csv`: account owners by
// email domain, all rows or none.
func accountsCmd(ctx context.Context, e Env, args []string) error {
	if len(args) != 2 || args[0] != "import" {
		return UsageError{errors.New("usage: handoffbot accounts import FILE.csv (columns: domain, company, owner)")}
	}
	f, err := os.Open(args[1])
	if err != nil {
		return fmt.Errorf("accounts import: %w", err)
	}
	defer f.Close()
	read, err := routing.ReadAccounts(args[1], f)
	if err != nil {
		return fmt.Errorf("accounts import: nothing imported: %w", err)
	}
	accounts := make([]domain.Account, len(read))
	for i, a := range read {
		accounts[i] = domain.Account{Domain: a.Domain, Company: a.Company, Owner: a.Owner}
	}
	db, err := openDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	added, changed, err := db.ImportAccounts(ctx, accounts, e.Clock.Now())
	if err != nil {
		return fmt.Errorf("accounts import: nothing imported: %w", err)
	}
	_, err = fmt.Fprintf(e.Out, "Imported %s: %d new, %d changed, %d unchanged.\n", args[1], added, changed, len(accounts)-added-changed)
	return err
}

// routingExplain says where a lead would go and why, changing nothing.
func routingExplain(ctx context.Context, e Env, args []string) error {
	return errors.New("routing explain: not wired yet")
}
