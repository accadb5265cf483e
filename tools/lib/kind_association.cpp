// The association kind (`kind: association`, the default): a single layer learns P input → target
// pairs one at a time; scored by the last-N error (lower is better). Configuration in config.hpp,
// runs and run files in experiment.hpp, the engines in core/.
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "core/engine.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/sweeper.hpp"
#include "tools/lib/config.hpp"
#include "tools/lib/experiment.hpp"
#include "tools/lib/kind.hpp"
#include "tools/lib/output_path.hpp"

namespace hds::kind {
namespace {

class AssociationExperiment : public Experiment {
 public:
  explicit AssociationExperiment(cfg::ExperimentConfig c) : c(std::move(c)) {}
  std::unique_ptr<Experiment> clone() const override { return std::make_unique<AssociationExperiment>(c); }
  int repetitions() const override { return c.repetitions; }
  uint64_t seed() const override { return c.seed; }
  void set_tuned(const std::string& key, double x) override {
    if (key == "eta") c.train.eta = x;
    else if (key == "weight_decay") c.train.weight_decay = x;
    else if (key == "epochs") c.train.epochs = static_cast<int>(x);
    else if (key == "activation.alpha") c.train.act.alpha = x;
    else if (key == "activation.lambda") c.train.act.lambda = x;
  }
  void validate(const std::string& where) const override {
    cfg::validate(c, where);
  }
  std::string to_yaml(const std::string& output) const override {
    cfg::ExperimentConfig o = c;
    o.output = output;
    return cfg::to_yaml(o);
  }
  void check_sweepable(const std::string& file, const std::string& cell,
                       const std::vector<std::string>& tuned) const override {
    if (c.store_patterns || c.store_weights)
      throw UserError(fmt::format("{}: a sweep stores no patterns or weights (store: [error_matrix] keeps the "
                                  "winners' error matrices); run the winner with 'hds run' to keep those", file));
    for (const auto& t : tuned) {
      if (t == "epochs" && c.train.protocol != Protocol::multi_epoch)
        throw UserError(fmt::format("{}: tuning 'epochs' needs 'protocol: multi_epoch' in base (cell {})", file, cell));
      const bool alpha = t == "activation.alpha", lambda = t == "activation.lambda";
      if ((alpha && !cfg::has_alpha(c.train.act.kind)) || (lambda && !cfg::has_lambda(c.train.act.kind)))
        throw UserError(fmt::format("{}: tuned axis '{}': cell '{}' uses {}, which has no parameter {}", file, t, cell,
                                    c.train.act.name(), alpha ? "alpha" : "lambda"));
    }
  }
  double kept_bytes() const override {
    const cfg::RunBytes b = cfg::run_bytes(c);
    return c.repetitions * (b.curve + b.error_matrix);
  }
  double training_bytes(int64_t grid_points) const override {
    const cfg::RunBytes b = cfg::run_bytes(c);
    return c.repetitions * (b.data + b.weights + b.error_matrix) + static_cast<double>(grid_points) * c.repetitions * b.curve;
  }
  std::vector<data::FileRecord> data_files() const override {
    const exp::Pools pools = exp::open_pools(c);
    std::vector<data::FileRecord> out;
    for (const auto* pool : {pools.inputs.get(), pools.targets.get()})
      for (const auto& f : pool->files()) out.push_back(f);
    return out;
  }

