package grammar

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxIntDigits is the most digits of an integer the JSON grammars write: 16, enough for
// every integer a float64 holds exactly (JavaScript's safe integers).
const maxIntDigits = 16

// maxInt is the largest integer of maxIntDigits digits.
const maxInt = 9_999_999_999_999_999

// integer returns the expression of an integer schema, within its minimum, maximum,
// exclusiveMinimum and exclusiveMaximum.
func (sc *schemaCompiler) integer(s *jsonObject, path string) (Expr, error) {
	lo, hi := int64(-maxInt), int64(maxInt)
	bounded := false
	for _, k := range []string{"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"} {
		v, ok := s.get(k)
		if !ok {
			continue
		}
		num, ok := v.(json.Number)
		f, err := num.Float64()
		if !ok || err != nil || math.IsNaN(f) {
			return nil, &SchemaError{Path: path + "/" + k, Msg: k + " must be a number"}
		}
		bounded = true
		switch k {
		case "minimum":
			lo = max(lo, clampInt(math.Ceil(f)))
		case "exclusiveMinimum":
			lo = max(lo, clampInt(math.Floor(f)+1))
		case "maximum":
			hi = min(hi, clampInt(math.Floor(f)))
		case "exclusiveMaximum":
			hi = min(hi, clampInt(math.Ceil(f)-1))
		}
	}
	if !bounded {
		return sc.ref("integer"), nil
	}
	if lo > hi {
		return nil, &SchemaError{Path: path, Msg: "no integer is within the minimum and maximum"}
	}
	return intRange(lo, hi), nil
}

// clampInt converts f to an integer within ±maxInt.
func clampInt(f float64) int64 {
	return int64(math.Max(-maxInt, math.Min(maxInt, f)))
}

// intRange returns an expression of the decimal integers lo..hi (|lo|, |hi| ≤ maxInt),
// written without leading zeros; zero is "0" (and "-0", also zero, when 0 is in range).
func intRange(lo, hi int64) Expr {
	var alts Alt
	if lo < 0 {
		// -|a|..-|b| is "-" and the digits of |b|..|a|.
		top := min(hi, -1)
		alts = append(alts, Seq{Lit("-"), posRange(-top, -lo)})
	}
	if lo <= 0 && hi >= 0 {
		alts = append(alts, Seq{Opt(Lit("-")), Lit("0")})
	}
	if hi > 0 {
		alts = append(alts, posRange(max(lo, 1), hi))
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return alts
}

// posRange returns an expression of the integers a..b, 1 ≤ a ≤ b, without leading zeros:
// one alternative for each number of digits.
func posRange(a, b int64) Expr {
	var alts Alt
	for n := len(strconv.FormatInt(a, 10)); n <= len(strconv.FormatInt(b, 10)); n++ {
		first, last := int64(math.Pow10(n-1)), int64(math.Pow10(n))-1
		alts = append(alts, digitRange(strconv.FormatInt(max(a, first), 10), strconv.FormatInt(min(b, last), 10)))
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return alts
}

// digitRange returns an expression of the digit strings x..y, of one length, leading zeros
// included.
func digitRange(x, y string) Expr {
	digits := func(lo, hi byte) Expr { return Class{Ranges: []RuneRange{{rune(lo), rune(hi)}}} }
	if len(x) == 1 {
		return digits(x[0], y[0])
	}
	if x[0] == y[0] {
		return Seq{Lit(x[:1]), digitRange(x[1:], y[1:])}
	}
	rest := len(x) - 1
	any := Repeat{X: digits('0', '9'), Min: rest, Max: rest}
	if strings.Trim(x[1:], "0") == "" && strings.Trim(y[1:], "9") == "" {
		return Seq{digits(x[0], y[0]), any}
	}
	alts := Alt{Seq{Lit(x[:1]), digitRange(x[1:], strings.Repeat("9", rest))}}
	if y[0]-x[0] > 1 {
		alts = append(alts, Seq{digits(x[0]+1, y[0]-1), any})
	}
	alts = append(alts, Seq{Lit(y[:1]), digitRange(strings.Repeat("0", rest), y[1:])})
	return alts
}

// numberRange returns the expression of a number schema within its minimum and maximum,
// or nil without them. Only bounds that are integers, and not exclusive, are supported;
// a bounded number is written without an exponent.
func (sc *schemaCompiler) numberRange(s *jsonObject, path string) (Expr, error) {
	for _, k := range []string{"exclusiveMinimum", "exclusiveMaximum"} {
		if _, ok := s.get(k); ok {
			return nil, &UnsupportedError{Keyword: k, Path: path, Reason: "a number's bounds may only be minimum and maximum"}
		}
	}
	lo, hi := int64(-maxInt), int64(maxInt)
	bounded := false
	for _, k := range []string{"minimum", "maximum"} {
		v, ok := s.get(k)
		if !ok {
			continue
		}
		num, ok := v.(json.Number)
		f, err := num.Float64()
		if !ok || err != nil || math.IsNaN(f) {
			return nil, &SchemaError{Path: path + "/" + k, Msg: k + " must be a number"}
		}
		if f != math.Trunc(f) || math.Abs(f) > maxInt {
			return nil, &UnsupportedError{Keyword: k, Path: path, Reason: fmt.Sprintf("a number's %s must be an integer of at most %d digits", k, maxIntDigits)}
		}
		bounded = true
		if k == "minimum" {
			lo = int64(f)
		} else {
			hi = int64(f)
		}
	}
	if !bounded {
		return nil, nil
	}
	if lo > hi {
		return nil, &SchemaError{Path: path, Msg: "minimum is more than maximum"}
	}
	var alts Alt
	if hi >= 0 {
		alts = append(alts, magnitude(max(lo, 0), hi))
	}
	if lo < 0 {
		alts = append(alts, Seq{Lit("-"), magnitude(max(-hi, 0), -lo)})
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return alts, nil
}

// magnitude returns an expression of the decimal numbers a..b without sign or exponent
// (0 ≤ a ≤ b ≤ maxInt, integers): an integer part below b with any fraction, or b with a
// fraction of zeros.
func magnitude(a, b int64) Expr {
	digit := Class{Ranges: []RuneRange{{'0', '9'}}}
	frac := Opt(Seq{Lit("."), Repeat{X: digit, Min: 1, Max: maxIntDigits - 1}})
	zeros := Opt(Seq{Lit("."), Repeat{X: Lit("0"), Min: 1, Max: maxIntDigits - 1}})
	atB := Seq{Lit(strconv.FormatInt(b, 10)), zeros}
	if b == a {
		return atB
	}
	var below Alt
	if a == 0 {
		below = append(below, Lit("0"))
	}
	if b-1 >= max(a, 1) {
		below = append(below, posRange(max(a, 1), b-1))
	}
	return Alt{Seq{below, frac}, atB}
}
