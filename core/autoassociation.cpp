// Auto-association with tied weights: rules, protocols and measures (see autoassociation.hpp).
#include "core/autoassociation.hpp"

#include <algorithm>
#include <ctime>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "core/error.hpp"
#include "core/isa_kernels.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace hds {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Index kBlock = 1024;  // patterns per forward pass when measuring or averaging a field

const std::vector<std::string> kRuleNames = {"hd",     "hd_sanger", "gd",  "gd_decoder", "gd_encoder",
                                             "oja",    "sanger",    "cd1", "cd1_clamped"};

bool linear_classic(AutoRule r) { return r == AutoRule::oja || r == AutoRule::sanger; }
bool has_hidden_bias(AutoRule r) { return !linear_classic(r); }

// Work buffers of one pass over a batch (columns = patterns); reused from step to step.
struct Pass {
  MatrixXd Xc, A, H;    // x̃, a, h
  MatrixXd Ht, WH, E;   // h̃, W h̃, e
  MatrixXd R;           // r = σ(W h̃ + c) (sigmoid visible units)
  MatrixXd Dv, Back, G; // gd: δ_v, Wᵀδ_v, g = J_φᵀ Wᵀδ_v
  MatrixXd Rc, Ar, Hr, Hrt;  // cd1's negative phase: r̃, a_r, h_r, h̃_r
  MatrixXd Cum;         // sanger: running Σ_{i≤j} h̃_i W_i of each pattern
  VectorXd a, h, err, d, tmp, esum;
};

// The summed update of a batch: Σ_t sign_t U_t V_tᵀ − [sanger] W triu(V₀ V₀ᵀ), Δb, Δc (sums).
struct Terms {
  const MatrixXd* U[2] = {nullptr, nullptr};
  const MatrixXd* V[2] = {nullptr, nullptr};
  double sign[2] = {1.0, 1.0};
  int count = 0;
  bool sanger = false;
  VectorXd db, dc;
  // hd, hd_sanger: Δb = Wᵀ Σ_b e_b with the W before the step, left to the consumer so that the training
  // step can take it from each column of W in the same sweep that updates it (one pass over W less).
  const MatrixXd* db_from_E = nullptr;
};

bool within_bounds(const MatrixXd& A) { return A.size() == 0 || A.cwiseAbs().maxCoeff() <= kDivergedMagnitude; }

// x̃, a and h of the batch X. False when a pre-activation is non-finite or beyond 1e100, or h non-finite.
bool forward_hidden(const AutoSpec& spec, const AutoParams& p, const AutoOffsets& o,
                    const Eigen::Ref<const MatrixXd>& X, Pass& s) {
  s.Xc = X.colwise() - o.mu;
  s.A.noalias() = p.W.transpose() * s.Xc;
  s.A.colwise() += p.b;
  s.H.resize(s.A.rows(), s.A.cols());
  spec.act.apply(s.A, s.H);
  return within_bounds(s.A) && s.H.allFinite();
}

// h̃, W h̃, r and e from the hidden pass. False when e is non-finite.
bool forward_visible(const AutoSpec& spec, const AutoParams& p, const AutoOffsets& o,
                     const Eigen::Ref<const MatrixXd>& X, Pass& s) {
  s.Ht = s.H.colwise() - o.lambda;
  s.WH.noalias() = p.W * s.Ht;
  if (spec.visible == VisibleUnits::linear) {
    s.E = s.Xc - s.WH;
  } else {
    s.R.resize(s.WH.rows(), s.WH.cols());
    Activation::make(ActivationKind::sigmoid).apply(s.WH.colwise() + p.c, s.R);
    s.E = X - s.R;
  }
  return s.E.allFinite();
}

