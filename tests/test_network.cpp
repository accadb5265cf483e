// The network trainer: output signals, backprop and losses against finite differences, optimizers,
// running centering, protocols, R-matrix measures, divergence and thread-count bit identity.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <omp.h>

#include "core/error.hpp"
#include "core/network_trainer.hpp"
#include "core/rng.hpp"
#include "tests/random_matrices.hpp"

using namespace hds;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

using test::uniform_matrix;

MatrixXd one_hot_of(const std::vector<int>& y, int n) {
  MatrixXd T = MatrixXd::Zero(n, static_cast<int>(y.size()));
  for (size_t c = 0; c < y.size(); ++c) T(y[c], c) = 1.0;
  return T;
}

// Gaussian blobs around random class centres in [0, 1]^dim: easy to classify.
LabelledSet blobs(int dim, int classes, int n, uint64_t seed, double noise = 0.15) {
  const MatrixXd centres = uniform_matrix(dim, classes, seed, 0.0, 1.0);
  Rng rng(seed + 1);
  LabelledSet s;
  s.X.resize(dim, n);
  for (int p = 0; p < n; ++p) {
    const int y = static_cast<int>(rng.below(classes));
    s.labels.push_back(y);
    for (int i = 0; i < dim; ++i) s.X(i, p) = centres(i, y) + noise * rng.normal();
  }
  return s;
}

Activation act(ActivationKind k) { return Activation::make(k); }

// ½ Σ_j (φ(a)_j − t_j)² of one pattern.
double half_squared_error(const Activation& phi, const VectorXd& a, const VectorXd& t) {
  return 0.5 * (phi(a) - t).squaredNorm();
}

// Cross-entropy of one pattern from a (sigmoid: binary per unit; softmax: −ln h_label).
double cross_entropy(const Activation& phi, const VectorXd& a, const VectorXd& t) {
  const VectorXd h = phi(a);
  if (phi.kind == ActivationKind::softmax) return -(t.array() * h.array().log()).sum();
  return -(t.array() * h.array().log() + (1.0 - t.array()) * (1.0 - h.array()).log()).sum();
}

VectorXd numeric_gradient(const std::function<double(const VectorXd&)>& f, const VectorXd& x, double eps = 1e-6) {
  VectorXd g(x.size());
  for (int i = 0; i < x.size(); ++i) {
    VectorXd up = x, down = x;
    up(i) += eps;
    down(i) -= eps;
    g(i) = (f(up) - f(down)) / (2 * eps);
  }
  return g;
}

NetworkTrainSpec small_spec(int dim, int classes) {
  NetworkTrainSpec s;
  s.net.layers = {dim, 16, 12, classes};
  s.net.output = act(ActivationKind::sigmoid);
  s.hidden_optimizer.lr = 0.1;
  s.output_optimizer.lr = 0.1;
  s.batch_size = 8;
  s.epochs = 3;
  return s;
}

bool same_bits(const NetworkParams& a, const NetworkParams& b) {
  for (size_t l = 0; l < a.W.size(); ++l)
    if (a.W[l] != b.W[l] || a.b[l] != b.b[l] || a.mu[l] != b.mu[l]) return false;
  return true;
}

}  // namespace

TEST_CASE("network: hd output signal is h - t, gd's is the gradient of the squared error") {
  const MatrixXd A = uniform_matrix(5, 7, 1, -3.0, 3.0);
  const std::vector<int> y = {0, 4, 2, 2, 1, 3, 0};
  const MatrixXd T = one_hot_of(y, 5);
  for (ActivationKind k : {ActivationKind::sigmoid, ActivationKind::softmax, ActivationKind::step,
                           ActivationKind::tanh, ActivationKind::linear}) {
    CAPTURE(act(k).name());
    const Activation phi = act(k);
    MatrixXd H(5, 7), D;
    phi.apply(A, H);
    output_signal(OutputRule::hd, phi, A, H, T, D);
    CHECK((D - (H - T)).cwiseAbs().maxCoeff() == 0.0);
    output_signal(OutputRule::gd, phi, A, H, T, D);
    if (k == ActivationKind::step) {
      CHECK(D.cwiseAbs().maxCoeff() == 0.0);
      continue;
    }
    for (int c = 0; c < 7; ++c) {
      const VectorXd t = T.col(c);
      const VectorXd g = numeric_gradient([&](const VectorXd& a) { return half_squared_error(phi, a, t); }, A.col(c));
      CHECK((D.col(c) - g).cwiseAbs().maxCoeff() < 1e-8);
    }
  }
}

