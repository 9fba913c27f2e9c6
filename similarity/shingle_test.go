package similarity

import (
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// referenceShingles computes Shingles the obvious way, with the standard
// library's FNV-1a.
func referenceShingles(s string, n int) []uint64 {
	r := []rune(s)
	var grams []string
	if len(r) < n {
		grams = []string{s}
	} else {
		for i := 0; i+n <= len(r); i++ {
			grams = append(grams, string(r[i:i+n]))
		}
	}
	var out []uint64
	for _, g := range grams {
		h := fnv.New64a()
		h.Write([]byte(g))
		out = append(out, h.Sum64())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestShingles(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		n     int
		count int
	}{
		{"trigrams", "扫码点餐系统", 3, 4},
		{"bigrams", "扫码点餐系统", 2, 5},
		{"unigrams", "扫码点餐系统", 1, 6},
		{"repeats counted once", "点餐点餐点餐", 2, 2},
		{"shorter than n is one shingle", "点餐", 3, 1},
		{"exactly n", "点餐码", 3, 1},
		{"latin and digits", "vip2024", 3, 5},
		{"empty", "", 3, 0},
		{"n zero", "点餐", 0, 0},
		{"n negative", "点餐", -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Shingles(tt.text, tt.n)
			if len(got) != tt.count {
				t.Errorf("Shingles(%q, %d) has %d shingles, want %d", tt.text, tt.n, len(got), tt.count)
			}
			if tt.n >= 1 && tt.text != "" && !slices.Equal(got, referenceShingles(tt.text, tt.n)) {
				t.Errorf("Shingles(%q, %d) = %x, want FNV-1a of each gram %x", tt.text, tt.n, got, referenceShingles(tt.text, tt.n))
			}
		})
	}
}

func TestTitleShingles(t *testing.T) {
	tests := []struct {
		title string
		want  int
	}{
		{"扫码点餐系统", 6 + 5},
		{"点餐点餐", 2 + 2},
		{"点", 1},
		{"", 0},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			got := TitleShingles(tt.title)
			want := sortedSet(append(Shingles(tt.title, 1), Shingles(tt.title, 2)...))
			if len(got) != tt.want || !slices.Equal(got, want) {
				t.Errorf("TitleShingles(%q) = %d shingles, want %d, the unigrams and bigrams", tt.title, len(got), tt.want)
			}
		})
	}
}

