// Package quant implements the number formats in which model weights are
// stored and the kernels that multiply weight matrices by vectors.
//
// The formats are IEEE single (F32) and half (F16) precision, bfloat16 (BF16)
// and the OCP 8-bit float E4M3 (F8E4M3, torch.float8_e4m3fn). Scalar
// conversions between them and float32 are exact where the target can hold
// the value and round to nearest, ties to even, otherwise.
//
// A [Matrix] is a row-major weight matrix whose bytes are a view, usually
// into a memory-mapped checkpoint, and are never copied. [NewDense] wraps
// plain F32, F16, BF16 or unscaled E4M3 data; [NewFP8Block] wraps E4M3 data
// with one float32 scale per rectangular block, the layout of the official
// DeepSeek-V3 FP8 checkpoints. All kernels accumulate in float32 and do not
// allocate, so they can be used in a zero-allocation decode loop. The
// row range arguments of [Matrix.MulVec] and [Matrix.MulMat] let callers
// split a product across goroutines.
//
// The Dot functions are the inner kernels. They are written in portable Go;
// architecture-specific versions may replace them without changing the API.
package quant
