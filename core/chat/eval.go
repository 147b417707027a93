package chat

import (
	"math"
	"strings"
	"unicode/utf8"
)

// eval evaluates an expression in frame f.
func (r *renderer) eval(e expr, f *frame) (value, error) {
	switch e := e.(type) {
	case *literalExpr:
		return e.v, nil
	case *nameExpr:
		if v, ok := f.lookup(e.name); ok {
			return v, nil
		}
		return undefined{name: e.name}, nil
	case *listExpr:
		if err := r.step(e.pos, len(e.items)); err != nil {
			return nil, err
		}
		l := make([]value, len(e.items))
		for i, x := range e.items {
			v, err := r.eval(x, f)
			if err != nil {
				return nil, err
			}
			l[i] = v
		}
		return l, nil
	case *dictExpr:
		d := newDict(len(e.keys))
		for i := range e.keys {
			k, err := r.eval(e.keys[i], f)
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, errorf(e.keys[i].exprPos(), "dict keys must be strings, got %s", typeName(k))
			}
			v, err := r.eval(e.vals[i], f)
			if err != nil {
				return nil, err
			}
			d.set(ks, v)
		}
		return d, nil
	case *attrExpr:
		x, err := r.eval(e.x, f)
		if err != nil {
			return nil, err
		}
		return r.getAttr(e.pos, x, e.name)
	case *indexExpr:
		x, err := r.eval(e.x, f)
		if err != nil {
			return nil, err
		}
		k, err := r.eval(e.key, f)
		if err != nil {
			return nil, err
		}
		return r.getItem(e.pos, x, k)
	case *sliceExpr:
		return r.evalSlice(e, f)
	case *callExpr:
		fn, err := r.eval(e.fn, f)
		if err != nil {
			return nil, err
		}
		c, err := r.evalArgs(e.pos, e.args, f)
		if err != nil {
			return nil, err
		}
		return r.call(fn, c)
	case *filterExpr:
		x, err := r.eval(e.x, f)
		if err != nil {
			return nil, err
		}
		c, err := r.evalArgs(e.pos, e.args, f)
		if err != nil {
			return nil, err
		}
		return r.filter(e.name, x, c)
	case *testExpr:
		x, err := r.eval(e.x, f)
		if err != nil {
			return nil, err
		}
		c, err := r.evalArgs(e.pos, e.args, f)
		if err != nil {
			return nil, err
		}
		ok, err := r.test(e.name, x, c)
		return ok != e.not, err
	case *unaryExpr:
		x, err := r.eval(e.x, f)
		if err != nil {
			return nil, err
		}
		return unary(e.pos, e.op, x)
	case *binaryExpr:
		x, err := r.eval(e.x, f)
		if err != nil {
			return nil, err
		}
		switch e.op {
		case "and":
			if !truthy(x) {
				return x, nil
			}
			return r.eval(e.y, f)
		case "or":
			if truthy(x) {
				return x, nil
			}
			return r.eval(e.y, f)
		}
		y, err := r.eval(e.y, f)
		if err != nil {
			return nil, err
		}
		return r.binary(e.pos, e.op, x, y)
	case *compareExpr:
		x, err := r.eval(e.first, f)
		if err != nil {
			return nil, err
		}
		for i, op := range e.ops {
			y, err := r.eval(e.operands[i], f)
			if err != nil {
				return nil, err
			}
			ok, err := r.compareOp(e.pos, op, x, y)
			if err != nil || !ok {
				return false, err
			}
			x = y
		}
		return true, nil
	case *condExpr:
		c, err := r.eval(e.cond, f)
		if err != nil {
			return nil, err
		}
		if truthy(c) {
			return r.eval(e.then, f)
		}
		if e.orElse == nil {
			return undefined{hint: "the inline if-expression evaluated to false and no else section was defined"}, nil
		}
		return r.eval(e.orElse, f)
	}
	return nil, errorf(e.exprPos(), "unknown expression %T", e)
}

