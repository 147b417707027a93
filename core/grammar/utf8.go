package grammar

import (
	"slices"
	"unicode/utf8"
)

// byteRange is the bytes Lo..Hi, both included.
type byteRange struct{ lo, hi byte }

// normalize returns the characters of c as sorted, disjoint, non-adjacent ranges without
// surrogates, complemented when c is negated.
func (c Class) normalize() []RuneRange {
	rs := make([]RuneRange, 0, len(c.Ranges)+1)
	for _, r := range c.Ranges {
		lo, hi := max(r.Lo, 0), min(r.Hi, utf8.MaxRune)
		if lo <= hi {
			rs = append(rs, RuneRange{lo, hi})
		}
	}
	slices.SortFunc(rs, func(a, b RuneRange) int { return int(a.Lo) - int(b.Lo) })
	merged := rs[:0]
	for _, r := range rs {
		if n := len(merged); n > 0 && r.Lo <= merged[n-1].Hi+1 {
			merged[n-1].Hi = max(merged[n-1].Hi, r.Hi)
			continue
		}
		merged = append(merged, r)
	}
	if c.Negated {
		var comp []RuneRange
		next := rune(0)
		for _, r := range merged {
			if r.Lo > next {
				comp = append(comp, RuneRange{next, r.Lo - 1})
			}
			next = r.Hi + 1
		}
		if next <= utf8.MaxRune {
			comp = append(comp, RuneRange{next, utf8.MaxRune})
		}
		merged = comp
	}
	// Cut the surrogates out.
	var out []RuneRange
	for _, r := range merged {
		if r.Hi < 0xD800 || r.Lo > 0xDFFF {
			out = append(out, r)
			continue
		}
		if r.Lo < 0xD800 {
			out = append(out, RuneRange{r.Lo, 0xD7FF})
		}
		if r.Hi > 0xDFFF {
			out = append(out, RuneRange{0xE000, r.Hi})
		}
	}
	return out
}

// utf8Seqs appends to dst the byte-range sequences whose concatenated matches are exactly
// the UTF-8 encodings of the characters lo..hi (no surrogates among them).
func utf8Seqs(dst [][]byteRange, lo, hi rune) [][]byteRange {
	// Split at the boundaries of the encoded lengths.
	for _, b := range [...]rune{0x7F, 0x7FF, 0xFFFF} {
		if lo <= b && hi > b {
			dst = utf8Seqs(dst, lo, b)
			return utf8Seqs(dst, b+1, hi)
		}
	}
	if hi < utf8.RuneSelf {
		return append(dst, []byteRange{{byte(lo), byte(hi)}})
	}
	n := utf8.RuneLen(lo)
	// Split until every continuation position spans a whole 6-bit block or agrees.
	for i := 1; i < n; i++ {
		m := rune(1)<<(6*i) - 1
		if lo&^m != hi&^m {
			if lo&m != 0 {
				dst = utf8Seqs(dst, lo, lo|m)
				return utf8Seqs(dst, (lo|m)+1, hi)
			}
			if hi&m != m {
				dst = utf8Seqs(dst, lo, (hi&^m)-1)
				return utf8Seqs(dst, hi&^m, hi)
			}
		}
	}
	var a, b [utf8.UTFMax]byte
	utf8.EncodeRune(a[:], lo)
	utf8.EncodeRune(b[:], hi)
	seq := make([]byteRange, n)
	for i := range seq {
		seq[i] = byteRange{a[i], b[i]}
	}
	return append(dst, seq)
}
