// Package listing holds the marketplace's domain: what a listing, a provider,
// a template and a finding are, and the loaders that turn files on disk
// (JSON, JSON Lines, saved HTML pages) into listings.
//
// A listing is one product a provider sells on the marketplace: an app built
// from a low-code template, described by a title, images, tags, price plans and
// an HTML description. The marketplace rules say this information must be
// accurate, must not be copied from another provider, and must not steer buyers
// to trade off the platform. Every other package of listingscan checks listings
// against those rules; this one only says what they are.
//
// This package imports nothing else of listingscan.
package listing

import (
	"encoding/json"
	"time"
)

// Listing is one product page of the marketplace. Field names follow the
// marketplace's JSON export; unknown fields are kept in Extra so that a
// listing read and written back loses nothing.
type Listing struct {
	ID              string          `json:"id"`
	Provider        Provider        `json:"provider"`
	TemplateID      string          `json:"template_id,omitempty"`
	Title           string          `json:"title"`
	Tags            []string        `json:"tags,omitempty"`
	Category        string          `json:"category,omitempty"`
	Summary         string          `json:"summary,omitempty"`
	DescriptionHTML string          `json:"description_html,omitempty"`
	Images          []string        `json:"images,omitempty"`
	Price           Price           `json:"price"`
	Service         Service         `json:"service"`
	OAuth           OAuth           `json:"oauth"`
	PublishedAt     time.Time       `json:"published_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
	Extra           json.RawMessage `json:"-"`

	// Source is the file the listing was read from. Image references are
	// resolved relative to it. It is not part of the marketplace export.
	Source string `json:"-"`
}

// Provider is the seller behind a listing: the "store" whose name, logo and
// introduction must not be copied from another provider.
type Provider struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Logo  string `json:"logo,omitempty"`
	Intro string `json:"intro,omitempty"`
}

// Price is the set of plans a buyer can choose from.
type Price struct {
	Plans []PricePlan `json:"plans,omitempty"`
}

// PricePlan is one purchasable edition. ListPrice is the struck-through
// price; Price is what the buyer pays and must not exceed it. Prices stay raw
// JSON numbers so that a malformed value ("免费", -1, 1e308) reaches the price
// rule as evidence instead of failing the whole listing at load time.
type PricePlan struct {
	Name      string      `json:"name"`
	Duration  string      `json:"duration,omitempty"`
	Unit      string      `json:"unit,omitempty"`
	ListPrice json.Number `json:"list_price,omitempty"`
	Price     json.Number `json:"price,omitempty"`
}

// Service is the provider's after-sales promise. The marketplace requires
// online service 09:00–18:00 on every day of the week.
type Service struct {
	AfterSales string   `json:"after_sales,omitempty"`
	Hours      string   `json:"hours,omitempty"`
	Channels   []string `json:"channels,omitempty"`
}

// OAuth declares whether the app signs users in through an existing system.
// Such integrations must be reviewed by the marketplace.
type OAuth struct {
	Enabled  bool `json:"enabled"`
	Reviewed bool `json:"reviewed"`
}

// FirstSeen is the time the listing is known to have existed: its publish
// time, or its update time when the export has no publish time. Copy rules
// blame the later of two listings.
func (l *Listing) FirstSeen() time.Time {
	if !l.PublishedAt.IsZero() {
		return l.PublishedAt
	}
	return l.UpdatedAt
}
