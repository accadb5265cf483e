// Activation functions h = φ(a) of the output layer, with their derivatives.
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

namespace hds {

enum class ActivationKind {
  linear,              // φ(a) = a
  sigmoid,             // φ(a) = 1 / (1 + e^−a)
  step,                // φ(a) = 1 if a > 0 else 0;           φ′ = 0
  rectifier,           // φ(a) = max(0, a)
  leaky_rectifier,     // φ(a) = a if a > 0 else α a          (α = 0.01)
  exponential_linear,  // φ(a) = a if a > 0 else α (e^a − 1)  (α = 1)
  tanh,                // φ(a) = tanh a
  scaled_tanh,         // φ(a) = α tanh a                     (α = 1.7159, our default)
  softplus,            // φ(a) = ln(1 + e^a)
  selu,                // φ(a) = λ a if a > 0 else λ α (e^a − 1)  (λ = 1.0507, α = 1.67326)
  softmax,             // h_j = e^{a_j} / Σ_k e^{a_k}           (a layer: couples the units)
};

struct Activation {
  ActivationKind kind = ActivationKind::sigmoid;
  double alpha = 0.0;   // leaky_rectifier, exponential_linear, scaled_tanh, selu
  double lambda = 0.0;  // selu

  // An activation with the default parameters of its kind.
  static Activation make(ActivationKind kind);

  // h = φ(a), elementwise (softmax: over the whole vector). Columns of a matrix are patterns.
  void apply(const Eigen::Ref<const Eigen::MatrixXd>& a, Eigen::Ref<Eigen::MatrixXd> h) const;
  Eigen::VectorXd operator()(const Eigen::VectorXd& a) const;

  // The error signal of gradient descent on the squared error for one pattern:
  // δ = J_φ(a)ᵀ (t − h), i.e. (t − h) ⊙ φ′(a) for elementwise φ, and the softmax Jacobian product.
  // Takes both a and h so that cheap derivatives (sigmoid, tanh) reuse the output.
  void gd_signal(const Eigen::VectorXd& a, const Eigen::VectorXd& h, const Eigen::VectorXd& err,
                 Eigen::VectorXd& delta) const;

  // φ′(a) for an elementwise activation (softmax: the diagonal of its Jacobian).
  double deriv(double a, double h) const;

  bool elementwise() const { return kind != ActivationKind::softmax; }
  std::string name() const;
};

// "sigmoid" -> ActivationKind::sigmoid; false when the name is unknown.
bool activation_from_name(const std::string& name, ActivationKind& kind);
const std::vector<std::string>& activation_names();

}  // namespace hds