// The rule's terms from a completed forward pass (Δb only when `bias`). False when cd1's negative phase
// diverges.
bool make_terms(const AutoSpec& spec, const AutoParams& p, const AutoOffsets& o, Pass& s, Terms& t, bool bias) {
  const Index k = p.W.cols(), B = s.Xc.cols();
  const bool sigmoid_visible = spec.visible == VisibleUnits::sigmoid;
  t = Terms{};
  t.db = VectorXd::Zero(k);
  t.dc = VectorXd::Zero(p.W.rows());
  switch (spec.rule) {
    case AutoRule::hd:  // e h̃ᵀ, Δb = Wᵀe, Δc = e
    case AutoRule::oja:  // (x̃ − W y) yᵀ
      t.U[0] = &s.E;
      t.V[0] = &s.Ht;
      t.count = 1;
      if (bias && spec.rule == AutoRule::hd) t.db_from_E = &s.E;
      if (sigmoid_visible) t.dc = s.E.rowwise().sum();
      return true;
    case AutoRule::hd_sanger:  // x̃ h̃ᵀ − W triu(h̃ h̃ᵀ), Δb = Wᵀe
    case AutoRule::sanger:     // x̃ yᵀ − W triu(y yᵀ)
      t.U[0] = &s.Xc;
      t.V[0] = &s.Ht;
      t.count = 1;
      t.sanger = true;
      if (bias && spec.rule == AutoRule::hd_sanger) t.db_from_E = &s.E;
      return true;
    case AutoRule::gd:
    case AutoRule::gd_decoder:
    case AutoRule::gd_encoder: {  // δ_v h̃ᵀ + x̃ gᵀ, Δb = g, Δc = δ_v
      if (sigmoid_visible) s.Dv = s.E.cwiseProduct(s.R).cwiseProduct((1.0 - s.R.array()).matrix());
      else s.Dv = s.E;
      s.Back.noalias() = p.W.transpose() * s.Dv;
      s.G.resize(k, B);
      for (Index c = 0; c < B; ++c) {
        s.a = s.A.col(c);
        s.h = s.H.col(c);
        s.err = s.Back.col(c);
        spec.act.gd_signal(s.a, s.h, s.err, s.d);
        s.G.col(c) = s.d;
      }
      if (spec.rule != AutoRule::gd_encoder) {
        t.U[t.count] = &s.Dv;
        t.V[t.count++] = &s.Ht;
      }
      if (spec.rule != AutoRule::gd_decoder) {
        t.U[t.count] = &s.Xc;
        t.V[t.count++] = &s.G;
      }
      t.db = s.G.rowwise().sum();
      if (sigmoid_visible) t.dc = s.Dv.rowwise().sum();
      return true;
    }
    case AutoRule::cd1:
    case AutoRule::cd1_clamped: {  // x̃ h̃ᵀ − r̃ h̃_rᵀ (clamped: h̃_r = h̃), Δb = h − h_r, Δc = x − r
      if (sigmoid_visible) s.Rc = s.R.colwise() - o.mu;
      else s.Rc = s.WH;  // r − μ = W h̃
      t.U[0] = &s.Xc;
      t.V[0] = &s.Ht;
      t.U[1] = &s.Rc;
      t.sign[1] = -1.0;
      t.count = 2;
      if (sigmoid_visible) t.dc = s.E.rowwise().sum();
      if (spec.rule == AutoRule::cd1_clamped) {
        t.V[1] = &s.Ht;
        return true;
      }
      s.Ar.noalias() = p.W.transpose() * s.Rc;
      s.Ar.colwise() += p.b;
      s.Hr.resize(k, B);
      spec.act.apply(s.Ar, s.Hr);
      if (!within_bounds(s.Ar) || !s.Hr.allFinite()) return false;
      s.Hrt = s.Hr.colwise() - o.lambda;
      t.V[1] = &s.Hrt;
      t.db = (s.H - s.Hr).rowwise().sum();
      return true;
    }
  }
  return true;
}

// scale · (Σ_t sign_t U_t V_tᵀ − [sanger] W triu(V₀ V₀ᵀ)), straight from the definition; completes t.db.
MatrixXd dense_dW(Terms& t, const MatrixXd& W, double scale) {
  if (t.db_from_E) t.db.noalias() = W.transpose() * t.db_from_E->rowwise().sum();
  MatrixXd dW = MatrixXd::Zero(W.rows(), W.cols());
  for (int i = 0; i < t.count; ++i) dW.noalias() += t.sign[i] * (*t.U[i]) * t.V[i]->transpose();
  if (t.sanger) {
    const MatrixXd S = (*t.V[0] * t.V[0]->transpose()).triangularView<Eigen::Upper>();
    dW.noalias() -= W * S;
  }
  return dW * scale;
}

