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

// The array forms below use only operations Eigen vectorises for double (+, −, ×, ÷, min, max, exp,
// log; Eigen 3.4 has no packet expm1, log1p, tanh or select for double). min(x, 0) and max(x, 0)
// return x when x is NaN, so NaN inputs give NaN outputs, which the divergence checks rely on.

// σ(a) = 1 / (1 + e^−a): e^−a = +inf for a ≪ 0 gives exactly 0, never NaN.
template <typename In, typename Out>
void sigmoid_array(const In& a, Out&& h) {
  h = 1.0 / (1.0 + (-a).exp());
}

// φ(a) = max(a, 0) + α expm1(min(a, 0)). With x = min(a, 0) and u = e^x (rounded),
//     expm1(x) = (u − 1) − u (ln u − x)
// corrects u's rounding to first order (u − 1 is exact for u ∈ [½, 1]), so small |x| keep their
// relative precision; x is floored at −700 (expm1 = −1 there already, and e^x is still a normal
// number, so ln u is finite) so that −inf gives −α.
template <typename In, typename Out>
void elu_array(const In& a, double scale_pos, double scale_neg, Out&& h) {
  h = a.min(0.0).max(-700.0).exp();
  h = scale_pos * a.max(0.0) + scale_neg * ((h - 1.0) - h * (h.log() - a.min(0.0).max(-700.0)));
}

// ln(1 + e^a) = max(a, 0) + log1p(e), e = e^−|a| ∈ (0, 1]. With v = 1 + e (rounded),
//     log1p(e) = ln v − ((v − 1) − e) / v
// corrects v's rounding to first order, so tiny e (a ≪ 0) keep their relative precision.
template <typename In, typename Out>
void softplus_array(const In& a, Out&& h) {
  h = (-a.abs()).exp();
  h = a.max(0.0) + ((1.0 + h).log() - ((1.0 + h - 1.0) - h) / (1.0 + h));
}

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
    case ActivationKind::sigmoid: sigmoid_array(a.array(), h.array()); return;
    case ActivationKind::step: h = (a.array() > 0.0).cast<double>(); return;
    case ActivationKind::rectifier: h = a.cwiseMax(0.0); return;
    case ActivationKind::leaky_rectifier:  // max(a, 0) + α min(a, 0)
      h = a.array().max(0.0) + alpha * a.array().min(0.0);
      return;
    case ActivationKind::exponential_linear: elu_array(a.array(), 1.0, alpha, h.array()); return;
    case ActivationKind::tanh: h = a.array().tanh(); return;
    case ActivationKind::scaled_tanh: h = alpha * a.array().tanh(); return;
    case ActivationKind::softplus: softplus_array(a.array(), h.array()); return;
    case ActivationKind::selu: elu_array(a.array(), lambda, lambda * alpha, h.array()); return;
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
  // δ = err ⊙ φ′(a) with deriv()'s formulas, as whole-vector expressions.
  delta.resize(a.size());
  const auto A = a.array(), H = h.array(), E = err.array();
  auto D = delta.array();
  switch (kind) {
    case ActivationKind::linear: D = E; return;
    case ActivationKind::sigmoid: D = E * (H * (1.0 - H)); return;
    case ActivationKind::step: D.setZero(); return;
    case ActivationKind::rectifier: D = (A > 0.0).select(E, 0.0); return;
    case ActivationKind::leaky_rectifier: D = (A > 0.0).select(E, E * alpha); return;
    case ActivationKind::exponential_linear:  // φ′ = 1 for a > 0, α e^a otherwise
    case ActivationKind::selu: {              // φ′ = λ for a > 0, λ α e^a otherwise
      const bool elu = kind == ActivationKind::exponential_linear;
      const double pos = elu ? 1.0 : lambda, neg = elu ? alpha : lambda * alpha;
      D = neg * A.min(0.0).exp();
      D = (A > 0.0).select(E * pos, E * D);
      return;
    }
    case ActivationKind::tanh: D = E * (1.0 - H * H); return;
    case ActivationKind::scaled_tanh: D = E * (alpha - H * H / alpha); return;
    case ActivationKind::softplus:  // φ′ = σ(a)
      sigmoid_array(A, D);
      D = E * D;
      return;
    case ActivationKind::softmax: {
      // J = diag(h) − h hᵀ is symmetric: δ = h ⊙ (err − hᵀerr).
      const double s = h.dot(err);
      D = H * (E - s);
      return;
    }
  }
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
