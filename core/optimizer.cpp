// SGD with momentum and Adam (see optimizer.hpp).
#include "core/optimizer.hpp"

#include <cmath>

namespace hds {

bool optimizer_from_name(const std::string& name, OptimizerKind& kind) {
  if (name == "sgd") kind = OptimizerKind::sgd;
  else if (name == "adam") kind = OptimizerKind::adam;
  else return false;
  return true;
}

std::string optimizer_name(OptimizerKind kind) { return kind == OptimizerKind::sgd ? "sgd" : "adam"; }

Optimizer::Optimizer(const OptimizerSpec& spec, Eigen::Index n, bool decayed)
    : spec_(spec), decay_(decayed ? spec.weight_decay : 0.0), s1_(Eigen::ArrayXd::Zero(n)) {
  if (spec.kind == OptimizerKind::adam) s2_ = Eigen::ArrayXd::Zero(n);
}

void Optimizer::begin_step() {
  ++t_;
  if (spec_.kind == OptimizerKind::adam) {
    step_size_ = spec_.lr / (1.0 - std::pow(spec_.beta1, static_cast<double>(t_)));
    sqrt_bc2_ = std::sqrt(1.0 - std::pow(spec_.beta2, static_cast<double>(t_)));
  }
}

void Optimizer::update(Eigen::Index begin, Eigen::Index count, double* theta, const double* grad) {
  Eigen::Map<Eigen::ArrayXd> th(theta + begin, count);
  Eigen::Map<const Eigen::ArrayXd> gr(grad + begin, count);
  auto s1 = s1_.segment(begin, count);
  if (spec_.kind == OptimizerKind::sgd) {
    if (spec_.momentum == 0.0) {
      if (decay_ == 0.0) th -= spec_.lr * gr;
      else th -= spec_.lr * (gr + decay_ * th);
      return;
    }
    if (decay_ == 0.0) s1 = spec_.momentum * s1 + gr;
    else s1 = spec_.momentum * s1 + (gr + decay_ * th);
    th -= spec_.lr * s1;
    return;
  }
  auto s2 = s2_.segment(begin, count);
  const double b1 = spec_.beta1, b2 = spec_.beta2;
  if (decay_ == 0.0) {
    s1 = b1 * s1 + (1.0 - b1) * gr;
    s2 = b2 * s2 + (1.0 - b2) * gr.square();
  } else {
    s1 = b1 * s1 + (1.0 - b1) * (gr + decay_ * th);
    s2 = b2 * s2 + (1.0 - b2) * (gr + decay_ * th).square();
  }
  th -= step_size_ * s1 / (s2.sqrt() / sqrt_bc2_ + spec_.eps);
}

}  // namespace hds
