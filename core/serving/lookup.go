package serving

// Prompt lookup (n-gram) drafting: the tokens that followed the latest earlier occurrence
// of the text's last few tokens are proposed as its continuation. It costs nothing to
// compute and needs no model, and it pays where a reply repeats its prompt or itself:
// code edits, quotes, retrieval answers.

// lookupMax and lookupMin bound the length of the suffix that is looked up: the longest
// that occurs earlier wins.
const (
	lookupMax = 4
	lookupMin = 2
)

// lookup writes into draft the tokens that followed the latest earlier occurrence of the
// longest suffix of text (lookupMax down to lookupMin tokens) and returns how many: at most
// len(draft), fewer where text ends first, 0 when no suffix occurs earlier.
func lookup(text []int, draft []int) int {
	n := len(text)
	for size := min(lookupMax, n-1); size >= lookupMin; size-- {
		suffix := text[n-size:]
		// The latest start before the suffix itself; a match may overlap it.
		for start := n - size - 1; start >= 0; start-- {
			if !equalInts(text[start:start+size], suffix) {
				continue
			}
			return copy(draft, text[start+size:])
		}
	}
	return 0
}

func equalInts(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
