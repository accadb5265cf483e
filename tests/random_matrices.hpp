// Seeded test matrices shared by the unit tests: a fixed function of (shape, seed), filled column by
// column from core/rng.hpp's Rng.
#pragma once
#include <Eigen/Dense>
#include <cstdint>

#include "core/rng.hpp"

namespace hds::test {

// Entries uniform in [lo, hi).
inline Eigen::MatrixXd uniform_matrix(int r, int c, uint64_t seed, double lo = 0.0, double hi = 1.0) {
  Rng rng(seed);
  Eigen::MatrixXd m(r, c);
  for (int j = 0; j < c; ++j)
    for (int i = 0; i < r; ++i) m(i, j) = rng.uniform(lo, hi);
  return m;
}

// Entries 1 with probability p, else 0.
inline Eigen::MatrixXd binary_matrix(int r, int c, uint64_t seed, double p = 0.5) {
  Rng rng(seed);
  Eigen::MatrixXd m(r, c);
  for (int j = 0; j < c; ++j)
    for (int i = 0; i < r; ++i) m(i, j) = rng.bernoulli(p);
  return m;
}

}  // namespace hds::test
