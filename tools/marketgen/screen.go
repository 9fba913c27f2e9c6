package marketgen

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Screen size of the phone screenshots providers upload (logical pixels of a
// common Android phone).
const (
	ScreenW = 360
	ScreenH = 640
)

// Layout is the page structure of a phone screenshot. Apps built from the
// same low-code template share a layout; what differs is content and colour.
type Layout int

// Layouts of generated app screens.
const (
	LayoutHome      Layout = iota // search, banner, icon grid, recommended list
	LayoutMenu                    // ordering page: category sidebar, item list, cart bar
	LayoutDetail                  // product detail: hero photo, price, buy buttons
	LayoutMember                  // "my" page: profile header, stats, order shortcuts
	LayoutDashboard               // workbench: greeting, stat cards, chart, to-dos
	LayoutForm                    // appointment form with steps and a submit button
	NumLayouts
)

// String names the layout as used in logs and test names.
func (l Layout) String() string {
	names := []string{"home", "menu", "detail", "member", "dashboard", "form"}
	if l < 0 || int(l) >= len(names) {
		return "layout(" + strconv.Itoa(int(l)) + ")"
	}
	return names[l]
}

// ScreenSpec determines one screenshot. Two specs with the same Layout and
// Category but different Seed, Hue and Brand give look-alike screens with
// different content, like two apps built from one template.
type ScreenSpec struct {
	Seed     uint64
	Category string
	Layout   Layout
	Hue      float64 // brand colour, degrees
	Brand    string  // app brand shown in titles
	City     string
}

// screenContent is everything a screen shows, drawn from the spec's seed.
type screenContent struct {
	r        *rand.Rand
	bank     *screenBank
	pal      Palette
	title    string
	clock    string
	battery  int
	icons    []string
	iconKind []int
	iconHue  []float64
	items    []string
	slogan   string
	brand    string
	city     string
	photo    photoKind
}

func newScreenContent(s ScreenSpec) *screenContent {
	r := rand.New(rand.NewPCG(s.Seed, 0x5c4ee7))
	bank := &bankFor(s.Category).screen
	c := &screenContent{r: r, bank: bank, pal: NewPalette(s.Hue), brand: s.Brand, city: s.City}
	// Brand colours differ in lightness too, not only in hue.
	l := 0.34 + r.Float64()*0.26
	c.pal.Accent = hsl(s.Hue, 0.72, l)
	c.pal.Deep = hsl(s.Hue+18, 0.70, l-0.12)
	if r.IntN(3) == 0 {
		c.pal.Surface = white
	}
	if c.brand == "" {
		c.brand = pick(r, brandHeads) + pick(r, brandTails)
	}
	if c.city == "" {
		c.city = pick(r, cities)
	}
	sl := slots{rng: r, vars: map[string]string{"brand": c.brand, "city": c.city}}
	c.title = sl.fill(pick(r, bank.navs))
	c.clock = fmt.Sprintf("%d:%02d", 7+r.IntN(15), r.IntN(60))
	c.battery = 20 + r.IntN(80)
	c.icons = pickN(r, bank.icons, 10)
	for range c.icons {
		c.iconKind = append(c.iconKind, r.IntN(numIconKinds))
		c.iconHue = append(c.iconHue, s.Hue+float64(r.IntN(7)-3)*40)
	}
	c.items = pickN(r, bank.items, 8)
	c.slogan = pick(r, bank.slogans)
	c.photo = pick(r, bank.photos)
	return c
}

func (c *screenContent) sub() string {
	s := slots{rng: c.r, vars: map[string]string{}}
	return s.fill(pick(c.r, c.bank.subs))
}

func (c *screenContent) price() (string, bool) {
	if c.bank.maxPrice == 0 {
		return "", false
	}
	p := c.bank.minPrice + c.r.IntN(c.bank.maxPrice-c.bank.minPrice+1)
	if p == 0 {
		return "免费", true
	}
	if c.r.IntN(3) == 0 {
		return fmt.Sprintf("¥%d.9", p), true
	}
	return fmt.Sprintf("¥%d", p), true
}

// DrawScreen draws a phone screenshot of an app of the spec's category.
func (p *Painter) DrawScreen(s ScreenSpec) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, ScreenW, ScreenH))
	c := newScreenContent(s)
	Fill(dst, dst.Bounds(), c.pal.Surface)
	switch s.Layout {
	case LayoutMenu:
		p.layoutMenu(dst, c)
	case LayoutDetail:
		p.layoutDetail(dst, c)
	case LayoutMember:
		p.layoutMember(dst, c)
	case LayoutDashboard:
		p.layoutDashboard(dst, c)
	case LayoutForm:
		p.layoutForm(dst, c)
	default:
		p.layoutHome(dst, c)
	}
	return dst
}

// statusBar draws the phone's status bar: clock, signal, Wi-Fi and battery.
func (p *Painter) statusBar(dst *image.RGBA, c *screenContent, bg color.Color, fg color.RGBA) {
	if bg != nil {
		Fill(dst, image.Rect(0, 0, ScreenW, 24), bg)
	}
	p.BoldText(dst, 14, 17, c.clock, 13, fg)
	x := 276
	for i := 0; i < 4; i++ {
		h := 4 + i*2
		Fill(dst, image.Rect(x+i*4, 17-h, x+i*4+3, 17), fg)
	}
	// Wi-Fi fan.
	p.Polygon(dst, []image.Point{{300, 8}, {314, 8}, {307, 17}}, fg)
	p.Text(dst, 318, 16, strconv.Itoa(c.battery), 10, fg)
	bx := 333
	p.RoundRect(dst, image.Rect(bx, 7, bx+20, 17), 2.5, fg)
	inner := Mix(fg, color.RGBA{0x80, 0x80, 0x80, 0xff}, 0.5)
	if bg != nil {
		if rgba, ok := bg.(color.RGBA); ok {
			inner = rgba
		}
	}
	Fill(dst, image.Rect(bx+1, 8, bx+19, 16), inner)
	level := 1 + 17*c.battery/100
	lc := fg
	if c.battery < 25 {
		lc = color.RGBA{0xf5, 0x3f, 0x3f, 0xff}
	}
	Fill(dst, image.Rect(bx+2, 9, bx+1+level, 15), lc)
	Fill(dst, image.Rect(bx+20, 10, bx+22, 14), fg)
}

