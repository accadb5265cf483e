// `hds run FILE.yaml [--set key=value ...] [-o out.h5]`: one experiment, a table, an HDF5 file.
#include <cstdlib>

#include <fmt/format.h>

#include "datasets/catalog.hpp"
#include "tools/cli/commands.hpp"
#include "tools/lib/config.hpp"
#include "tools/lib/experiment.hpp"
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

void run(const RunOptions& o) {
  if (!o.data_dir.empty()) data::set_data_dir(o.data_dir);
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