// W ← (1 − ω) W + (η/B) ΔW_sum in place, in one sweep over the columns of W (every term uses the old W);
// completes t.db.
void apply_terms(Terms& t, double eta, double omega, Index B, MatrixXd& W, Pass& s) {
  const double step = eta / static_cast<double>(B), keep = 1.0 - omega;
  const Index n = W.rows(), k = W.cols();
  const bool db_from_E = t.db_from_E != nullptr;
  if (db_from_E) s.esum = t.db_from_E->rowwise().sum();
  if (t.sanger) {
    // Column j: Σ_b h̃_bj (x̃_b − Σ_{i≤j} h̃_bi W_i). Cum holds the inner sums of each pattern; it takes in
    // the old W_j before W_j is overwritten, and later columns need only the old columns ≤ j.
    const MatrixXd& X = *t.U[0];
    const MatrixXd& V = *t.V[0];
    s.Cum.setZero(n, B);
    s.tmp.resize(n);
    for (Index j = 0; j < k; ++j) {
      if (db_from_E) t.db(j) = W.col(j).dot(s.esum);
      s.tmp.setZero();
      for (Index b = 0; b < B; ++b) {
        s.Cum.col(b) += V(j, b) * W.col(j);
        s.tmp += V(j, b) * (X.col(b) - s.Cum.col(b));
      }
      if (omega != 0.0) W.col(j) *= keep;
      W.col(j) += step * s.tmp;
    }
    return;
  }
  const Index terms = t.count * B;
  if (terms <= 8) {  // a few rank-one terms: axpy per column, no temporary
    for (Index j = 0; j < k; ++j) {
      if (db_from_E) t.db(j) = W.col(j).dot(s.esum);
      if (omega != 0.0) W.col(j) *= keep;
      for (int i = 0; i < t.count; ++i)
        for (Index b = 0; b < B; ++b) W.col(j) += (step * t.sign[i] * (*t.V[i])(j, b)) * t.U[i]->col(b);
    }
    return;
  }
  if (db_from_E) t.db.noalias() = W.transpose() * s.esum;
  if (omega != 0.0) W *= keep;
  for (int i = 0; i < t.count; ++i) W.noalias() += (step * t.sign[i]) * (*t.U[i]) * t.V[i]->transpose();
}

// Per-pattern mse (mean over dimensions of e²) of X and, when hidden_sum is given, Σ_patterns h.
// Non-finite values show up in mse (divergence is judged from the training MSE).
void reconstruct(const AutoSpec& spec, const AutoParams& p, const AutoOffsets& o, const MatrixXd& X,
                 VectorXd& mse, VectorXd* hidden_sum) {
  Pass s;
  mse.resize(X.cols());
  if (hidden_sum) hidden_sum->setZero(p.W.cols());
  for (Index begin = 0; begin < X.cols(); begin += kBlock) {
    const Index B = std::min(kBlock, X.cols() - begin);
    const auto Xb = X.middleCols(begin, B);
    forward_hidden(spec, p, o, Xb, s);
    forward_visible(spec, p, o, Xb, s);
    mse.segment(begin, B) = s.E.colwise().squaredNorm().transpose() / static_cast<double>(X.rows());
    if (hidden_sum) *hidden_sum += s.H.rowwise().sum();
  }
}

AutoMeasures measure(const AutoSpec& spec, const AutoParams& p, const AutoOffsets& o, const MatrixXd& X_train,
                     const MatrixXd& X_heldout, const MatrixXd& principal, VectorXd* pattern_mse) {
  AutoMeasures m;
  VectorXd mse, hsum;
  reconstruct(spec, p, o, X_train, mse, &hsum);
  m.train_mse = mse.mean();
  if (pattern_mse) *pattern_mse = mse;
  if (X_heldout.cols() > 0) {
    VectorXd held;
    reconstruct(spec, p, o, X_heldout, held, nullptr);
    m.heldout_mse = held.mean();
  } else {
    m.heldout_mse = kNaN;
  }
  m.hidden_mean = hsum / static_cast<double>(X_train.cols());
  m.hidden_spread = std::sqrt((m.hidden_mean.array() - m.hidden_mean.mean()).square().mean());
  if (p.W.allFinite()) {
    m.angles = principal_angles(p.W, principal);
    m.max_angle = m.angles.maxCoeff();
  } else {
    m.angles = VectorXd::Constant(p.W.cols(), kNaN);
    m.max_angle = kNaN;
  }
  return m;
}

