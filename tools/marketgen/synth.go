package marketgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/listingscan/listingscan/listing"
)

// Scale corpora. WriteSynth writes a marketplace of any size for
// benchmarks: realistic field sizes and a realistic share of planted copies,
// with small images that are cheap to draw. Every listing is a pure function
// of (seed, index): a copy regenerates the listing it copies instead of
// remembering it, so memory stays flat however many listings are written,
// and the output is the same byte for byte for a given seed and size
// whatever the number of workers.

// SynthSeed is the default seed of scale corpora.
const SynthSeed = 0x73796e7468

// SynthTruthFile is the truth file of a scale corpus. Its extension keeps a
// directory scan from reading the truth as listings (.ndjson counts only
// when named explicitly).
const SynthTruthFile = "truth.ndjson"

// Shares of planted listings, in basis points of all listings.
const (
	synthImageCopyBP = 200 // copy another provider's image, transformed
	synthTextCopyBP  = 200 // copy another provider's title and description with an evasion
	synthLookalikeBP = 500 // honest look-alike of another provider's listing
)

// synthSpan is the period over which listings are published.
const synthSpan = 730 * 24 * time.Hour

var synthStart = time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC)

// synthImageTransforms are the copier transformations that make sense on
// small pictures (no upscaling thumbnailer); statusbar12 applies to screens
// only.
var synthImageTransforms = []string{"jpeg35", "resize50", "crop5", "statusbar12", "border20", "mirror", "watermark", "logo", "color", "grayscale"}

// synthTextEvasions are the description evasions of text copies.
var synthTextEvasions = []string{"zerowidth", "fullwidth", "homoglyph", "traditional", "spaced", "punctuated", "shuffled", "partial60"}

// SynthOptions configures a scale corpus.
type SynthOptions struct {
	N       int    // listings, 1–10,000,000
	Seed    uint64 // 0: SynthSeed
	Images  string // "small" (default) or "none" for text-only runs
	Workers int    // 0: GOMAXPROCS
	Logger  *slog.Logger
	// Fonts draw the brand names on provider logos; without them the
	// names are blocks, and logos of one badge shape then look alike to
	// a luminance hash whatever their colours. Screens never need fonts
	// at their small size.
	Fonts *Fonts
}

// SynthSummary counts what WriteSynth wrote.
type SynthSummary struct {
	Listings    int
	Providers   int
	Images      int // image files, provider logos included
	ImageCopies int // listings that copy another provider's image
	TextCopies  int // listings that copy another provider's text
	Lookalikes  int // honest look-alikes
	Truth       int // truth lines
}

type synthRole int

const (
	roleOriginal synthRole = iota
	roleImageCopy
	roleTextCopy
	roleLookalike
)

// synth holds what every worker shares; it is read-only once built.
type synth struct {
	seed      uint64
	n         int
	providers int
	images    bool
}

// Stream salts: each property of a listing draws from its own stream so that
// it can be computed without the others.
const (
	saltRole = iota + 1
	saltProvider
	saltShard
	saltText
	saltCopy
	saltProviderInfo
	saltNameOffset
	saltPictures
	saltFields
)

// mix64 is the SplitMix64 finaliser over seed, index and salt.
func mix64(seed, i, salt uint64) uint64 {
	z := seed ^ (i+1)*0x9e3779b97f4a7c15 ^ salt*0xd1b54a32d192ed03
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (s *synth) rng(i int, salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix64(s.seed, uint64(i), salt), salt))
}

// role is what listing i plays before a source is looked for; a copy with
// no possible source is written as an original.
func (s *synth) role(i int) synthRole {
	u := mix64(s.seed, uint64(i), saltRole) % 10000
	switch {
	case u < synthImageCopyBP:
		if !s.images {
			return roleOriginal
		}
		return roleImageCopy
	case u < synthImageCopyBP+synthTextCopyBP:
		return roleTextCopy
	case u < synthImageCopyBP+synthTextCopyBP+synthLookalikeBP:
		return roleLookalike
	}
	return roleOriginal
}

