package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/handoffbot/handoffbot/domain"
)

type keyRow struct {
	ID         int64      `db:"id"`
	Name       string     `db:"name"`
	Rate       float64    `db:"rate"`
	Burst      int        `db:"burst"`
	CreatedAt  time.Time  `db:"created_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

func (r keyRow) key() domain.APIKey {
	return domain.APIKey{ID: r.ID, Name: r.Name, Rate: r.Rate, Burst: r.Burst,
		CreatedAt: utc(r.CreatedAt), LastUsedAt: utcp(r.LastUsedAt), RevokedAt: utcp(r.RevokedAt)}
}

const keyColumns = `id, name, rate, burst, created_at, last_used_at, revoked_at`

// CreateKey stores a new intake API key by the hash of its token. A name
// in use by a live key is an ECONFLICT; a bad name EINVALID.
func (s *DB) CreateKey(ctx context.Context, name, hash string, at time.Time) (domain.APIKey, error) {
	var r keyRow
	err := s.db.GetContext(ctx, &r, `INSERT INTO api_keys (name, hash, created_at) VALUES ($1, $2, $3)
		RETURNING `+keyColumns, name, hash, at)
	if err != nil {
		err = mapError(fmt.Errorf("create key: %w", err))
		switch domain.ErrorCode(err) {
		case domain.ECONFLICT:
			return domain.APIKey{}, errors.Join(domain.Errorf(domain.ECONFLICT, "A key named %q exists already; revoke it first or pick another name.", name), err)
		case domain.EINVALID:
			return domain.APIKey{}, errors.Join(domain.Errorf(domain.EINVALID,
				"A key's name is 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit."), err)
		}
		return domain.APIKey{}, err
	}
	return r.key(), nil
}

// Keys lists every key, live ones first, oldest first.
func (s *DB) Keys(ctx context.Context) ([]domain.APIKey, error) {
	var rows []keyRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+keyColumns+` FROM api_keys
		ORDER BY revoked_at IS NOT NULL, created_at, id`); err != nil {
		return nil, mapError(fmt.Errorf("list keys: %w", err))
	}
	keys := make([]domain.APIKey, len(rows))
	for i, r := range rows {
		keys[i] = r.key()
	}
	return keys, nil
}

// RevokeKey revokes the live key named name; ENOTFOUND when there is none.
func (s *DB) RevokeKey(ctx context.Context, name string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL`, name, at)
	if err != nil {
		return mapError(fmt.Errorf("revoke key: %w", err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return mapError(fmt.Errorf("revoke key: %w", err))
	} else if n == 0 {
		return domain.Errorf(domain.ENOTFOUND, "No live key is named %q (`handoffbot keys list` shows them).", name)
	}
	return nil
}

// keyUseEvery is how often a key's last use is written: `keys list` shows
// it to the minute, and a busy key should not write a row per request.
const keyUseEvery = time.Minute

// KeyByHash finds the live key whose token hashes to hash, noting that it
// was used at; ENOTFOUND for an unknown or revoked key.
func (s *DB) KeyByHash(ctx context.Context, hash string, at time.Time) (domain.APIKey, error) {
	var r keyRow
	err := s.db.GetContext(ctx, &r, `WITH k AS (
			SELECT `+keyColumns+` FROM api_keys WHERE hash = $1 AND revoked_at IS NULL),
		used AS (
			UPDATE api_keys a SET last_used_at = $2::timestamptz FROM k
			WHERE a.id = k.id AND (a.last_used_at IS NULL OR a.last_used_at < $2::timestamptz - make_interval(secs => $3)))
		SELECT `+keyColumns+` FROM k`, hash, at, keyUseEvery.Seconds())
	if errors.Is(err, sql.ErrNoRows) {
		return domain.APIKey{}, domain.Errorf(domain.ENOTFOUND, "Unknown or revoked API key.")
	}
	return r.key(), mapError(wrap("find key", err))
}
