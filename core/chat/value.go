package chat

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// value is a template value, modelled on the Python objects Jinja works with:
//
//	nil        None
//	undefined  Jinja's Undefined (a missing variable, key or attribute)
//	bool, int64, float64, string
//	[]value    list (tuples are lists too)
//	*dict      dict, insertion-ordered as in Python
//	*namespace the object namespace() returns
//	*loopInfo  the loop variable of a for loop
//	*macro, *builtin, *method: callables
type value = any

// undefined is a missing value: the variable name, or a hint saying what was missing,
// for the error when it is used.
type undefined struct{ name, hint string }

// absent marks an optional argument that was not given.
type absent struct{}

// dict is an insertion-ordered mapping with string keys.
type dict struct {
	keys []string
	m    map[string]value
}

func newDict(n int) *dict { return &dict{keys: make([]string, 0, n), m: make(map[string]value, n)} }

func (d *dict) get(k string) (value, bool) {
	v, ok := d.m[k]
	return v, ok
}

func (d *dict) set(k string, v value) {
	if _, ok := d.m[k]; !ok {
		d.keys = append(d.keys, k)
	}
	d.m[k] = v
}

// namespace is the mutable object namespace() creates; {% set ns.x = v %} sets
// its attributes from any scope.
type namespace struct{ attrs *dict }

// loopInfo is the loop variable inside a for loop.
type loopInfo struct {
	index0, length int
	items          []value
}

// truthy reports Python truthiness.
func truthy(v value) bool {
	switch v := v.(type) {
	case nil, undefined, absent:
		return false
	case bool:
		return v
	case int64:
		return v != 0
	case float64:
		return v != 0
	case string:
		return v != ""
	case []value:
		return len(v) > 0
	case *dict:
		return len(v.keys) > 0
	}
	return true
}

// typeName is the Python type name of v, for error messages.
func typeName(v value) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case undefined:
		return "Undefined"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []value:
		return "list"
	case *dict:
		return "dict"
	case *namespace:
		return "Namespace"
	case *loopInfo:
		return "LoopContext"
	case *macro:
		return "Macro"
	case *builtin, *method:
		return "function"
	}
	return fmt.Sprintf("%T", v)
}

// number returns v as a float64 and whether it is an int (bools count as ints, as in Python).
func number(v value) (f float64, isInt, ok bool) {
	switch v := v.(type) {
	case bool:
		if v {
			return 1, true, true
		}
		return 0, true, true
	case int64:
		return float64(v), true, true
	case float64:
		return v, false, true
	}
	return 0, false, false
}

// asInt returns v as an int64 if it is an int or bool.
func asInt(v value) (int64, bool) {
	switch v := v.(type) {
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	case int64:
		return v, true
	}
	return 0, false
}

// equal is Python ==.
func equal(a, b value) bool {
	if x, ok := asInt(a); ok {
		if y, ok := asInt(b); ok {
			return x == y
		}
	}
	if x, _, ok := number(a); ok {
		y, _, ok := number(b)
		return ok && x == y
	}
	switch a := a.(type) {
	case nil:
		return b == nil
	case undefined:
		_, ok := b.(undefined)
		return ok
	case string:
		s, ok := b.(string)
		return ok && a == s
	case []value:
		l, ok := b.([]value)
		if !ok || len(l) != len(a) {
			return false
		}
		for i := range a {
			if !equal(a[i], l[i]) {
				return false
			}
		}
		return true
	case *dict:
		d, ok := b.(*dict)
		if !ok || len(d.keys) != len(a.keys) {
			return false
		}
		for _, k := range a.keys {
			w, ok := d.m[k]
			if !ok || !equal(a.m[k], w) {
				return false
			}
		}
		return true
	}
	return a == b
}

// compare is Python's ordering of numbers, strings and lists: -1, 0 or +1.
func compare(a, b value) (int, bool) {
	if x, ok := asInt(a); ok {
		if y, ok := asInt(b); ok {
			return cmpOrdered(x, y), true
		}
	}
	if x, _, ok := number(a); ok {
		if y, _, ok := number(b); ok {
			return cmpOrdered(x, y), true
		}
		return 0, false
	}
	switch a := a.(type) {
	case string:
		if s, ok := b.(string); ok {
			return strings.Compare(a, s), true // UTF-8 byte order is code point order
		}
	case []value:
		l, ok := b.([]value)
		if !ok {
			return 0, false
		}
		for i := 0; i < len(a) && i < len(l); i++ {
			if equal(a[i], l[i]) {
				continue
			}
			return compare(a[i], l[i])
		}
		return cmpOrdered(len(a), len(l)), true
	}
	return 0, false
}

func cmpOrdered[T int | int64 | float64](x, y T) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// str is Python str(v) as Jinja prints it; undefined prints as "".
func str(v value) string {
	switch v := v.(type) {
	case string:
		return v
	case undefined:
		return ""
	}
	return repr(v)
}

// repr is Python repr(v). Containers nested deeper than maxNesting (possible only
// through a namespace that holds itself) print as "...", and the text stops growing
// past maxBytes, which the caller's charge then reports.
func repr(v value) string {
	var b strings.Builder
	writeRepr(&b, v, 0)
	return b.String()
}

func writeRepr(b *strings.Builder, v value, depth int) {
	if depth > maxNesting || b.Len() > maxBytes {
		b.WriteString("...")
		return
	}
	switch v := v.(type) {
	case nil:
		b.WriteString("None")
	case undefined:
	case bool:
		if v {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.WriteString(formatFloat(v))
	case string:
		writeQuoted(b, v)
	case []value:
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, x, depth+1)
		}
		b.WriteByte(']')
	case *dict:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writeQuoted(b, k)
			b.WriteString(": ")
			writeRepr(b, v.m[k], depth+1)
		}
		b.WriteByte('}')
	case *namespace:
		b.WriteString("<Namespace ")
		writeRepr(b, v.attrs, depth+1)
		b.WriteByte('>')
	case *macro:
		b.WriteString("<Macro '" + v.def.name + "'>")
	default:
		b.WriteString("<" + typeName(v) + ">")
	}
}

// writeQuoted writes s as a Python string literal (repr of a str).
func writeQuoted(b *strings.Builder, s string) {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError || unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			fmt.Fprintf(b, `\U%08x`, r)
		}
	}
	b.WriteByte(q)
}

// formatFloat is Python's repr of a float: the shortest digits that round-trip,
// positional for exponents in [-4, 16), scientific otherwise.
func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // [-]d[.ddd]e±XX
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	e := strings.IndexByte(s, 'e')
	exp, _ := strconv.Atoi(s[e+1:])
	digits := strings.Replace(s[:e], ".", "", 1)
	var out string
	switch {
	case exp >= 16 || exp < -4:
		mant := digits[:1]
		if len(digits) > 1 {
			mant += "." + digits[1:]
		}
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		out = fmt.Sprintf("%se%s%02d", mant, sign, exp)
	case exp < 0:
		out = "0." + strings.Repeat("0", -exp-1) + digits
	case len(digits) <= exp+1:
		out = digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	default:
		out = digits[:exp+1] + "." + digits[exp+1:]
	}
	if neg {
		return "-" + out
	}
	return out
}
