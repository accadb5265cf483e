// The choice of engine (see engine.hpp).
#include "core/engine.hpp"

#include <stdexcept>

namespace hds {

EngineKind choose_engine(const TrainSpec& spec, int P, int n_in, int n_out, bool gram_shared) {
  const bool supported = gram_supports(spec);
  switch (spec.engine) {
    case EngineKind::direct: return EngineKind::direct;
    case EngineKind::gram:
      if (!supported)
        throw std::invalid_argument("engine 'gram' needs centering 'none' or 'dataset' (this run: centering '" +
                                    centering_name(spec.centering) + "'); use engine 'auto' or 'direct'");
      return EngineKind::gram;
    case EngineKind::auto_select: break;
  }
  return supported && gram_preferred(spec, P, n_in, n_out, gram_shared) ? EngineKind::gram : EngineKind::direct;
}

RunResult train(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, uint64_t shuffle_seed) {
  const int P = static_cast<int>(X.cols()), n_in = static_cast<int>(X.rows()), n_out = static_cast<int>(T.rows());
  if (choose_engine(spec, P, n_in, n_out, false) == EngineKind::direct)
    return train_direct(spec, X, T, W0, b0, shuffle_seed);
  return train_gram(spec, *prepare_gram(X, T, W0, b0, spec.centering), shuffle_seed);
}

RunResult train_shared(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                       const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, const GramData* gram,
                       uint64_t shuffle_seed, bool final_weights) {
  const int P = static_cast<int>(X.cols()), n_in = static_cast<int>(X.rows()), n_out = static_cast<int>(T.rows());
  if (gram && choose_engine(spec, P, n_in, n_out, true) == EngineKind::gram)
    return train_gram(spec, *gram, shuffle_seed, final_weights);
  return train_direct(spec, X, T, W0, b0, shuffle_seed);
}

}  // namespace hds
