// Auto-association: hand-worked steps of every rule, the identities between rules (hd = oja, hd_sanger =
// sanger, gd = decoder + encoder, cd1 clamped = hd), gd against finite differences, principal angles,
// convergence of Oja's and Sanger's rules, the protocols, divergence and the refusals of bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <omp.h>
#include <vector>

#include "core/autoassociation.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "tests/random_matrices.hpp"

using namespace hds;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

using test::uniform_matrix;

MatrixXd binary_matrix(int r, int c, uint64_t seed) { return test::binary_matrix(r, c, seed, 0.4); }

// Patterns with a clear spectrum: x = 0.5 + Q diag(scales) z, z standard normal, Q a random rotation.
MatrixXd spectrum_data(const VectorXd& scales, int N, uint64_t seed) {
  const int n = static_cast<int>(scales.size());
  const MatrixXd Q = Eigen::HouseholderQR<MatrixXd>(uniform_matrix(n, n, seed, -1, 1)).householderQ();
  Rng rng(seed + 1);
  MatrixXd Z(n, N);
  for (int p = 0; p < N; ++p)
    for (int i = 0; i < n; ++i) Z(i, p) = rng.normal();
  return (Q * scales.asDiagonal() * Z).array() + 0.5;
}

AutoSpec spec_of(AutoRule rule, ActivationKind kind, double eta) {
  AutoSpec s;
  s.rule = rule;
  s.act = Activation::make(kind);
  s.eta = eta;
  return s;
}

AutoParams params_of(const MatrixXd& W, const VectorXd& b, const VectorXd& c = VectorXd()) { return {W, b, c}; }

double max_abs(const MatrixXd& m) { return m.size() ? m.cwiseAbs().maxCoeff() : 0.0; }

// The hand-worked setting: n_in = 3, k = 2, patterns x1 = (1, 0, 1), x2 = (0, 1, 1) online, η = 1/2,
// centering none, λ = 0, linear visible units, W0 columns (1/2, 0, 1/2) and (0, 1/2, 1/2).
MatrixXd hand_X() {
  MatrixXd X(3, 2);
  X << 1, 0,  //
      0, 1,   //
      1, 1;
  return X;
}
MatrixXd hand_W0() {
  MatrixXd W(3, 2);
  W << 0.5, 0,  //
      0, 0.5,   //
      0.5, 0.5;
  return W;
}
MatrixXd mat3x2(double a, double b, double c, double d, double e, double f) {
  MatrixXd m(3, 2);
  m << a, b, c, d, e, f;
  return m;
}
VectorXd vec2(double a, double b) { return (VectorXd(2) << a, b).finished(); }

AutoResult hand_run(AutoRule rule, ActivationKind kind, const VectorXd& b0, bool learn_bias) {
  AutoSpec s = spec_of(rule, kind, 0.5);
  s.centering = Centering::none;
  s.learn_bias = learn_bias;
  return train_autoassociation(s, hand_X(), MatrixXd(3, 0), params_of(hand_W0(), b0), 0);
}

