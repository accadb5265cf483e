// `hds reproduce [--quick]`: every study of the paper, its figures, verdicts and
// results/REPRODUCTION.md, orchestrated by tools/reproduce.py with this hds binary.
#include <memory>
#include <string>
#include <vector>

#include "tools/cli/commands.hpp"
#include "tools/cli/python_tool.hpp"

namespace hds::cli {
namespace {

struct ReproduceOptions {
  bool quick = false;
  bool no_plots = false;
  std::string out;
  std::string data_dir;
  std::string threads;
};

void reproduce(const ReproduceOptions& o) {
  std::vector<std::string> args = {"--hds", self_path()};
  if (o.quick) args.push_back("--quick");
  if (o.no_plots) args.push_back("--no-plots");
  if (!o.out.empty()) args.insert(args.end(), {"--out", o.out});
  if (!o.data_dir.empty()) args.insert(args.end(), {"--data-dir", o.data_dir});
  if (!o.threads.empty()) args.insert(args.end(), {"--threads", o.threads});
  run_python_tool("reproduce.py", args);
}

}  // namespace

void add_reproduce_command(CLI::App& app) {
  auto o = std::make_shared<ReproduceOptions>();
  auto* cmd = app.add_subcommand("reproduce", "run every study of the paper and write results/REPRODUCTION.md");
  cmd->add_flag("--quick", o->quick, "3 repetitions and a coarse grid (minutes; for CI), into results/quick/");
  cmd->add_flag("--no-plots", o->no_plots, "skip the figures");
  cmd->add_option("--out", o->out, "result folder (default results/, or results/quick with --quick)");
  cmd->add_option("--data-dir", o->data_dir, "where the data sets are (before $HDS_DATA_DIR and ~/.cache/hds)");
  cmd->add_option("--threads", o->threads, "threads for the sweeps");
  cmd->callback([o] { reproduce(*o); });
}

}  // namespace hds::cli
