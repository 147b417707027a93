package chat

import (
	"math"
	"strings"
)

// test applies the Jinja test name ("x is name(args)") to x.
func (r *renderer) test(name string, x value, c *callArgs) (bool, error) {
	what := "test '" + name + "'"
	one := func() (value, error) {
		a, err := c.bind(what, []string{"other"}, 1)
		if err != nil {
			return nil, err
		}
		return a[0], nil
	}
	if _, err := c.bind(what, []string{"other"}, 0); err != nil {
		return false, err
	}
	switch name {
	case "defined":
		_, u := x.(undefined)
		return !u, nil
	case "undefined":
		_, u := x.(undefined)
		return u, nil
	case "none":
		return x == nil, nil
	case "boolean":
		_, ok := x.(bool)
		return ok, nil
	case "true", "false":
		b, ok := x.(bool)
		return ok && b == (name == "true"), nil
	case "integer":
		_, ok := x.(int64)
		return ok, nil
	case "float":
		_, ok := x.(float64)
		return ok, nil
	case "number":
		_, _, ok := number(x)
		return ok, nil
	case "string":
		_, ok := x.(string)
		return ok, nil
	case "mapping":
		_, ok := x.(*dict)
		return ok, nil
	case "sequence":
		switch x.(type) {
		case string, []value, *dict:
			return true, nil
		}
		return false, nil
	case "iterable":
		switch x.(type) {
		case string, []value, *dict, undefined:
			return true, nil
		}
		return false, nil
	case "callable":
		switch x.(type) {
		case *builtin, *method, *macro:
			return true, nil
		}
		return false, nil
	case "lower", "upper":
		s, ok := x.(string)
		if !ok {
			return false, nil
		}
		return charClass(s, "is"+name), nil
	case "odd", "even":
		n, ok := asInt(x)
		if !ok {
			return false, errorf(c.at, "%s needs an integer, not %s", what, typeName(x))
		}
		return (n%2 != 0) == (name == "odd"), nil
	case "divisibleby":
		o, err := one()
		if err != nil {
			return false, err
		}
		n, ok1 := asInt(x)
		d, ok2 := asInt(o)
		if !ok1 || !ok2 {
			f, _, ok1 := number(x)
			g, _, ok2 := number(o)
			if !ok1 || !ok2 || g == 0 {
				return false, errorf(c.at, "%s needs numbers", what)
			}
			return math.Mod(f, g) == 0, nil
		}
		if d == 0 {
			return false, errorf(c.at, "%s: division by zero", what)
		}
		return n%d == 0, nil
	case "sameas":
		o, err := one()
		if err != nil {
			return false, err
		}
		switch x.(type) {
		case nil, bool:
			return x == o, nil
		}
		return equal(x, o) && typeName(x) == typeName(o), nil
	case "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan", ">", "ge", ">=", "in":
		o, err := one()
		if err != nil {
			return false, err
		}
		return r.compareOp(c.at, testOps(name), x, o)
	case "escaped":
		return false, nil
	}
	return false, errorf(c.at, "unsupported test '%s'", name)
}

// testOps maps the comparison tests to their operators.
func testOps(name string) string {
	switch name {
	case "eq", "equalto", "==":
		return "=="
	case "ne", "!=":
		return "!="
	case "lt", "lessthan", "<":
		return "<"
	case "le", "<=":
		return "<="
	case "gt", "greaterthan", ">":
		return ">"
	case "ge", ">=":
		return ">="
	}
	return strings.ToLower(name)
}
