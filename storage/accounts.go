package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/handoffbot/handoffbot/domain"
)

// ImportAccounts stores accounts by domain, replacing the company and owner
// of a domain already known; all of them or none. It returns how many were
// new and how many changed.
func (s *DB) ImportAccounts(ctx context.Context, accounts []domain.Account, at time.Time) (added, changed int, err error) {
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		added, changed = 0, 0
		for _, a := range accounts {
			var inserted bool
			err := tx.GetContext(ctx, &inserted, `INSERT INTO accounts (domain, company, owner, updated_at)
				VALUES ($1, $2, $3, $4) ON CONFLICT (domain) DO UPDATE
				SET company = EXCLUDED.company, owner = EXCLUDED.owner, updated_at = EXCLUDED.updated_at
				WHERE (accounts.company, accounts.owner) IS DISTINCT FROM (EXCLUDED.company, EXCLUDED.owner)
				RETURNING xmax = 0`, a.Domain, a.Company, a.Owner, at)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				continue // unchanged
			case err != nil:
				return fmt.Errorf("import account %s: %w", a.Domain, err)
			case inserted:
				added++
			default:
				changed++
			}
		}
		return nil
	})
	return added, changed, err
}

// Account is the account of an email domain; ENOTFOUND when none is known.
func (s *DB) Account(ctx context.Context, domainName string) (domain.Account, error) {
	var a struct {
		Domain  string `db:"domain"`
		Company string `db:"company"`
		Owner   string `db:"owner"`
	}
	err := s.db.GetContext(ctx, &a, `SELECT domain, company, owner FROM accounts WHERE domain = $1`, domainName)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Account{}, domain.Errorf(domain.ENOTFOUND, "No account is known for %s.", domainName)
	}
	return domain.Account{Domain: a.Domain, Company: a.Company, Owner: a.Owner}, mapError(wrap("account", err))
}
