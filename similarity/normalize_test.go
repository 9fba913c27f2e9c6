package similarity

import (
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/unicode/norm"
)

// testNormalizer is shared by the tests: building one loads the conversion
// tables, and a Normalizer is safe for concurrent use.
var testNormalizer = sync.OnceValues(NewNormalizer)

func normalizer(tb testing.TB) *Normalizer {
	tb.Helper()
	n, err := testNormalizer()
	if err != nil {
		tb.Fatalf("NewNormalizer: %v", err)
	}
	return n
}

// s2t converts simplified text to traditional with OpenCC, the way a copier
// disguises a listing.
func s2t(tb testing.TB, s string) string {
	tb.Helper()
	cc, err := opencc.New("s2t")
	if err != nil {
		tb.Fatalf("opencc s2t: %v", err)
	}
	out, err := cc.Convert(s)
	if err != nil {
		tb.Fatalf("s2t %q: %v", s, err)
	}
	return out
}

const (
	titleOriginal = "悦享轻食·扫码点餐会员一体化小程序"
	titleNorm     = "悦享轻食扫码点餐会员一体化小程序"
)

func TestNormalizeEvasions(t *testing.T) {
	n := normalizer(t)
	tests := []struct {
		name      string
		original  string
		disguised string
	}{
		{"zero width space", titleOriginal, "悦享\u200b轻食·扫\u200b码点餐会员\u200b一体化小程序"},
		{"zero width joiners", titleOriginal, "悦\u200c享轻\u200d食·扫码点\u200c餐会员一体化小\u200d程序"},
		{"word joiner and byte order mark", titleOriginal, "\ufeff悦享轻食\u2060·扫码\ufeff点餐会员一体化\u2060小程序"},
		{"soft hyphen and bidi marks", titleOriginal, "悦享\u00ad轻食·扫码\u200e点餐\u202a会员一体化\u202c小程序"},
		{"full width letters digits and comma", "ABC123, Mini Program", "ＡＢＣ１２３， Ｍｉｎｉ Ｐｒｏｇｒａｍ"},
		{"half width katakana punctuation", "扫码点餐。会员储值", "扫码点餐｡会员储值"},
		{"cyrillic lookalikes in latin words", "Smart Coffee Shop 点餐", "Ѕmаrt Соffее Ѕhор 点餐"},
		{"cyrillic capitals", "BOOK HOTEL 预订", "ВООК НОТЕL 预订"},
		{"cyrillic dotted i reads as i", "WeiXin Mini 小程序", "WeіXіn Mіnі 小程序"},
		{"greek lookalikes", "Pro Book 专业版", "Ρrο Βοοk 专业版"},
		{"mathematical alphanumerics", "SaaS 门店系统", "𝐒𝐚𝐚𝐒 门店系统"},
		{"accented latin", "cafe 点餐", "café 点餐"},
		{"compatibility ideographs", "一年免费售后理财社区多城", "一\uf98e\ufa32费售后\uf9e4财\ufa4c区\U0002f85d\U0002f852"},
		{"kangxi radicals", "小食支付立即", "⼩⾷⽀付⽴即"},
		{"kana lookalikes", "口碑工具一体化", "ロ碑エ具ー体化"},
		{"traditional characters", titleOriginal, "悅享輕食·掃碼點餐會員一體化小程序"},
		{"traditional phrase", "了解更多回复客户", "瞭解更多回覆客戶"},
		{"spaces between characters", titleOriginal, "悦 享 轻 食 · 扫 码 点 餐 会 员 一 体 化 小 程 序"},
		{"ideographic spaces and tabs", titleOriginal, "悦享\u3000轻食\t扫码点餐\u00a0会员一体化小程序"},
		{"punctuation between characters", titleOriginal, "悦-享/轻*食·扫_码.点|餐~会@员#一$体%化^小&程+序"},
		{"chinese punctuation between characters", titleOriginal, "悦、享，轻：食「扫」码（点）餐《会》员【一】体…化——小“程”序"},
		{"emoji between characters", titleOriginal, "悦享🍔轻食·扫码✨点餐会员👍一体化小程序"},
		{"variation selectors", titleOriginal, "悦\ufe0f享轻食·扫码点\U000e0100餐会员一体化小程序"},
		{"upper and lower case", "mini program", "MINI PROGRAM"},
		{"all at once", titleOriginal, "悅\u200b享 輕食・掃碼點餐\ufeff會員ー體化，⼩程序"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := n.Normalize(tt.original)
			got := n.Normalize(tt.disguised)
			if got != want {
				t.Errorf("Normalize(%q) = %q, want %q (the normal form of %q)", tt.disguised, got, want, tt.original)
			}
			if want == "" {
				t.Errorf("Normalize(%q) is empty", tt.original)
			}
		})
	}
}

