package tokenizer

import (
	"slices"
	"testing"
)

// withAdded returns the fixture tokenizer with one more added token, with the given options, at
// the next id.
func withAdded(t *testing.T, tok *Tokenizer, a addedToken) (*Tokenizer, int) {
	t.Helper()
	v := tok.Vocab()
	id := len(v.Tokens)
	sp := spec{
		tokens: append(v.Tokens, a.content),
		types:  append(v.Types, typeUserDefined),
		bos:    v.BOS, eos: v.EOS,
	}
	for i, typ := range v.Types {
		if typ == typeControl || typ == typeUserDefined {
			sp.added = append(sp.added, addedToken{id: i, content: v.Tokens[i], special: typ == typeControl, normalized: typ == typeUserDefined})
		}
	}
	a.id = id
	sp.added = append(sp.added, a)
	for _, m := range v.Merges {
		l, r, _ := cutSpace(m)
		sp.merges = append(sp.merges, [2]string{l, r})
	}
	t2, err := build(sp)
	if err != nil {
		t.Fatal(err)
	}
	return t2, id
}

func cutSpace(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// TestAddedTokenOptions checks single_word, lstrip and rstrip on the cases of Hugging Face's
// own added_vocabulary.rs tests.
func TestAddedTokenOptions(t *testing.T) {
	tok := loadFixture(t)
	// concat builds the expected ids: strings are encoded, ints are ids; -1 is the new token.
	concat := func(tk *Tokenizer, mask int, parts ...any) []int {
		var ids []int
		for _, p := range parts {
			switch p := p.(type) {
			case string:
				ids = tk.AppendEncode(ids, p)
			case int:
				ids = append(ids, mask)
			}
		}
		return ids
	}
	for _, c := range []struct {
		name  string
		tok   addedToken
		text  string
		parts []any
	}{
		{
			name:  "single_word",
			tok:   addedToken{content: "<mask>", singleWord: true},
			text:  "<mask> My name <mask> A<mask> <mask>ony <mask>",
			parts: []any{-1, " My name ", -1, " A<mask> <mask>ony ", -1},
		},
		{
			name:  "single_word unicode",
			tok:   addedToken{content: "<mask>", singleWord: true},
			text:  "<mask>, <mask>- ◌̰<mask>",
			parts: []any{-1, ", ", -1, "- ◌̰<mask>"},
		},
		{
			name:  "lstrip rstrip single_word",
			tok:   addedToken{content: "<mask>", singleWord: true, lstrip: true, rstrip: true},
			text:  "Hi <mask> there\t<mask>\t<mask>\u2000",
			parts: []any{"Hi", -1, "there", -1, -1},
		},
		{
			name:  "lstrip only",
			tok:   addedToken{content: "<mask>", lstrip: true},
			text:  "a  <mask>  b",
			parts: []any{"a", -1, "  b"},
		},
		{
			name:  "rstrip only",
			tok:   addedToken{content: "<mask>", rstrip: true},
			text:  "a  <mask>  b",
			parts: []any{"a  ", -1, "b"},
		},
		{
			name:  "normalized pass after the special one",
			tok:   addedToken{content: "<mask>", normalized: true},
			text:  "x<mask><｜end▁of▁sentence｜><mask>",
			parts: []any{"x", -1, 1, -1},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			tk, id := withAdded(t, tok, c.tok)
			for i, p := range c.parts {
				if p == 1 {
					c.parts[i] = "<｜end▁of▁sentence｜>" // an existing added token: encoded as itself
				}
			}
			want := concat(tk, id, c.parts...)
			if got := tk.Encode(c.text); !slices.Equal(got, want) {
				t.Errorf("%s: Encode(%q) = %v, want %v", c.name, c.text, got, want)
			}
			if !slices.Contains(want, id) {
				t.Errorf("%s: the case does not use the token", c.name)
			}
		})
	}
}
