package scanner

import (
	"math"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

// side is one listing of a candidate pair with its fingerprint.
type side struct {
	l *listing.Listing
	p *Print
	// descW are the boilerplate weights of p.DescSh under the run's
	// weights, when looked up in advance (copyRules.withWeights); nil:
	// looked up by the pair that needs them.
	descW []float32
}

// spanMinRunes is the shortest shared stretch of text quoted as evidence.
const spanMinRunes = 6

// maxSpans bounds the evidence quoted per finding.
const maxSpans = 8

// copyRules verifies candidate pairs exactly. Candidates only say two
// listings share a key; these checks decide whether one copied the other.
type copyRules struct {
	cfg     Config
	weights similarity.Weights
}

// blame orders a pair: the later listing is the suspected copy, the earlier
// one the original. Equal times fall back to ids so the order is stable.
func blame(a, b side) (copy, original side) {
	ta, tb := a.l.FirstSeen(), b.l.FirstSeen()
	switch {
	case ta.After(tb):
		return a, b
	case tb.After(ta):
		return b, a
	case a.l.ID > b.l.ID:
		return a, b
	default:
		return b, a
	}
}

// check returns every copy finding that holds for the pair. details keeps
// decoded image details between the checks of one listing with its
// candidates (nil: none kept).
func (r *copyRules) check(a, b side, details *similarity.DetailCache) []listing.Finding {
	copied, original := blame(a, b)
	var out []listing.Finding
	if f, ok := r.image(copied, original, details); ok {
		out = append(out, f)
	}
	if f, ok := r.title(copied, original); ok {
		out = append(out, f)
	}
	if f, ok := r.description(copied, original); ok {
		out = append(out, f)
	}
	return out
}

func pairFinding(rule string, sev listing.Severity, score float64, copied, original side) listing.Finding {
	return listing.Finding{
		ID:              listing.FindingID(rule, copied.l.ID, original.l.ID),
		Rule:            rule,
		Severity:        sev,
		Score:           round3(score),
		ListingID:       copied.l.ID,
		ProviderID:      copied.l.Provider.ID,
		OtherListingID:  original.l.ID,
		OtherProviderID: original.l.Provider.ID,
		First:           original.l.ID,
		Status:          listing.StatusOpen,
	}
}

// image finds the closest pair of images between the two listings and
// counts how many pairs match.
func (r *copyRules) image(copied, original side, details *similarity.DetailCache) (listing.Finding, bool) {
	var best similarity.ImageMatch
	var bestA, bestB string
	pairs := 0
	for _, ia := range copied.p.Images {
		for _, ib := range original.p.Images {
			m, ok := r.cfg.Image.MatchCached(details, ia.Print, ib.Print)
			if !ok {
				continue
			}
			pairs++
			if pairs == 1 || m.Score > best.Score {
				best, bestA, bestB = m, ia.Ref, ib.Ref
			}
		}
	}
	if pairs == 0 {
		return listing.Finding{}, false
	}
	f := pairFinding(listing.RuleCopyImage, listing.SeverityHigh, best.Score, copied, original)
	d := best.PHashDistance
	f.Evidence = listing.Evidence{
		Image: bestA, OtherImage: bestB, Distance: &d, MatchedPairs: pairs, Transform: best.Transform(),
	}
	return f, true
}

// title compares normalised titles by edit distance. Short titles are
// generic ("点餐小程序") and never called copies.
func (r *copyRules) title(copied, original side) (listing.Finding, bool) {
	ta, tb := copied.p.Title, original.p.Title
	if copied.p.titleLen() < r.cfg.TitleMinRunes || original.p.titleLen() < r.cfg.TitleMinRunes {
		return listing.Finding{}, false
	}
	ratio := similarity.LevenshteinRatio(ta, tb)
	if ratio < r.cfg.TitleRatio {
		return listing.Finding{}, false
	}
	f := pairFinding(listing.RuleCopyTitle, listing.SeverityMedium, ratio, copied, original)
	f.Evidence = listing.Evidence{
		Text: copied.l.Title, OtherText: original.l.Title, Similarity: round3(ratio),
		Spans: spans(ta, tb),
	}
	return f, true
}

// description measures how much of the shorter description is found in the
// other, with boilerplate shared by many providers weighted down.
func (r *copyRules) description(copied, original side) (listing.Finding, bool) {
	da, db := copied.p, original.p
	if len(da.DescSh) == 0 || len(db.DescSh) == 0 ||
		da.descLen() < r.cfg.DescriptionMinRunes || db.descLen() < r.cfg.DescriptionMinRunes {
		return listing.Finding{}, false
	}
	// Pairs proposed by their titles or images are mostly no description
	// copies; the digests' bound rules them out before the exact measure,
	// as it does for description candidates.
	if _, bound := similarity.EstimateContainment(da.descDigest(), db.descDigest()); bound < r.cfg.DescriptionContainment {
		return listing.Finding{}, false
	}
	c := similarity.ContainmentOf(da.DescSh, r.descWeights(copied), db.DescSh, r.descWeights(original))
	if c < r.cfg.DescriptionContainment {
		return listing.Finding{}, false
	}
	f := pairFinding(listing.RuleCopyDescription, listing.SeverityHigh, c, copied, original)
	f.Evidence = listing.Evidence{Similarity: round3(c), Spans: spans(da.Desc, db.Desc)}
	return f, true
}

// withWeights returns sd with its description weights looked up, for a
// side that meets many candidates.
func (r *copyRules) withWeights(sd side) side {
	sd.descW = r.weights.Of(sd.p.DescSh)
	return sd
}

func (r *copyRules) descWeights(sd side) []float32 {
	if sd.descW != nil || len(sd.p.DescSh) == 0 {
		return sd.descW
	}
	return r.weights.Of(sd.p.DescSh)
}

// spans quotes the longest shared stretches of two normalised texts.
func spans(a, b string) []listing.Span {
	ms := similarity.MatchedSpans(a, b, spanMinRunes)
	if len(ms) > maxSpans {
		ms = ms[:maxSpans]
	}
	out := make([]listing.Span, 0, len(ms))
	for _, m := range ms {
		out = append(out, listing.Span{Text: m.Text, Start: m.AStart, End: m.AEnd, OtherStart: m.BStart, OtherEnd: m.BEnd})
	}
	return out
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