func TestNormalizeOutput(t *testing.T) {
	n := normalizer(t)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"title", titleOriginal, titleNorm},
		{"simplified text unchanged but punctuation", "支持二次开发，源码交付！", "支持二次开发源码交付"},
		{"digits and latin kept", "提供1年免费售后 VIP", "提供1年免费售后vip"},
		{"circled and enclosed forms", "①号店 ㈱", "1号店株"},
		{"chinese meaning kept apart", "点餐", "点餐"},
		{"other characters are not merged", "订餐", "订餐"},
		{"one stays one", "一体化", "一体化"},
		{"protected traditional phrase", "乾隆年間", "乾隆年间"},
		{"only punctuation", "！！！……", ""},
		{"only invisible", "\u200b\u200c\u200d\u2060\ufeff", ""},
		{"empty", "", ""},
		{"invalid utf8 dropped", "点\xff餐\xc3", "点餐"},
		{"hangul kept", "한국어 메뉴", "한국어메뉴"},
		{"hangul jamo composed across punctuation", "\u1100.\u1161", "가"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := n.Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestNormalizeLeavesChineseAlone checks that simplified Chinese text loses
// its punctuation and nothing else: no character is mapped to a look-alike.
func TestNormalizeLeavesChineseAlone(t *testing.T) {
	n := normalizer(t)
	for _, text := range append([]string{descOriginal, descHonestFood, descHonestBeauty, descPartialCopy}, catalogueSentences...) {
		var want strings.Builder
		for _, r := range text {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				want.WriteRune(unicode.ToLower(r))
			}
		}
		if got := n.Normalize(text); got != want.String() {
			t.Errorf("Normalize changed Chinese text:\n got  %q\n want %q", got, want.String())
		}
	}
}

func TestNormalizeBounds(t *testing.T) {
	n := normalizer(t)
	huge := strings.Repeat("点餐", MaxNormalizeInputBytes)
	got := n.Normalize(huge)
	if c := utf8.RuneCountInString(got); c > MaxNormalizedRunes {
		t.Errorf("Normalize of %d bytes returned %d runes, want at most %d", len(huge), c, MaxNormalizedRunes)
	}
	if n.Normalize(got) != got {
		t.Errorf("Normalize of a truncated result is not idempotent")
	}
	sentences := n.NormalizeSentences(strings.Repeat("点餐。", MaxNormalizeInputBytes))
	if limit := MaxNormalizeInputBytes/len("点餐。") + 1; len(sentences) > limit {
		t.Errorf("NormalizeSentences returned %d sentences, want at most %d from the first %d bytes", len(sentences), limit, MaxNormalizeInputBytes)
	}
}

