package server

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// Role is what a token may do. Publishers' pipelines only ask for a
// pre-publish verdict; reviewers read findings and record verdicts; admins
// also ingest listings.
type Role string

// The roles a token file may grant.
const (
	RolePublisher Role = "publisher"
	RoleReviewer  Role = "reviewer"
	RoleAdmin     Role = "admin"
)

// may reports whether the role grants the permission.
func (r Role) may(p permission) bool {
	switch r {
	case RoleAdmin:
		return true
	case RoleReviewer:
		return p == permRead || p == permVerdict
	case RolePublisher:
		return p == permCheck
	}
	return false
}

type permission int

const (
	permCheck permission = iota
	permRead
	permVerdict
	permIngest
)

// Principal is who made a request: the name a token was issued to and its
// role. Verdicts are signed with the name.
type Principal struct {
	Name string
	Role Role
}

type tokenEntry struct {
	digest [sha256.Size]byte
	who    Principal
}

// Tokens are the bearer tokens the service accepts. Only their SHA-256
// digests are kept, and a presented token is compared with every one of
// them in constant time, so neither timing nor a memory dump gives a token
// away.
type Tokens struct {
	entries []tokenEntry
}

// maxTokenFile bounds a token file.
const maxTokenFile = 1 << 20

// ReadTokens reads tokens, one per line: `ROLE TOKEN [NAME]`. Blank lines
// and lines starting with # are ignored. NAME defaults to the role.
func ReadTokens(r io.Reader) (*Tokens, error) {
	t := &Tokens{}
	sc := bufio.NewScanner(io.LimitReader(r, maxTokenFile))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			return nil, fmt.Errorf("line %d: want ROLE TOKEN [NAME]", n)
		}
		role := Role(strings.ToLower(f[0]))
		switch role {
		case RolePublisher, RoleReviewer, RoleAdmin:
		default:
			return nil, fmt.Errorf("line %d: unknown role %q (want publisher, reviewer or admin)", n, f[0])
		}
		if len(f[1]) < 16 {
			return nil, fmt.Errorf("line %d: token shorter than 16 characters", n)
		}
		name := string(role)
		if len(f) > 2 {
			name = strings.Join(f[2:], " ")
		}
		t.entries = append(t.entries, tokenEntry{digest: sha256.Sum256([]byte(f[1])), who: Principal{Name: name, Role: role}})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read tokens: %w", err)
	}
	if len(t.entries) == 0 {
		return nil, fmt.Errorf("no tokens")
	}
	return t, nil
}

// LoadTokens reads tokens from a file, or from the environment variable
// env (lines separated by newlines or semicolons) when path is empty.
func LoadTokens(path, env string) (*Tokens, error) {
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("tokens: %w", err)
		}
		defer f.Close()
		t, err := ReadTokens(f)
		if err != nil {
			return nil, fmt.Errorf("tokens %s: %w", path, err)
		}
		return t, nil
	}
	v := os.Getenv(env)
	if v == "" {
		return nil, fmt.Errorf("no tokens: give a token file or set %s", env)
	}
	t, err := ReadTokens(strings.NewReader(strings.ReplaceAll(v, ";", "\n")))
	if err != nil {
		return nil, fmt.Errorf("tokens from %s: %w", env, err)
	}
	return t, nil
}

// lookup finds who a token belongs to. Every entry is compared, whatever
// matches, so the time taken does not depend on the token.
func (t *Tokens) lookup(token string) (Principal, bool) {
	if t == nil || token == "" {
		return Principal{}, false
	}
	d := sha256.Sum256([]byte(token))
	var found Principal
	ok := 0
	for _, e := range t.entries {
		if subtle.ConstantTimeCompare(d[:], e.digest[:]) == 1 {
			found, ok = e.who, 1
		}
	}
	return found, ok == 1
}

// bearer extracts the token of an Authorization: Bearer header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
