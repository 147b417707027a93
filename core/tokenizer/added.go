package tokenizer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// addedToken is an entry of tokenizer.json's "added_tokens": a string matched whole in the raw
// text before pre-tokenization and encoded as its single id.
type addedToken struct {
	id      int
	content string
	// special marks control tokens such as <｜begin▁of▁sentence｜> (Hugging Face "special",
	// GGUF token type 3); the others, such as <｜User｜>, are user-defined (type 4).
	special bool
	// normalized tokens are matched, in a second pass, in the normalized text between the
	// non-normalized ones. DeepSeek-V3's normalizer is the identity.
	normalized bool
	// lstrip and rstrip make the token take the whitespace on its left or right with it;
	// singleWord makes it match only where no word character touches it.
	lstrip, rstrip, singleWord bool
}

// matcher finds added tokens in text, leftmost-longest, like the Aho-Corasick automaton
// (MatchKind::LeftmostLongest) of Hugging Face's AddedVocabulary.
type matcher struct {
	tokens []addedToken
	// A byte trie of the tokens' contents: node 0 is the root; edges maps node<<8|byte to the
	// child; term[node] is the index in tokens of the token ending there, or -1.
	edges map[uint32]int32
	term  []int32
	// first[b] reports whether some token starts with byte b; if exactly one byte starts
	// tokens, it is only (else -1), and candidates are found with strings.IndexByte.
	first [256]bool
	only  int
}

func newMatcher(tokens []addedToken) *matcher {
	m := &matcher{edges: make(map[uint32]int32), term: []int32{-1}, only: -1}
	firsts := 0
	for _, tok := range tokens {
		if tok.content == "" {
			continue // Hugging Face ignores empty added tokens
		}
		node := int32(0)
		for i := 0; i < len(tok.content); i++ {
			k := uint32(node)<<8 | uint32(tok.content[i])
			child, ok := m.edges[k]
			if !ok {
				child = int32(len(m.term))
				m.edges[k] = child
				m.term = append(m.term, -1)
			}
			node = child
		}
		if m.term[node] >= 0 {
			continue // a duplicate content: the first one stays
		}
		m.term[node] = int32(len(m.tokens))
		m.tokens = append(m.tokens, tok)
		if b := tok.content[0]; !m.first[b] {
			m.first[b] = true
			firsts++
			m.only = int(b)
		}
	}
	if firsts != 1 {
		m.only = -1
	}
	return m
}

// find returns the leftmost-longest token occurrence in s at or after from: its byte offsets
// and its index in m.tokens, or k == -1 if there is none.
func (m *matcher) find(s string, from int) (start, end, k int) {
	if len(m.tokens) == 0 {
		return 0, 0, -1
	}
	for p := from; p < len(s); p++ {
		if m.only >= 0 {
			q := strings.IndexByte(s[p:], byte(m.only))
			if q < 0 {
				break
			}
			p += q
		} else if !m.first[s[p]] {
			continue
		}
		node, best, bestEnd := int32(0), int32(-1), 0
		for q := p; q < len(s); q++ {
			child, ok := m.edges[uint32(node)<<8|uint32(s[q])]
			if !ok {
				break
			}
			node = child
			if t := m.term[node]; t >= 0 {
				best, bestEnd = t, q+1
			}
		}
		if best >= 0 {
			return p, bestEnd, int(best)
		}
	}
	return 0, 0, -1
}

// splitAdded encodes s, a piece of the input, cutting out the tokens of m as AddedVocabulary's
// find_matches does and passing the text between them to e.gap(…, pass).
func (e *encoder) splitAdded(s string, m *matcher, pass int) {
	start, pos := 0, 0
	for {
		a, b, k := m.find(s, pos)
		if k < 0 {
			break
		}
		pos = b // the search goes on after the match, whatever the options do with it
		tok := &m.tokens[k]
		if tok.singleWord {
			startSpace := a == 0 || !endsWithWord(s[:a])
			stopSpace := b == len(s) || !startsWithWord(s[b:])
			if !startSpace || !stopSpace {
				continue
			}
		}
		if tok.lstrip {
			a = max(trailingSpaceStart(s[:a]), start)
		}
		if tok.rstrip {
			b += leadingSpaceLen(s[b:])
		}
		if start < a {
			e.gap(s[start:a], pass)
		}
		e.out = append(e.out, tok.id)
		start = b
	}
	if start < len(s) {
		e.gap(s[start:], pass)
	}
}

// gap encodes text between added tokens found in the given pass: after the non-normalized
// tokens (pass 1) the text is normalized and the normalized ones are found (pass 2), then
// come pre-tokenization and BPE.
func (e *encoder) gap(s string, pass int) {
	if pass == 1 {
		if e.t.pipe.nfc {
			s = nfc(s)
		}
		e.splitAdded(s, e.t.normalizedTokens, 2)
		return
	}
	switch e.t.pipe.pre {
	case preQwen2:
		e.splitQwen2(s, 1)
	case preLlama3:
		e.splitQwen2(s, 3)
	default:
		e.splitDigitsCJK(s)
	}
}

// isWordRune is Rust regex's Unicode \w: Alphabetic, marks, decimal digits, connector
// punctuation and Join_Control.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.Is(unicode.Nd, r) ||
		unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_Alphabetic, r) ||
		unicode.Is(unicode.Pc, r) || unicode.Is(unicode.Join_Control, r)
}

func endsWithWord(s string) bool {
	r, n := utf8.DecodeLastRuneInString(s)
	return n > 0 && !(r == utf8.RuneError && n == 1) && isWordRune(r)
}

func startsWithWord(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n > 0 && !(r == utf8.RuneError && n == 1) && isWordRune(r)
}

// trailingSpaceStart returns where the run of whitespace at the end of s begins.
func trailingSpaceStart(s string) int {
	for len(s) > 0 {
		r, n := utf8.DecodeLastRuneInString(s)
		if !unicode.Is(unicode.White_Space, r) {
			break
		}
		s = s[:len(s)-n]
	}
	return len(s)
}

// leadingSpaceLen returns the length of the run of whitespace at the start of s.
func leadingSpaceLen(s string) int {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.Is(unicode.White_Space, r) {
			break
		}
		i += n
	}
	return i
}