func (s *synth) providerOf(i int) int {
	return int(mix64(s.seed, uint64(i), saltProvider) % uint64(s.providers))
}

func listingID(i int) string  { return fmt.Sprintf("L-%07d", i+1) }
func providerID(p int) string { return fmt.Sprintf("P-%05d", p+1) }

// shard spreads image files over 256 directories.
func (s *synth) shard(key string) string {
	h := uint64(14695981039346656037)
	for i := 0; i < len(key); i++ {
		h ^= uint64(key[i])
		h *= 1099511628211
	}
	return fmt.Sprintf("%02x", byte(h^h>>32))
}

// publishedAt spreads listings over two years in index order, so that a
// listing's source (always of lower index) was published first.
func (s *synth) publishedAt(i int) time.Time {
	u := float64(mix64(s.seed, uint64(i), saltShard)>>11) / (1 << 53)
	return synthStart.Add(time.Duration((float64(i) + u) / float64(s.n) * float64(synthSpan))).Truncate(time.Second)
}

// source finds the earlier original that listing i copies or resembles: by
// another provider and, for look-alikes, with a screen to resemble.
func (s *synth) source(i int, r *rand.Rand, needScreen bool) int {
	if i == 0 {
		return -1
	}
	prov := s.providerOf(i)
	for attempt := 0; attempt < 24; attempt++ {
		j := r.IntN(i)
		if s.role(j) == roleOriginal && s.providerOf(j) != prov && (!needScreen || s.hasScreen(j)) {
			return j
		}
	}
	return -1
}

// actualRole is the role listing i is written with.
func (s *synth) actualRole(i int) synthRole {
	role := s.role(i)
	if role != roleOriginal && s.source(i, s.rng(i, saltCopy), role == roleLookalike && s.images) < 0 {
		return roleOriginal
	}
	return role
}

// synthProvider is a provider with what its listings draw on.
type synthProvider struct {
	listing.Provider
	short string
	home  string // the category most of its listings are in
	hue   float64
	logo  uint64
}

// provider describes provider p. Company names are unique: p is mapped
// one-to-one onto city × brand × company word.
func (s *synth) provider(p int) synthProvider {
	r := s.rng(p, saltProviderInfo)
	nb := len(brandHeads) * len(brandTails)
	total := uint64(len(cities) * nb * len(companyWords))
	idx := (uint64(p)*7919 + mix64(s.seed, 0, saltNameOffset)) % total
	word := companyWords[idx%uint64(len(companyWords))]
	idx /= uint64(len(companyWords))
	brand := brandHeads[idx%uint64(len(brandHeads))]
	idx /= uint64(len(brandHeads))
	brand += brandTails[idx%uint64(len(brandTails))]
	idx /= uint64(len(brandTails))
	city := cities[idx%uint64(len(cities))]
	home := pick(r, Categories)
	sp := synthProvider{short: brand + "科技", home: home, hue: float64(r.IntN(360)), logo: r.Uint64()}
	sl := slots{rng: r, vars: map[string]string{"short": sp.short, "domain": home, "city": city}}
	sp.Provider = listing.Provider{ID: providerID(p), Name: city + brand + word + "有限公司", Intro: sl.fill(pick(r, providerIntroTemplates))}
	if s.images {
		sp.Logo = s.logoPath(p)
	}
	return sp
}

func (s *synth) logoPath(p int) string {
	id := providerID(p)
	return path.Join("img", s.shard(id), strings.ToLower(id)+".png")
}

// synthPic is one picture of a listing.
type synthPic struct {
	spec smallSpec
	path string // relative to the corpus root
}

// synthBase is an original listing: everything a copy of it needs.
type synthBase struct {
	i    int
	prov synthProvider
	cat  string
	text ListingText
	pics []synthPic
}

// hasScreen reports whether original j shows a screen. It draws from the
// same stream as base, so the two agree.
func (s *synth) hasScreen(j int) bool {
	n, kinds := s.picturePlan(s.rng(j, saltPictures))
	for _, k := range kinds[:n] {
		if k == smallScreen {
			return true
		}
	}
	return false
}

