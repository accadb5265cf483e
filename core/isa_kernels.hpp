// The entry points of the per-level kernel builds (see isa.hpp). Each level's object defines these
// functions in namespace hds_isa_<level> (core/isa_entry.cpp); the baseline functions of the same name
// forward to the table of the level in use (HDS_ISA_DISPATCH at their top).
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

#include "core/autoassociation.hpp"
#include "core/gram_engine.hpp"
#include "core/network_trainer.hpp"
#include "core/training_run.hpp"

// F(return type, name, parameters, arguments) for every kernel entry point.
#define HDS_ISA_KERNELS(F)                                                                                       \
  F(::hds::RunResult, train_direct,                                                                              \
    (const ::hds::TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T, const Eigen::MatrixXd& W0, \
     const Eigen::VectorXd& b0, uint64_t shuffle_seed),                                                          \
    (spec, X, T, W0, b0, shuffle_seed))                                                                          \
  F(::hds::RunResult, train_blocked,                                                                             \
    (const ::hds::TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T, const Eigen::MatrixXd& W0, \
     const Eigen::VectorXd& b0, uint64_t shuffle_seed, int block),                                               \
    (spec, X, T, W0, b0, shuffle_seed, block))                                                                   \
  F(::hds::RunResult, train_gram,                                                                                \
    (const ::hds::TrainSpec& spec, const ::hds::GramData& g, uint64_t shuffle_seed, bool final_weights),        \
    (spec, g, shuffle_seed, final_weights))                                                                      \
  F(std::shared_ptr<const ::hds::GramData>, prepare_gram,                                                        \
    (const Eigen::MatrixXd& X, const Eigen::MatrixXd& T, const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0,   \
     ::hds::Centering centering),                                                                                \
    (X, T, W0, b0, centering))                                                                                   \
  F(double, gemm_gflops, (int n, int threads, int repeat), (n, threads, repeat))                                \
  F(::hds::NetworkResult, train_network,                                                                         \
    (const ::hds::NetworkTrainSpec& spec, const ::hds::LabelledSet& train, const ::hds::LabelledSet& validation,   \
     const ::hds::LabelledSet& test, ::hds::NetworkParams initial, uint64_t seed,                                 \
     const std::function<void(const ::hds::EpochMetrics&)>& on_epoch),                                          \
    (spec, train, validation, test, std::move(initial), seed, on_epoch))                                         \
  F(bool, network_learner_step,                                                                                  \
    (::hds::NetworkLearner & learner, const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::MatrixXd& T),     \
    (learner, X, T))                                                                                             \
  F(::hds::AutoResult, train_autoassociation,                                                                    \
    (const ::hds::AutoSpec& spec, const Eigen::MatrixXd& X_train, const Eigen::MatrixXd& X_heldout,             \
     const ::hds::AutoParams& initial, uint64_t seed, const Eigen::MatrixXd* principal),                         \
    (spec, X_train, X_heldout, initial, seed, principal))

#define HDS_ISA_DECLARE(ret, name, params, args) ret name params;

namespace hds {

// One level's entry points.
struct IsaKernels {
#define HDS_ISA_POINTER(ret, name, params, args) ret(*name) params;
  HDS_ISA_KERNELS(HDS_ISA_POINTER)
#undef HDS_ISA_POINTER
};

// The table of the level in use; nullptr for the baseline (the calling code itself). Throws as
// isa_level() does.
const IsaKernels* isa_kernels();

}  // namespace hds

// At the top of a baseline entry point: hand the call to the level in use. Compiled away in the
// level builds themselves (HDS_ISA_VARIANT), whose copies of these functions do the work.
#if defined(HDS_ISA_VARIANT) || !defined(HDS_ISA_DISPATCH)
#define HDS_ISA_FORWARD(name, args) \
  do {                              \
  } while (0)
#else
#define HDS_ISA_FORWARD(name, args)                                   \
  do {                                                                \
    if (const ::hds::IsaKernels* kernels_ = ::hds::isa_kernels()) \
      return kernels_->name args;                                    \
  } while (0)
#endif