AutoMeasures nan_measures(Index k) {
  AutoMeasures m;
  m.train_mse = m.heldout_mse = m.hidden_spread = m.max_angle = kNaN;
  m.hidden_mean = m.angles = VectorXd::Constant(k, kNaN);
  return m;
}

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// CPU time of the calling thread, in seconds. A run is single-threaded, so this is its cost; unlike wall
// time it leaves out the time the thread waits for a core, which on a busy machine (or beside the other
// runs of a sweep) would measure the load rather than the rule.
double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// μ ← μ + (v − μ)/n for each column v of V, n counting on from `seen`.
void running_mean(VectorXd& mean, const MatrixXd& V, long seen) {
  for (Index c = 0; c < V.cols(); ++c) mean += (V.col(c) - mean) / static_cast<double>(seen + c + 1);
}

void check_data(const MatrixXd& X, Index n, const std::string& name, bool unit_interval) {
  if (X.cols() == 0) return;
  if (X.rows() != n)
    throw UserError("the " + name + " patterns have " + std::to_string(X.rows()) + " dimensions but W has " +
                    std::to_string(n) + " rows; give W one row per input dimension");
  for (Index p = 0; p < X.cols(); ++p)
    for (Index i = 0; i < n; ++i) {
      const double v = X(i, p);
      if (!std::isfinite(v))
        throw UserError("the " + name + " data has a non-finite value (pattern " + std::to_string(p) + ", dimension " +
                        std::to_string(i) + "); remove or repair that pattern");
      if (unit_interval && (v < 0.0 || v > 1.0))
        throw UserError("visible: 'sigmoid' reconstructs values in [0, 1] but the " + name + " data has " + num(v) +
                        " (pattern " + std::to_string(p) + ", dimension " + std::to_string(i) +
                        "); use visible: linear or scale the data to [0, 1]");
    }
}

}  // namespace

bool auto_rule_from_name(const std::string& name, AutoRule& rule) {
  for (size_t i = 0; i < kRuleNames.size(); ++i)
    if (kRuleNames[i] == name) {
      rule = static_cast<AutoRule>(i);
      return true;
    }
  return false;
}
std::string auto_rule_name(AutoRule rule) { return kRuleNames[static_cast<int>(rule)]; }
const std::vector<std::string>& auto_rule_names() { return kRuleNames; }

bool visible_units_from_name(const std::string& name, VisibleUnits& v) {
  if (name == "linear") v = VisibleUnits::linear;
  else if (name == "sigmoid") v = VisibleUnits::sigmoid;
  else return false;
  return true;
}
std::string visible_units_name(VisibleUnits v) { return v == VisibleUnits::linear ? "linear" : "sigmoid"; }

bool hidden_centering_from_name(const std::string& name, HiddenCentering& c) {
  if (name == "none") c = HiddenCentering::none;
  else if (name == "running") c = HiddenCentering::running;
  else return false;
  return true;
}
std::string hidden_centering_name(HiddenCentering c) { return c == HiddenCentering::none ? "none" : "running"; }

AutoUpdate auto_update(const AutoSpec& spec, const AutoParams& params, const AutoOffsets& offsets,
                       const Eigen::Ref<const MatrixXd>& X) {
  AutoParams p = params;
  if (p.c.size() == 0) p.c = VectorXd::Zero(p.W.rows());
  AutoOffsets o = offsets;
  if (o.lambda.size() == 0) o.lambda = VectorXd::Zero(p.W.cols());
  Pass s;
  Terms t;
  forward_hidden(spec, p, o, X, s);
  forward_visible(spec, p, o, X, s);
  make_terms(spec, p, o, s, t, true);
  const double scale = 1.0 / static_cast<double>(X.cols());
  return {dense_dW(t, p.W, scale), t.db * scale, t.dc * scale};
}

MatrixXd auto_mean_field(const AutoSpec& spec, const AutoParams& params, const AutoOffsets& offsets,
                         const MatrixXd& X) {
  EigenSerial serial(1);
  MatrixXd sum = MatrixXd::Zero(params.W.rows(), params.W.cols());
  for (Index begin = 0; begin < X.cols(); begin += kBlock) {
    const Index B = std::min(kBlock, X.cols() - begin);
    sum += static_cast<double>(B) * auto_update(spec, params, offsets, X.middleCols(begin, B)).dW;
  }
  return sum / static_cast<double>(X.cols());
}

