package chat

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// filter applies the filter name to x.
func (r *renderer) filter(name string, x value, c *callArgs) (value, error) {
	what := "filter '" + name + "'"
	noArgs := func() error { _, err := c.bind(what, nil, 0); return err }
	switch name {
	case "string", "upper", "lower", "capitalize", "title", "trim", "replace", "escape", "e", "forceescape", "indent", "wordcount":
		s, err := r.str(c.at, x)
		if err != nil {
			return nil, err
		}
		return r.stringFilter(name, what, s, c)
	case "safe":
		return x, noArgs()
	case "length", "count":
		if err := noArgs(); err != nil {
			return nil, err
		}
		if s, ok := x.(string); ok {
			if err := r.charge(c.at, len(s)); err != nil {
				return nil, err
			}
		}
		return length(c.at, x)
	case "default", "d":
		a, err := c.bind(what, []string{"default_value", "boolean"}, 0)
		if err != nil {
			return nil, err
		}
		def := a[0]
		if _, ok := def.(absent); ok {
			def = ""
		}
		_, isUndef := x.(undefined)
		if isUndef || truthy(a[1]) && !truthy(x) {
			return def, nil
		}
		return x, nil
	case "first", "last":
		if err := noArgs(); err != nil {
			return nil, err
		}
		items, err := r.iterate(c.at, x)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return undefined{hint: "No " + name + " item, sequence was empty."}, nil
		}
		if name == "first" {
			return items[0], nil
		}
		return items[len(items)-1], nil
	case "list":
		if err := noArgs(); err != nil {
			return nil, err
		}
		items, err := r.iterate(c.at, x)
		if err != nil {
			return nil, err
		}
		return append([]value{}, items...), nil
	case "reverse":
		if err := noArgs(); err != nil {
			return nil, err
		}
		if s, ok := x.(string); ok {
			rs := []rune(s)
			for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
				rs[i], rs[j] = rs[j], rs[i]
			}
			return string(rs), nil
		}
		items, err := r.iterate(c.at, x)
		if err != nil {
			return nil, err
		}
		l := make([]value, len(items))
		for i, v := range items {
			l[len(items)-1-i] = v
		}
		return l, nil
	case "join":
		a, err := c.bind(what, []string{"d", "attribute"}, 0)
		if err != nil {
			return nil, err
		}
		items, err := r.attrItems(c, x, a[1])
		if err != nil {
			return nil, err
		}
		sep := ""
		if _, ok := a[0].(absent); !ok {
			sep = str(a[0])
		}
		parts := make([]string, len(items))
		n := 0
		for i, it := range items {
			parts[i] = str(it)
			n += len(parts[i]) + len(sep)
		}
		if err := r.charge(c.at, n); err != nil {
			return nil, err
		}
		return strings.Join(parts, sep), nil
	case "tojson":
		a, err := c.bind(what, []string{"ensure_ascii", "indent", "separators", "sort_keys"}, 0)
		if err != nil {
			return nil, err
		}
		opts, err := jsonOpts(c, a)
		if err != nil {
			return nil, err
		}
		s, err := toJSON(x, opts)
		if err != nil {
			return nil, errorf(c.at, "%v", err)
		}
		return s, r.charge(c.at, len(s))
	case "int":
		a, err := c.bind(what, []string{"default", "base"}, 0)
		if err != nil {
			return nil, err
		}
		def := a[0]
		if _, ok := def.(absent); ok {
			def = int64(0)
		}
		base, err := optInt(what, c, a[1], 10)
		if err != nil {
			return nil, err
		}
		return toInt(x, def, int(base)), nil
	case "float":
		a, err := c.bind(what, []string{"default"}, 0)
		if err != nil {
			return nil, err
		}
		def := a[0]
		if _, ok := def.(absent); ok {
			def = 0.0
		}
		return toFloat(x, def), nil
	case "abs":
		if err := noArgs(); err != nil {
			return nil, err
		}
		switch v := x.(type) {
		case int64, bool:
			n, _ := asInt(v)
			if n == math.MinInt64 {
				return nil, errorf(c.at, "integer overflow")
			}
			return abs64(n), nil
		case float64:
			return math.Abs(v), nil
		}
		return nil, errorf(c.at, "bad operand type for abs(): '%s'", typeName(x))
	case "round":
		a, err := c.bind(what, []string{"precision", "method"}, 0)
		if err != nil {
			return nil, err
		}
		prec, err := optInt(what, c, a[0], 0)
		if err != nil {
			return nil, err
		}
		method := "common"
		if m, ok, err := optString(what, c, a[1]); err != nil {
			return nil, err
		} else if ok {
			method = m
		}
		f, _, ok := number(x)
		if !ok {
			return nil, errorf(c.at, "%s needs a number, not %s", what, typeName(x))
		}
		return round(c, f, prec, method)
	case "items":
		if err := noArgs(); err != nil {
			return nil, err
		}
		switch v := x.(type) {
		case undefined:
			return []value{}, nil
		case *dict:
			return dictView(v, "items"), r.step(c.at, len(v.keys))
		}
		return nil, errorf(c.at, "%s needs a mapping, not %s", what, typeName(x))
	case "dictsort":
		return r.dictsort(c, what, x)
	case "map", "select", "reject", "selectattr", "rejectattr":
		return r.seqFilter(name, x, c)
	case "unique", "sort", "min", "max":
		return r.sortFilter(name, x, c)
	case "sum":
		a, err := c.bind(what, []string{"attribute", "start"}, 0)
		if err != nil {
			return nil, err
		}
		items, err := r.attrItems(c, x, a[0])
		if err != nil {
			return nil, err
		}
		var total value = int64(0)
		if _, ok := a[1].(absent); !ok {
			total = a[1]
		}
		for _, it := range items {
			if total, err = r.binary(c.at, "+", total, it); err != nil {
				return nil, err
			}
		}
		return total, nil
	case "attr":
		a, err := c.bind(what, []string{"name"}, 1)
		if err != nil {
			return nil, err
		}
		n, ok := a[0].(string)
		if !ok {
			return nil, errorf(c.at, "%s name must be a string", what)
		}
		return r.getAttr(c.at, x, n)
	}
	return nil, errorf(c.at, "unsupported filter '%s'", name)
}

