// The multi-layer network: forward pass, output signal and backprop (see network.hpp).
#include "core/network.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/init.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace hds {

bool output_rule_from_name(const std::string& name, OutputRule& r) {
  if (name == "hd") r = OutputRule::hd;
  else if (name == "gd") r = OutputRule::gd;
  else return false;
  return true;
}
std::string output_rule_name(OutputRule r) { return r == OutputRule::hd ? "hd" : "gd"; }

bool hidden_rule_from_name(const std::string& name, HiddenRule& r) {
  if (name == "backprop") r = HiddenRule::backprop;
  else if (name == "frozen") r = HiddenRule::frozen;
  else return false;
  return true;
}
std::string hidden_rule_name(HiddenRule r) { return r == HiddenRule::backprop ? "backprop" : "frozen"; }

bool layer_centering_from_name(const std::string& name, LayerCentering& c) {
  if (name == "none") c = LayerCentering::none;
  else if (name == "running") c = LayerCentering::running;
  else return false;
  return true;
}
std::string layer_centering_name(LayerCentering c) { return c == LayerCentering::none ? "none" : "running"; }

void check_network_spec(const NetworkSpec& spec) {
  if (spec.layers.size() < 2)
    throw UserError("layers: needs at least two sizes [inputs, classes], got " + std::to_string(spec.layers.size()));
  for (size_t i = 0; i < spec.layers.size(); ++i)
    if (spec.layers[i] < 1)
      throw UserError("layers[" + std::to_string(i) + "] = " + std::to_string(spec.layers[i]) +
                      ": every layer size must be at least 1");
  if (!spec.hidden.elementwise())
    throw UserError("hidden: softmax couples the units of a layer; use it as the output activation only");
}

NetworkParams glorot_params(const NetworkSpec& spec, uint64_t seed) {
  check_network_spec(spec);
  NetworkParams p;
  const int L = spec.num_layers();
  p.W.resize(L);
  p.b.resize(L);
  p.mu.resize(L);
  InitSpec glorot;
  glorot.kind = InitKind::glorot;
  for (int l = 0; l < L; ++l) {
    init_weights(glorot, spec.layers[l], spec.layers[l + 1], derive_seed(seed, {kInit, static_cast<uint64_t>(l)}),
                 p.W[l], p.b[l]);
    p.mu[l] = Eigen::VectorXd::Zero(spec.layers[l]);
  }
  return p;
}

void times_derivative(const Activation& phi, const Eigen::Ref<const Eigen::MatrixXd>& A,
                      const Eigen::Ref<const Eigen::MatrixXd>& H, Eigen::Ref<Eigen::MatrixXd> D) {
  auto a = A.array();
  auto h = H.array();
  auto d = D.array();
  switch (phi.kind) {
    case ActivationKind::linear: return;
    case ActivationKind::step: d.setZero(); return;
    case ActivationKind::sigmoid: d *= h * (1.0 - h); return;
    case ActivationKind::rectifier: d = (a > 0.0).select(d, 0.0); return;
    case ActivationKind::leaky_rectifier: d = (a > 0.0).select(d, phi.alpha * d); return;
    case ActivationKind::tanh: d *= 1.0 - h * h; return;
    case ActivationKind::scaled_tanh: d *= phi.alpha - h * h / phi.alpha; return;
    default:
      d *= a.binaryExpr(h, [&phi](double x, double y) { return phi.deriv(x, y); });
      return;
  }
}

void output_signal(OutputRule rule, const Activation& phi, const Eigen::MatrixXd& A, const Eigen::MatrixXd& H,
                   const Eigen::MatrixXd& T, Eigen::MatrixXd& delta) {
  delta.noalias() = H - T;
  if (rule == OutputRule::hd) return;
  if (phi.elementwise()) {
    times_derivative(phi, A, H, delta);
    return;
  }
  // Softmax: J = diag(h) − h hᵀ is symmetric, so Jᵀe = h ⊙ (e − hᵀe).
  const Eigen::RowVectorXd s = H.cwiseProduct(delta).colwise().sum();
  delta.array() = H.array() * (delta.array().rowwise() - s.array());
}

Network::Network(const NetworkSpec& spec, NetworkParams params, int threads)
    : spec_(spec), p_(std::move(params)), threads_(threads < 1 ? 1 : threads) {
  check_network_spec(spec_);
  const int L = num_layers();
  if (static_cast<int>(p_.W.size()) != L || static_cast<int>(p_.b.size()) != L)
    throw std::invalid_argument("Network: parameters for " + std::to_string(p_.W.size()) + " layers, spec has " +
                                std::to_string(L));
  if (p_.mu.empty())
    for (int l = 0; l < L; ++l) p_.mu.push_back(Eigen::VectorXd::Zero(spec_.layers[l]));
  for (int l = 0; l < L; ++l)
    if (p_.W[l].rows() != spec_.layers[l] || p_.W[l].cols() != spec_.layers[l + 1] ||
        p_.b[l].size() != spec_.layers[l + 1] || p_.mu[l].size() != spec_.layers[l])
      throw std::invalid_argument("Network: layer " + std::to_string(l) + " parameters do not match the sizes");
  Hc_.resize(L);
  A_.resize(L);
  H_.resize(L);
  D_.resize(L);
  GW_.resize(L);
  Gb_.resize(L);
  eval_in_.resize(L);
  eval_A_.resize(L);
  eval_H_.resize(L);
  for (int l = 0; l < L; ++l)
    if (trains_layer(l)) {
      GW_[l] = Eigen::MatrixXd::Zero(spec_.layers[l], spec_.layers[l + 1]);
      Gb_[l] = Eigen::VectorXd::Zero(spec_.layers[l + 1]);
    }
}

