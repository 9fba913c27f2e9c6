package scanner

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/listingscan/listingscan/similarity"
)

// The stored print.
//
// A print is read back for every candidate a check or an incremental scan
// does not decide from the sketch: dozens per pre-publish check. As JSON,
// decoding it took as long as reading it from the store; this binary form
// is read with no parsing beyond lengths, and it also carries the
// description digest, so a read-back print needs nothing recomputed.
//
// Layout: printMagic, then the normalised title, the normalised
// description and the description digest as uvarint-prefixed fields; the
// description shingles as a uvarint count and 8 little-endian bytes each;
// the problems as a count and a ref and reason each; the images as a count
// and, each, its ref, content digest, error, QR payloads (a count and
// each payload) and image print: version, width and height as uvarints,
// the low-information reason, the variants (a count and, each, kind,
// mirrored as one byte, pHash and dHash as 8 little-endian bytes) and the
// detail signature. Strings and byte fields are uvarint-prefixed.

// printMagic starts every print of this version; a print without it was
// made by another version, and its listing is fingerprinted again.
var printMagic = []byte("LSP7")

// errPrint reports a stored print that cannot be read.
var errPrint = errors.New("unreadable stored print")

// encode writes the print in its stored form.
func (p *Print) encode() []byte {
	size := len(printMagic) + len(p.Title) + len(p.Desc) + len(p.digest) + 8*len(p.DescSh) + 32
	for _, im := range p.Images {
		size += len(im.Ref) + len(im.Digest) + len(im.Print.Detail) + 18*len(im.Print.Variants) + 32
	}
	out := append(make([]byte, 0, size), printMagic...)
	out = appendField(out, p.Title)
	out = appendField(out, p.Desc)
	out = appendField(out, p.digest)
	out = binary.AppendUvarint(out, uint64(len(p.DescSh)))
	for _, s := range p.DescSh {
		out = binary.LittleEndian.AppendUint64(out, s)
	}
	out = binary.AppendUvarint(out, uint64(len(p.Problem)))
	for _, pr := range p.Problem {
		out = appendField(appendField(out, pr.Ref), pr.Reason)
	}
	out = binary.AppendUvarint(out, uint64(len(p.Images)))
	for _, im := range p.Images {
		out = appendField(appendField(appendField(out, im.Ref), im.Digest), im.Err)
		out = binary.AppendUvarint(out, uint64(len(im.QR)))
		for _, q := range im.QR {
			out = appendField(out, q)
		}
		out = appendImagePrint(out, &im.Print)
	}
	return out
}

func appendImagePrint(out []byte, ip *similarity.ImagePrint) []byte {
	out = binary.AppendUvarint(out, uint64(max(ip.Version, 0)))
	out = binary.AppendUvarint(out, uint64(max(ip.Width, 0)))
	out = binary.AppendUvarint(out, uint64(max(ip.Height, 0)))
	out = appendField(out, ip.LowInfo)
	out = binary.AppendUvarint(out, uint64(len(ip.Variants)))
	for _, v := range ip.Variants {
		out = appendField(out, string(v.Kind))
		mirrored := byte(0)
		if v.Mirrored {
			mirrored = 1
		}
		out = append(out, mirrored)
		out = binary.LittleEndian.AppendUint64(out, v.PHash)
		out = binary.LittleEndian.AppendUint64(out, v.DHash)
	}
	return appendField(out, ip.Detail)
}

// appendField appends a uvarint-prefixed string or byte slice.
func appendField[T ~string | ~[]byte](out []byte, f T) []byte {
	out = binary.AppendUvarint(out, uint64(len(f)))
	return append(out, f...)
}