func (r *renderer) evalArgs(at Pos, a args, f *frame) (*callArgs, error) {
	c := &callArgs{at: at, names: a.names}
	for _, x := range a.values {
		v, err := r.eval(x, f)
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, v)
	}
	for _, x := range a.kw {
		v, err := r.eval(x, f)
		if err != nil {
			return nil, err
		}
		c.kw = append(c.kw, v)
	}
	return c, nil
}

// call calls a callable value.
func (r *renderer) call(fn value, c *callArgs) (value, error) {
	switch fn := fn.(type) {
	case *builtin:
		return fn.fn(r, c)
	case *method:
		return r.callMethod(fn.recv, fn.name, c)
	case *macro:
		return r.callMacro(fn, c)
	case undefined:
		return nil, undefinedError(c.at, fn)
	}
	return nil, errorf(c.at, "'%s' object is not callable", typeName(fn))
}

// getAttr is x.name: a method or attribute first, then an item, as Jinja does.
func (r *renderer) getAttr(at Pos, x value, name string) (value, error) {
	switch x := x.(type) {
	case undefined:
		return nil, undefinedError(at, x)
	case *namespace:
		if v, ok := x.attrs.get(name); ok {
			return v, nil
		}
	case *loopInfo:
		if v, ok := x.attr(name); ok {
			return v, nil
		}
	case *dict:
		if hasMethod(x, name) {
			return &method{recv: x, name: name}, nil
		}
		if v, ok := x.get(name); ok {
			return v, nil
		}
	default:
		if hasMethod(x, name) {
			return &method{recv: x, name: name}, nil
		}
	}
	return undefined{hint: describe(x) + " has no attribute '" + name + "'"}, nil
}

// getItem is x[key]: an item first, then an attribute, as Jinja does.
func (r *renderer) getItem(at Pos, x, key value) (value, error) {
	if u, ok := x.(undefined); ok {
		return nil, undefinedError(at, u)
	}
	switch x := x.(type) {
	case *dict:
		if k, ok := key.(string); ok {
			if v, ok := x.get(k); ok {
				return v, nil
			}
		}
	case []value:
		if i, ok := asInt(key); ok {
			if i < 0 {
				i += int64(len(x))
			}
			if i >= 0 && i < int64(len(x)) {
				return x[i], nil
			}
			return undefined{hint: describe(x) + " has no element " + repr(key)}, nil
		}
	case string:
		if i, ok := asInt(key); ok {
			if err := r.charge(at, len(x)); err != nil {
				return nil, err
			}
			n := int64(utf8.RuneCountInString(x))
			if i < 0 {
				i += n
			}
			if i >= 0 && i < n {
				for _, c := range x {
					if i == 0 {
						return string(c), nil
					}
					i--
				}
			}
			return undefined{hint: describe(x) + " has no element " + repr(key)}, nil
		}
	}
	if k, ok := key.(string); ok {
		return r.getAttr(at, x, k)
	}
	return undefined{hint: describe(x) + " has no element " + repr(key)}, nil
}

// evalSlice is x[start:stop:step] on a list or string.
func (r *renderer) evalSlice(e *sliceExpr, f *frame) (value, error) {
	x, err := r.eval(e.x, f)
	if err != nil {
		return nil, err
	}
	var bounds [3]*int64
	for i, b := range [3]expr{e.start, e.stop, e.step} {
		if b == nil {
			continue
		}
		v, err := r.eval(b, f)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		n, ok := asInt(v)
		if !ok {
			return nil, errorf(b.exprPos(), "slice indices must be integers or None, not %s", typeName(v))
		}
		bounds[i] = &n
	}
	switch x := x.(type) {
	case []value:
		idx, err := sliceIndices(e.pos, int64(len(x)), bounds)
		if err != nil {
			return nil, err
		}
		l := make([]value, len(idx))
		for k, i := range idx {
			l[k] = x[i]
		}
		return l, nil
	case string:
		if err := r.charge(e.pos, len(x)); err != nil {
			return nil, err
		}
		rs := []rune(x)
		idx, err := sliceIndices(e.pos, int64(len(rs)), bounds)
		if err != nil {
			return nil, err
		}
		out := make([]rune, len(idx))
		for k, i := range idx {
			out[k] = rs[i]
		}
		return string(out), nil
	case undefined:
		return nil, undefinedError(e.pos, x)
	}
	return nil, errorf(e.pos, "'%s' object is not subscriptable", typeName(x))
}