// navBar draws the mini-program title bar with the WeChat capsule button.
func (p *Painter) navBar(dst *image.RGBA, c *screenContent, bg color.Color, fg color.RGBA, title string, back bool) {
	if bg != nil {
		Fill(dst, image.Rect(0, 24, ScreenW, 68), bg)
	}
	p.TextCentered(dst, ScreenW/2, 52, p.Fit(title, 17, 170), 17, fg, true)
	if back {
		p.Line(dst, 24, 46, 16, 38, 2, fg)
		p.Line(dst, 16, 38, 24, 30, 2, fg)
	}
	capsule := image.Rect(264, 31, 352, 61)
	p.RoundRect(dst, capsule, 15, Alpha(fg, 40))
	for i := 0; i < 3; i++ {
		p.Circle(dst, float64(282+i*7), 46, 2.2, fg)
	}
	Fill(dst, image.Rect(307, 38, 308, 54), Alpha(fg, 90))
	p.Circle(dst, 330, 46, 7.5, fg)
	p.Circle(dst, 330, 46, 5.5, Mix(fg, c.pal.Accent, 0.9))
	p.Circle(dst, 330, 46, 2.5, fg)
}

// tabBar draws the bottom tab bar with the active tab in the accent colour.
func (p *Painter) tabBar(dst *image.RGBA, c *screenContent, active int) {
	y := ScreenH - 52
	Fill(dst, image.Rect(0, y, ScreenW, ScreenH), white)
	Fill(dst, image.Rect(0, y, ScreenW, y+1), lightGray)
	kinds := []int{iconHouse, iconGrid, iconDoc, iconPerson}
	if c.bank.tabs[1] == "购物车" || c.bank.tabs[2] == "购物车" {
		kinds[2] = iconCart
	}
	if c.bank.tabs[1] == "消息" {
		kinds[1] = iconChat
	}
	for i, t := range c.bank.tabs {
		cx := ScreenW/8 + i*ScreenW/4
		col := gray
		if i == active {
			col = c.pal.Accent
		}
		p.drawIcon(dst, kinds[i%len(kinds)], float64(cx), float64(y+17), 20, col, white)
		p.TextCentered(dst, cx, y+44, t, 11, col, false)
	}
	Fill(dst, image.Rect(ScreenW/2-60, ScreenH-5, ScreenW/2+60, ScreenH-3), ink)
}

func (p *Painter) layoutHome(dst *image.RGBA, c *screenContent) {
	r := c.r
	headerH := 118 + r.IntN(3)*14
	accentNav := r.IntN(3) > 0
	if accentNav {
		Gradient(dst, image.Rect(0, 0, ScreenW, headerH), c.pal.Accent, c.pal.Deep, 90)
		p.statusBar(dst, c, nil, white)
		p.navBar(dst, c, nil, white, c.title, false)
	} else {
		Fill(dst, image.Rect(0, 0, ScreenW, headerH), white)
		p.statusBar(dst, c, white, ink)
		p.navBar(dst, c, white, ink, c.title, false)
	}
	sb := image.Rect(12, 76, 348, 106)
	if accentNav {
		p.RoundRect(dst, sb, 15, white)
	} else {
		p.RoundRect(dst, sb, 15, c.pal.Surface)
	}
	p.Circle(dst, 32, 91, 6, gray)
	p.Circle(dst, 32, 91, 4, white)
	p.Line(dst, 36, 95, 40, 99, 2, gray)
	p.Text(dst, 46, 96, c.bank.search, 13, gray)
	// Banner: a photo with the slogan over it.
	bh := 120 + r.IntN(5)*14
	br := image.Rect(12, 114, 348, 114+bh)
	if r.IntN(3) == 0 {
		br = image.Rect(0, 110, ScreenW, 110+bh)
	}
	p.miniBanner(dst, br, c)
	// Icon grid: one or two rows of four or five.
	cols := 4 + r.IntN(2)
	rows := 1 + r.IntN(2)
	y0 := br.Max.Y + 10
	cellW := (ScreenW - 10) / cols
	Fill(dst, image.Rect(0, y0-4, ScreenW, y0+rows*76+8), white)
	square := r.IntN(2) == 0
	for i := 0; i < cols*rows && i < len(c.icons); i++ {
		col, row := i%cols, i/cols
		cx := 5 + cellW/2 + col*cellW
		cy := y0 + 26 + row*76
		bg := hsl(c.iconHue[i], 0.75, 0.58)
		if square {
			p.RoundRect(dst, image.Rect(cx-21, cy-21, cx+21, cy+21), 12, bg)
		} else {
			p.Circle(dst, float64(cx), float64(cy), 21, bg)
		}
		p.drawIcon(dst, c.iconKind[i], float64(cx), float64(cy), 22, white, bg)
		p.TextCentered(dst, cx, cy+40, p.Fit(c.icons[i], 12, cellW-4), 12, ink, false)
	}
	// Section header and list.
	y := y0 + rows*76 + 34
	Fill(dst, image.Rect(14, y-13, 17, y+1), c.pal.Accent)
	p.BoldText(dst, 24, y, pick(r, []string{"热门推荐", "为你推荐", "今日精选", "人气榜单", "附近好店"}), 15, ink)
	p.Text(dst, 300, y, "更多 ›", 12, gray)
	y += 12
	if r.IntN(2) == 0 {
		// Two columns of product cards with large photos.
		for i := 0; y < ScreenH-52; i += 2 {
			for k := 0; k < 2; k++ {
				x := 10 + k*174
				card := image.Rect(x, y, x+166, y+214)
				p.RoundRect(dst, card, 8, white)
				ph := image.NewRGBA(image.Rect(0, 0, 166, 140))
				p.drawPhoto(ph, pick(r, c.bank.photos), r.Uint64(), c.pal.Hue+float64(r.IntN(200)))
				m := image.NewAlpha(ph.Bounds())
				p.RoundRect(m, image.Rect(0, 0, 166, 156), 8, color.Alpha{A: 255})
				drawMasked(dst, image.Rect(x, y, x+166, y+140), ph, m)
				p.BoldText(dst, x+8, y+162, p.Fit(c.items[(i+k)%len(c.items)], 14, 150), 14, ink)
				if pr, ok := c.price(); ok {
					p.BoldText(dst, x+8, y+200, pr, 15, c.pal.Accent)
				} else {
					p.Text(dst, x+8, y+200, p.Fit(c.sub(), 11, 150), 11, gray)
				}
				p.Text(dst, x+8, y+180, p.Fit(c.sub(), 11, 150), 11, gray)
			}
			y += 222
		}
	} else {
		for i := 0; y < ScreenH-52; i++ {
			p.listRow(dst, c, image.Rect(10, y, 350, y+88), c.items[i%len(c.items)])
			y += 96
		}
	}
	p.tabBar(dst, c, 0)
}
func (p *Painter) listRow(dst *image.RGBA, c *screenContent, r image.Rectangle, name string) {
	p.RoundRect(dst, r, 8, white)
	th := image.Rect(r.Min.X+10, r.Min.Y+10, r.Min.X+78, r.Min.Y+78)
	p.thumb(dst, th, c)
	x := th.Max.X + 12
	p.BoldText(dst, x, r.Min.Y+30, p.Fit(name, 15, r.Max.X-x-10), 15, ink)
	p.Text(dst, x, r.Min.Y+50, p.Fit(c.sub(), 12, r.Max.X-x-70), 12, gray)
	if pr, ok := c.price(); ok {
		p.BoldText(dst, x, r.Min.Y+76, pr, 16, c.pal.Accent)
	} else {
		p.Text(dst, x, r.Min.Y+76, c.sub(), 12, c.pal.Deep)
	}
	bt := c.bank.button
	if bt == "+" {
		p.Circle(dst, float64(r.Max.X-24), float64(r.Min.Y+68), 11, c.pal.Accent)
		Fill(dst, image.Rect(r.Max.X-30, r.Min.Y+67, r.Max.X-18, r.Min.Y+69), white)
		Fill(dst, image.Rect(r.Max.X-25, r.Min.Y+62, r.Max.X-23, r.Min.Y+74), white)
	} else {
		w := p.Measure(bt, 12) + 20
		br := image.Rect(r.Max.X-12-w, r.Min.Y+56, r.Max.X-12, r.Min.Y+80)
		p.RoundRect(dst, br, 12, c.pal.Accent)
		p.TextCentered(dst, (br.Min.X+br.Max.X)/2, br.Min.Y+17, bt, 12, white, false)
	}
}