void Network::layer_forward(int l, const Eigen::Ref<const Eigen::MatrixXd>& in, Eigen::MatrixXd& A,
                            Eigen::MatrixXd& H) {
  const Eigen::MatrixXd& W = p_.W[l];
  const Eigen::VectorXd& b = p_.b[l];
  const bool out = l == num_layers() - 1;
  const Activation& f = out ? spec_.output : spec_.hidden;
  const Eigen::Index n = W.cols(), B = in.cols();
  A.resize(n, B);
  H.resize(n, B);
  const double work = double(W.rows()) * n * B;
  if (B <= n) {
    for_pieces(n, work, threads_, [&](Eigen::Index r0, Eigen::Index r) {
      A.middleRows(r0, r).noalias() = W.middleCols(r0, r).transpose() * in;
      A.middleRows(r0, r).colwise() += b.segment(r0, r);
      if (f.elementwise()) f.apply(A.middleRows(r0, r), H.middleRows(r0, r));
    });
  } else {
    for_pieces(B, work, threads_, [&](Eigen::Index c0, Eigen::Index c) {
      A.middleCols(c0, c).noalias() = W.transpose() * in.middleCols(c0, c);
      A.middleCols(c0, c).colwise() += b;
      if (f.elementwise()) f.apply(A.middleCols(c0, c), H.middleCols(c0, c));
    });
  }
  if (!f.elementwise()) f.apply(A, H);
}

void Network::forward_train(const Eigen::Ref<const Eigen::MatrixXd>& X) {
  const int L = num_layers();
  const double B = static_cast<double>(X.cols());
  for (int l = 0; l < L; ++l) {
    Eigen::MatrixXd& in = Hc_[l];
    if (l == 0) in = X;
    else in = H_[l - 1];
    if (spec_.centering == LayerCentering::running) {
      Eigen::VectorXd& mu = p_.mu[l];
      mu = (p_.mu_count * mu + in.rowwise().sum()) / (p_.mu_count + B);
      in.colwise() -= mu;
    }
    layer_forward(l, in, A_[l], H_[l]);
  }
  if (spec_.centering == LayerCentering::running) p_.mu_count += B;
}

bool Network::output_finite() const { return (A_.back().array().abs() <= 1e100).all(); }

void Network::backward(const Eigen::MatrixXd& T, const RowsReady& rows_ready) {
  const int L = num_layers();
  output_signal(spec_.output_rule, spec_.output, A_.back(), H_.back(), T, D_.back());
  const double inv_B = 1.0 / static_cast<double>(T.cols());
  for (int l = L - 1; l >= 0; --l) {
    if (!trains_layer(l)) break;  // frozen: every layer below the output is fixed
    const Eigen::MatrixXd& in = Hc_[l];
    const Eigen::MatrixXd& d = D_[l];
    const Eigen::MatrixXd& W = p_.W[l];
    Eigen::MatrixXd& G = GW_[l];
    Gb_[l].noalias() = d.rowwise().sum() * inv_B;
    // δ_l = (W_{l+1} δ_{l+1}) ⊙ g′(a_l) needs the weights before this step's update; row r of W feeds only
    // row r of δ_l and of G, so each piece of rows is finished (δ rows, then G rows, then rows_ready) on its own.
    const bool below = l > 0 && spec_.hidden_rule == HiddenRule::backprop;
    if (below) D_[l - 1].resize(W.rows(), d.cols());
    const double work = double(W.rows()) * W.cols() * d.cols() * (below ? 2 : 1);
    for_pieces(W.rows(), work, threads_, [&](Eigen::Index r0, Eigen::Index r) {
      if (below) {
        auto D = D_[l - 1].middleRows(r0, r);
        D.noalias() = W.middleRows(r0, r) * d;
        times_derivative(spec_.hidden, A_[l - 1].middleRows(r0, r), H_[l - 1].middleRows(r0, r), D);
      }
      G.middleRows(r0, r).noalias() = inv_B * in.middleRows(r0, r) * d.transpose();
      if (rows_ready) rows_ready(l, r0, r);
    });
  }
}

void Network::predict(const Eigen::Ref<const Eigen::MatrixXd>& X) {
  const int L = num_layers();
  for (int l = 0; l < L; ++l) {
    if (spec_.centering != LayerCentering::running) {
      if (l == 0) layer_forward(l, X, eval_A_[l], eval_H_[l]);
      else layer_forward(l, eval_H_[l - 1], eval_A_[l], eval_H_[l]);
      continue;
    }
    Eigen::MatrixXd& in = eval_in_[l];
    if (l == 0) in = X;
    else in = eval_H_[l - 1];
    in.colwise() -= p_.mu[l];
    layer_forward(l, in, eval_A_[l], eval_H_[l]);
  }
}

}  // namespace hds