// All entries here are dyadic fractions, exact in double arithmetic.
void check_exact(const MatrixXd& got, const MatrixXd& want) {
  REQUIRE(got.rows() == want.rows());
  REQUIRE(got.cols() == want.cols());
  CHECK(max_abs(got - want) < 1e-15);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------
// Hand-worked two-step examples (fractions worked out on paper; step-1 intermediates in the comments).

TEST_CASE("autoassociation: hand-worked oja, two steps") {
  // Step 1, x1: y = W0ᵀx1 = (1, 1/2); W y = (1/2, 1/4, 3/4); e = (1/2, −1/4, 1/4);
  //   ΔW = e yᵀ = [1/2 1/4; −1/4 −1/8; 1/4 1/8]; W1 = W0 + ΔW/2 = [3/4 1/8; −1/8 7/16; 5/8 9/16].
  // Step 2, x2: y = (1/2, 1); e = (−1/2, 5/8, 1/8); ΔW = [−1/4 −1/2; 5/16 5/8; 1/16 1/8].
  const AutoResult r = hand_run(AutoRule::oja, ActivationKind::linear, VectorXd::Zero(2), false);
  check_exact(r.params.W, mat3x2(5. / 8, -1. / 8, 1. / 32, 3. / 4, 21. / 32, 5. / 8));
  check_exact(r.params.b, VectorXd::Zero(2));
  // The forgetting curve: each pattern's error after training, recomputed here with loops.
  const MatrixXd W = r.params.W;
  for (int p = 0; p < 2; ++p) {
    const VectorXd x = hand_X().col(p);
    VectorXd y(2);
    for (int j = 0; j < 2; ++j) y(j) = W(0, j) * x(0) + W(1, j) * x(1) + W(2, j) * x(2);
    double se = 0;
    for (int i = 0; i < 3; ++i) {
      const double e = x(i) - (W(i, 0) * y(0) + W(i, 1) * y(1));
      se += e * e;
    }
    CHECK(r.pattern_mse(p) == doctest::Approx(se / 3).epsilon(1e-14));
  }
}

TEST_CASE("autoassociation: hand-worked sanger, two steps") {
  // Step 1: y = (1, 1/2). Column 1: y1 (x̃ − y1 W_1) = (1/2, 0, 1/2); column 2: y2 (x̃ − y1 W_1 − y2 W_2)
  //   = 1/2 (1/2, −1/4, 1/4) = (1/4, −1/8, 1/8). W1 = [3/4 1/8; 0 7/16; 3/4 9/16].
  // Step 2: y = (3/4, 1); ΔW = [−27/64 −11/16; 3/4 9/16; 21/64 −1/8].
  const AutoResult r = hand_run(AutoRule::sanger, ActivationKind::linear, VectorXd::Zero(2), false);
  check_exact(r.params.W, mat3x2(69. / 128, -7. / 32, 3. / 8, 23. / 32, 117. / 128, 1. / 2));
}

// The non-linear rules use rectifier hidden units, b0 = (0, −3/4), learn_bias on: at step 1 unit 2 is
// silent (a = (1, −1/4), h = (1, 0)), at step 2 both units are active.
TEST_CASE("autoassociation: hand-worked hd, two steps") {
  // Step 1: e = x1 − W0 h = (1/2, 0, 1/2); ΔW = e hᵀ = [1/2 0; 0 0; 1/2 0]; Δb = W0ᵀe = (1/2, 1/4)
  //   (the silent unit's bias still learns: φ′ is dropped). W1 = [3/4 0; 0 1/2; 3/4 1/2], b1 = (1/4, −5/8).
  // Step 2: a = (1, 3/8), e = (−3/4, 13/16, 1/16); ΔW = [−3/4 −9/32; 13/16 39/128; 1/16 3/128];
  //   Δb = W1ᵀe = (−33/64, 7/16).
  const AutoResult r = hand_run(AutoRule::hd, ActivationKind::rectifier, vec2(0, -0.75), true);
  check_exact(r.params.W, mat3x2(3. / 8, -9. / 64, 13. / 32, 167. / 256, 25. / 32, 131. / 256));
  check_exact(r.params.b, vec2(-1. / 128, -13. / 32));
}

TEST_CASE("autoassociation: hand-worked hd_sanger, two steps") {
  // Step 1 as hd (h2 = 0, so the ordering term of column 1 is h1² W_1 and W h̃ = h1 W_1).
  // Step 2: h = (1, 3/8); column 1: 1·(x2 − W1_1) = (−3/4, 1, 1/4); column 2: 3/8 (x2 − W1_1 − 3/8 W1_2)
  //   = (−9/32, 39/128, 3/128). Δb = W1ᵀe as hd.
  const AutoResult r = hand_run(AutoRule::hd_sanger, ActivationKind::rectifier, vec2(0, -0.75), true);
  check_exact(r.params.W, mat3x2(3. / 8, -9. / 64, 1. / 2, 167. / 256, 7. / 8, 131. / 256));
  check_exact(r.params.b, vec2(-1. / 128, -13. / 32));
}

TEST_CASE("autoassociation: hand-worked gd, gd_decoder and gd_encoder, two steps") {
  // Step 1: h = (1, 0), e = (1/2, 0, 1/2), Wᵀe = (1/2, 1/4), g = (Wᵀe) ⊙ φ′(a) = (1/2, 0).
  //   decoder e hᵀ = [1/2 0; 0 0; 1/2 0]; encoder x̃ gᵀ = [1/2 0; 0 0; 1/2 0]; Δb = g.
  // gd, step 2 from W1 = [1 0; 0 1/2; 1 1/2], b1 = (1/4, −3/4): a = (5/4, 1/4), e = (−5/4, 7/8, −3/8),
  //   g = (−13/8, 1/4); ΔW = e hᵀ + x2 gᵀ = [−25/16 −5/16; −17/32 15/32; −67/32 5/32].
  const AutoResult gd = hand_run(AutoRule::gd, ActivationKind::rectifier, vec2(0, -0.75), true);
  check_exact(gd.params.W, mat3x2(7. / 32, -5. / 32, -17. / 64, 47. / 64, -3. / 64, 37. / 64));
  check_exact(gd.params.b, vec2(-9. / 16, -5. / 8));
  // gd_decoder, step 2 from W1 = [3/4 0; 0 1/2; 3/4 1/2]: a = (1, 1/4), e = (−3/4, 7/8, 1/8),
  //   ΔW = e hᵀ = [−3/4 −3/16; 7/8 7/32; 1/8 1/32], g = (−15/32, 1/2).
  const AutoResult dec = hand_run(AutoRule::gd_decoder, ActivationKind::rectifier, vec2(0, -0.75), true);
  check_exact(dec.params.W, mat3x2(3. / 8, -3. / 32, 7. / 16, 39. / 64, 13. / 16, 33. / 64));
  check_exact(dec.params.b, vec2(1. / 64, -1. / 2));
  // gd_encoder: the same W1 and step-2 forward pass; ΔW = x2 gᵀ = [0 0; −15/32 1/2; −15/32 1/2].
  const AutoResult enc = hand_run(AutoRule::gd_encoder, ActivationKind::rectifier, vec2(0, -0.75), true);
  check_exact(enc.params.W, mat3x2(3. / 4, 0, -15. / 64, 3. / 4, 33. / 64, 3. / 4));
  check_exact(enc.params.b, vec2(1. / 64, -1. / 2));
}

TEST_CASE("autoassociation: hand-worked cd1 and cd1_clamped, two steps") {
  // cd1 step 1: h = (1, 0), r̃ = W0 h = (1/2, 0, 1/2), a_r = W0ᵀr̃ + b = (1/2, −1/2), h_r = (1/2, 0);
  //   ΔW = x̃ hᵀ − r̃ h_rᵀ = [3/4 0; 0 0; 3/4 0]; Δb = h − h_r = (1/2, 0).
  //   W1 = [7/8 0; 0 1/2; 7/8 1/2], b1 = (1/4, −3/4).
  // Step 2: h = (9/8, 1/4), r̃ = W1 h = (63/64, 1/8, 71/64), a_r = (533/256, −17/128), h_r = (533/256, 0);
  //   Δb = (−245/256, 1/4); ΔW = x2 hᵀ − r̃ h_rᵀ = [−33579/16384 0; 1771/2048 1/4; −19411/16384 1/4].
  const AutoResult cd = hand_run(AutoRule::cd1, ActivationKind::rectifier, vec2(0, -0.75), true);
  check_exact(cd.params.W,
              mat3x2(-4907. / 32768, 0, 1771. / 4096, 5. / 8, 9261. / 32768, 5. / 8));
  check_exact(cd.params.b, vec2(-117. / 512, -5. / 8));
  // cd1_clamped: h_r = h, so ΔW = (x̃ − r̃) hᵀ = e hᵀ (hd's) and Δb = 0.
  //   Step 2 from W1 = [3/4 0; 0 1/2; 3/4 1/2], b = (0, −3/4): h = (3/4, 1/4), e = (−9/16, 7/8, 5/16).
  const AutoResult cl = hand_run(AutoRule::cd1_clamped, ActivationKind::rectifier, vec2(0, -0.75), true);
  check_exact(cl.params.W, mat3x2(69. / 128, -9. / 128, 21. / 64, 39. / 64, 111. / 128, 69. / 128));
  check_exact(cl.params.b, vec2(0, -0.75));
}

TEST_CASE("autoassociation: hand-worked hd with running input and hidden centering") {
  // b0 = (1/2, 1/4). Step 1: μ = x1, x̃ = 0, a = h = b0, λ = h, h̃ = 0, e = 0: nothing is learned.
  // Step 2: μ = (1/2, 1/2, 1), x̃ = (−1/2, 1/2, 0), a = h = (1/4, 1/2), λ = (3/8, 3/8),
  //   h̃ = (−1/8, 1/8), W h̃ = (−1/16, 1/16, 0), e = (−7/16, 7/16, 0);
  //   ΔW = e h̃ᵀ = [7/128 −7/128; −7/128 7/128; 0 0], Δb = Wᵀe = (−7/32, 7/32).
  AutoSpec s = spec_of(AutoRule::hd, ActivationKind::rectifier, 0.5);
  s.centering = Centering::running;
  s.hidden_centering = HiddenCentering::running;
  const AutoResult r = train_autoassociation(s, hand_X(), MatrixXd(3, 0), params_of(hand_W0(), vec2(0.5, 0.25)), 0);
  check_exact(r.params.W, mat3x2(135. / 256, -7. / 256, -7. / 256, 135. / 256, 0.5, 0.5));
  check_exact(r.params.b, vec2(25. / 64, 23. / 64));
  check_exact(r.offsets.mu, (VectorXd(3) << 0.5, 0.5, 1).finished());
  check_exact(r.offsets.lambda, vec2(3. / 8, 3. / 8));
}

// ---------------------------------------------------------------------------------------------------
// Identities between rules.

TEST_CASE("autoassociation: hd with linear units, b = 0, no lambda equals oja bit for bit over a run") {
  const MatrixXd X = spectrum_data((VectorXd(6) << 3, 2, 1, 0.3, 0.2, 0.1).finished(), 80, 5);
  const MatrixXd W0 = uniform_matrix(6, 3, 6, -0.5, 0.5);
  for (Centering c : {Centering::none, Centering::dataset, Centering::running})
    for (int batch : {1, 4, 20}) {
      CAPTURE(centering_name(c));
      CAPTURE(batch);
      AutoSpec s = spec_of(AutoRule::hd, ActivationKind::linear, 0.02);
      s.centering = c;
      s.learn_bias = false;
      s.protocol = Protocol::multi_epoch;
      s.epochs = 5;
      s.batch_size = batch;
      s.weight_decay = 0.001;
      const AutoResult hd = train_autoassociation(s, X, X, params_of(W0, VectorXd::Zero(3)), 1);
      s.rule = AutoRule::oja;
      const AutoResult oja = train_autoassociation(s, X, X, params_of(W0, VectorXd::Zero(3)), 1);
      CHECK(max_abs(hd.params.W - W0) > 0.05);
      CHECK((hd.params.W.array() == oja.params.W.array()).all());
      CHECK(hd.epochs.back().m.train_mse == oja.epochs.back().m.train_mse);
      s.rule = AutoRule::hd_sanger;
      const AutoResult hs = train_autoassociation(s, X, X, params_of(W0, VectorXd::Zero(3)), 1);
      s.rule = AutoRule::sanger;
      const AutoResult sg = train_autoassociation(s, X, X, params_of(W0, VectorXd::Zero(3)), 1);
      CHECK(max_abs(hs.params.W - W0) > 0.05);
      CHECK((hs.params.W.array() == sg.params.W.array()).all());
    }
}

TEST_CASE("autoassociation: gd equals gd_decoder plus gd_encoder, biases shared") {
  const MatrixXd X = binary_matrix(7, 5, 9);
  const AutoParams p = params_of(uniform_matrix(7, 3, 10, -0.6, 0.6), uniform_matrix(3, 1, 11, -0.3, 0.3).col(0),
                                 uniform_matrix(7, 1, 12, -0.3, 0.3).col(0));
  AutoOffsets o{X.rowwise().mean(), uniform_matrix(3, 1, 13, 0.1, 0.5).col(0), 0};
  for (ActivationKind kind : {ActivationKind::sigmoid, ActivationKind::tanh, ActivationKind::rectifier,
                              ActivationKind::softmax, ActivationKind::exponential_linear})
    for (VisibleUnits vis : {VisibleUnits::linear, VisibleUnits::sigmoid}) {
      CAPTURE(Activation::make(kind).name());
      AutoSpec s = spec_of(AutoRule::gd, kind, 0.1);
      s.visible = vis;
      const AutoUpdate gd = auto_update(s, p, o, X);
      s.rule = AutoRule::gd_decoder;
      const AutoUpdate dec = auto_update(s, p, o, X);
      s.rule = AutoRule::gd_encoder;
      const AutoUpdate enc = auto_update(s, p, o, X);
      CHECK(max_abs(dec.dW) > 1e-3);
      CHECK(max_abs(enc.dW) > 1e-3);
      CHECK(max_abs(gd.dW - dec.dW - enc.dW) < 1e-14);
      CHECK(max_abs(gd.db - dec.db) == 0.0);
      CHECK(max_abs(gd.db - enc.db) == 0.0);
      CHECK(max_abs(gd.dc - enc.dc) == 0.0);
    }
}

TEST_CASE("autoassociation: cd1 with the hidden units clamped to h(x) equals hd") {
  const MatrixXd X = binary_matrix(6, 9, 21);
  const AutoParams p = params_of(uniform_matrix(6, 4, 22, -0.6, 0.6), uniform_matrix(4, 1, 23, -0.3, 0.3).col(0),
                                 uniform_matrix(6, 1, 24, -0.3, 0.3).col(0));
  for (ActivationKind kind : {ActivationKind::sigmoid, ActivationKind::rectifier, ActivationKind::step})
    for (VisibleUnits vis : {VisibleUnits::linear, VisibleUnits::sigmoid})
      for (bool lambda : {false, true}) {
        CAPTURE(Activation::make(kind).name());
        AutoOffsets o{X.rowwise().mean(), lambda ? VectorXd::Constant(4, 0.3) : VectorXd::Zero(4), 0};
        AutoSpec s = spec_of(AutoRule::cd1_clamped, kind, 0.1);
        s.visible = vis;
        const AutoUpdate cl = auto_update(s, p, o, X);
        s.rule = AutoRule::hd;
        const AutoUpdate hd = auto_update(s, p, o, X);
        s.rule = AutoRule::cd1;
        const AutoUpdate cd = auto_update(s, p, o, X);
        CHECK(max_abs(hd.dW) > 1e-3);
        CHECK(max_abs(cl.dW - hd.dW) < 1e-12);
        CHECK(max_abs(cl.dc - hd.dc) < 1e-12);
        CHECK(max_abs(cl.db) == 0.0);
        CHECK(max_abs(cd.dW - hd.dW) > 1e-3);  // unclamped, the negative phase differs
      }
}

TEST_CASE("autoassociation: one training step applies eta times the pure update, for every rule") {
  const MatrixXd X = binary_matrix(5, 6, 31);
  const MatrixXd W0 = uniform_matrix(5, 3, 32, -0.5, 0.5);
  const VectorXd b0 = uniform_matrix(3, 1, 33, -0.2, 0.2).col(0), c0 = uniform_matrix(5, 1, 34, -0.2, 0.2).col(0);
  for (const auto& name : auto_rule_names())
    for (VisibleUnits vis : {VisibleUnits::linear, VisibleUnits::sigmoid})
      for (int batch : {1, 6}) {
        AutoRule rule;
        REQUIRE(auto_rule_from_name(name, rule));
        const bool classic = rule == AutoRule::oja || rule == AutoRule::sanger;
        if ((classic || rule == AutoRule::hd_sanger) && vis == VisibleUnits::sigmoid) continue;
        CAPTURE(name);
        CAPTURE(batch);
        AutoSpec s = spec_of(rule, classic ? ActivationKind::linear : ActivationKind::tanh, 0.3);
        s.visible = vis;
        s.weight_decay = 0.1;
        s.protocol = Protocol::multi_epoch;
        s.batch_size = batch;
        const MatrixXd Xb = X.leftCols(batch);
        const AutoParams p0 = params_of(W0, classic ? VectorXd::Zero(3) : b0, c0);
        const AutoResult r = train_autoassociation(s, Xb, MatrixXd(5, 0), p0, 0);
        REQUIRE(r.updates == 1);
        const AutoOffsets o{Xb.rowwise().mean(), VectorXd::Zero(3), 0};
        const AutoUpdate u = auto_update(s, p0, o, Xb);
        CHECK(max_abs(r.params.W - (0.9 * W0 + 0.3 * u.dW)) < 1e-14);
        CHECK(max_abs(r.params.b - (p0.b + 0.3 * u.db)) < 1e-15);
        CHECK(max_abs(r.params.c - (vis == VisibleUnits::sigmoid ? VectorXd(c0 + 0.3 * u.dc) : c0)) < 1e-15);
      }
}

// ---------------------------------------------------------------------------------------------------
// gd is the gradient of ½‖e‖².

TEST_CASE("autoassociation: gd is minus the gradient of half the squared reconstruction error") {
  const int n = 5, k = 3;
  const VectorXd x = uniform_matrix(n, 1, 41, 0.05, 0.95).col(0);
  const MatrixXd W = uniform_matrix(n, k, 42, -0.8, 0.8);
  const VectorXd b = uniform_matrix(k, 1, 43, -0.4, 0.4).col(0);
  const VectorXd c = uniform_matrix(n, 1, 44, -0.4, 0.4).col(0);
  const VectorXd mu = uniform_matrix(n, 1, 45, 0.3, 0.6).col(0);
  for (ActivationKind kind :
       {ActivationKind::linear, ActivationKind::sigmoid, ActivationKind::leaky_rectifier,
        ActivationKind::exponential_linear, ActivationKind::tanh, ActivationKind::scaled_tanh,
        ActivationKind::softplus, ActivationKind::selu, ActivationKind::softmax})
    for (VisibleUnits vis : {VisibleUnits::linear, VisibleUnits::sigmoid})
      for (bool with_lambda : {false, true}) {
        const Activation act = Activation::make(kind);
        CAPTURE(act.name());
        CAPTURE(visible_units_name(vis));
        CAPTURE(with_lambda);
        const VectorXd lambda = with_lambda ? VectorXd(uniform_matrix(k, 1, 46, 0.1, 0.6).col(0)) : VectorXd::Zero(k);
        // ½‖x − r‖², written out with loops (μ and λ constants).
        auto loss = [&](const MatrixXd& Wv, const VectorXd& bv, const VectorXd& cv) {
          VectorXd a(k);
          for (int j = 0; j < k; ++j) {
            a(j) = bv(j);
            for (int i = 0; i < n; ++i) a(j) += Wv(i, j) * (x(i) - mu(i));
          }
          const VectorXd h = act(a);
          double sum = 0;
          for (int i = 0; i < n; ++i) {
            double z = 0;
            for (int j = 0; j < k; ++j) z += Wv(i, j) * (h(j) - lambda(j));
            const double r = vis == VisibleUnits::linear ? z + mu(i) : 1.0 / (1.0 + std::exp(-(z + cv(i))));
            sum += 0.5 * (x(i) - r) * (x(i) - r);
          }
          return sum;
        };
        // The activations with kinks at 0 are smooth where the test looks.
        const VectorXd a = W.transpose() * (x - mu) + b;
        REQUIRE(a.cwiseAbs().minCoeff() > 1e-3);
        AutoSpec s = spec_of(AutoRule::gd, kind, 0.1);
        s.visible = vis;
        const AutoUpdate u = auto_update(s, params_of(W, b, c), AutoOffsets{mu, lambda, 0}, x);
        const double eps = 1e-6;
        double worst = 0;
        for (int i = 0; i < n; ++i)
          for (int j = 0; j < k; ++j) {
            MatrixXd Wp = W, Wm = W;
            Wp(i, j) += eps;
            Wm(i, j) -= eps;
            const double g = (loss(Wp, b, c) - loss(Wm, b, c)) / (2 * eps);
            worst = std::max(worst, std::abs(-g - u.dW(i, j)));
          }
        for (int j = 0; j < k; ++j) {
          VectorXd bp = b, bm = b;
          bp(j) += eps;
          bm(j) -= eps;
          worst = std::max(worst, std::abs(-(loss(W, bp, c) - loss(W, bm, c)) / (2 * eps) - u.db(j)));
        }
        for (int i = 0; i < n; ++i) {
          VectorXd cp = c, cm = c;
          cp(i) += eps;
          cm(i) -= eps;
          const double g = vis == VisibleUnits::linear ? 0.0 : (loss(W, b, cp) - loss(W, b, cm)) / (2 * eps);
          worst = std::max(worst, std::abs(-g - u.dc(i)));
        }
        CHECK(max_abs(u.dW) > 1e-3);
        CHECK(worst < 1e-8);
      }
}

TEST_CASE("autoassociation: mean field of gd has a symmetric Jacobian, hd's does not") {
  const MatrixXd X = spectrum_data((VectorXd(4) << 2, 1.5, 1, 0.5).finished(), 50, 51);
  const AutoParams p = params_of(uniform_matrix(4, 2, 52, -1.5, 1.5), VectorXd::Constant(2, 0.1));
  const AutoOffsets o{X.rowwise().mean(), VectorXd::Zero(2), 0};
  AutoSpec s = spec_of(AutoRule::gd, ActivationKind::sigmoid, 0.1);
  // The mean field is the batch update of the whole set.
  CHECK(max_abs(auto_mean_field(s, p, o, X) - auto_update(s, p, o, X).dW) < 1e-15);
  const MatrixXd Jgd = auto_mean_field_jacobian(s, p, o, X, 1e-5);
  s.rule = AutoRule::hd;
  const MatrixXd Jhd = auto_mean_field_jacobian(s, p, o, X, 1e-5);
  const double asym_gd = (Jgd - Jgd.transpose()).norm() / Jgd.norm();
  const double asym_hd = (Jhd - Jhd.transpose()).norm() / Jhd.norm();
  MESSAGE("relative asymmetry of the Jacobian: gd " << asym_gd << ", hd " << asym_hd);
  CHECK(asym_gd < 1e-8);
  CHECK(asym_hd > 1e-2);
  // A large set is averaged in blocks: the same mean up to rounding.
  const MatrixXd Y = spectrum_data((VectorXd(4) << 0.4, 0.3, 0.2, 0.1).finished(), 2500, 53);
  CHECK(max_abs(auto_mean_field(s, p, o, Y) - auto_update(s, p, o, Y).dW) < 1e-13);
}

// ---------------------------------------------------------------------------------------------------
// Principal subspaces and angles.

TEST_CASE("autoassociation: principal angles of hand-made subspaces") {
  const double th = 0.3;
  MatrixXd A(4, 2), B(4, 2);
  // span(A) = span(e1, e2), with a non-orthonormal basis.
  A << 1, 0,  //
      1, 2,   //
      0, 0,   //
      0, 0;
  // span(B) = span(e1, cos θ e2 + sin θ e3): angles 0 and θ.
  B << 3, 1,  //
      0, std::cos(th), 0, std::sin(th), 0, 0;
  VectorXd ang = principal_angles(A, B);
  REQUIRE(ang.size() == 2);
  CHECK(std::abs(ang(0)) < 1e-15);
  CHECK(ang(1) == doctest::Approx(th).epsilon(1e-14));
  // A tiny angle is resolved (the cosine alone would give 0 or ~1e-8).
  B(1, 1) = std::cos(1e-9);
  B(2, 1) = std::sin(1e-9);
  ang = principal_angles(A, B);
  CHECK(ang(1) == doctest::Approx(1e-9).epsilon(1e-6));
  // Orthogonal subspaces; a rank-deficient basis counts its missing dimension as π/2.
  MatrixXd C = MatrixXd::Zero(4, 2);
  C(2, 0) = 1;
  C(3, 1) = -2;
  ang = principal_angles(A, C);
  CHECK(ang(0) == doctest::Approx(M_PI / 2));
  CHECK(ang(1) == doctest::Approx(M_PI / 2));
  MatrixXd D = MatrixXd::Zero(4, 2);
  D(0, 0) = 1;
  D(0, 1) = 2;
  ang = principal_angles(D, A);
  CHECK(std::abs(ang(0)) < 1e-15);
  CHECK(ang(1) == doctest::Approx(M_PI / 2));
  // Different numbers of columns: min of them.
  CHECK(principal_angles(A, A.col(1)).size() == 1);
  CHECK(std::abs(principal_angles(A, A.col(1))(0)) < 1e-15);
}

TEST_CASE("autoassociation: principal subspace of data with a known spectrum") {
  // Variance 9 along e3, 4 along e1, 1 or less elsewhere; also with fewer patterns than dimensions.
  Rng rng(61);
  for (int N : {400, 4}) {
    MatrixXd X(5, N);
    const double sd[5] = {2, 0.1, 3, 0.2, 0.05};
    for (int p = 0; p < N; ++p)
      for (int i = 0; i < 5; ++i) X(i, p) = 1.0 + sd[i] * rng.normal();
    const MatrixXd P = principal_subspace(X, 2);
    CHECK(max_abs(P.transpose() * P - MatrixXd::Identity(2, 2)) < 1e-14);
    // The sample scatter decides; with 400 patterns that is near the true one.
    MatrixXd E = MatrixXd::Zero(5, 2);
    E(2, 0) = E(0, 1) = 1;
    if (N == 400) CHECK(principal_angles(P, E).maxCoeff() < 0.1);
    // It is the best rank-2 subspace: no other pair of coordinates captures more scatter.
    const MatrixXd Xc = X.colwise() - X.rowwise().mean();
    const double captured = (P.transpose() * Xc).squaredNorm();
    CHECK(captured >= (E.transpose() * Xc).squaredNorm() - 1e-9);
  }
}

TEST_CASE("autoassociation: oja and sanger converge to the principal subspace (property)") {
  const VectorXd scales = (VectorXd(8) << 3, 2.5, 2, 0.5, 0.4, 0.3, 0.2, 0.1).finished();
  const MatrixXd X = spectrum_data(scales, 400, 71);
  const MatrixXd W0 = uniform_matrix(8, 3, 72, -0.3, 0.3);
  const MatrixXd P = principal_subspace(X, 3);
  // Full-batch steps follow the mean field exactly: the angle goes to 0 geometrically.
  for (AutoRule rule : {AutoRule::oja, AutoRule::sanger, AutoRule::hd}) {
    CAPTURE(auto_rule_name(rule));
    AutoSpec s = spec_of(rule, ActivationKind::linear, 0.05);
    s.learn_bias = false;
    s.protocol = Protocol::multi_epoch;
    s.epochs = 600;
    s.batch_size = 400;
    const AutoResult r = train_autoassociation(s, X, MatrixXd(8, 0), params_of(W0, VectorXd::Zero(3)), 0, &P);
    REQUIRE_FALSE(r.diverged);
    CHECK(r.initial.max_angle > 0.5);
    CHECK(r.epochs.back().m.max_angle < 1e-3);
    CHECK(r.epochs.back().m.max_angle == doctest::Approx(r.epochs.back().m.angles.maxCoeff()));
    // The columns become orthonormal; Sanger's are the eigenvectors themselves, in order.
    CHECK(max_abs(r.params.W.transpose() * r.params.W - MatrixXd::Identity(3, 3)) < 1e-3);
    if (rule == AutoRule::sanger)
      for (int j = 0; j < 3; ++j) CHECK(principal_angles(r.params.W.col(j), P.col(j))(0) < 1e-3);
  }
  // Online steps with a small η hover near the subspace.
  AutoSpec s = spec_of(AutoRule::oja, ActivationKind::linear, 0.002);
  s.protocol = Protocol::multi_epoch;
  s.epochs = 30;
  s.reshuffle = true;
  const AutoResult r = train_autoassociation(s, X, MatrixXd(8, 0), params_of(W0, VectorXd::Zero(3)), 7, &P);
  MESSAGE("online oja: largest angle " << r.epochs.back().m.max_angle);
  CHECK(r.epochs.back().m.max_angle < 0.05);
}

// ---------------------------------------------------------------------------------------------------
// Protocols and measures.

TEST_CASE("autoassociation: measures of a run, online and multi-epoch") {
  const MatrixXd X = binary_matrix(10, 40, 81), H = binary_matrix(10, 15, 82);
  const AutoParams p0 = params_of(uniform_matrix(10, 4, 83, -0.5, 0.5), VectorXd::Zero(4));
  AutoSpec s = spec_of(AutoRule::hd, ActivationKind::sigmoid, 0.1);
  s.visible = VisibleUnits::sigmoid;
  s.centering = Centering::running;
  const AutoResult on = train_autoassociation(s, X, H, p0, 0);
  REQUIRE(on.epochs.size() == 1);
  CHECK(on.updates == 40);
  CHECK(on.epochs[0].updates == 40);
  CHECK(on.pattern_mse.size() == 40);
  CHECK(on.pattern_mse.mean() == doctest::Approx(on.epochs[0].m.train_mse).epsilon(1e-14));
  // Running centering has seen every pattern once: μ is the data mean.
  CHECK(max_abs(on.offsets.mu - X.rowwise().mean()) < 1e-14);
  CHECK(on.offsets.seen == 40);
  CHECK(on.epochs[0].m.train_mse < on.initial.train_mse);
  CHECK(std::isfinite(on.epochs[0].m.heldout_mse));
  CHECK(on.epochs[0].dW_norm > 0);
  CHECK(on.epochs[0].seconds_per_update > 0);
  CHECK(on.epochs[0].m.hidden_mean.size() == 4);
  const VectorXd& hm = on.epochs[0].m.hidden_mean;
  CHECK(on.epochs[0].m.hidden_spread ==
        doctest::Approx(std::sqrt((hm.array() - hm.mean()).square().mean())).epsilon(1e-14));
  // Mean hidden activity by hand from the final parameters.
  const VectorXd h0 = Activation::make(ActivationKind::sigmoid)(
      VectorXd(on.params.W.transpose() * (X.col(0) - on.offsets.mu) + on.params.b));
  VectorXd sum = h0;
  for (int q = 1; q < 40; ++q)
    sum += Activation::make(ActivationKind::sigmoid)(
        VectorXd(on.params.W.transpose() * (X.col(q) - on.offsets.mu) + on.params.b));
  CHECK(max_abs(sum / 40 - hm) < 1e-14);
  // ‖ΔW‖ of the epoch.
  CHECK(on.epochs[0].dW_norm == doctest::Approx((on.params.W - p0.W).norm()).epsilon(1e-14));

  // Multi-epoch with mini-batches of 16 (the last one 8), reshuffled by seed.
  s.protocol = Protocol::multi_epoch;
  s.epochs = 3;
  s.batch_size = 16;
  s.reshuffle = true;
  const AutoResult a = train_autoassociation(s, X, H, p0, 5), b = train_autoassociation(s, X, H, p0, 5);
  const AutoResult c = train_autoassociation(s, X, H, p0, 6);
  REQUIRE(a.epochs.size() == 3);
  CHECK(a.updates == 9);
  CHECK((a.params.W.array() == b.params.W.array()).all());  // deterministic
  CHECK(a.last_order == b.last_order);
  CHECK(a.last_order != c.last_order);
  std::vector<int> sorted = a.last_order;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 40; ++i) CHECK(sorted[i] == i);
  CHECK(a.offsets.seen == 120);
}