// sliceIndices are the indices Python's slice(start, stop, step) selects from n items.
func sliceIndices(at Pos, n int64, b [3]*int64) ([]int64, error) {
	step := int64(1)
	if b[2] != nil {
		step = *b[2]
	}
	if step == 0 {
		return nil, errorf(at, "slice step cannot be zero")
	}
	clamp := func(p *int64, def, lo, hi int64) int64 {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += n
		}
		return min(max(v, lo), hi)
	}
	var idx []int64
	if step > 0 {
		start, stop := clamp(b[0], 0, 0, n), clamp(b[1], n, 0, n)
		for i := start; i < stop; i += step {
			idx = append(idx, i)
			if step >= stop-i { // i+step would reach stop, or overflow
				break
			}
		}
	} else {
		start, stop := clamp(b[0], n-1, -1, n-1), clamp(b[1], -1, -1, n-1)
		for i := start; i > stop; i += step {
			idx = append(idx, i)
			if step <= stop-i {
				break
			}
		}
	}
	return idx, nil
}

func unary(at Pos, op string, x value) (value, error) {
	switch op {
	case "not":
		return !truthy(x), nil
	case "-":
		switch x := x.(type) {
		case bool, int64:
			n, _ := asInt(x)
			if n == math.MinInt64 {
				return nil, errorf(at, "integer overflow")
			}
			return -n, nil
		case float64:
			return -x, nil
		}
	case "+":
		switch x := x.(type) {
		case bool, int64:
			n, _ := asInt(x)
			return n, nil
		case float64:
			return x, nil
		}
	}
	if u, ok := x.(undefined); ok {
		return nil, undefinedError(at, u)
	}
	return nil, errorf(at, "bad operand type for unary %s: '%s'", op, typeName(x))
}

// compareOp is one comparison of a chain.
func (r *renderer) compareOp(at Pos, op string, x, y value) (bool, error) {
	if s, ok := y.(string); ok && (op == "in" || op == "not in") {
		if err := r.charge(at, len(s)); err != nil {
			return false, err
		}
	} else if s, ok := x.(string); ok {
		if t, ok := y.(string); ok {
			if err := r.charge(at, min(len(s), len(t))); err != nil {
				return false, err
			}
		}
	}
	switch op {
	case "==":
		return equal(x, y), nil
	case "!=":
		return !equal(x, y), nil
	case "in", "not in":
		ok, err := contains(at, y, x)
		return ok == (op == "in"), err
	}
	for _, v := range [2]value{x, y} {
		if u, ok := v.(undefined); ok {
			return false, undefinedError(at, u)
		}
	}
	c, ok := compare(x, y)
	if !ok {
		return false, errorf(at, "'%s' not supported between instances of '%s' and '%s'", op, typeName(x), typeName(y))
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil
}

// contains is Python's "x in container".
func contains(at Pos, container, x value) (bool, error) {
	switch c := container.(type) {
	case string:
		s, ok := x.(string)
		if !ok {
			return false, errorf(at, "'in <string>' requires string as left operand, not %s", typeName(x))
		}
		return strings.Contains(c, s), nil
	case []value:
		for _, v := range c {
			if equal(v, x) {
				return true, nil
			}
		}
		return false, nil
	case *dict:
		k, ok := x.(string)
		if !ok {
			return false, nil
		}
		_, found := c.get(k)
		return found, nil
	case *namespace:
		k, ok := x.(string)
		if !ok {
			return false, nil
		}
		_, found := c.attrs.get(k)
		return found, nil
	case undefined:
		return false, nil
	}
	return false, errorf(at, "argument of type '%s' is not iterable", typeName(container))
}
