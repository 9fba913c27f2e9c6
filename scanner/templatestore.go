package scanner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/listingscan/listingscan/listing"
	"github.com/listingscan/listingscan/similarity"
)

// store is one provider's storefront as copy.store compares it: taken from
// the provider's listings in this run, the earliest listing first.
type store struct {
	id        string
	first     side   // earliest listing: the one a finding names
	name      string // as written
	core      string // normalised name without city, legal form and trade words
	intro     string // as written
	introNorm string // normalised, without the store's own names
	figures   string // the digits of the intro, in order
	logoRef   string
	logoBase  string // file that names the logo
	logo      similarity.ImagePrint
}

// storeNameAffixes are the parts of a Chinese company name that many
// unrelated companies share: the city, the legal form and the trade. They
// are cut from both ends, repeatedly, so 杭州云栖数智科技有限公司 and
// 云栖数智网络科技（深圳）有限公司 both come down to 云栖数智.
var storeNameAffixes = []string{
	"股份有限公司", "有限责任公司", "有限公司", "分公司", "公司", "集团", "工作室", "事务所",
	"信息技术", "信息科技", "网络科技", "软件开发", "数字科技", "智能科技", "互联网", "科技", "网络", "信息", "技术", "软件", "开发", "服务", "数据", "电子商务", "商贸", "中心",
	"北京", "上海", "天津", "重庆", "深圳", "广州", "杭州", "成都", "南京", "武汉", "西安", "苏州", "厦门", "郑州",
	"长沙", "青岛", "合肥", "济南", "福州", "昆明", "南宁", "三亚", "宁波", "无锡", "东莞", "佛山", "大连", "沈阳",
	"哈尔滨", "长春", "贵阳", "南昌", "太原", "石家庄", "兰州", "海口", "珠海", "温州", "泉州", "常州", "徐州",
	"市", "省",
}

