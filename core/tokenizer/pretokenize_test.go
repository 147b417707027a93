package tokenizer

import (
	"reflect"
	"strconv"
	"testing"
)

// pieces returns the pre-tokenized pieces of text (added tokens left out).
func (t *Tokenizer) pieces(text string) []string {
	var ps []string
	e := &encoder{t: t, pieces: &ps}
	e.splitAdded(text, t.specialTokens, 1)
	return ps
}

// TestPieces checks the splitting rules on hand-derived cases, including those where JS regexes
// (and so the JS implementations behind the golden files) differ from Oniguruma: JS \s lacks
// U+0085 and has U+FEFF.
func TestPieces(t *testing.T) {
	tok := loadFixture(t)
	for _, c := range []struct {
		text string
		want []string
	}{
		{"  hello", []string{" ", " hello"}},
		{"a\n\n\nb", []string{"a", "\n\n\n", "b"}},
		{"\t\t x", []string{"\t\t", " x"}},
		{"1234567", []string{"123", "456", "7"}},
		{"中文English混合", []string{"中文", "English", "混合"}},
		{"  \n  ", []string{"  \n", "  "}},
		{"a \n b", []string{"a", " \n", " b"}},
		{"x  \r\n\r\n  y", []string{"x", "  \r\n\r\n", " ", " y"}},
		{"year 2024!", []string{"year", " ", "202", "4", "!"}},
		{"don't", []string{"don", "'t"}},
		{" 'quoted'", []string{" '", "quoted", "'"}},
		{"...abc", []string{"...", "abc"}},
		{"a.b", []string{"a", ".b"}},
		{"!!!\n\nx", []string{"!!!\n\n", "x"}},
		{" ?!\r\n", []string{" ?!\r\n"}},
		{"\u200bword", []string{"\u200bword"}},
		{"a\u200d\u200db", []string{"a", "\u200d", "\u200db"}},
		{"e\u0301t\u00e9", []string{"e\u0301t\u00e9"}},
		{"1\u0301x", []string{"1", "\u0301x"}},
		{"a 1", []string{"a", " ", "1"}},
		{"😀 😀", []string{"😀", " 😀"}},
		{"カタカナ・テスト", []string{"カタカナ", "・", "テスト"}},
		{"ｶﾀｶﾅ", []string{"ｶﾀｶﾅ"}},
		{"a\u00a0\u00a0b", []string{"a", "\u00a0", "\u00a0b"}},
		// U+0085 (NEL) is \s for Oniguruma: it joins the whitespace run before the newline.
		{"a\u0085\nb", []string{"a", "\u0085\n", "b"}},
		{"a\u0085\u0085", []string{"a", "\u0085\u0085"}},
		// U+FEFF is not \s for Oniguruma: a format character, a valid prefix before letters.
		{"a \ufeff\ufeff b", []string{"a", " ", "\ufeff\ufeff", " b"}},
		{"\ufeff  ", []string{"\ufeff", "  "}},
		// U+001C..U+001F are not White_Space.
		{"a\u001c\u001cb", []string{"a", "\u001c", "\u001cb"}},
		// Invalid UTF-8 bytes are characters of no class.
		{"a\xff\xfeb", []string{"a", "\xff", "\xfeb"}},
		{"\xe4\xb8 x", []string{"\xe4\xb8", " x"}},
	} {
		t.Run(strconv.Quote(c.text), func(t *testing.T) {
			if got := tok.pieces(c.text); !reflect.DeepEqual(got, c.want) {
				t.Errorf("pieces(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}