func TestNormalizeSentences(t *testing.T) {
	n := normalizer(t)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"chinese punctuation", "扫码点餐。会员储值！支持外卖？自动打印；", []string{"扫码点餐", "会员储值", "支持外卖", "自动打印"}},
		{"ascii and full width", "Scan!Pay?Done;好的！", []string{"scan", "pay", "done", "好的"}},
		{"line breaks", "第一行\n第二行\r\n\n第三行\u2028第四行", []string{"第一行", "第二行", "第三行", "第四行"}},
		{"commas do not split", "扫码点餐，会员储值，自动打印。", []string{"扫码点餐会员储值自动打印"}},
		{"period does not split", "版本1.2.0发布。", []string{"版本120发布"}},
		{"traditional sentences", "掃碼點餐。會員儲值！", []string{"扫码点餐", "会员储值"}},
		{"empty pieces dropped", "。。！\n ？", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := n.NormalizeSentences(tt.in)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("NormalizeSentences(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestT2SMatchesOpenCC checks the trie walk against OpenCC's own converter
// on every table key, on keys run together and on listing text.
func TestT2SMatchesOpenCC(t *testing.T) {
	n := normalizer(t)
	cc, err := opencc.New("t2s")
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{
		s2t(t, descOriginal), s2t(t, descHonestBeauty), "乾隆年間的么麼小丑", "瞭解更多回覆客戶反覆確認",
		"悅享輕食掃碼點餐會員一體化小程序", "", "abc",
	}
	var joined strings.Builder
	for _, group := range n.t2s.cc.DictChains {
		for _, d := range group.Dicts {
			for _, id := range d.Trie.PrefixPredict(nil, 0) {
				k, err := d.Trie.Key(id)
				if err != nil {
					t.Fatal(err)
				}
				inputs = append(inputs, string(k), "中"+string(k)+"文")
				joined.Write(k)
				if joined.Len() > 3000 {
					inputs = append(inputs, joined.String())
					joined.Reset()
				}
			}
		}
	}
	inputs = append(inputs, joined.String())
	mismatches := 0
	for _, in := range inputs {
		want, err := cc.Convert(in)
		if err != nil {
			t.Fatalf("opencc Convert(%q): %v", in, err)
		}
		if got := n.t2s.convert(in); got != want {
			mismatches++
			if mismatches <= 5 {
				t.Errorf("convert(%q) = %q, OpenCC gives %q", in, got, want)
			}
		}
	}
	if len(inputs) < 4000 {
		t.Errorf("compared %d inputs, expected every table key", len(inputs))
	}
}

// TestT2SFastPathIsExact checks that text the fast path skips really is its
// own conversion, and that simplify reaches a fixed point on every table
// value, which is what keeps Normalize idempotent.
func TestT2SFastPathIsExact(t *testing.T) {
	n := normalizer(t)
	for _, s := range []string{descOriginal, descHonestBeauty, descHonestFood, titleNorm} {
		if n.t2s.mayChangeText(s) {
			continue
		}
		if got := n.t2s.convert(s); got != s {
			t.Errorf("fast path skips %q, but it converts to %q", s, got)
		}
	}
	if n.t2s.mayChangeText(titleNorm) {
		t.Errorf("simplified title %q takes the slow path", titleNorm)
	}
	for _, group := range n.t2s.cc.DictChains {
		for _, d := range group.Dicts {
			for _, id := range d.Trie.PrefixPredict(nil, 0) {
				v, _ := d.Trie.Value(id)
				k, _ := d.Trie.Key(id)
				if len(d.Values[v]) > 0 && utf8.RuneCount(k) != utf8.RuneCountInString(d.Values[v][0]) {
					// MaxNormalizedRunes cuts before conversion; a
					// conversion that changed the length would make a cut
					// result change on a second pass.
					t.Errorf("%s converts to %s of another length", k, d.Values[v][0])
				}
				for _, val := range d.Values[v] {
					once := n.t2s.simplify(val)
					if twice := n.t2s.convert(once); twice != once {
						t.Errorf("simplify(%q) = %q is not a fixed point: converts to %q", val, once, twice)
					}
					if !norm.NFKC.IsNormalString(once) {
						t.Errorf("simplify(%q) = %q is not NFKC", val, once)
					}
				}
			}
		}
	}
}

func TestBoilerplatePhrasesAreNormalized(t *testing.T) {
	n := normalizer(t)
	phrases := BoilerplatePhrases()
	if len(phrases) < 40 {
		t.Errorf("%d boilerplate phrases, want at least 40", len(phrases))
	}
	seen := map[string]bool{}
	for _, p := range phrases {
		if got := n.Normalize(p); got != p {
			t.Errorf("phrase %q normalises to %q", p, got)
		}
		if seen[p] {
			t.Errorf("phrase %q listed twice", p)
		}
		seen[p] = true
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		titleOriginal, "悅享輕食·掃碼點餐", "Ѕmаrt Соffее", "ＡＢＣ１２３，", "⼈⼯ロエー", "乾隆年間的么麼小丑",
		"\u1100.\u1161", "i\u0307", "İstanbul ΣΑΣ", "\xff\xfe", "ﷺ ㍿ ﬀ", "a\u200bb\ufeffc", descOriginal,
	} {
		f.Add(s)
	}
	n := normalizer(f)
	f.Fuzz(func(t *testing.T, s string) {
		once := n.Normalize(s)
		if !utf8.ValidString(once) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, once)
		}
		if twice := n.Normalize(once); twice != once {
			t.Fatalf("Normalize is not idempotent on %q: %q then %q", s, once, twice)
		}
		for _, r := range once {
			if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
				t.Fatalf("Normalize(%q) = %q keeps %U, neither letter nor digit", s, once, r)
			}
			if unicode.IsUpper(r) {
				t.Fatalf("Normalize(%q) = %q keeps upper-case %U", s, once, r)
			}
		}
		for _, sentence := range n.NormalizeSentences(s) {
			if sentence == "" || n.Normalize(sentence) != sentence {
				t.Fatalf("NormalizeSentences(%q) has sentence %q that is empty or not normalised", s, sentence)
			}
		}
	})
}