// stringFilter applies the filters that work on str(x), s.
func (r *renderer) stringFilter(name, what, s string, c *callArgs) (value, error) {
	noArgs := func() error { _, err := c.bind(what, nil, 0); return err }
	switch name {
	case "string":
		return s, noArgs()
	case "upper", "lower", "capitalize":
		if err := noArgs(); err != nil {
			return nil, err
		}
		return caseMap(s, name), nil
	case "title":
		if err := noArgs(); err != nil {
			return nil, err
		}
		return jinjaTitle(s), nil
	case "trim":
		a, err := c.bind(what, []string{"chars"}, 0)
		if err != nil {
			return nil, err
		}
		chars, ok, err := optString(what, c, a[0])
		if err != nil {
			return nil, err
		}
		return strip(s, "strip", chars, ok), nil
	case "replace":
		a, err := c.bind(what, []string{"old", "new", "count"}, 2)
		if err != nil {
			return nil, err
		}
		return r.replace(c, what, s, a[0], a[1], a[2])
	case "escape", "e", "forceescape":
		if err := noArgs(); err != nil {
			return nil, err
		}
		return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s), nil
	case "indent":
		a, err := c.bind(what, []string{"width", "first", "blank"}, 0)
		if err != nil {
			return nil, err
		}
		return r.indent(c, s, a)
	case "wordcount":
		if err := noArgs(); err != nil {
			return nil, err
		}
		return int64(len(strings.FieldsFunc(s, func(r rune) bool { return !isWordChar(r) }))), nil
	}
	return nil, errorf(c.at, "unsupported filter '%s'", name)
}

// length is Python's len(x); undefined has length 0.
func length(at Pos, x value) (value, error) {
	switch v := x.(type) {
	case string:
		return int64(utf8.RuneCountInString(v)), nil
	case []value:
		return int64(len(v)), nil
	case *dict:
		return int64(len(v.keys)), nil
	case undefined:
		return int64(0), nil
	}
	return nil, errorf(at, "object of type '%s' has no len()", typeName(x))
}

