package similarity

import (
	"math"
	"math/bits"
	"slices"
	"sync"
)

// Default provider counts of WeightsConfig.
const (
	DefaultFullWeightProviders = 2
	DefaultZeroWeightProviders = 10
)

// WeightsConfig says how quickly a shingle loses weight as more providers
// use it. The zero value is the default.
type WeightsConfig struct {
	// FullUpTo is the largest number of distinct providers whose shared
	// shingle still counts fully. Copied text is shared by the original's
	// provider and the copier's, so it must be at least 2. Zero means
	// DefaultFullWeightProviders.
	FullUpTo int
	// ZeroFrom is the number of distinct providers from which a shingle
	// counts for nothing: wording that many providers use is the
	// marketplace's, not anyone's. Zero (or anything not above FullUpTo)
	// means DefaultZeroWeightProviders, or FullUpTo+1 if that is larger.
	ZeroFrom int
}

func (c WeightsConfig) withDefaults() WeightsConfig {
	if c.FullUpTo <= 0 {
		c.FullUpTo = DefaultFullWeightProviders
	}
	if c.ZeroFrom <= c.FullUpTo {
		c.ZeroFrom = max(DefaultZeroWeightProviders, c.FullUpTo+1)
	}
	return c
}

// Scaled returns the configuration for weights learnt from a sample that
// holds share of a catalogue's listings: a shingle p providers use is seen
// by about p·share of them, so both provider counts scale by share (never
// below 1 and 2). A share of 1 or more changes nothing.
func (c WeightsConfig) Scaled(share float64) WeightsConfig {
	c = c.withDefaults()
	if share >= 1 {
		return c
	}
	full := max(1, int(math.Round(float64(c.FullUpTo)*share)))
	zero := max(full+1, int(math.Round(float64(c.ZeroFrom)*share)))
	return WeightsConfig{FullUpTo: full, ZeroFrom: zero}
}

// weight is 1 up to FullUpTo providers, 0 from ZeroFrom, and falls with the
// logarithm of the provider count in between, so that a text copied by a
// second copier still counts for most of its weight while stock wording
// fades out quickly.
func (c WeightsConfig) weight(providers int) float64 {
	switch {
	case providers <= c.FullUpTo:
		return 1
	case providers >= c.ZeroFrom:
		return 0
	}
	return 1 - math.Log(float64(providers)/float64(c.FullUpTo))/math.Log(float64(c.ZeroFrom)/float64(c.FullUpTo))
}

// Weights says how much a shared shingle counts as evidence of copying. The
// built-in boilerplate list removes the stock phrases everyone knows about;
// Weights catches the rest — category words, a popular template's default
// wording — by how many distinct providers use a shingle across the
// catalogue. A shingle used by one or two providers weighs 1, one used by
// many weighs 0.
//
// The zero value gives every shingle weight 1. Weights are read-only and
// safe for concurrent use.
type Weights struct {
	w map[uint64]float32
	// maybe has the bit of every shingle in w set (weightBit): most
	// shingles weigh 1, and a clear bit answers for them without a map
	// lookup, which was most of the cost of Containment in a large scan.
	maybe []uint64
	shift uint
}

// Weight is the weight of shingle h; shingles never seen weigh 1.
func (w Weights) Weight(h uint64) float64 {
	if w.maybe != nil {
		if bit := w.bit(h); w.maybe[bit>>6]&(1<<(bit&63)) == 0 {
			return 1
		}
	}
	if v, ok := w.w[h]; ok {
		return float64(v)
	}
	return 1
}

// Of returns the weight of each shingle of set, in order.
func (w Weights) Of(set []uint64) []float32 {
	out := make([]float32, len(set))
	for i, h := range set {
		out[i] = float32(w.Weight(h))
	}
	return out
}

// bit places h in maybe: Fibonacci hashing of h, so that shingle hashes
// of any distribution spread over the bits.
func (w Weights) bit(h uint64) uint64 {
	return (h * 0x9e3779b97f4a7c15) >> w.shift
}

// weightsFilterBits is how many filter bits each weighted shingle gets:
// about one in 32 shingles of weight 1 then reaches the map.
const weightsFilterBits = 32

// Len is the number of shingles that weigh less than 1.
func (w Weights) Len() int { return len(w.w) }

// WeightsBuilder counts, for every shingle, the distinct providers whose
// listings use it. Builders of parts of a catalogue (shards of a scan) merge
// into the builder of the whole, because they keep the providers
// themselves, not just counts: a provider seen by two shards counts once.
// A WeightsBuilder is safe for concurrent use.
//
// Memory is about 40 bytes per distinct shingle, plus 8 bytes per further
// provider of a shared shingle, up to ZeroFrom providers.
type WeightsBuilder struct {
	cfg WeightsConfig

	mu sync.Mutex
	// first holds shingles seen with one provider, the common case;
	// many holds those seen with several, at most ZeroFrom of them.
	first map[uint64]uint64
	many  map[uint64][]uint64
}

// NewWeightsBuilder returns an empty builder.
func NewWeightsBuilder(cfg WeightsConfig) *WeightsBuilder {
	return &WeightsBuilder{
		cfg:   cfg.withDefaults(),
		first: map[uint64]uint64{},
		many:  map[uint64][]uint64{},
	}
}

// Add records that the provider uses these shingles. Adding the same
// provider's shingles again, from another listing, changes nothing for the
// shingles already recorded.
func (b *WeightsBuilder) Add(providerID string, shingles []uint64) {
	p := fnv1a(providerID)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range shingles {
		b.addLocked(h, p)
	}
}

func (b *WeightsBuilder) addLocked(h, provider uint64) {
	if ps, ok := b.many[h]; ok {
		if len(ps) < b.cfg.ZeroFrom && !slices.Contains(ps, provider) {
			b.many[h] = append(ps, provider)
		}
		return
	}
	q, ok := b.first[h]
	switch {
	case !ok:
		b.first[h] = provider
	case q != provider:
		delete(b.first, h)
		b.many[h] = []uint64{q, provider}
	}
}

// Merge adds everything other has recorded to b.
func (b *WeightsBuilder) Merge(other *WeightsBuilder) {
	if other == nil || other == b {
		return
	}
	// Copy other's records before locking b, so that two builders merging
	// into each other at once cannot deadlock.
	type record struct {
		h         uint64
		providers []uint64
	}
	other.mu.Lock()
	records := make([]record, 0, len(other.first)+len(other.many))
	for h, p := range other.first {
		records = append(records, record{h, []uint64{p}})
	}
	for h, ps := range other.many {
		records = append(records, record{h, slices.Clone(ps)})
	}
	other.mu.Unlock()

	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range records {
		for _, p := range r.providers {
			b.addLocked(r.h, p)
		}
	}
}

// Build returns the weights of everything recorded so far. The builder
// stays usable.
func (b *WeightsBuilder) Build() Weights {
	b.mu.Lock()
	defer b.mu.Unlock()
	w := Weights{w: map[uint64]float32{}}
	for h, ps := range b.many {
		if v := b.cfg.weight(len(ps)); v < 1 {
			w.w[h] = float32(v)
		}
	}
	if len(w.w) == 0 {
		return w
	}
	logBits := uint(bits.Len(uint(len(w.w) * weightsFilterBits)))
	logBits = min(max(logBits, 6), 30)
	w.shift = 64 - logBits
	w.maybe = make([]uint64, 1<<(logBits-6))
	for h := range w.w {
		bit := w.bit(h)
		w.maybe[bit>>6] |= 1 << (bit & 63)
	}
	return w
}