// storeCore cuts the generic affixes from a normalised store name.
func storeCore(norm string) string {
	for changed := true; changed; {
		changed = false
		for _, a := range storeNameAffixes {
			if rest, ok := strings.CutSuffix(norm, a); ok && utf8.RuneCountInString(rest) >= 2 {
				norm, changed = rest, true
			}
			if rest, ok := strings.CutPrefix(norm, a); ok && utf8.RuneCountInString(rest) >= 2 {
				norm, changed = rest, true
			}
		}
	}
	return norm
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsDigit(r) {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), " ") {
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

// normalise derives the compared forms of the store's name and intro.
func (st *store) normalise(norm *similarity.Normalizer) {
	n := norm.Normalize(st.name)
	st.core = storeCore(n)
	in := norm.Normalize(st.intro)
	for _, own := range []string{n, st.core} {
		if utf8.RuneCountInString(own) >= 2 {
			in = strings.ReplaceAll(in, own, "")
		}
	}
	st.introNorm, st.figures = in, digitsOf(in)
}

// stores collects the providers of this run with their storefronts.
func (s *Scanner) stores(ctx context.Context, sides []side) ([]*store, error) {
	norm := s.fp.text.Normalizer()
	byID := map[string]*store{}
	ordered := slices.Clone(sides)
	slices.SortStableFunc(ordered, earlier)
	var out []*store
	for _, sd := range ordered {
		p := sd.l.Provider
		st := byID[p.ID]
		if st == nil {
			st = &store{id: p.ID, first: sd}
			byID[p.ID] = st
			out = append(out, st)
		}
		if st.name == "" && strings.TrimSpace(p.Name) != "" {
			st.name = p.Name
		}
		if st.intro == "" && strings.TrimSpace(p.Intro) != "" {
			st.intro = p.Intro
		}
		if st.logoRef == "" && strings.TrimSpace(p.Logo) != "" {
			// The logo is resolved against the listing that names it.
			st.logoRef, st.logoBase = p.Logo, sd.l.Source
		}
	}
	for _, st := range out {
		st.normalise(norm)
	}
	err := parallel(ctx, s.workers, len(out), func(ctx context.Context, i int) error {
		st := out[i]
		if st.logoRef == "" {
			return nil
		}
		data, err := s.fp.images.Read(ctx, st.logoBase, st.logoRef)
		if err != nil {
			return nil // an unreadable logo is the image rules' concern
		}
		sum := sha256.Sum256(data)
		digest := hex.EncodeToString(sum[:16])
		// Through the image cache, like listing images: a catalogue's
		// logos are decoded once across runs.
		p, err := s.fp.cache.get(digest, func() (similarity.ImagePrint, error) {
			f, err := s.fp.cachedFacts(ctx, digest, data)
			return f.print, err
		})
		if err == nil {
			st.logo = p
		}
		return nil
	})
	return out, err
}

// storeFindings: pairs of providers whose names, logos or intros are
// copied. Candidates share a key (core name, name or intro LSH band) or
// have near logos (an ImageIndex of the logos); each candidate pair is
// verified once. The provider that
// appeared later (by its earliest listing) is blamed; the finding names the
// two providers' earliest listings, and its id depends only on the two
// provider ids, so it survives new listings.
func (s *Scanner) storeFindings(ctx context.Context, sides []side, cfg TemplateConfig) ([]listing.Finding, error) {
	sts, err := s.stores(ctx, sides)
	if err != nil {
		return nil, err
	}
	buckets := map[string][]int{}
	queries := make([][]string, len(sts))
	logos := make([]similarity.Sketch, len(sts))
	for i, st := range sts {
		var keys []string
		if utf8.RuneCountInString(st.core) >= cfg.StoreNameMinRunes && st.core != "" {
			keys = append(keys, "core:"+st.core)
			keys = append(keys, s.fp.text.Title(st.core).Keys...)
		}
		if utf8.RuneCountInString(st.introNorm) >= cfg.StoreIntroMinRunes {
			keys = append(keys, s.fp.text.Description(st.introNorm).Keys...)
		}
		keys = dedupe(keys)
		for _, k := range keys {
			buckets[k] = append(buckets[k], i)
		}
		queries[i] = keys
		logos[i] = similarity.AppendSketch(nil, st.logo)
	}
	logoIndex, err := similarity.NewImageIndex(s.cfg.Image, logos)
	if err != nil {
		return nil, fmt.Errorf("index provider logos: %w", err)
	}
	// Candidate pairs are gathered first, each once, and verified on all
	// workers. As for listings, a key that many stores share (a trade word
	// the affixes do not cut) proposes nothing, and a logo proposes its
	// nearest: a stock badge shared by hundreds of stores made every pair
	// of them a candidate.
	seen := map[[2]int]bool{}
	var pairs [][2]int
	propose := func(i, j int) {
		k := [2]int{min(i, j), max(i, j)}
		if i == j || seen[k] || s.groups.related(sts[i].id, sts[j].id) {
			return
		}
		seen[k] = true
		pairs = append(pairs, k)
	}
	for i, q := range queries {
		for _, k := range q {
			if holders := buckets[k]; len(holders) <= maxKeyPostings {
				for _, j := range holders {
					propose(i, j)
				}
			}
		}
		for _, j := range logoIndex.Candidates(logos[i], maxLogoCandidates) {
			propose(i, int(j))
		}
	}
	// Pairs are verified in runs, each run decoding a logo once however
	// many of its pairs show it.
	const run = 256
	found := make([]*listing.Finding, len(pairs))
	err = parallel(ctx, s.workers, (len(pairs)+run-1)/run, func(_ context.Context, r int) error {
		details := s.detailCache()
		defer s.putDetailCache(details)
		for n := r * run; n < min(len(pairs), (r+1)*run); n++ {
			if f, ok := s.compareStores(sts[pairs[n][0]], sts[pairs[n][1]], cfg, details); ok {
				found[n] = &f
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []listing.Finding
	for _, f := range found {
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// compareStores verifies one candidate pair of stores. The evidence lists
// each copied part (name, logo, intro) as a Match quoting the later store's
// value and the earlier store's (Value); Claim names the parts, Text and
// OtherText quote the first, and a copied logo adds the image pair and its
// distance.
func (s *Scanner) compareStores(a, b *store, cfg TemplateConfig, details *similarity.DetailCache) (listing.Finding, bool) {
	copied, original := a, b
	if earlier(a.first, b.first) < 0 {
		copied, original = b, a
	}
	var parts []string
	var score float64
	ev := listing.Evidence{}
	if utf8.RuneCountInString(a.core) >= max(cfg.StoreNameMinRunes, 1) && utf8.RuneCountInString(b.core) >= max(cfg.StoreNameMinRunes, 1) {
		if r := similarity.LevenshteinRatio(a.core, b.core); r >= cfg.StoreNameRatio {
			parts = append(parts, "name")
			score = max(score, r)
			ev.Text, ev.OtherText = copied.name, original.name
			ev.Similarity = round3(r)
			ev.Matches = append(ev.Matches, listing.Match{Field: "provider.name", Kind: "name", Text: copied.name, Value: original.name})
		}
	}
	if m, ok := logoCopied(s.cfg.Image, copied.logo, original.logo, cfg.StoreLogoDistance, details); ok {
		parts = append(parts, "logo")
		score = max(score, m.Score)
		d := m.PHashDistance
		ev.Image, ev.OtherImage, ev.Distance, ev.Transform = copied.logoRef, original.logoRef, &d, m.Transform()
		ev.Matches = append(ev.Matches, listing.Match{Field: "provider.logo", Kind: "logo", Text: copied.logoRef, Value: original.logoRef})
	}
	if r, ok := introCopied(copied, original, cfg); ok {
		parts = append(parts, "intro")
		score = max(score, r)
		if ev.Text == "" {
			ev.Text, ev.OtherText, ev.Similarity = copied.intro, original.intro, round3(r)
		}
		ev.Matches = append(ev.Matches, listing.Match{Field: "provider.intro", Kind: "intro", Text: copied.intro, Value: original.intro})
	}
	if len(parts) == 0 {
		return listing.Finding{}, false
	}
	f := pairFinding(RuleCopyStore, listing.SeverityMedium, score, copied.first, original.first)
	f.ID = listing.FindingID(RuleCopyStore, "provider:"+copied.id, "provider:"+original.id)
	ev.Claim = strings.Join(parts, ",")
	f.Evidence = ev
	return f, true
}

// introCopied: the intros, each without its own store's names, are nearly
// the same text and state the same figures (at least minIntroFigureDigits
// digits of them); or the later intro names the earlier store. Intros
// without figures are judged only by the second test.
func introCopied(copied, original *store, cfg TemplateConfig) (float64, bool) {
	if utf8.RuneCountInString(copied.introNorm) < cfg.StoreIntroMinRunes || utf8.RuneCountInString(original.introNorm) < cfg.StoreIntroMinRunes {
		return 0, false
	}
	if utf8.RuneCountInString(original.core) >= 3 && strings.Contains(copied.introNorm, original.core) {
		return 1, true
	}
	if digitCount(copied.figures) < minIntroFigureDigits || copied.figures != original.figures {
		return 0, false
	}
	r := similarity.LevenshteinRatio(copied.introNorm, original.introNorm)
	return r, r >= cfg.StoreIntroRatio
}

// minIntroFigureDigits is how many digits the figures of an intro need
// before its wording counts as evidence. Intros are often one template
// sentence with the store's name and a team size filled in; two honest
// stores of one trade meet on such a sentence and a two-digit figure by
// chance, rarely on a founding year or a customer count.
const minIntroFigureDigits = 3

func digitCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// logoCopied: two comparable logos whose closest hash variants are within
// maxDistance (pHash plus dHash). Logos are judged by their hashes alone:
// the detail verification that separates look-alike screenshots rejects
// re-encoded copies of small flat graphics (JPEG shifts their thin edges),
// and the tight distance excludes honest logos of one shape and colour,
// which measure 15 and more apart in generated catalogues while re-encoded
// copies measure under 9. The hashes see luminance only, so the colours
// must agree too: badges of one shape and glyph in two colours are two
// logos.
func logoCopied(t similarity.ImageThresholds, a, b similarity.ImagePrint, maxDistance int, details *similarity.DetailCache) (similarity.ImageMatch, bool) {
	m, ok := t.Closest(a, b)
	return m, ok && m.PHashDistance+m.DHashDistance <= maxDistance && similarity.ColoursAgreeCached(details, a, b, m.Mirrored)
}
