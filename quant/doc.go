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
// An [Input] holds vectors prepared for a matrix's type: for the block
// formats with integer kernels, quantized to 8 bits once per product, as
// llama.cpp does, and multiplied by [Matrix.MulInput]. The kernels that take
// four or sixteen vectors at once give every vector's product bit for bit as
// the one-vector kernels do, so a row's result does not depend on the batch it
// is computed in. [Kernels.BatchVariant] also allows faster kernels that add in
// their own order (Q8_0 and Q5_0 by sixteen vectors), whose products differ by
// a rounding; with them [Input.PrepareSingle] can have
// the last vectors taken one at a time, each then exactly as alone.
//
// [ExpF32] and [SwiGLU] are the element-wise exponential and SwiGLU gate activation, as
// float32(math.Exp) computes them, eight values at a time where the CPU allows.
//
// # Kernels
//
// Every kernel has a portable Go version, its twin, which defines its result and which
// the tests hold the others to; where the CPU allows, an assembly version replaces it:
//
//   - amd64 (AVX2 + FMA, F16C): the float dot products (dot_amd64.s), the integer
//     products of Q8_0, Q4_0, Q5_0 and Q2_K–Q6_K by one vector (dotq_amd64.s; Q8_0 and
//     Q4_0 four rows at a time, in the four-vector kernels' order; with AVX-512 VNNI,
//     dotq_vnni_amd64.s: Q8_0 in the order of the VNNI four-vector kernel, Q4_K and Q6_K
//     with the AVX2 kernels' bits in fewer instructions), by four
//     (dotqx4_amd64.s: Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K; Q8_0 with AVX-512 VNNI in
//     dotqx4_vnni_amd64.s) and by sixteen (dotqx16_amd64.s: Q8_0, Q5_0, Q4_K), the
//     quantization of the vectors (input_amd64.s), the four-vector float products of
//     attention (f32x4_amd64.s), AxpyF32 (axpy_amd64.s), ExpF32 and SwiGLU
//     (exp_amd64.s).
//   - arm64 (NEON, and the dot-product instructions SDOT): the float dot products
//     (dot_arm64.s) and the integer products of Q8_0, Q4_0 and Q2_K–Q6_K by one vector
//     (dotq_arm64.s).
//   - riscv64 (RVV 1.0): the same as arm64 (dot_riscv64.s, dotq_riscv64.s).
//
// Elsewhere, and with the noasm build tag on any architecture (as the standard library's
// purego), no assembly is compiled and the _noasm.go files supply the portable kernels.
//
// A [Kernels] value chooses the kernels: [CPUKernels] is every one this CPU can run, read
// once when the package initialises; [Kernels.Narrow] turns some off ("generic", "avx2").
// The caller passes it: to [Input.Prepare] (MulInput runs the kernels its Input was
// prepared with) and as the receiver of the vector operations ([Kernels.DotF32], ...).
// The package-level functions, [Matrix.MulVec] and [Matrix.MulMat] run CPUKernels. The
// package reads no environment and holds no mutable state.
//
// # Files
//
//   - doc.go, matrix.go (the Matrix interface and its argument checks), dense.go,
//     fp8block.go, block.go (the three kinds of Matrix), view.go (float32 views of bytes).
//   - dtype.go (DType), format.go (the table of formats, keyed by DType, as ggml's
//     type_traits: name, block, GGUF id, the row operations and every integer kernel;
//     the block byte sizes), quantize.go.
//   - f16.go, bf16.go, e4m3.go: the scalar conversions; q8_0.go … q6_k.go, one per block
//     format: its layout, dequantization, float dot product and quantizer (after ggml's
//     ggml-quants.c); kquant_search.go, the K formats' scale search.
//   - kernels.go (Kernels, CPUKernels, Narrow) and kernels_$GOARCH.go (what the CPU has).
//   - input.go (Input: the vectors quantized to Q8_0 or Q8_K blocks).
//   - The kernels, one file per operation and width, with its assembly per architecture
//     beside it: dot.go (float dot products; the twins in dot_generic.go), dotq (integer,
//     one vector; twins in dotq_generic.go; dotq_rows_noasm.go runs the one-row kernels
//     row by row where no assembly takes several rows), dotqx4 (four vectors), dotqx16
//     (sixteen interleaved vectors: the layout in dotqx16.go, the twins in
//     dotqx16_generic.go), f32x4.go (four-vector float products of attention), axpy.go,
//     exp.go. dotq_amd64.h holds the tables and macros the amd64 integer kernels share.
package quant