// picturePlan says how many pictures an original shows (1 or 2) and of
// which kinds: mostly screens, some banners.
func (s *synth) picturePlan(r *rand.Rand) (int, [2]smallKind) {
	n := 1
	if r.IntN(5) == 0 {
		n = 2
	}
	var kinds [2]smallKind
	for k := range kinds {
		if r.IntN(4) == 0 {
			kinds[k] = smallBanner
		}
	}
	return n, kinds
}

func (s *synth) newPics(id string, r *rand.Rand, n int, kinds [2]smallKind, hue float64) []synthPic {
	if !s.images {
		return nil
	}
	pics := make([]synthPic, n)
	for k := range pics {
		spec := smallSpec{Kind: kinds[k], Layout: r.Uint64(), Content: r.Uint64(), Hue: hue + float64(r.IntN(40))}
		pics[k] = synthPic{spec: spec, path: s.picPath(id, k, false)}
	}
	return pics
}

func (s *synth) picPath(id string, k int, jpeg bool) string {
	ext := ".png"
	if jpeg {
		ext = ".jpg"
	}
	return path.Join("img", s.shard(id), fmt.Sprintf("%s-%d%s", id, k+1, ext))
}

// base generates listing i as an original. Copies call it for their
// source, so it depends on nothing but (seed, i).
func (s *synth) base(i int) synthBase {
	r := s.rng(i, saltText)
	p := s.provider(s.providerOf(i))
	cat := p.home
	if r.IntN(10) < 3 {
		cat = pick(r, Categories)
	}
	b := synthBase{i: i, prov: p, cat: cat}
	b.text = synthText(r, cat, p, textOptions{})
	n, kinds := s.picturePlan(s.rng(i, saltPictures))
	b.pics = s.newPics(listingID(i), r, n, kinds, p.hue)
	return b
}

// synthText writes a listing's text with the usual generator and lengthens
// the description to marketplace size: 300–1,500 visible characters, most
// of them short.
func synthText(r *rand.Rand, cat string, p synthProvider, o textOptions) ListingText {
	g := newTextGen()
	if o.lookalikeOf != nil {
		g.issue(cat, "", o.lookalikeOf.Title)
	}
	o.category, o.provider, o.short = cat, p.ID, p.short
	lt := g.listingText(r, o)
	lt.Title = fitTitle(r, lt.Title, lt.Brand)
	u := r.Float64()
	target := 320 + int(1100*u*u*u)
	lt.Desc = lengthen(g, r, lt.Desc, cat, p.short, target)
	return lt
}

// fitTitle keeps a title within 10–30 characters.
func fitTitle(r *rand.Rand, t, brand string) string {
	if utf8.RuneCountInString(t) < 10 {
		t = pick(r, cities) + brand + t
	}
	if utf8.RuneCountInString(t) < 10 {
		t += "管理系统"
	}
	if rs := []rune(t); len(rs) > 30 {
		t = string(rs[:30])
	}
	return t
}

