package core

import (
	"fmt"
	"os"

	"github.com/deepgo/deepgo/quant"
)

// kernels returns the kernels a model opened with o runs: all this CPU has, narrowed by
// o.Kernels or, where that is empty, by the DEEPGO_KERNELS environment variable ("generic",
// "avx2"). It is the one place core reads that variable.
func (o Options) kernels() (quant.Kernels, error) {
	if o.Kernels != "" {
		return quant.CPUKernels().Narrow(o.Kernels)
	}
	k, err := quant.CPUKernels().Narrow(os.Getenv("DEEPGO_KERNELS"))
	if err != nil {
		return k, fmt.Errorf("DEEPGO_KERNELS: %w", err)
	}
	return k, nil
}

// Kernels returns the kernels the model computes with.
func (m *Model) Kernels() quant.Kernels { return m.pool.kernels }
