// `hds sweep FILE.yaml`: tune every cell's parameters on its kind's score, in parallel, resumable.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/catalog.hpp"
#include "tools/cli/commands.hpp"
#include "tools/lib/launch.hpp"
#include "tools/lib/sweep.hpp"
#include "tools/lib/sweep_run.hpp"
#ifdef HDS_MPI
#include "tools/lib/sweep_mpi.hpp"
#endif

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
  fmt::print("{:<{}}{} {:>24} {:>9}{}\n", "cell", width, tuned_head, fmt::format("{} (mean±sd)", score), "diverged",
             s.adaptive() ? fmt::format(" {:>9}", "evaluated") : "");
  for (size_t c = 0; c < s.cells.size(); ++c) {
    const auto& r = o.cells[c];
    std::string tuned;
    for (Eigen::Index k = 0; k < r.points.cols(); ++k) tuned += fmt::format(" {:>12.4g}", r.points(r.best.index, k));
    fmt::print("{:<{}}{} {:>24} {:>9}{}\n", s.cells[c].label, width, tuned,
               // Fixed decimals, but not for the huge finite score some kinds give diverged runs.
               std::abs(r.best.mean) < 1e6 ? fmt::format("{:.4f} ± {:.4f}", r.best.mean, r.best.sd)
                                           : fmt::format("{:.4g} ± {:.4g}", r.best.mean, r.best.sd),
               fmt::format("{}/{}", r.n_diverged, r.score.cols()),
               (s.adaptive() ? fmt::format(" {:>9}", r.score.rows()) : "") +
                   (sweep::winner_on_bound(s, r) ? "  on bound" : ""));
  }
}

sweep::SweepDefinition load(const SweepCliOptions& o) {
  sweep::SweepDefinition s = sweep::load_sweep(o.file, o.overrides);
  if (!o.output.empty()) s.output = o.output;
  return s;
}

void dry_run(const sweep::SweepDefinition& s) {
  const int reps = s.cells.front().experiment->repetitions();
  fmt::print("{}: kind {}, {} cells x {} grid points x {} repetitions = {} runs\n", s.name, s.kind->name,
             s.cells.size(), s.grid_size, reps, sweep::total_runs(s));
  if (s.adaptive())
    fmt::print("adaptive: at most {} points per cell, at most {} runs (the initial grid's {} and what extension and "
               "refinement add)\n", s.max_points, sweep::total_runs(s, true), sweep::total_runs(s));
  for (const auto& t : s.tuned) {
    std::string vals;
    for (double v : t.values) vals += fmt::format("{}{:.4g}", vals.empty() ? "" : ", ", v);
    std::string how;
    if (t.search.extend) how += fmt::format(", extend to [{:.4g}, {:.4g}]", t.search.lo, t.search.hi);
    if (t.search.refine > 0)
      how += fmt::format(", refine {} (final step {:.4g}{})", t.search.refine, t.search.step / std::pow(4.0, t.search.refine),
                         t.search.log ? " in ln" : "");
    fmt::print("  tuned {}: [{}]{}\n", t.key, vals, how);
  }
  for (const auto& c : s.cells) fmt::print("  cell {}\n", c.label);
  fmt::print("output: {}\n", s.output);
}

sweep::SweepOptions options(const SweepCliOptions& o, const sweep::SweepDefinition* s, bool progress) {
  sweep::SweepOptions opt;
  if (s) opt.output = s->output;
  opt.threads = o.threads;
  opt.progress = progress && !o.quiet;
  opt.force = o.force;
  return opt;
}

// Runs the sweep with `backend` (null: this process alone) and prints the outcome.
void run_and_report(const sweep::SweepDefinition& s, const sweep::SweepOptions& opt, sweep::Backend* backend) {
  g_stop = false;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  const sweep::SweepOutcome out = backend ? sweep::run_sweep(s, opt, g_stop, *backend) : sweep::run_sweep(s, opt, g_stop);
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
  long runs = 0;
  for (const auto& r : out.cells) runs += r.score.size();
  fmt::print("{}: {} cells x {} grid points{}, {} runs in {:.1f}s{}{}\n", s.name, s.cells.size(), s.grid_size,
             s.adaptive() ? " (adaptive)" : "", runs, out.seconds,
             out.resumed ? fmt::format(" ({} cells resumed from the journal)", out.resumed) : "",
             out.how.empty() ? "" : " " + out.how);
  print_table(s, out);
  fmt::print("results: {}\n", s.output);
}

