package similarity

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMarkTextRows(t *testing.T) {
	const nx, ny = 40, 30
	const aspect = 0.5 // half a text height is then 8 rows of the grid
	light := func() []float64 {
		g := make([]float64, nx*ny)
		for i := range g {
			g[i] = 240
		}
		return g
	}
	tests := []struct {
		name string
		// darken sets the copy's cells; rows lists the rows the stamp's
		// grey text must cover and free those it must not.
		darken func(copyGrid []float64)
		rows   []int
		free   []int
	}{
		{
			name: "stamped text across the width",
			darken: func(c []float64) {
				for x := range nx {
					if x%3 != 0 { // glyphs with gaps between them
						c[15*nx+x] = 240 - 30
					}
				}
			},
			rows: []int{7, 15, 23},
			free: []int{0, 6, 24, 29},
		},
		{
			name: "other words in a few places",
			darken: func(c []float64) {
				for x := 2; x < 6; x++ {
					c[15*nx+x] = 240 - 30
				}
			},
			free: []int{15},
		},
		{
			name: "dark words across the width",
			darken: func(c []float64) {
				for x := range nx {
					c[15*nx+x] = 60 // darker than a faint grey can make it
				}
			},
			free: []int{15},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig, cp := light(), light()
			tt.darken(cp)
			stamp := make([]stampRow, ny)
			markTextRows(nil, stamp, cp, orig, nx, aspect, DefaultImageDetailLevel)
			for _, y := range tt.rows {
				if !stamp[y].grey {
					t.Errorf("row %d not marked as stamped", y)
				}
			}
			for _, y := range tt.free {
				if stamp[y].grey {
					t.Errorf("row %d marked as stamped", y)
				}
			}
		})
	}
}

func TestStampRowsCaptionBand(t *testing.T) {
	ys := []float64{0.05, 0.45, 0.5, 0.55, 0.95}
	tests := []struct {
		name   string
		aspect float64
		want   []bool
	}{
		{"phone screen", 16.0 / 9, []bool{false, true, true, true, false}},
		{"unknown shape", 0, []bool{false, false, false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stampRows(ys, tt.aspect)
			for i, r := range got {
				if r.white != tt.want[i] || r.grey {
					t.Errorf("row at %.2f: %+v, want white %v and no grey", ys[i], r, tt.want[i])
				}
			}
		})
	}
}

func TestOverlap(t *testing.T) {
	unit := frame{0, 0, 1, 1}
	top := frame{0, 0.12, 1, 1} // a screenshot below its status bar
	center := frame{0.05, 0.05, 0.95, 0.95}
	tests := []struct {
		name     string
		fa, fb   frame
		mirrored bool
		want     frame
	}{
		{"whole pictures", unit, unit, false, unit},
		// Both cut the same way: the cut aligns them, the whole of
		// both is compared, the header above the cut included.
		{"same cut both sides", top, top, false, unit},
		{"edges cropped both sides", center, center, false, unit},
		// The original's cut part meets the copy whole: the original's
		// rows above the cut have nothing to meet.
		{"original cut, copy whole", top, unit, false, frame{0, 0.12, 1, 1}},
		{"copy whole, original cut", unit, top, false, unit},
		{"copy of the centre", center, unit, false, center},
		// A trim that took a few more rows on one side: only the rows
		// both sides have.
		{"trimmed differently", frame{0, -0.04, 1, 1.04}, unit, false, frame{0, 0, 1, 1}},
		{"other side trimmed more", unit, frame{0, -0.04, 1, 1.04}, false, frame{0, 0.04 / 1.08, 1, 1.04 / 1.08}},
		// b's strip right of its frame, mirrored, meets a's left of its.
		{"mirrored", frame{0.1, 0, 1, 1}, frame{0, 0, 0.9, 1}, true, unit},
		{"mirrored, nothing beyond", frame{0.1, 0, 1, 1}, frame{0.1, 0, 1, 1}, true, frame{0.1, 0, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := overlap(tt.fa, tt.fb, tt.mirrored)
			for _, c := range [][2]float64{{got.x0, tt.want.x0}, {got.y0, tt.want.y0}, {got.x1, tt.want.x1}, {got.y1, tt.want.y1}} {
				if math.Abs(c[0]-c[1]) > 1e-9 {
					t.Fatalf("overlap = %+v, want %+v", got, tt.want)
				}
			}
		})
	}
}