// jinjaTitle is Jinja's title filter: each word, split at whitespace, "-", and
// opening brackets, gets an upper-case first letter and the rest lower-case.
func jinjaTitle(s string) string {
	var b strings.Builder
	start := true
	for _, c := range s {
		if isSpace(c) || strings.ContainsRune("-({[<", c) {
			b.WriteRune(c)
			start = true
			continue
		}
		if start {
			b.WriteString(strings.ToUpper(string(c)))
		} else {
			b.WriteString(strings.ToLower(string(c)))
		}
		start = false
	}
	return b.String()
}

func isWordChar(r rune) bool {
	return r == '_' || r < utf8.RuneSelf && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') ||
		r >= utf8.RuneSelf && !isSpace(r) && !strings.ContainsRune("\u00a0", r)
}

// jsonOpts reads the tojson arguments ensure_ascii, indent, separators, sort_keys.
func jsonOpts(c *callArgs, a []value) (jsonOptions, error) {
	o := jsonOptions{itemSep: ", ", keySep: ": "}
	if _, ok := a[0].(absent); !ok {
		o.ensureASCII = truthy(a[0])
	}
	switch ind := a[1].(type) {
	case absent, nil:
	case string:
		o.indent, o.hasIndent = ind, true
	default:
		n, ok := asInt(ind)
		if !ok {
			return o, errorf(c.at, "tojson indent must be an int or a string, not %s", typeName(ind))
		}
		o.indent, o.hasIndent = strings.Repeat(" ", int(min(max(n, 0), 64))), true
	}
	if o.hasIndent {
		o.itemSep = ","
	}
	switch sep := a[2].(type) {
	case absent, nil:
	case []value:
		if len(sep) != 2 {
			return o, errorf(c.at, "tojson separators must be two strings")
		}
		s0, ok0 := sep[0].(string)
		s1, ok1 := sep[1].(string)
		if !ok0 || !ok1 {
			return o, errorf(c.at, "tojson separators must be two strings")
		}
		o.itemSep, o.keySep = s0, s1
	default:
		return o, errorf(c.at, "tojson separators must be two strings")
	}
	if _, ok := a[3].(absent); !ok {
		o.sortKeys = truthy(a[3])
	}
	return o, nil
}

// toInt is Jinja's int filter.
func toInt(x, def value, base int) value {
	switch v := x.(type) {
	case bool, int64:
		n, _ := asInt(v)
		return n
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= 1<<63 {
			return def
		}
		return int64(v)
	case string:
		s := strings.ReplaceAll(strings.TrimFunc(v, isSpace), "_", "")
		digits, neg := s, false
		if d, ok := strings.CutPrefix(digits, "-"); ok {
			digits, neg = d, true
		} else {
			digits = strings.TrimPrefix(digits, "+")
		}
		if len(digits) > 2 && digits[0] == '0' {
			// Python's int(s, base) accepts the prefix of its base.
			switch p := digits[1] | 0x20; {
			case p == 'x' && base == 16, p == 'o' && base == 8, p == 'b' && base == 2:
				digits = digits[2:]
			}
		}
		if n, err := strconv.ParseInt(digits, base, 64); err == nil {
			if neg {
				return -n
			}
			return n
		}
		if base == 10 {
			if f, err := strconv.ParseFloat(s, 64); err == nil && math.Abs(f) < 1<<63 {
				return int64(f)
			}
		}
	}
	return def
}

// toFloat is Jinja's float filter.
func toFloat(x, def value) value {
	switch v := x.(type) {
	case bool, int64, float64:
		f, _, _ := number(v)
		return f
	case string:
		if f, err := strconv.ParseFloat(strings.TrimFunc(v, isSpace), 64); err == nil {
			return f
		}
	}
	return def
}

// round is Jinja's round filter.
func round(c *callArgs, f float64, prec int64, method string) (value, error) {
	prec = min(max(prec, -300), 300)
	scale := math.Pow(10, float64(prec))
	switch method {
	case "common":
		// Python's round(): to nearest, ties to even, on the decimal value of f.
		s := strconv.FormatFloat(f, 'f', int(max(prec, 0)), 64)
		if prec >= 0 {
			v, _ := strconv.ParseFloat(s, 64)
			return v, nil
		}
		return math.RoundToEven(f*scale) / scale, nil
	case "ceil":
		return math.Ceil(f*scale) / scale, nil
	case "floor":
		return math.Floor(f*scale) / scale, nil
	}
	return nil, errorf(c.at, "round method must be 'common', 'ceil' or 'floor'")
}

