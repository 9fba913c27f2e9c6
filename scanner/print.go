package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"unicode/utf8"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

// printVersion changes whenever Print or the keys made from it change
// meaning; a listing stored under another version is fingerprinted again.
//
// Version 2 adds the QR codes found in each image. Version 3 finds image
// candidates through sketches held in memory instead of stored keys.
// Version 4 stores description shingles as packed bytes and puts text
// digests in the sketch. Version 5 puts the fingerprints of the text band
// keys in the sketch, for the catalogue's in-memory key index. Version 6
// adds the title as written and the first-seen time to the sketch.
// Version 7 stores the print in binary (printcodec.go) with its
// description digest.
const printVersion = 7

// factsVersion changes whenever what is learnt from one image (ImageFact's
// print and QR codes) changes meaning; it keys the image cache. It was
// printVersion until version 3, so caches of that version stay valid.
const factsVersion = 3

// Print is the scanner's fingerprint of one listing: what the copy rules
// verify a candidate pair against, kept in the store so a stored listing is
// never reloaded or re-decoded.
type Print struct {
	Version int
	Images  []ImageFact
	Title   string // normalised title
	Desc    string // normalised visible description text
	DescSh  []uint64
	Problem []InputIssue

	// titleKeys and descKeys are the fingerprints of the title and
	// description LSH keys (similarity.KeyFingerprint): what the
	// catalogue's key index holds and is queried with. The keys
	// themselves are strings five times the size, and a scan holds every
	// listing's print. They are only needed while the listing is queried,
	// so they are not stored twice.
	titleKeys, descKeys []uint64
	// digest summarises DescSh for the catalogue; titleRunes and
	// descRunes are the lengths of Title and Desc. All three are derived
	// once (derive), when the print is made or read back: the rules ask
	// for them for every candidate pair.
	digest                similarity.TextDigest
	titleRunes, descRunes int
}

// derive fills in what is computed from the stored fields. A print is
// shared by the workers of a scan, so this happens before it is shared.
func (p *Print) derive() {
	if p.digest == nil && len(p.DescSh) > 0 {
		p.digest = similarity.DigestShingles(p.DescSh)
	}
	p.titleRunes, p.descRunes = runeLen(p.Title), runeLen(p.Desc)
}

// titleLen and descLen are the rune lengths of the normalised title and
// description, also for a print that was not derived.
func (p *Print) titleLen() int {
	if p.titleRunes == 0 {
		return runeLen(p.Title)
	}
	return p.titleRunes
}

func (p *Print) descLen() int {
	if p.descRunes == 0 {
		return runeLen(p.Desc)
	}
	return p.descRunes
}

// ImageFact is one listing image: where it came from, its hashes and the
// payloads of the QR codes it carries (kept so that a stored listing is
// judged by offplatform.qr without decoding it again).
type ImageFact struct {
	Ref    string                `json:"ref"`
	Digest string                `json:"digest,omitempty"`
	Print  similarity.ImagePrint `json:"print"`
	QR     []string              `json:"qr,omitempty"`
	Err    string                `json:"err,omitempty"`
}

// InputIssue is a problem with part of a listing that did not stop it from
// being scanned, such as an unreadable image.
type InputIssue struct {
	Ref    string `json:"ref"`
	Reason string `json:"reason"`
}

// imageReader reads the bytes of an image reference found in a listing.
type imageReader interface {
	Read(ctx context.Context, baseFile, ref string) ([]byte, error)
}

// fingerprinter turns listings into store entries. It is safe for
// concurrent use.
type fingerprinter struct {
	images imageReader
	limits similarity.ImageLimits
	text   *similarity.TextFingerprinter
	cache  *hashCache
	// qr bounds the QR code search; nil skips it.
	qr *QRConfig
	// persist keeps image facts across runs; nil keeps them for this
	// scanner's life only (cache).
	persist ImageCache
	log     *slog.Logger

	decoded atomic.Int64 // images decoded and fingerprinted
	reused  atomic.Int64 // images whose facts came from persist
}