func TestLocalLevel(t *testing.T) {
	const nx, ny = 20, 12
	orig := make([]float64, nx*ny)
	for i := range orig {
		orig[i] = 100 + float64(i%7)*10
	}
	copyGrid := slices.Clone(orig)
	// A colour change that clips: the right half 30 darker than the fit
	// says. And one word that differs: a single cell 40 lighter.
	for y := range ny {
		for x := nx / 2; x < nx; x++ {
			copyGrid[y*nx+x] -= 30
		}
	}
	word := 5*nx + 4
	copyGrid[word] += 40
	got := localLevel(nil, copyGrid, orig, nx, ny)
	for y := 2; y < ny-2; y++ {
		for x := 2; x < nx-2; x++ {
			i := y*nx + x
			if x >= nx/2-2 && x < nx/2+2 {
				continue // the median window straddles the edge
			}
			want := 0.0
			if i == word {
				want = 40
			}
			if d := got[i] - orig[i]; math.Abs(d-want) > 1e-9 {
				t.Errorf("cell (%d,%d): levelled copy is %.0f off the original, want %.0f", x, y, d, want)
			}
		}
	}
}

func TestStrictLevelTurnsOff(t *testing.T) {
	d := DefaultImageThresholds()
	if got := d.withDefaults().detailParams(); got.strictLevel != DefaultImageDetailStrictLevel || got.strictStray != DefaultImageDetailStrictStray {
		t.Errorf("default strict level %v/%d, want %d/%d", got.strictLevel, got.strictStray, DefaultImageDetailStrictLevel, DefaultImageDetailStrictStray)
	}
	off := ImageThresholds{DetailStrictLevel: -1}.withDefaults().detailParams()
	if off.strictLevel > 0 {
		t.Errorf("DetailStrictLevel -1 left the strict level at %v", off.strictLevel)
	}
	zero := ImageThresholds{}.withDefaults()
	if zero.DetailStrictLevel != DefaultImageDetailStrictLevel || zero.DetailStrictStray != DefaultImageDetailStrictStray {
		t.Errorf("zero thresholds got strict %d/%d, want the defaults", zero.DetailStrictLevel, zero.DetailStrictStray)
	}
}

// TestLargestPatchOnlyInCorners: a pasted logo sits in a corner and is
// excused; the same block of differing cells in the middle of one side is
// the other picture's own content (a banner's slogan) and is not.
func TestLargestPatchOnlyInCorners(t *testing.T) {
	const nx, ny = 40, 20
	block := func(x0, y0, w, h int) []bool {
		m := make([]bool, nx*ny)
		for y := y0; y < y0+h; y++ {
			for x := x0; x < x0+w; x++ {
				m[y*nx+x] = true
			}
		}
		return m
	}
	// A logo spans at most 10 cells across and 6 down on this grid.
	logo := logoBounds{w: 10, h: 6}
	tests := []struct {
		name       string
		marked     []bool
		size, area int
	}{
		{"bottom right", block(33, 14, 5, 4), 20, 20},
		{"top left", block(1, 1, 5, 4), 20, 20},
		{"top left, as large as a logo", block(1, 1, 10, 6), 60, 60},
		{"left side, middle height", block(1, 8, 5, 4), 0, 0},
		{"middle", block(17, 8, 5, 4), 0, 0},
		{"top, middle width", block(17, 1, 5, 4), 0, 0},
		{"band across the top from a corner", block(1, 1, 30, 3), 0, 0},
		{"edge one cell thin across the top", block(1, 1, 30, 1), 30, 30},
		{"column down the side from a corner", block(1, 1, 3, 12), 0, 0},
		{"none", make([]bool, nx*ny), 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt := largestPatch(nil, tc.marked, nx, ny, logo)
			if size, area := pt.size, pt.area(); size != tc.size || area != tc.area {
				t.Errorf("largestPatch = %d cells, box %d; want %d, %d", size, area, tc.size, tc.area)
			}
		})
	}
}

