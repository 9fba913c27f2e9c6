// Package sqlite is the embedded listing store: one SQLite file in WAL mode,
// through a pure-Go driver, so a fresh machine needs nothing installed.
//
// Sketches live in a WITHOUT ROWID table of their own with an index on the
// time they were stored, so loading the catalogue reads 1 KB a listing,
// not its document, and a refresh reads only what changed.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// timeLayout is how times are stored: fixed width, so that text order is
// time order in range queries. Parsing with time.RFC3339Nano also reads
// the variable-width times of older stores.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// maxParams bounds the number of bound parameters per statement, well below
// SQLite's limit.
const maxParams = 900

const schema = `
CREATE TABLE IF NOT EXISTS listings (
	id           TEXT PRIMARY KEY,
	provider_id  TEXT NOT NULL,
	first_seen   TEXT NOT NULL,
	digest       TEXT NOT NULL,
	doc          BLOB NOT NULL,
	print        BLOB NOT NULL,
	stored_at    TEXT NOT NULL,
	source       TEXT NOT NULL DEFAULT '',
	sketch       BLOB -- read only to migrate stores older than schema version 1
);
CREATE TABLE IF NOT EXISTS sketches (
	listing_id  TEXT PRIMARY KEY,
	provider_id TEXT NOT NULL,
	stored_at   TEXT NOT NULL,
	sketch      BLOB
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sketches_stored ON sketches(stored_at);
CREATE TABLE IF NOT EXISTS findings (
	id                TEXT PRIMARY KEY,
	rule              TEXT NOT NULL,
	severity          INTEGER NOT NULL,
	score             REAL NOT NULL,
	listing_id        TEXT NOT NULL,
	provider_id       TEXT NOT NULL,
	other_listing_id  TEXT NOT NULL DEFAULT '',
	other_provider_id TEXT NOT NULL DEFAULT '',
	first             TEXT NOT NULL DEFAULT '',
	status            TEXT NOT NULL,
	evidence          BLOB NOT NULL,
	detected_at       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_listing ON findings(listing_id);
CREATE INDEX IF NOT EXISTS findings_other ON findings(other_listing_id);
CREATE INDEX IF NOT EXISTS findings_rule ON findings(rule, score);
CREATE INDEX IF NOT EXISTS findings_order ON findings(score DESC, id);
CREATE TABLE IF NOT EXISTS verdicts (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	finding_id  TEXT NOT NULL,
	status      TEXT NOT NULL,
	reviewer    TEXT NOT NULL,
	note        TEXT NOT NULL DEFAULT '',
	at          TEXT NOT NULL,
	basis       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS verdicts_finding ON verdicts(finding_id, seq);
`

// Store is the SQLite-backed indexer.Store.
type Store struct {
	db   *sql.DB
	path string
}

var (
	_ indexer.Store   = (*Store)(nil)
	_ indexer.Reviews = (*Store)(nil)
)

