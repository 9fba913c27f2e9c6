package scanner

import (
	"sync"

	"github.com/listingscan/listingscan/similarity"
)

// hashCache remembers what was learnt from an image by content digest (its
// print, and the QR codes it carries), so an image shared by many listings
// (a provider's banner, a copied screenshot) is decoded once.
type hashCache struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	once  sync.Once
	print similarity.ImagePrint
	err   error

	qrOnce sync.Once
	qr     []string
}

// imageFacts is everything the fingerprint phase learns from one decoded
// image.
type imageFacts struct {
	print similarity.ImagePrint
	qr    []string // payloads of the QR codes the image carries
}

func newHashCache() *hashCache {
	return &hashCache{entries: map[string]*cacheEntry{}}
}

func (c *hashCache) entry(digest string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[digest]
	if !ok {
		e = &cacheEntry{}
		c.entries[digest] = e
	}
	return e
}

// get returns the print for digest, computing it with compute once even
// when several workers ask at the same time.
func (c *hashCache) get(digest string, compute func() (similarity.ImagePrint, error)) (similarity.ImagePrint, error) {
	e := c.entry(digest)
	e.once.Do(func() { e.print, e.err = compute() })
	return e.print, e.err
}

// getFacts returns the print and the QR codes for digest. compute learns
// both from one decode; when the print was already computed without the QR
// codes (by get), qrOnly finds them on their own.
func (c *hashCache) getFacts(digest string, compute func() (imageFacts, error), qrOnly func() []string) (imageFacts, error) {
	e := c.entry(digest)
	e.once.Do(func() {
		f, err := compute()
		e.print, e.err = f.print, err
		e.qrOnce.Do(func() { e.qr = f.qr })
	})
	if e.err != nil {
		return imageFacts{}, e.err
	}
	e.qrOnce.Do(func() { e.qr = qrOnly() })
	return imageFacts{print: e.print, qr: e.qr}, nil
}
