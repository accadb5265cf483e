// Network training protocols and measures (see network_trainer.hpp).
#include "core/network_trainer.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.hpp"
#include "core/isa_kernels.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"

namespace hds {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Eigen::Index kEvalBlock = 1024;  // patterns per forward pass when measuring

// The patterns of one task within one set: columns `cols` (empty: all) with inputs permuted by `perm`
// (empty: none).
struct View {
  const LabelledSet* set = nullptr;
  std::vector<int> cols;
  std::vector<int> perm;
  Eigen::Index size() const { return cols.empty() ? set->size() : static_cast<Eigen::Index>(cols.size()); }
  int column(Eigen::Index k) const { return cols.empty() ? static_cast<int>(k) : cols[k]; }
};

struct Task {
  View train, validation, test;
};

// Patterns order[begin .. begin + B) of the view into X (n_0 × B) and their labels.
void gather(const View& v, const std::vector<int>& order, Eigen::Index begin, Eigen::Index B, Eigen::MatrixXd& X,
            std::vector<int>& labels) {
  X.resize(v.set->X.rows(), B);
  labels.resize(B);
  for (Eigen::Index c = 0; c < B; ++c) {
    const int p = v.column(order.empty() ? begin + c : order[begin + c]);
    labels[c] = v.set->labels[p];
    if (v.perm.empty()) X.col(c) = v.set->X.col(p);
    else
      for (Eigen::Index i = 0; i < X.rows(); ++i) X(i, c) = v.set->X(v.perm[i], p);
  }
}

void one_hot(const std::vector<int>& labels, int n, Eigen::MatrixXd& T) {
  T.setZero(n, static_cast<Eigen::Index>(labels.size()));
  for (size_t c = 0; c < labels.size(); ++c) T(labels[c], c) = 1.0;
}

double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }

SetMetrics evaluate(Network& net, const View& v) {
  SetMetrics m;
  const Eigen::Index N = v.size();
  if (N == 0) return {kNaN, kNaN, kNaN};
  const Activation& phi = net.spec().output;
  const bool ce = has_cross_entropy(phi);
  const bool softmax = phi.kind == ActivationKind::softmax;
  double se = 0.0, xent = 0.0;
  long correct = 0;
  Eigen::MatrixXd X;
  std::vector<int> labels;
  const std::vector<int> none;
  for (Eigen::Index begin = 0; begin < N; begin += kEvalBlock) {
    const Eigen::Index B = std::min(kEvalBlock, N - begin);
    if (v.cols.empty() && v.perm.empty()) {  // a block of the set's own columns: read in place
      labels.assign(v.set->labels.begin() + begin, v.set->labels.begin() + begin + B);
      net.predict(v.set->X.middleCols(begin, B));
    } else {
      gather(v, none, begin, B, X, labels);
      net.predict(X);
    }
    const Eigen::MatrixXd& A = net.predicted_pre();
    const Eigen::MatrixXd& H = net.predicted_output();
    for (Eigen::Index c = 0; c < B; ++c) {
      const int y = labels[c];
      Eigen::Index best;
      A.col(c).maxCoeff(&best);
      correct += best == y;
      se += H.col(c).squaredNorm() - 2.0 * H(y, c) + 1.0;
      if (!ce) continue;
      if (softmax) {
        const double mx = A.col(c).maxCoeff();
        xent += mx + std::log((A.col(c).array() - mx).exp().sum()) - A(y, c);
      } else {
        for (Eigen::Index j = 0; j < A.rows(); ++j) xent += j == y ? softplus(-A(j, c)) : softplus(A(j, c));
      }
    }
  }
  m.mse = se / (static_cast<double>(N) * net.spec().layers.back());
  m.cross_entropy = ce ? xent / static_cast<double>(N) : kNaN;
  m.accuracy = static_cast<double>(correct) / static_cast<double>(N);
  return m;
}

