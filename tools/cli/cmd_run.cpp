// `hds run FILE.yaml [--set key=value ...] [-o out.h5]`: one experiment, a table, an HDF5 file.
#include <cmath>
#include <cstdlib>

#include <fmt/ranges.h>

#include <fmt/format.h>

#include "datasets/catalog.hpp"
#include "tools/cli/commands.hpp"
#include "tools/lib/config.hpp"
#include "tools/lib/experiment.hpp"
#include "tools/lib/experiment_kind.hpp"
#include "tools/lib/network_experiment.hpp"
#include "tools/lib/output_path.hpp"

namespace hds::cli {
namespace {

struct RunOptions {
  std::string file;
  std::vector<std::string> overrides;
  std::string output;
  std::string data_dir;
  int threads = 0;
  bool quiet = false;
  bool force = false;
};

std::string pct(double x) { return std::isnan(x) ? "-" : fmt::format("{:.4f}", x); }

// kind: network — trains, printing the accuracies after every epoch, then the summary and the file.
void run_network(const RunOptions& o, YAML::Node root, const cfg::YamlContext& ctx) {
  netexp::NetworkExperiment c = netexp::parse_network(root, ctx);
  if (!o.output.empty()) c.output = o.output;
  out::check_target(c.output, o.force);  // before the work, not after it
  fmt::print("{}: layers {}, {} output ({}), hidden {} ({}), protocol {}\n", c.name, fmt::join(c.train.net.layers, "-"),
             c.train.net.output.name(), output_rule_name(c.train.net.output_rule), c.train.net.hidden.name(),
             hidden_rule_name(c.train.net.hidden_rule), network_protocol_name(c.train.protocol));
  fmt::print("{:>4} {:>5} {:>6} {:>10} {:>10} {:>10} {:>10}\n", "rep", "task", "epoch", "train acc", "val acc",
             "test acc", "train mse");
  const netexp::NetworkRunResult r = netexp::run_network(c, o.threads, [](int rep, const EpochMetrics& m) {
    fmt::print("{:>4} {:>5} {:>6} {:>10} {:>10} {:>10} {:>10}\n", rep, m.task, m.epoch + 1, pct(m.train.accuracy),
               pct(m.validation.accuracy), pct(m.test.accuracy), pct(m.train.mse));
    std::fflush(stdout);
  });
  netexp::write_network_file(c.output, c, r, o.force);
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

void run(const RunOptions& o) {
  if (!o.data_dir.empty()) data::set_data_dir(o.data_dir);
  {
    YAML::Node root = cfg::load_yaml_file(o.file);
    cfg::YamlContext ctx(o.file);
    ctx.apply_overrides(root, o.overrides);
    if (cfg::experiment_kind(root, ctx) == "network") return run_network(o, root, ctx);
  }
  cfg::ExperimentConfig c = cfg::load_experiment(o.file, o.overrides);
  if (!o.output.empty()) c.output = o.output;
  out::check_target(c.output, o.force);  // before the work, not after it
  const exp::ExperimentResult r = exp::run_experiment(c, o.threads);
  exp::write_run_file(c.output, c, r, o.force);

  fmt::print("{}: {} -> {}, {} patterns, {} repetitions\n", c.name, r.inputs_description, r.targets_description,
             c.patterns, c.repetitions);
  fmt::print("{:<8} {:<20} {:>10} {:>8} {:>22} {:>9} {:>9}\n", "rule", "activation", "eta", "decay",
             fmt::format("last-{} MAE (mean±sd)", c.train.last_n), "diverged", "time");
  fmt::print("{:<8} {:<20} {:>10.4g} {:>8.3g} {:>22} {:>9} {:>8.2f}s\n", rule_name(c.train.rule), c.train.act.name(),
             c.train.eta, c.train.weight_decay, fmt::format("{:.4f} ± {:.4f}", r.last_n_mean, r.last_n_sd),
             fmt::format("{}/{}", r.n_diverged, c.repetitions), r.seconds);
  fmt::print("results: {}\n", c.output);
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto opts = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "run one experiment from a YAML file and write an HDF5 result");
  cmd->add_option("file", opts->file, "experiment YAML file (see experiments/)")->required();
  cmd->add_option("--set", opts->overrides, "override a key, e.g. --set eta=0.5 --set inputs.dim=100");
  cmd->add_option("-o,--output", opts->output, "result file (default: the file's 'output' key)");
  cmd->add_flag("--force", opts->force, "replace an existing result file");
  cmd->add_option("--threads", opts->threads, "threads over repetitions (default: OMP_NUM_THREADS or all cores)");
  cmd->add_option("--data-dir", opts->data_dir, "where the data sets are (before $HDS_DATA_DIR and ~/.cache/hds)");
  cmd->callback([opts] { run(*opts); });
}

}  // namespace hds::cli