// lengthen adds paragraphs and feature lists before the boilerplate until
// the visible text reaches target characters, then drops list items or
// paragraphs while it exceeds 1,500.
func lengthen(g *textGen, r *rand.Rand, d Description, cat, short string, target int) Description {
	bank := bankFor(cat)
	s := slots{rng: r, vars: map[string]string{
		"brand": short, "product": pick(r, pick(r, bank.products)), "cust": pick(r, bank.customers), "city": pick(r, cities),
		"catword": bank.catWord, "unit": bank.unitWord, "short": short,
		"pain": pick(r, bank.pains), "benefit": pick(r, bank.benefits), "metric": pick(r, bank.metrics),
		"sys": pick(r, bank.systems), "doc": pick(r, bank.docs),
	}}
	var tail []Block
	if n := len(d.Blocks); n > 0 && d.Blocks[n-1].Boilerplate {
		tail = []Block{d.Blocks[n-1]}
		d.Blocks = d.Blocks[: n-1 : n-1]
	}
	runes := func(bs ...Block) int {
		n := 0
		for _, b := range bs {
			for _, it := range b.Items {
				n += utf8.RuneCountInString(it)
			}
		}
		return n
	}
	visible := runes(d.Blocks...) + runes(tail...)
	for guard := 0; visible < target && guard < 40; guard++ {
		var add Block
		switch r.IntN(4) {
		case 0:
			var items []string
			for _, f := range pickN(r, bank.features, 3+r.IntN(3)) {
				items = append(items, g.featureSentence(r, s, f))
			}
			add = Block{Kind: BlockList, Items: items}
		case 1:
			s.vars["metric"] = pick(r, bank.metrics)
			s.vars["cust"] = pick(r, bank.customers)
			add = Block{Kind: BlockPara, Items: []string{s.fill(pick(r, caseTemplates)), s.fill(pick(r, ownSentenceTemplates))}}
		case 2:
			s.vars["benefit"] = pick(r, bank.benefits)
			s.vars["pain"] = pick(r, bank.pains)
			add = Block{Kind: BlockPara, Items: []string{s.fill(pick(r, introTemplates)), s.fill(pick(r, techTemplates))}}
		default:
			add = Block{Kind: BlockPara, Items: []string{s.fill(pick(r, techTemplates)), s.fill(pick(r, ownSentenceTemplates))}}
		}
		d.Blocks = append(d.Blocks, add)
		visible += runes(add)
	}
	for visible > 1500 && len(d.Blocks) > 2 {
		visible -= runes(d.Blocks[len(d.Blocks)-1])
		d.Blocks = d.Blocks[:len(d.Blocks)-1]
	}
	d.Blocks = append(d.Blocks, tail...)
	return d
}

// synthWorker builds listings; each goroutine has its own, because the
// evader and the painter are not safe for concurrent use.
type synthWorker struct {
	s   *synth
	out string
	ev  *Evader
	pt  *Painter
	// logos draws provider logos, with fonts when there are any.
	logos *Painter
	png   *png.Encoder
}

type synthResult struct {
	line   []byte
	truth  []TruthLine
	role   synthRole
	images int
	err    error
}

// build generates listing i, writes its pictures and returns its line.
func (w *synthWorker) build(i int) synthResult {
	s := w.s
	role := s.actualRole(i)
	id := listingID(i)
	res := synthResult{role: role}
	var (
		l    listing.Listing
		text ListingText
		pics []synthPic
		prov synthProvider
		cat  string
	)
	r := s.rng(i, saltText)
	switch role {
	case roleOriginal:
		b := s.base(i)
		prov, cat, text, pics = b.prov, b.cat, b.text, b.pics
		for _, p := range pics {
			if err := w.writeOriginal(p); err != nil {
				return synthResult{err: err}
			}
		}
	default:
		cr := s.rng(i, saltCopy)
		src := s.base(s.source(i, cr, role == roleLookalike && s.images))
		prov = s.provider(s.providerOf(i))
		cat = src.cat
		var err error
		text, pics, res.truth, err = w.derive(role, i, r, src, prov)
		if err != nil {
			return synthResult{err: fmt.Errorf("listing %s: %w", id, err)}
		}
	}
	res.images = len(pics)
	l = listing.Listing{
		ID:       id,
		Provider: prov.Provider,
		Title:    text.Title,
		Tags:     text.Tags,
		Category: cat,
		Summary:  text.Summary,
	}
	for _, p := range pics {
		l.Images = append(l.Images, p.path)
	}
	l.DescriptionHTML = text.Desc.HTML(l.Images)
	r = s.rng(i, saltFields)
	c := corpus{r: r}
	l.Price = c.price(cat)
	l.Service = c.service()
	if r.IntN(6) == 0 {
		l.OAuth = listing.OAuth{Enabled: true, Reviewed: r.IntN(4) > 0}
	}
	l.PublishedAt = s.publishedAt(i)
	l.UpdatedAt = l.PublishedAt.Add(time.Duration(r.IntN(60*24)) * time.Hour)
	var buf bytes.Buffer
	if err := encodeJSON(&buf, l, false); err != nil {
		return synthResult{err: fmt.Errorf("encode %s: %w", id, err)}
	}
	res.line = buf.Bytes()
	return res
}

