package listing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits on what one template may make the loader read. Templates are
// uploaded by providers, so every count and size is bounded; a template
// beyond a limit is an input error, the rest of the catalogue still loads.
const (
	// MaxTemplateJSONBytes bounds a template.json and an export's app.json.
	MaxTemplateJSONBytes = 4 << 20
	// MaxTemplatePartBytes bounds one page file (.json, .wxml) or data
	// source profile of an export.
	MaxTemplatePartBytes = 1 << 20
	// MaxTemplateFiles bounds the files an export directory may hold.
	MaxTemplateFiles = 5000
	// MaxTemplateDepth bounds directory nesting in an export.
	MaxTemplateDepth = 16
	// MaxTemplatePages bounds the pages of one template.
	MaxTemplatePages = 500
	// MaxComponentDepth bounds the nesting of a page's component tree;
	// deeper markup is cut at this depth.
	MaxComponentDepth = 48
	// MaxPageComponents bounds the components of one page; markup beyond
	// it is not read.
	MaxPageComponents = 5000
	// MaxTemplateFields bounds the data fields of one template.
	MaxTemplateFields = 2000
	// MaxTemplateImages bounds the image assets listed for one template.
	MaxTemplateImages = 500
	// MaxCatalogueTemplates bounds the entries of a catalogue directory.
	MaxCatalogueTemplates = 100_000
)

// ErrNotTemplate marks a file or directory that is not a template of
// either format.
var ErrNotTemplate = errors.New("not a template")

// LoadTemplates reads the template catalogue in dir: every sub-directory
// (an exported mini-program) and every *.json file (a template.json)
// directly inside it is one template. Entries whose names start with "." or
// "_" are not templates: a "_shots" directory holds the screenshots the
// template.json files name. A template that cannot be read is
// reported with its file and reason and skipped; the others load. Two
// templates with one id keep the first in name order. The error is only for
// a catalogue that cannot be listed at all.
func LoadTemplates(ctx context.Context, dir string) ([]Template, []InputError, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("template catalogue: %w", err)
	}
	if len(entries) > MaxCatalogueTemplates {
		return nil, nil, fmt.Errorf("template catalogue %s has %d entries, more than %d", dir, len(entries), MaxCatalogueTemplates)
	}
	var (
		out  []Template
		bad  []InputError
		seen = map[string]string{}
	)
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		path := filepath.Join(dir, e.Name())
		var (
			t   Template
			err error
		)
		switch {
		case strings.HasPrefix(e.Name(), "."), strings.HasPrefix(e.Name(), "_"):
			continue // hidden entries; "_shots", "_assets": pictures template.json files share
		case e.IsDir():
			t, err = LoadTemplateExport(ctx, path)
		case strings.EqualFold(filepath.Ext(e.Name()), ".json") && e.Type().IsRegular():
			t, err = LoadTemplateJSON(path)
		default:
			continue // notes, listings files, truth labels: not templates
		}
		if err != nil {
			bad = append(bad, InputError{File: path, Err: err})
			continue
		}
		if prev, dup := seen[t.ID]; dup {
			bad = append(bad, InputError{File: path, Err: fmt.Errorf("duplicate template id %s, first read from %s; this one is skipped", t.ID, prev)})
			continue
		}
		seen[t.ID] = path
		out = append(out, t)
	}
	return out, bad, nil
}

// LoadTemplateJSON reads a normalised template.json.
func LoadTemplateJSON(path string) (Template, error) {
	data, err := readFileBounded(path, MaxTemplateJSONBytes)
	if err != nil {
		return Template{}, err
	}
	t, err := DecodeTemplateJSON(data)
	if err != nil {
		return Template{}, err
	}
	t.Source = path
	return t, nil
}

// wireTemplate is template.json as written; DecodeTemplateJSON checks it
// and copies it into a Template.
type wireTemplate struct {
	ID          string         `json:"id"`
	ProviderID  string         `json:"provider_id"`
	Name        string         `json:"name"`
	Version     string         `json:"version"`
	Category    string         `json:"category"`
	Description string         `json:"description"`
	Features    []string       `json:"features"`
	Pages       []TemplatePage `json:"pages"`
	DataSources []DataSource   `json:"datasources"`
	Images      []string       `json:"images"`
	OAuth       OAuth          `json:"oauth"`
	CodeDigest  string         `json:"code_digest"`
}

