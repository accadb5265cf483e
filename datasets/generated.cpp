// RAND and RANDN: generated patterns, fresh for every seed.
#include "datasets/generated.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/rng.hpp"

namespace hds::data {

// RAND: each element Bernoulli(p) in {0, 1}.
Eigen::MatrixXd RandPool::draw(int P, uint64_t seed) const {
  Rng rng(seed);
  Eigen::MatrixXd X(dim_, P);
  for (int p = 0; p < P; ++p)
    for (int i = 0; i < dim_; ++i) X(i, p) = rng.bernoulli(prob_) ? 1.0 : 0.0;
  return X;
}

std::string RandPool::describe() const { return fmt::format("RAND(dim={}, p={})", dim_, prob_); }

// RANDN: each element normal(mean, sd), clipped to [0, 1].
Eigen::MatrixXd RandnPool::draw(int P, uint64_t seed) const {
  Rng rng(seed);
  Eigen::MatrixXd X(dim_, P);
  for (int p = 0; p < P; ++p)
    for (int i = 0; i < dim_; ++i) X(i, p) = std::clamp(mean_ + sd_ * rng.normal(), 0.0, 1.0);
  return X;
}

std::string RandnPool::describe() const {
  return fmt::format("RANDN(dim={}, mean={}, sd={}, clipped to [0,1])", dim_, mean_, sd_);
}

}  // namespace hds::data