// ImageCache keeps what was learnt from an image (its print and QR codes)
// across runs and processes, under a key made of the image's content
// digest and everything else the facts depend on, so that an unchanged
// image is never decoded twice. indexer/sqlite.ImageCache is one.
type ImageCache interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte) error
}

// WithImageCache keeps image facts in c across runs.
func WithImageCache(c ImageCache) Option {
	return func(s *Scanner) { s.persist = c }
}

// storedFacts is an image's facts as an ImageCache holds them.
type storedFacts struct {
	Print similarity.ImagePrint `json:"print"`
	QR    []string              `json:"qr,omitempty"`
}

// factsKey is the cache key of an image: its digest and what its facts
// depend on besides its bytes (print versions, image limits, the QR
// search settings).
func (f *fingerprinter) factsKey(digest string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d|%d|%+v|", factsVersion, similarity.ImagePrintVersion, f.limits)
	if f.qr != nil {
		fmt.Fprintf(h, "%+v", *f.qr)
	}
	return fmt.Sprintf("%s:%x", digest, h.Sum(nil)[:8])
}

// cachedFacts returns the facts of an image from the persistent cache, or
// computes and stores them. Cache failures are logged and the facts
// computed: a cache never makes a scan fail.
func (f *fingerprinter) cachedFacts(ctx context.Context, digest string, data []byte) (imageFacts, error) {
	if f.persist == nil {
		f.decoded.Add(1)
		return f.imageFacts(data)
	}
	key := f.factsKey(digest)
	raw, ok, err := f.persist.Get(ctx, key)
	if err != nil {
		f.log.Warn("image cache unreadable; decoding", "err", err)
	}
	if ok {
		var sf storedFacts
		if err := json.Unmarshal(raw, &sf); err == nil {
			f.reused.Add(1)
			return imageFacts{print: sf.Print, qr: sf.QR}, nil
		}
	}
	f.decoded.Add(1)
	facts, err := f.imageFacts(data)
	if err != nil {
		return facts, err
	}
	raw, err = json.Marshal(storedFacts{Print: facts.print, QR: facts.qr})
	if err == nil {
		err = f.persist.Put(ctx, key, raw)
	}
	if err != nil {
		f.log.Warn("image cache not written", "err", err)
	}
	return facts, nil
}

// imageFacts learns from one image its print and its QR codes. A JPEG
// without an EXIF rotation is decoded once for both: DecodeImage returns
// it exactly as FingerprintImage decodes it, so FingerprintDecoded gives
// the same print. Other images (which may carry transparency, flattened by
// DecodeImage but not by FingerprintImage) are fingerprinted from their
// bytes, so that a listing image and the same picture among a template's
// screenshots always get the same print.
func (f *fingerprinter) imageFacts(data []byte) (imageFacts, error) {
	if f.qr == nil {
		pr, err := similarity.FingerprintImage(data, f.limits)
		return imageFacts{print: pr}, err
	}
	img, info, err := similarity.DecodeImage(data, f.limits)
	if err != nil {
		return imageFacts{}, fmt.Errorf("fingerprint image: %w", err)
	}
	var pr similarity.ImagePrint
	if info.Format == "jpeg" && info.Orientation == 1 {
		pr, err = similarity.FingerprintDecoded(img)
	} else {
		pr, err = similarity.FingerprintImage(data, f.limits)
	}
	if err != nil {
		return imageFacts{}, err
	}
	return imageFacts{print: pr, qr: findQRCodes(img, *f.qr)}, nil
}

// qrCodes finds the QR codes of an image whose print is already known.
func (f *fingerprinter) qrCodes(data []byte) []string {
	if f.qr == nil {
		return nil
	}
	img, _, err := similarity.DecodeImage(data, f.limits)
	if err != nil {
		return nil
	}
	return findQRCodes(img, *f.qr)
}

