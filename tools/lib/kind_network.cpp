// The network kind (`kind: network`): a multi-layer network whose output layer learns by Hebbian
// descent (or gradient descent), hidden layers by backprop; scored by validation accuracy (higher is
// better; the test set is never looked at for tuning). Configuration, runs and run files in
// network_experiment.hpp, the trainer in core/network_trainer.hpp.
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/sweeper.hpp"
#include "tools/lib/experiment.hpp"
#include "tools/lib/kind.hpp"
#include "tools/lib/network_experiment.hpp"
#include "tools/lib/output_path.hpp"

namespace hds::kind {
namespace {

constexpr int kMaxEpochs = 100000, kMaxBatch = 1000000;

class NetworkExperiment : public Experiment {
 public:
  explicit NetworkExperiment(netexp::NetworkExperiment c) : c(std::move(c)) {}
  std::unique_ptr<Experiment> clone() const override { return std::make_unique<NetworkExperiment>(c); }
  int repetitions() const override { return c.repetitions; }
  uint64_t seed() const override { return c.seed; }
  void set_tuned(const std::string& key, double x) override {
    NetworkTrainSpec& t = c.train;
    if (key == "lr") t.output_optimizer.lr = t.hidden_optimizer.lr = x;
    else if (key == "output_optimizer.lr") t.output_optimizer.lr = x;
    else if (key == "hidden_optimizer.lr") t.hidden_optimizer.lr = x;
    else if (key == "momentum") t.output_optimizer.momentum = t.hidden_optimizer.momentum = x;
    else if (key == "output_optimizer.momentum") t.output_optimizer.momentum = x;
    else if (key == "hidden_optimizer.momentum") t.hidden_optimizer.momentum = x;
    else if (key == "weight_decay") t.output_optimizer.weight_decay = t.hidden_optimizer.weight_decay = x;
    else if (key == "epochs") t.epochs = static_cast<int>(x);
    else if (key == "batch_size") t.batch_size = static_cast<int>(x);
  }
  // The checks parse_network makes of the keys a sweep can tune (the rest cannot change after it).
  void validate(const std::string& where) const override {
    const NetworkTrainSpec& t = c.train;
    for (const auto& [key, o] : {std::pair{"output_optimizer", &t.output_optimizer}, {"hidden_optimizer", &t.hidden_optimizer}}) {
      if (!(o->lr > 0) || !std::isfinite(o->lr))
        throw UserError(fmt::format("{}: key '{}.lr' (learning rate) must be a finite number > 0, got {}", where, key, o->lr));
      if (!(o->momentum >= 0 && o->momentum < 1))
        throw UserError(fmt::format("{}: key '{}.momentum' must be in [0, 1), got {}", where, key, o->momentum));
      if (!(o->weight_decay >= 0) || !std::isfinite(o->weight_decay))
        throw UserError(fmt::format("{}: key 'weight_decay' must be a finite number >= 0, got {}", where, o->weight_decay));
    }
    if (t.epochs < 1 || t.epochs > kMaxEpochs)
      throw UserError(fmt::format("{}: key 'epochs' must be in 1..{}, got {}", where, kMaxEpochs, t.epochs));
    if (t.batch_size < 1 || t.batch_size > kMaxBatch)
      throw UserError(fmt::format("{}: key 'batch_size' must be in 1..{}, got {}", where, kMaxBatch, t.batch_size));
  }
  std::string to_yaml(const std::string& output) const override {
    netexp::NetworkExperiment o = c;
    o.output = output;
    return netexp::to_yaml(o);
  }
  void check_sweepable(const std::string& file, const std::string& cell,
                       const std::vector<std::string>& tuned) const override {
    if (c.store_weights)
      throw UserError(fmt::format("{}: a sweep stores no weights (cell '{}'); run the winner with 'hds run' and "
                                  "'store: [weights]' to keep them", file, cell));
    for (const auto& t : tuned) {
      const bool out = t == "output_optimizer.momentum" || t == "momentum";
      const bool hid = t == "hidden_optimizer.momentum" || t == "momentum";
      if ((out && c.train.output_optimizer.kind == OptimizerKind::adam) ||
          (hid && c.train.hidden_optimizer.kind == OptimizerKind::adam))
        throw UserError(fmt::format("{}: tuned axis '{}': cell '{}' uses adam, which has beta1 instead of momentum",
                                    file, t, cell));
    }
  }
  double kept_bytes() const override {
    // Per repetition: E epochs of three accuracies and T × T accuracies, a few scalars.
    const double E = c.train.epochs * static_cast<double>(tasks()), T = tasks();
    return c.repetitions * 8.0 * (3 * E + T * T + 4);
  }
  double training_bytes(int64_t grid_points) const override {
    // The weights and optimizer state of one run per thread are small next to the data, which is
    // counted by the loaders' own checks; the metrics of every run of the cell are kept.
    return static_cast<double>(grid_points) * kept_bytes();
  }
  std::vector<data::FileRecord> data_files() const override {
    // Hashing a data set takes a while: once per set in this process.
    static std::mutex m;
    static std::map<std::string, std::vector<data::FileRecord>> known;
    std::lock_guard<std::mutex> lock(m);
    auto it = known.find(c.data.source.name + "|" + c.data.source.data_dir);
    if (it == known.end())
      it = known.emplace(c.data.source.name + "|" + c.data.source.data_dir, data::load_labelled(c.data).files).first;
    return it->second;
  }
  int tasks() const {
    switch (c.train.protocol) {
      case NetworkProtocol::iid: return 1;
      case NetworkProtocol::class_incremental: return static_cast<int>(c.train.tasks.size());
      case NetworkProtocol::permuted: return c.train.permuted_tasks;
    }
    return 1;
  }

