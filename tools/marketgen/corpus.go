package marketgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"log/slog"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/listingscan/listingscan/listing"
)

// TruthLine is one line of truth.ndjson: a finding the scanner must report
// (Expect true) or a look-alike pair it must not report (Expect false).
// ListingID is the later, blamed listing; OtherListingID the earlier one.
type TruthLine struct {
	Rule           string `json:"rule"`
	ListingID      string `json:"listing_id"`
	OtherListingID string `json:"other_listing_id"`
	Transform      string `json:"transform"`
	Expect         bool   `json:"expect"`
	// Image and OtherImage name the copied picture and its source, as paths
	// relative to the corpus root, for copy.image lines.
	Image      string `json:"image,omitempty"`
	OtherImage string `json:"other_image,omitempty"`
}

// Summary describes a generated corpus.
type Summary struct {
	Listings  int
	Providers int
	Images    int
	Files     int
	Bytes     int64
	Truth     []TruthLine
}

// fileFormat is how a listing is stored.
type fileFormat int

const (
	formatArray  fileFormat = iota // one JSON array per file
	formatJSONL                    // one listing per line
	formatSingle                   // one JSON object per file
	formatHTML                     // a saved marketplace page
	// formatJSONLTruncated is JSON Lines with a line cut short after the
	// first listing, as left by an interrupted export.
	formatJSONLTruncated
)

type provider struct {
	listing.Provider
	short    string
	hue      float64
	logoSeed uint64
}

type imageKind int

const (
	kindScreen imageKind = iota
	kindBanner
	kindPhoto
)

// picture is one image a listing shows and how it was made.
type picture struct {
	name   string // file name inside the listing's img/ directory
	kind   imageKind
	screen ScreenSpec
	job    *imageJob
	output int // index into job.outputs
}

type entry struct {
	l        listing.Listing
	prov     *provider
	text     ListingText
	dir      string // directory of the listing's file, relative to the corpus root
	file     string // the listing's file, relative to the corpus root
	format   fileFormat
	pictures []*picture
	// htmlBefore makes the rendered description_html a precomputed value.
	descHTML string
}

// imageJob draws one picture once and writes it, plus every copy derived
// from it, so that a source image is never drawn twice.
type imageJob struct {
	draw    func(p *Painter) image.Image
	png     bool
	outputs []imageOutput
}

type imageOutput struct {
	path      string // relative to the corpus root
	transform string // "" identical bytes; an ImageTransforms name; "truncate"
	watermark string
	logo      *LogoSpec
}

// corpus is a marketplace being generated: providers, listings, the
// pictures they show and the truth about who copied whom.
type corpus struct {
	r        *rand.Rand
	gen      *textGen
	ev       *Evader
	idPrefix string
	idWidth  int
	nextID   int
	entries  []*entry
	jobs     []*imageJob
	truth    []TruthLine
	logos    map[string]bool // dir + provider → logo job exists
	provs    []*provider
	extra    map[string][]byte // additional files (config, broken inputs)
	nextTmpl int
}

func newCorpus(seed uint64, idPrefix string, idWidth, firstID int) (*corpus, error) {
	ev, err := NewEvader()
	if err != nil {
		return nil, err
	}
	return &corpus{
		r: rand.New(rand.NewPCG(seed, 0x6d61726b6574)), gen: newTextGen(), ev: ev,
		idPrefix: idPrefix, idWidth: idWidth, nextID: firstID,
		logos: map[string]bool{}, extra: map[string][]byte{}, nextTmpl: 101,
	}, nil
}

func (c *corpus) newID() string {
	id := fmt.Sprintf("L-%s%0*d", c.idPrefix, c.idWidth, c.nextID)
	c.nextID++
	return id
}

// newProvider registers a provider. name may be empty to generate one.
func (c *corpus) newProvider(id, name, short, domain string) *provider {
	r := c.r
	if name == "" {
		brand := c.gen.brand(r)
		short = brand + "科技"
		name = pick(r, cities) + brand + pick(r, companyWords) + "有限公司"
	}
	s := slots{rng: r, vars: map[string]string{"short": short, "domain": domain, "city": pick(r, cities)}}
	p := &provider{
		Provider: listing.Provider{ID: id, Name: name, Intro: s.fill(pick(r, providerIntroTemplates))},
		short:    short, hue: float64(r.IntN(360)), logoSeed: r.Uint64(),
	}
	c.provs = append(c.provs, p)
	return p
}