// thumb draws a small product photo with rounded corners.
func (p *Painter) thumb(dst *image.RGBA, r image.Rectangle, c *screenContent) {
	ph := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	p.drawPhoto(ph, pick(c.r, c.bank.photos), c.r.Uint64(), c.pal.Hue+float64(c.r.IntN(120)))
	mask := image.NewAlpha(ph.Bounds())
	p.RoundRect(mask, mask.Bounds(), 6, color.Alpha{A: 255})
	drawMasked(dst, r, ph, mask)
}

func (p *Painter) miniBanner(dst *image.RGBA, br image.Rectangle, c *screenContent) {
	bw, bh := br.Dx(), br.Dy()
	b := image.NewRGBA(image.Rect(0, 0, bw, bh))
	p.drawPhoto(b, c.photo, c.r.Uint64(), c.pal.Hue+float64(c.r.IntN(360)))
	// Darken the left side so the slogan reads.
	shadeLeft(b, 0.62)
	parts := strings.SplitN(c.slogan, " ", 2)
	p.BoldText(b, 18, bh/2-14, parts[0], 22, white)
	if len(parts) > 1 {
		p.BoldText(b, 18, bh/2+16, parts[1], 17, color.RGBA{0xff, 0xf1, 0x9c, 0xff})
	}
	pill := image.Rect(18, bh/2+28, 104, bh/2+52)
	p.RoundRect(b, pill, 12, c.pal.Accent)
	p.TextCentered(b, 61, bh/2+45, "立即查看", 12, white, false)
	for i := 0; i < 4; i++ {
		col := Alpha(white, 110)
		if i == 0 {
			col = Alpha(white, 255)
		}
		p.Circle(b, float64(bw/2-15+i*10), float64(bh-8), 2.5, col)
	}
	round := image.NewAlpha(b.Bounds())
	radius := 10.0
	if bw >= ScreenW {
		radius = 0
	}
	p.RoundRect(round, round.Bounds(), radius, color.Alpha{A: 255})
	drawMasked(dst, br, b, round)
}

