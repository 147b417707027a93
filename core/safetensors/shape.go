package safetensors

import (
	"fmt"
	"math"
)

// byteSize validates a dtype and shape and returns the size in bytes of a
// tensor of that type and shape.
func byteSize[T int | int64](d DType, shape []T) (int64, error) {
	size := int64(d.Size())
	if size == 0 {
		return 0, fmt.Errorf("unknown dtype %q", string(d))
	}
	if len(shape) > MaxDims {
		return 0, fmt.Errorf("shape has %d dimensions, more than %d", len(shape), MaxDims)
	}
	n := int64(1)
	for _, dim := range shape {
		if dim < 0 {
			return 0, fmt.Errorf("shape %v: negative dimension %d", shape, dim)
		}
		if dim == 0 {
			n = 0
		}
	}
	if n == 0 {
		return 0, nil
	}
	for _, dim := range shape {
		if int64(dim) > math.MaxInt64/n {
			return 0, fmt.Errorf("shape %v: element count overflows int64", shape)
		}
		n *= int64(dim)
	}
	if n > math.MaxInt64/size {
		return 0, fmt.Errorf("%s shape %v: byte size overflows int64", d, shape)
	}
	return n * size, nil
}

// numElements returns the product of a validated shape.
func numElements(shape []int) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= int64(d)
	}
	return n
}