// logoRef makes sure the provider's logo exists next to dir's listings and
// returns the reference a listing in dir uses.
func (c *corpus) logoRef(p *provider, dir string) string {
	name := "logo-" + strings.ToLower(p.ID) + ".png"
	key := dir + "\x00" + p.ID
	if !c.logos[key] {
		c.logos[key] = true
		spec := LogoSpec{Seed: p.logoSeed, Hue: p.hue, Brand: p.short}
		c.jobs = append(c.jobs, &imageJob{
			draw:    func(pt *Painter) image.Image { return pt.DrawLogo(spec) },
			png:     true,
			outputs: []imageOutput{{path: path.Join(dir, "img", name)}},
		})
	}
	return "img/" + name
}

func (p *provider) logoSpec() *LogoSpec {
	return &LogoSpec{Seed: p.logoSeed, Hue: p.hue, Brand: p.short}
}

// where says in which file a listing is stored.
type where struct {
	file   string
	format fileFormat
}

func (w where) dir() string {
	d := path.Dir(w.file)
	if d == "." {
		return ""
	}
	return d
}

// newEntry creates a listing with text and no pictures yet.
func (c *corpus) newEntry(p *provider, category string, text ListingText, at time.Time, w where) *entry {
	r := c.r
	id := c.newID()
	if w.format == formatSingle || w.format == formatHTML {
		ext := ".json"
		if w.format == formatHTML {
			ext = ".html"
		}
		w.file = path.Join(w.file, id+ext)
	}
	e := &entry{prov: p, text: text, dir: w.dir(), file: w.file, format: w.format}
	prov := p.Provider
	prov.Logo = c.logoRef(p, e.dir)
	e.l = listing.Listing{
		ID:          id,
		Provider:    prov,
		Title:       text.Title,
		Tags:        text.Tags,
		Category:    category,
		Summary:     text.Summary,
		Price:       c.price(category),
		Service:     c.service(),
		OAuth:       listing.OAuth{},
		PublishedAt: at.UTC(),
		UpdatedAt:   at.Add(time.Duration(r.IntN(20*24)) * time.Hour).UTC(),
	}
	if c.idWidth == 4 {
		e.l.TemplateID = "T-" + strconv.Itoa(c.nextTmpl)
		c.nextTmpl++
	}
	if r.IntN(6) == 0 {
		e.l.OAuth = listing.OAuth{Enabled: true, Reviewed: r.IntN(4) > 0}
	}
	c.entries = append(c.entries, e)
	return e
}

func (c *corpus) price(category string) listing.Price {
	r := c.r
	set := pick(r, planSets)
	base := 600 + r.IntN(40)*100
	if category == "政务" || category == "医疗健康" {
		base += 3000
	}
	var plans []listing.PricePlan
	for i, name := range set {
		p := base * (10 + i*9) / 10
		p = p/100*100 - pick(r, []int{1, 20, 0, 2})
		if p <= 0 {
			p = 99
		}
		lp := (p*(120+r.IntN(40))/100)/100*100 + 99
		dur := "1年"
		if strings.Contains(name, "买断") || strings.Contains(name, "私有化") {
			dur = "永久"
		}
		unit := "套"
		if strings.Contains(name, "门店") || strings.Contains(name, "连锁") {
			unit = "门店"
		}
		plans = append(plans, listing.PricePlan{Name: name, Duration: dur, Unit: unit,
			ListPrice: json.Number(strconv.Itoa(lp)), Price: json.Number(strconv.Itoa(p))})
	}
	return listing.Price{Plans: plans}
}

func (c *corpus) service() listing.Service {
	r := c.r
	s := slots{rng: r, vars: map[string]string{"n": strconv.Itoa(1 + r.IntN(12))}}
	return listing.Service{
		AfterSales: s.fill(pick(r, afterSalesTemplates)),
		Hours:      pick(r, serviceHours),
		Channels:   append([]string(nil), pick(r, serviceChannels)...),
	}
}