// shadeLeft darkens an image from its left edge (by strength) to the
// middle, the overlay apps put behind text on photos.
func shadeLeft(img *image.RGBA, strength float64) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, y):]
		for x := 0; x < b.Dx(); x++ {
			t := 1 - float64(x)/(float64(b.Dx())*0.7)
			if t <= 0 {
				break
			}
			f := int((1 - strength*t) * 256)
			i := x * 4
			row[i] = uint8(int(row[i]) * f >> 8)
			row[i+1] = uint8(int(row[i+1]) * f >> 8)
			row[i+2] = uint8(int(row[i+2]) * f >> 8)
		}
	}
}
func (p *Painter) layoutMenu(dst *image.RGBA, c *screenContent) {
	// Store cover photo under the status and title bars.
	coverH := 150 + c.r.IntN(4)*20
	cover := image.NewRGBA(image.Rect(0, 0, ScreenW, coverH))
	p.drawPhoto(cover, c.photo, c.r.Uint64(), c.pal.Hue+float64(c.r.IntN(360)))
	drawMasked(dst, cover.Bounds(), cover, nil)
	Fill(dst, image.Rect(0, 0, ScreenW, 68), Alpha(c.pal.Deep, 150))
	p.statusBar(dst, c, nil, white)
	p.navBar(dst, c, nil, white, c.title, true)
	// Store header card over the cover.
	top0 := coverH - 80
	p.RoundRect(dst, image.Rect(8, top0, 352, top0+76), 10, white)
	sh := top0 - 68
	logo := image.Rect(14, 80+sh, 62, 128+sh)
	p.RoundRect(dst, logo, 8, c.pal.Light)
	p.TextCentered(dst, 38, 112+sh, string([]rune(c.brand)[:1]), 24, c.pal.Accent, true)
	p.BoldText(dst, 72, 98+sh, p.Fit(c.brand+"（"+c.city+"旗舰店）", 16, 270), 16, ink)
	p.Text(dst, 72, 118+sh, p.Fit(c.city+pick(c.r, []string{"市中心", "高新区", "滨江路", "万达广场", "大学城"})+strconv.Itoa(10+c.r.IntN(300))+"号", 12, 200), 12, gray)
	chip := image.Rect(72, 124+sh, 116, 138+sh)
	p.RoundRect(dst, chip, 3, c.pal.Light)
	p.TextCentered(dst, 94, 135+sh, "营业中", 10, c.pal.Accent, false)
	p.Text(dst, 124, 135+sh, "距您"+strconv.Itoa(1+c.r.IntN(9))+"."+strconv.Itoa(c.r.IntN(10))+"km", 10, gray)
	// Sidebar.
	top := top0 + 84
	Fill(dst, image.Rect(0, top, 84, ScreenH-56), color.RGBA{0xf0, 0xf1, 0xf4, 0xff})
	active := c.r.IntN(3)
	for i, name := range c.bank.sideCats {
		y := top + i*52
		if y+52 > ScreenH-56 {
			break
		}
		col := gray
		if i == active {
			Fill(dst, image.Rect(0, y, 84, y+52), white)
			Fill(dst, image.Rect(0, y+14, 3, y+38), c.pal.Accent)
			col = ink
		}
		p.TextCentered(dst, 42, y+31, name, 13, col, i == active)
	}
	Fill(dst, image.Rect(84, top, ScreenW, ScreenH-56), white)
	p.BoldText(dst, 94, top+22, c.bank.sideCats[active], 13, ink)
	y := top + 30
	for i := 0; y < ScreenH-56; i++ {
		p.menuRow(dst, c, image.Rect(84, y, ScreenW, y+96), c.items[i%len(c.items)])
		y += 96
	}
	// Cart bar.
	Fill(dst, image.Rect(0, ScreenH-56, ScreenW, ScreenH), white)
	bar := image.Rect(12, ScreenH-50, 348, ScreenH-8)
	p.RoundRect(dst, bar, 21, color.RGBA{0x33, 0x36, 0x3d, 0xff})
	p.Circle(dst, 42, float64(ScreenH-36), 22, c.pal.Accent)
	p.drawIcon(dst, iconCart, 42, float64(ScreenH-36), 22, white, c.pal.Accent)
	p.Circle(dst, 58, float64(ScreenH-52), 8, color.RGBA{0xf5, 0x3f, 0x3f, 0xff})
	p.TextCentered(dst, 58, ScreenH-48, strconv.Itoa(1+c.r.IntN(9)), 10, white, false)
	total := 20 + c.r.IntN(300)
	p.BoldText(dst, 74, ScreenH-30, "¥"+strconv.Itoa(total), 17, white)
	p.Text(dst, 76+p.Measure("¥"+strconv.Itoa(total), 17)+6, ScreenH-30, "另需配送费¥"+strconv.Itoa(2+c.r.IntN(5)), 10, color.RGBA{0xaa, 0xaa, 0xaa, 0xff})
	btn := image.Rect(256, ScreenH-50, 348, ScreenH-8)
	p.RoundRect(dst, btn, 21, c.pal.Accent)
	p.TextCentered(dst, 302, ScreenH-24, "去结算", 15, white, true)
}

func (p *Painter) menuRow(dst *image.RGBA, c *screenContent, r image.Rectangle, name string) {
	th := image.Rect(r.Min.X+10, r.Min.Y+8, r.Min.X+82, r.Min.Y+80)
	p.thumb(dst, th, c)
	x := th.Max.X + 10
	p.BoldText(dst, x, r.Min.Y+26, p.Fit(name, 14, r.Max.X-x-8), 14, ink)
	p.Text(dst, x, r.Min.Y+46, p.Fit(c.sub(), 11, r.Max.X-x-8), 11, gray)
	pr, ok := c.price()
	if !ok {
		pr = "免费"
	}
	p.BoldText(dst, x, r.Min.Y+74, pr, 15, color.RGBA{0xf5, 0x3f, 0x3f, 0xff})
	p.Circle(dst, float64(r.Max.X-22), float64(r.Min.Y+68), 10, c.pal.Accent)
	Fill(dst, image.Rect(r.Max.X-27, r.Min.Y+67, r.Max.X-17, r.Min.Y+69), white)
	Fill(dst, image.Rect(r.Max.X-23, r.Min.Y+63, r.Max.X-21, r.Min.Y+73), white)
}

