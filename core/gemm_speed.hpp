// The machine's limit for the benchmark: the speed of a double-precision matrix product C = A·B with
// Eigen, at the instruction-set level in use (core/isa.hpp), so that the engines' FLOP/s can be given
// as a fraction of what this processor does on the best-suited dense kernel.
#pragma once

namespace hds {

// GFLOP/s of C = A·B for n × n doubles (2 n³ flops) on `threads` threads (Eigen's own parallel
// product), the median of `repeat` timings after one warm-up. Sets Eigen::setNbThreads(threads).
double gemm_gflops(int n, int threads, int repeat);

}  // namespace hds
