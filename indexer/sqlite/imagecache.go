package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// ImageCache remembers what was learnt from an image, by a key the caller
// derives from the image's content digest, across runs and processes: an
// unchanged image is decoded once, however many listings, scans and
// pre-publish checks show it. Values are opaque bytes.
//
// Writes are buffered and stored in batches of cacheBatch in one
// transaction each (and by Flush and Close); a value written but not yet
// flushed is already returned by Get. Safe for concurrent use.
type ImageCache struct {
	db    *sql.DB
	path  string
	owned bool // Close closes db

	mu      sync.Mutex
	pending map[string][]byte
}

const cacheBatch = 512

const cacheSchema = `CREATE TABLE IF NOT EXISTS image_cache (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID`

// OpenImageCache opens (creating it if needed) a cache file of its own,
// for stores that are not SQLite.
func OpenImageCache(ctx context.Context, path string) (*ImageCache, error) {
	db, err := openDB(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open image cache %s: %w", path, err)
	}
	c, err := newImageCache(ctx, db, path)
	if err != nil {
		db.Close()
		return nil, err
	}
	c.owned = true
	return c, nil
}

// ImageCache returns a cache kept in the store's own database file.
func (s *Store) ImageCache(ctx context.Context) (*ImageCache, error) {
	return newImageCache(ctx, s.db, s.path)
}

func newImageCache(ctx context.Context, db *sql.DB, path string) (*ImageCache, error) {
	if _, err := db.ExecContext(ctx, cacheSchema); err != nil {
		return nil, fmt.Errorf("image cache %s: create table: %w", path, err)
	}
	return &ImageCache{db: db, path: path, pending: map[string][]byte{}}, nil
}

// Get returns the value stored under key.
func (c *ImageCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	v, ok := c.pending[key]
	c.mu.Unlock()
	if ok {
		return v, true, nil
	}
	err := c.db.QueryRowContext(ctx, `SELECT value FROM image_cache WHERE key = ?`, key).Scan(&v)
	switch {
	case err == sql.ErrNoRows:
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("image cache %s: get: %w", c.path, err)
	}
	return v, true, nil
}

// Put stores value under key, replacing any older value.
func (c *ImageCache) Put(ctx context.Context, key string, value []byte) error {
	c.mu.Lock()
	c.pending[key] = value
	full := len(c.pending) >= cacheBatch
	c.mu.Unlock()
	if full {
		return c.Flush(ctx)
	}
	return nil
}

// Flush writes the buffered values.
func (c *ImageCache) Flush(ctx context.Context) error {
	c.mu.Lock()
	batch := c.pending
	c.pending = map[string][]byte{}
	c.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := inTx(ctx, c.db, func(tx *sql.Tx) error {
		put, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO image_cache(key, value) VALUES(?, ?)`)
		if err != nil {
			return err
		}
		defer put.Close()
		for k, v := range batch {
			if _, err := put.ExecContext(ctx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Keep what could not be written for the next flush, unless
		// something newer replaced it meanwhile.
		c.mu.Lock()
		for k, v := range batch {
			if _, newer := c.pending[k]; !newer {
				c.pending[k] = v
			}
		}
		c.mu.Unlock()
		return fmt.Errorf("image cache %s: write: %w", c.path, err)
	}
	return nil
}

// Close flushes the cache, and closes its file when it has one of its own.
func (c *ImageCache) Close() error {
	err := c.Flush(context.Background())
	if c.owned {
		if cerr := c.db.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