// DecodeTemplateJSON decodes a template.json document. An id is
// required; sizes beyond the template limits are errors.
func DecodeTemplateJSON(data []byte) (Template, error) {
	if len(data) > MaxTemplateJSONBytes {
		return Template{}, fmt.Errorf("template.json is %d bytes: %w of %d", len(data), ErrTooLarge, MaxTemplateJSONBytes)
	}
	var w wireTemplate
	if err := json.Unmarshal(data, &w); err != nil {
		return Template{}, fmt.Errorf("decode template.json: %w", decodeError(err))
	}
	t := Template{
		ID: strings.TrimSpace(w.ID), ProviderID: strings.TrimSpace(w.ProviderID), Name: w.Name,
		Version: w.Version, Category: strings.TrimSpace(w.Category), Description: w.Description,
		Features: w.Features, Pages: w.Pages, DataSources: w.DataSources, Images: w.Images,
		OAuth: w.OAuth, CodeDigest: strings.TrimSpace(w.CodeDigest), Format: TemplateJSON,
	}
	if t.ID == "" {
		return Template{}, fmt.Errorf("template.json: %w: missing id", ErrNotTemplate)
	}
	if err := checkTemplateBounds(&t); err != nil {
		return Template{}, fmt.Errorf("template %s: %w", t.ID, err)
	}
	return t, nil
}

// checkTemplateBounds enforces the page, depth, component and field limits
// on a decoded template.
func checkTemplateBounds(t *Template) error {
	if len(t.Pages) > MaxTemplatePages {
		return fmt.Errorf("%d pages, more than %d", len(t.Pages), MaxTemplatePages)
	}
	for i, p := range t.Pages {
		n, depth := countComponents(p.Components, 1)
		if depth > MaxComponentDepth {
			return fmt.Errorf("page %s: components nested %d deep, more than %d", p.ID, depth, MaxComponentDepth)
		}
		if n > MaxPageComponents {
			return fmt.Errorf("page %s: %d components, more than %d", p.ID, n, MaxPageComponents)
		}
		if t.Pages[i].ID == "" {
			t.Pages[i].ID = fmt.Sprintf("page-%d", i+1)
		}
	}
	fields := 0
	for _, d := range t.DataSources {
		fields += len(d.Fields)
	}
	if fields > MaxTemplateFields {
		return fmt.Errorf("%d data fields, more than %d", fields, MaxTemplateFields)
	}
	if len(t.Images) > MaxTemplateImages {
		return fmt.Errorf("%d images, more than %d", len(t.Images), MaxTemplateImages)
	}
	return nil
}

func countComponents(cs []Component, depth int) (n, maxDepth int) {
	if len(cs) == 0 {
		return 0, depth - 1
	}
	maxDepth = depth
	for _, c := range cs {
		n++
		if depth > MaxComponentDepth {
			return n, depth
		}
		k, d := countComponents(c.Children, depth+1)
		n += k
		maxDepth = max(maxDepth, d)
	}
	return n, maxDepth
}

// readFileBounded reads a regular file of at most max bytes.
func readFileBounded(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return readBounded(f, max, filepath.Base(path))
}

// relRef turns a path inside root into a slash-separated reference
// relative to root.
func relRef(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

// isImageName reports whether a file name is an image asset.
func isImageName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp":
		return true
	}
	return false
}

// walkExport lists the regular files of an export within the file and
// depth limits, sorted, skipping hidden entries and symbolic links.
func walkExport(ctx context.Context, root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if path != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if strings.Count(relRef(root, path), "/") >= MaxTemplateDepth {
				return fmt.Errorf("%s: directories nested deeper than %d", relRef(root, path), MaxTemplateDepth)
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		files = append(files, path)
		if len(files) > MaxTemplateFiles {
			return fmt.Errorf("more than %d files", MaxTemplateFiles)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	return files, nil
}

// cleanText trims a title and drops invalid UTF-8.
func cleanText(s string) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return s
}
