// Initial weights: glorot (the authors' default), zero, or normal(σ). Bias always starts at 0.
// (`from`, continuing from an earlier result file, is read by tools/ and passed in as W₀, b₀.)
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <string>

namespace hds {

enum class InitKind { glorot, zero, normal, from };

struct InitSpec {
  InitKind kind = InitKind::glorot;
  double sigma = 0.01;     // normal
  std::string file;        // from: result file
  int repetition = -1;     // from: which repetition's final weights (-1: the same repetition)
};

// W (n_in × n_out) and b (n_out) for one repetition, a fixed function of (spec, shapes, seed).
//   glorot: W_ij ~ U(−r, r), r = sqrt(6 / (n_in + n_out));  zero: W = 0;  normal: W_ij ~ N(0, σ²).
void init_weights(const InitSpec& spec, int n_in, int n_out, uint64_t seed, Eigen::MatrixXd& W,
                  Eigen::VectorXd& b);

std::string init_name(InitKind kind);

}  // namespace hds
