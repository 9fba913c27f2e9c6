package listing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// MaxExportBytes bounds the bytes of code, markup and profiles read from
// one export (images are listed, not read).
const MaxExportBytes = 64 << 20

// exportApp is the part of a mini-program's app.json the loader reads.
type exportApp struct {
	Pages       []string       `json:"pages"`
	SubPackages []exportSubPkg `json:"subPackages"`
	SubPkgs     []exportSubPkg `json:"subpackages"`
	Window      exportWindow   `json:"window"`
	TabBar      struct {
		List []struct {
			PagePath string `json:"pagePath"`
			Text     string `json:"text"`
		} `json:"list"`
	} `json:"tabBar"`
}

type exportSubPkg struct {
	Root  string   `json:"root"`
	Pages []string `json:"pages"`
}

type exportWindow struct {
	NavigationBarTitleText string `json:"navigationBarTitleText"`
}

// exportMeta is the optional package.json of an export: the template's
// display name, version, category and declared features.
type exportMeta struct {
	Name        string   `json:"name"`
	DisplayName string   `json:"displayName"`
	Version     string   `json:"version"`
	Description string   `json:"description"`
	Category    string   `json:"category"`
	Features    []string `json:"features"`
	OAuth       *OAuth   `json:"oauth"`
}

// LoadTemplateExport reads an exported mini-program directory: app.json
// (pages, sub-packages, tab bar, window title), each page's .json title and
// .wxml component tree, WeDa data source profiles (*.json under a
// datasources/ directory, JSON Schema properties with title, type, format
// and x-required), image assets, and the optional package.json. The
// template's id is the directory's name; an export names no provider.
func LoadTemplateExport(ctx context.Context, dir string) (Template, error) {
	appPath := filepath.Join(dir, "app.json")
	raw, err := readFileBounded(appPath, MaxTemplateJSONBytes)
	if err != nil {
		return Template{}, fmt.Errorf("export: %w: %w", ErrNotTemplate, err)
	}
	var app exportApp
	if err := json.Unmarshal(raw, &app); err != nil {
		return Template{}, fmt.Errorf("app.json: %w", decodeError(err))
	}
	files, err := walkExport(ctx, dir)
	if err != nil {
		return Template{}, fmt.Errorf("export: %w", err)
	}
	t := Template{ID: filepath.Base(dir), Format: TemplateExport, Source: appPath}
	t.Name = cleanText(app.Window.NavigationBarTitleText)

	var (
		code    = map[string][]byte{} // relative path → content, for the digest
		budget  = int64(MaxExportBytes)
		inFiles = map[string]string{} // relative path → absolute
	)
	read := func(rel string) ([]byte, error) {
		abs, ok := inFiles[rel]
		if !ok {
			return nil, nil
		}
		data, err := readFileBounded(abs, min(MaxTemplatePartBytes, budget))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		budget -= int64(len(data))
		return data, nil
	}
	for _, f := range files {
		rel := relRef(dir, f)
		inFiles[rel] = f
		t.Stats.Files++
		switch ext := strings.ToLower(path.Ext(rel)); {
		case isImageName(rel):
			if len(t.Images) < MaxTemplateImages {
				t.Images = append(t.Images, rel)
			}
		case ext == ".js" || ext == ".ts" || ext == ".wxml" || ext == ".wxs":
			t.Stats.CodeFiles++
		case ext == ".wxss":
			t.Stats.Styles++
		}
	}

	if data, err := read("package.json"); err != nil {
		return Template{}, err
	} else if data != nil {
		var m exportMeta
		if err := json.Unmarshal(data, &m); err != nil {
			return Template{}, fmt.Errorf("package.json: %w", decodeError(err))
		}
		t.Name = cleanText(cmpOr(m.DisplayName, t.Name, m.Name))
		t.Version, t.Description, t.Category, t.Features = m.Version, m.Description, cleanText(m.Category), m.Features
		if m.OAuth != nil {
			t.OAuth = *m.OAuth
		}
	}

	tabs := map[string]string{}
	for _, it := range app.TabBar.List {
		tabs[strings.TrimSuffix(strings.TrimPrefix(it.PagePath, "/"), "/")] = cleanText(it.Text)
	}
	pagePaths := slices.Clone(app.Pages)
	for _, sp := range slices.Concat(app.SubPackages, app.SubPkgs) {
		for _, p := range sp.Pages {
			pagePaths = append(pagePaths, path.Join(sp.Root, p))
		}
	}
	if len(pagePaths) == 0 {
		return Template{}, fmt.Errorf("app.json: no pages")
	}
	if len(pagePaths) > MaxTemplatePages {
		return Template{}, fmt.Errorf("app.json: %d pages, more than %d", len(pagePaths), MaxTemplatePages)
	}
	seenPage := map[string]bool{}
	for i, p := range pagePaths {
		p = strings.TrimSuffix(strings.TrimPrefix(path.Clean("/"+p), "/"), "/")
		if p == "" || seenPage[p] {
			continue
		}
		seenPage[p] = true
		page := TemplatePage{ID: p, IsHome: i == 0}
		if title, ok := tabs[p]; ok {
			page.IsTab, page.Title = true, title
		}
		if data, err := read(p + ".json"); err != nil {
			return Template{}, err
		} else if data != nil {
			var pj exportWindow
			if err := json.Unmarshal(data, &pj); err != nil {
				return Template{}, fmt.Errorf("%s.json: %w", p, decodeError(err))
			}
			if title := cleanText(pj.NavigationBarTitleText); title != "" {
				page.Title = title
			}
		}
		if page.Title == "" && page.IsHome {
			page.Title = t.Name
		}
		data, err := read(p + ".wxml")
		if err != nil {
			return Template{}, err
		}
		if data != nil {
			code[p+".wxml"] = data
			if page.Components, err = ParseWXML(data); err != nil {
				return Template{}, fmt.Errorf("%s.wxml: %w", p, err)
			}
		}
		t.Pages = append(t.Pages, page)
	}

	for _, f := range files {
		rel := relRef(dir, f)
		ext := strings.ToLower(path.Ext(rel))
		switch {
		case ext == ".json" && isDataSourcePath(rel):
			data, err := read(rel)
			if err != nil {
				return Template{}, err
			}
			ds, err := DecodeDataSourceProfile(data)
			if err != nil {
				return Template{}, fmt.Errorf("%s: %w", rel, err)
			}
			if ds.Name == "" {
				ds.Name = strings.TrimSuffix(path.Base(rel), path.Ext(rel))
			}
			t.DataSources = append(t.DataSources, ds)
		case (ext == ".js" || ext == ".ts" || ext == ".wxs" || ext == ".wxml") && code[rel] == nil:
			data, err := read(rel)
			if err != nil {
				return Template{}, err
			}
			code[rel] = data
		}
	}
	if len(code) > 0 {
		t.CodeDigest = codeDigest(code)
	}
	if err := checkTemplateBounds(&t); err != nil {
		return Template{}, err
	}
	return t, nil
}

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// isDataSourcePath reports whether a file of an export is a WeDa data
// source profile: a JSON file below a datasources/ (or datasource/)
// directory, or named *.datasource.json.
func isDataSourcePath(rel string) bool {
	if strings.HasSuffix(strings.ToLower(rel), ".datasource.json") {
		return true
	}
	for _, part := range strings.Split(path.Dir(rel), "/") {
		switch strings.ToLower(part) {
		case "datasources", "datasource":
			return true
		}
	}
	return false
}

