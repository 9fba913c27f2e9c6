package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
)

// systemReviewer signs the verdicts the store records itself.
const systemReviewer = "listingscan"

// basis is what a verdict was given on: the content digests of the
// finding's listings at the time. A dismissal holds while the basis does.
func basis(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, findingID string) (string, error) {
	var b string
	err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT digest FROM listings WHERE id = f.listing_id), '') || '|' ||
		COALESCE((SELECT digest FROM listings WHERE id = f.other_listing_id), '')
		FROM findings f WHERE f.id = ?`, findingID).Scan(&b)
	return b, err
}

// reopenIfChanged reopens a dismissed finding whose listings changed since
// the dismissal, and records why.
func reopenIfChanged(ctx context.Context, tx *sql.Tx, findingID string) (bool, error) {
	var then string
	err := tx.QueryRowContext(ctx, `SELECT basis FROM verdicts WHERE finding_id = ? ORDER BY seq DESC LIMIT 1`, findingID).Scan(&then)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // dismissed by an older version of the store: keep it
	}
	if err != nil {
		return false, fmt.Errorf("verdicts of %s: %w", findingID, err)
	}
	now, err := basis(ctx, tx, findingID)
	if err != nil {
		return false, fmt.Errorf("listings of %s: %w", findingID, err)
	}
	if now == then {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE findings SET status = 'open' WHERE id = ?`, findingID); err != nil {
		return false, fmt.Errorf("reopen %s: %w", findingID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO verdicts(finding_id, status, reviewer, note, at, basis) VALUES(?,?,?,?,?,?)`,
		findingID, string(listing.Reopened), systemReviewer, "a listing changed since it was dismissed",
		time.Now().UTC().Format(timeLayout), now)
	if err != nil {
		return false, fmt.Errorf("record reopening of %s: %w", findingID, err)
	}
	return true, nil
}

// Finding returns one finding.
func (s *Store) Finding(ctx context.Context, id string) (listing.Finding, error) {
	rows, err := s.db.QueryContext(ctx, findingColumns+` WHERE id = ?`, id)
	if err != nil {
		return listing.Finding{}, fmt.Errorf("sqlite %s: finding %s: %w", s.path, id, err)
	}
	fs, err := s.scanFindings(rows)
	if err != nil {
		return listing.Finding{}, err
	}
	if len(fs) == 0 {
		return listing.Finding{}, fmt.Errorf("finding %s: %w", id, indexer.ErrNotFound)
	}
	return fs[0], nil
}

// SetVerdict records a verdict and sets the finding's status.
func (s *Store) SetVerdict(ctx context.Context, v listing.Verdict) (listing.Finding, error) {
	status, err := indexer.VerdictStatus(v)
	if err != nil {
		return listing.Finding{}, err
	}
	at := v.At
	if at.IsZero() {
		at = time.Now()
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE findings SET status = ? WHERE id = ?`, string(status), v.FindingID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("finding %s: %w", v.FindingID, indexer.ErrNotFound)
		}
		b, err := basis(ctx, tx, v.FindingID)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO verdicts(finding_id, status, reviewer, note, at, basis) VALUES(?,?,?,?,?,?)`,
			v.FindingID, string(v.Status), v.Reviewer, v.Note, at.UTC().Format(timeLayout), b)
		return err
	})
	if err != nil {
		if errors.Is(err, indexer.ErrNotFound) {
			return listing.Finding{}, err
		}
		return listing.Finding{}, fmt.Errorf("sqlite %s: verdict on %s: %w", s.path, v.FindingID, err)
	}
	return s.Finding(ctx, v.FindingID)
}

// Verdicts returns a finding's verdict history, oldest first.
func (s *Store) Verdicts(ctx context.Context, findingID string) ([]listing.Verdict, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, reviewer, note, at FROM verdicts WHERE finding_id = ? ORDER BY seq`, findingID)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: verdicts of %s: %w", s.path, findingID, err)
	}
	defer rows.Close()
	var out []listing.Verdict
	for rows.Next() {
		v := listing.Verdict{FindingID: findingID}
		var status, at string
		if err := rows.Scan(&status, &v.Reviewer, &v.Note, &at); err != nil {
			return nil, fmt.Errorf("sqlite %s: verdicts of %s: %w", s.path, findingID, err)
		}
		v.Status = listing.Status(status)
		v.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite %s: verdicts of %s: %w", s.path, findingID, err)
	}
	return out, nil
}