// TestStampBalanced: cells a stamp reading explains must lie on both sides
// of the midline, as a stamp laid over the whole picture does; a reading
// that only excuses one side is another picture's words.
func TestStampBalanced(t *testing.T) {
	const nx, ny, level = 20, 10, 32
	explained := func(cols ...int) (plain, stamped []float64) {
		plain = make([]float64, nx*ny)
		stamped = make([]float64, nx*ny)
		for y := 2; y < 6; y++ {
			for _, x := range cols {
				plain[y*nx+x] = 60 // over level without the stamp, within it with
			}
		}
		return plain, stamped
	}
	tests := []struct {
		name string
		cols []int
		want bool
	}{
		{"both sides", []int{3, 5, 14, 16}, true},
		{"left side only", []int{2, 3, 4, 5}, false},
		{"two to one", []int{2, 3, 4, 5, 12, 13}, true},
		{"four to one", []int{2, 3, 4, 5, 12}, false},
		{"too few to judge", []int{3}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plain, stamped := explained(tc.cols...)
			if got := stampBalanced(plain, stamped, nx, ny, level); got != tc.want {
				t.Errorf("stampBalanced = %v, want %v", got, tc.want)
			}
		})
	}
}

// BenchmarkLocalLevel measures the local offset of one detail grid, which
// the strict level and the clipped-colour reading pay for per pair.
func BenchmarkLocalLevel(b *testing.B) {
	const nx, ny = detailCols, detailRows
	src := make([]float64, nx*ny)
	dst := make([]float64, nx*ny)
	for i := range src {
		src[i] = float64((i * 37) % 251)
		dst[i] = float64((i*53)%241) + 3
	}
	for b.Loop() {
		localLevel(nil, src, dst, nx, ny)
	}
}

// TestLocalLevelAgreesWithSortedWindows checks the sliding histogram
// against sorting every window, on random grids: the offsets agree within
// half a level (the histogram rounds differences to whole levels).
func TestLocalLevelAgreesWithSortedWindows(t *testing.T) {
	exact := func(src, dst []float64, nx, ny int) []float64 {
		out := make([]float64, len(src))
		for y := range ny {
			for x := range nx {
				var win []float64
				for yy := max(0, y-2); yy <= min(ny-1, y+2); yy++ {
					for xx := max(0, x-2); xx <= min(nx-1, x+2); xx++ {
						win = append(win, src[yy*nx+xx]-dst[yy*nx+xx])
					}
				}
				slices.Sort(win)
				out[y*nx+x] = src[y*nx+x] - win[len(win)/2]
			}
		}
		return out
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range [][2]int{{1, 1}, {2, 3}, {5, 5}, {17, 9}, {detailCols, detailRows}} {
		nx, ny := size[0], size[1]
		src := make([]float64, nx*ny)
		dst := make([]float64, nx*ny)
		for i := range src {
			src[i] = rng.Float64() * 255
			dst[i] = rng.Float64() * 255
		}
		got, want := localLevel(nil, src, dst, nx, ny), exact(src, dst, nx, ny)
		for i := range got {
			if math.Abs(got[i]-want[i]) > 0.5+1e-9 {
				t.Fatalf("%dx%d cell %d: %.3f, sorted window gives %.3f", nx, ny, i, got[i], want[i])
			}
		}
	}
}

// FuzzDecodeDetail feeds stored detail bytes, which a damaged store can
// corrupt, to the decoder: it must fail cleanly or decode, and a decoder
// reused after any input must decode a good detail exactly as a fresh one.
func FuzzDecodeDetail(f *testing.F) {
	good := fingerprint(f, encodePNG(f, drawScreen(31, screenW, screenH))).Detail
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	f.Add([]byte{0x01, 0x00, 0x00, 0xff, 0xff})
	want, err := decodeDetail(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var dec detailDecoder
		if d, err := dec.decode(data, nil); err == nil {
			for _, v := range d.luma {
				if v < 0 || v > 255 {
					t.Fatalf("luminance %v out of 0–255", v)
				}
			}
		}
		got, err := dec.decode(good, &imageDetail{aspect: 3})
		if err != nil {
			t.Fatalf("good detail after %d bytes of input: %v", len(data), err)
		}
		if *got != *want {
			t.Fatalf("good detail decoded differently after %d bytes of input", len(data))
		}
	})
}