// derive makes the text and pictures of a copy or look-alike of src and
// the truth about it.
func (w *synthWorker) derive(role synthRole, i int, r *rand.Rand, src synthBase, prov synthProvider) (ListingText, []synthPic, []TruthLine, error) {
	s := w.s
	id := listingID(i)
	srcID := listingID(src.i)
	var truth []TruthLine
	switch role {
	case roleImageCopy:
		text := synthText(r, src.cat, prov, textOptions{})
		k := r.IntN(len(src.pics))
		t := pick(r, synthImageTransforms)
		for t == "statusbar12" && src.pics[k].spec.Kind != smallScreen {
			t = pick(r, synthImageTransforms)
		}
		copyPath := s.picPath(id, 0, true)
		if err := w.writeCopy(src.pics[k], copyPath, t, prov); err != nil {
			return text, nil, nil, err
		}
		pics := []synthPic{{spec: src.pics[k].spec, path: copyPath}}
		if r.IntN(3) == 0 {
			own := s.newPics(id, r, 2, [2]smallKind{smallScreen, smallScreen}, prov.hue)[1:]
			if err := w.writeOriginal(own[0]); err != nil {
				return text, nil, nil, err
			}
			pics = append(pics, own[0])
		}
		truth = append(truth, TruthLine{Rule: listing.RuleCopyImage, ListingID: id, OtherListingID: srcID, Transform: t,
			Expect: true, Image: copyPath, OtherImage: src.pics[k].path})
		return text, pics, truth, nil

	case roleTextCopy:
		text := synthText(r, src.cat, prov, textOptions{})
		edits := 1 + r.IntN(2)
		edit := fmt.Sprintf("title_edit%d", edits)
		text.Title = EditTitle(src.text.Title, edits, r)
		ev := pick(r, synthTextEvasions)
		if ev == "homoglyph" && !CanHomoglyph(src.text.Desc.PlainText()) {
			ev = "fullwidth"
		}
		var own []string
		if ev == "partial60" {
			own = newTextGen().ownSentences(r, src.cat, prov.short, 2+r.IntN(2))
		}
		d, err := w.ev.evadeDescription(ev, src.text.Desc, own, r)
		if err != nil {
			return text, nil, nil, err
		}
		text.Desc = d
		if charLevel(ev) {
			if sum, err := w.ev.Apply(ev, src.text.Summary, r); err == nil {
				text.Summary = sum
			}
		}
		text.Tags = append([]string(nil), src.text.Tags...)
		n, kinds := s.picturePlan(r)
		pics := s.newPics(id, r, n, kinds, prov.hue)
		for _, p := range pics {
			if err := w.writeOriginal(p); err != nil {
				return text, nil, nil, err
			}
		}
		truth = append(truth,
			TruthLine{Rule: listing.RuleCopyTitle, ListingID: id, OtherListingID: srcID, Transform: edit, Expect: true},
			TruthLine{Rule: listing.RuleCopyDescription, ListingID: id, OtherListingID: srcID, Transform: ev, Expect: true})
		return text, pics, truth, nil
	}

	// An honest look-alike: a generic title of the same kind, the same
	// service boilerplate, and a screen of the same layout in other colours
	// with other content.
	text := synthText(r, src.cat, prov, textOptions{lookalikeOf: &src.text, boilerplateOf: &src.text.Desc})
	truth = append(truth,
		TruthLine{Rule: listing.RuleCopyTitle, ListingID: id, OtherListingID: srcID, Transform: "lookalike_title"},
		TruthLine{Rule: listing.RuleCopyDescription, ListingID: id, OtherListingID: srcID, Transform: "boilerplate"})
	var pics []synthPic
	if s.images {
		var orig synthPic
		for _, p := range src.pics {
			if p.spec.Kind == smallScreen {
				orig = p
				break
			}
		}
		spec := smallSpec{Kind: smallScreen, Layout: orig.spec.Layout, Content: r.Uint64(), Hue: orig.spec.Hue + 100 + float64(r.IntN(160))}
		p := synthPic{spec: spec, path: s.picPath(id, 0, false)}
		if err := w.writeOriginal(p); err != nil {
			return text, nil, nil, err
		}
		pics = append(pics, p)
		truth = append(truth, TruthLine{Rule: listing.RuleCopyImage, ListingID: id, OtherListingID: srcID, Transform: "lookalike_screen",
			Image: p.path, OtherImage: orig.path})
	}
	return text, pics, truth, nil
}

