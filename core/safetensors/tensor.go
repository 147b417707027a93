package safetensors

// Tensor is one tensor of a safetensors file.
type Tensor struct {
	Name  string
	DType DType
	Shape []int // row-major; empty for a scalar
	// Data holds the tensor's little-endian bytes. For a tensor returned by
	// [File.Tensor] or [Checkpoint.Tensor] it is a read-only view into the
	// file's memory mapping, valid until the file is closed.
	Data []byte
	// File is the path of the file the tensor was read from; [WriteFile]
	// ignores it.
	File string
}

// NumElements returns the number of elements of the tensor: the product of
// its shape, 1 for a scalar. It assumes a valid shape.
func (t Tensor) NumElements() int64 { return numElements(t.Shape) }