func TestTextureAgrees(t *testing.T) {
	const nx, ny = 96, 64
	// strokes draws text-like marks into the blocks of g whose top-left
	// cells are listed, each with its own seeded pattern.
	strokes := func(g []float64, seed uint64, blocks ...[2]int) {
		r := rand.New(rand.NewPCG(seed, 1))
		for _, b := range blocks {
			for y := b[1]; y < b[1]+textureBlock; y++ {
				for x := b[0]; x < b[0]+textureBlock; x++ {
					if r.IntN(3) == 0 {
						g[y*nx+x] = 110
					}
				}
			}
		}
	}
	ground := func() []float64 {
		g := make([]float64, nx*ny)
		for i := range g {
			g[i] = 235
		}
		return g
	}
	// The slogan of a banner: six blocks side by side in rows 18–25.
	slogan := [][2]int{{10, 18}, {18, 18}, {26, 18}, {34, 18}, {42, 18}, {50, 18}}
	moved := func(src []float64, dx, dy int) []float64 {
		g := ground()
		for y := range ny {
			for x := range nx {
				if sx, sy := x-dx, y-dy; sx >= 0 && sx < nx && sy >= 0 && sy < ny {
					g[y*nx+x] = src[sy*nx+sx]
				}
			}
		}
		return g
	}
	// otherWords is another slogan in the same place.
	otherWords := func([]float64) []float64 {
		c := ground()
		strokes(c, 2, slogan...)
		return c
	}
	// lightCaption lays a copier's bold white caption over the first two
	// blocks of the slogan: strokes two cells wide, which cover the words
	// and stand out on a dark ground.
	lightCaption := func(o []float64) []float64 {
		c := slices.Clone(o)
		for y := 18; y < 26; y++ {
			for x := 10; x < 26; x++ {
				if i := y*nx + x; (x/2+y/2)%2 == 0 || o[i] < 100 {
					c[i] = 0.15*c[i] + 0.85*255
				}
			}
		}
		return c
	}
	captionRows := make([]stampRow, ny)
	for y := 16; y < 28; y++ {
		captionRows[y].white = true
	}
	tests := []struct {
		name  string
		copy  func(orig []float64) []float64
		box   patch
		stamp []stampRow
		// dark draws the original on a dark ground, 100 lower.
		dark bool
		want bool
	}{
		{
			name: "the same strokes, fainter and brighter",
			copy: func(o []float64) []float64 {
				c := slices.Clone(o)
				for i := range c {
					c[i] = 0.7*c[i] + 60
				}
				return c
			},
			want: true,
		},
		{
			name: "the same strokes a cell away",
			copy: func(o []float64) []float64 { return moved(o, 1, -1) },
			want: true,
		},
		{
			name: "other words in the same place",
			copy: otherWords,
			want: false,
		},
		{
			name: "other strokes in one block only",
			copy: func(o []float64) []float64 {
				c := slices.Clone(o)
				for y := 18; y < 26; y++ {
					for x := 10; x < 18; x++ {
						c[y*nx+x] = 235
					}
				}
				strokes(c, 3, [2]int{10, 18})
				return c
			},
			want: true,
		},
		{
			name: "other words under the excused patch",
			copy: otherWords,
			box:  patch{size: 100, x0: 10, y0: 18, x1: 57, y1: 25},
			want: true,
		},
		{
			name:  "a light caption over the words in a stamp's rows",
			copy:  lightCaption,
			dark:  true,
			stamp: captionRows,
			want:  true,
		},
		{
			name: "the same caption where no stamp was read",
			copy: lightCaption,
			dark: true,
			want: false,
		},
		{
			name:  "other words of the same brightness in a stamp's rows",
			copy:  otherWords,
			stamp: captionRows,
			want:  false,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := ground()
			strokes(orig, 1, slogan...)
			if tc.dark {
				for i := range orig {
					orig[i] -= 100
				}
			}
			for _, sc := range []*detailScratch{nil, {}} {
				if got := textureAgrees(sc, orig, tc.copy(orig), nx, ny, tc.box, tc.stamp); got != tc.want {
					t.Errorf("textureAgrees = %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestLogoBoundsFor: a logo spans the same share of the picture's width
// each way, so it covers fewer rows of a tall screen's grid than of a
// banner's.
func TestLogoBoundsFor(t *testing.T) {
	tests := []struct {
		aspect float64
		want   logoBounds
	}{
		{16.0 / 9, logoBounds{w: 24, h: 9}},
		{1, logoBounds{w: 24, h: 16}},
		{0.4, logoBounds{w: 24, h: 40}},
		{0.1, logoBounds{w: 24, h: detailRows}},
		{0, logoBounds{w: 24, h: detailRows}},
	}
	for _, tc := range tests {
		if got := logoBoundsFor(tc.aspect); got != tc.want {
			t.Errorf("logoBoundsFor(%g) = %+v, want %+v", tc.aspect, got, tc.want)
		}
	}
}