TEST_CASE("autoassociation: a run gives the same bits on 1 and 2 threads") {
  const MatrixXd X = uniform_matrix(120, 300, 95, 0, 1);
  AutoSpec s = spec_of(AutoRule::gd, ActivationKind::tanh, 0.05);
  s.protocol = Protocol::multi_epoch;
  s.epochs = 2;
  s.batch_size = 100;
  const AutoParams p0 = params_of(uniform_matrix(120, 40, 96, -0.1, 0.1), VectorXd::Zero(40));
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const AutoResult one = train_autoassociation(s, X, X, p0, 0);
  const MatrixXd P1 = principal_subspace(X, 40);
  omp_set_num_threads(2);
  const AutoResult two = train_autoassociation(s, X, X, p0, 0);
  const MatrixXd P2 = principal_subspace(X, 40);
  omp_set_num_threads(saved);
  CHECK((one.params.W.array() == two.params.W.array()).all());
  CHECK((P1.array() == P2.array()).all());
  CHECK((one.epochs.back().m.angles.array() == two.epochs.back().m.angles.array()).all());
}

TEST_CASE("autoassociation: divergence stops training, is flagged with its step and never throws") {
  const MatrixXd X = uniform_matrix(6, 30, 91, -5, 5);
  AutoSpec s = spec_of(AutoRule::hd, ActivationKind::linear, 50.0);
  s.centering = Centering::none;
  s.protocol = Protocol::multi_epoch;
  s.epochs = 4;
  AutoResult r;
  CHECK_NOTHROW(r = train_autoassociation(s, X, X, params_of(uniform_matrix(6, 2, 92, -1, 1), VectorXd::Zero(2)), 0));
  CHECK(r.diverged);
  CHECK(r.diverged_step >= 0);
  CHECK(r.diverged_step < 30);  // within the first epoch
  CHECK(r.updates == r.diverged_step);
  REQUIRE(r.epochs.size() == 4);
  for (const AutoEpoch& e : r.epochs) {
    CHECK(std::isnan(e.m.train_mse));
    CHECK(std::isnan(e.m.max_angle));
  }
  CHECK(std::isnan(r.pattern_mse(0)));
  CHECK(r.params.W.allFinite());
}

