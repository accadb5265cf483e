// The double GEMM speed (see gemm_speed.hpp).
#include "core/gemm_speed.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <vector>

#include "core/isa_kernels.hpp"
#include "core/rng.hpp"

namespace hds {

double gemm_gflops(int n, int threads, int repeat) {
  HDS_ISA_FORWARD(gemm_gflops, (n, threads, repeat));
  Eigen::setNbThreads(threads);
  Rng rng(7);
  Eigen::MatrixXd A(n, n), B(n, n), C(n, n);
  for (Eigen::Index i = 0; i < A.size(); ++i) A.data()[i] = rng.uniform(-1, 1);
  for (Eigen::Index i = 0; i < B.size(); ++i) B.data()[i] = rng.uniform(-1, 1);
  C.noalias() = A * B;
  std::vector<double> s;
  for (int r = 0; r < std::max(repeat, 1); ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    C.noalias() = A * B;
    s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(s.begin(), s.end());
  return 2.0 * n * n * static_cast<double>(n) / s[s.size() / 2] * 1e-9;
}

}  // namespace hds