// fingerprint reads a listing's images and text and computes its print,
// digest and store keys. Problems with single images are recorded in the
// print, not returned: one broken image must not hide the listing.
func (f *fingerprinter) fingerprint(ctx context.Context, l listing.Listing) (indexer.Entry, *Print, error) {
	p := &Print{Version: printVersion}
	digest := sha256.New()
	doc, err := json.Marshal(&l)
	if err != nil {
		return indexer.Entry{}, nil, fmt.Errorf("encode listing %s: %w", l.ID, err)
	}
	digest.Write(doc)

	desc, err := listing.ParseDescription(l.DescriptionHTML)
	if err != nil {
		p.Problem = append(p.Problem, InputIssue{Ref: "description_html", Reason: err.Error()})
	}
	refs := append(slices.Clone(l.Images), desc.Images...)
	seen := map[string]bool{}
	for _, ref := range refs {
		if ref == "" || seen[ref] {
			continue
		}
		seen[ref] = true
		if err := ctx.Err(); err != nil {
			return indexer.Entry{}, nil, err
		}
		fact := ImageFact{Ref: ref}
		data, err := f.images.Read(ctx, l.Source, ref)
		if err != nil {
			fact.Err = err.Error()
		} else {
			sum := sha256.Sum256(data)
			fact.Digest = hex.EncodeToString(sum[:16])
			var facts imageFacts
			facts, err = f.cache.getFacts(fact.Digest, func() (imageFacts, error) { return f.cachedFacts(ctx, fact.Digest, data) }, func() []string {
				return f.qrCodes(data)
			})
			fact.Print, fact.QR = facts.print, facts.qr
			if err != nil {
				fact.Err = err.Error()
			}
		}
		if fact.Err != "" {
			p.Problem = append(p.Problem, InputIssue{Ref: ref, Reason: fact.Err})
		}
		digest.Write([]byte(fact.Digest + fact.Err))
		p.Images = append(p.Images, fact)
	}

	title := f.text.Title(l.Title)
	body := f.text.Description(desc.Text)
	p.Title, p.Desc, p.DescSh = title.Normalized, body.Normalized, body.Shingles
	p.titleKeys, p.descKeys = similarity.KeyFingerprints(title.Keys), similarity.KeyFingerprints(body.Keys)
	p.derive()

	return indexer.Entry{
		Listing: l,
		Print:   p.encode(),
		Digest:  fmt.Sprintf("%d:%x", printVersion, digest.Sum(nil)[:16]),
		Sketch:  p.sketch(&l),
	}, p, nil
}

// keys are the fingerprints of the keys a listing is found by and queries
// with, the LSH bands of its title and description, as its sketch holds
// them. Only a freshly fingerprinted or resumed print has them.
func (p *Print) keys() []uint64 {
	keys := append(slices.Clone(p.titleKeys), p.descKeys...)
	slices.Sort(keys)
	return slices.Compact(keys)
}

// imageSketch is the hashes of the listing's images, what the in-memory
// image index holds.
func (p *Print) imageSketch() similarity.Sketch {
	var s similarity.Sketch
	for _, im := range p.Images {
		s = similarity.AppendSketch(s, im.Print)
	}
	return s
}

// descDigest summarises the description shingles.
func (p *Print) descDigest() similarity.TextDigest {
	if p.digest != nil || len(p.DescSh) == 0 {
		return p.digest
	}
	return similarity.DigestShingles(p.DescSh)
}

// sketch is what the catalogue holds of the listing (see listingSketch).
func (p *Print) sketch(l *listing.Listing) []byte {
	t := p.textSketch()
	t.rawTitle, t.firstSeen = l.Title, l.FirstSeen()
	t.keys = p.keys()
	return t.encode(p.imageSketch())
}

// textSketch is what a text candidate is first judged by.
func (p *Print) textSketch() textSketch {
	return textSketch{title: p.Title, titleRunes: p.titleLen(), titleSet: similarity.RuneSetOf(p.Title), descRunes: p.descLen(), desc: p.descDigest()}
}

func dedupe(keys []string) []string {
	slices.Sort(keys)
	return slices.Compact(keys)
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
