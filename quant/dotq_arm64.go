//go:build !noasm

package quant

// The arm64 integer kernels (dotq_arm64.s): each format but Q5_0 has a plain NEON version
// (SMULL and SMLAL to 16 bits, SADALP to 32: Cortex-A72, the Raspberry Pi 4) and one with
// the ASIMD dot product (SDOT: Cortex-A76 and newer, Graviton 2+, Apple), run with Kernels
// that have extNEON and extDotProd. They take the integers exactly as the generic kernels
// do and sum the floats block by block in the same order. A row or input shorter than d's
// blocks need goes to the generic kernel, which panics. (Q3_K and Q6_K do not read the
// sums.) Q5_0 runs the generic kernel; the rows and four-vector forms run these a row and
// a vector at a time (dotq_rows_noasm.go, dotqx4_noasm.go).

//go:noescape
func dotQ8_0Q8NEON(w []byte, q []int8, d []float32) float32

//go:noescape
func dotQ8_0Q8SDOT(w []byte, q []int8, d []float32) float32

//go:noescape
func dotQ4_0Q8NEON(w []byte, q []int8, d []float32) float32

//go:noescape
func dotQ4_0Q8SDOT(w []byte, q []int8, d []float32) float32

//go:noescape
func dotQ2_KQ8KNEON(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ2_KQ8KSDOT(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ3_KQ8KNEON(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ3_KQ8KSDOT(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ4_KQ8KNEON(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ4_KQ8KSDOT(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ5_KQ8KNEON(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ5_KQ8KSDOT(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ6_KQ8KNEON(w []byte, q []int8, d []float32, s []int16) float32

//go:noescape
func dotQ6_KQ8KSDOT(w []byte, q []int8, d []float32, s []int16) float32

// fits32 reports whether w and q hold len(d) blocks of bb bytes and 32 values.
func fits32(w []byte, q []int8, d []float32, bb int) bool {
	n := len(d)
	return n > 0 && len(w)/bb >= n && len(q)/qk >= n
}

// fitsK reports whether w, q and s hold len(d) super-blocks of bb bytes, 256 values
// and (if sums) 16 sums.
func fitsK(w []byte, q []int8, d []float32, s []int16, bb int, sums bool) bool {
	n := len(d)
	return n > 0 && len(w)/bb >= n && len(q)/qkK >= n && (!sums || len(s)/(qkK/16) >= n)
}

func (k Kernels) dotQ8_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	if fits32(w, q, d, blockBytesQ8_0) {
		if k.has(extDotProd) {
			return dotQ8_0Q8SDOT(w, q, d)
		}
		if k.has(extNEON) {
			return dotQ8_0Q8NEON(w, q, d)
		}
	}
	return dotQ8_0Q8Generic(w, q, d)
}

func (k Kernels) dotQ4_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	if fits32(w, q, d, blockBytesQ4_0) {
		if k.has(extDotProd) {
			return dotQ4_0Q8SDOT(w, q, d)
		}
		if k.has(extNEON) {
			return dotQ4_0Q8NEON(w, q, d)
		}
	}
	return dotQ4_0Q8Generic(w, q, d)
}

func (Kernels) dotQ5_0Q8(w []byte, q []int8, d []float32, _ []int16) float32 {
	return dotQ5_0Q8Generic(w, q, d)
}

func (k Kernels) dotQ2_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if fitsK(w, q, d, s, blockBytesQ2_K, true) {
		if k.has(extDotProd) {
			return dotQ2_KQ8KSDOT(w, q, d, s)
		}
		if k.has(extNEON) {
			return dotQ2_KQ8KNEON(w, q, d, s)
		}
	}
	return dotQ2_KQ8KGeneric(w, q, d, s)
}

func (k Kernels) dotQ3_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if fitsK(w, q, d, s, blockBytesQ3_K, false) {
		if k.has(extDotProd) {
			return dotQ3_KQ8KSDOT(w, q, d, s)
		}
		if k.has(extNEON) {
			return dotQ3_KQ8KNEON(w, q, d, s)
		}
	}
	return dotQ3_KQ8KGeneric(w, q, d, s)
}

func (k Kernels) dotQ4_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if fitsK(w, q, d, s, blockBytesQ4_K, true) {
		if k.has(extDotProd) {
			return dotQ4_KQ8KSDOT(w, q, d, s)
		}
		if k.has(extNEON) {
			return dotQ4_KQ8KNEON(w, q, d, s)
		}
	}
	return dotQ4_KQ8KGeneric(w, q, d, s)
}

func (k Kernels) dotQ5_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if fitsK(w, q, d, s, blockBytesQ5_K, true) {
		if k.has(extDotProd) {
			return dotQ5_KQ8KSDOT(w, q, d, s)
		}
		if k.has(extNEON) {
			return dotQ5_KQ8KNEON(w, q, d, s)
		}
	}
	return dotQ5_KQ8KGeneric(w, q, d, s)
}

func (k Kernels) dotQ6_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if fitsK(w, q, d, s, blockBytesQ6_K, false) {
		if k.has(extDotProd) {
			return dotQ6_KQ8KSDOT(w, q, d, s)
		}
		if k.has(extNEON) {
			return dotQ6_KQ8KNEON(w, q, d, s)
		}
	}
	return dotQ6_KQ8KGeneric(w, q, d, s)
}
