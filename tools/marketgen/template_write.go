package marketgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/listingscan/listingscan/listing"
)

// write renders every template, image and listing of the plan.
func (g *tgen) write(ctx context.Context) error {
	for _, it := range g.items {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i, p := range it.t.Pages {
			if i == tplShotPages {
				break
			}
			it.shots = append(it.shots, drawPage(it.layoutSeed+uint64(i), it.hue, p.Components))
		}
		var err error
		if it.export {
			err = g.writeExport(it)
		} else {
			err = g.writeTemplateJSON(it)
		}
		if err != nil {
			return fmt.Errorf("template %s: %w", it.t.ID, err)
		}
	}
	for _, pv := range g.provs {
		data, err := EncodePNG(pv.logo)
		if err != nil {
			return err
		}
		if err := g.file(listingsDir+pv.logoAt, data); err != nil {
			return err
		}
	}
	var lines bytes.Buffer
	for _, tl := range g.tls {
		if err := ctx.Err(); err != nil {
			return err
		}
		r := rand.New(rand.NewPCG(uint64(len(tl.l.ID))*7919+uint64(tl.l.PublishedAt.Unix()), 3))
		var imgs []image.Image
		if tl.foreign {
			for range 1 + r.IntN(2) {
				imgs = append(imgs, drawForeign(r))
			}
		} else {
			shots := tl.item.shots
			for _, i := range r.Perm(len(shots))[:min(len(shots), 1+r.IntN(2))] {
				imgs = append(imgs, editShot(shots[i], tl.transform))
			}
			if tl.banner {
				imgs = append(imgs, drawLogo(r.Uint64(), r.Float64()*360))
			}
		}
		for i, im := range imgs {
			// Re-encoded screenshots are JPEG; others stay PNG, which
			// keeps flat app screens a few kilobytes.
			var (
				data []byte
				err  error
				ref  = fmt.Sprintf("img/%s-%d.png", tl.l.ID, i+1)
			)
			if tl.transform == "jpeg" && !tl.foreign {
				data, err = EncodeJPEG(im, 80)
				ref = fmt.Sprintf("img/%s-%d.jpg", tl.l.ID, i+1)
			} else {
				data, err = EncodePNG(im)
			}
			if err != nil {
				return err
			}
			if err := g.file(listingsDir+ref, data); err != nil {
				return err
			}
			tl.l.Images = append(tl.l.Images, ref)
		}
		b, err := json.Marshal(&tl.l)
		if err != nil {
			return err
		}
		lines.Write(b)
		lines.WriteByte('\n')
	}
	if err := g.file(listingsDir+"listings.jsonl", lines.Bytes()); err != nil {
		return err
	}
	var truth bytes.Buffer
	enc := json.NewEncoder(&truth)
	enc.SetEscapeHTML(false)
	for _, t := range g.truth {
		if err := enc.Encode(t); err != nil {
			return err
		}
	}
	return g.file(listingsDir+"truth.ndjson", truth.Bytes())
}

// editShot applies the edits a provider makes to a screenshot before
// putting it on a listing.
func editShot(img image.Image, transform string) image.Image {
	switch transform {
	case "resize":
		return Resize(img, 1.6)
	case "statusbar":
		return CropTop(img, 0.12)
	case "border":
		return AddBorder(img, 0.05, color.White)
	}
	return img
}

