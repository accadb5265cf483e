// `hds sweep FILE.yaml`: tune every cell's parameters on its kind's score, in parallel, resumable.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <csignal>

#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/catalog.hpp"
#include "tools/cli/commands.hpp"
#include "tools/lib/sweep.hpp"
#include "tools/lib/sweep_run.hpp"

namespace hds::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_interrupt(int) {
  // The first Ctrl-C asks the sweep to stop after the runs under way; a second one kills at once.
  g_stop = true;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

struct SweepCliOptions {
  std::string file;
  std::vector<std::string> overrides;
  std::string output;
  std::string data_dir;
  int threads = 0;
  bool quiet = false;
  bool dry_run = false;
  bool force = false;
};

void print_table(const sweep::SweepDefinition& s, const sweep::SweepOutcome& o) {
  const std::string score = s.kind->score_label(*s.cells.front().experiment);
  size_t width = 4;
  for (const auto& c : s.cells) width = std::max(width, c.label.size());
  std::string tuned_head;
  for (const auto& t : s.tuned) tuned_head += fmt::format(" {:>12}", "best " + t.key);
  fmt::print("{:<{}}{} {:>24} {:>9}\n", "cell", width, tuned_head, fmt::format("{} (mean±sd)", score), "diverged");
  for (size_t c = 0; c < s.cells.size(); ++c) {
    const auto& r = o.cells[c];
    std::string tuned;
    for (double v : sweep::grid_point(s, r.best.index)) tuned += fmt::format(" {:>12.4g}", v);
    fmt::print("{:<{}}{} {:>24} {:>9}\n", s.cells[c].label, width, tuned,
               // Fixed decimals, but not for the huge finite score some kinds give diverged runs.
               std::abs(r.best.mean) < 1e6 ? fmt::format("{:.4f} ± {:.4f}", r.best.mean, r.best.sd)
                                           : fmt::format("{:.4g} ± {:.4g}", r.best.mean, r.best.sd),
               fmt::format("{}/{}", r.n_diverged, r.score.cols()));
  }
}

void run(const SweepCliOptions& o) {
  if (!o.data_dir.empty()) data::set_data_dir(o.data_dir);
  sweep::SweepDefinition s = sweep::load_sweep(o.file, o.overrides);
  if (!o.output.empty()) s.output = o.output;
  const long runs = sweep::total_runs(s);
  if (o.dry_run) {
    const int reps = s.cells.front().experiment->repetitions();
    fmt::print("{}: kind {}, {} cells x {} grid points x {} repetitions = {} runs\n", s.name, s.kind->name,
               s.cells.size(), s.grid_size, reps, runs);
    for (const auto& t : s.tuned) {
      std::string vals;
      for (double v : t.values) vals += fmt::format("{}{:.4g}", vals.empty() ? "" : ", ", v);
      fmt::print("  tuned {}: [{}]\n", t.key, vals);
    }
    for (const auto& c : s.cells) fmt::print("  cell {}\n", c.label);
    fmt::print("output: {}\n", s.output);
    return;
  }
  sweep::SweepOptions opt;
  opt.output = s.output;
  opt.threads = o.threads;
  opt.progress = !o.quiet;
  opt.force = o.force;
  g_stop = false;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const sweep::SweepOutcome out = sweep::run_sweep(s, opt, g_stop);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (out.already_complete) {
    fmt::print("{}: already complete for this sweep definition (see 'hds inspect {}'; --force recomputes)\n",
               s.output, s.output);
    return;
  }
  if (out.interrupted) {
    std::fflush(stdout);
    throw UserError(fmt::format("interrupted: finished cells are kept in {}.journal; run the same command again to "
                                "resume", s.output));
  }
  fmt::print("{}: {} cells x {} grid points, {} runs in {:.1f}s{}\n", s.name, s.cells.size(), s.grid_size, runs,
             out.seconds, out.resumed ? fmt::format(" ({} cells resumed from the journal)", out.resumed) : "");
  print_table(s, out);
  fmt::print("results: {}\n", s.output);
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto o = std::make_shared<SweepCliOptions>();
  auto* cmd = app.add_subcommand("sweep", "tune every cell of a sweep on its score (last-N error, validation accuracy …; parallel, resumable)");
  cmd->add_option("file", o->file, "sweep YAML file (see sweeps/)")->required();
  cmd->add_option("--set", o->overrides, "override a key of the base experiment (eta=0.1) or of the sweep (tune.eta=[0.1])");
  cmd->add_option("-o,--output", o->output, "result file (default: the file's 'output' key)");
  cmd->add_option("--threads", o->threads, "threads (default: OMP_NUM_THREADS or all cores); results do not depend on it");
  cmd->add_option("--data-dir", o->data_dir, "where the data sets are (before $HDS_DATA_DIR and ~/.cache/hds)");
  cmd->add_flag("--quiet", o->quiet, "no progress line");
  cmd->add_flag("--dry-run", o->dry_run, "print the cells, grid and number of runs, run nothing");
  cmd->add_flag("--force", o->force, "start over: replace an existing result and discard the journal");
  cmd->callback([o] { run(*o); });
}

}  // namespace hds::cli
