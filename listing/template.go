package listing

import "time"

// Template is the low-code app a listing sells: its pages and the
// components on them, the data it collects, the pictures that show it and
// whether it ships code. The marketplace requires a listing to describe the
// template it sells accurately, and a template must not collect personal
// data it does not need, so the rules hold listings against this model.
//
// A template comes either as a normalised template.json or as an exported
// mini-program directory; both loaders produce this one model, so no rule
// needs to know which format a provider uploaded.
type Template struct {
	ID string `json:"id"`
	// ProviderID is the provider who owns the template. Only template.json
	// names one; an exported directory belongs to the provider of the
	// earliest listing that sells it (see TemplateOwner in the scanner).
	ProviderID  string           `json:"provider_id,omitempty"`
	Name        string           `json:"name,omitempty"`
	Version     string           `json:"version,omitempty"`
	Category    string           `json:"category,omitempty"`
	Description string           `json:"description,omitempty"`
	Features    []string         `json:"features,omitempty"`
	Pages       []TemplatePage   `json:"pages,omitempty"`
	DataSources []DataSource     `json:"datasources,omitempty"`
	OAuth       OAuth            `json:"oauth"`
	CodeDigest  string           `json:"code_digest,omitempty"`
	Images      []string         `json:"images,omitempty"` // image assets, relative to Source
	UpdatedAt   time.Time        `json:"updated_at,omitzero"`
	Format      TemplateFormat   `json:"format"`
	Source      string           `json:"-"` // the template.json, or the export's app.json: image references resolve against it
	Stats       TemplateLoadStat `json:"-"`
}

// TemplateFormat says which of the two template formats a template was read
// from.
type TemplateFormat string

// The template formats.
const (
	TemplateJSON   TemplateFormat = "template.json"
	TemplateExport TemplateFormat = "export"
)

// TemplateLoadStat counts what the loader read from an export, for a
// reviewer who wonders why a template looks empty.
type TemplateLoadStat struct {
	Files     int `json:"files"`
	CodeFiles int `json:"code_files"`
	Styles    int `json:"styles"`
}

// HasCode reports whether the template ships code buyers receive: a code
// digest in template.json, or script and markup files in an export. A
// listing selling a template without code sells nothing installable.
func (t *Template) HasCode() bool { return t.CodeDigest != "" }

// Screenshots lists the page screenshots, in page order, with the page
// each shows.
func (t *Template) Screenshots() []PageImage {
	var out []PageImage
	for _, p := range t.Pages {
		if p.Screenshot != "" {
			out = append(out, PageImage{Page: p.Title, Ref: p.Screenshot})
		}
	}
	return out
}

// PageImage is a picture of a template page.
type PageImage struct {
	Page string `json:"page"` // page title, or "" for an image asset
	Ref  string `json:"ref"`
}

// TemplatePage is one page of a template, with the component tree it is
// built from.
type TemplatePage struct {
	ID         string      `json:"id"`
	Title      string      `json:"title,omitempty"`
	IsHome     bool        `json:"is_home,omitempty"`
	IsTab      bool        `json:"is_tab,omitempty"`
	Screenshot string      `json:"screenshot,omitempty"`
	Components []Component `json:"components,omitempty"`
}

// Component is one node of a page's component tree. Type is the component
// as the low-code editor names it (Swiper, ListView) or the mini-program tag
// (swiper, scroll-view); the structural fingerprint folds the spellings.
type Component struct {
	Type       string      `json:"type"`
	DataSource string      `json:"datasource,omitempty"`
	Children   []Component `json:"children,omitempty"`
}

// DataSource is one data model of a template (a WeDa data source): what
// records the app stores and which fields they have.
type DataSource struct {
	Name   string      `json:"name"`
	Title  string      `json:"title,omitempty"`
	Fields []DataField `json:"fields,omitempty"`
}

// DataField is one field of a data source. Title is what the form shows
// the user (身份证号); Format is the JSON Schema format (tel, email,
// x-location …).
type DataField struct {
	Name     string `json:"name"`
	Title    string `json:"title,omitempty"`
	Type     string `json:"type,omitempty"`
	Format   string `json:"format,omitempty"`
	Required bool   `json:"required,omitempty"`
}