func (g *tgen) file(rel string, data []byte) error {
	p := filepath.Join(g.out, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	g.files++
	g.bytes += int64(len(data))
	return os.WriteFile(p, data, 0o644)
}

func (g *tgen) jsonFile(rel string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return g.file(rel, b.Bytes())
}

// pascal turns a mini-program tag into the low-code editor's component
// name: scroll-view → ScrollView.
func pascal(tag string) string {
	var b strings.Builder
	up := true
	for _, r := range tag {
		if r == '-' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func pascalTree(cs []listing.Component) []listing.Component {
	out := cloneComps(cs)
	for i := range out {
		out[i].Type = pascal(out[i].Type)
		out[i].Children = pascalTree(out[i].Children)
	}
	return out
}

func (g *tgen) writeTemplateJSON(it *titem) error {
	t := cloneTemplateValue(it.t)
	for i := range t.Pages {
		t.Pages[i].Components = pascalTree(t.Pages[i].Components)
		if i < len(it.shots) {
			ref := fmt.Sprintf("_shots/%s-%d.png", t.ID, i+1)
			data, err := EncodePNG(it.shots[i])
			if err != nil {
				return err
			}
			if err := g.file(ref, data); err != nil {
				return err
			}
			t.Pages[i].Screenshot = ref
		}
	}
	doc := map[string]any{
		"id": t.ID, "provider_id": t.ProviderID, "name": t.Name, "version": t.Version, "category": t.Category,
		"description": fmt.Sprintf("%s行业小程序模板，含%d个页面。", t.Category, len(t.Pages)),
		"features":    t.Features, "pages": t.Pages, "datasources": t.DataSources,
		"oauth": listing.OAuth{}, "code_digest": t.CodeDigest,
	}
	return g.jsonFile(t.ID+".json", doc)
}

func (g *tgen) writeExport(it *titem) error {
	t := it.t
	root := t.ID + "/"
	var pages []string
	var tabs []map[string]string
	for i, p := range t.Pages {
		pages = append(pages, p.ID)
		if p.IsTab {
			icon := fmt.Sprintf("images/tab%d.png", i+1)
			tabs = append(tabs, map[string]string{"pagePath": p.ID, "text": p.Title, "iconPath": icon})
			data, err := EncodePNG(tabIcon(it.hue, i))
			if err != nil {
				return err
			}
			if err := g.file(root+icon, data); err != nil {
				return err
			}
		}
		if err := g.jsonFile(root+p.ID+".json", map[string]any{"navigationBarTitleText": p.Title, "usingComponents": map[string]string{}}); err != nil {
			return err
		}
		var w strings.Builder
		writeWXML(&w, p.Components, 0)
		if err := g.file(root+p.ID+".wxml", []byte(w.String())); err != nil {
			return err
		}
		c := hsl(it.hue, 0.65, 0.5)
		wxss := fmt.Sprintf(".page{background:#fafafa}\n.accent{color:#%02x%02x%02x}\n", c.R, c.G, c.B)
		if err := g.file(root+p.ID+".wxss", []byte(wxss)); err != nil {
			return err
		}
		js := fmt.Sprintf("Page({\n  data: { title: %q },\n  onLoad() {}\n})\n", p.Title)
		if err := g.file(root+p.ID+".js", []byte(js)); err != nil {
			return err
		}
		if i < len(it.shots) {
			data, err := EncodePNG(it.shots[i])
			if err != nil {
				return err
			}
			if err := g.file(fmt.Sprintf("%simages/%s.png", root, path.Base(path.Dir(p.ID))), data); err != nil {
				return err
			}
		}
	}
	app := map[string]any{"pages": pages, "window": map[string]string{"navigationBarTitleText": t.Name}}
	if len(tabs) > 1 {
		app["tabBar"] = map[string]any{"list": tabs}
	}
	if err := g.jsonFile(root+"app.json", app); err != nil {
		return err
	}
	if err := g.file(root+"app.js", []byte("App({})\n")); err != nil {
		return err
	}
	if err := g.jsonFile(root+"package.json", map[string]any{"name": strings.ToLower(t.ID), "displayName": t.Name, "version": t.Version, "category": t.Category, "features": t.Features}); err != nil {
		return err
	}
	for _, d := range t.DataSources {
		props := map[string]any{}
		for _, f := range d.Fields {
			p := map[string]any{"title": f.Title, "type": f.Type}
			if f.Format != "" {
				p["format"] = f.Format
			}
			if f.Required {
				p["x-required"] = true
			}
			props[f.Name] = p
		}
		doc := map[string]any{"name": d.Name, "title": d.Title, "schema": map[string]any{"type": "object", "properties": props}}
		if err := g.jsonFile(root+"datasources/"+d.Name+".json", doc); err != nil {
			return err
		}
	}
	return nil
}

func tabIcon(hue float64, i int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	Fill(img, image.Rect(3, 3, 13, 13), hsl(hue+float64(i*40), 0.6, 0.5))
	return img
}

func writeWXML(w *strings.Builder, cs []listing.Component, depth int) {
	for _, c := range cs {
		w.WriteString(strings.Repeat("  ", depth))
		attrs := ` class="` + c.Type + `-box"`
		if c.DataSource != "" {
			attrs += ` data-source="` + c.DataSource + `" wx:for="{{` + c.DataSource + `}}"`
		}
		switch c.Type {
		case "image":
			attrs += ` src="{{item.cover}}" mode="aspectFill"`
		case "text":
			fmt.Fprintf(w, "<text%s>{{item.title}}</text>\n", attrs)
			continue
		}
		if len(c.Children) == 0 {
			fmt.Fprintf(w, "<%s%s/>\n", c.Type, attrs)
			continue
		}
		fmt.Fprintf(w, "<%s%s>\n", c.Type, attrs)
		writeWXML(w, c.Children, depth+1)
		fmt.Fprintf(w, "%s</%s>\n", strings.Repeat("  ", depth), c.Type)
	}
}
