package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/listingscan/listingscan/indexer"
	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

// printVersion changes whenever Print or the keys made from it change
// meaning; a listing stored under another version is fingerprinted again.
//
// Version 2 adds the QR codes found in each image.
const printVersion = 2

// Print is the scanner's fingerprint of one listing: what the copy rules
// verify a candidate pair against, kept in the store so a stored listing is
// never reloaded or re-decoded.
type Print struct {
	Version int          `json:"v"`
	Images  []ImageFact  `json:"images,omitempty"`
	Title   string       `json:"title,omitempty"` // normalised title
	Desc    string       `json:"desc,omitempty"`  // normalised visible description text
	DescSh  []uint64     `json:"desc_sh,omitempty"`
	Problem []InputIssue `json:"problems,omitempty"`

	// textKeys are the title and description LSH keys. They are only
	// needed while the listing is queried, so they are not stored twice.
	textKeys []string
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
			facts, err = f.cache.getFacts(fact.Digest, func() (imageFacts, error) { return f.imageFacts(data) }, func() []string {
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
	p.textKeys = append(title.Keys, body.Keys...)

	raw, err := json.Marshal(p)
	if err != nil {
		return indexer.Entry{}, nil, fmt.Errorf("encode print of %s: %w", l.ID, err)
	}
	return indexer.Entry{
		Listing: l,
		Print:   raw,
		Keys:    p.storeKeys(),
		Digest:  fmt.Sprintf("%d:%x", printVersion, digest.Sum(nil)[:16]),
	}, p, nil
}

// storeKeys are the keys a listing is found by: every variant of every
// image, and the LSH bands of its title and description.
func (p *Print) storeKeys() []string {
	var keys []string
	for _, im := range p.Images {
		keys = append(keys, im.Print.StoreKeys()...)
	}
	keys = append(keys, p.textKeys...)
	return dedupe(keys)
}

// queryKeys are the keys that find every stored listing that may match: the
// images' hashes with their neighbourhood up to the image threshold, and the
// same text bands as stored. Only a freshly fingerprinted print has them.
func (p *Print) queryKeys(imageRadius int) []string {
	var keys []string
	for _, im := range p.Images {
		keys = append(keys, im.Print.QueryKeys(imageRadius)...)
	}
	keys = append(keys, p.textKeys...)
	return dedupe(keys)
}

func dedupe(keys []string) []string {
	slices.Sort(keys)
	return slices.Compact(keys)
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// decodePrint reads a stored print; a print of another version decodes to
// nil so the listing is treated as not yet fingerprinted.
func decodePrint(raw json.RawMessage) (*Print, error) {
	var p Print
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if p.Version != printVersion {
		return nil, nil
	}
	return &p, nil
}
