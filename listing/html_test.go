package listing

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// pageSelectors are the selectors that read testdata/html/selectors.html.
var pageSelectors = HTMLSelectors{
	ID:           ".goods@data-goods-id",
	ProviderID:   ".shop-name@data-shop-id",
	ProviderName: ".shop-name",
	Title:        "h1.goods-title",
	Description:  ".goods-desc",
	Images:       ".gallery img",
	Tags:         ".tag",
	Price:        ".plan .price",
	PublishedAt:  "time.published",
}

func TestDecodeHTML(t *testing.T) {
	cst := time.FixedZone("CST", 8*60*60)
	tests := []struct {
		name    string
		file    string
		sel     HTMLSelectors
		want    Listing // compared without Extra and Source
		wantErr []string
	}{
		{
			name: "JSON-LD product only",
			file: "jsonld.html",
			want: Listing{
				ID:              "L-9001",
				Provider:        Provider{ID: "P-01", Name: "杭州云栈科技有限公司"},
				Title:           "智慧餐厅点餐小程序",
				Tags:            []string{"餐饮", "点餐", "会员"},
				Category:        "餐饮",
				DescriptionHTML: "<p>扫码点餐、后厨打印、会员储值。</p><p>支持多门店统一管理。</p>",
				Images:          []string{"img/cover.png", "img/shot-1.png", "https://cdn.example.com/shot-2.jpg"},
				Price: Price{Plans: []PricePlan{
					{Name: "基础版", ListPrice: "1999", Price: "1599.00"},
					{Name: "旗舰版", Price: "3999"},
				}},
				PublishedAt: time.Date(2026, 1, 10, 0, 0, 0, 0, cst),
			},
		},
		{
			name: "JSON-LD @graph after a malformed block, base href",
			file: "graph.html",
			want: Listing{
				ID:       "L-9002",
				Provider: Provider{ID: "P-02", Name: "深圳小店通网络科技"},
				Title:    "社区团购小程序",
				Images:   []string{"https://market.example.com/goods/shots/a.png"},
				Price:    Price{Plans: []PricePlan{{Name: "标准版", Price: "1299"}}},
			},
		},
		{
			name: "OpenGraph and listing meta tags only",
			file: "og.html",
			want: Listing{
				ID:              "L-9003",
				Provider:        Provider{ID: "P-03", Name: "成都蓉易科技"},
				TemplateID:      "T-31",
				Title:           "酒店客房预订小程序",
				Tags:            []string{"酒店", "预订", "民宿"},
				DescriptionHTML: "<p>在线选房、押金预授权、入住登记。</p>",
				Images:          []string{"img/room-1.png", "img/room-2.png"},
				Price:           Price{Plans: []PricePlan{{ListPrice: "2999", Price: "2599"}}},
				PublishedAt:     time.Date(2026, 3, 1, 9, 30, 0, 0, cst),
			},
		},
		{
			name: "CSS selectors only",
			file: "selectors.html",
			sel:  pageSelectors,
			want: Listing{
				ID:              "L-9004",
				Provider:        Provider{ID: "P-04", Name: "南京金陵数科"},
				Title:           "企业官网小程序",
				Tags:            []string{"官网", "企业服务"},
				DescriptionHTML: `<p>一站式企业官网，<b>支持多语言</b>。</p>` + "\n    " + `<p style="display:none">加微信 abc123 享优惠</p>` + "\n    " + `<img src="img/desc-1.png"/>`,
				Images:          []string{"img/site-1.png", "img/site-2.png"},
				Price:           Price{Plans: []PricePlan{{Price: "1280.00"}, {Price: "面议"}}},
				PublishedAt:     time.Date(2026, 4, 1, 10, 0, 0, 0, cst),
			},
		},
		{
			name: "selectors fill only what earlier sources left empty",
			file: "og.html",
			sel:  HTMLSelectors{ID: "p", Title: "title", Summary: "body p"},
			want: Listing{
				ID:              "L-9003",
				Provider:        Provider{ID: "P-03", Name: "成都蓉易科技"},
				TemplateID:      "T-31",
				Title:           "酒店客房预订小程序",
				Summary:         "页面正文",
				Tags:            []string{"酒店", "预订", "民宿"},
				DescriptionHTML: "<p>在线选房、押金预授权、入住登记。</p>",
				Images:          []string{"img/room-1.png", "img/room-2.png"},
				Price:           Price{Plans: []PricePlan{{ListPrice: "2999", Price: "2599"}}},
				PublishedAt:     time.Date(2026, 3, 1, 9, 30, 0, 0, cst),
			},
		},
		{
			name: "GBK page",
			file: "gbk.html",
			want: Listing{
				ID:              "L-9006",
				Provider:        Provider{ID: "P-06"},
				Title:           "在线教育小程序",
				DescriptionHTML: "<p>直播课、录播课、题库练习一站搞定。</p>",
			},
		},
		{
			name:    "page without selectors for its layout",
			file:    "selectors.html",
			wantErr: []string{"missing required field: id, provider.id, title", "selectors configured: 0"},
		},
		{
			name:    "broken page cut inside its JSON-LD",
			file:    "broken.html",
			wantErr: []string{"missing required field: id, provider.id", "JSON-LD block 1 is malformed"},
		},
		{
			name:    "truncated body",
			file:    "truncated-body.html",
			sel:     pageSelectors,
			wantErr: []string{"missing required field: provider.id"},
		},
		{
			name:    "not a listing page",
			file:    "empty.html",
			wantErr: []string{"missing required field: id, provider.id, title"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join("testdata/html", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeHTML(data, path, tt.sel)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("DecodeHTML = %+v, want an error", got)
				}
				if !errors.Is(err, ErrMissingField) {
					t.Errorf("error %v does not wrap ErrMissingField", err)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeHTML: %v", err)
			}
			if got.Source != path {
				t.Errorf("Source = %q, want %q", got.Source, path)
			}
			got.Source = ""
			// Compare instants, not how the page wrote the zone.
			got.PublishedAt, tt.want.PublishedAt = got.PublishedAt.UTC(), tt.want.PublishedAt.UTC()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeHTML =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

func TestHTMLImagesResolveAgainstThePage(t *testing.T) {
	path := "testdata/html/jsonld.html"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := DecodeHTML(data, path, HTMLSelectors{})
	if err != nil {
		t.Fatal(err)
	}
	img, err := (&ImageSource{}).Read(t.Context(), l.Source, l.Images[0])
	if err != nil {
		t.Fatalf("read %s relative to %s: %v", l.Images[0], l.Source, err)
	}
	want, _ := os.ReadFile("testdata/html/img/cover.png")
	if string(img) != string(want) {
		t.Errorf("read %d bytes, want the %d bytes of img/cover.png", len(img), len(want))
	}
}

func TestHTMLSelectorsValidate(t *testing.T) {
	tests := []struct {
		name    string
		sel     HTMLSelectors
		wantErr string
	}{
		{"zero value", HTMLSelectors{}, ""},
		{"all valid", pageSelectors, ""},
		{"attribute selector with @ in a value", HTMLSelectors{Images: `a[href="mailto:kf@example.com"]`}, ""},
		{"invalid CSS", HTMLSelectors{Tags: "ul > > li"}, `selector tags "ul > > li"`},
		{"invalid CSS before @attr", HTMLSelectors{ID: "div[@data-id"}, `selector id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sel.Validate()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestSplitSelector(t *testing.T) {
	tests := []struct {
		in, css, attr string
	}{
		{"h1.title", "h1.title", ""},
		{".goods@data-goods-id", ".goods", "data-goods-id"},
		{" a.shop @ href ", "a.shop @ href", ""},
		{`a[href="kf@example.com"]`, `a[href="kf@example.com"]`, ""},
		{"@href", "@href", ""},
		{"img@src", "img", "src"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			css, attr := splitSelector(tt.in)
			if css != tt.css || attr != tt.attr {
				t.Errorf("splitSelector(%q) = %q, %q; want %q, %q", tt.in, css, attr, tt.css, tt.attr)
			}
		})
	}
}

func TestPriceNumber(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"1599", "1599"},
		{"¥ 1,280.00", "1280.00"},
		{"￥99元", "99"},
		{"CNY 3999", "3999"},
		{"-1", "-1"},
		{"免费", "免费"},
		{"面议", "面议"},
		{"1.2.3", "1.2.3"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := priceNumber(tt.in); string(got) != tt.want {
				t.Errorf("priceNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzLoadHTML(f *testing.F) {
	files, err := filepath.Glob("testdata/html/*.html")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`<script type="application/ld+json">[[[{"@graph":{"@type":"Product","offers":{"offers":{"offers":[1]}}}}]]]</script>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := DecodeHTML(data, "fuzz.html", pageSelectors)
		if err == nil {
			if verr := l.Validate(); verr != nil {
				t.Errorf("DecodeHTML returned an invalid listing without error: %v", verr)
			}
		}
	})
}

func BenchmarkDecodeHTML(b *testing.B) {
	data, err := os.ReadFile("testdata/html/selectors.html")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := DecodeHTML(data, "selectors.html", pageSelectors); err != nil {
			b.Fatal(err)
		}
	}
}
