package marketgen

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"github.com/mtibben/confusables"
	"golang.org/x/text/width"
)

const sampleText = "鲸禾扫码点餐小程序专为火锅店打造，让点单、支付和出餐全流程线上化。提供标准 API 接口，可与现有收银 POS 系统对接。" +
	"顾客扫描桌台二维码即可浏览菜单并下单，高峰期点单时间缩短到30秒以内！杭州一家火锅店上线6个月后，翻台率提升了23%。" +
	"服务说明：支持二次开发，源码交付，提供一年免费售后。"

func rng() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func removeRunes(s string, drop func(rune) bool) string {
	return strings.Map(func(r rune) rune {
		if drop(r) {
			return -1
		}
		return r
	}, s)
}

func TestTextEvasionsKeepContent(t *testing.T) {
	t2s, err := opencc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := NewEvader()
	if err != nil {
		t.Fatal(err)
	}
	isSpace := func(r rune) bool { return r == ' ' || r == '\u3000' }
	isFiller := func(r rune) bool { return slices.Contains(PunctuationFillers, string(r)) }
	tests := []struct {
		name    string
		recover func(t *testing.T, out string) string // gives back what a reader sees
	}{
		{"zerowidth", func(t *testing.T, out string) string { return StripZeroWidth(out) }},
		{"fullwidth", func(t *testing.T, out string) string {
			// Narrowing also folds the text's own Chinese punctuation, so
			// compare narrowed forms.
			if width.Narrow.String(out) != width.Narrow.String(sampleText) {
				t.Error("full-width text does not narrow to the original")
			}
			return sampleText
		}},
		{"homoglyph", func(t *testing.T, out string) string {
			if confusables.Skeleton(out) != confusables.Skeleton(sampleText) {
				t.Error("homoglyph text is not confusable with the original")
			}
			return strings.Map(HomoglyphLatin, out)
		}},
		{"traditional", func(t *testing.T, out string) string {
			back, err := t2s.Convert(out)
			if err != nil {
				t.Fatal(err)
			}
			return back
		}},
		{"spaced", func(t *testing.T, out string) string {
			// Compare without any spaces: the original has some of its own.
			t.Helper()
			if removeRunes(out, isSpace) != removeRunes(sampleText, isSpace) {
				t.Error("spaced text differs beyond spaces")
			}
			return sampleText
		}},
		{"punctuated", func(t *testing.T, out string) string {
			if removeRunes(out, isFiller) != removeRunes(sampleText, isFiller) {
				t.Error("punctuated text differs beyond inserted marks")
			}
			return sampleText
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := ev.Apply(tt.name, sampleText, rng())
			if err != nil {
				t.Fatal(err)
			}
			if out == sampleText {
				t.Fatal("evasion left the text unchanged")
			}
			if got := tt.recover(t, out); got != sampleText {
				t.Errorf("recovered text differs:\n got %q\nwant %q", got, sampleText)
			}
			if !charLevel(tt.name) {
				t.Errorf("%s should be a character-level evasion", tt.name)
			}
		})
	}
}

func TestHomoglyphOnlyTouchesLatin(t *testing.T) {
	out := Homoglyph(sampleText, rng())
	a, b := []rune(sampleText), []rune(out)
	if len(a) != len(b) {
		t.Fatalf("rune count changed %d → %d", len(a), len(b))
	}
	n := 0
	for i := range a {
		if a[i] != b[i] {
			n++
			if a[i] > 0x7f {
				t.Errorf("non-Latin %q replaced by %q", a[i], b[i])
			}
		}
	}
	if n == 0 {
		t.Error("no letter replaced")
	}
	if got := Homoglyph("纯中文标题没有字母", rng()); got != "纯中文标题没有字母" {
		t.Errorf("text without Latin letters changed: %q", got)
	}
	if CanHomoglyph("纯中文标题") || !CanHomoglyph("CRM客户管理") {
		t.Error("CanHomoglyph misjudges Latin content")
	}
}

