package chat

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// hasMethod reports whether recv has the Python method name that templates may call.
func hasMethod(recv value, name string) bool {
	switch recv.(type) {
	case string:
		switch name {
		case "split", "rsplit", "strip", "lstrip", "rstrip", "startswith", "endswith", "replace",
			"upper", "lower", "title", "capitalize", "find", "rfind", "count", "join", "splitlines",
			"isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper":
			return true
		}
	case *dict:
		switch name {
		case "items", "keys", "values", "get":
			return true
		}
	case []value:
		switch name {
		case "index", "count":
			return true
		}
	}
	return false
}

// callMethod calls recv.name(args).
func (r *renderer) callMethod(recv value, name string, c *callArgs) (value, error) {
	what := typeName(recv) + "." + name + "()"
	switch x := recv.(type) {
	case string:
		return r.stringMethod(x, name, what, c)
	case *dict:
		switch name {
		case "items", "keys", "values":
			if _, err := c.bind(what, nil, 0); err != nil {
				return nil, err
			}
			if err := r.step(c.at, len(x.keys)); err != nil {
				return nil, err
			}
			return dictView(x, name), nil
		case "get":
			a, err := c.bind(what, []string{"key", "default"}, 1)
			if err != nil {
				return nil, err
			}
			if k, ok := a[0].(string); ok {
				if v, ok := x.get(k); ok {
					return v, nil
				}
			}
			if _, ok := a[1].(absent); ok {
				return nil, nil
			}
			return a[1], nil
		}
	case []value:
		a, err := c.bind(what, []string{"x"}, 1)
		if err != nil {
			return nil, err
		}
		n := int64(0)
		for i, v := range x {
			if equal(v, a[0]) {
				if name == "index" {
					return int64(i), nil
				}
				n++
			}
		}
		if name == "index" {
			return nil, errorf(c.at, "%s is not in list", repr(a[0]))
		}
		return n, nil
	case *loopInfo:
		if len(c.args) == 0 {
			return nil, errorf(c.at, "loop.cycle() needs at least one argument")
		}
		return c.args[x.index0%len(c.args)], nil
	}
	return nil, errorf(c.at, "%s has no method '%s'", describe(recv), name)
}

// dictView is d.items(), d.keys() or d.values() as a list.
func dictView(d *dict, which string) []value {
	l := make([]value, len(d.keys))
	for i, k := range d.keys {
		switch which {
		case "items":
			l[i] = []value{k, d.m[k]}
		case "keys":
			l[i] = k
		default:
			l[i] = d.m[k]
		}
	}
	return l
}

// isSpace is Python's str.isspace for one character.
func isSpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// optString is an optional string argument: ok is false when it is absent or None.
func optString(what string, c *callArgs, v value) (s string, ok bool, err error) {
	switch v := v.(type) {
	case absent, nil:
		return "", false, nil
	case string:
		return v, true, nil
	}
	return "", false, errorf(c.at, "%s argument must be str or None, not %s", what, typeName(v))
}

// optInt is an optional int argument, def when absent or None.
func optInt(what string, c *callArgs, v value, def int64) (int64, error) {
	switch v.(type) {
	case absent, nil:
		return def, nil
	}
	n, ok := asInt(v)
	if !ok {
		return 0, errorf(c.at, "%s argument must be an integer, not %s", what, typeName(v))
	}
	return n, nil
}

