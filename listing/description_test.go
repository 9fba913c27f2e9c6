package listing

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseDescription(t *testing.T) {
	tests := []struct {
		name string
		html string
		want Description
	}{
		{
			name: "paragraphs and inline elements",
			html: "<p>支持<strong>扫码点餐</strong>、外卖配送。</p>\n<p>会员\n   积分</p>",
			want: Description{Text: "支持扫码点餐、外卖配送。\n会员 积分"},
		},
		{
			name: "line breaks, lists, headings and tables",
			html: "<h2>功能</h2>第一行<br>第二行<ul><li>多门店</li><li>打印</li></ul><table><tr><td>基础版</td><td>1599元</td></tr></table>",
			want: Description{Text: "功能\n第一行\n第二行\n多门店\n打印\n基础版 1599元"},
		},
		{
			name: "preformatted text keeps its spaces",
			html: "<pre>营业时间\n  09:00 - 18:00</pre>",
			want: Description{Text: "营业时间\n09:00 - 18:00"},
		},
		{
			name: "script and style are neither visible nor hidden",
			html: `<style>p{color:red}</style><p>正文</p><script>var qq = "12345678";</script><noscript>请开启脚本</noscript>`,
			want: Description{Text: "正文"},
		},
		{
			name: "comments are not text",
			html: `<p>正文<!-- 微信 abc123 --></p>`,
			want: Description{Text: "正文"},
		},
		{
			name: "hidden attribute",
			html: `<p>正文</p><p hidden>隐藏的关键词</p>`,
			want: Description{Text: "正文", Hidden: []string{"隐藏的关键词"}},
		},
		{
			name: "display none with nested elements is one entry",
			html: `<div style="display: none !important"><p>加微信</p><p>abc<b>123</b></p></div><p>可见</p>`,
			want: Description{Text: "可见", Hidden: []string{"加微信\nabc123"}},
		},
		{
			name: "visibility, zero font size, zero opacity",
			html: `<span style="visibility:hidden">甲</span><span style="font-size:0px">乙</span><span style="FONT-SIZE: 0">丙</span><span style="opacity:0">丁</span><span style="font-size:0.0em">戊</span><span style="font-size:10px">可见</span>`,
			want: Description{Text: "可见", Hidden: []string{"甲", "乙", "丙", "丁", "戊"}},
		},
		{
			name: "text the colour of the page",
			html: `<p style="color:#FFF">白字</p><p style="color: rgb(255, 255, 255)">白字二</p><p><font color="white">白字三</font></p><p style="color:transparent">透明</p>`,
			want: Description{Hidden: []string{"白字", "白字二", "白字三", "透明"}},
		},
		{
			name: "text the colour of its own background",
			html: `<div style="background:#000"><p style="color:#010101">黑底黑字</p><p style="color:#fff">黑底白字</p></div>`,
			want: Description{Text: "黑底白字", Hidden: []string{"黑底黑字"}},
		},
		{
			name: "background image makes the colour unknown",
			html: `<div style="background:url(bg.png)"><p style="color:#fff">图上白字</p></div>`,
			want: Description{Text: "图上白字"},
		},
		{
			name: "off-screen and zero-size boxes",
			html: `<p style="position:absolute;left:-9999px">甲</p><p style="text-indent:-200em">乙</p><div style="width:0;height:0;overflow:hidden">丙</div><p style="margin-left:-20px">可见</p>`,
			want: Description{Text: "可见", Hidden: []string{"甲", "乙", "丙"}},
		},
		{
			name: "style sheet rules",
			html: `<style>.k{display:none} @media (max-width: 9999px){ #t { font-size: 0 } } a:hover{display:none}</style><p class="k">关键词</p><p id="t">电话</p><p><a href="x">可见</a></p>`,
			want: Description{Text: "可见", Hidden: []string{"关键词", "电话"}, Links: []string{"x"}},
		},
		{
			name: "images: src, data-src, hidden ones too, no repeats",
			html: `<img src="img/a.png"><img data-src="img/b.png" src="img/loading.gif"><div hidden><img src="img/c.png"></div><img src="img/a.png"><img src="">`,
			want: Description{Images: []string{"img/a.png", "img/b.png", "img/loading.gif", "img/c.png"}},
		},
		{
			name: "links: absolute or not, no repeats",
			html: `<a href="https://shop.example.com/">店铺</a><a href="/goods/2">同类</a><a href="https://shop.example.com/">再次</a><a>无链接</a><map><area href="tel:13800138000"></map>`,
			want: Description{Text: "店铺同类再次无链接", Links: []string{"https://shop.example.com/", "/goods/2", "tel:13800138000"}},
		},
		{
			name: "empty",
			html: "",
			want: Description{},
		},
		{
			name: "nesting deeper than the tree parser takes",
			html: strings.Repeat("<div>", 600) + "深层正文" + `<span style="display:none">深层隐藏</span><img src="deep.png"><a href="https://x.example/">链</a>` + strings.Repeat("</div>", 600),
			want: Description{Text: "深层正文链", Hidden: []string{"深层隐藏"}, Images: []string{"deep.png"}, Links: []string{"https://x.example/"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDescription(tt.html)
			if err != nil {
				t.Fatalf("ParseDescription: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseDescription =\n%#v\nwant\n%#v", got, tt.want)
			}
			// The flat reader, used when the tree parser refuses the
			// markup, reads inline styles the same way.
			if !strings.Contains(tt.html, "<style>") {
				if flat := parseFlat(tt.html); !reflect.DeepEqual(flat, tt.want) {
					t.Errorf("parseFlat =\n%#v\nwant\n%#v", flat, tt.want)
				}
			}
		})
	}
}

func TestParseDescriptionFixture(t *testing.T) {
	data, err := os.ReadFile("testdata/description/evasion.html")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseDescription(string(data))
	if err != nil {
		t.Fatal(err)
	}
	want := Description{
		Text: "产品介绍\n" +
			"本小程序支持扫码点餐、外卖配送和会员积分。\n" +
			"多门店统一管理\n" +
			"后厨小票自动打印\n" +
			"深色背景上的白字是可见的\n" +
			"更多案例见 案例页 与 同类商品，或 再次链接。",
		Hidden: []string{
			"点餐系统 点餐小程序 外卖系统 免费点餐 餐饮SaaS",
			"联系V信：canyin888",
			"私下转账更优惠",
		},
		Images: []string{"img/d1.png", "img/d2.png", "img/loading.gif"},
		Links:  []string{"https://shop.example.com/cases", "/goods/L-1002"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseDescription =\n%#v\nwant\n%#v", got, want)
	}
}

func TestParseDescriptionTooLarge(t *testing.T) {
	_, err := ParseDescription(strings.Repeat("a", MaxDescriptionBytes+1))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("ParseDescription of %d bytes = %v, want ErrTooLarge", MaxDescriptionBytes+1, err)
	}
}

func TestParseColor(t *testing.T) {
	tests := []struct {
		in          string
		want        rgb
		transparent bool
		ok          bool
	}{
		{"#fff", rgb{255, 255, 255}, false, true},
		{"#FFFFFF", rgb{255, 255, 255}, false, true},
		{"#ffffff00", rgb{}, true, true},
		{"#fff0", rgb{}, true, true},
		{"rgb(0 0 0)", rgb{0, 0, 0}, false, true},
		{"rgba(255,255,255,0)", rgb{}, true, true},
		{"rgb(100%, 0%, 0%)", rgb{255, 0, 0}, false, true},
		{"white !important", rgb{255, 255, 255}, false, true},
		{"var(--bg)", rgb{}, false, false},
		{"linear-gradient(red, blue)", rgb{}, false, false},
		{"#ggg", rgb{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, ok := parseColor(tt.in)
			if ok != tt.ok || c.transparent != tt.transparent || (!c.transparent && c.rgb != tt.want) {
				t.Errorf("parseColor(%q) = %+v, %v; want %+v transparent=%v, %v", tt.in, c, ok, tt.want, tt.transparent, tt.ok)
			}
		})
	}
}

func FuzzParseDescription(f *testing.F) {
	data, err := os.ReadFile("testdata/description/evasion.html")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Add(`<p style="color:#fff;background:#fff">x</p><style>@media{{{.a{display:none}</style><div class=a>`)
	f.Add(strings.Repeat("<b>", 520) + "x")
	f.Add(`<style>/* open comment`)
	f.Add(`<p>图<IMG data-src="x.png" src="y.png"></p>`)
	f.Add(`<svg><image href="x.png"/></svg><image src="y.png">`)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDescription(s)
		if err != nil {
			t.Fatalf("ParseDescription: %v", err)
		}
		for _, h := range d.Hidden {
			if h == "" {
				t.Errorf("empty hidden entry")
			}
		}
		if strings.Contains(d.Text, "\n\n") {
			t.Errorf("text has an empty line: %q", d.Text)
		}
		// DescriptionImages names every image the parse finds.
		cheap := DescriptionImages(s)
		if slices.ContainsFunc(d.Images, func(im string) bool { return !slices.Contains(cheap, im) }) {
			t.Errorf("parsed images %q, DescriptionImages %q", d.Images, cheap)
		}
	})
}