// encodeSmall encodes an original as PNG: flat colours compress to about
// a kilobyte, so 100,000 listings fit in a few hundred megabytes.
func (w *synthWorker) encodeSmall(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := w.png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// onePNGBuffer keeps one worker's PNG compressor between pictures; creating
// a compressor per picture cost as much as the compression.
type onePNGBuffer struct{ b *png.EncoderBuffer }

func (p *onePNGBuffer) Get() *png.EncoderBuffer  { return p.b }
func (p *onePNGBuffer) Put(b *png.EncoderBuffer) { p.b = b }

func (w *synthWorker) writeOriginal(p synthPic) error {
	data, err := w.encodeSmall(drawSmall(p.spec))
	if err != nil {
		return fmt.Errorf("%s: %w", p.path, err)
	}
	return w.write(p.path, data)
}

// writeCopy redraws the source picture, decodes its uploaded bytes as a
// copier would download them, transforms and saves the copy as JPEG.
func (w *synthWorker) writeCopy(src synthPic, dst, transform string, copier synthProvider) error {
	data, err := w.encodeSmall(drawSmall(src.spec))
	if err != nil {
		return fmt.Errorf("%s: %w", src.path, err)
	}
	uploaded, err := DecodeImage(data)
	if err != nil {
		return fmt.Errorf("decode %s: %w", src.path, err)
	}
	opts := TransformOptions{Painter: w.pt, Watermark: "样例"}
	if copier.logo%2 == 0 {
		opts.Watermark = copier.short
	}
	if transform == "logo" {
		opts.Logo = w.pt.DrawLogo(LogoSpec{Seed: copier.logo, Hue: copier.hue, Brand: copier.short, Size: 48}) // a corner sticker
	}
	copied, err := TransformImage(transform, uploaded, opts)
	if err != nil {
		return fmt.Errorf("%s for %s: %w", transform, dst, err)
	}
	q := 85
	if transform == "jpeg35" {
		q = 35
	}
	out, err := EncodeJPEG(copied, q)
	if err != nil {
		return fmt.Errorf("%s for %s: %w", transform, dst, err)
	}
	return w.write(dst, out)
}

func (w *synthWorker) write(rel string, data []byte) error {
	p := filepath.Join(w.out, filepath.FromSlash(rel))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	return nil
}

// synthBatch is how many listings are built between two ordered writes: it
// bounds memory (a few kilobytes per listing) while keeping workers busy.
const synthBatch = 512

// WriteSynth writes a scale corpus of o.N listings to out: listings.jsonl
// (one listing per line, in index order), the truth about planted copies
// and look-alikes in SynthTruthFile, and unless o.Images is "none" the
// pictures under img/<shard>/ and one logo per provider. There are N/25
// providers; about 2% of listings copy another provider's image, 2% its
// title and description, and 5% are honest look-alikes (expect false).
func WriteSynth(ctx context.Context, out string, o SynthOptions) (*SynthSummary, error) {
	if o.N < 1 || o.N > 10_000_000 {
		return nil, fmt.Errorf("n %d: want 1–10000000 listings", o.N)
	}
	if o.Seed == 0 {
		o.Seed = SynthSeed
	}
	switch o.Images {
	case "", "small", "none":
	default:
		return nil, fmt.Errorf("images %q: want small or none", o.Images)
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	log := orDiscard(o.Logger)
	s := &synth{seed: o.Seed, n: o.N, providers: max(2, o.N/25), images: o.Images != "none"}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", out, err)
	}
	if s.images {
		for b := 0; b < 256; b++ {
			d := filepath.Join(out, "img", fmt.Sprintf("%02x", b))
			if err := os.MkdirAll(d, 0o755); err != nil {
				return nil, fmt.Errorf("create %s: %w", d, err)
			}
		}
	}
	ws := make([]*synthWorker, workers)
	for k := range ws {
		ev, err := NewEvader()
		if err != nil {
			return nil, err
		}
		ws[k] = &synthWorker{s: s, out: out, ev: ev, pt: NewPainter(nil), logos: NewPainter(o.Fonts),
			png: &png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &onePNGBuffer{}}}
	}
	sum := &SynthSummary{Listings: o.N, Providers: s.providers}
	if err := writeSynthListings(ctx, out, s, ws, sum, log); err != nil {
		return nil, err
	}
	if s.images {
		if err := writeSynthLogos(ctx, out, s, ws); err != nil {
			return nil, err
		}
		sum.Images += s.providers
	}
	return sum, nil
}