func (r *renderer) stringMethod(s, name, what string, c *callArgs) (value, error) {
	if err := r.charge(c.at, len(s)); err != nil {
		return nil, err
	}
	noArgs := func() error { _, err := c.bind(what, nil, 0); return err }
	switch name {
	case "split", "rsplit":
		a, err := c.bind(what, []string{"sep", "maxsplit"}, 0)
		if err != nil {
			return nil, err
		}
		sep, hasSep, err := optString(what, c, a[0])
		if err != nil {
			return nil, err
		}
		maxsplit, err := optInt(what, c, a[1], -1)
		if err != nil {
			return nil, err
		}
		if hasSep && sep == "" {
			return nil, errorf(c.at, "%s: empty separator", what)
		}
		var parts []string
		if hasSep {
			parts = splitSep(s, sep, maxsplit, name == "rsplit")
		} else {
			parts = splitSpace(s, maxsplit, name == "rsplit")
		}
		if err := r.step(c.at, len(parts)); err != nil {
			return nil, err
		}
		l := make([]value, len(parts))
		for i, p := range parts {
			l[i] = p
		}
		return l, nil
	case "strip", "lstrip", "rstrip":
		a, err := c.bind(what, []string{"chars"}, 0)
		if err != nil {
			return nil, err
		}
		chars, ok, err := optString(what, c, a[0])
		if err != nil {
			return nil, err
		}
		return strip(s, name, chars, ok), nil
	case "startswith", "endswith":
		a, err := c.bind(what, []string{"prefix"}, 1)
		if err != nil {
			return nil, err
		}
		var cands []value
		switch p := a[0].(type) {
		case string:
			cands = []value{p}
		case []value:
			cands = p
		default:
			return nil, errorf(c.at, "%s first arg must be str or a tuple of str, not %s", what, typeName(p))
		}
		for _, p := range cands {
			ps, ok := p.(string)
			if !ok {
				return nil, errorf(c.at, "%s: tuple for %s must only contain str, not %s", what, name, typeName(p))
			}
			if name == "startswith" && strings.HasPrefix(s, ps) || name == "endswith" && strings.HasSuffix(s, ps) {
				return true, nil
			}
		}
		return false, nil
	case "replace":
		a, err := c.bind(what, []string{"old", "new", "count"}, 2)
		if err != nil {
			return nil, err
		}
		return r.replace(c, what, s, a[0], a[1], a[2])
	case "upper", "lower", "title", "capitalize":
		if err := noArgs(); err != nil {
			return nil, err
		}
		return caseMap(s, name), nil
	case "find", "rfind", "count":
		a, err := c.bind(what, []string{"sub"}, 1)
		if err != nil {
			return nil, err
		}
		sub, ok := a[0].(string)
		if !ok {
			return nil, errorf(c.at, "%s argument must be str, not %s", what, typeName(a[0]))
		}
		switch name {
		case "count":
			return int64(strings.Count(s, sub)), nil
		case "find":
			i := strings.Index(s, sub)
			if i < 0 {
				return int64(-1), nil
			}
			return int64(utf8.RuneCountInString(s[:i])), nil
		}
		i := strings.LastIndex(s, sub)
		if i < 0 {
			return int64(-1), nil
		}
		return int64(utf8.RuneCountInString(s[:i])), nil
	case "join":
		a, err := c.bind(what, []string{"iterable"}, 1)
		if err != nil {
			return nil, err
		}
		items, err := r.iterate(c.at, a[0])
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(items))
		n := 0
		for i, it := range items {
			p, ok := it.(string)
			if !ok {
				return nil, errorf(c.at, "sequence item %d: expected str instance, %s found", i, typeName(it))
			}
			parts[i] = p
			n += len(p) + len(s)
		}
		if err := r.charge(c.at, n); err != nil {
			return nil, err
		}
		return strings.Join(parts, s), nil
	case "splitlines":
		if err := noArgs(); err != nil {
			return nil, err
		}
		var l []value
		for s != "" {
			i := strings.IndexAny(s, "\n\r\v\f\x1c\x1d\x1e\u0085\u2028\u2029")
			if i < 0 {
				l = append(l, s)
				break
			}
			l = append(l, s[:i])
			_, w := utf8.DecodeRuneInString(s[i:])
			if strings.HasPrefix(s[i:], "\r\n") {
				w = 2
			}
			s = s[i+w:]
		}
		if l == nil {
			l = []value{}
		}
		return l, r.step(c.at, len(l))
	case "isdigit", "isalpha", "isalnum", "isspace", "islower", "isupper":
		if err := noArgs(); err != nil {
			return nil, err
		}
		return charClass(s, name), nil
	}
	return nil, errorf(c.at, "'str' object has no method '%s'", name)
}

// splitSep is Python's str.split(sep, maxsplit) or, with fromRight, str.rsplit.
func splitSep(s, sep string, maxsplit int64, fromRight bool) []string {
	if maxsplit < 0 {
		return strings.Split(s, sep)
	}
	if !fromRight {
		return strings.SplitN(s, sep, int(min(maxsplit, int64(len(s))))+1)
	}
	var parts []string
	for ; maxsplit > 0; maxsplit-- {
		i := strings.LastIndex(s, sep)
		if i < 0 {
			break
		}
		parts = append(parts, s[i+len(sep):])
		s = s[:i]
	}
	parts = append(parts, s)
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return parts
}

