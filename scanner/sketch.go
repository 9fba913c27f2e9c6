package scanner

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

// The listing sketch.
//
// Every stored listing carries a sketch (indexer.Entry.Sketch): what the
// scanner holds in memory for the whole catalogue. It has the hashes of the
// listing's images, from which image candidates come, and a summary of its
// text, by which most text candidates are ruled out before their prints are
// read. A listing in a large catalogue shares a band key or two with
// thousands of others (a generic title word, a common sentence); the store
// returns them, and reading and decoding each one's print cost far more
// than all the rules. With the normalised title the title rule is decided
// exactly in memory; with a 66-byte digest of the description shingles the
// description rule is bounded (similarity.EstimateContainment). About 130
// bytes of text a listing, next to its 17 bytes per image variant.
//
// The sketch also carries the fingerprints of the listing's title and
// description band keys (similarity.KeyFingerprint), from which the
// catalogue's in-memory key index is built: text candidates are found
// there, as image candidates are, instead of by a store query per field
// and listing (8 bytes a key, about 950 bytes a listing).
//
// With the title as written and the time the listing was first seen, the
// title rule is decided from the sketch alone, finding included: a
// pre-publish check reads from the store only the candidates whose
// descriptions or images may match too. Those are read as prints only
// (indexer.Store.Prints): the id, provider, title and first-seen time the
// copy rules need of the listing itself are the sketch's.
//
// Layout: sketchMagic, then as uvarint-prefixed fields the image sketch,
// the normalised title, the title as written and the description digest,
// then the description's length in runes as a uvarint, the first-seen
// time in Unix nanoseconds as a varint (0: unknown), then the number of
// key fingerprints as a uvarint followed by each as 8 little-endian bytes.

// sketchMagic starts every listing sketch; a sketch without it (stored by
// an older version) is skipped, as is that listing's print.
var sketchMagic = []byte("LSK3")

// errSketch reports a sketch that cannot be read.
var errSketch = errors.New("unreadable listing sketch")

// textSketch is what a text candidate is first judged by.
type textSketch struct {
	title      string             // normalised title
	titleRunes int                // its length in runes, not stored
	titleSet   similarity.RuneSet // the characters it uses, not stored
	rawTitle   string             // the title as written, quoted by a finding
	firstSeen  time.Time
	descRunes  int // length of the normalised description
	desc       similarity.TextDigest
	// keys are the fingerprints of the title and description band keys.
	// The catalogue moves them into its key index and keeps them nowhere
	// else.
	keys []uint64
}

// encode writes the listing sketch of t and the image sketch.
func (t textSketch) encode(images similarity.Sketch) []byte {
	out := make([]byte, 0, len(sketchMagic)+len(images)+len(t.title)+len(t.rawTitle)+len(t.desc)+8*len(t.keys)+32)
	out = append(out, sketchMagic...)
	out = appendField(appendField(appendField(appendField(out, images), t.title), t.rawTitle), t.desc)
	out = binary.AppendUvarint(out, uint64(t.descRunes))
	var seen int64
	if !t.firstSeen.IsZero() {
		seen = t.firstSeen.UnixNano()
	}
	out = binary.AppendVarint(out, seen)
	out = binary.AppendUvarint(out, uint64(len(t.keys)))
	for _, k := range t.keys {
		out = binary.LittleEndian.AppendUint64(out, k)
	}
	return out
}

// decodeSketch reads a listing sketch.
func decodeSketch(raw []byte) (similarity.Sketch, textSketch, error) {
	if !bytes.HasPrefix(raw, sketchMagic) {
		return nil, textSketch{}, fmt.Errorf("%w: no header", errSketch)
	}
	r := fieldReader{rest: raw[len(sketchMagic):], err: errSketch}
	images, title, rawTitle, desc := r.field(), r.field(), r.field(), r.field()
	t := textSketch{title: string(title), titleRunes: utf8.RuneCount(title), titleSet: similarity.RuneSetOf(string(title)), rawTitle: string(rawTitle)}
	t.descRunes = r.int()
	seen := r.varint()
	t.keys = make([]uint64, r.count(8))
	for i := range t.keys {
		t.keys[i] = r.u64()
	}
	if r.failed != nil {
		return nil, textSketch{}, r.failed
	}
	if len(r.rest) != 0 {
		return nil, textSketch{}, fmt.Errorf("%w: %d bytes after the key fingerprints", errSketch, len(r.rest))
	}
	if err := similarity.Sketch(images).Validate(); err != nil {
		return nil, textSketch{}, fmt.Errorf("%w: %w", errSketch, err)
	}
	if seen != 0 {
		t.firstSeen = time.Unix(0, seen).UTC()
	}
	if len(desc) > 0 {
		t.desc = similarity.TextDigest(bytes.Clone(desc))
	}
	return similarity.Sketch(bytes.Clone(images)), t, nil
}

// titleSide stands for a stored listing in the copy rules when only its
// title may match: what the sketch knows of it. Its print has no images
// and no description, so only the title rule can hold.
func (t textSketch) titleSide(id, provider string) side {
	return side{
		l: t.listing(id, provider),
		p: &Print{Version: printVersion, Title: t.title, titleRunes: t.titleRunes},
	}
}

// listing is what the sketch knows of a stored listing: all the copy
// rules read of it to blame one side of a pair and to name it.
func (t textSketch) listing(id, provider string) *listing.Listing {
	return &listing.Listing{ID: id, Provider: listing.Provider{ID: provider}, Title: t.rawTitle, PublishedAt: t.firstSeen}
}

// titleMayMatch reports whether the title rule could call the pair's
// titles copied: it is decided exactly, as the rule decides it.
func (c Config) titleMayMatch(a, b textSketch) bool {
	if a.titleRunes < c.TitleMinRunes || b.titleRunes < c.TitleMinRunes {
		return false
	}
	// The edit distance is at least the difference in length: a cheap
	// bound that rules most generic titles out before the exact ratio.
	longer := max(a.titleRunes, b.titleRunes)
	if 1-float64(longer-min(a.titleRunes, b.titleRunes))/float64(longer) < c.TitleRatio {
		return false
	}
	// So is the count of characters one title has and the other lacks
	// (for titles the distance takes whole).
	if longer <= similarity.MaxLevenshteinRunes && a.title != b.title &&
		1-float64(similarity.EditsAtLeast(a.title, a.titleSet, b.title, b.titleSet))/float64(longer) < c.TitleRatio {
		return false
	}
	return similarity.LevenshteinRatio(a.title, b.title) >= c.TitleRatio
}

// descriptionMayMatch reports whether the description rule could call the
// pair's descriptions copied, by the upper bound of the digests' estimate
// of their containment.
func (c Config) descriptionMayMatch(a, b textSketch) bool {
	if a.descRunes < c.DescriptionMinRunes || b.descRunes < c.DescriptionMinRunes {
		return false
	}
	_, bound := similarity.EstimateContainment(a.desc, b.desc)
	return bound >= c.DescriptionContainment
}
