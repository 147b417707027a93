package tokenizer

// The pre-tokenizer of Qwen2 and Llama 3 is a Sequence of one Split(Isolated) regex and a
// ByteLevel step without a regex. The regexes as they appear in tokenizer.json (with the
// escapes \r and \n, not the characters); Load checks that a file uses exactly one of them.
const (
	qwen2Pattern  = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	llama3Pattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

// splitQwen2 is that Split on s, the (normalized) text between added tokens, with runs of at
// most maxDigits digits (1 for Qwen2, 3 for Llama 3). Every character matches some
// alternative of the regex, so the pieces are the matches, one after another, and every piece
// goes to BPE.
func (e *encoder) splitQwen2(s string, maxDigits int) {
	for i := 0; i < len(s); {
		end := e.t.cls.qwen2Match(s, i, maxDigits)
		e.bpe(s[i:end])
		i = end
	}
}

// qwen2Match returns the end of the match of the Qwen2/Llama 3 regex at s[i], with s the whole
// text (the lookahead sees its end as the end of the text). The alternatives are tried in
// order and the first that matches wins, with the backtracking of Oniguruma:
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)   an English contraction, in any case
//	[^\r\n\p{L}\p{N}]?\p{L}+       letters (not marks), with one leading character that is
//	                               not a line break, letter or digit, if a letter follows it
//	\p{N} or \p{N}{1,3}            one digit, or up to three
//	 ?[^\s\p{L}\p{N}]+[\r\n]*      other characters (punctuation, symbols, marks, controls),
//	                               with one leading ' ', and the line breaks after them
//	\s*[\r\n]+ | \s+(?!\S) | \s+   whitespace, as in DeepSeek-V3's word regex (spaceMatch)
//
// A byte that is not valid UTF-8 has no class, so it is one of the "other" characters.
func (c classifier) qwen2Match(s string, i, maxDigits int) int {
	c0, n0 := c.at(s, i)
	j := i + n0

	if s[i] == '\'' {
		if end := contractionEnd(s, j); end > 0 {
			return end
		}
	}

	// [^\r\n\p{L}\p{N}]?\p{L}+
	if c0&(clsL|clsN|clsNL) == 0 && j < len(s) {
		if c1, n1 := c.at(s, j); c1&clsL != 0 {
			return c.runEnd(s, j+n1, clsL)
		}
	}
	if c0&clsL != 0 {
		return c.runEnd(s, j, clsL)
	}

	if c0&clsN != 0 {
		for k := 1; k < maxDigits && j < len(s); k++ {
			cl, n := c.at(s, j)
			if cl&clsN == 0 {
				break
			}
			j += n
		}
		return j
	}

	// ` ?[^\s\p{L}\p{N}]+[\r\n]*`
	const word = clsSpace | clsL | clsN
	if s[i] == ' ' && j < len(s) {
		if c1, n1 := c.at(s, j); c1&word == 0 {
			return lineBreaksEnd(s, c.runEndNot(s, j+n1, word))
		}
	}
	if c0&word == 0 {
		return lineBreaksEnd(s, c.runEndNot(s, j, word))
	}
	return c.spaceMatch(s, i, c0, n0)
}

// contractionEnd returns the end of (?i:s|t|re|ve|m|ll|d) at s[j] (just after an apostrophe),
// or -1. The case folding is Unicode's simple one, as Oniguruma's (?i) applies it: besides
// the ASCII letters of both cases, U+017F LATIN SMALL LETTER LONG S matches s.
func contractionEnd(s string, j int) int {
	if j >= len(s) {
		return -1
	}
	lower := func(k int) byte {
		if k < len(s) && isASCIILetter(s[k]) {
			return s[k] | 0x20
		}
		return 0
	}
	switch lower(j) {
	case 's', 't', 'm', 'd':
		return j + 1
	case 'r', 'v':
		if lower(j+1) == 'e' {
			return j + 2
		}
	case 'l':
		if lower(j+1) == 'l' {
			return j + 2
		}
	}
	if len(s)-j >= len(longS) && s[j:j+len(longS)] == longS {
		return j + len(longS)
	}
	return -1
}

// longS is U+017F LATIN SMALL LETTER LONG S, whose case folding is s.
const longS = "\u017f"
