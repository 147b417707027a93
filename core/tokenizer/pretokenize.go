package tokenizer

// The DeepSeek-V3 pre-tokenizer is a Sequence of three Split pre-tokenizers with behavior
// Isolated (every match and every gap between matches becomes a piece), each applied to the
// pieces of the one before, and a ByteLevel step without a regex. These are the three regexes
// as they appear in tokenizer.json (where the character classes hold a real CR and LF); Load
// checks that a file uses exactly these.
const (
	digitsPattern = `\p{N}{1,3}`
	cjkPattern    = "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+"
	wordPattern   = "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+" +
		"|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+" +
		"| ?[\\p{P}\\p{S}]+[\r\n]*" +
		"|\\s*[\r\n]+" +
		`|\s+(?!\S)` +
		`|\s+`
)

// splitDigitsCJK does the first two Splits in one pass: \p{N}{1,3}, then maximal runs of
// CJK ideographs U+4E00–U+9FA5, hiragana and katakana in the gaps between digit groups. As no
// character is both a digit and CJK, the pieces are simply: digit groups of at most three taken
// left to right ("1234567" → 123 456 7), CJK runs, and the runs of other characters between.
// A digit group cannot match the word regex anywhere, so it goes straight to BPE.
func (e *encoder) splitDigitsCJK(s string) {
	c := e.t.cls
	gap := 0
	for i := 0; i < len(s); {
		cl, n := c.at(s, i)
		if cl&(clsN|clsCJK) == 0 {
			i += n
			continue
		}
		if gap < i {
			e.splitWords(s[gap:i])
		}
		j := i + n
		if cl&clsN != 0 {
			for k := 1; k < 3 && j < len(s); k++ {
				cl, n := c.at(s, j)
				if cl&clsN == 0 {
					break
				}
				j += n
			}
			e.bpe(s[i:j])
		} else {
			j = c.runEnd(s, j, clsCJK)
			e.splitWords(s[i:j])
		}
		i, gap = j, j
	}
	if gap < len(s) {
		e.splitWords(s[gap:])
	}
}

// splitWords is the third Split, wordPattern. Every piece it yields goes to BPE.
func (e *encoder) splitWords(s string) {
	gap := 0
	for i := 0; i < len(s); {
		end, n := e.t.cls.wordMatch(s, i)
		if end < 0 {
			i += n
			continue
		}
		if gap < i {
			e.bpe(s[gap:i])
		}
		e.bpe(s[i:end])
		i, gap = end, end
	}
	if gap < len(s) {
		e.bpe(s[gap:])
	}
}

// wordMatch tries wordPattern at s[i], with s the whole piece (the lookahead sees the end of the
// piece as the end of the text). It returns the end of the match, or -1 if the pattern does not
// match at i, and the length of the character at i. The alternatives are tried in order and the
// first that matches wins, with the backtracking of Oniguruma:
//
//	[!"#…~][A-Za-z]+          one ASCII punctuation character and the ASCII letters after it
//	[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
//	                          letters and marks, with one leading character of another kind
//	                          (space, digit, mark, control…) if a letter or mark follows it
//	 ?[\p{P}\p{S}]+[\r\n]*    punctuation and symbols, with one leading ' ', and line breaks after
//	\s*[\r\n]+                a whitespace run up to and including its last \r or \n
//	\s+(?!\S)                 a whitespace run at the end of the piece; followed by a
//	                          non-space, the run less its last character, which goes with what
//	                          follows (if the run has at least two characters)
//	\s+                       a single whitespace character before a non-space
func (c classifier) wordMatch(s string, i int) (end, size int) {
	c0, n0 := c.at(s, i)
	b := s[i]
	j := i + n0

	// [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+
	if isASCIIPunct(b) && j < len(s) && isASCIILetter(s[j]) {
		j++
		for j < len(s) && isASCIILetter(s[j]) {
			j++
		}
		return j, n0
	}

	// [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
	if c0&(clsL|clsP|clsS|clsNL) == 0 && j < len(s) {
		if c1, n1 := c.at(s, j); c1&(clsL|clsM) != 0 {
			return c.runEnd(s, j+n1, clsL|clsM), n0
		}
	}
	if c0&(clsL|clsM) != 0 {
		return c.runEnd(s, j, clsL|clsM), n0
	}

	// ` ?[\p{P}\p{S}]+[\r\n]*`
	if b == ' ' && j < len(s) {
		if c1, n1 := c.at(s, j); c1&(clsP|clsS) != 0 {
			return lineBreaksEnd(s, c.runEnd(s, j+n1, clsP|clsS)), n0
		}
	}
	if c0&(clsP|clsS) != 0 {
		return lineBreaksEnd(s, c.runEnd(s, j, clsP|clsS)), n0
	}

	if c0&clsSpace == 0 {
		return -1, n0
	}
	return c.spaceMatch(s, i, c0, n0), n0
}

// spaceMatch returns the end of \s*[\r\n]+|\s+(?!\S)|\s+ at s[i], a whitespace character of
// class c0 and length n0, with s the whole piece:
//
//	\s*[\r\n]+     a whitespace run up to and including its last \r or \n
//	\s+(?!\S)      a whitespace run at the end of the piece; followed by a non-space, the run
//	               less its last character, which goes with what follows (if the run has at
//	               least two characters)
//	\s+            a single whitespace character before a non-space
func (c classifier) spaceMatch(s string, i int, c0 uint8, n0 int) int {
	// The whitespace run s[i:k], its last character starting at last, its last \r or \n at nl.
	nl := -1
	if c0&clsNL != 0 {
		nl = i
	}
	last, k, count := i, i+n0, 1
	for k < len(s) {
		cl, n := c.at(s, k)
		if cl&clsSpace == 0 {
			break
		}
		if cl&clsNL != 0 {
			nl = k
		}
		last = k
		k += n
		count++
	}
	switch {
	case nl >= 0: // \s*[\r\n]+
		return nl + 1
	case k == len(s) || count == 1: // \s+(?!\S) at the end, or \s+ for a lone space
		return k
	default: // \s+(?!\S) backtracked by one character
		return last
	}
}

// lineBreaksEnd returns the end of the run of \r and \n from s[i].
func lineBreaksEnd(s string, i int) int {
	for i < len(s) && (s[i] == '\r' || s[i] == '\n') {
		i++
	}
	return i
}

func isASCIILetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }

// isASCIIPunct reports whether b is one of the 32 ASCII punctuation and symbol characters.
func isASCIIPunct(b byte) bool {
	return b >= '!' && b <= '/' || b >= ':' && b <= '@' || b >= '[' && b <= '`' || b >= '{' && b <= '~'
}
