package tokenizer

import (
	"bytes"
	"unicode/utf8"
)

// A StreamDecoder turns generated ids into text as they come. The text it returns is always
// valid UTF-8:
//
//   - the bytes of a character that spans tokens are held until the character is complete;
//   - bytes that can never form a character are replaced by U+FFFD, one per maximal invalid
//     subsequence (as Rust's String::from_utf8_lossy and the WHATWG decoder do);
//   - text that could be the start of a stop string is held until it is either disproved, and
//     released, or completed: then Push returns the text before the stop string and stopped is
//     true, and the stop string and all later text are dropped.
//
// A StreamDecoder is not safe for concurrent use.
type StreamDecoder struct {
	t       *Tokenizer
	stops   [][]byte
	maxStop int
	raw     []byte // the bytes of an incomplete character at the end (at most 3)
	held    []byte // decoded text not yet returned
	stopped bool
}

// NewStreamDecoder returns a StreamDecoder that stops at the first occurrence of any of stops
// (empty strings are ignored). Stop strings are matched in the decoded text, so the text of a
// special token such as "<｜end▁of▁sentence｜>" works as a stop string too.
func (t *Tokenizer) NewStreamDecoder(stops []string) *StreamDecoder {
	d := &StreamDecoder{t: t}
	for _, s := range stops {
		if s != "" {
			d.stops = append(d.stops, []byte(s))
			d.maxStop = max(d.maxStop, len(s))
		}
	}
	return d
}

// Push adds the next id and returns the text that is now certain. After a stop string it
// returns "" and true until Reset.
func (d *StreamDecoder) Push(id int) (text string, stopped bool) {
	if d.stopped {
		return "", true
	}
	d.raw = d.t.AppendDecode(d.raw, id)
	n := completeLen(d.raw)
	d.held = appendValidUTF8(d.held, d.raw[:n])
	d.raw = d.raw[:copy(d.raw, d.raw[n:])]

	if k := d.stopIndex(); k >= 0 {
		text = string(d.held[:k])
		d.stopped = true
		d.held, d.raw = d.held[:0], d.raw[:0]
		return text, true
	}
	k := d.stopPrefixStart()
	text = string(d.held[:k])
	d.held = d.held[:copy(d.held, d.held[k:])]
	return text, false
}

// Flush returns all that is held back, at the end of generation: text that was a possible start
// of a stop string, and U+FFFD for an incomplete UTF-8 character at the very end. It returns ""
// after a stop. The decoder is then empty, as after Reset, but keeps its stop state.
func (d *StreamDecoder) Flush() string {
	if d.stopped {
		return ""
	}
	text := d.held
	if len(d.raw) > 0 {
		text = append(text, "\uFFFD"...)
	}
	s := string(text)
	d.held, d.raw = d.held[:0], d.raw[:0]
	return s
}

// Reset empties the decoder for a new generation with the same stop strings.
func (d *StreamDecoder) Reset() {
	d.held, d.raw, d.stopped = d.held[:0], d.raw[:0], false
}

// stopIndex returns where the earliest stop string in held starts, or -1.
func (d *StreamDecoder) stopIndex() int {
	best := -1
	for _, s := range d.stops {
		if i := bytes.Index(d.held, s); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}

// stopPrefixStart returns the earliest position from which the rest of held is a proper prefix
// of a stop string, or len(held). (A stop string found later can only start there or after.)
func (d *StreamDecoder) stopPrefixStart() int {
	for p := max(0, len(d.held)-d.maxStop+1); p < len(d.held); p++ {
		for _, s := range d.stops {
			if bytes.HasPrefix(s, d.held[p:]) {
				return p
			}
		}
	}
	return len(d.held)
}

// completeLen returns the length of b less a trailing incomplete (but so far valid) UTF-8
// sequence.
func completeLen(b []byte) int {
	for k := min(len(b), utf8.UTFMax-1); k > 0; k-- {
		if !utf8.FullRune(b[len(b)-k:]) {
			return len(b) - k
		}
	}
	return len(b)
}

// appendValidUTF8 appends b to dst with each maximal invalid subsequence replaced by U+FFFD.
func appendValidUTF8(dst, b []byte) []byte {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != utf8.RuneError || n > 1 {
			dst = append(dst, b[:n]...)
			b = b[n:]
			continue
		}
		// The longest prefix that a valid sequence could start with (it is cut short).
		n = 1
		for k := min(len(b), utf8.UTFMax-1); k > 1; k-- {
			if !utf8.FullRune(b[:k]) {
				n = k
				break
			}
		}
		dst = append(dst, "\uFFFD"...)
		b = b[n:]
	}
	return dst
}
