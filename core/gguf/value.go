package gguf

import (
	"fmt"
	"math"
	"strings"
)

// Kind is the type of a GGUF metadata value, as stored in the file
// (gguf_type).
type Kind uint32

// The metadata value kinds.
const (
	Uint8   Kind = 0
	Int8    Kind = 1
	Uint16  Kind = 2
	Int16   Kind = 3
	Uint32  Kind = 4
	Int32   Kind = 5
	Float32 Kind = 6
	Bool    Kind = 7
	String  Kind = 8
	Array   Kind = 9
	Uint64  Kind = 10
	Int64   Kind = 11
	Float64 Kind = 12
)

var kindNames = [...]string{
	"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32",
	"bool", "string", "array", "uint64", "int64", "float64",
}

func (k Kind) valid() bool { return k <= Float64 }

// String returns the name of the kind, such as "uint32".
func (k Kind) String() string {
	if k.valid() {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint32(k))
}

// size returns the encoded size of a fixed-size kind, or 0 for String and
// Array.
func (k Kind) size() int {
	switch k {
	case Uint8, Int8, Bool:
		return 1
	case Uint16, Int16:
		return 2
	case Uint32, Int32, Float32:
		return 4
	case Uint64, Int64, Float64:
		return 8
	}
	return 0
}

// A Value is a typed GGUF metadata value: a scalar, a string or an array
// (whose elements all have one kind, possibly Array for nested arrays).
// The zero Value is invalid; construct one with [ValueOf].
type Value struct {
	kind Kind
	elem Kind // element kind of an Array
	// x holds the Go value: uint8, int8, uint16, int16, uint32, int32,
	// float32, bool, string, uint64, int64 or float64 for a scalar, and a
	// slice of one of those, or []Value, for an array.
	x any
}

// ValueOf returns the Value holding x, which must be one of the Go types
// uint8, int8, uint16, int16, uint32, int32, float32, bool, string,
// uint64, int64, float64, a slice of one of those, a Value, or a []Value
// whose elements are all arrays (a nested array). The Value keeps a
// reference to a slice x; do not modify it afterwards.
func ValueOf(x any) (Value, error) {
	switch x := x.(type) {
	case Value:
		if !x.kind.valid() || x.x == nil {
			return Value{}, fmt.Errorf("gguf: invalid Value")
		}
		return x, nil
	case uint8:
		return Value{kind: Uint8, x: x}, nil
	case int8:
		return Value{kind: Int8, x: x}, nil
	case uint16:
		return Value{kind: Uint16, x: x}, nil
	case int16:
		return Value{kind: Int16, x: x}, nil
	case uint32:
		return Value{kind: Uint32, x: x}, nil
	case int32:
		return Value{kind: Int32, x: x}, nil
	case float32:
		return Value{kind: Float32, x: x}, nil
	case bool:
		return Value{kind: Bool, x: x}, nil
	case string:
		return Value{kind: String, x: x}, nil
	case uint64:
		return Value{kind: Uint64, x: x}, nil
	case int64:
		return Value{kind: Int64, x: x}, nil
	case float64:
		return Value{kind: Float64, x: x}, nil
	case []uint8:
		return Value{kind: Array, elem: Uint8, x: x}, nil
	case []int8:
		return Value{kind: Array, elem: Int8, x: x}, nil
	case []uint16:
		return Value{kind: Array, elem: Uint16, x: x}, nil
	case []int16:
		return Value{kind: Array, elem: Int16, x: x}, nil
	case []uint32:
		return Value{kind: Array, elem: Uint32, x: x}, nil
	case []int32:
		return Value{kind: Array, elem: Int32, x: x}, nil
	case []float32:
		return Value{kind: Array, elem: Float32, x: x}, nil
	case []bool:
		return Value{kind: Array, elem: Bool, x: x}, nil
	case []string:
		return Value{kind: Array, elem: String, x: x}, nil
	case []uint64:
		return Value{kind: Array, elem: Uint64, x: x}, nil
	case []int64:
		return Value{kind: Array, elem: Int64, x: x}, nil
	case []float64:
		return Value{kind: Array, elem: Float64, x: x}, nil
	case []Value:
		for i, v := range x {
			if v.kind != Array || v.x == nil {
				return Value{}, fmt.Errorf("gguf: element %d of a nested array is a %s, not an array", i, v.kind)
			}
		}
		return Value{kind: Array, elem: Array, x: x}, nil
	}
	return Value{}, fmt.Errorf("gguf: unsupported metadata value type %T", x)
}

// invalidKind is the Kind of the zero Value.
const invalidKind = Kind(math.MaxUint32)

// Kind returns the kind of v; that of the zero Value is not a valid kind.
func (v Value) Kind() Kind {
	if v.x == nil {
		return invalidKind
	}
	return v.kind
}

