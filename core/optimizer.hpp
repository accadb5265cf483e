// Optimizers for the network's layers: SGD with momentum and Adam, as PyTorch defines them.
// The spec holds hyper-parameters only; the state (velocity, moments) lives in one Optimizer per
// parameter array, built fresh for every run.
#pragma once
#include <Eigen/Core>
#include <string>

namespace hds {

enum class OptimizerKind { sgd, adam };

struct OptimizerSpec {
  OptimizerKind kind = OptimizerKind::sgd;
  double lr = 0.1;             // > 0
  double momentum = 0.0;       // sgd, in [0, 1)
  double beta1 = 0.9;          // adam, in [0, 1)
  double beta2 = 0.999;        // adam, in [0, 1)
  double eps = 1e-8;           // adam, > 0
  double weight_decay = 0.0;   // L2 added to the weights' gradient (torch's weight_decay); not on biases
};

bool optimizer_from_name(const std::string& name, OptimizerKind& kind);
std::string optimizer_name(OptimizerKind kind);

// The state of one parameter array θ (n elements). One step of PyTorch's definitions, g = ∇θ + ω θ
// (ω = weight_decay when `decayed`, else 0):
//   sgd:  v ← m v + g;  θ ← θ − lr v                    (torch: dampening 0, no Nesterov)
//   adam: m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²;  t ← t + 1
//         θ ← θ − (lr / (1 − β1ᵗ)) m / (sqrt(v) / sqrt(1 − β2ᵗ) + ε)
class Optimizer {
 public:
  Optimizer(const OptimizerSpec& spec, Eigen::Index n, bool decayed);
  // Call once per step before update(): advances t (Adam's bias correction).
  void begin_step();
  // Updates the elements [begin, begin + count) of θ from the same elements of the gradient.
  // Pieces of one step may run on different threads.
  void update(Eigen::Index begin, Eigen::Index count, double* theta, const double* grad);

 private:
  OptimizerSpec spec_;
  double decay_;
  Eigen::ArrayXd s1_, s2_;  // sgd: velocity; adam: first and second moments
  long t_ = 0;
  double step_size_ = 0.0, sqrt_bc2_ = 1.0;
};

}  // namespace hds