// ---------------------------------------------------------------------------------------------------
// Bad input: one line naming the key and the fix.

TEST_CASE("autoassociation: bad input is refused with one line naming the key") {
  const MatrixXd X = uniform_matrix(4, 10, 101, 0, 1);
  const MatrixXd none(4, 0);
  const AutoParams ok = params_of(uniform_matrix(4, 2, 102, -1, 1), VectorXd::Zero(2));
  auto refusal = [&](const AutoSpec& s, const MatrixXd& Xt, const AutoParams& p) -> std::string {
    try {
      check_autoassociation(s, Xt, none, p);
    } catch (const UserError& e) {
      return e.what();
    }
    return "(accepted)";
  };
  const AutoSpec base = spec_of(AutoRule::hd, ActivationKind::sigmoid, 0.1);
  CHECK(refusal(base, X, ok) == "(accepted)");
  CHECK(refusal(base, X, params_of(uniform_matrix(4, 5, 103, -1, 1), VectorXd::Zero(5))) ==
        "k = 5 hidden units exceeds the input dimension 4; tied weights need k <= 4");
  CHECK(refusal(base, X, params_of(MatrixXd(4, 0), VectorXd())) == "k (hidden units) must be >= 1, got 0");
  AutoSpec s = base;
  s.eta = 0;
  CHECK(refusal(s, X, ok) == "eta must be a finite number > 0, got 0");
  s.eta = std::numeric_limits<double>::infinity();
  CHECK(refusal(s, X, ok) == "eta must be a finite number > 0, got inf");
  s = base;
  s.weight_decay = 1;
  CHECK(refusal(s, X, ok) == "weight_decay must be in [0, 1), got 1");
  s.weight_decay = -0.1;
  CHECK(refusal(s, X, ok) == "weight_decay must be in [0, 1), got -0.1");
  s = base;
  s.protocol = Protocol::multi_epoch;
  s.batch_size = 0;
  CHECK(refusal(s, X, ok) == "batch_size must be >= 1, got 0");
  s.batch_size = 1;
  s.epochs = 0;
  CHECK(refusal(s, X, ok) == "epochs must be >= 1, got 0");
  s = base;
  s.batch_size = 4;
  CHECK(refusal(s, X, ok) ==
        "batch_size: the online protocol presents one pattern per step, got 4; use batch_size 1 or protocol "
        "multi_epoch");
  s = base;
  s.visible = VisibleUnits::sigmoid;
  MatrixXd Y = X;
  Y(2, 7) = 1.5;
  CHECK(refusal(s, Y, ok) ==
        "visible: 'sigmoid' reconstructs values in [0, 1] but the training data has 1.5 (pattern 7, dimension 2); "
        "use visible: linear or scale the data to [0, 1]");
  s = spec_of(AutoRule::hd, ActivationKind::linear, 0.1);
  s.hidden_centering = HiddenCentering::running;
  CHECK(refusal(s, X, ok) ==
        "hidden_centering: 'running' with a linear activation only repeats the input centering "
        "(h - mean h = W^T (x - mean x)); use hidden_centering: none and centering: running");
  s = spec_of(AutoRule::oja, ActivationKind::tanh, 0.1);
  CHECK(refusal(s, X, ok) ==
        "activation: rule 'oja' is the linear classic (y = W^T x~), got 'tanh'; use activation: linear, or rule 'hd' "
        "for its non-linear form");
  s = spec_of(AutoRule::sanger, ActivationKind::linear, 0.1);
  s.visible = VisibleUnits::sigmoid;
  CHECK(refusal(s, X, ok) == "visible: rule 'sanger' needs linear visible units; use visible: linear");
  s.visible = VisibleUnits::linear;
  CHECK(refusal(s, X, params_of(ok.W, VectorXd::Constant(2, 0.1))) ==
        "initial bias: rule 'sanger' has no hidden bias but the initial b is non-zero; start from b = 0");
  s = spec_of(AutoRule::hd_sanger, ActivationKind::tanh, 0.1);
  s.visible = VisibleUnits::sigmoid;
  CHECK(refusal(s, X, ok) ==
        "visible: rule 'hd_sanger' is defined for linear visible units; use visible: linear or rule 'hd'");
  CHECK(refusal(base, MatrixXd(4, 0), ok) == "the training set is empty; give at least one training pattern");
  CHECK(refusal(base, MatrixXd::Zero(3, 5), ok) ==
        "the training patterns have 3 dimensions but W has 4 rows; give W one row per input dimension");
  Y = X;
  Y(1, 3) = std::nan("");
  CHECK(refusal(base, Y, ok) ==
        "the training data has a non-finite value (pattern 3, dimension 1); remove or repair that pattern");
  // train_autoassociation checks too.
  CHECK_THROWS_AS(train_autoassociation(s, X, none, ok, 0), UserError);
}

TEST_CASE("autoassociation: rule, visible and centering names round-trip") {
  for (const auto& name : auto_rule_names()) {
    AutoRule r;
    REQUIRE(auto_rule_from_name(name, r));
    CHECK(auto_rule_name(r) == name);
  }
  AutoRule r;
  CHECK_FALSE(auto_rule_from_name("hebb", r));
  VisibleUnits v;
  CHECK(visible_units_from_name("sigmoid", v));
  CHECK(visible_units_name(v) == "sigmoid");
  CHECK_FALSE(visible_units_from_name("softmax", v));
  HiddenCentering c;
  CHECK(hidden_centering_from_name("running", c));
  CHECK(hidden_centering_name(c) == "running");
  CHECK_FALSE(hidden_centering_from_name("dataset", c));
}
