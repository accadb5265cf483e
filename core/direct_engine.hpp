// The direct engine: W updated pattern by pattern, one rank-one step per presentation. Trains every
// rule, centering and protocol of the association kind.
#pragma once
#include <Eigen/Dense>
#include <cstdint>

#include "core/training_run.hpp"

namespace hds {

// The direct path: W updated pattern by pattern. Works for every rule and centering.
RunResult train_direct(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                       const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, uint64_t shuffle_seed);

}  // namespace hds
