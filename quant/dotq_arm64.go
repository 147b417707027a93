//go:build arm64

package quant

// The arm64 integer kernels (dotq_arm64.s): each format has a plain NEON version (SMULL and
// SMLAL to 16 bits, SADALP to 32: Cortex-A72, the Raspberry Pi 4) and one with the ASIMD
// dot product (SDOT: Cortex-A76 and newer, Graviton 2+, Apple). They take the integers
// exactly as the generic kernels do and sum the floats block by block in the same order.
// A row or input shorter than d's blocks need goes to the generic kernel, which panics.
// (Q3_K and Q6_K do not read the sums.)

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
	return n > 0 && len(w)/bb >= n && len(q)/32 >= n
}

// fitsK reports whether w, q and s hold len(d) super-blocks of bb bytes, 256 values
// and (if sums) 16 sums.
func fitsK(w []byte, q []int8, d []float32, s []int16, bb int, sums bool) bool {
	n := len(d)
	return n > 0 && len(w)/bb >= n && len(q)/256 >= n && (!sums || len(s)/16 >= n)
}

func dotQ8_0Q8(w []byte, q []int8, d []float32) float32 {
	if fits32(w, q, d, 34) {
		if cpu.dotprod {
			return dotQ8_0Q8SDOT(w, q, d)
		}
		if cpu.asimd {
			return dotQ8_0Q8NEON(w, q, d)
		}
	}
	return dotQ8_0Q8Generic(w, q, d)
}

func dotQ4_0Q8(w []byte, q []int8, d []float32) float32 {
	if fits32(w, q, d, 18) {
		if cpu.dotprod {
			return dotQ4_0Q8SDOT(w, q, d)
		}
		if cpu.asimd {
			return dotQ4_0Q8NEON(w, q, d)
		}
	}
	return dotQ4_0Q8Generic(w, q, d)
}

func dotQ2_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if fitsK(w, q, d, s, 84, true) {
		if cpu.dotprod {
			return dotQ2_KQ8KSDOT(w, q, d, s)
		}
		if cpu.asimd {
			return dotQ2_KQ8KNEON(w, q, d, s)
		}
	}
	return dotQ2_KQ8KGeneric(w, q, d, s)
}

func dotQ3_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if fitsK(w, q, d, s, 110, false) {
		if cpu.dotprod {
			return dotQ3_KQ8KSDOT(w, q, d, s)
		}
		if cpu.asimd {
			return dotQ3_KQ8KNEON(w, q, d, s)
		}
	}
	return dotQ3_KQ8KGeneric(w, q, d, s)
}

func dotQ4_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if fitsK(w, q, d, s, 144, true) {
		if cpu.dotprod {
			return dotQ4_KQ8KSDOT(w, q, d, s)
		}
		if cpu.asimd {
			return dotQ4_KQ8KNEON(w, q, d, s)
		}
	}
	return dotQ4_KQ8KGeneric(w, q, d, s)
}

func dotQ5_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if fitsK(w, q, d, s, 176, true) {
		if cpu.dotprod {
			return dotQ5_KQ8KSDOT(w, q, d, s)
		}
		if cpu.asimd {
			return dotQ5_KQ8KNEON(w, q, d, s)
		}
	}
	return dotQ5_KQ8KGeneric(w, q, d, s)
}

func dotQ6_KQ8K(w []byte, q []int8, d []float32, s []int16) float32 {
	if fitsK(w, q, d, s, 210, false) {
		if cpu.dotprod {
			return dotQ6_KQ8KSDOT(w, q, d, s)
		}
		if cpu.asimd {
			return dotQ6_KQ8KNEON(w, q, d, s)
		}
	}
	return dotQ6_KQ8KGeneric(w, q, d, s)
}