  cfg::ExperimentConfig c;
};

const cfg::ExperimentConfig& config(const Experiment& e) { return static_cast<const AssociationExperiment&>(e).c; }

std::unique_ptr<Experiment> parse(const YAML::Node& root, const cfg::YamlContext& ctx) {
  return std::make_unique<AssociationExperiment>(cfg::parse_experiment(root, ctx));
}

void run(const RunRequest& q, const YAML::Node& root, const cfg::YamlContext& ctx) {
  cfg::ExperimentConfig c = cfg::parse_experiment(root, ctx);
  if (!q.output.empty()) c.output = q.output;
  out::check_target(c.output, q.force);  // before the work, not after it
  const exp::ExperimentResult r = exp::run_experiment(c, q.threads);
  exp::write_run_file(c.output, c, r, q.force);

  fmt::print("{}: {} -> {}, {} patterns, {} repetitions\n", c.name, r.inputs_description, r.targets_description,
             c.patterns, c.repetitions);
  fmt::print("{:<8} {:<20} {:>10} {:>8} {:>22} {:>9} {:>9}\n", "rule", "activation", "eta", "decay",
             fmt::format("last-{} MAE (mean±sd)", c.train.last_n), "diverged", "time");
  fmt::print("{:<8} {:<20} {:>10.4g} {:>8.3g} {:>22} {:>9} {:>8.2f}s\n", rule_name(c.train.rule), c.train.act.name(),
             c.train.eta, c.train.weight_decay, fmt::format("{:.4f} ± {:.4f}", r.last_n_mean, r.last_n_sd),
             fmt::format("{}/{}", r.n_diverged, c.repetitions), r.seconds);
  fmt::print("results: {}\n", c.output);
}

// One cell: the repetitions' patterns and initial weights once (common random numbers), the Gram
// data once per repetition when any grid point trains on the Gram engine, the forgetting curves of
// every run kept until the winner is known.
class AssociationCell : public CellTrainer {
 public:
  AssociationCell(const cfg::ExperimentConfig& base, const std::vector<std::unique_ptr<Experiment>>& grid, int threads)
      : base_(base), G_(static_cast<int>(grid.size())), R_(base.repetitions), P_(base.patterns) {
    const exp::Pools pools = exp::open_pools(base);
    reps_.resize(R_);
    parallel_jobs(R_, threads, [&](long r) { reps_[r] = exp::prepare_repetition(base, pools, static_cast<int>(r)); });
    specs_.resize(G_);
    bool any_gram = false;
    const int n_in = static_cast<int>(reps_[0].X.rows()), n_out = static_cast<int>(reps_[0].T.rows());
    for (int g = 0; g < G_; ++g) {
      specs_[g] = config(*grid[g]).train;
      specs_[g].error_matrix = false;
      any_gram |= choose_engine(specs_[g], P_, n_in, n_out, true) == EngineKind::gram;
    }
    grams_.resize(R_);
    if (any_gram)
      parallel_jobs(R_, threads, [&](long r) {
        grams_[r] = prepare_gram(reps_[r].X, reps_[r].T, reps_[r].W0, reps_[r].b0, base.train.centering);
      });
    curves_.assign(G_, Eigen::MatrixXd(R_, P_));
    engines_.resize(G_);
  }

  RunScore run(int g, int r) override {
    const RunResult run = one(specs_[g], r);
    curves_[g].row(r) = run.curve.transpose();
    if (r == 0) engines_[g] = engine_name(run.engine_used);
    return {run.last_n_error, run.diverged};
  }

  CellDetail detail(int w, int threads) override {
    Eigen::MatrixXd curves = curves_[w];
    std::vector<Eigen::MatrixXd> matrices;
    if (base_.train.error_matrix) {
      // The winner again, with its error matrices (not kept for every grid point: P² values per run).
      TrainSpec spec = specs_[w];
      spec.error_matrix = true;
      matrices.resize(R_);
      parallel_jobs(R_, threads, [&](long r) {
        const RunResult run = one(spec, static_cast<int>(r));
        matrices[r] = run.error_matrix;
        curves.row(r) = run.curve.transpose();
      });
    }
    CellDetail d;
    d.arrays.push_back(row_major("forgetting_curve", curves));
    if (!matrices.empty()) {
      Array em{"error_matrix", {static_cast<uint64_t>(R_), static_cast<uint64_t>(matrices[0].rows()),
                                static_cast<uint64_t>(P_)}, {}, false};
      for (const auto& m : matrices) {
        const Array one = row_major("", m);
        em.values.insert(em.values.end(), one.values.begin(), one.values.end());
      }
      d.arrays.push_back(std::move(em));
    }
    d.attrs.emplace_back("engine", engines_[w]);
    return d;
  }

