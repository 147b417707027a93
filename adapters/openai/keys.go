package openai

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Key is an API key and its own rate limits (0 = the server's defaults).
type Key struct {
	hash     [32]byte
	RPM, TPM int
	Name     string // a short, non-secret label for logs and metrics: the key's first characters
}

// Keys are the API keys a server accepts.
type Keys struct {
	keys []Key
}

// ParseKeys reads API keys, one a line: the key, then optionally rpm=N and tpm=N (requests
// and tokens per minute for that key). Blank lines and lines starting with # are skipped.
// A comma also ends a key's entry, so DEEPGO_API_KEYS="k1 rpm=10,k2" is two keys.
func ParseKeys(r io.Reader, source string) (*Keys, error) {
	ks := &Keys{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.HasPrefix(strings.TrimSpace(sc.Text()), "#") {
			continue // a comment, commas and all: "# old key, revoked" names no key
		}
		for entry := range strings.SplitSeq(sc.Text(), ",") {
			f := strings.Fields(entry)
			if len(f) == 0 || strings.HasPrefix(f[0], "#") {
				continue
			}
			k := Key{hash: sha256.Sum256([]byte(f[0])), Name: keyName(f[0])}
			for _, opt := range f[1:] {
				name, val, ok := strings.Cut(opt, "=")
				n, err := strconv.Atoi(val)
				if !ok || err != nil || n < 0 || (name != "rpm" && name != "tpm") {
					return nil, fmt.Errorf("%s:%d: %q: want rpm=N or tpm=N after the key", source, line, opt)
				}
				if name == "rpm" {
					k.RPM = n
				} else {
					k.TPM = n
				}
			}
			ks.keys = append(ks.keys, k)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if len(ks.keys) == 0 {
		return nil, fmt.Errorf("%s: no API keys", source)
	}
	return ks, nil
}

// Len is the number of keys.
func (ks *Keys) Len() int { return len(ks.keys) }

// lookup finds the key presented; it compares against every key in constant time, so the
// time taken says nothing about which key, or how much of one, matched.
func (ks *Keys) lookup(presented string) (*Key, bool) {
	h := sha256.Sum256([]byte(presented))
	found := -1
	for i := range ks.keys {
		if subtle.ConstantTimeCompare(h[:], ks.keys[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return nil, false
	}
	return &ks.keys[found], true
}

// keyName is a label for a key: its first 6 characters (as OpenAI's dashboard shows "sk-abc...").
func keyName(k string) string {
	if r := []rune(k); len(r) > 6 {
		return string(r[:6]) + "…"
	}
	return "…"
}

// bearer returns the token of an Authorization header "Bearer TOKEN".
func bearer(h string) (string, bool) {
	const p = "bearer "
	if len(h) < len(p) || !strings.EqualFold(h[:len(p)], p) {
		return "", false
	}
	return strings.TrimSpace(h[len(p):]), true
}