func (p *Painter) layoutDetail(dst *image.RGBA, c *screenContent) {
	hero := image.NewRGBA(image.Rect(0, 0, ScreenW, 300))
	p.drawPhoto(hero, c.photo, c.r.Uint64(), c.pal.Hue+float64(c.r.IntN(90)))
	drawMasked(dst, image.Rect(0, 0, ScreenW, 300), hero, nil)
	p.statusBar(dst, c, nil, white)
	p.Circle(dst, 24, 46, 15, Alpha(ink, 90))
	p.Line(dst, 27, 52, 21, 46, 2, white)
	p.Line(dst, 21, 46, 27, 40, 2, white)
	capsule := image.Rect(264, 31, 352, 61)
	p.RoundRect(dst, capsule, 15, Alpha(ink, 90))
	for i := 0; i < 3; i++ {
		p.Circle(dst, float64(282+i*7), 46, 2.2, white)
	}
	p.Circle(dst, 330, 46, 7, white)
	ind := image.Rect(300, 268, 346, 290)
	p.RoundRect(dst, ind, 11, Alpha(ink, 110))
	p.TextCentered(dst, 323, 284, "1/"+strconv.Itoa(3+c.r.IntN(6)), 11, white, false)
	// Price band.
	band := image.Rect(0, 300, ScreenW, 354)
	Gradient(dst, band, c.pal.Accent, c.pal.Deep, 0)
	pr, ok := c.price()
	if !ok {
		pr = "免费预约"
	}
	w := p.BoldText(dst, 16, 336, pr, 26, white)
	p.Text(dst, 24+w, 336, "原价¥"+strconv.Itoa(100+c.r.IntN(2000)), 12, Alpha(white, 200))
	p.Text(dst, 266, 322, "已售 "+strconv.Itoa(1+c.r.IntN(9))+"."+strconv.Itoa(c.r.IntN(10))+"k", 12, white)
	p.Text(dst, 266, 342, "限时特惠", 12, color.RGBA{0xff, 0xf1, 0x9c, 0xff})
	// Title and chips.
	Fill(dst, image.Rect(0, 354, ScreenW, 470), white)
	title := c.brand + " " + c.items[0] + " " + pick(c.r, []string{"官方直营", "品质保障", "限时优惠", "本地热卖", "新客专享"})
	for i, line := range p.Wrap(title, 17, 328, 2) {
		p.BoldText(dst, 16, 382+i*24, line, 17, ink)
	}
	x := 16
	for _, t := range pickN(c.r, []string{"正品保障", "极速退款", "7天无理由", "包邮", "随时退", "免预约", "官方认证", "品质优选"}, 3) {
		w := p.Measure(t, 11) + 14
		p.RoundRect(dst, image.Rect(x, 430, x+w, 450), 4, c.pal.Light)
		p.Text(dst, x+7, 444, t, 11, c.pal.Deep)
		x += w + 8
	}
	// Info rows.
	Fill(dst, image.Rect(0, 478, ScreenW, 588), white)
	rows := [][2]string{{"服务", "官方保障 · 售后无忧"}, {"规格", "请选择 规格 / 数量"}, {"说明", c.sub()}}
	for i, row := range rows {
		y := 504 + i*32
		p.Text(dst, 16, y, row[0], 13, gray)
		p.Text(dst, 64, y, p.Fit(row[1], 13, 250), 13, ink)
		p.Line(dst, 338, float64(y-10), 343, float64(y-5), 1.5, gray)
		p.Line(dst, 343, float64(y-5), 338, float64(y), 1.5, gray)
	}
	// Bottom bar.
	Fill(dst, image.Rect(0, 588, ScreenW, ScreenH), white)
	Fill(dst, image.Rect(0, 588, ScreenW, 589), lightGray)
	for i, t := range []string{"店铺", "客服", "收藏"} {
		cx := 24 + i*40
		p.drawIcon(dst, []int{iconHouse, iconChat, iconStar}[i], float64(cx), 604, 18, gray, white)
		p.TextCentered(dst, cx, 630, t, 10, gray, false)
	}
	b1 := image.Rect(140, 596, 244, 632)
	b2 := image.Rect(244, 596, 348, 632)
	p.RoundRect(dst, image.Rect(140, 596, 260, 632), 18, c.pal.Second)
	p.RoundRect(dst, image.Rect(232, 596, 348, 632), 18, c.pal.Accent)
	Fill(dst, image.Rect(244, 596, 250, 632), c.pal.Accent)
	p.TextCentered(dst, (b1.Min.X+b1.Max.X)/2, 619, "加入购物车", 13, white, true)
	p.TextCentered(dst, (b2.Min.X+b2.Max.X)/2, 619, "立即"+pick(c.r, []string{"购买", "预约", "预订", "报名"}), 13, white, true)
}