func TestShuffled(t *testing.T) {
	out := Shuffled(sampleText, rng())
	if out == sampleText {
		t.Fatal("shuffle kept the order")
	}
	a, b := SplitSentences(sampleText), SplitSentences(out)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Errorf("shuffled sentences differ from the original's:\n%q\n%q", a, b)
	}
}

func TestPartialCopy(t *testing.T) {
	own := []string{"本产品由速搭网络独立研发，持续迭代。", "购买前可免费试用7天。"}
	orig := SplitSentences(sampleText)
	out := SplitSentences(PartialCopy(sampleText, 0.6, own, rng()))
	kept := 0
	for _, s := range out {
		switch {
		case slices.Contains(orig, s):
			kept += utf8.RuneCountInString(s)
		case slices.Contains(own, s):
		default:
			t.Errorf("sentence %q is neither copied nor own", s)
		}
	}
	for _, o := range own {
		if !slices.Contains(out, o) {
			t.Errorf("own sentence %q missing", o)
		}
	}
	frac := float64(kept) / float64(utf8.RuneCountInString(sampleText))
	if frac < 0.45 || frac > 0.75 {
		t.Errorf("kept %.2f of the original, want about 0.6", frac)
	}
}

func TestEditTitle(t *testing.T) {
	titles := []string{"智慧餐厅点餐小程序", "鲸禾扫码点餐小程序（含管理后台）", "CRM客户管理系统 SaaS版", "岚格物业缴费小程序"}
	for _, title := range titles {
		for n := 1; n <= 2; n++ {
			got := EditTitle(title, n, rng())
			if d := runeDistance([]rune(got), []rune(title)); d != n {
				t.Errorf("EditTitle(%q, %d) = %q at distance %d", title, n, got, d)
			}
			if TitleSimilarity(got, title) < 0.7 {
				t.Errorf("EditTitle(%q, %d) = %q no longer resembles the original", title, n, got)
			}
		}
	}
}

func TestEvaderApplyUnknown(t *testing.T) {
	ev, err := NewEvader()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Apply("rot13", sampleText, rng()); err == nil {
		t.Error("unknown evasion: want error")
	}
	for _, name := range TextTransforms {
		out, err := ev.Apply(name, sampleText, rng())
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if out == sampleText {
			t.Errorf("%s left the text unchanged", name)
		}
	}
}

func TestDescriptionEvasions(t *testing.T) {
	ev, err := NewEvader()
	if err != nil {
		t.Fatal(err)
	}
	g := newTextGen()
	lt := g.listingText(rng(), textOptions{category: "物业", provider: "P-01", short: "云栖"})
	d := lt.Desc
	html := d.HTML([]string{"img/a.jpg"})
	if n := utf8.RuneCountInString(html); n < 200 || n > 600 {
		t.Errorf("description_html is %d characters, want 200–600: %s", n, html)
	}
	for _, tag := range []string{"<p>", "<ul>", "<li>", `<img src="img/a.jpg">`} {
		if !strings.Contains(html, tag) {
			t.Errorf("description_html lacks %s", tag)
		}
	}
	shuffled, err := ev.evadeDescription("shuffled", d, nil, rng())
	if err != nil {
		t.Fatal(err)
	}
	a, b := flatSentences(d), flatSentences(shuffled)
	if slices.Equal(a, b) {
		t.Error("shuffled description kept the sentence order")
	}
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Error("shuffled description lost or changed sentences")
	}
	zw, err := ev.evadeDescription("zerowidth", d, nil, rng())
	if err != nil {
		t.Fatal(err)
	}
	if StripZeroWidth(zw.PlainText()) != d.PlainText() || zw.PlainText() == d.PlainText() {
		t.Error("zero-width description does not strip back to the original")
	}
	if _, err := ev.evadeDescription("title_edit1", d, nil, rng()); err == nil {
		t.Error("title edit on a description: want error")
	}
}