func BenchmarkNormalize(b *testing.B) {
	n := normalizer(b)
	for _, bm := range []struct {
		name string
		text string
	}{
		{"simplified", descOriginal},
		{"traditional", s2t(b, descOriginal)},
		{"disguised", disguise(s2t(b, descOriginal))},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportMetric(float64(utf8.RuneCountInString(bm.text)), "runes")
			b.SetBytes(int64(len(bm.text)))
			for b.Loop() {
				n.Normalize(bm.text)
			}
		})
	}
	b.Run("opencc-convert-traditional", func(b *testing.B) {
		cc, err := opencc.New("t2s")
		if err != nil {
			b.Fatal(err)
		}
		text := s2t(b, descOriginal)
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			if _, err := cc.Convert(text); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkNewNormalizer(b *testing.B) {
	for b.Loop() {
		if _, err := NewNormalizer(); err != nil {
			b.Fatal(err)
		}
	}
}

// disguise applies the cheap evasions at once: a zero-width space after
// every third character, full-width ASCII, and a space after every comma.
func disguise(s string) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		switch {
		case r > ' ' && r < 0x7f:
			b.WriteRune(r - 0x21 + 0xff01)
		case r == '，':
			b.WriteString("， ")
		default:
			b.WriteRune(r)
		}
		i++
		if i%3 == 0 {
			b.WriteRune('\u200b')
		}
	}
	return b.String()
}

// TestNormalizeEveryCharacter checks idempotence and the output alphabet
// for every code point of the planes in use, alone and next to a
// neighbour it might compose with once the separator between them is gone.
func TestNormalizeEveryCharacter(t *testing.T) {
	n := normalizer(t)
	failures := 0
	for r := rune(0); r < 0x40000 && failures < 10; r++ {
		if (r >= 0x3400 && r < 0xa000 || r >= 0x20000) && r%97 != 0 {
			// The unified ideographs and their extensions behave alike;
			// sample them.
			continue
		}
		for _, s := range []string{string(r), "a·" + string(r) + "·\u0301", "\u1100." + string(r)} {
			once := n.Normalize(s)
			twice := n.Normalize(once)
			bad := twice != once || !utf8.ValidString(once)
			for _, c := range once {
				bad = bad || !(unicode.IsLetter(c) || unicode.IsNumber(c)) || unicode.IsUpper(c)
			}
			if bad {
				failures++
				t.Errorf("%U: Normalize(%q) = %q, then %q", r, s, once, twice)
			}
		}
	}
}

// TestCommonPunctuationIsDropped checks the characters foldText drops
// without normalising: under NFKC none of them becomes a letter or digit.
func TestCommonPunctuationIsDropped(t *testing.T) {
	n := 0
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !commonPunctuation(r) {
			continue
		}
		n++
		for _, c := range norm.NFKC.String(string(r)) {
			if unicode.IsLetter(c) || unicode.IsNumber(c) || unicode.Is(unicode.M, c) {
				t.Errorf("%U %q normalises to %U, which would not be dropped", r, r, c)
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d characters dropped at once", n)
	}
}
