// Activation functions and their derivatives (formulas in activation.hpp).
#include "core/activation.hpp"

#include <cmath>

namespace hds {
namespace {

const std::vector<std::string> kNames = {
    "linear", "sigmoid", "step", "rectifier", "leaky_rectifier", "exponential_linear",
    "tanh",   "scaled_tanh", "softplus", "selu", "softmax"};

double sigmoid(double a) {
  // Split by sign so that e^x never overflows.
  if (a >= 0) return 1.0 / (1.0 + std::exp(-a));
  const double e = std::exp(a);
  return e / (1.0 + e);
}

double softplus(double a) { return a > 0 ? a + std::log1p(std::exp(-a)) : std::log1p(std::exp(a)); }

}  // namespace

Activation Activation::make(ActivationKind kind) {
  Activation f;
  f.kind = kind;
  switch (kind) {
    case ActivationKind::leaky_rectifier: f.alpha = 0.01; break;
    case ActivationKind::exponential_linear: f.alpha = 1.0; break;
    case ActivationKind::scaled_tanh: f.alpha = 1.7159; break;
    case ActivationKind::selu: f.alpha = 1.67326; f.lambda = 1.0507; break;
    default: break;
  }
  return f;
}

void Activation::apply(const Eigen::Ref<const Eigen::MatrixXd>& a, Eigen::Ref<Eigen::MatrixXd> h) const {
  switch (kind) {
    case ActivationKind::linear: h = a; return;
    case ActivationKind::sigmoid: h = a.unaryExpr([](double x) { return sigmoid(x); }); return;
    case ActivationKind::step: h = a.unaryExpr([](double x) { return x > 0 ? 1.0 : 0.0; }); return;
    case ActivationKind::rectifier: h = a.cwiseMax(0.0); return;
    case ActivationKind::leaky_rectifier: {
      const double al = alpha;
      h = a.unaryExpr([al](double x) { return x > 0 ? x : al * x; });
      return;
    }
    case ActivationKind::exponential_linear: {
      const double al = alpha;
      h = a.unaryExpr([al](double x) { return x > 0 ? x : al * std::expm1(x); });
      return;
    }
    case ActivationKind::tanh: h = a.array().tanh(); return;
    case ActivationKind::scaled_tanh: h = alpha * a.array().tanh(); return;
    case ActivationKind::softplus: h = a.unaryExpr([](double x) { return softplus(x); }); return;
    case ActivationKind::selu: {
      const double al = alpha, la = lambda;
      h = a.unaryExpr([al, la](double x) { return x > 0 ? la * x : la * al * std::expm1(x); });
      return;
    }
    case ActivationKind::softmax:
      for (Eigen::Index c = 0; c < a.cols(); ++c) {
        const double m = a.col(c).maxCoeff();  // shift for stability; a non-finite max stays non-finite
        h.col(c) = (a.col(c).array() - m).exp();
        h.col(c) /= h.col(c).sum();
      }
      return;
  }
}

Eigen::VectorXd Activation::operator()(const Eigen::VectorXd& a) const {
  Eigen::VectorXd h(a.size());
  apply(a, h);
  return h;
}

double Activation::deriv(double a, double h) const {
  switch (kind) {
    case ActivationKind::linear: return 1.0;
    case ActivationKind::sigmoid: return h * (1.0 - h);
    case ActivationKind::step: return 0.0;
    case ActivationKind::rectifier: return a > 0 ? 1.0 : 0.0;
    case ActivationKind::leaky_rectifier: return a > 0 ? 1.0 : alpha;
    case ActivationKind::exponential_linear: return a > 0 ? 1.0 : alpha * std::exp(a);
    case ActivationKind::tanh: return 1.0 - h * h;
    case ActivationKind::scaled_tanh: return alpha - h * h / alpha;
    case ActivationKind::softplus: return sigmoid(a);
    case ActivationKind::selu: return a > 0 ? lambda : lambda * alpha * std::exp(a);
    case ActivationKind::softmax: return h * (1.0 - h);
  }
  return 0.0;
}

void Activation::gd_signal(const Eigen::VectorXd& a, const Eigen::VectorXd& h, const Eigen::VectorXd& err,
                           Eigen::VectorXd& delta) const {
  if (kind == ActivationKind::softmax) {
    // J = diag(h) − h hᵀ is symmetric: δ = h ⊙ (err − hᵀerr).
    const double s = h.dot(err);
    delta = h.array() * (err.array() - s);
    return;
  }
  delta.resize(a.size());
  for (Eigen::Index j = 0; j < a.size(); ++j) delta[j] = err[j] * deriv(a[j], h[j]);
}

std::string Activation::name() const { return kNames[static_cast<int>(kind)]; }

bool activation_from_name(const std::string& name, ActivationKind& kind) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) {
      kind = static_cast<ActivationKind>(i);
      return true;
    }
  return false;
}

const std::vector<std::string>& activation_names() { return kNames; }

}  // namespace hds