// addPicture adds a freshly drawn picture to e.
func (c *corpus) addPicture(e *entry, kind imageKind, layout Layout) *picture {
	r := c.r
	seed := r.Uint64()
	hue := float64(r.IntN(360))
	cat := e.l.Category
	brand := e.text.Brand
	city := e.text.City
	pic := &picture{name: fmt.Sprintf("%s-%d.jpg", e.l.ID, len(e.pictures)+1), kind: kind}
	var draw func(p *Painter) image.Image
	switch kind {
	case kindScreen:
		spec := ScreenSpec{Seed: seed, Category: cat, Layout: layout, Hue: hue, Brand: brand, City: city}
		pic.screen = spec
		draw = func(p *Painter) image.Image { return p.DrawScreen(spec) }
	case kindBanner:
		spec := BannerSpec{Seed: seed, Category: cat, Hue: hue, Brand: brand}
		draw = func(p *Painter) image.Image { return p.DrawBanner(spec) }
	default:
		spec := PhotoSpec{Seed: seed, Category: cat, Hue: hue, W: 560, H: 420}
		if r.IntN(2) == 0 {
			spec.W, spec.H = 500, 500
		}
		draw = func(p *Painter) image.Image { return p.DrawPhoto(spec) }
	}
	return c.attach(e, pic, &imageJob{draw: draw})
}

// addScreen adds a screen drawn from spec (a look-alike of another screen).
func (c *corpus) addScreen(e *entry, spec ScreenSpec) *picture {
	pic := &picture{name: fmt.Sprintf("%s-%d.jpg", e.l.ID, len(e.pictures)+1), kind: kindScreen, screen: spec}
	return c.attach(e, pic, &imageJob{draw: func(p *Painter) image.Image { return p.DrawScreen(spec) }})
}

func (c *corpus) attach(e *entry, pic *picture, job *imageJob) *picture {
	job.outputs = append(job.outputs, imageOutput{path: c.picPath(e, pic.name)})
	pic.job, pic.output = job, 0
	c.jobs = append(c.jobs, job)
	e.pictures = append(e.pictures, pic)
	e.l.Images = append(e.l.Images, "img/"+pic.name)
	return pic
}

func (c *corpus) picPath(e *entry, name string) string {
	return path.Join(e.dir, "img", name)
}

// derivePicture adds to e a copy of src made with transform ("" for the
// identical file).
func (c *corpus) derivePicture(e *entry, src *picture, transform string, copier *provider) *picture {
	pic := &picture{name: fmt.Sprintf("%s-%d.jpg", e.l.ID, len(e.pictures)+1), kind: src.kind, screen: src.screen, job: src.job}
	out := imageOutput{path: c.picPath(e, pic.name), transform: transform}
	switch transform {
	case "watermark":
		out.watermark = "样例"
		if c.r.IntN(2) == 0 {
			out.watermark = copier.short
		}
	case "logo":
		out.logo = copier.logoSpec()
	}
	src.job.outputs = append(src.job.outputs, out)
	pic.output = len(src.job.outputs) - 1
	e.pictures = append(e.pictures, pic)
	e.l.Images = append(e.l.Images, "img/"+pic.name)
	return pic
}

// standardPictures gives an original listing its usual gallery: a screen,
// a banner and a photo or second screen.
func (c *corpus) standardPictures(e *entry) {
	first := Layout(c.r.IntN(int(NumLayouts)))
	c.addPicture(e, kindScreen, first)
	c.addPicture(e, kindBanner, 0)
	if c.r.IntN(2) == 0 {
		c.addPicture(e, kindPhoto, 0)
	} else {
		c.addPicture(e, kindScreen, (first+1+Layout(c.r.IntN(int(NumLayouts)-1)))%NumLayouts)
	}
}

func (c *corpus) picturePath(e *entry, p *picture) string { return c.picPath(e, p.name) }