// splitSpace is Python's str.split() or str.rsplit() with no separator: runs of
// whitespace separate, and there are no empty parts.
func splitSpace(s string, maxsplit int64, fromRight bool) []string {
	if maxsplit < 0 {
		return strings.FieldsFunc(s, isSpace)
	}
	var parts []string
	if !fromRight {
		for {
			s = strings.TrimLeftFunc(s, isSpace)
			if s == "" {
				return parts
			}
			if maxsplit == 0 {
				return append(parts, s)
			}
			i := strings.IndexFunc(s, isSpace)
			if i < 0 {
				return append(parts, s)
			}
			parts = append(parts, s[:i])
			s = s[i:]
			maxsplit--
		}
	}
	for {
		s = strings.TrimRightFunc(s, isSpace)
		if s == "" {
			break
		}
		if maxsplit == 0 {
			parts = append(parts, s)
			break
		}
		i := strings.LastIndexFunc(s, isSpace)
		if i < 0 {
			parts = append(parts, s)
			break
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		parts = append(parts, s[i+w:])
		s = s[:i]
		maxsplit--
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return parts
}

// strip is Python's str.strip, lstrip or rstrip (which names it); without chars it
// strips whitespace.
func strip(s, which, chars string, hasChars bool) string {
	cut := isSpace
	if hasChars {
		cut = func(r rune) bool { return strings.ContainsRune(chars, r) }
	}
	if which != "rstrip" {
		s = strings.TrimLeftFunc(s, cut)
	}
	if which != "lstrip" {
		s = strings.TrimRightFunc(s, cut)
	}
	return s
}

func (r *renderer) replace(c *callArgs, what, s string, oldV, newV, countV value) (value, error) {
	old, ok1 := oldV.(string)
	repl, ok2 := newV.(string)
	if !ok1 || !ok2 {
		return nil, errorf(c.at, "%s arguments must be str, not %s and %s", what, typeName(oldV), typeName(newV))
	}
	n, err := optInt(what, c, countV, -1)
	if err != nil {
		return nil, err
	}
	if n < 0 || n > int64(len(s))+1 {
		n = -1
	}
	hits := strings.Count(s, old)
	if n >= 0 {
		hits = min(hits, int(n))
	}
	if err := r.charge(c.at, len(s)+hits*len(repl)); err != nil {
		return nil, err
	}
	return strings.Replace(s, old, repl, int(n)), nil
}

// caseMap is Python's str.upper, lower, title or capitalize.
func caseMap(s, which string) string {
	switch which {
	case "upper":
		return strings.ToUpper(s)
	case "lower":
		return strings.ToLower(s)
	case "capitalize":
		var b strings.Builder
		for i, c := range s {
			if i == 0 {
				b.WriteRune(unicode.ToTitle(c))
			} else {
				b.WriteRune(unicode.ToLower(c))
			}
		}
		return b.String()
	}
	var b strings.Builder
	prevCased := false
	for _, c := range s {
		if prevCased {
			b.WriteRune(unicode.ToLower(c))
		} else {
			b.WriteRune(unicode.ToTitle(c))
		}
		prevCased = unicode.IsUpper(c) || unicode.IsLower(c) || unicode.IsTitle(c)
	}
	return b.String()
}

// charClass is Python's str.isdigit, isalpha, isalnum, isspace, islower or isupper.
func charClass(s, which string) bool {
	if s == "" {
		return false
	}
	cased := false
	for _, c := range s {
		switch which {
		case "isdigit":
			if !unicode.IsDigit(c) {
				return false
			}
		case "isalpha":
			if !unicode.IsLetter(c) {
				return false
			}
		case "isalnum":
			if !unicode.IsLetter(c) && !unicode.IsNumber(c) {
				return false
			}
		case "isspace":
			if !isSpace(c) {
				return false
			}
		case "islower":
			if unicode.IsUpper(c) || unicode.IsTitle(c) {
				return false
			}
			cased = cased || unicode.IsLower(c)
		case "isupper":
			if unicode.IsLower(c) || unicode.IsTitle(c) {
				return false
			}
			cased = cased || unicode.IsUpper(c)
		}
	}
	return cased || which != "islower" && which != "isupper"
}