// codeDigest hashes an export's code files by path and content, so two
// uploads of the same code have the same digest whatever the file order.
func codeDigest(code map[string][]byte) string {
	names := make([]string, 0, len(code))
	for n := range code {
		names = append(names, n)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(code[n]))
		h.Write(code[n])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// schemaProp is one JSON Schema property of a data source profile.
type schemaProp struct {
	Title      string                `json:"title"`
	Type       json.RawMessage       `json:"type"`
	Format     string                `json:"format"`
	XRequired  bool                  `json:"x-required"`
	Properties map[string]schemaProp `json:"properties"`
	Required   []string              `json:"required"`
}

type profile struct {
	Name       string                `json:"name"`
	Title      string                `json:"title"`
	Label      string                `json:"label"`
	Schema     *schemaProp           `json:"schema"`
	Properties map[string]schemaProp `json:"properties"`
	Required   []string              `json:"required"`
}

// DecodeDataSourceProfile reads a WeDa data source profile: its name,
// title and the fields of its JSON Schema. Nested objects become dotted
// field names (contact.idcard). Fields come out sorted by name, so a
// profile's field order does not change the template's fingerprint.
func DecodeDataSourceProfile(data []byte) (DataSource, error) {
	if len(data) > MaxTemplatePartBytes {
		return DataSource{}, fmt.Errorf("data source profile is %d bytes: %w of %d", len(data), ErrTooLarge, MaxTemplatePartBytes)
	}
	var p profile
	if err := json.Unmarshal(data, &p); err != nil {
		return DataSource{}, fmt.Errorf("data source profile: %w", decodeError(err))
	}
	ds := DataSource{Name: cleanText(p.Name), Title: cleanText(cmpOr(p.Title, p.Label))}
	props, required := p.Properties, p.Required
	if p.Schema != nil {
		props, required = p.Schema.Properties, p.Schema.Required
		if ds.Title == "" {
			ds.Title = cleanText(p.Schema.Title)
		}
	}
	var err error
	ds.Fields, err = flattenProps("", props, required, 0, ds.Fields)
	if err != nil {
		return DataSource{}, err
	}
	return ds, nil
}

func flattenProps(prefix string, props map[string]schemaProp, required []string, depth int, out []DataField) ([]DataField, error) {
	if depth > 4 {
		return out, nil
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		p := props[n]
		name := prefix + n
		typ := schemaType(p.Type)
		if typ == "object" && len(p.Properties) > 0 {
			var err error
			if out, err = flattenProps(name+".", p.Properties, p.Required, depth+1, out); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, DataField{
			Name: name, Title: cleanText(p.Title), Type: typ, Format: strings.TrimSpace(p.Format),
			Required: p.XRequired || slices.Contains(required, n),
		})
		if len(out) > MaxTemplateFields {
			return nil, fmt.Errorf("more than %d fields", MaxTemplateFields)
		}
	}
	return out, nil
}

// schemaType reads a JSON Schema type, which may be a name or a list of
// names (["string", "null"]).
func schemaType(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		for _, t := range list {
			if t != "null" {
				return t
			}
		}
	}
	return ""
}