#ifdef HDS_MPI
// One rank of an MPI job of several: rank 0 coordinates, writes and reports; the others compute.
void run_rank(const SweepCliOptions& o, sweep::mpi::Session& session) {
  if (session.rank() != 0) {
    std::unique_ptr<sweep::SweepDefinition> s;
    std::string why;
    try {
      s = std::make_unique<sweep::SweepDefinition>(load(o));
    } catch (const std::exception& e) {
      why = e.what();
    }
    g_stop = false;
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    sweep::mpi::serve(session, s.get(), why, options(o, s.get(), false), g_stop);
    return;  // exit code 0: rank 0 reports (see sweep_mpi.hpp)
  }
  const sweep::SweepDefinition s = load(o);
  if (o.dry_run) return dry_run(s);
  const sweep::SweepOptions opt = options(o, &s, true);
  const std::unique_ptr<sweep::Backend> backend = sweep::mpi::coordinator(session, s, opt);
  run_and_report(s, opt, backend.get());
}
#endif

void run(const SweepCliOptions& o) {
  if (!o.data_dir.empty()) data::set_data_dir(o.data_dir);
  const launch::Launch l = launch::detect();
  if (l.ranks > 1 && !launch::mpi_built()) {
    // Rank 0 says it at once. The others say it too, but only after a pause: when every rank runs
    // this build, rank 0's line comes first and the launcher ends the job before theirs; when rank 0
    // runs an MPI build (mismatched binaries) it would wait for them for ever, and this ends the job.
    if (l.rank != 0) std::this_thread::sleep_for(std::chrono::seconds(3));
    throw UserError(fmt::format("{}started as one of {} MPI ranks ({}={}), but this hds was built without MPI: install "
                                "OpenMPI (libopenmpi-dev openmpi-bin, see tools/install-deps.sh) and build again "
                                "(cmake finds it), or run 'hds sweep' without mpirun",
                                l.rank != 0 ? fmt::format("rank {}: ", l.rank) : "", l.ranks, l.variable, l.ranks));
  }
#ifdef HDS_MPI
  std::optional<sweep::mpi::Session> session;
  if (l.by_launcher) {
    session.emplace();
    if (session->size() < l.ranks) {
      if (l.rank != 0) return;
      throw UserError(fmt::format("the launcher started {} ranks ({}={}), but MPI sees {}: this hds's MPI ({}) does not "
                                  "speak to that launcher; use Open MPI's mpirun, or srun --mpi=pmix",
                                  l.ranks, l.variable, l.ranks, session->size(), launch::mpi_version()));
    }
    if (session->size() > 1) return run_rank(o, *session);
  }
#endif
  const sweep::SweepDefinition s = load(o);
  if (o.dry_run) return dry_run(s);
  run_and_report(s, options(o, &s, true), nullptr);
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto o = std::make_shared<SweepCliOptions>();
  auto* cmd = app.add_subcommand("sweep", "tune every cell of a sweep on its score (last-N error, validation accuracy …; parallel, resumable, over MPI ranks under mpirun)");
  cmd->add_option("file", o->file, "sweep YAML file (see sweeps/)")->required();
  cmd->add_option("--set", o->overrides, "override a key of the base experiment (eta=0.1) or of the sweep (tune.eta=[0.1])");
  cmd->add_option("-o,--output", o->output, "result file (default: the file's 'output' key)");
  cmd->add_option("--threads", o->threads, "threads (per rank under mpirun; default: OMP_NUM_THREADS or all cores); results do not depend on it");
  cmd->add_option("--data-dir", o->data_dir, "where the data sets are (before $HDS_DATA_DIR and ~/.cache/hds)");
  cmd->add_flag("--quiet", o->quiet, "no progress line");
  cmd->add_flag("--dry-run", o->dry_run, "print the cells, grid and number of runs, run nothing");
  cmd->add_flag("--force", o->force, "start over: replace an existing result and discard the journal");
  cmd->callback([o] { run(*o); });
}

}  // namespace hds::cli
