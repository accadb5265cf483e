// The auto-association kind (`kind: autoassociation`): tied weights W (n_in × k) learn to reconstruct
// their input by hd, gd, its parts, Oja's and Sanger's rules or contrastive divergence; scored by the
// held-out reconstruction MSE after the last epoch (lower is better). Configuration, runs and run files
// in autoassociation_experiment.hpp, the trainer in core/autoassociation.hpp.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/sweeper.hpp"
#include "tools/lib/autoassociation_experiment.hpp"
#include "tools/lib/config.hpp"
#include "tools/lib/experiment.hpp"
#include "tools/lib/kind.hpp"
#include "tools/lib/output_path.hpp"

namespace hds::kind {
namespace {

using autoexp::AutoExperiment;

class AutoassociationExperiment : public Experiment {
 public:
  explicit AutoassociationExperiment(AutoExperiment c) : c(std::move(c)) {}
  std::unique_ptr<Experiment> clone() const override { return std::make_unique<AutoassociationExperiment>(c); }
  int repetitions() const override { return c.repetitions; }
  uint64_t seed() const override { return c.seed; }
  void set_tuned(const std::string& key, double x) override {
    if (key == "eta") c.train.eta = x;
    else if (key == "weight_decay") c.train.weight_decay = x;
    else if (key == "epochs") c.train.epochs = static_cast<int>(x);
    else if (key == "batch_size") c.train.batch_size = static_cast<int>(x);
  }
  void validate(const std::string& where) const override {
    autoexp::validate(c, [&](const std::string&, const std::string& message) {
      throw UserError(fmt::format("{}: {}", where, message));
    });
  }
  std::string to_yaml(const std::string& output) const override {
    AutoExperiment o = c;
    o.output = output;
    return autoexp::to_yaml(o);
  }
  void check_sweepable(const std::string& file, const std::string& cell,
                       const std::vector<std::string>& tuned) const override {
    if (c.store_weights)
      throw UserError(fmt::format("{}: a sweep stores no weights (cell '{}'); run the winner with 'hds run' and "
                                  "'store: [weights]' to keep them", file, cell));
    if (c.check_identities || c.check_jacobian)
      throw UserError(fmt::format("{}: a sweep computes no checks (cell '{}'); run the winner with 'hds run' and "
                                  "'checks: [...]'", file, cell));
    for (const auto& t : tuned)
      if ((t == "epochs" || t == "batch_size") && c.train.protocol != Protocol::multi_epoch)
        throw UserError(fmt::format("{}: tuning '{}' needs 'protocol: multi_epoch' in base (cell {})", file, t, cell));
  }
  double kept_bytes() const override { return c.repetitions * autoexp::result_bytes(c); }
  double training_bytes(int64_t grid_points) const override {
    return c.repetitions * autoexp::data_bytes(c) + static_cast<double>(grid_points) * kept_bytes();
  }
  std::vector<data::FileRecord> data_files() const override { return autoexp::open_pool(c)->files(); }