func (p *Painter) layoutMember(dst *image.RGBA, c *screenContent) {
	Gradient(dst, image.Rect(0, 0, ScreenW, 210), c.pal.Accent, c.pal.Deep, 60)
	p.Circle(dst, 320, 40, 90, Alpha(white, 22))
	p.Circle(dst, 40, 200, 60, Alpha(white, 18))
	p.statusBar(dst, c, nil, white)
	p.navBar(dst, c, nil, white, "个人中心", false)
	p.Circle(dst, 50, 118, 30, white)
	p.Circle(dst, 50, 118, 27, hsl(c.pal.Hue+200, 0.5, 0.7))
	p.TextCentered(dst, 50, 127, string([]rune(pick(c.r, []string{"李", "王", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"}))), 24, white, true)
	nick := pick(c.r, []string{"小", "阿", "大"}) + pick(c.r, []string{"鱼", "橙", "米", "果", "雨", "星", "乐", "安"}) + pick(c.r, []string{"同学", "", "酱", "子"})
	p.BoldText(dst, 92, 112, nick, 18, white)
	lvl := pick(c.r, []string{"黄金会员", "白银会员", "钻石会员", "VIP 1", "VIP 3", "普通会员"})
	lw := p.Measure(lvl, 11) + 16
	p.RoundRect(dst, image.Rect(92, 122, 92+lw, 142), 10, Alpha(color.RGBA{0xff, 0xe0, 0x8a, 0xff}, 230))
	p.Text(dst, 100, 136, lvl, 11, color.RGBA{0x7a, 0x4b, 0x00, 0xff})
	p.Text(dst, 250, 118, "会员码 ›", 12, white)
	// Stats card.
	card := image.Rect(12, 160, 348, 232)
	p.RoundRect(dst, card, 10, white)
	stats := []string{"余额", "积分", "优惠券", "收藏"}
	for i, s := range stats {
		cx := card.Min.X + card.Dx()/8 + i*card.Dx()/4
		v := strconv.Itoa(c.r.IntN(3000))
		if i == 0 {
			v = strconv.Itoa(c.r.IntN(500)) + "." + strconv.Itoa(c.r.IntN(10)) + "0"
		}
		p.TextCentered(dst, cx, card.Min.Y+32, v, 18, ink, true)
		p.TextCentered(dst, cx, card.Min.Y+54, s, 12, gray, false)
	}
	// Orders card.
	oc := image.Rect(12, 244, 348, 344)
	p.RoundRect(dst, oc, 10, white)
	p.BoldText(dst, oc.Min.X+14, oc.Min.Y+26, "我的订单", 15, ink)
	p.Text(dst, oc.Max.X-80, oc.Min.Y+26, "全部订单 ›", 12, gray)
	labels := []string{"待付款", "待使用", "待收货", "待评价", "退款/售后"}
	kinds := []int{iconTicket, iconCalendar, iconCart, iconChat, iconGift}
	for i, l := range labels {
		cx := oc.Min.X + oc.Dx()/10 + i*oc.Dx()/5
		p.drawIcon(dst, kinds[i], float64(cx), float64(oc.Min.Y+54), 24, c.pal.Accent, white)
		p.TextCentered(dst, cx, oc.Min.Y+86, l, 11, ink, false)
		if i < 2 && c.r.IntN(2) == 0 {
			p.Circle(dst, float64(cx+12), float64(oc.Min.Y+42), 7, color.RGBA{0xf5, 0x3f, 0x3f, 0xff})
			p.TextCentered(dst, cx+12, oc.Min.Y+46, strconv.Itoa(1+c.r.IntN(5)), 9, white, false)
		}
	}
	// Promotion card with a photo.
	promoH := 70 + c.r.IntN(4)*16
	pr := image.Rect(12, 354, 348, 354+promoH)
	ph := image.NewRGBA(image.Rect(0, 0, pr.Dx(), pr.Dy()))
	p.drawPhoto(ph, c.photo, c.r.Uint64(), c.pal.Hue+float64(c.r.IntN(360)))
	shadeLeft(ph, 0.55)
	parts := strings.SplitN(c.slogan, " ", 2)
	p.BoldText(ph, 16, pr.Dy()/2+2, parts[0], 17, white)
	if len(parts) > 1 {
		p.Text(ph, 16, pr.Dy()/2+22, parts[1], 12, color.RGBA{0xff, 0xf1, 0x9c, 0xff})
	}
	pm := image.NewAlpha(ph.Bounds())
	p.RoundRect(pm, pm.Bounds(), 10, color.Alpha{A: 255})
	drawMasked(dst, pr, ph, pm)
	// Menu list.
	lc := image.Rect(12, pr.Max.Y+12, 348, ScreenH-62)
	p.RoundRect(dst, lc, 10, white)
	entries := append(pickN(c.r, c.icons, 3), "联系客服", "设置")
	for i, e := range entries {
		y := lc.Min.Y + i*44
		if y+44 > lc.Max.Y {
			break
		}
		bg := hsl(c.pal.Hue+float64(i*50), 0.7, 0.6)
		p.RoundRect(dst, image.Rect(lc.Min.X+14, y+12, lc.Min.X+34, y+32), 5, bg)
		p.Text(dst, lc.Min.X+46, y+28, e, 14, ink)
		p.Line(dst, float64(lc.Max.X-20), float64(y+17), float64(lc.Max.X-15), float64(y+22), 1.5, gray)
		p.Line(dst, float64(lc.Max.X-15), float64(y+22), float64(lc.Max.X-20), float64(y+27), 1.5, gray)
		if i > 0 {
			Fill(dst, image.Rect(lc.Min.X+46, y, lc.Max.X-14, y+1), hairline)
		}
	}
	p.tabBar(dst, c, 3)
}

func (p *Painter) layoutDashboard(dst *image.RGBA, c *screenContent) {
	p.statusBar(dst, c, c.pal.Accent, white)
	p.navBar(dst, c, c.pal.Accent, white, c.title, false)
	g := image.Rect(12, 78, 348, 150)
	gi := image.NewRGBA(image.Rect(0, 0, g.Dx(), g.Dy()))
	if c.r.IntN(2) == 0 {
		Gradient(gi, gi.Bounds(), c.pal.Deep, hsl(c.pal.Hue+40, 0.7, 0.55), 0)
		p.Circle(gi, float64(g.Dx()-40), 10, 60, Alpha(white, 30))
	} else {
		p.drawPhoto(gi, c.photo, c.r.Uint64(), c.pal.Hue+float64(c.r.IntN(360)))
		shadeLeft(gi, 0.6)
	}
	greet := pick(c.r, []string{"上午好", "下午好", "晚上好"}) + "，" + pick(c.r, []string{"王经理", "李主任", "陈老师", "张店长", "刘主管", "赵工"})
	p.BoldText(gi, 16, 30, greet, 17, white)
	p.Text(gi, 16, 54, fmt.Sprintf("2026年%d月%d日 · 今日待办 %d 项", 1+c.r.IntN(12), 1+c.r.IntN(28), 1+c.r.IntN(9)), 12, Alpha(white, 220))
	m := image.NewAlpha(gi.Bounds())
	p.RoundRect(m, m.Bounds(), 10, color.Alpha{A: 255})
	drawMasked(dst, g, gi, m)
	// Stat cards.
	labels := pickN(c.r, []string{"今日" + c.bank.unit + "数", "本月营收", "新增客户", "待处理", "完成率", "满意度", "访问量", "转化率"}, 4)
	for i, l := range labels {
		col, row := i%2, i/2
		r := image.Rect(12+col*172, 160+row*76, 12+col*172+164, 160+row*76+68)
		p.RoundRect(dst, r, 8, white)
		p.Text(dst, r.Min.X+12, r.Min.Y+22, l, 12, gray)
		v := strconv.Itoa(c.r.IntN(9000) + 12)
		if strings.HasSuffix(l, "率") || strings.HasSuffix(l, "度") {
			v = strconv.Itoa(60+c.r.IntN(39)) + "%"
		}
		p.BoldText(dst, r.Min.X+12, r.Min.Y+52, v, 22, ink)
		up := c.r.IntN(3) > 0
		d := fmt.Sprintf("%d.%d%%", c.r.IntN(30), c.r.IntN(10))
		if up {
			p.Text(dst, r.Max.X-60, r.Min.Y+52, "↑"+d, 11, color.RGBA{0x00, 0xb4, 0x2a, 0xff})
		} else {
			p.Text(dst, r.Max.X-60, r.Min.Y+52, "↓"+d, 11, color.RGBA{0xf5, 0x3f, 0x3f, 0xff})
		}
	}
	// Chart.
	ch := image.Rect(12, 316, 348, 470)
	p.RoundRect(dst, ch, 8, white)
	p.BoldText(dst, ch.Min.X+12, ch.Min.Y+24, pick(c.r, []string{"近7日趋势", "本周数据", "业务量统计", "月度走势"}), 14, ink)
	days := []string{"一", "二", "三", "四", "五", "六", "日"}
	Fill(dst, image.Rect(ch.Min.X+12, ch.Max.Y-28, ch.Max.X-12, ch.Max.Y-27), hairline)
	line := c.r.IntN(2) == 0
	var pts []image.Point
	for i := 0; i < 7; i++ {
		x := ch.Min.X + 26 + i*44
		h := 20 + c.r.IntN(80)
		if line {
			pts = append(pts, image.Pt(x+9, ch.Max.Y-28-h))
		} else {
			p.RoundRect(dst, image.Rect(x, ch.Max.Y-28-h, x+18, ch.Max.Y-28), 4, Mix(c.pal.Accent, white, float64(6-i)*0.06))
		}
		p.TextCentered(dst, x+9, ch.Max.Y-10, days[i], 11, gray, false)
	}
	if line {
		area := append([]image.Point{{pts[0].X, ch.Max.Y - 28}}, pts...)
		area = append(area, image.Pt(pts[len(pts)-1].X, ch.Max.Y-28))
		p.Polygon(dst, area, Alpha(c.pal.Accent, 60))
		for i := 1; i < len(pts); i++ {
			p.Line(dst, float64(pts[i-1].X), float64(pts[i-1].Y), float64(pts[i].X), float64(pts[i].Y), 2.5, c.pal.Accent)
		}
		for _, q := range pts {
			p.Circle(dst, float64(q.X), float64(q.Y), 4, white)
			p.Circle(dst, float64(q.X), float64(q.Y), 2.5, c.pal.Accent)
		}
	}
	// To-dos.
	y := 480
	for i := 0; y < ScreenH-60; i++ {
		r := image.Rect(12, y, 348, y+50)
		p.RoundRect(dst, r, 8, white)
		p.Text(dst, r.Min.X+12, r.Min.Y+22, p.Fit(c.items[i%len(c.items)], 14, 220), 14, ink)
		p.Text(dst, r.Min.X+12, r.Min.Y+41, p.Fit(c.sub(), 11, 220), 11, gray)
		st := pick(c.r, []string{"待处理", "进行中", "已完成"})
		col := map[string]color.RGBA{"待处理": {0xff, 0x7d, 0x00, 0xff}, "进行中": c.pal.Accent, "已完成": {0x00, 0xb4, 0x2a, 0xff}}[st]
		p.RoundRect(dst, image.Rect(r.Max.X-66, r.Min.Y+15, r.Max.X-12, r.Min.Y+35), 10, Alpha(col, 40))
		p.TextCentered(dst, r.Max.X-39, r.Min.Y+30, st, 11, col, false)
		y += 58
	}
	p.tabBar(dst, c, 0)
}

func (p *Painter) layoutForm(dst *image.RGBA, c *screenContent) {
	p.statusBar(dst, c, c.pal.Accent, white)
	p.navBar(dst, c, c.pal.Accent, white, pick(c.r, []string{"在线预约", "预约登记", "办理申请", "信息填写"}), true)
	// A photo banner of the place or service.
	bannerH := 90 + c.r.IntN(4)*20
	ph := image.NewRGBA(image.Rect(0, 0, ScreenW, bannerH))
	p.drawPhoto(ph, c.photo, c.r.Uint64(), c.pal.Hue+float64(c.r.IntN(360)))
	shadeLeft(ph, 0.5)
	p.BoldText(ph, 18, bannerH/2+4, p.Fit(c.brand+" · "+c.items[1], 18, 300), 18, white)
	p.Text(ph, 18, bannerH/2+26, pick(c.r, []string{"线上预约 到店免排队", "提前预约 按时到达", "足不出户 轻松办理", "预约成功后将短信通知"}), 12, white)
	drawMasked(dst, image.Rect(0, 68, ScreenW, 68+bannerH), ph, nil)
	y := 68 + bannerH
	// Steps.
	Fill(dst, image.Rect(0, y, ScreenW, y+60), white)
	steps := []string{"选择" + pick(c.r, []string{"事项", "服务", "项目"}), "填写信息", "提交" + pick(c.r, []string{"预约", "申请"})}
	cur := c.r.IntN(2)
	for i, s := range steps {
		cx := 60 + i*120
		if i < len(steps)-1 {
			col := lightGray
			if i < cur {
				col = c.pal.Accent
			}
			Fill(dst, image.Rect(cx+14, y+21, cx+106, y+23), col)
		}
		col, tc := lightGray, gray
		if i <= cur {
			col, tc = c.pal.Accent, ink
		}
		p.Circle(dst, float64(cx), float64(y+22), 11, col)
		p.TextCentered(dst, cx, y+27, strconv.Itoa(i+1), 12, white, true)
		p.TextCentered(dst, cx, y+52, s, 12, tc, i == cur)
	}
	y += 70
	fields := [][2]string{
		{"预约" + pick(c.r, []string{"事项", "项目", "服务"}), c.items[0]},
		{"预约日期", fmt.Sprintf("2026-%02d-%02d 星期%s", 1+c.r.IntN(12), 1+c.r.IntN(28), pick(c.r, []string{"一", "二", "三", "四", "五", "六", "日"}))},
		{"时间段", pick(c.r, []string{"09:00-10:00", "10:00-11:00", "14:00-15:00", "15:30-16:30"})},
		{"姓名", pick(c.r, []string{"王", "李", "张", "刘", "陈"}) + "**"},
		{"手机号", fmt.Sprintf("1%d%d****%04d", 3+c.r.IntN(6), c.r.IntN(10), c.r.IntN(10000))},
		{"备注", "选填"},
	}
	rowH := 46
	n := len(fields)
	for n > 3 && y+n*rowH > ScreenH-120 {
		n--
	}
	fields = append(fields[:n-1], fields[len(fields)-1])
	form := image.Rect(12, y, 348, y+len(fields)*rowH)
	p.RoundRect(dst, form, 10, white)
	for i, f := range fields {
		fy := form.Min.Y + i*rowH
		if i > 0 {
			Fill(dst, image.Rect(form.Min.X+14, fy, form.Max.X-14, fy+1), hairline)
		}
		p.Text(dst, form.Min.X+14, fy+29, f[0], 14, gray)
		vc := ink
		if f[1] == "选填" {
			vc = lightGray
		}
		v := p.Fit(f[1], 14, 190)
		p.Text(dst, form.Max.X-32-p.Measure(v, 14), fy+29, v, 14, vc)
		p.Line(dst, float64(form.Max.X-22), float64(fy+18), float64(form.Max.X-17), float64(fy+23), 1.5, gray)
		p.Line(dst, float64(form.Max.X-17), float64(fy+23), float64(form.Max.X-22), float64(fy+28), 1.5, gray)
	}
	y = form.Max.Y + 22
	note := "温馨提示：请携带" + pick(c.r, []string{"身份证原件", "预约凭证", "相关材料"}) + "按时到达，如需取消请提前" + strconv.Itoa(1+c.r.IntN(3)) + "小时操作。" + c.sub()
	for i, line := range p.Wrap(note, 12, 330, 2) {
		if y+i*20 > ScreenH-70 {
			break
		}
		p.Text(dst, 16, y+i*20, line, 12, gray)
	}
	Fill(dst, image.Rect(0, ScreenH-64, ScreenW, ScreenH), white)
	btn := image.Rect(24, ScreenH-56, 336, ScreenH-14)
	p.RoundRect(dst, btn, 21, c.pal.Accent)
	p.TextCentered(dst, ScreenW/2, ScreenH-29, steps[2], 16, white, true)
}

// Icon glyphs drawn inside coloured circles, on tab bars and in menus.
const (
	iconHouse = iota
	iconGrid
	iconCart
	iconPerson
	iconDoc
	iconCalendar
	iconBell
	iconStar
	iconTicket
	iconChat
	iconPin
	iconGift
	iconChart
	iconClock
	numIconKinds
)

// drawIcon draws a simple line-art icon of size s centred on (cx, cy) in
// colour col; bg is the colour behind it, used for cut-outs.
func (p *Painter) drawIcon(dst *image.RGBA, kind int, cx, cy, s float64, col, bg color.RGBA) {
	h := s / 2
	pt := func(x, y float64) image.Point { return image.Pt(int(math.Round(cx+x*h)), int(math.Round(cy+y*h))) }
	rect := func(x0, y0, x1, y1 float64) image.Rectangle { return image.Rectangle{pt(x0, y0), pt(x1, y1)} }
	switch kind {
	case iconHouse:
		p.Polygon(dst, []image.Point{pt(-0.9, -0.05), pt(0, -0.85), pt(0.9, -0.05)}, col)
		Fill(dst, rect(-0.6, -0.1, 0.6, 0.8), col)
		Fill(dst, rect(-0.15, 0.25, 0.15, 0.8), bg)
	case iconGrid:
		for i := 0; i < 4; i++ {
			x, y := float64(i%2)*0.95-0.85, float64(i/2)*0.95-0.85
			p.RoundRect(dst, rect(x, y, x+0.75, y+0.75), h*0.15, col)
		}
	case iconCart:
		p.Polygon(dst, []image.Point{pt(-0.9, -0.6), pt(0.85, -0.6), pt(0.6, 0.35), pt(-0.6, 0.35)}, col)
		p.Circle(dst, cx-0.45*h, cy+0.7*h, 0.17*h, col)
		p.Circle(dst, cx+0.45*h, cy+0.7*h, 0.17*h, col)
	case iconPerson:
		p.Circle(dst, cx, cy-0.4*h, 0.4*h, col)
		p.Ellipse(dst, cx, cy+0.75*h, 0.8*h, 0.6*h, col)
		Fill(dst, rect(-1, 0.85, 1, 1.4), bg)
	case iconDoc:
		p.RoundRect(dst, rect(-0.7, -0.9, 0.7, 0.9), h*0.15, col)
		for i := 0; i < 3; i++ {
			y := -0.45 + float64(i)*0.4
			Fill(dst, rect(-0.4, y, 0.4-float64(i)*0.2, y+0.12), bg)
		}
	case iconCalendar:
		p.RoundRect(dst, rect(-0.85, -0.7, 0.85, 0.85), h*0.15, col)
		Fill(dst, rect(-0.7, -0.25, 0.7, 0.7), bg)
		for i := 0; i < 3; i++ {
			p.Circle(dst, cx+(-0.4+float64(i)*0.4)*h, cy+0.2*h, 0.12*h, col)
		}
	case iconBell:
		p.Ellipse(dst, cx, cy-0.1*h, 0.6*h, 0.7*h, col)
		Fill(dst, rect(-0.8, 0.3, 0.8, 0.55), col)
		p.Circle(dst, cx, cy+0.75*h, 0.2*h, col)
	case iconStar:
		var pts []image.Point
		for i := 0; i < 10; i++ {
			a := -math.Pi/2 + float64(i)*math.Pi/5
			rr := 0.95
			if i%2 == 1 {
				rr = 0.42
			}
			pts = append(pts, pt(rr*math.Cos(a), rr*math.Sin(a)))
		}
		p.Polygon(dst, pts, col)
	case iconTicket:
		p.RoundRect(dst, rect(-0.9, -0.55, 0.9, 0.55), h*0.12, col)
		p.Circle(dst, cx-0.9*h, cy, 0.22*h, bg)
		p.Circle(dst, cx+0.9*h, cy, 0.22*h, bg)
	case iconChat:
		p.RoundRect(dst, rect(-0.9, -0.75, 0.9, 0.5), h*0.3, col)
		p.Polygon(dst, []image.Point{pt(-0.5, 0.4), pt(-0.55, 0.9), pt(0, 0.4)}, col)
	case iconPin:
		p.Circle(dst, cx, cy-0.25*h, 0.6*h, col)
		p.Polygon(dst, []image.Point{pt(-0.52, 0), pt(0, 0.95), pt(0.52, 0)}, col)
		p.Circle(dst, cx, cy-0.25*h, 0.24*h, bg)
	case iconGift:
		Fill(dst, rect(-0.8, -0.35, 0.8, 0.85), col)
		Fill(dst, rect(-0.9, -0.6, 0.9, -0.25), col)
		Fill(dst, rect(-0.08, -0.6, 0.08, 0.85), bg)
		Fill(dst, rect(-0.9, -0.2, 0.9, -0.1), bg)
	case iconChart:
		for i := 0; i < 3; i++ {
			x := -0.75 + float64(i)*0.55
			top := 0.3 - float64(i)*0.5
			Fill(dst, rect(x, top, x+0.38, 0.85), col)
		}
	case iconClock:
		p.Circle(dst, cx, cy, 0.9*h, col)
		p.Circle(dst, cx, cy, 0.7*h, bg)
		p.Line(dst, cx, cy, cx, cy-0.5*h, 0.16*h, col)
		p.Line(dst, cx, cy, cx+0.38*h, cy+0.1*h, 0.16*h, col)
	}
}