  netexp::NetworkExperiment c;
};

const NetworkExperiment& net(const Experiment& e) { return static_cast<const NetworkExperiment&>(e); }

std::unique_ptr<Experiment> parse(const YAML::Node& root, const cfg::YamlContext& ctx) {
  return std::make_unique<NetworkExperiment>(netexp::parse_network(root, ctx));
}

std::string pct(double x) { return std::isnan(x) ? "-" : fmt::format("{:.4f}", x); }

// Trains, printing the accuracies after every epoch, then the summary and the file.
void run(const RunRequest& q, const YAML::Node& root, const cfg::YamlContext& ctx) {
  netexp::NetworkExperiment c = netexp::parse_network(root, ctx);
  if (!q.output.empty()) c.output = q.output;
  out::check_target(c.output, q.force);  // before the work, not after it
  fmt::print("{}: layers {}, {} output ({}), hidden {} ({}), protocol {}\n", c.name, fmt::join(c.train.net.layers, "-"),
             c.train.net.output.name(), output_rule_name(c.train.net.output_rule), c.train.net.hidden.name(),
             hidden_rule_name(c.train.net.hidden_rule), network_protocol_name(c.train.protocol));
  fmt::print("{:>4} {:>5} {:>6} {:>10} {:>10} {:>10} {:>10}\n", "rep", "task", "epoch", "train acc", "val acc",
             "test acc", "train mse");
  const netexp::NetworkRunResult r = netexp::run_network(c, q.threads, [](int rep, const EpochMetrics& m) {
    fmt::print("{:>4} {:>5} {:>6} {:>10} {:>10} {:>10} {:>10}\n", rep, m.task, m.epoch + 1, pct(m.train.accuracy),
               pct(m.validation.accuracy), pct(m.test.accuracy), pct(m.train.mse));
    std::fflush(stdout);
  });
  netexp::write_network_file(c.output, c, r, q.force);
  fmt::print("data: {}\n", r.data.description);
  std::vector<double> test;
  for (const auto& run : r.runs) test.push_back(run.stream_test.average_accuracy);
  double test_mean = 0, test_sd = 0;
  exp::mean_sd(test, test_mean, test_sd);
  fmt::print("validation accuracy {:.4f} ± {:.4f}, test accuracy {:.4f} ± {:.4f}{}, diverged {}/{}, {:.1f}s\n",
             r.score_mean, r.score_sd, test_mean, test_sd,
             c.train.protocol == NetworkProtocol::iid ? "" : " (average over tasks after the last)", r.n_diverged,
             c.repetitions, r.seconds);
  if (c.train.protocol != NetworkProtocol::iid && !r.runs.empty())
    fmt::print("stream (test, repetition 0): backward transfer {:.4f}, forgetting {:.4f}\n",
               r.runs[0].stream_test.backward_transfer, r.runs[0].stream_test.forgetting);
  fmt::print("results: {}\n", c.output);
}

// What a sweep keeps of one run: its measures, not its weights.
struct RunMeasures {
  std::vector<EpochMetrics> epochs;
  Eigen::MatrixXd R_test;
  StreamMetrics stream_test;
  bool diverged = false;
};

// One cell: the data loaded and checked once; every (grid point, repetition) trains from
// glorot_params with the repetition's seed derive_seed(seed, {r}), as `hds run` does, on one thread.
class NetworkCell : public CellTrainer {
 public:
  NetworkCell(const NetworkExperiment& base, const std::vector<std::unique_ptr<Experiment>>& grid)
      : data_(netexp::load_network_data(base.c)), R_(base.c.repetitions), seed_(base.c.seed) {
    for (const auto& g : grid) {
      specs_.push_back(net(*g).c.train);
      specs_.back().threads = 1;
    }
    runs_.resize(specs_.size() * R_);
  }