MatrixXd auto_mean_field_jacobian(const AutoSpec& spec, const AutoParams& params, const AutoOffsets& offsets,
                                  const MatrixXd& X, double eps) {
  const Index m = params.W.size();
  MatrixXd J(m, m);
  AutoParams p = params;
  for (Index q = 0; q < m; ++q) {
    const double w = p.W.data()[q];
    p.W.data()[q] = w + eps;
    const MatrixXd up = auto_mean_field(spec, p, offsets, X);
    p.W.data()[q] = w - eps;
    const MatrixXd down = auto_mean_field(spec, p, offsets, X);
    p.W.data()[q] = w;
    const MatrixXd d = (up - down) / (2 * eps);
    J.col(q) = Eigen::Map<const VectorXd>(d.data(), m);
  }
  return J;
}

void check_autoassociation(const AutoSpec& spec, const MatrixXd& X_train, const MatrixXd& X_heldout,
                           const AutoParams& initial) {
  const Index n = initial.W.rows(), k = initial.W.cols();
  const std::string rule = "rule '" + auto_rule_name(spec.rule) + "'";
  if (k < 1) throw UserError("k (hidden units) must be >= 1, got " + std::to_string(k));
  if (k > n)
    throw UserError("k = " + std::to_string(k) + " hidden units exceeds the input dimension " + std::to_string(n) +
                    "; tied weights need k <= " + std::to_string(n));
  if (!std::isfinite(spec.eta) || !(spec.eta > 0.0))
    throw UserError("eta must be a finite number > 0, got " + num(spec.eta));
  if (!(spec.weight_decay >= 0.0 && spec.weight_decay < 1.0))
    throw UserError("weight_decay must be in [0, 1), got " + num(spec.weight_decay));
  if (spec.batch_size < 1) throw UserError("batch_size must be >= 1, got " + std::to_string(spec.batch_size));
  if (spec.protocol == Protocol::online && spec.batch_size != 1)
    throw UserError("batch_size: the online protocol presents one pattern per step, got " +
                    std::to_string(spec.batch_size) + "; use batch_size 1 or protocol multi_epoch");
  if (spec.protocol == Protocol::multi_epoch && spec.epochs < 1)
    throw UserError("epochs must be >= 1, got " + std::to_string(spec.epochs));
  const bool linear_act = spec.act.kind == ActivationKind::linear;
  if (spec.hidden_centering == HiddenCentering::running && linear_act)
    throw UserError("hidden_centering: 'running' with a linear activation only repeats the input centering "
                    "(h - mean h = W^T (x - mean x)); use hidden_centering: none and centering: running");
  if (linear_classic(spec.rule)) {
    if (!linear_act)
      throw UserError("activation: " + rule + " is the linear classic (y = W^T x~), got '" + spec.act.name() +
                      "'; use activation: linear, or rule '" + (spec.rule == AutoRule::oja ? "hd" : "hd_sanger") +
                      "' for its non-linear form");
    if (spec.visible != VisibleUnits::linear)
      throw UserError("visible: " + rule + " needs linear visible units; use visible: linear");
    if (initial.b.size() == k && initial.b.cwiseAbs().maxCoeff() != 0.0)
      throw UserError("initial bias: " + rule + " has no hidden bias but the initial b is non-zero; start from b = 0");
  }
  if (spec.rule == AutoRule::hd_sanger && spec.visible != VisibleUnits::linear)
    throw UserError("visible: rule 'hd_sanger' is defined for linear visible units; use visible: linear or rule 'hd'");
  if (initial.b.size() != k)
    throw UserError("initial bias has " + std::to_string(initial.b.size()) + " entries for k = " + std::to_string(k) +
                    " hidden units");
  if (initial.c.size() != 0 && initial.c.size() != n)
    throw UserError("initial visible bias has " + std::to_string(initial.c.size()) + " entries for " +
                    std::to_string(n) + " input dimensions");
  if (!initial.W.allFinite() || !initial.b.allFinite() || !initial.c.allFinite())
    throw UserError("the initial weights or biases contain non-finite values; start from finite ones");
  if (X_train.cols() == 0) throw UserError("the training set is empty; give at least one training pattern");
  const bool unit = spec.visible == VisibleUnits::sigmoid;
  check_data(X_train, n, "training", unit);
  check_data(X_heldout, n, "held-out", unit);
}