// indent is Jinja's indent filter: lines after the first (and the first too with
// first=true) get width prepended; empty lines only with blank=true.
func (r *renderer) indent(c *callArgs, s string, a []value) (value, error) {
	width := "    "
	switch w := a[0].(type) {
	case absent:
	case string:
		width = w
	default:
		n, ok := asInt(w)
		if !ok {
			return nil, errorf(c.at, "indent width must be an int or a string")
		}
		width = strings.Repeat(" ", int(min(max(n, 0), 256)))
	}
	first := truthy(a[1])
	blank := truthy(a[2])
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i == 0 && first || i > 0 && (blank || l != "") {
			b.WriteString(width)
		}
		b.WriteString(l)
	}
	return b.String(), r.charge(c.at, b.Len())
}

// attrPath looks up a dotted attribute path ("a.b", "0.name") on v, as Jinja's
// attribute= arguments do.
func (r *renderer) attrPath(at Pos, v value, path string) (value, error) {
	for _, part := range strings.Split(path, ".") {
		var key value = part
		if n, err := strconv.ParseInt(part, 10, 64); err == nil {
			key = n
		}
		var err error
		if v, err = r.getItem(at, v, key); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// attrItems iterates x, mapping each item through the attribute path attr if given.
func (r *renderer) attrItems(c *callArgs, x, attr value) ([]value, error) {
	items, err := r.iterate(c.at, x)
	if err != nil {
		return nil, err
	}
	if _, ok := attr.(absent); ok || attr == nil {
		return items, nil
	}
	path, ok := attr.(string)
	if !ok {
		return nil, errorf(c.at, "attribute must be a string, not %s", typeName(attr))
	}
	l := make([]value, len(items))
	for i, it := range items {
		if l[i], err = r.attrPath(c.at, it, path); err != nil {
			return nil, err
		}
	}
	return l, r.step(c.at, len(items))
}

// seqFilter is map, select, reject, selectattr and rejectattr.
func (r *renderer) seqFilter(name string, x value, c *callArgs) (value, error) {
	items, err := r.iterate(c.at, x)
	if err != nil {
		return nil, err
	}
	if err := r.step(c.at, len(items)); err != nil {
		return nil, err
	}
	out := []value{}
	if name == "map" {
		var attr, def value = absent{}, absent{}
		for i, k := range c.names {
			switch k {
			case "attribute":
				attr = c.kw[i]
			case "default":
				def = c.kw[i]
			default:
				return nil, errorf(c.at, "filter 'map' got an unexpected keyword argument '%s'", k)
			}
		}
		if _, ok := attr.(absent); !ok {
			if len(c.args) > 0 {
				return nil, errorf(c.at, "filter 'map' takes either attribute= or a filter name")
			}
			path, ok := attr.(string)
			if !ok {
				return nil, errorf(c.at, "filter 'map' attribute must be a string")
			}
			for _, it := range items {
				v, err := r.attrPath(c.at, it, path)
				if err != nil {
					return nil, err
				}
				if _, undef := v.(undefined); undef {
					if _, ok := def.(absent); !ok {
						v = def
					}
				}
				out = append(out, v)
			}
			return out, nil
		}
		if len(c.args) == 0 {
			return nil, errorf(c.at, "filter 'map' needs a filter name or attribute=")
		}
		fname, ok := c.args[0].(string)
		if !ok {
			return nil, errorf(c.at, "filter 'map' filter name must be a string")
		}
		sub := &callArgs{at: c.at, args: c.args[1:]}
		for _, it := range items {
			v, err := r.filter(fname, it, sub)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	byAttr := strings.HasSuffix(name, "attr")
	keep := strings.HasPrefix(name, "select")
	args := c.args
	if len(c.names) > 0 {
		return nil, errorf(c.at, "filter '%s' takes no keyword arguments", name)
	}
	var path string
	if byAttr {
		if len(args) == 0 {
			return nil, errorf(c.at, "filter '%s' needs an attribute name", name)
		}
		p, ok := args[0].(string)
		if !ok {
			return nil, errorf(c.at, "filter '%s' attribute must be a string", name)
		}
		path, args = p, args[1:]
	}
	for _, it := range items {
		v := it
		if byAttr {
			if v, err = r.attrPath(c.at, it, path); err != nil {
				return nil, err
			}
		}
		var ok bool
		if len(args) == 0 {
			ok = truthy(v)
		} else {
			tname, isStr := args[0].(string)
			if !isStr {
				return nil, errorf(c.at, "filter '%s' test name must be a string", name)
			}
			if ok, err = r.test(tname, v, &callArgs{at: c.at, args: args[1:]}); err != nil {
				return nil, err
			}
		}
		if ok == keep {
			out = append(out, it)
		}
	}
	return out, nil
}

// sortKey is the value an item is compared by in sort, unique, min and max.
func (r *renderer) sortKey(at Pos, v value, path string, caseSensitive bool) (value, error) {
	if path != "" {
		var err error
		if v, err = r.attrPath(at, v, path); err != nil {
			return nil, err
		}
	}
	if s, ok := v.(string); ok && !caseSensitive {
		return strings.ToLower(s), nil
	}
	return v, nil
}

// sortFilter is unique, sort, min and max.
func (r *renderer) sortFilter(name string, x value, c *callArgs) (value, error) {
	what := "filter '" + name + "'"
	params := []string{"case_sensitive", "attribute"}
	if name == "sort" {
		params = []string{"reverse", "case_sensitive", "attribute"}
	}
	a, err := c.bind(what, params, 0)
	if err != nil {
		return nil, err
	}
	reverse := false
	if name == "sort" {
		reverse = truthy(a[0])
		a = a[1:]
	}
	caseSensitive := truthy(a[0])
	path := ""
	if p, ok := a[1].(string); ok {
		path = p
	}
	items, err := r.iterate(c.at, x)
	if err != nil {
		return nil, err
	}
	if err := r.step(c.at, len(items)); err != nil {
		return nil, err
	}
	keys := make([]value, len(items))
	for i, it := range items {
		if keys[i], err = r.sortKey(c.at, it, path, caseSensitive); err != nil {
			return nil, err
		}
	}
	if name == "unique" {
		out := []value{}
		var seen []value
		for i, it := range items {
			dup := false
			for _, s := range seen {
				dup = dup || equal(s, keys[i])
			}
			if !dup {
				seen = append(seen, keys[i])
				out = append(out, it)
			}
		}
		return out, nil
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	var cmpErr error
	sort.SliceStable(idx, func(i, j int) bool {
		c2, ok := compare(keys[idx[i]], keys[idx[j]])
		if !ok && cmpErr == nil {
			cmpErr = errorf(c.at, "'<' not supported between instances of '%s' and '%s'", typeName(keys[idx[i]]), typeName(keys[idx[j]]))
		}
		if reverse {
			return c2 > 0
		}
		return c2 < 0
	})
	if cmpErr != nil {
		return nil, cmpErr
	}
	switch name {
	case "min", "max":
		if len(items) == 0 {
			return undefined{hint: "No aggregated item, sequence was empty."}, nil
		}
		if name == "min" {
			return items[idx[0]], nil
		}
		// The last of the sorted items, but the first of equal maxima, as Python's max.
		k := len(idx) - 1
		for k > 0 {
			if c2, _ := compare(keys[idx[k-1]], keys[idx[k]]); c2 != 0 {
				break
			}
			k--
		}
		return items[idx[k]], nil
	}
	out := make([]value, len(items))
	for i, k := range idx {
		out[i] = items[k]
	}
	return out, nil
}

func (r *renderer) dictsort(c *callArgs, what string, x value) (value, error) {
	a, err := c.bind(what, []string{"case_sensitive", "by", "reverse"}, 0)
	if err != nil {
		return nil, err
	}
	d, ok := x.(*dict)
	if !ok {
		return nil, errorf(c.at, "%s needs a mapping, not %s", what, typeName(x))
	}
	by := "key"
	if s, ok := a[1].(string); ok {
		by = s
	}
	if by != "key" && by != "value" {
		return nil, errorf(c.at, "%s: by must be 'key' or 'value'", what)
	}
	pos := 0
	if by == "value" {
		pos = 1
	}
	pairs := dictView(d, "items")
	sub := &callArgs{at: c.at, names: []string{"reverse", "case_sensitive", "attribute"},
		kw: []value{truthy(a[2]), truthy(a[0]), strconv.Itoa(pos)}}
	return r.sortFilter("sort", pairs, sub)
}
