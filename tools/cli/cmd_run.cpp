// `hds run FILE.yaml [--set key=value ...] [-o out.h5]`: one experiment of any kind (kind.hpp), its
// table, an HDF5 file.
#include "datasets/catalog.hpp"
#include "tools/cli/commands.hpp"
#include "tools/lib/kind.hpp"

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
  YAML::Node root = cfg::load_yaml_file(o.file);
  cfg::YamlContext ctx(o.file);
  ctx.apply_overrides(root, o.overrides);
  ctx.check_duplicate_keys(root);
  kind::of(root, ctx).run({o.output, o.threads, o.force}, root, ctx);
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