  RunScore run(int g, int r) override {
    NetworkResult res = train_network(specs_[g], data_.train, data_.validation, data_.test,
                                      derive_seed(seed_, {static_cast<uint64_t>(r)}));
    RunMeasures& m = runs_[static_cast<size_t>(g) * R_ + r];
    m.epochs = std::move(res.epochs);
    m.R_test = std::move(res.R_test);
    m.stream_test = res.stream_test;
    m.diverged = res.diverged;
    return {res.score, res.diverged};
  }

  CellDetail detail(int w, int) override {
    const RunMeasures& first = runs_[static_cast<size_t>(w) * R_];
    const uint64_t R = R_, E = first.epochs.size(), T = first.R_test.rows();
    Array train{"epoch_train_accuracy", {R, E}, {}, false}, val{"epoch_validation_accuracy", {R, E}, {}, false},
        test{"epoch_test_accuracy", {R, E}, {}, false}, acc{"accuracy_matrix_test", {R, T, T}, {}, false},
        avg{"test_accuracy", {R}, {}, false}, bwt{"backward_transfer", {R}, {}, false},
        fgt{"forgetting", {R}, {}, false};
    for (uint64_t r = 0; r < R; ++r) {
      const RunMeasures& m = runs_[static_cast<size_t>(w) * R_ + r];
      for (const auto& e : m.epochs) {
        train.values.push_back(e.train.accuracy);
        val.values.push_back(e.validation.accuracy);
        test.values.push_back(e.test.accuracy);
      }
      for (Eigen::Index i = 0; i < m.R_test.rows(); ++i)
        for (Eigen::Index j = 0; j < m.R_test.cols(); ++j) acc.values.push_back(m.R_test(i, j));
      avg.values.push_back(m.stream_test.average_accuracy);
      bwt.values.push_back(m.stream_test.backward_transfer);
      fgt.values.push_back(m.stream_test.forgetting);
    }
    CellDetail d;
    d.arrays = {std::move(train), std::move(val), std::move(test), std::move(acc), std::move(avg), std::move(bwt),
                std::move(fgt)};
    d.attrs.emplace_back("data", data_.splits.description);
    return d;
  }

 private:
  netexp::NetworkData data_;
  const int R_;
  const uint64_t seed_;
  std::vector<NetworkTrainSpec> specs_;
  std::vector<RunMeasures> runs_;
};

std::unique_ptr<CellTrainer> cell(const Experiment& base, const std::vector<std::unique_ptr<Experiment>>& grid, int) {
  return std::make_unique<NetworkCell>(net(base), grid);
}

Score score(const Experiment&) { return {"validation_accuracy", "validation_accuracy", false}; }

std::string score_label(const Experiment&) { return "validation accuracy"; }

std::vector<std::pair<std::string, int64_t>> sweep_attrs(const Experiment&) { return {}; }

std::string check_detail(const Experiment& e, const CellDetail& d) {
  const NetworkExperiment& x = net(e);
  const uint64_t R = x.c.repetitions, T = x.tasks(), E = T * static_cast<uint64_t>(x.c.train.epochs);
  const std::vector<std::pair<const char*, std::vector<uint64_t>>> expected = {
      {"epoch_train_accuracy", {R, E}}, {"epoch_validation_accuracy", {R, E}}, {"epoch_test_accuracy", {R, E}},
      {"accuracy_matrix_test", {R, T, T}}, {"test_accuracy", {R}}, {"backward_transfer", {R}}, {"forgetting", {R}}};
  if (d.arrays.size() != expected.size()) return "the record holds arrays this sweep does not make";
  for (const auto& [name, shape] : expected) {
    const Array* a = d.find(name);
    if (!a) return fmt::format("the array '{}' is missing", name);
    if (a->shape != shape) return fmt::format("the array '{}' has the wrong shape", name);
    for (double v : a->values)
      if (!(std::isnan(v) || std::isfinite(v))) return fmt::format("a value of '{}' is infinite", name);
  }
  if (d.attrs.size() != 1 || !d.attr("data")) return "the record's attributes are not a network cell's";
  return {};
}

}  // namespace

const Kind& network() {
  static const Kind k{"network",
                      "a multi-layer network whose output layer learns by Hebbian descent (or gd), on labelled data",
                      {"lr", "output_optimizer.lr", "hidden_optimizer.lr", "momentum", "output_optimizer.momentum",
                       "hidden_optimizer.momentum", "weight_decay", "epochs", "batch_size"},
                      {"epochs", "batch_size"},
                      parse,
                      netexp::network_keys,
                      run,
                      cell,
                      score,
                      score_label,
                      sweep_attrs,
                      check_detail};
  return k;
}

}  // namespace hds::kind
