package server

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// session is a reviewer logged in to the UI. The browser holds only the
// session id in an HttpOnly cookie; the bearer token never reaches page
// scripts. csrf is echoed in every form the UI renders and checked on every
// post, so that another site cannot post verdicts in a reviewer's name.
type session struct {
	who     Principal
	csrf    string
	expires time.Time
}

// sessions are the UI's logged-in reviewers, in memory: a restarted
// service asks them to log in again.
type sessions struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]session
}

func newSessions(ttl time.Duration) *sessions {
	return &sessions{ttl: ttl, m: map[string]session{}}
}

func randomID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) start(who Principal) (id string, sess session) {
	now := time.Now()
	id = randomID()
	sess = session{who: who, csrf: randomID(), expires: now.Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.m { // expired sessions go when new ones come
		if now.After(v.expires) {
			delete(s.m, k)
		}
	}
	s.m[id] = sess
	return id, sess
}

func (s *sessions) get(id string) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.m[id]
	if !ok || time.Now().After(sess.expires) {
		delete(s.m, id)
		return session{}, false
	}
	return sess, true
}

func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}
