package similarity

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
)

// A MinHash signature estimates how similar two shingle sets are without
// comparing them: for a random permutation of all possible shingles, the
// probability that the two sets have the same smallest member is exactly
// their Jaccard similarity J = |A∩B| / |A∪B|. A signature is that smallest
// member under K fixed pseudo-random permutations.
//
// Locality-sensitive hashing turns signatures into keys. The signature is
// cut into Bands bands of Rows values, and each band, hashed, is one key. Two
// texts agree on a given band with probability J^Rows, so they share at least
// one key — become candidates — with probability
//
//	P(J) = 1 - (1 - J^Rows)^Bands
//
// an S-shaped curve: near 0 for dissimilar texts, near 1 for similar ones,
// with the steep part around (1/Bands)^(1/Rows). More rows push the steep
// part to the right and make it steeper; more bands pull it left. Every
// listing stores Bands keys per text field, and finding candidates is one
// exact lookup per key, so the cost per listing is fixed and no pair of
// listings is ever compared unless the keys say so.

// LSH is a choice of signature length and banding. The scanner and both
// stores take the parameters from TitleLSH and DescriptionLSH so that the
// same text yields the same keys everywhere.
type LSH struct {
	// K is the signature length, Bands*Rows.
	K int
	// Bands is the number of keys per text.
	Bands int
	// Rows is the number of signature values per band.
	Rows int
	// Prefix starts every key, keeping fields apart in one key index and
	// naming the TextPrintVersion: keys made with other parameters,
	// another normaliser or another boilerplate list must not meet these,
	// so any such change bumps the version.
	Prefix string
}

// TitleLSH returns the parameters for titles, whose shingles are the
// characters and character pairs of a normalised title, stock bigrams
// removed (Boilerplate.TitleShingles).
//
// Target: a copied title with 2 of its ~10 characters changed must become a
// candidate with probability >= 0.995. Changing one character of a
// ten-character title removes one unigram and two bigrams and adds as many,
// so two non-adjacent changes leave 13 of 25 distinct shingles shared, J =
// 0.52; a stock word in the title (商城) removes bigrams and lowers that to
// about 0.48. With 48 bands of 3 rows:
//
//	J    0.2    0.3    0.4    0.45   0.48   0.5    0.52   0.6
//	P    0.320  0.731  0.958  0.990  0.9964 0.9984 0.9993 1.000
//
// Titles of one category share generic words and sit at J 0.1–0.3, so some
// become candidates; that costs one edit-distance check of two short strings
// each, and the edit distance tells them apart. Three rows rather than two
// keep those false candidates near a third of the pairs at J 0.2 instead of
// two thirds, for 48 keys per title.
func TitleLSH() LSH {
	return LSH{K: 144, Bands: 48, Rows: 3, Prefix: "tt" + strconv.Itoa(TextPrintVersion) + "b"}
}

// DescriptionLSH returns the parameters for descriptions, whose shingles are
// character trigrams taken sentence by sentence, stock phrases removed
// (Boilerplate.DescriptionShingles).
//
// Target: a copy that takes 60% of a description and adds its own text
// must become a candidate with probability >= 0.995. If the copy is as long
// as the original it shares 0.6 of each, J = 0.6/1.4 = 0.43; a shorter
// addition gives up to 0.6. With 70 bands of 3 rows:
//
//	J    0.1    0.2    0.3    0.4    0.43   0.5    0.6
//	P    0.068  0.430  0.853  0.9902 0.9968 0.9999 1.000
//
// Honest descriptions of one category share few trigrams once stock
// phrases are gone (J well under 0.1), so few of them become candidates.
func DescriptionLSH() LSH {
	return LSH{K: 210, Bands: 70, Rows: 3, Prefix: "td" + strconv.Itoa(TextPrintVersion) + "b"}
}

// Probability is the chance that two texts with Jaccard similarity j share
// at least one key.
func (p LSH) Probability(j float64) float64 {
	if j <= 0 || p.Bands < 1 || p.Rows < 1 {
		return 0
	}
	if j >= 1 {
		return 1
	}
	return 1 - math.Pow(1-math.Pow(j, float64(p.Rows)), float64(p.Bands))
}

// Signature is the MinHash signature of a shingle set with these
// parameters.
func (p LSH) Signature(shingles []uint64) []uint64 {
	return MinHash(shingles, p.K)
}

// BandKeys are the candidate keys of a signature with these parameters.
func (p LSH) BandKeys(sig []uint64) []string {
	return BandKeys(p.Prefix, sig, p.Bands, p.Rows)
}

// Keys are the candidate keys of a shingle set: BandKeys of its Signature.
// A text without shingles has no keys and is never a candidate.
func (p LSH) Keys(shingles []uint64) []string {
	return p.BandKeys(p.Signature(shingles))
}

// minhashSeed fixes the permutations. Signatures are stored and compared
// across runs and machines; changing it changes every key.
const minhashSeed = 0x6c69_7374_696e_6773

// mix64 is the SplitMix64 output function, a bijection on 64-bit values
// whose output bits each depend on every input bit.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// MinHash returns the k-value MinHash signature of a set of shingles: value
// i is the smallest image of any shingle under the i-th permutation,
// x ↦ mix64(x XOR seed_i). Duplicates and order do not matter. The
// permutations are fixed, so a signature is the same on every run and
// machine, and the first k values of a longer signature are the signature of
// length k. An empty set, or k < 1, has no signature.
func MinHash(shingles []uint64, k int) []uint64 {
	if len(shingles) == 0 || k < 1 {
		return nil
	}
	seeds := make([]uint64, k)
	sig := make([]uint64, k)
	for i := range seeds {
		seeds[i] = mix64(minhashSeed + uint64(i))
		sig[i] = math.MaxUint64
	}
	for _, x := range shingles {
		for i, s := range seeds {
			if v := mix64(x ^ s); v < sig[i] {
				sig[i] = v
			}
		}
	}
	return sig
}

// BandKeys cuts sig into bands of rows values and returns one key per band,
// "<prefix><band>:<16 hex digits>", the hex digits being a hash of the
// band's values. Two signatures share the key of band b exactly when they
// agree on all of band b (up to 64-bit hash collisions). Bands the signature
// is too short to fill are left out.
func BandKeys(prefix string, sig []uint64, bands, rows int) []string {
	if bands < 1 || rows < 1 {
		return nil
	}
	bands = min(bands, len(sig)/rows)
	if bands < 1 {
		return nil
	}
	keys := make([]string, 0, bands)
	var word [8]byte
	var sum [8]byte
	buf := make([]byte, 0, len(prefix)+24)
	for b := range bands {
		h := uint64(fnvOffset64)
		for _, v := range sig[b*rows : (b+1)*rows] {
			binary.LittleEndian.PutUint64(word[:], v)
			for _, c := range word {
				h ^= uint64(c)
				h *= fnvPrime64
			}
		}
		binary.BigEndian.PutUint64(sum[:], h)
		buf = append(buf[:0], prefix...)
		buf = strconv.AppendInt(buf, int64(b), 10)
		buf = append(buf, ':')
		buf = hex.AppendEncode(buf, sum[:])
		keys = append(keys, string(buf))
	}
	return keys
}