void fisher_yates(std::vector<int>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

std::vector<int> identity(size_t n) {
  std::vector<int> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

std::vector<int> columns_of(const LabelledSet& s, const std::vector<int>& classes) {
  std::vector<int> cols;
  for (Eigen::Index p = 0; p < s.size(); ++p)
    for (int k : classes)
      if (s.labels[p] == k) {
        cols.push_back(static_cast<int>(p));
        break;
      }
  return cols;
}

std::vector<Task> make_tasks(const NetworkTrainSpec& spec, const LabelledSet& train, const LabelledSet& validation,
                             const LabelledSet& test, uint64_t seed) {
  std::vector<Task> tasks;
  auto task_of = [&](std::vector<int> classes, std::vector<int> perm) {
    Task t;
    t.train.set = &train;
    t.validation.set = &validation;
    t.test.set = &test;
    if (!classes.empty()) {
      t.train.cols = columns_of(train, classes);
      t.validation.cols = columns_of(validation, classes);
      t.test.cols = columns_of(test, classes);
    }
    t.train.perm = t.validation.perm = t.test.perm = perm;
    return t;
  };
  switch (spec.protocol) {
    case NetworkProtocol::iid: tasks.push_back(task_of({}, {})); break;
    case NetworkProtocol::class_incremental:
      for (const auto& classes : spec.tasks) tasks.push_back(task_of(classes, {}));
      break;
    case NetworkProtocol::permuted:
      for (int i = 0; i < spec.permuted_tasks; ++i) {
        std::vector<int> perm;
        if (i > 0 || spec.permute_first_task) {
          perm = identity(static_cast<size_t>(train.X.rows()));
          Rng rng(derive_seed(seed, {kPermutationTag, static_cast<uint64_t>(i)}));
          fisher_yates(perm, rng);
        }
        tasks.push_back(task_of({}, perm));
      }
      break;
  }
  return tasks;
}

void check_optimizer(const OptimizerSpec& o, const std::string& key) {
  auto bad = [&](const std::string& what) { throw UserError(key + "." + what); };
  if (!(o.lr > 0.0)) bad("lr must be > 0, got " + std::to_string(o.lr));
  if (!(o.weight_decay >= 0.0)) bad("weight_decay must be >= 0, got " + std::to_string(o.weight_decay));
  if (o.kind == OptimizerKind::sgd && !(o.momentum >= 0.0 && o.momentum < 1.0))
    bad("momentum must be in [0, 1), got " + std::to_string(o.momentum));
  if (o.kind == OptimizerKind::adam) {
    if (!(o.beta1 >= 0.0 && o.beta1 < 1.0)) bad("beta1 must be in [0, 1), got " + std::to_string(o.beta1));
    if (!(o.beta2 >= 0.0 && o.beta2 < 1.0)) bad("beta2 must be in [0, 1), got " + std::to_string(o.beta2));
    if (!(o.eps > 0.0)) bad("eps must be > 0, got " + std::to_string(o.eps));
  }
}

void check_set(const LabelledSet& s, const NetworkSpec& net, const std::string& name) {
  if (s.size() == 0) return;
  if (s.X.rows() != net.layers.front())
    throw UserError("layers[0] = " + std::to_string(net.layers.front()) + " but the " + name + " patterns have " +
                    std::to_string(s.X.rows()) + " dimensions; make the first layer size " +
                    std::to_string(s.X.rows()));
  if (static_cast<Eigen::Index>(s.labels.size()) != s.size())
    throw UserError(name + " set: " + std::to_string(s.labels.size()) + " labels for " + std::to_string(s.size()) +
                    " patterns");
  const int n = net.layers.back();
  for (int y : s.labels)
    if (y < 0 || y >= n)
      throw UserError("layers: the last size " + std::to_string(n) + " is the number of classes, but the " + name +
                      " set has label " + std::to_string(y) + "; make it at least " + std::to_string(y + 1));
}

}  // namespace

bool network_protocol_from_name(const std::string& name, NetworkProtocol& p) {
  if (name == "iid") p = NetworkProtocol::iid;
  else if (name == "class_incremental") p = NetworkProtocol::class_incremental;
  else if (name == "permuted") p = NetworkProtocol::permuted;
  else return false;
  return true;
}

std::string network_protocol_name(NetworkProtocol p) {
  switch (p) {
    case NetworkProtocol::iid: return "iid";
    case NetworkProtocol::class_incremental: return "class_incremental";
    case NetworkProtocol::permuted: return "permuted";
  }
  return "?";
}

bool has_cross_entropy(const Activation& output) {
  return output.kind == ActivationKind::sigmoid || output.kind == ActivationKind::softmax;
}

double chance_accuracy(const NetworkSpec& net) { return 1.0 / net.layers.back(); }

StreamMetrics stream_metrics(const Eigen::MatrixXd& R) {
  StreamMetrics s;
  const Eigen::Index k = R.rows() - 1;
  if (k < 0) return s;
  s.average_accuracy = R.row(k).mean();
  if (k == 0) return s;
  double bwt = 0.0, fgt = 0.0;
  for (Eigen::Index j = 0; j < k; ++j) {
    bwt += R(k, j) - R(j, j);
    fgt += R.col(j).head(k).maxCoeff() - R(k, j);
  }
  s.backward_transfer = bwt / static_cast<double>(k);
  s.forgetting = fgt / static_cast<double>(k);
  return s;
}

NetworkLearner::NetworkLearner(const NetworkTrainSpec& spec, NetworkParams initial, int threads)
    : net_(spec.net, std::move(initial), threads) {
  const int L = net_.num_layers();
  for (int l = 0; l < L; ++l) {
    const OptimizerSpec& o = l == L - 1 ? spec.output_optimizer : spec.hidden_optimizer;
    opt_W_.emplace_back(o, net_.params().W[l].size(), true);
    opt_b_.emplace_back(o, net_.params().b[l].size(), false);
  }
}

bool network_learner_step(NetworkLearner& learner, const Eigen::Ref<const Eigen::MatrixXd>& X,
                          const Eigen::MatrixXd& T) {
  return learner.step(X, T);
}

bool NetworkLearner::step(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::MatrixXd& T) {
  HDS_ISA_FORWARD(network_learner_step, (*this, X, T));
  net_.forward_train(X);
  if (!net_.output_finite()) return false;
  NetworkParams& p = net_.params();
  const int L = net_.num_layers();
  for (int l = 0; l < L; ++l)
    if (net_.trains_layer(l)) {
      opt_W_[l].begin_step();
      opt_b_[l].begin_step();
    }
  // Each piece of W_l's rows is updated as soon as backward() has its gradient (still in the cache):
  // column j of the piece is the contiguous range [j n + r0, j n + r0 + r) of the column-major W_l.
  net_.backward(T, [&](int l, Eigen::Index r0, Eigen::Index r) {
    const Eigen::Index n = p.W[l].rows();
    double* w = p.W[l].data();
    const double* g = net_.grad_W(l).data();
    for (Eigen::Index j = 0; j < p.W[l].cols(); ++j) opt_W_[l].update(j * n + r0, r, w, g);
  });
  for (int l = 0; l < L; ++l)
    if (net_.trains_layer(l)) opt_b_[l].update(0, p.b[l].size(), p.b[l].data(), net_.grad_b(l).data());
  return true;
}

bool NetworkLearner::params_finite() const {
  const NetworkParams& p = net_.params();
  for (size_t l = 0; l < p.W.size(); ++l)
    if (!p.W[l].allFinite() || !p.b[l].allFinite() || !p.mu[l].allFinite()) return false;
  return true;
}

void check_network_training(const NetworkTrainSpec& spec, const LabelledSet& train, const LabelledSet& validation,
                            const LabelledSet& test) {
  check_network_spec(spec.net);
  if (spec.batch_size < 1) throw UserError("batch_size must be >= 1, got " + std::to_string(spec.batch_size));
  if (spec.epochs < 1) throw UserError("epochs must be >= 1, got " + std::to_string(spec.epochs));
  check_optimizer(spec.hidden_optimizer, "hidden_optimizer");
  check_optimizer(spec.output_optimizer, "output_optimizer");
  if (train.size() == 0) throw UserError("the training set is empty");
  check_set(train, spec.net, "training");
  check_set(validation, spec.net, "validation");
  check_set(test, spec.net, "test");
  const int n = spec.net.layers.back();
  if (spec.protocol == NetworkProtocol::class_incremental) {
    if (spec.tasks.empty()) throw UserError("tasks: class_incremental needs at least one task, e.g. [[0, 1], [2, 3]]");
    for (size_t i = 0; i < spec.tasks.size(); ++i) {
      const std::string key = "tasks[" + std::to_string(i) + "]";
      if (spec.tasks[i].empty()) throw UserError(key + ": a task needs at least one class");
      for (int k : spec.tasks[i])
        if (k < 0 || k >= n)
          throw UserError(key + ": class " + std::to_string(k) + " is not one of the data's classes 0.." +
                          std::to_string(n - 1));
      if (columns_of(train, spec.tasks[i]).empty())
        throw UserError(key + ": no training pattern has any of these classes");
    }
  }
  if (spec.protocol == NetworkProtocol::permuted && spec.permuted_tasks < 1)
    throw UserError("permuted_tasks must be >= 1, got " + std::to_string(spec.permuted_tasks));
}

NetworkResult train_network(const NetworkTrainSpec& spec, const LabelledSet& train, const LabelledSet& validation,
                            const LabelledSet& test, uint64_t seed,
                            const std::function<void(const EpochMetrics&)>& on_epoch) {
  check_network_spec(spec.net);
  return train_network(spec, train, validation, test, glorot_params(spec.net, seed), seed, on_epoch);
}

NetworkResult train_network(const NetworkTrainSpec& spec, const LabelledSet& train, const LabelledSet& validation,
                            const LabelledSet& test, NetworkParams initial, uint64_t seed,
                            const std::function<void(const EpochMetrics&)>& on_epoch) {
  HDS_ISA_FORWARD(train_network, (spec, train, validation, test, std::move(initial), seed, on_epoch));
  const auto t0 = std::chrono::steady_clock::now();
  check_network_training(spec, train, validation, test);
  EigenSerial serial(spec.threads);
  NetworkLearner learner(spec, std::move(initial), serial.threads());
  Network& net = learner.network();
  const std::vector<Task> tasks = make_tasks(spec, train, validation, test, seed);
  const Eigen::Index T = static_cast<Eigen::Index>(tasks.size());
  const int n_classes = spec.net.layers.back();
  const double chance = chance_accuracy(spec.net);
  const SetMetrics chance_metrics{kNaN, kNaN, chance};

  NetworkResult r;
  r.R_test.setConstant(T, T, chance);
  r.R_validation.setConstant(T, T, chance);
  Eigen::MatrixXd Xb, Tb;
  std::vector<int> labels, order;
  for (Eigen::Index i = 0; i < T; ++i) {
    const Task& task = tasks[i];
    const Eigen::Index N = task.train.size();
    for (int e = 0; e < spec.epochs; ++e) {
      if (!r.diverged) {
        order = identity(static_cast<size_t>(N));
        if (spec.shuffle) {
          Rng rng(derive_seed(seed, {kShuffle, static_cast<uint64_t>(i), static_cast<uint64_t>(e)}));
          fisher_yates(order, rng);
        }
        for (Eigen::Index begin = 0; begin < N; begin += spec.batch_size) {
          const Eigen::Index B = std::min<Eigen::Index>(spec.batch_size, N - begin);
          gather(task.train, order, begin, B, Xb, labels);
          one_hot(labels, n_classes, Tb);
          if (!learner.step(Xb, Tb)) {
            r.diverged = true;
            r.diverged_step = r.steps;
            break;
          }
          ++r.steps;
        }
        if (!r.diverged && !learner.params_finite()) {
          r.diverged = true;
          r.diverged_step = r.steps - 1;
        }
      }
      EpochMetrics m;
      m.task = static_cast<int>(i);
      m.epoch = e;
      m.train = m.validation = m.test = chance_metrics;
      if (!r.diverged) {
        m.train = evaluate(net, task.train);
        m.validation = evaluate(net, task.validation);
        m.test = evaluate(net, task.test);
        // A finite output whose squared error overflows is beyond any sensible range too.
        auto bad = [](const SetMetrics& s, const View& v) { return v.size() > 0 && !std::isfinite(s.mse); };
        if (bad(m.train, task.train) || bad(m.validation, task.validation) || bad(m.test, task.test)) {
          r.diverged = true;
          r.diverged_step = r.steps - 1;
          m.train = m.validation = m.test = chance_metrics;
        }
      }
      r.epochs.push_back(m);
      if (on_epoch) on_epoch(m);
    }
    if (r.diverged) continue;  // this row and the later ones stay at chance
    for (Eigen::Index j = 0; j < T; ++j) {
      if (j == i) {
        r.R_test(i, j) = r.epochs.back().test.accuracy;
        r.R_validation(i, j) = r.epochs.back().validation.accuracy;
      } else {
        r.R_test(i, j) = evaluate(net, tasks[j].test).accuracy;
        r.R_validation(i, j) = evaluate(net, tasks[j].validation).accuracy;
      }
    }
  }
  r.stream_test = stream_metrics(r.R_test);
  r.stream_validation = stream_metrics(r.R_validation);
  r.score = r.stream_validation.average_accuracy;
  r.params = net.params();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace hds