// wxmlSkip are WXML tags that are not components: imports, includes,
// script modules and templates' definitions.
var wxmlSkip = map[string]bool{"import": true, "include": true, "wxs": true}

// ParseWXML reads the component tree of a WXML page. WXML is markup, not
// HTML, so it is read token by token: custom tags (van-button) and
// self-closing tags keep their meaning, and no HTML repair moves
// elements around. <block> is a grouping without a component of its own:
// its children belong to its parent. Trees are cut at MaxComponentDepth and
// MaxPageComponents; unclosed tags are closed at the end of the page.
func ParseWXML(data []byte) ([]Component, error) {
	if len(data) > MaxTemplatePartBytes {
		return nil, fmt.Errorf("page markup is %d bytes: %w of %d", len(data), ErrTooLarge, MaxTemplatePartBytes)
	}
	z := html.NewTokenizer(bytes.NewReader(data))
	z.SetMaxBuf(MaxTemplatePartBytes)
	root := &Component{}
	stack := []*Component{root}
	// names parallels stack with the tag each entry was opened by; a
	// transparent <block> pushes its parent again under its own name.
	names := []string{""}
	count, skipDepth := 0, 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); err != nil && err != io.EOF {
				return nil, fmt.Errorf("read markup: %w", err)
			}
			return root.Children, nil
		case html.StartTagToken, html.SelfClosingTagToken:
			z.NextIsNotRawText()
			name, hasAttr := z.TagName()
			tag := string(name)
			if skipDepth > 0 {
				if tt == html.StartTagToken && wxmlSkip[tag] {
					skipDepth++
				}
				continue
			}
			if wxmlSkip[tag] {
				if tt == html.StartTagToken {
					skipDepth = 1
				}
				continue
			}
			parent := stack[len(stack)-1]
			if tag == "block" {
				if tt == html.StartTagToken {
					stack, names = append(stack, parent), append(names, tag)
				}
				continue
			}
			var ds string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "datasource", "data-source", "wd:datasource", "data-datasource":
					ds = strings.TrimSpace(string(v))
				}
			}
			if count >= MaxPageComponents || len(stack) > MaxComponentDepth {
				if tt == html.StartTagToken {
					stack, names = append(stack, parent), append(names, tag)
				}
				continue
			}
			count++
			parent.Children = append(parent.Children, Component{Type: tag, DataSource: ds})
			if tt == html.StartTagToken {
				stack = append(stack, &parent.Children[len(parent.Children)-1])
				names = append(names, tag)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if skipDepth > 0 {
				if wxmlSkip[tag] {
					skipDepth--
				}
				continue
			}
			// Close up to the innermost open tag of this name; a stray
			// end tag closes nothing.
			for i := len(names) - 1; i > 0; i-- {
				if names[i] == tag {
					stack, names = stack[:i], names[:i]
					break
				}
			}
		}
	}
}