// Open opens (creating if needed) the store file at path.
func Open(ctx context.Context, path string) (*Store, error) {
	db, err := openDB(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: create schema: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: migrate schema: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// openDB opens a database file in WAL mode, creating its directory.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	// A 64 MiB page cache per connection, not SQLite's default 2 MB: the
	// primary-key index of a large catalogue is read on every insert and
	// every candidate read, and it should stay in the cache.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)&_pragma=foreign_keys(ON)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// migrate brings a store made by an older version up to the schema: columns
// added since then get their defaults, and indexes on them are made.
func migrate(ctx context.Context, db *sql.DB) error {
	for _, col := range []struct{ name, def string }{
		{"source", `TEXT NOT NULL DEFAULT ''`},
		{"sketch", `BLOB`},
	} {
		var n int
		err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('listings') WHERE name = ?`, col.name).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			if _, err := db.ExecContext(ctx, `ALTER TABLE listings ADD COLUMN `+col.name+` `+col.def); err != nil {
				return err
			}
		}
	}
	if _, err := db.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS listings_stored ON listings(stored_at)`); err != nil {
		return err
	}
	var version int
	if err := db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	steps := []string{
		// Version 1 keeps sketches in their own table: read from the
		// listings table, every sketch load walked the whole of it,
		// documents and prints included (3 GB at 100,000 listings, against
		// 40 MB).
		`INSERT OR IGNORE INTO sketches(listing_id, provider_id, stored_at, sketch)
			SELECT id, provider_id, stored_at, sketch FROM listings`,
		// Version 2 drops the text keys: the scanner finds text candidates
		// in memory, from key fingerprints in the sketches. Writing 118
		// key rows a listing was most of the time it took to store one.
		`DROP TABLE IF EXISTS keys`,
	}
	for v := version; v < len(steps); v++ {
		err := inTx(ctx, db, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, steps[v]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate to schema version %d: %w", v+1, err)
		}
	}
	return nil
}

// Close releases the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	return inTx(ctx, s.db, fn)
}

// inTx runs fn in one transaction of db, rolled back when fn fails.
func inTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Put inserts or replaces entries and their sketches in one transaction.
func (s *Store) Put(ctx context.Context, entries []indexer.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	now := time.Now().UTC().Format(timeLayout)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		putListing, err := tx.PrepareContext(ctx, `INSERT INTO listings(id, provider_id, first_seen, digest, doc, print, stored_at, source)
			VALUES(?,?,?,?,?,?,?,?)
			ON CONFLICT(id) DO UPDATE SET provider_id=excluded.provider_id, first_seen=excluded.first_seen,
			digest=excluded.digest, doc=excluded.doc, print=excluded.print, stored_at=excluded.stored_at,
			source=excluded.source`)
		if err != nil {
			return err
		}
		defer putListing.Close()
		putSketch, err := tx.PrepareContext(ctx, `INSERT INTO sketches(listing_id, provider_id, stored_at, sketch) VALUES(?,?,?,?)
			ON CONFLICT(listing_id) DO UPDATE SET provider_id=excluded.provider_id, stored_at=excluded.stored_at, sketch=excluded.sketch`)
		if err != nil {
			return err
		}
		defer putSketch.Close()
		for _, e := range entries {
			l := e.Listing
			doc, err := json.Marshal(&l)
			if err != nil {
				return fmt.Errorf("encode listing %s: %w", l.ID, err)
			}
			print := e.Print
			if print == nil {
				print = []byte{}
			}
			if _, err := putListing.ExecContext(ctx, l.ID, l.Provider.ID, l.FirstSeen().UTC().Format(timeLayout),
				e.Digest, doc, print, now, l.Source); err != nil {
				return fmt.Errorf("put listing %s: %w", l.ID, err)
			}
			if _, err := putSketch.ExecContext(ctx, l.ID, l.Provider.ID, now, e.Sketch); err != nil {
				return fmt.Errorf("put sketch of %s: %w", l.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite %s: %w", s.path, err)
	}
	return nil
}

// chunks calls fn with consecutive slices of at most maxParams ids.
func chunks(ids []string, fn func(part []string) error) error {
	for start := 0; start < len(ids); start += maxParams {
		end := min(start+maxParams, len(ids))
		if err := fn(ids[start:end]); err != nil {
			return err
		}
	}
	return nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func args(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// Get returns the stored entries for ids, in the order of ids.
func (s *Store) Get(ctx context.Context, ids []string) ([]indexer.Entry, error) {
	byID := make(map[string]indexer.Entry, len(ids))
	err := chunks(ids, func(part []string) error {
		rows, err := s.db.QueryContext(ctx, `SELECT id, digest, doc, print, source FROM listings WHERE id IN (`+placeholders(len(part))+`)`, args(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, digest, source string
			var doc, print []byte
			if err := rows.Scan(&id, &digest, &doc, &print, &source); err != nil {
				return err
			}
			e := indexer.Entry{Digest: digest, Print: print}
			if err := json.Unmarshal(doc, &e.Listing); err != nil {
				return fmt.Errorf("decode listing %s: %w", id, err)
			}
			e.Listing.Source = source
			byID[id] = e
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: get listings: %w", s.path, err)
	}
	return indexer.InOrder(ids, byID), nil
}

// Prints returns the stored prints of the known ids.
func (s *Store) Prints(ctx context.Context, ids []string) (map[string][]byte, error) {
	out, err := column[[]byte](ctx, s.db, "print", ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: prints: %w", s.path, err)
	}
	return out, nil
}

// Digests returns the content digests of the known ids.
func (s *Store) Digests(ctx context.Context, ids []string) (map[string]string, error) {
	out, err := column[string](ctx, s.db, "digest", ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: digests: %w", s.path, err)
	}
	return out, nil
}

// column reads one column of the listings ids, by id; unknown ids are
// left out.
func column[T any](ctx context.Context, db *sql.DB, name string, ids []string) (map[string]T, error) {
	out := make(map[string]T, len(ids))
	err := chunks(ids, func(part []string) error {
		rows, err := db.QueryContext(ctx, `SELECT id, `+name+` FROM listings WHERE id IN (`+placeholders(len(part))+`)`, args(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var v T
			if err := rows.Scan(&id, &v); err != nil {
				return err
			}
			out[id] = v
		}
		return rows.Err()
	})
	return out, err
}

// Sketches yields the sketches of the listings stored at or after since.
func (s *Store) Sketches(ctx context.Context, since time.Time, fn func(indexer.StoredSketch) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT listing_id, provider_id, sketch FROM sketches WHERE stored_at >= ?`, since.UTC().Format(timeLayout))
	if err != nil {
		return fmt.Errorf("sqlite %s: sketches: %w", s.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var sk indexer.StoredSketch
		if err := rows.Scan(&sk.ListingID, &sk.ProviderID, &sk.Sketch); err != nil {
			return fmt.Errorf("sqlite %s: sketches: %w", s.path, err)
		}
		if err := fn(sk); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite %s: sketches: %w", s.path, err)
	}
	return nil
}

// SaveFindings upserts findings and resolves open findings of the scope
// that no longer hold.
func (s *Store) SaveFindings(ctx context.Context, scope []string, findings []listing.Finding) (indexer.SaveResult, error) {
	var res indexer.SaveResult
	keep := make(map[string]bool, len(findings))
	for _, f := range findings {
		keep[f.ID] = true
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// Resolve first: open findings touching the scope that this run did not produce.
		var stale []string
		err := chunks(scope, func(part []string) error {
			ph := placeholders(len(part))
			q := `SELECT id FROM findings WHERE status = 'open' AND (listing_id IN (` + ph + `) OR other_listing_id IN (` + ph + `))`
			rows, err := tx.QueryContext(ctx, q, append(args(part), args(part)...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				if !keep[id] {
					stale = append(stale, id)
				}
			}
			return rows.Err()
		})
		if err != nil {
			return err
		}
		err = chunks(stale, func(part []string) error {
			r, err := tx.ExecContext(ctx, `DELETE FROM findings WHERE id IN (`+placeholders(len(part))+`)`, args(part)...)
			if err != nil {
				return err
			}
			n, _ := r.RowsAffected()
			res.Resolved += int(n)
			return nil
		})
		if err != nil {
			return err
		}
		exists, err := tx.PrepareContext(ctx, `SELECT status FROM findings WHERE id = ?`)
		if err != nil {
			return err
		}
		defer exists.Close()
		upsert, err := tx.PrepareContext(ctx, `INSERT INTO findings(id, rule, severity, score, listing_id, provider_id,
			other_listing_id, other_provider_id, first, status, evidence, detected_at)
			VALUES(?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT(id) DO UPDATE SET rule=excluded.rule, severity=excluded.severity, score=excluded.score,
			listing_id=excluded.listing_id, provider_id=excluded.provider_id, other_listing_id=excluded.other_listing_id,
			other_provider_id=excluded.other_provider_id, first=excluded.first, evidence=excluded.evidence`)
		if err != nil {
			return err
		}
		defer upsert.Close()
		for i := range findings {
			f := &findings[i]
			var stored string
			switch err := exists.QueryRowContext(ctx, f.ID).Scan(&stored); {
			case errors.Is(err, sql.ErrNoRows):
				res.Inserted++
				f.Status = listing.StatusOpen
			case err != nil:
				return err
			default:
				res.Updated++
				f.Status = listing.Status(stored)
				if f.Status == listing.StatusDismissed {
					reopened, err := reopenIfChanged(ctx, tx, f.ID)
					if err != nil {
						return err
					}
					if reopened {
						f.Status = listing.StatusOpen
						res.Reopened++
					}
				}
			}
			ev, err := json.Marshal(f.Evidence)
			if err != nil {
				return fmt.Errorf("encode evidence of %s: %w", f.ID, err)
			}
			status := f.Status
			if status == "" {
				status = listing.StatusOpen
			}
			detected := f.DetectedAt
			if detected.IsZero() {
				detected = time.Now()
			}
			if _, err := upsert.ExecContext(ctx, f.ID, f.Rule, int(f.Severity), f.Score, f.ListingID, f.ProviderID,
				f.OtherListingID, f.OtherProviderID, f.First, string(status), ev, detected.UTC().Format(timeLayout)); err != nil {
				return fmt.Errorf("save finding %s: %w", f.ID, err)
			}

		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("sqlite %s: save findings: %w", s.path, err)
	}
	return res, nil
}

// Findings returns findings matching q, highest score first, ties by id.
func (s *Store) Findings(ctx context.Context, q indexer.FindingQuery) ([]listing.Finding, error) {
	var where []string
	var params []any
	add := func(cond string, p ...any) {
		where = append(where, cond)
		params = append(params, p...)
	}
	if q.Rule != "" {
		add("rule = ?", q.Rule)
	}
	if q.ProviderID != "" {
		add("(provider_id = ? OR other_provider_id = ?)", q.ProviderID, q.ProviderID)
	}
	if q.ListingID != "" {
		add("(listing_id = ? OR other_listing_id = ?)", q.ListingID, q.ListingID)
	}
	if q.Status != "" {
		add("status = ?", string(q.Status))
	}
	if q.MinScore > 0 {
		add("score >= ?", q.MinScore)
	}
	if q.MinSeverity > 0 {
		add("severity >= ?", int(q.MinSeverity))
	}
	if !q.Since.IsZero() {
		add("detected_at >= ?", q.Since.UTC().Format(timeLayout))
	}
	if !q.Until.IsZero() {
		add("detected_at < ?", q.Until.UTC().Format(timeLayout))
	}
	if q.After != "" {
		score, id, err := indexer.ParseFindingCursor(q.After)
		if err != nil {
			return nil, err
		}
		add("(score < ? OR (score = ? AND id > ?))", score, score, id)
	}
	query := findingColumns
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY score DESC, id ASC"
	if q.Limit > 0 {
		query += " LIMIT ?"
		params = append(params, q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, query, params...)
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: findings: %w", s.path, err)
	}
	return s.scanFindings(rows)
}

const findingColumns = `SELECT id, rule, severity, score, listing_id, provider_id, other_listing_id, other_provider_id, first, status, evidence, detected_at FROM findings`

// scanFindings reads rows of findingColumns and closes them.
func (s *Store) scanFindings(rows *sql.Rows) ([]listing.Finding, error) {
	defer rows.Close()
	var out []listing.Finding
	for rows.Next() {
		var f listing.Finding
		var sev int
		var status, detected string
		var ev []byte
		if err := rows.Scan(&f.ID, &f.Rule, &sev, &f.Score, &f.ListingID, &f.ProviderID, &f.OtherListingID,
			&f.OtherProviderID, &f.First, &status, &ev, &detected); err != nil {
			return nil, fmt.Errorf("sqlite %s: findings: %w", s.path, err)
		}
		f.Severity = listing.Severity(sev)
		f.Status = listing.Status(status)
		f.DetectedAt, _ = time.Parse(time.RFC3339Nano, detected)
		if err := json.Unmarshal(ev, &f.Evidence); err != nil {
			return nil, fmt.Errorf("sqlite %s: decode evidence of %s: %w", s.path, f.ID, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite %s: findings: %w", s.path, err)
	}
	return out, nil
}

// Stats counts listings and findings.
func (s *Store) Stats(ctx context.Context) (indexer.Stats, error) {
	var st indexer.Stats
	var updated sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM listings),
		(SELECT count(*) FROM findings), (SELECT max(stored_at) FROM listings)`).Scan(&st.Listings, &st.Findings, &updated)
	if err != nil {
		return st, fmt.Errorf("sqlite %s: stats: %w", s.path, err)
	}
	if updated.Valid {
		st.Updated, _ = time.Parse(time.RFC3339Nano, updated.String)
	}
	return st, nil
}

// Ping checks that the store file can be read, at the cost of one row
// rather than Stats' counts: what a health check should spend.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM listings LIMIT 1`).Scan(&one)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite %s: ping: %w", s.path, err)
	}
	return nil
}
