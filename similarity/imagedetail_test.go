package similarity

import "testing"

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
			markTextRows(stamp, cp, orig, nx, aspect, DefaultImageDetailLevel)
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