func (c *corpus) addTruth(rule string, later, earlier *entry, transform string, expect bool) {
	c.truth = append(c.truth, TruthLine{Rule: rule, ListingID: later.l.ID, OtherListingID: earlier.l.ID, Transform: transform, Expect: expect})
}

// freshText writes new text for a listing by p.
func (c *corpus) freshText(p *provider, category string, o textOptions) ListingText {
	o.category = category
	o.provider = p.ID
	o.short = p.short
	return c.gen.listingText(c.r, o)
}

// copyText makes the text of a listing by copier that copies orig's text
// with the named evasion, and records the truth. It returns the text and
// whether the title was copied.
func (c *corpus) copyText(orig *entry, copier *provider, transform string) (ListingText, []string, error) {
	r := c.r
	lt := c.freshText(copier, orig.l.Category, textOptions{})
	var rules []string
	switch {
	case transform == "title_edit1" || transform == "title_edit2":
		n := 1
		if transform == "title_edit2" {
			n = 2
		}
		lt.Title = EditTitle(orig.text.Title, n, r)
		rules = append(rules, listing.RuleCopyTitle)
	case charLevel(transform):
		if t, err := c.ev.Apply(transform, orig.text.Title, r); err != nil {
			return lt, nil, err
		} else if t != orig.text.Title {
			lt.Title = t
			rules = append(rules, listing.RuleCopyTitle)
		}
		d, err := c.ev.evadeDescription(transform, orig.text.Desc, nil, r)
		if err != nil {
			return lt, nil, err
		}
		lt.Desc = d
		if s, err := c.ev.Apply(transform, orig.text.Summary, r); err == nil {
			lt.Summary = s
		}
		rules = append(rules, listing.RuleCopyDescription)
	case transform == "shuffled" || transform == "partial60":
		own := c.gen.ownSentences(r, orig.l.Category, copier.short, 2+r.IntN(2))
		d, err := c.ev.evadeDescription(transform, orig.text.Desc, own, r)
		if err != nil {
			return lt, nil, err
		}
		lt.Desc = d
		rules = append(rules, listing.RuleCopyDescription)
	default:
		return lt, nil, fmt.Errorf("unknown text transform %q", transform)
	}
	if len(rules) > 0 && rules[0] == listing.RuleCopyTitle {
		c.gen.issue(orig.l.Category, copier.ID, lt.Title)
	}
	return lt, rules, nil
}

// finish renders description HTML now that every picture is known.
func (c *corpus) finish() {
	for _, e := range c.entries {
		if e.descHTML != "" {
			e.l.DescriptionHTML = e.descHTML
			continue
		}
		e.l.DescriptionHTML = e.text.Desc.HTML(e.l.Images)
	}
}

// render draws every picture and writes every file below out.
func (c *corpus) render(ctx context.Context, out string, fonts *Fonts, workers int, log *slog.Logger) (*Summary, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	c.finish()
	start := time.Now()
	if err := runJobs(ctx, out, fonts, workers, c.jobs); err != nil {
		return nil, err
	}
	log.Debug("pictures written", "jobs", len(c.jobs), "elapsed", time.Since(start))
	if err := c.writeListings(out); err != nil {
		return nil, err
	}
	for name, data := range c.extra {
		if err := writeFile(out, name, data); err != nil {
			return nil, err
		}
	}
	var tb bytes.Buffer
	enc := json.NewEncoder(&tb)
	enc.SetEscapeHTML(false)
	for _, t := range c.truth {
		if err := enc.Encode(t); err != nil {
			return nil, fmt.Errorf("encode truth: %w", err)
		}
	}
	if err := writeFile(out, "truth.ndjson", tb.Bytes()); err != nil {
		return nil, err
	}
	s := &Summary{Listings: len(c.entries), Truth: c.truth}
	provs := map[string]bool{}
	for _, e := range c.entries {
		provs[e.l.Provider.ID] = true
	}
	s.Providers = len(provs)
	for _, j := range c.jobs {
		s.Images += len(j.outputs)
	}
	err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			s.Files++
			s.Bytes += info.Size()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("measure %s: %w", out, err)
	}
	return s, nil
}