// createBuffered opens a new file for buffered writing.
func createBuffered(out, name string) (*os.File, *bufio.Writer, error) {
	f, err := os.Create(filepath.Join(out, name))
	if err != nil {
		return nil, nil, fmt.Errorf("create %s: %w", name, err)
	}
	return f, bufio.NewWriterSize(f, 1<<20), nil
}

func writeSynthListings(ctx context.Context, out string, s *synth, ws []*synthWorker, sum *SynthSummary, log *slog.Logger) (err error) {
	lf, lw, err := createBuffered(out, "listings.jsonl")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := lf.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close listings.jsonl: %w", cerr)
		}
	}()
	tf, tw, err := createBuffered(out, SynthTruthFile)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := tf.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close %s: %w", SynthTruthFile, cerr)
		}
	}()
	tenc := json.NewEncoder(tw)
	tenc.SetEscapeHTML(false)
	results := make([]synthResult, synthBatch)
	start := time.Now()
	nextLog := s.n / 10
	for lo := 0; lo < s.n; lo += synthBatch {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("write listings: %w", err)
		}
		hi := min(s.n, lo+synthBatch)
		batch := results[:hi-lo]
		var next atomic.Int64
		var wg sync.WaitGroup
		for _, w := range ws {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k := int(next.Add(1)) - 1
					if k >= len(batch) {
						return
					}
					batch[k] = w.build(lo + k)
				}
			}()
		}
		wg.Wait()
		for k := range batch {
			res := &batch[k]
			if res.err != nil {
				return res.err
			}
			lw.Write(res.line) // encodeJSON ends the line
			for _, t := range res.truth {
				if err := tenc.Encode(t); err != nil {
					return fmt.Errorf("encode truth: %w", err)
				}
				sum.Truth++
			}
			sum.Images += res.images
			switch res.role {
			case roleImageCopy:
				sum.ImageCopies++
			case roleTextCopy:
				sum.TextCopies++
			case roleLookalike:
				sum.Lookalikes++
			}
			*res = synthResult{}
		}
		if hi >= nextLog && hi < s.n {
			log.Info("synth progress", "listings", hi, "of", s.n, "elapsed", time.Since(start).Round(time.Millisecond))
			nextLog += s.n / 10
		}
	}
	if err := lw.Flush(); err != nil {
		return fmt.Errorf("write listings.jsonl: %w", err)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", SynthTruthFile, err)
	}
	return nil
}

// writeSynthLogos draws every provider's store logo.
func writeSynthLogos(ctx context.Context, out string, s *synth, ws []*synthWorker) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, len(ws))
	for k, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				p := int(next.Add(1)) - 1
				if p >= s.providers || ctx.Err() != nil {
					return
				}
				sp := s.provider(p)
				img := w.logos.DrawLogo(LogoSpec{Seed: sp.logo, Hue: sp.hue, Brand: sp.short}) // 120 px: at 48 px honest logos hash alike
				data, err := w.encodeSmall(img)
				if err == nil {
					err = w.write(sp.Logo, data)
				}
				if err != nil {
					errs[k] = fmt.Errorf("logo of %s: %w", sp.ID, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write logos: %w", err)
	}
	return nil
}
