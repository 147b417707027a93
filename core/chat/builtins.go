package chat

import (
	"strconv"
	"strings"
	"time"
)

// builtin is a global function a template can call.
type builtin struct {
	name string
	fn   func(r *renderer, c *callArgs) (value, error)
}

// method is a method bound to its receiver, such as the split of "a b".split.
type method struct {
	recv value
	name string
}

// globals are the functions every template sees: Jinja's namespace, range and dict,
// and transformers' raise_exception and strftime_now.
func globals() map[string]value {
	return map[string]value{
		"namespace":       &builtin{"namespace", builtinNamespace},
		"range":           &builtin{"range", builtinRange},
		"dict":            &builtin{"dict", builtinDict},
		"raise_exception": &builtin{"raise_exception", builtinRaise},
		"strftime_now":    &builtin{"strftime_now", builtinStrftimeNow},
	}
}

func builtinNamespace(r *renderer, c *callArgs) (value, error) {
	ns := &namespace{attrs: newDict(len(c.names))}
	if len(c.args) > 1 {
		return nil, errorf(c.at, "namespace() takes at most 1 positional argument")
	}
	if len(c.args) == 1 {
		d, ok := c.args[0].(*dict)
		if !ok {
			return nil, errorf(c.at, "namespace() positional argument must be a dict, not %s", typeName(c.args[0]))
		}
		for _, k := range d.keys {
			ns.attrs.set(k, d.m[k])
		}
	}
	for i, k := range c.names {
		ns.attrs.set(k, c.kw[i])
	}
	return ns, nil
}

func builtinDict(r *renderer, c *callArgs) (value, error) {
	if len(c.args) > 0 {
		return nil, errorf(c.at, "dict() takes keyword arguments only here")
	}
	d := newDict(len(c.names))
	for i, k := range c.names {
		d.set(k, c.kw[i])
	}
	return d, nil
}

func builtinRange(r *renderer, c *callArgs) (value, error) {
	if len(c.names) > 0 || len(c.args) < 1 || len(c.args) > 3 {
		return nil, errorf(c.at, "range() takes 1 to 3 positional arguments")
	}
	var n [3]int64
	for i, a := range c.args {
		v, ok := asInt(a)
		if !ok {
			return nil, errorf(c.at, "range() arguments must be integers, not %s", typeName(a))
		}
		n[i] = v
	}
	start, stop, step := int64(0), n[0], int64(1)
	if len(c.args) > 1 {
		start, stop = n[0], n[1]
	}
	if len(c.args) > 2 {
		step = n[2]
	}
	if step == 0 {
		return nil, errorf(c.at, "range() arg 3 must not be zero")
	}
	// The number of items, computed in uint64 so that no difference overflows.
	var diff, stride uint64
	switch {
	case step > 0 && stop > start:
		diff, stride = uint64(stop)-uint64(start), uint64(step)
	case step < 0 && stop < start:
		diff, stride = uint64(start)-uint64(stop), -uint64(step)
	}
	var count uint64
	if diff > 0 {
		count = (diff-1)/stride + 1
	}
	if count > maxSteps {
		return nil, errorf(c.at, "range() of %d items is more than the limit of %d", count, maxSteps)
	}
	if err := r.step(c.at, int(count)); err != nil {
		return nil, err
	}
	l := make([]value, count)
	for i := range l {
		l[i] = start + int64(i)*step
	}
	return l, nil
}

func builtinRaise(r *renderer, c *callArgs) (value, error) {
	msg := ""
	if len(c.args) > 0 {
		msg = str(c.args[0])
	}
	return nil, &Error{Pos: c.at, Msg: msg, Raised: true}
}

// builtinStrftimeNow is transformers' strftime_now(format): the local time now,
// formatted as Python's datetime.strftime does for the directives %a %A %b %B %d %e
// %H %I %j %m %M %p %S %y %Y %z %Z and %%.
func builtinStrftimeNow(r *renderer, c *callArgs) (value, error) {
	a, err := c.bind("strftime_now()", []string{"format"}, 1)
	if err != nil {
		return nil, err
	}
	format, ok := a[0].(string)
	if !ok {
		return nil, errorf(c.at, "strftime_now() format must be a string, not %s", typeName(a[0]))
	}
	if err := r.charge(c.at, len(format)); err != nil {
		return nil, err
	}
	return strftime(c.at, time.Now(), format)
}

func strftime(at Pos, t time.Time, format string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		if i+1 >= len(format) {
			return "", errorf(at, "strftime_now(): format ends with a lone '%%'")
		}
		i++
		switch format[i] {
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'd':
			b.WriteString(t.Format("02"))
		case 'e':
			b.WriteString(t.Format("_2"))
		case 'H':
			b.WriteString(t.Format("15"))
		case 'I':
			b.WriteString(t.Format("03"))
		case 'j':
			b.WriteString(t.Format("002"))
		case 'm':
			b.WriteString(t.Format("01"))
		case 'M':
			b.WriteString(t.Format("04"))
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'S':
			b.WriteString(t.Format("05"))
		case 'y':
			b.WriteString(t.Format("06"))
		case 'Y':
			b.WriteString(strconv.Itoa(t.Year()))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case '%':
			b.WriteByte('%')
		default:
			return "", errorf(at, "strftime_now(): unsupported directive %%%c", format[i])
		}
	}
	return b.String(), nil
}