func writeFile(root, rel string, data []byte) error {
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("create directory for %s: %w", rel, err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	return nil
}

// runJobs draws the pictures on workers goroutines, each with its own Painter.
func runJobs(parent context.Context, out string, fonts *Fonts, workers int, jobs []*imageJob) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	ch := make(chan *imageJob)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := NewPainter(fonts)
			for j := range ch {
				if err := runJob(p, out, j); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
	func() {
		defer close(ch)
		for _, j := range jobs {
			select {
			case ch <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := parent.Err(); err != nil {
		return fmt.Errorf("draw pictures: %w", err)
	}
	return nil
}

func runJob(p *Painter, out string, j *imageJob) error {
	img := j.draw(p)
	var data []byte
	var err error
	if j.png {
		data, err = EncodePNG(img)
	} else {
		data, err = EncodeJPEG(img, originalQuality)
	}
	if err != nil {
		return err
	}
	// Copiers start from the uploaded file, not from our drawing: decode
	// it once for all the copies made from it.
	var uploaded image.Image
	for _, o := range j.outputs {
		var b []byte
		switch o.transform {
		case "":
			b = data
		case "truncate":
			b = data[:len(data)*35/100]
		default:
			if uploaded == nil {
				if uploaded, err = DecodeImage(data); err != nil {
					return fmt.Errorf("decode %s: %w", j.outputs[0].path, err)
				}
			}
			opts := TransformOptions{Painter: p, Watermark: o.watermark}
			if o.logo != nil {
				opts.Logo = p.DrawLogo(*o.logo)
			}
			copied, err := TransformImage(o.transform, uploaded, opts)
			if err != nil {
				return fmt.Errorf("%s for %s: %w", o.transform, o.path, err)
			}
			q := 85
			if o.transform == "jpeg35" {
				q = 35
			}
			if b, err = EncodeJPEG(copied, q); err != nil {
				return fmt.Errorf("%s for %s: %w", o.transform, o.path, err)
			}
		}
		if err := writeFile(out, o.path, b); err != nil {
			return err
		}
	}
	return nil
}

// writeListings writes every listing into its file, in creation order.
func (c *corpus) writeListings(out string) error {
	type fileData struct {
		format  fileFormat
		entries []*entry
	}
	files := map[string]*fileData{}
	var order []string
	for _, e := range c.entries {
		f, ok := files[e.file]
		if !ok {
			f = &fileData{format: e.format}
			files[e.file] = f
			order = append(order, e.file)
		}
		f.entries = append(f.entries, e)
	}
	for _, name := range order {
		f := files[name]
		var buf bytes.Buffer
		switch f.format {
		case formatArray:
			ls := make([]listing.Listing, len(f.entries))
			for i, e := range f.entries {
				ls[i] = e.l
			}
			if err := encodeJSON(&buf, ls, true); err != nil {
				return fmt.Errorf("encode %s: %w", name, err)
			}
		case formatJSONL, formatJSONLTruncated:
			for i, e := range f.entries {
				if err := encodeJSON(&buf, e.l, false); err != nil {
					return fmt.Errorf("encode %s: %w", name, err)
				}
				if i == 0 && f.format == formatJSONLTruncated {
					ghost := e.l
					ghost.ID = e.l.ID + "-draft"
					var gb bytes.Buffer
					if err := encodeJSON(&gb, ghost, false); err != nil {
						return fmt.Errorf("encode %s: %w", name, err)
					}
					line := []rune(gb.String())
					buf.WriteString(string(line[:len(line)*55/100]))
					buf.WriteByte('\n')
				}
			}
		case formatSingle:
			if err := encodeJSON(&buf, f.entries[0].l, true); err != nil {
				return fmt.Errorf("encode %s: %w", name, err)
			}
		case formatHTML:
			buf.WriteString(listingPage(f.entries[0]))
		}
		if err := writeFile(out, name, buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

func encodeJSON(buf *bytes.Buffer, v any, indent bool) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}

// originalQuality is the JPEG quality of uploaded originals: what
// marketplace uploaders typically produce, and small enough to commit.
const originalQuality = 75
