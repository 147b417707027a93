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
// The block formats of GGUF files (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 and the
// K-quants Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) are laid out bit for bit as in
// llama.cpp's ggml. [NewBlock] wraps them as a Matrix that multiplies
// directly from the blocks, [DequantizeRow] decodes them exactly as ggml
// does, and [Quantize] encodes them with ggml's reference algorithms,
// producing the same bytes as llama-quantize without an importance matrix.
//
// [ExpF32] and [SwiGLU] are the element-wise exponential and SwiGLU gate activation, as
// float32(math.Exp) computes them, eight values at a time where the CPU allows.
//
// The Dot functions are the inner kernels. They are written in portable Go;
// architecture-specific versions may replace them without changing the API.
package quant