func TestJoinShortSentences(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"long sentences stay apart", []string{"顾客扫码即可在线下单", "后厨通过云打印机接单"}, []string{"顾客扫码即可在线下单", "后厨通过云打印机接单"}},
		{"short sentence joins both neighbours", []string{"顾客扫码即可在线下单", "欢迎咨询", "后厨通过云打印机接单"}, []string{"顾客扫码即可在线下单欢迎咨询后厨通过云打印机接单"}},
		{"short first sentence joins the next", []string{"你好", "顾客扫码即可在线下单", "后厨通过云打印机接单"}, []string{"你好顾客扫码即可在线下单", "后厨通过云打印机接单"}},
		{"pieces cut by inserted stops rejoin", []string{"顾客扫", "码即可", "在线下", "单"}, []string{"顾客扫码即可在线下单"}},
		{"empty sentences skipped", []string{"", "顾客扫码即可在线下单", ""}, []string{"顾客扫码即可在线下单"}},
		{"nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := joinShortSentences(tt.in, MinSentenceRunes); !slices.Equal(got, tt.want) {
				t.Errorf("joinShortSentences(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDescriptionShinglesEvasions(t *testing.T) {
	n := normalizer(t)
	original := DescriptionShingles(n.NormalizeSentences(descOriginal))
	tests := []struct {
		name string
		copy string
		// exact means the copy has exactly the original's shingles;
		// otherwise it must contain all of them.
		exact bool
	}{
		{"sentences reversed", shuffleSentences(descOriginal), true},
		{"traditional characters", s2t(t, descOriginal), true},
		{"disguised", disguise(s2t(t, descOriginal)), true},
		{"full stop every third character", punctuateEvery(descOriginal, 3), false},
		{"line break every character", punctuateEvery(descOriginal, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			copied := DescriptionShingles(n.NormalizeSentences(tt.copy))
			if tt.exact && !slices.Equal(copied, original) {
				t.Errorf("copy has %d shingles, %d in common with the original's %d; want the same set",
					len(copied), countCommon(copied, original), len(original))
			}
			if c := countCommon(copied, original); c != len(original) {
				t.Errorf("copy keeps %d of the original's %d shingles", c, len(original))
			}
		})
	}
}

func countCommon(a, b []uint64) int {
	n := 0
	for _, h := range a {
		if _, ok := slices.BinarySearch(b, h); ok {
			n++
		}
	}
	return n
}

func TestBoilerplateDescriptionShingles(t *testing.T) {
	n := normalizer(t)
	bp := DefaultBoilerplate()
	tests := []struct {
		name string
		text string
		// kept lists the trigrams that must survive, as text.
		kept []string
	}{
		{"phrase alone", "支持二次开发。", nil},
		{"phrases run together", "支持二次开发，源码交付，提供一年免费售后。", nil},
		{"phrases in a sentence", "本系统支持二次开发和源码交付。", []string{"本系统"}},
		{"own text around a phrase", "顾客扫码即可下单，支持二次开发。", []string{"顾客扫", "客扫码", "扫码即", "码即可", "即可下", "可下单"}},
		{"overlapping phrases", "小程序商城", nil},
		{"no phrase", "顾客扫码下单。", []string{"顾客扫", "客扫码", "扫码下", "码下单"}},
		{"sentence shorter than a trigram", "好。", []string{"好"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bp.DescriptionShingles(n.NormalizeSentences(tt.text))
			var want []uint64
			for _, k := range tt.kept {
				want = append(want, fnv1a(k))
			}
			if want = sortedSet(want); !slices.Equal(got, want) {
				t.Errorf("DescriptionShingles(%q) = %x, want the trigrams of %q = %x", tt.text, got, tt.kept, want)
			}
		})
	}
	if got := (Boilerplate{}).DescriptionShingles([]string{"支持二次开发"}); len(got) != 4 {
		t.Errorf("zero Boilerplate removed trigrams: %d left of 4", len(got))
	}
}

func TestBoilerplateTitleShingles(t *testing.T) {
	bp := DefaultBoilerplate()
	tests := []struct {
		name  string
		bp    Boilerplate
		title string
		keep  int
	}{
		{"stock word keeps its characters", bp, "微信小程序", 5},
		{"stock bigrams dropped only", bp, "点餐微信小程序", 7 + 2},
		{"no stock word", bp, "悦享轻食", 4 + 3},
		{"zero value drops nothing", Boilerplate{}, "微信小程序", 5 + 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.bp.TitleShingles(tt.title); len(got) != tt.keep {
				t.Errorf("TitleShingles(%q) keeps %d, want %d", tt.title, len(got), tt.keep)
			}
		})
	}
}

func TestWeights(t *testing.T) {
	b := NewWeightsBuilder(WeightsConfig{})
	// Shingle h is used by h distinct providers, each in two listings.
	for h := uint64(1); h <= 12; h++ {
		for p := range h {
			for range 2 {
				b.Add(fmt.Sprintf("P-%d", p), []uint64{h, h})
			}
		}
	}
	w := b.Build()
	tests := []struct {
		providers uint64
		want      float64
	}{
		{1, 1},
		{2, 1},
		{3, 1 - math.Log(1.5)/math.Log(5)},
		{5, 1 - math.Log(2.5)/math.Log(5)},
		{9, 1 - math.Log(4.5)/math.Log(5)},
		{10, 0},
		{12, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d providers", tt.providers), func(t *testing.T) {
			if got := w.Weight(tt.providers); math.Abs(got-tt.want) > 1e-6 {
				t.Errorf("weight of a shingle of %d providers = %.4f, want %.4f", tt.providers, got, tt.want)
			}
		})
	}
	if got := w.Weight(999); got != 1 {
		t.Errorf("unseen shingle weighs %.3f, want 1", got)
	}
	if got := (Weights{}).Weight(1); got != 1 {
		t.Errorf("zero Weights gives %.3f, want 1", got)
	}
	if w.Len() != 10 {
		t.Errorf("%d shingles weigh less than 1, want 10", w.Len())
	}
}

func TestWeightsConfigDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   WeightsConfig
		want WeightsConfig
	}{
		{"zero", WeightsConfig{}, WeightsConfig{2, 10}},
		{"custom", WeightsConfig{3, 6}, WeightsConfig{3, 6}},
		{"zero below full", WeightsConfig{4, 3}, WeightsConfig{4, 10}},
		{"large full", WeightsConfig{12, 0}, WeightsConfig{12, 13}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.withDefaults(); got != tt.want {
				t.Errorf("withDefaults(%+v) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// TestWeightsMerge checks that shards of a catalogue merge into the weights
// of the whole, a provider present in several shards counting once, and
// that concurrent Adds lose nothing.
func TestWeightsMerge(t *testing.T) {
	type listing struct {
		provider string
		shingles []uint64
	}
	var catalogue []listing
	for i := range 60 {
		sh := []uint64{uint64(i % 7), uint64(i % 13), 1000 + uint64(i)}
		catalogue = append(catalogue, listing{fmt.Sprintf("P-%d", i%11), sh})
	}
	whole := NewWeightsBuilder(WeightsConfig{})
	for _, l := range catalogue {
		whole.Add(l.provider, l.shingles)
	}
	shards := []*WeightsBuilder{NewWeightsBuilder(WeightsConfig{}), NewWeightsBuilder(WeightsConfig{}), NewWeightsBuilder(WeightsConfig{})}
	var wg sync.WaitGroup
	for s, shard := range shards {
		wg.Go(func() {
			for i, l := range catalogue {
				if i%len(shards) == s {
					shard.Add(l.provider, l.shingles)
				}
			}
		})
	}
	wg.Wait()
	merged := NewWeightsBuilder(WeightsConfig{})
	for _, shard := range shards {
		wg.Go(func() { merged.Merge(shard) })
	}
	wg.Wait()
	merged.Merge(merged)
	merged.Merge(nil)

	want, got := whole.Build(), merged.Build()
	if want.Len() == 0 {
		t.Fatal("catalogue produced no down-weighted shingles")
	}
	for h := uint64(0); h < 1100; h++ {
		if want.Weight(h) != got.Weight(h) {
			t.Errorf("shingle %d: merged weight %.4f, whole catalogue %.4f", h, got.Weight(h), want.Weight(h))
		}
	}
}

func FuzzShingles(f *testing.F) {
	f.Add("扫码点餐系统", 3)
	f.Add("点", 2)
	f.Add("", 1)
	f.Add("\xff\xfe点", 2)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n % 8
		got := Shingles(s, n)
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Fatalf("Shingles(%q, %d) = %x is not a sorted set", s, n, got)
		}
		runes := utf8.RuneCountInString(s)
		switch {
		case n < 1 || s == "":
			if len(got) != 0 {
				t.Fatalf("Shingles(%q, %d) = %x, want none", s, n, got)
			}
		case runes < n:
			if len(got) != 1 {
				t.Fatalf("Shingles(%q, %d) = %x, want the whole text", s, n, got)
			}
		case len(got) < 1 || len(got) > runes-n+1:
			t.Fatalf("Shingles(%q, %d) has %d shingles for %d runes", s, n, len(got), runes)
		}
		if utf8.ValidString(s) && n >= 1 && s != "" && !slices.Equal(got, referenceShingles(s, n)) {
			t.Fatalf("Shingles(%q, %d) differs from the reference", s, n)
		}
		if !slices.Equal(got, Shingles(s, n)) {
			t.Fatalf("Shingles(%q, %d) is not deterministic", s, n)
		}
		title := TitleShingles(s)
		if !slices.IsSorted(title) || strings.TrimSpace(s) != "" && len(title) == 0 {
			t.Fatalf("TitleShingles(%q) = %x", s, title)
		}
	})
}
