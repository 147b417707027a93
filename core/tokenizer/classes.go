package tokenizer

import (
	"sync"
	"unicode"
	"unicode/utf8"
)

// Character classes of the pre-tokenizer regexes, as bit flags. A character may have several
// (a CJK ideograph is clsL|clsCJK, '\n' is clsSpace|clsNL). A byte that is not part of valid
// UTF-8 has none.
const (
	clsL     uint8 = 1 << iota // \p{L}
	clsM                       // \p{M}
	clsN                       // \p{N}
	clsP                       // \p{P}
	clsS                       // \p{S}
	clsSpace                   // \s: Unicode White_Space, as Oniguruma and Rust's regex define it
	clsCJK                     // [\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]
	clsNL                      // [\r\n]
)

// classTableSize is how many code points the class table covers: the BMP and planes 1 and 2
// (emoji, CJK extensions). Others are classified with the unicode package on the fly.
const classTableSize = 0x30000

// classTable is the class flags of every code point below classTableSize. It is built once, on
// the first construction of a Tokenizer, and never written again.
var classTable = sync.OnceValue(func() *[classTableSize]uint8 {
	t := new([classTableSize]uint8)
	set := func(rt *unicode.RangeTable, f uint8) {
		for _, r := range rt.R16 {
			for c := int(r.Lo); c <= int(r.Hi); c += int(r.Stride) {
				t[c] |= f
			}
		}
		for _, r := range rt.R32 {
			for c := int(r.Lo); c <= int(r.Hi) && c < classTableSize; c += int(r.Stride) {
				t[c] |= f
			}
		}
	}
	set(unicode.L, clsL)
	set(unicode.M, clsM)
	set(unicode.N, clsN)
	set(unicode.P, clsP)
	set(unicode.S, clsS)
	set(unicode.White_Space, clsSpace)
	for _, r := range [][2]int{{0x4e00, 0x9fa5}, {0x3040, 0x309f}, {0x30a0, 0x30ff}} {
		for c := r[0]; c <= r[1]; c++ {
			t[c] |= clsCJK
		}
	}
	t['\r'] |= clsNL
	t['\n'] |= clsNL
	return t
})

// slowClass classifies a code point beyond the table.
func slowClass(r rune) uint8 {
	var c uint8
	if unicode.IsLetter(r) {
		c |= clsL
	}
	if unicode.IsMark(r) {
		c |= clsM
	}
	if unicode.IsNumber(r) {
		c |= clsN
	}
	if unicode.IsPunct(r) {
		c |= clsP
	}
	if unicode.IsSymbol(r) {
		c |= clsS
	}
	if unicode.Is(unicode.White_Space, r) {
		c |= clsSpace
	}
	return c
}

// classifier reads characters of a string with their classes.
type classifier struct {
	table *[classTableSize]uint8
}

// at returns the classes of the character at s[i] and its length in bytes. An invalid UTF-8 byte
// is a one-byte character with no class.
func (c classifier) at(s string, i int) (uint8, int) {
	if b := s[i]; b < utf8.RuneSelf {
		return c.table[b], 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && n == 1 {
		return 0, 1
	}
	if r < classTableSize {
		return c.table[r], n
	}
	return slowClass(r), n
}

// runEnd returns the end of the run of characters from s[i] that have a class in mask.
func (c classifier) runEnd(s string, i int, mask uint8) int {
	for i < len(s) {
		cl, n := c.at(s, i)
		if cl&mask == 0 {
			break
		}
		i += n
	}
	return i
}

// runEndNot returns the end of the run of characters from s[i] that have no class in mask.
func (c classifier) runEndNot(s string, i int, mask uint8) int {
	for i < len(s) {
		cl, n := c.at(s, i)
		if cl&mask != 0 {
			break
		}
		i += n
	}
	return i
}