 private:
  RunResult one(const TrainSpec& spec, int r) const {
    const exp::Repetition& rep = reps_[r];
    return train_shared(spec, rep.X, rep.T, rep.W0, rep.b0, grams_[r].get(), derive_seed(rep.seed, {kShuffle}), false);
  }
  static Array row_major(const std::string& name, const Eigen::MatrixXd& m) {
    Array a{name, {static_cast<uint64_t>(m.rows()), static_cast<uint64_t>(m.cols())}, {}, false};
    a.values.resize(m.size());
    Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(a.values.data(), m.rows(),
                                                                                       m.cols()) = m;
    return a;
  }

  const cfg::ExperimentConfig& base_;
  const int G_, R_, P_;
  std::vector<exp::Repetition> reps_;
  std::vector<TrainSpec> specs_;
  std::vector<std::shared_ptr<const GramData>> grams_;
  std::vector<Eigen::MatrixXd> curves_;
  std::vector<std::string> engines_;
};

std::unique_ptr<CellTrainer> cell(const Experiment& base, const std::vector<std::unique_ptr<Experiment>>& grid,
                                  int threads) {
  return std::make_unique<AssociationCell>(config(base), grid, threads);
}

Score score(const Experiment&) { return {"last_n_error", "last_n", true}; }

std::string score_label(const Experiment& e) { return fmt::format("last-{} MAE", config(e).train.last_n); }

std::vector<std::pair<std::string, int64_t>> sweep_attrs(const Experiment& first) {
  return {{"last_n", config(first).train.last_n}};
}

bool finite_or(const std::vector<double>& v, double allowed) {
  for (double x : v)
    if (!std::isfinite(x) && x != allowed) return false;
  return true;
}

std::string shape_text(const std::vector<uint64_t>& s) {
  std::string t;
  for (uint64_t d : s) t += (t.empty() ? "" : " x ") + std::to_string(d);
  return t;
}

std::string check_detail(const Experiment& e, const CellDetail& d) {
  const cfg::ExperimentConfig& c = config(e);
  const uint64_t R = c.repetitions, P = c.patterns;
  const uint64_t S = c.train.protocol == Protocol::online ? P : c.train.epochs;
  const Array* curve = d.find("forgetting_curve");
  if (!curve) return "the forgetting curves are missing";
  if (curve->shape != std::vector<uint64_t>{R, P})
    return fmt::format("forgetting_curve is {}, expected {} x {} (repetitions x patterns)", shape_text(curve->shape), R, P);
  if (!finite_or(curve->values, c.train.diverged_error)) return "a forgetting-curve value is not a finite number";
  const Array* em = d.find("error_matrix");
  if (c.train.error_matrix) {
    if (!em) return "the error matrices are missing";
    if (em->shape != std::vector<uint64_t>{R, S, P})
      return fmt::format("error_matrix is {}, expected {} x {} x {}", shape_text(em->shape), R, S, P);
    if (!finite_or(em->values, c.train.diverged_error)) return "an error-matrix value is not a finite number";
  } else if (em) {
    return "an error matrix is stored, but this sweep stores none";
  }
  if (d.arrays.size() != (c.train.error_matrix ? 2u : 1u)) return "the record holds arrays this sweep does not make";
  const std::string* engine = d.attr("engine");
  if (!engine || (*engine != "direct" && *engine != "gram" && *engine != "blocked"))
    return fmt::format("engine '{}' is none of direct, gram, blocked", engine ? *engine : "");
  if (d.attrs.size() != 1) return "the record holds attributes this sweep does not make";
  return {};
}

}  // namespace

const Kind& association() {
  static const Kind k{"association",
                      "a single layer learns input → target pairs (the paper's hetero-association studies)",
                      {"eta", "weight_decay", "epochs", "activation.alpha", "activation.lambda"},
                      {"epochs"},
                      parse,
                      cfg::experiment_keys,
                      run,
                      cell,
                      score,
                      score_label,
                      sweep_attrs,
                      check_detail};
  return k;
}

}  // namespace hds::kind
