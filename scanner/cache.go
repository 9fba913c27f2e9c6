package scanner

import (
	"sync"

	"github.com/listingscan/listingscan/similarity"
)

// hashCache remembers image prints by content digest, so an image shared by
// many listings (a provider's banner, a copied screenshot) is decoded once.
type hashCache struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	once  sync.Once
	print similarity.ImagePrint
	err   error
}

func newHashCache() *hashCache {
	return &hashCache{entries: map[string]*cacheEntry{}}
}

// get returns the print for digest, computing it with compute once even
// when several workers ask at the same time.
func (c *hashCache) get(digest string, compute func() (similarity.ImagePrint, error)) (similarity.ImagePrint, error) {
	c.mu.Lock()
	e, ok := c.entries[digest]
	if !ok {
		e = &cacheEntry{}
		c.entries[digest] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.print, e.err = compute() })
	return e.print, e.err
}
