package chat

import (
	"math"
	"math/bits"
	"strings"
)

// binary applies an arithmetic operator or ~ with Python semantics.
func (r *renderer) binary(at Pos, op string, x, y value) (value, error) {
	if op == "~" {
		s := str(x) + str(y)
		return s, r.charge(at, len(s))
	}
	for _, v := range [2]value{x, y} {
		if u, ok := v.(undefined); ok {
			return nil, undefinedError(at, u)
		}
	}
	if a, ok := asInt(x); ok {
		if b, ok := asInt(y); ok {
			return intOp(at, op, a, b)
		}
	}
	if a, _, ok := number(x); ok {
		if b, _, ok := number(y); ok {
			return floatOp(at, op, a, b)
		}
	}
	switch op {
	case "+":
		switch a := x.(type) {
		case string:
			b, ok := y.(string)
			if !ok {
				return nil, errorf(at, "can only concatenate str (not \"%s\") to str", typeName(y))
			}
			if err := r.charge(at, len(a)+len(b)); err != nil {
				return nil, err
			}
			return a + b, nil
		case []value:
			b, ok := y.([]value)
			if !ok {
				return nil, errorf(at, "can only concatenate list (not \"%s\") to list", typeName(y))
			}
			if err := r.step(at, len(a)+len(b)); err != nil {
				return nil, err
			}
			return append(append(make([]value, 0, len(a)+len(b)), a...), b...), nil
		}
	case "*":
		if _, ok := asInt(x); ok {
			x, y = y, x
		}
		if n, ok := asInt(y); ok {
			n = max(n, 0)
			switch a := x.(type) {
			case string:
				if int64(len(a)) > 0 && n > maxBytes/int64(len(a)) {
					return nil, errorf(at, "render exceeded %d bytes of string data", maxBytes)
				}
				if err := r.charge(at, len(a)*int(n)); err != nil {
					return nil, err
				}
				return strings.Repeat(a, int(n)), nil
			case []value:
				if int64(len(a)) > 0 && n > maxSteps/int64(len(a)) {
					return nil, errorf(at, "render exceeded %d loop iterations, calls and list elements", maxSteps)
				}
				if err := r.step(at, len(a)*int(n)); err != nil {
					return nil, err
				}
				l := make([]value, 0, len(a)*int(n))
				for range n {
					l = append(l, a...)
				}
				return l, nil
			}
		}
	case "%":
		if _, ok := x.(string); ok {
			return nil, errorf(at, "printf-style string formatting with %% is not supported")
		}
	}
	return nil, errorf(at, "unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(x), typeName(y))
}

func intOp(at Pos, op string, a, b int64) (value, error) {
	overflow := func() (value, error) { return nil, errorf(at, "integer overflow in %d %s %d", a, op, b) }
	switch op {
	case "+":
		s := a + b
		if (s > a) != (b > 0) {
			return overflow()
		}
		return s, nil
	case "-":
		d := a - b
		if (d < a) != (b > 0) {
			return overflow()
		}
		return d, nil
	case "*":
		hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))
		if hi != 0 || lo > math.MaxInt64 || a == math.MinInt64 || b == math.MinInt64 {
			return overflow()
		}
		if (a < 0) != (b < 0) {
			return -int64(lo), nil
		}
		return int64(lo), nil
	case "/":
		if b == 0 {
			return nil, errorf(at, "division by zero")
		}
		return float64(a) / float64(b), nil
	case "//", "%":
		if b == 0 {
			return nil, errorf(at, "integer division or modulo by zero")
		}
		if a == math.MinInt64 && b == -1 {
			return overflow()
		}
		q, m := a/b, a%b
		if m != 0 && (m < 0) != (b < 0) {
			q--
			m += b
		}
		if op == "//" {
			return q, nil
		}
		return m, nil
	case "**":
		switch {
		case b < 0:
			return math.Pow(float64(a), float64(b)), nil
		case b == 0 || a == 1:
			return int64(1), nil
		case a == 0:
			return int64(0), nil
		case a == -1:
			return int64(1 - 2*(b%2)), nil
		}
		result := int64(1)
		for range b { // |a| >= 2: overflows within 64 steps
			v, err := intOp(at, "*", result, a)
			if err != nil {
				return overflow()
			}
			result = v.(int64)
		}
		return result, nil
	}
	return nil, errorf(at, "unknown operator %s", op)
}

func abs64(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

func floatOp(at Pos, op string, a, b float64) (value, error) {
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	case "/":
		if b == 0 {
			return nil, errorf(at, "float division by zero")
		}
		return a / b, nil
	case "//":
		if b == 0 {
			return nil, errorf(at, "float floor division by zero")
		}
		return math.Floor(a / b), nil
	case "%":
		if b == 0 {
			return nil, errorf(at, "float modulo by zero")
		}
		m := math.Mod(a, b)
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return m, nil
	case "**":
		return math.Pow(a, b), nil
	}
	return nil, errorf(at, "unknown operator %s", op)
}