func TestDescriptionImages(t *testing.T) {
	for _, tc := range []struct {
		html string
		want []string
	}{
		{`<p>扫码点餐，<b>会员</b>储值</p>`, nil},
		{`<p>见下图</p><img src="a.png"><p>a < b, imgs & more</p>`, []string{"a.png"}},
		{`<IMG SRC=" a.png ">`, []string{"a.png"}},
		{`<p>图<Img data-src="b.png" src="blank.gif"></p><img src="b.png">`, []string{"b.png", "blank.gif"}},
		{`<image src="c.png"><img src="c.png">`, []string{"c.png"}},
		{`<div style="display:none"><img src="d.png"></div>`, []string{"d.png"}},
		{`<script>var s = "<img src=e.png>";</script><textarea><img src=f.png></textarea>`, nil},
		{`<img>`, nil},
		{`<im`, nil},
		{``, nil},
	} {
		got := DescriptionImages(tc.html)
		if !slices.Equal(got, tc.want) {
			t.Errorf("DescriptionImages(%q) = %q, want %q", tc.html, got, tc.want)
		}
		if d, _ := ParseDescription(tc.html); !slices.Equal(d.Images, tc.want) {
			t.Errorf("%q: ParseDescription found images %q, want %q", tc.html, d.Images, tc.want)
		}
	}
}

func BenchmarkParseDescription(b *testing.B) {
	data, err := os.ReadFile("testdata/description/evasion.html")
	if err != nil {
		b.Fatal(err)
	}
	s := string(data)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if _, err := ParseDescription(s); err != nil {
			b.Fatal(err)
		}
	}
}
