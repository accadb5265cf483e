// Initial weights (see init.hpp).
#include "core/init.hpp"

#include <cmath>
#include <stdexcept>

#include "core/rng.hpp"

namespace hds {

void init_weights(const InitSpec& spec, int n_in, int n_out, uint64_t seed, Eigen::MatrixXd& W,
                  Eigen::VectorXd& b) {
  W.resize(n_in, n_out);
  b = Eigen::VectorXd::Zero(n_out);
  Rng rng(seed);
  switch (spec.kind) {
    case InitKind::glorot: {
      const double r = std::sqrt(6.0 / (n_in + n_out));
      // Column-major fill order: element (i, j) is draw number j * n_in + i.
      for (int j = 0; j < n_out; ++j)
        for (int i = 0; i < n_in; ++i) W(i, j) = rng.uniform(-r, r);
      return;
    }
    case InitKind::zero: W.setZero(); return;
    case InitKind::normal:
      for (int j = 0; j < n_out; ++j)
        for (int i = 0; i < n_in; ++i) W(i, j) = spec.sigma * rng.normal();
      return;
    case InitKind::from:
      throw std::logic_error("init 'from' is resolved by the caller, not by init_weights");
  }
}

std::string init_name(InitKind kind) {
  switch (kind) {
    case InitKind::glorot: return "glorot";
    case InitKind::zero: return "zero";
    case InitKind::normal: return "normal";
    case InitKind::from: return "from";
  }
  return "?";
}

}  // namespace hds