TEST_CASE("network: for sigmoid and softmax outputs hd's signal is the cross-entropy gradient") {
  const MatrixXd A = uniform_matrix(4, 6, 2, -4.0, 4.0);
  const MatrixXd T = one_hot_of({3, 0, 1, 2, 2, 0}, 4);
  for (ActivationKind k : {ActivationKind::sigmoid, ActivationKind::softmax}) {
    const Activation phi = act(k);
    MatrixXd H(4, 6), D;
    phi.apply(A, H);
    output_signal(OutputRule::hd, phi, A, H, T, D);
    for (int c = 0; c < 6; ++c) {
      const VectorXd t = T.col(c);
      const VectorXd g = numeric_gradient([&](const VectorXd& a) { return cross_entropy(phi, a, t); }, A.col(c));
      CHECK((D.col(c) - g).cwiseAbs().maxCoeff() < 1e-8);
    }
  }
}

TEST_CASE("network: every layer's gradient equals finite differences of the batch loss") {
  // gd: the loss is the mean of ½‖h − t‖²; hd with sigmoid/softmax: the mean cross-entropy.
  struct Case {
    OutputRule rule;
    ActivationKind out;
  };
  for (Case cs : {Case{OutputRule::gd, ActivationKind::sigmoid}, Case{OutputRule::gd, ActivationKind::softmax},
                  Case{OutputRule::hd, ActivationKind::sigmoid}, Case{OutputRule::hd, ActivationKind::softmax}}) {
    NetworkSpec spec;
    spec.layers = {4, 5, 3, 3};
    spec.hidden = act(ActivationKind::tanh);
    spec.output = act(cs.out);
    spec.output_rule = cs.rule;
    const MatrixXd X = uniform_matrix(4, 6, 3, 0.0, 1.0);
    const MatrixXd T = one_hot_of({0, 1, 2, 2, 1, 0}, 3);
    const NetworkParams p0 = glorot_params(spec, 7);
    Network net(spec, p0);
    net.forward_train(X);
    net.backward(T);
    auto loss = [&](const NetworkParams& p) {
      Network probe(spec, p);
      probe.predict(X);
      double s = 0.0;
      for (int c = 0; c < X.cols(); ++c) {
        const VectorXd a = probe.predicted_pre().col(c);
        s += cs.rule == OutputRule::gd ? half_squared_error(spec.output, a, T.col(c)) : cross_entropy(spec.output, a, T.col(c));
      }
      return s / X.cols();
    };
    for (int l = 0; l < 3; ++l) {
      CAPTURE(l);
      for (int i = 0; i < p0.W[l].rows(); ++i)
        for (int j = 0; j < p0.W[l].cols(); ++j) {
          NetworkParams up = p0, down = p0;
          up.W[l](i, j) += 1e-6;
          down.W[l](i, j) -= 1e-6;
          CHECK(net.grad_W(l)(i, j) == doctest::Approx((loss(up) - loss(down)) / 2e-6).epsilon(1e-6));
        }
      for (int j = 0; j < p0.b[l].size(); ++j) {
        NetworkParams up = p0, down = p0;
        up.b[l](j) += 1e-6;
        down.b[l](j) -= 1e-6;
        CHECK(net.grad_b(l)(j) == doctest::Approx((loss(up) - loss(down)) / 2e-6).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("network: running centering subtracts the mean of every input seen so far, this batch included") {
  NetworkSpec spec;
  spec.layers = {3, 2};
  spec.output = act(ActivationKind::linear);
  spec.centering = LayerCentering::running;
  const MatrixXd X1 = uniform_matrix(3, 4, 5, 0.0, 1.0), X2 = uniform_matrix(3, 2, 6, 0.0, 1.0);
  NetworkParams p = glorot_params(spec, 1);
  Network net(spec, p);
  net.forward_train(X1);
  CHECK((net.params().mu[0] - X1.rowwise().mean()).cwiseAbs().maxCoeff() < 1e-15);
  CHECK((net.output_pre() - (p.W[0].transpose() * (X1.colwise() - X1.rowwise().mean()))).cwiseAbs().maxCoeff() < 1e-14);
  net.forward_train(X2);
  const VectorXd both = (X1.rowwise().sum() + X2.rowwise().sum()) / 6.0;
  CHECK((net.params().mu[0] - both).cwiseAbs().maxCoeff() < 1e-15);
  CHECK(net.params().mu_count == 6.0);
  // Measuring never moves the mean.
  net.predict(X1);
  CHECK((net.params().mu[0] - both).cwiseAbs().maxCoeff() < 1e-15);
}

TEST_CASE("optimizer: SGD with momentum and Adam take PyTorch's steps") {
  const double g[2] = {0.5, -2.0};
  OptimizerSpec sgd;
  sgd.lr = 0.1;
  sgd.momentum = 0.9;
  Optimizer o(sgd, 2, true);
  double th[2] = {1.0, 1.0};
  o.begin_step();
  o.update(0, 2, th, g);
  o.begin_step();
  o.update(0, 2, th, g);
  // v1 = g, v2 = 0.9 g + g: θ = 1 − 0.1 (g + 1.9 g)
  CHECK(th[0] == doctest::Approx(1.0 - 0.1 * 2.9 * 0.5));
  CHECK(th[1] == doctest::Approx(1.0 + 0.1 * 2.9 * 2.0));
  // Adam's bias-corrected first step moves each element by lr · sign(g) (up to ε).
  OptimizerSpec adam;
  adam.kind = OptimizerKind::adam;
  adam.lr = 0.01;
  Optimizer a(adam, 2, true);
  double ta[2] = {1.0, 1.0};
  a.begin_step();
  a.update(0, 2, ta, g);
  CHECK(ta[0] == doctest::Approx(0.99).epsilon(1e-9));
  CHECK(ta[1] == doctest::Approx(1.01).epsilon(1e-9));
  // Weight decay adds ω θ to the gradient: a zero gradient still shrinks θ.
  sgd.momentum = 0.0;
  sgd.weight_decay = 0.5;
  Optimizer d(sgd, 1, true), nod(sgd, 1, false);
  double w = 2.0, bias = 2.0, zero = 0.0;
  d.begin_step();
  d.update(0, 1, &w, &zero);
  nod.begin_step();
  nod.update(0, 1, &bias, &zero);
  CHECK(w == doctest::Approx(2.0 - 0.1 * 0.5 * 2.0));
  CHECK(bias == 2.0);
}

TEST_CASE("stream metrics: average accuracy, backward transfer and forgetting of a hand-made R") {
  MatrixXd R(3, 3);
  R << 0.90, 0.10, 0.20,
       0.95, 0.80, 0.10,
       0.40, 0.60, 0.70;
  const StreamMetrics s = stream_metrics(R);
  CHECK(s.average_accuracy == doctest::Approx((0.4 + 0.6 + 0.7) / 3));
  CHECK(s.backward_transfer == doctest::Approx(((0.4 - 0.9) + (0.6 - 0.8)) / 2));
  CHECK(s.forgetting == doctest::Approx(((0.95 - 0.4) + (0.8 - 0.6)) / 2));
  const StreamMetrics one = stream_metrics(MatrixXd::Constant(1, 1, 0.7));
  CHECK(one.average_accuracy == 0.7);
  CHECK(one.backward_transfer == 0.0);
  CHECK(one.forgetting == 0.0);
}

TEST_CASE("network: iid training learns separable blobs and hd learns with a step output, gd does not") {
  const LabelledSet train = blobs(10, 4, 400, 11), val = blobs(10, 4, 100, 11), test = blobs(10, 4, 100, 11);
  NetworkTrainSpec s = small_spec(10, 4);
  s.epochs = 5;
  std::vector<EpochMetrics> seen;
  const NetworkResult r = train_network(s, train, val, test, 3, [&](const EpochMetrics& m) { seen.push_back(m); });
  CHECK_FALSE(r.diverged);
  REQUIRE(r.epochs.size() == 5);
  CHECK(seen.size() == 5);
  CHECK(r.epochs.back().test.accuracy > 0.9);
  CHECK(r.epochs.back().train.cross_entropy < r.epochs.front().train.cross_entropy);
  CHECK(r.score == r.epochs.back().validation.accuracy);
  CHECK(r.R_test(0, 0) == r.epochs.back().test.accuracy);
  CHECK(r.steps == 5 * 50);
  // Single layer, step output: hd's δ = h − t still moves the weights; gd's δ = 0 leaves them.
  s.net.layers = {10, 4};
  s.net.output = act(ActivationKind::step);
  s.net.output_rule = OutputRule::hd;
  const NetworkResult hd = train_network(s, train, val, test, 3);
  s.net.output_rule = OutputRule::gd;
  const NetworkResult gd = train_network(s, train, val, test, 3);
  CHECK(hd.epochs.back().test.accuracy > 0.8);
  CHECK(std::isnan(hd.epochs.back().test.cross_entropy));
  CHECK(gd.params.W[0] == glorot_params(s.net, 3).W[0]);
}

TEST_CASE("network: bit-identical results for 1 and 2 threads, and Eigen's settings restored") {
  // Large enough that every product is cut into pieces and run on two threads, and that Eigen, were it
  // let to parallelise the 400-deep products itself, would block them differently (and round differently).
  const LabelledSet train = blobs(400, 10, 256, 21), val = blobs(400, 10, 64, 21), test = blobs(400, 10, 64, 21);
  NetworkTrainSpec s;
  s.net.layers = {400, 64, 48, 10};
  s.net.output = act(ActivationKind::softmax);
  s.net.centering = LayerCentering::running;
  s.hidden_optimizer.kind = OptimizerKind::adam;
  s.hidden_optimizer.lr = 1e-3;
  s.output_optimizer.lr = 0.5;
  s.output_optimizer.momentum = 0.5;
  s.batch_size = 32;
  s.epochs = 2;
  const int omp_before = omp_get_max_threads();
  s.threads = 1;
  const NetworkResult one = train_network(s, train, val, test, 5);
  s.threads = 2;
  const NetworkResult two = train_network(s, train, val, test, 5);
  CHECK(same_bits(one.params, two.params));
  CHECK(one.epochs.back().test.cross_entropy == two.epochs.back().test.cross_entropy);
  // threads = 0 follows Eigen::setNbThreads, which the run lowers to 1 for Eigen's own products.
  Eigen::setNbThreads(2);
  s.threads = 0;
  const NetworkResult eig = train_network(s, train, val, test, 5);
  CHECK(Eigen::nbThreads() == 2);
  Eigen::setNbThreads(0);
  CHECK(same_bits(one.params, eig.params));
  CHECK(omp_get_max_threads() == omp_before);
  CHECK(Eigen::nbThreads() == omp_before);
}

TEST_CASE("network: a diverging run stops with chance accuracy and never throws") {
  const LabelledSet train = blobs(10, 4, 200, 31), val = blobs(10, 4, 50, 31), test = blobs(10, 4, 50, 31);
  NetworkTrainSpec s = small_spec(10, 4);
  s.net.output = act(ActivationKind::linear);
  s.net.output_rule = OutputRule::gd;
  s.hidden_optimizer.lr = 1e3;
  s.output_optimizer.lr = 1e3;
  s.epochs = 4;
  NetworkResult r;
  CHECK_NOTHROW(r = train_network(s, train, val, test, 1));
  CHECK(r.diverged);
  CHECK(r.diverged_step >= 0);
  REQUIRE(r.epochs.size() == 4);
  CHECK(r.epochs.back().test.accuracy == 0.25);
  CHECK(std::isnan(r.epochs.back().test.mse));
  CHECK(r.score == 0.25);
  CHECK(r.R_test(0, 0) == 0.25);
}

TEST_CASE("network: permuted task 0 is the iid run and class-incremental R has one row per task") {
  const LabelledSet train = blobs(12, 4, 200, 41), val = blobs(12, 4, 60, 41), test = blobs(12, 4, 60, 41);
  NetworkTrainSpec s = small_spec(12, 4);
  s.epochs = 2;
  const NetworkResult iid = train_network(s, train, val, test, 9);
  s.protocol = NetworkProtocol::permuted;
  s.permuted_tasks = 3;
  const NetworkResult perm = train_network(s, train, val, test, 9);
  REQUIRE(perm.epochs.size() == 6);
  CHECK(perm.epochs[1].test.accuracy == iid.epochs[1].test.accuracy);
  CHECK(perm.epochs[1].train.mse == iid.epochs[1].train.mse);
  CHECK(perm.R_test.rows() == 3);
  CHECK(perm.R_test(0, 0) == iid.R_test(0, 0));
  // A later task sees other inputs: its first epoch differs from task 0's.
  CHECK(perm.epochs[2].train.mse != perm.epochs[0].train.mse);
  s.permute_first_task = true;
  CHECK(train_network(s, train, val, test, 9).epochs[1].train.mse != iid.epochs[1].train.mse);

  s.protocol = NetworkProtocol::class_incremental;
  s.tasks = {{0, 1}, {2, 3}};
  const NetworkResult ci = train_network(s, train, val, test, 9);
  REQUIRE(ci.R_test.rows() == 2);
  REQUIRE(ci.R_test.cols() == 2);
  for (int i = 0; i < 2; ++i) CHECK(ci.R_test(i, i) == ci.epochs[2 * i + 1].test.accuracy);
  // Task 0 alone never saw classes 2 and 3, so after it nothing of task 1 is classified right.
  CHECK(ci.R_test(0, 1) == 0.0);
  CHECK(ci.stream_test.average_accuracy == doctest::Approx(ci.R_test.row(1).mean()));
  CHECK(ci.score == doctest::Approx(ci.R_validation.row(1).mean()));
}

TEST_CASE("network: bad input is one UserError naming the key") {
  const LabelledSet train = blobs(10, 4, 50, 51), val = blobs(10, 4, 10, 51), test = blobs(10, 4, 10, 51);
  NetworkTrainSpec s = small_spec(10, 4);
  auto message = [&](const NetworkTrainSpec& spec) {
    try {
      train_network(spec, train, val, test, 1);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  NetworkTrainSpec bad = s;
  bad.net.layers = {784, 16, 4};
  CHECK(message(bad) == "layers[0] = 784 but the training patterns have 10 dimensions; make the first layer size 10");
  bad = s;
  bad.net.layers = {10, 16, 3};
  CHECK(message(bad).find("the last size 3 is the number of classes") != std::string::npos);
  bad = s;
  bad.output_optimizer.lr = 0.0;
  CHECK(message(bad).rfind("output_optimizer.lr must be > 0", 0) == 0);
  bad = s;
  bad.batch_size = 0;
  CHECK(message(bad) == "batch_size must be >= 1, got 0");
  bad = s;
  bad.protocol = NetworkProtocol::class_incremental;
  bad.tasks = {{0, 1}, {2, 7}};
  CHECK(message(bad) == "tasks[1]: class 7 is not one of the data's classes 0..3");
  bad = s;
  bad.net.hidden = act(ActivationKind::softmax);
  CHECK(message(bad).rfind("hidden: softmax", 0) == 0);
}
