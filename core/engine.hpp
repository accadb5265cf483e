// Which engine trains a run of the association kind, chosen in one place for `hds run`, the sweeper
// and the benchmark: the direct engine (direct_engine.hpp), the Gram engine (gram_engine.hpp) or the
// blocked engine (blocked_engine.hpp).
#pragma once
#include <Eigen/Dense>
#include <cstdint>

#include "core/blocked_engine.hpp"
#include "core/direct_engine.hpp"
#include "core/gram_engine.hpp"
#include "core/training_run.hpp"

namespace hds {

// The estimated time of a run on each engine (arbitrary units; see engine.cpp for the operation
// counts and the measured speeds that weigh them). `gram` is meaningful only when gram_supported.
struct EngineCosts {
  double direct = 0, gram = 0, blocked = 0;
  bool gram_supported = false;
};
EngineCosts engine_costs(const TrainSpec& spec, int P, int n_in, int n_out, bool gram_shared);

// The engine for a run of this shape: spec.engine when it names one (throws std::invalid_argument
// when it names gram for a spec the Gram engine cannot train), else the cheapest by engine_costs.
// `gram_shared`: the GramData is built once and shared by many runs (the sweeper), so its cost is
// left out; false when it would be built for this run alone.
EngineKind choose_engine(const TrainSpec& spec, int P, int n_in, int n_out, bool gram_shared);

// Trains from (W0, b0) on the pairs (X.col(p), T.col(p)), p = 0..P−1 in sequence order.
// X: n_in × P, T: n_out × P. `shuffle_seed` is used only when spec.reshuffle.
// Never throws on divergence: the run is marked diverged and scored with diverged_error.
// The engine is choose_engine(spec, P, n_in, n_out, false)'s.
RunResult train(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, uint64_t shuffle_seed);

// One run of many that share their repetition's data (the sweeper, the benchmark): on `gram` when
// choose_engine(spec, …, true) picks it (gram must then be the repetition's GramData, built by the
// caller when any run of it wants gram), else on the blocked or direct engine from the given data.
// `final_weights` false lets the Gram engine skip rebuilding W (RunResult::W then empty).
RunResult train_shared(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                       const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, const GramData* gram,
                       uint64_t shuffle_seed, bool final_weights);

}  // namespace hds