// decodePrint reads a stored print; a print of another version decodes to
// nil so the listing is treated as not yet fingerprinted. The detail
// signatures of the images share raw's memory.
func decodePrint(raw []byte) (*Print, error) {
	if !bytes.HasPrefix(raw, printMagic) {
		return nil, nil
	}
	r := fieldReader{rest: raw[len(printMagic):], err: errPrint}
	p := &Print{Version: printVersion}
	p.Title = string(r.field())
	p.Desc = string(r.field())
	if d := r.field(); len(d) > 0 {
		p.digest = similarity.TextDigest(d)
	}
	if n := r.count(8); n > 0 {
		p.DescSh = make([]uint64, n)
		for i := range p.DescSh {
			p.DescSh[i] = r.u64()
		}
	}
	for range r.count(2) {
		p.Problem = append(p.Problem, InputIssue{Ref: string(r.field()), Reason: string(r.field())})
	}
	if n := r.count(9); n > 0 {
		p.Images = make([]ImageFact, n)
		for i := range p.Images {
			im := &p.Images[i]
			im.Ref, im.Digest, im.Err = string(r.field()), string(r.field()), string(r.field())
			for range r.count(1) {
				im.QR = append(im.QR, string(r.field()))
			}
			im.Print = r.imagePrint()
		}
	}
	if r.failed != nil {
		return nil, r.failed
	}
	if len(r.rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the end", errPrint, len(r.rest))
	}
	if p.digest != nil && !p.digest.Valid() {
		return nil, fmt.Errorf("%w: description digest of %d bytes", errPrint, len(p.digest))
	}
	p.derive()
	return p, nil
}

func (r *fieldReader) imagePrint() similarity.ImagePrint {
	ip := similarity.ImagePrint{Version: r.int(), Width: r.int(), Height: r.int(), LowInfo: string(r.field())}
	if n := r.count(18); n > 0 {
		ip.Variants = make([]similarity.ImageVariant, n)
		for i := range ip.Variants {
			v := &ip.Variants[i]
			v.Kind = variantKind(r.field())
			v.Mirrored = r.flag() == 1
			v.PHash, v.DHash = r.u64(), r.u64()
		}
	}
	if d := r.field(); len(d) > 0 {
		ip.Detail = d
	}
	return ip
}

// variantKind returns the known kinds without allocating.
func variantKind(b []byte) similarity.VariantKind {
	for _, k := range []similarity.VariantKind{similarity.VariantFull, similarity.VariantTopCut, similarity.VariantCenter} {
		if string(b) == string(k) {
			return k
		}
	}
	return similarity.VariantKind(b)
}

// fieldReader reads the binary sketches and prints. After the first
// error every read returns a zero value and failed holds the error, so a
// decoder checks once at the end.
type fieldReader struct {
	rest   []byte
	err    error // the error a failure wraps
	failed error
}

func (r *fieldReader) fail(what string) {
	if r.failed == nil {
		r.failed = fmt.Errorf("%w: %s", r.err, what)
	}
	r.rest = nil
}

func (r *fieldReader) uvarint() uint64 {
	v, k := binary.Uvarint(r.rest)
	return advance(r, v, k)
}

func (r *fieldReader) varint() int64 {
	v, k := binary.Varint(r.rest)
	return advance(r, v, k)
}

// advance moves past a varint of k bytes (k <= 0: none could be read).
func advance[T int64 | uint64](r *fieldReader, v T, k int) T {
	if k <= 0 {
		r.fail("truncated number")
		return 0
	}
	r.rest = r.rest[k:]
	return v
}

func (r *fieldReader) int() int {
	v := r.uvarint()
	if v > math.MaxInt32 {
		r.fail("number out of range")
		return 0
	}
	return int(v)
}

// field reads a uvarint-prefixed field; it shares the input's memory.
func (r *fieldReader) field() []byte {
	n := r.uvarint()
	if n > uint64(len(r.rest)) {
		r.fail("truncated field")
		return nil
	}
	f := r.rest[:n:n]
	r.rest = r.rest[n:]
	return f
}

// count reads the number of items that follow, each at least minSize
// bytes long, so a corrupt count cannot make a decoder allocate more than
// the input could hold.
func (r *fieldReader) count(minSize int) int {
	n := r.uvarint()
	if n > uint64(len(r.rest)/minSize) {
		r.fail("count larger than the data")
		return 0
	}
	return int(n)
}

func (r *fieldReader) u64() uint64 {
	if len(r.rest) < 8 {
		r.fail("truncated number")
		return 0
	}
	v := binary.LittleEndian.Uint64(r.rest)
	r.rest = r.rest[8:]
	return v
}

func (r *fieldReader) flag() byte {
	if len(r.rest) < 1 {
		r.fail("truncated flag")
		return 0
	}
	b := r.rest[0]
	r.rest = r.rest[1:]
	return b
}