  AutoExperiment c;
};

const AutoExperiment& config(const Experiment& e) { return static_cast<const AutoassociationExperiment&>(e).c; }

std::unique_ptr<Experiment> parse(const YAML::Node& root, const cfg::YamlContext& ctx) {
  return std::make_unique<AutoassociationExperiment>(autoexp::parse_autoassociation(root, ctx));
}

// Mean of the finite values; NaN when there are none.
double finite_mean(const std::vector<double>& v) {
  double s = 0;
  int n = 0;
  for (double x : v)
    if (std::isfinite(x)) s += x, ++n;
  return n ? s / n : std::nan("");
}

std::string show(double x, const char* spec = "{:.5g}") {
  return std::isnan(x) ? "-" : fmt::format(fmt::runtime(spec), x);
}

// Trains every repetition, prints the per-epoch table (means over the repetitions that did not
// diverge) and the summary, writes the file.
void run(const RunRequest& q, const YAML::Node& root, const cfg::YamlContext& ctx) {
  AutoExperiment c = autoexp::parse_autoassociation(root, ctx);
  if (!q.output.empty()) c.output = q.output;
  out::check_target(c.output, q.force);  // before the work, not after it
  const AutoSpec& t = c.train;
  const autoexp::AutoRunResult r = autoexp::run_autoassociation(c, q.threads);
  autoexp::write_autoassociation_file(c.output, c, r, q.force);

  const bool online = t.protocol == Protocol::online;
  fmt::print("{}: {} ({} training, {} held-out patterns, {} dimensions), k = {}, rule {}, activation {}, visible {}, "
             "{}, eta {}, {} repetitions\n",
             c.name, r.data_description, c.patterns, c.heldout, r.n_in, c.hidden, auto_rule_name(t.rule),
             t.act.name(), visible_units_name(t.visible),
             online ? std::string("online") : fmt::format("{} epochs of batch {}", t.epochs, t.batch_size), t.eta,
             c.repetitions);
  fmt::print("{:>6} {:>12} {:>12} {:>11} {:>13} {:>10} {:>10}\n", "epoch", "train MSE", "held-out MSE", "|dW|",
             "hidden spread", "max angle", "us/update");
  const auto column = [&](int e, auto get) {
    std::vector<double> v;
    for (const auto& run : r.runs)
      if (!run.diverged) v.push_back(e < 0 ? get(run.initial) : get(run.epochs[e].m));
    return finite_mean(v);
  };
  const auto epoch_column = [&](int e, auto get) {
    std::vector<double> v;
    for (const auto& run : r.runs)
      if (!run.diverged) v.push_back(get(run.epochs[e]));
    return finite_mean(v);
  };
  const int E = r.runs.empty() ? 0 : static_cast<int>(r.runs[0].epochs.size());
  const int every = std::max(1, (E + 19) / 20);  // at most about 20 rows
  for (int e = -1; e < E; ++e) {
    if (e >= 0 && e != E - 1 && (e + 1) % every != 0) continue;
    const double train = column(e, [](const AutoMeasures& m) { return m.train_mse; });
    const double held = column(e, [](const AutoMeasures& m) { return m.heldout_mse; });
    const double spread = column(e, [](const AutoMeasures& m) { return m.hidden_spread; });
    const double angle = column(e, [](const AutoMeasures& m) { return m.max_angle; });
    const double dw = e < 0 ? std::nan("") : epoch_column(e, [](const AutoEpoch& x) { return x.dW_norm; });
    const double us = e < 0 ? std::nan("") : 1e6 * epoch_column(e, [](const AutoEpoch& x) { return x.seconds_per_update; });
    fmt::print("{:>6} {:>12} {:>12} {:>11} {:>13} {:>10} {:>10}\n", e + 1, show(train), show(held), show(dw, "{:.4g}"),
               show(spread, "{:.4g}"), show(angle, "{:.4f}"), show(us, "{:.3g}"));
  }
  if (r.runs.size() > 1 || r.n_diverged > 0)
    fmt::print("(means over the {} repetitions that did not diverge; epoch 0: before training)\n",
               r.runs.size() - r.n_diverged);
  fmt::print("held-out MSE {:.6g} ± {:.6g} (the score; a diverged repetition counts as {:g}), diverged {}/{}, {:.1f}s\n",
             r.score_mean, r.score_sd, autoexp::kWorstScore, r.n_diverged, c.repetitions, r.seconds);
  if (!r.checks.empty()) {
    fmt::print("checks ({}):\n", r.checks_state);
    for (const auto& ch : r.checks) fmt::print("  {:<34} {:.6g}\n", ch.name, ch.value);
  }
  fmt::print("results: {}\n", c.output);
}

// What a sweep keeps of one run: its measures, not its weights.
struct RunMeasures {
  std::vector<AutoEpoch> epochs;
  Eigen::VectorXd pattern_mse;
  bool diverged = false;
};

// One cell: the repetitions' patterns, initial weights and principal subspaces made once (common random
// numbers for every grid point); every (grid point, repetition) trains as `hds run` does, on one thread.
class AutoCell : public CellTrainer {
 public:
  AutoCell(const AutoExperiment& base, const std::vector<std::unique_ptr<Experiment>>& grid, int threads)
      : R_(base.repetitions) {
    const auto pool = autoexp::open_pool(base);
    description_ = pool->describe();
    if (base.patch_size > 0) description_ += fmt::format(", {0} x {0} patches at seeded positions", base.patch_size);
    reps_.resize(R_);
    parallel_jobs(R_, threads, [&](long r) { reps_[r] = autoexp::prepare_repetition(base, *pool, static_cast<int>(r)); });
    for (const auto& g : grid) specs_.push_back(config(*g).train);
    runs_.resize(specs_.size() * R_);
  }

  RunScore run(int g, int r) override {
    const autoexp::Repetition& rep = reps_[r];
    AutoResult res = train_autoassociation(specs_[g], rep.train, rep.heldout, rep.initial, rep.seed, &rep.principal);
    const RunScore score{autoexp::score_of(res), res.diverged};
    RunMeasures& m = runs_[static_cast<size_t>(g) * R_ + r];
    m.epochs = std::move(res.epochs);
    m.pattern_mse = std::move(res.pattern_mse);
    m.diverged = res.diverged;
    return score;
  }

