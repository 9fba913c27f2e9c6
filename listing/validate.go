package listing

import (
	"errors"
	"fmt"
	"strings"
)

// ErrMissingField means a listing lacks a field without which it cannot be
// checked or attributed: its id, its provider's id or its title.
var ErrMissingField = errors.New("missing required field")

// Validate says whether a listing can be checked at all. Only the fields that
// identify a listing and its provider, and the title every text rule reads,
// are required; everything else may be missing and is judged by the rules.
func (l *Listing) Validate() error {
	var missing []string
	if strings.TrimSpace(l.ID) == "" {
		missing = append(missing, "id")
	}
	if strings.TrimSpace(l.Provider.ID) == "" {
		missing = append(missing, "provider.id")
	}
	if strings.TrimSpace(l.Title) == "" {
		missing = append(missing, "title")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrMissingField, strings.Join(missing, ", "))
	}
	return nil
}
