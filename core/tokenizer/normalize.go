package tokenizer

import "golang.org/x/text/unicode/norm"

// nfc returns s in Unicode Normalization Form C, the "NFC" normalizer of tokenizer.json
// (Qwen2's). Text that is already NFC, as most is, is returned as it is without allocating.
// Bytes that are not valid UTF-8 pass through unchanged.
//
// The Unicode version is that of golang.org/x/text (15.0.0 for v0.43.0 before Go 1.27), the
// same as the character classes of the splitters (Go's unicode package).
func nfc(s string) string {
	if norm.NFC.QuickSpanString(s) == len(s) {
		return s
	}
	return norm.NFC.String(s)
}