  CellDetail detail(int w, int) override {
    const RunMeasures& first = runs_[static_cast<size_t>(w) * R_];
    const uint64_t R = R_, E = first.epochs.size(), k = first.epochs.back().m.hidden_mean.size(),
                   N = first.pattern_mse.size();
    std::vector<Array> curves = {{"epoch_train_mse", {R, E}, {}, false},
                                 {"epoch_heldout_mse", {R, E}, {}, false},
                                 {"epoch_dw_norm", {R, E}, {}, false},
                                 {"epoch_hidden_spread", {R, E}, {}, false},
                                 {"epoch_max_angle", {R, E}, {}, false}};
    Array hidden{"hidden_mean", {R, k}, {}, false}, angles{"angles", {R, k}, {}, false},
        forgetting{"forgetting_curve", {R, N}, {}, false};
    std::vector<double> seconds;
    for (uint64_t r = 0; r < R; ++r) {
      const RunMeasures& m = runs_[static_cast<size_t>(w) * R_ + r];
      for (const auto& e : m.epochs) {
        curves[0].values.push_back(e.m.train_mse);
        curves[1].values.push_back(e.m.heldout_mse);
        curves[2].values.push_back(e.dW_norm);
        curves[3].values.push_back(e.m.hidden_spread);
        curves[4].values.push_back(e.m.max_angle);
        if (std::isfinite(e.seconds_per_update)) seconds.push_back(e.seconds_per_update);
      }
      const AutoMeasures& last = m.epochs.back().m;
      hidden.values.insert(hidden.values.end(), last.hidden_mean.data(), last.hidden_mean.data() + k);
      angles.values.insert(angles.values.end(), last.angles.data(), last.angles.data() + k);
      forgetting.values.insert(forgetting.values.end(), m.pattern_mse.data(), m.pattern_mse.data() + N);
    }
    CellDetail d;
    d.arrays = std::move(curves);
    d.arrays.push_back(std::move(hidden));
    d.arrays.push_back(std::move(angles));
    d.arrays.push_back(std::move(forgetting));
    d.attrs.emplace_back("data", description_);
    // Timings are attributes, as everywhere in result files: they differ from run to run, the data do not.
    std::sort(seconds.begin(), seconds.end());
    const double lo = seconds.empty() ? std::nan("") : seconds.front();
    const double median = seconds.empty() ? std::nan("") : seconds[seconds.size() / 2];
    d.attrs.emplace_back("seconds_per_update_min", fmt::format("{}", lo));
    d.attrs.emplace_back("seconds_per_update_median", fmt::format("{}", median));
    return d;
  }

 private:
  const int R_;
  std::string description_;
  std::vector<autoexp::Repetition> reps_;
  std::vector<AutoSpec> specs_;
  std::vector<RunMeasures> runs_;
};

std::unique_ptr<CellTrainer> cell(const Experiment& base, const std::vector<std::unique_ptr<Experiment>>& grid,
                                  int threads) {
  return std::make_unique<AutoCell>(config(base), grid, threads);
}

Score score(const Experiment&) { return {"heldout_mse", "heldout_mse", true}; }

std::string score_label(const Experiment&) { return "held-out MSE"; }

std::vector<std::pair<std::string, int64_t>> sweep_attrs(const Experiment& first) {
  return {{"hidden", config(first).hidden}};
}

bool timing(const std::string& s) {
  if (s == "nan") return true;
  try {
    size_t used = 0;
    const double x = std::stod(s, &used);
    return used == s.size() && std::isfinite(x) && x >= 0;
  } catch (const std::exception&) {
    return false;
  }
}

std::string check_detail(const Experiment& e, const CellDetail& d) {
  const AutoExperiment& c = config(e);
  const uint64_t R = c.repetitions, E = c.train.protocol == Protocol::online ? 1 : c.train.epochs, k = c.hidden,
                 N = c.patterns;
  const std::vector<std::pair<const char*, std::vector<uint64_t>>> expected = {
      {"epoch_train_mse", {R, E}},     {"epoch_heldout_mse", {R, E}}, {"epoch_dw_norm", {R, E}},
      {"epoch_hidden_spread", {R, E}}, {"epoch_max_angle", {R, E}},   {"hidden_mean", {R, k}},
      {"angles", {R, k}},              {"forgetting_curve", {R, N}}};
  if (d.arrays.size() != expected.size()) return "the record holds arrays this sweep does not make";
  for (const auto& [name, shape] : expected) {
    const Array* a = d.find(name);
    if (!a) return fmt::format("the array '{}' is missing", name);
    if (a->shape != shape || a->bytes) return fmt::format("the array '{}' has the wrong shape or type", name);
  }
  // Measures may be NaN (after a divergence) or infinite (a held-out MSE that overflowed in a run that
  // did not diverge); shapes are what can be checked.
  if (d.attrs.size() != 3 || !d.attr("data")) return "the record's attributes are not an autoassociation cell's";
  for (const char* name : {"seconds_per_update_min", "seconds_per_update_median"})
    if (!d.attr(name) || !timing(*d.attr(name))) return fmt::format("the attribute '{}' is not a time", name);
  return {};
}

}  // namespace

const Kind& autoassociation() {
  static const Kind k{"autoassociation",
                      "tied weights learn to reconstruct their input (hd as a non-linear Oja / Sanger rule, gd, cd1)",
                      {"eta", "weight_decay", "epochs", "batch_size"},
                      {"epochs", "batch_size"},
                      parse,
                      autoexp::autoassociation_keys,
                      run,
                      cell,
                      score,
                      score_label,
                      sweep_attrs,
                      check_detail};
  return k;
}

}  // namespace hds::kind