// Elem returns the element kind of an array value (Array for a nested
// array); it is meaningless for other kinds.
func (v Value) Elem() Kind { return v.elem }

// Interface returns v's Go value (see [ValueOf] for the types). A returned
// slice must not be modified.
func (v Value) Interface() any { return v.x }

// Len returns the number of elements of an array, the length of a string,
// and 0 for other kinds.
func (v Value) Len() int {
	switch x := v.x.(type) {
	case string:
		return len(x)
	case []uint8:
		return len(x)
	case []int8:
		return len(x)
	case []uint16:
		return len(x)
	case []int16:
		return len(x)
	case []uint32:
		return len(x)
	case []int32:
		return len(x)
	case []float32:
		return len(x)
	case []bool:
		return len(x)
	case []string:
		return len(x)
	case []uint64:
		return len(x)
	case []int64:
		return len(x)
	case []float64:
		return len(x)
	case []Value:
		return len(x)
	}
	return 0
}

// Index returns element i of an array as a Value. It panics if v is not an
// array or i is out of range.
func (v Value) Index(i int) Value {
	var x any
	switch a := v.x.(type) {
	case []uint8:
		x = a[i]
	case []int8:
		x = a[i]
	case []uint16:
		x = a[i]
	case []int16:
		x = a[i]
	case []uint32:
		x = a[i]
	case []int32:
		x = a[i]
	case []float32:
		x = a[i]
	case []bool:
		x = a[i]
	case []string:
		x = a[i]
	case []uint64:
		x = a[i]
	case []int64:
		x = a[i]
	case []float64:
		x = a[i]
	case []Value:
		return a[i]
	default:
		panic("gguf: Index of a " + v.kind.String() + " value")
	}
	e, _ := ValueOf(x)
	return e
}

// Uint returns the value of an integer of any kind that is not negative.
func (v Value) Uint() (uint64, bool) {
	switch x := v.x.(type) {
	case uint8:
		return uint64(x), true
	case uint16:
		return uint64(x), true
	case uint32:
		return uint64(x), true
	case uint64:
		return x, true
	case int8, int16, int32, int64:
		i, _ := v.Int()
		if i >= 0 {
			return uint64(i), true
		}
	}
	return 0, false
}

// Int returns the value of an integer of any kind that fits in an int64.
func (v Value) Int() (int64, bool) {
	switch x := v.x.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8, uint16, uint32, uint64:
		u, _ := v.Uint()
		if u <= math.MaxInt64 {
			return int64(u), true
		}
	}
	return 0, false
}

// Float returns the value of a Float32 or Float64.
func (v Value) Float() (float64, bool) {
	switch x := v.x.(type) {
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// Bool returns the value of a Bool.
func (v Value) Bool() (bool, bool) {
	b, ok := v.x.(bool)
	return b, ok
}

// Str returns the value of a String.
func (v Value) Str() (string, bool) {
	s, ok := v.x.(string)
	return s, ok
}

// Strings returns the elements of an array of strings. The slice must not
// be modified.
func (v Value) Strings() ([]string, bool) {
	s, ok := v.x.([]string)
	return s, ok
}

// Ints returns the elements of an array of integers of any kind, converted
// to int64; it fails if an element does not fit.
func (v Value) Ints() ([]int64, bool) {
	if v.kind != Array || v.elem.size() == 0 || v.elem == Bool || v.elem == Float32 || v.elem == Float64 {
		return nil, false
	}
	n := v.Len()
	out := make([]int64, n)
	for i := range n {
		x, ok := v.Index(i).Int()
		if !ok {
			return nil, false
		}
		out[i] = x
	}
	return out, true
}

// Floats returns the elements of an array of Float32 or Float64, converted
// to float64.
func (v Value) Floats() ([]float64, bool) {
	switch a := v.x.(type) {
	case []float32:
		out := make([]float64, len(a))
		for i, x := range a {
			out[i] = float64(x)
		}
		return out, true
	case []float64:
		return append([]float64(nil), a...), true
	}
	return nil, false
}

// Bools returns the elements of an array of Bool. The slice must not be
// modified.
func (v Value) Bools() ([]bool, bool) {
	b, ok := v.x.([]bool)
	return b, ok
}

// String formats v for humans: a string is quoted, an array longer than 8
// elements is abbreviated.
func (v Value) String() string {
	switch x := v.x.(type) {
	case nil:
		return "<invalid>"
	case string:
		return fmt.Sprintf("%q", x)
	}
	if v.kind != Array {
		return fmt.Sprint(v.x)
	}
	var b strings.Builder
	b.WriteString("[")
	n := v.Len()
	for i := range min(n, 8) {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(v.Index(i).String())
	}
	if n > 8 {
		fmt.Fprintf(&b, " … (%d %s)", n, v.elem)
	}
	b.WriteString("]")
	return b.String()
}
