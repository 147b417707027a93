package tokenizer

// byteRune is GPT-2's bytes_to_unicode: byteRune[b] is the printable character that stands for
// byte b in byte-level BPE token strings. Printable Latin-1 bytes stand for themselves; the other
// 68 bytes map, in order, to U+0100 and up.
var byteRune = func() (t [256]rune) {
	n := rune(0)
	for b := 0; b < 256; b++ {
		switch {
		case b >= '!' && b <= '~', b >= 0xA1 && b <= 0xAC, b >= 0xAE && b <= 0xFF:
			t[b] = rune(b)
		default:
			t[b] = 256 + n
			n++
		}
	}
	return t
}()

// runeByte inverts byteRune: runeByte[r] is the byte that character r stands for, or -1.
var runeByte = func() (t [324]int16) {
	for i := range t {
		t[i] = -1
	}
	for b, r := range byteRune {
		t[r] = int16(b)
	}
	return t
}()

// appendByteLevelDecoded appends the bytes that token string tok stands for, the way Hugging
// Face's ByteLevel decoder does: if every character of tok belongs to the byte-level alphabet,
// the bytes they stand for; otherwise (added tokens such as <｜User｜>) tok's own UTF-8 bytes.
func appendByteLevelDecoded(dst []byte, tok string) []byte {
	n := len(dst)
	for _, r := range tok {
		if r < 0 || int(r) >= len(runeByte) || runeByte[r] < 0 {
			return append(dst[:n], tok...)
		}
		dst = append(dst, byte(runeByte[r]))
	}
	return dst
}
