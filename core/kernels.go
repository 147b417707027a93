package core

import (
	"fmt"
	"os"

	"github.com/deepgo/deepgo/quant"
)

// kernels returns the kernels a model opened with o runs: all this CPU has, narrowed by
// o.Kernels or, where that is empty, by the DEEPGO_KERNELS environment variable ("generic",
// "avx2"), with the batch-variant kernels allowed if o.BatchVariant. It is the one place
// core reads that variable.
func (o Options) kernels() (quant.Kernels, error) {
	var k quant.Kernels
	var err error
	if o.Kernels != "" {
		k, err = quant.CPUKernels().Narrow(o.Kernels)
	} else if k, err = quant.CPUKernels().Narrow(os.Getenv("DEEPGO_KERNELS")); err != nil {
		err = fmt.Errorf("DEEPGO_KERNELS: %w", err)
	}
	if err != nil {
		return k, err
	}
	if o.BatchVariant {
		k = k.BatchVariant()
	}
	return k, nil
}

// Kernels returns the kernels the model computes with.
func (m *Model) Kernels() quant.Kernels { return m.pool.kernels }