AutoResult train_autoassociation(const AutoSpec& spec, const MatrixXd& X_train, const MatrixXd& X_heldout,
                                 const AutoParams& initial, uint64_t seed, const MatrixXd* principal) {
  HDS_ISA_FORWARD(train_autoassociation, (spec, X_train, X_heldout, initial, seed, principal));
  check_autoassociation(spec, X_train, X_heldout, initial);
  EigenSerial serial(1);
  const Index n = X_train.rows(), N = X_train.cols(), k = initial.W.cols();
  const bool online = spec.protocol == Protocol::online;
  const int epochs = online ? 1 : spec.epochs;
  const Index batch = online ? 1 : spec.batch_size;

  AutoResult r;
  r.params = initial;
  if (r.params.c.size() == 0) r.params.c = VectorXd::Zero(n);
  AutoParams& p = r.params;
  AutoOffsets& o = r.offsets;
  o.mu = spec.centering == Centering::dataset ? VectorXd(X_train.rowwise().mean()) : VectorXd::Zero(n);
  o.lambda = VectorXd::Zero(k);
  const MatrixXd P = principal ? *principal : principal_subspace(X_train, static_cast<int>(k));
  r.initial = measure(spec, p, o, X_train, X_heldout, P, nullptr);

  std::vector<int> order(N);
  Pass s;
  Terms t;
  MatrixXd Xb, W_start;
  for (int e = 0; e < epochs; ++e) {
    if (r.diverged) {
      r.epochs.push_back({nan_measures(k), kNaN, 0, kNaN});
      continue;
    }
    std::iota(order.begin(), order.end(), 0);
    if (spec.reshuffle && !online) {
      Rng rng(derive_seed(seed, {kShuffle, static_cast<uint64_t>(e)}));
      reshuffle(order, rng);
    }
    W_start = p.W;
    AutoEpoch ep;
    const double t0 = thread_seconds();
    for (Index begin = 0; begin < N && !r.diverged; begin += batch) {
      const Index B = std::min(batch, N - begin);
      Xb.resize(n, B);
      for (Index c = 0; c < B; ++c) Xb.col(c) = X_train.col(order[begin + c]);
      if (spec.centering == Centering::running) running_mean(o.mu, Xb, o.seen);
      bool ok = forward_hidden(spec, p, o, Xb, s);
      if (ok && spec.hidden_centering == HiddenCentering::running) running_mean(o.lambda, s.H, o.seen);
      o.seen += B;
      ok = ok && forward_visible(spec, p, o, Xb, s) && make_terms(spec, p, o, s, t, spec.learn_bias);
      if (!ok) {
        r.diverged = true;
        r.diverged_step = r.updates;
        break;
      }
      apply_terms(t, spec.eta, spec.weight_decay, B, p.W, s);
      const double step = spec.eta / static_cast<double>(B);
      if (spec.learn_bias && has_hidden_bias(spec.rule)) p.b += step * t.db;
      if (spec.learn_visible_bias && spec.visible == VisibleUnits::sigmoid) p.c += step * t.dc;
      ++r.updates;
      ++ep.updates;
    }
    const double seconds = thread_seconds() - t0;
    r.seconds += seconds;
    ep.seconds_per_update = ep.updates > 0 ? seconds / static_cast<double>(ep.updates) : kNaN;
    if (!r.diverged && !(p.W.allFinite() && p.b.allFinite() && p.c.allFinite())) {
      r.diverged = true;
      r.diverged_step = r.updates - 1;
    }
    if (!r.diverged) {
      ep.m = measure(spec, p, o, X_train, X_heldout, P, &r.pattern_mse);
      ep.dW_norm = (p.W - W_start).norm();
      if (!std::isfinite(ep.m.train_mse)) {
        r.diverged = true;
        r.diverged_step = r.updates - 1;
      }
    }
    if (r.diverged) {
      ep.m = nan_measures(k);
      ep.dW_norm = kNaN;
    }
    r.epochs.push_back(ep);
  }
  if (r.diverged) r.pattern_mse = VectorXd::Constant(N, kNaN);
  r.last_order = order;
  return r;
}

}  // namespace hds
