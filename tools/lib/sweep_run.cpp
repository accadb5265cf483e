// Running a sweep (see sweep_run.hpp).
#include "tools/lib/sweep_run.hpp"

#include <fcntl.h>
#include <omp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "core/adaptive_grid.hpp"
#include "core/error.hpp"
#include "tools/lib/h5file.hpp"
#include "tools/lib/journal.hpp"
#include "tools/lib/output_path.hpp"
#include "tools/lib/provenance.hpp"

namespace hds::sweep {
namespace {

// ---- one cell in this process -------------------------------------------------------------------

class LocalBackend : public Backend {
 public:
  void compute(const SweepDefinition& s, const SweepOptions& opt, const std::vector<int>& todo,
               const std::atomic<bool>& stop, Progress& progress, long runs_done,
               const std::function<void(int, CellResult&&)>& finished) override {
    for (int c : todo) {
      if (stop) return;
      std::unique_ptr<kind::CellTrainer> trainer = make_trainer(s, c, opt.threads);
      CellResult r;
      const bool whole = run_block(s, c, *trainer, 0, s.grid_size, opt.threads, &stop,
                                   [&](long d) { progress.show(runs_done + d); }, r);
      if (!whole) return;  // a cell cut short is not recorded: it is recomputed on resume
      runs_done += cell_runs(s, c);
      if (s.adaptive()) {
        // Rounds until the search is done; a cell cut short in any round is recomputed on resume.
        if (!run_rounds(s, c, trainer, opt.threads, &stop, [&](long d) { progress.show(runs_done + d); }, r,
                        &runs_done))
          return;
      } else {
        finish_cell(s, c, *trainer, opt.threads, r);
      }
      finished(c, std::move(r));
    }
  }
  std::vector<prov::Rank> ranks(const SweepOptions& opt) const override {
    return {{prov::host_name(), resolve_threads(opt.threads)}};
  }
};

// ---- the result file ------------------------------------------------------------------------------

std::vector<double> row_major(const Eigen::MatrixXd& m) {
  std::vector<double> v(m.size());
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(v.data(), m.rows(), m.cols()) = m;
  return v;
}

void write_result(const SweepDefinition& s, const SweepOptions& opt, const SweepOutcome& o) {
  prov::Provenance p = prov::collect(prov::command_line());
  p.ranks = o.ranks;
  std::map<std::string, data::FileRecord> files;
  for (const auto& cell : s.cells)
    for (const auto& f : cell.experiment->data_files()) files[f.path] = f;
  for (const auto& [path, f] : files) p.data_files.push_back(f);
  const kind::Experiment& first = *s.cells.front().experiment;
  const kind::Score score = s.kind->score(first);

  // Without --force the output did not exist when the sweep started (checked under the journal's lock).
  out::write_atomically(opt.output, opt.force, [&](h5::File& f) {
    prov::write(f, p, "sweep");
    f.write_string("/config", s.resolved_yaml);
    f.attr("/", "config_file", s.file);
    f.attr("/", "name", s.name);
    f.attr("/", "sweep_hash", s.hash);
    f.attr("/", "experiment_kind", s.kind->name);
    f.attr("/", "score", score.dataset);
    f.attr("/", "summary_score", score.stem);
    f.attr("/", "score_order", std::string(score.lower_is_better ? "lower_is_better" : "higher_is_better"));
    f.attr("/", "base_seed", static_cast<int64_t>(first.seed()));
    f.attr("/", "repetitions", static_cast<int64_t>(first.repetitions()));
    for (const auto& [name, value] : s.kind->sweep_attrs(first)) f.attr("/", name, value);
    f.attr("/", "n_cells", static_cast<int64_t>(s.cells.size()));
    f.attr("/", "n_grid", static_cast<int64_t>(s.grid_size));
    f.attr("/", "seconds", o.seconds);
    std::string cell_axes, cell_keys, tuned_axes;
    for (const auto& a : s.cell_axes) cell_axes += (cell_axes.empty() ? "" : ",") + a;
    for (const auto& k : s.cell_keys) cell_keys += (cell_keys.empty() ? "" : ",") + k;
    for (const auto& t : s.tuned) tuned_axes += (tuned_axes.empty() ? "" : ",") + t.key;
    f.attr("/", "cell_axes", cell_axes);
    f.attr("/", "cell_keys", cell_keys);
    f.attr("/", "tuned_axes", tuned_axes);

    const hsize_t C = s.cells.size(), G = s.grid_size;
    for (size_t k = 0; k < s.tuned.size(); ++k) {
      std::vector<double> v(G);
      for (hsize_t g = 0; g < G; ++g) v[g] = grid_point(s, static_cast<int>(g))[k];
      f.write("/grid/" + s.tuned[k].key, {G}, v.data());
    }
    std::vector<std::string> labels;
    std::vector<int64_t> winner(C), ndiv(C), evaluated_winner(C);
    std::vector<uint8_t> on_bound(C);
    std::vector<double> mean(C), sd(C);
    std::vector<std::vector<double>> winner_values(s.tuned.size(), std::vector<double>(C));
    std::vector<std::vector<std::string>> key_values(s.cell_keys.size());
    for (hsize_t c = 0; c < C; ++c) {
      const CellResult& r = o.cells[c];
      const Cell& cell = s.cells[c];
      labels.push_back(cell.label);
      // winner_index: the best point of the initial grid (an index into /grid and /cells/cNNNN/<score>);
      // the overall winner (possibly an added point) is winner_evaluated_index.
      winner[c] = select_best(r.score.topRows(G), score.lower_is_better).index;
      evaluated_winner[c] = r.best.index;
      on_bound[c] = winner_on_bound(s, r);
      mean[c] = r.best.mean;
      sd[c] = r.best.sd;
      ndiv[c] = r.n_diverged;
      std::vector<double> wv(s.tuned.size());
      for (size_t k = 0; k < wv.size(); ++k) winner_values[k][c] = wv[k] = r.points(r.best.index, k);
      for (size_t k = 0; k < s.cell_keys.size(); ++k) key_values[k].push_back(cell.key_values[k]);

      const std::string g = fmt::format("/cells/c{:04d}", c);
      const hsize_t R = r.score.cols(), N = r.score.rows();
      f.write(g + "/" + score.dataset, {G, R}, row_major(r.score.topRows(G)).data());
      Eigen::Matrix<uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> d = r.diverged;
      f.write(g + "/diverged", {G, R}, d.data());  // row-major: the first G rows come first
      // Every evaluated point, the initial grid first (results/README.md).
      for (size_t k = 0; k < s.tuned.size(); ++k) {
        const std::vector<double> v(r.points.col(k).data(), r.points.col(k).data() + N);
        f.write(g + "/evaluated/" + s.tuned[k].key, {N}, v.data());
      }
      f.write(g + "/evaluated/" + score.dataset, {N, R}, row_major(r.score).data());
      f.write(g + "/evaluated/diverged", {N, R}, d.data());
      f.write(g + "/evaluated/round", {N}, r.round.data());
      for (const kind::Array& a : r.detail.arrays) {
        const std::vector<hsize_t> shape(a.shape.begin(), a.shape.end());
        if (a.bytes) {
          const std::vector<uint8_t> v(a.values.begin(), a.values.end());
          f.write(g + "/" + a.name, shape, v.data());
        } else {
          f.write(g + "/" + a.name, shape, a.values.data());
        }
      }
      // Rerunning a winner must not replace this file: its config names a file of its own, from the
      // sweep's name (not from -o, so that the same sweep written to two places stays bit-identical).
      std::string winner_output = fmt::format("results/{}_c{:04d}.h5", s.name, c);
      if (winner_output == opt.output) winner_output = out::derived_name(opt.output, "_winner");
      f.write_string(g + "/config", apply_point(s, *cell.experiment, wv)->to_yaml(winner_output));
      f.attr(g, "label", cell.label);
      for (const auto& [name, value] : r.detail.attrs) f.attr(g, name, value);
    }
    f.write_strings("/summary/label", labels);
    for (size_t k = 0; k < s.cell_keys.size(); ++k) f.write_strings("/summary/" + s.cell_keys[k], key_values[k]);
    f.write("/summary/winner_index", {C}, winner.data());
    f.write("/summary/winner_evaluated_index", {C}, evaluated_winner.data());
    f.write("/summary/winner_on_bound", {C}, on_bound.data());
    for (size_t k = 0; k < s.tuned.size(); ++k) f.write("/summary/winner_" + s.tuned[k].key, {C}, winner_values[k].data());
    f.write("/summary/" + score.stem + "_mean", {C}, mean.data());
    f.write("/summary/" + score.stem + "_sd", {C}, sd.data());
    f.write("/summary/n_diverged", {C}, ndiv.data());
  });
}

// The lines of a note of handed-out work as one line ("" when there is none). Only read, never
// trusted: at most a few kilobytes, printable characters only.
std::string held_note(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return {};
  }
  char buf[4096];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  std::string text;
  for (ssize_t i = 0; i < n; ++i) {
    const unsigned char ch = static_cast<unsigned char>(buf[i]);
    if (ch == '\n') {
      if (!text.empty() && text.back() != ' ') text += "; ";
    } else {
      text += ch < 0x20 ? ' ' : static_cast<char>(ch);
    }
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == ';')) text.pop_back();
  return text;
}

}  // namespace

// Each round's points train on a trainer of their own (the same common random numbers: a kind's
// trainer draws them from the cell's seed and the repetition alone); the winner's detail comes from
// the trainer that ran it.
bool run_rounds(const SweepDefinition& s, int c, std::unique_ptr<kind::CellTrainer>& initial, int threads,
                const std::atomic<bool>* stop, const std::function<void(long)>& tick, CellResult& r, long* runs_done) {
  const kind::Experiment& base = *s.cells[c].experiment;
  const bool lower = s.kind->score(base).lower_is_better;
  const int R = base.repetitions(), K = static_cast<int>(s.tuned.size());
  AdaptiveSearch search(s.search_axes(), lower);
  std::unique_ptr<kind::CellTrainer> holder = std::move(initial);  // the trainer that ran the winner
  int holder_first = 0;                                             // its first point's index
  for (int64_t round = 1;; ++round) {
    const int N = static_cast<int>(r.score.rows());
    std::vector<std::vector<double>> pts(N, std::vector<double>(K));
    std::vector<double> means(N);
    std::vector<bool> all_div(N);
    for (int i = 0; i < N; ++i) {
      for (int k = 0; k < K; ++k) pts[i][k] = r.points(i, k);
      double sum = 0;  // as select_best sums, so that both pick the same winner
      for (int rep = 0; rep < R; ++rep) sum += r.score(i, rep);
      means[i] = sum / std::max(R, 1);
      all_div[i] = r.diverged.row(i).cast<int>().sum() == R;
    }
    const std::vector<std::vector<double>> next = search.next(pts, means, all_div);
    if (next.empty()) break;
    const int n = static_cast<int>(next.size());
    if (N + n > s.max_points) throw std::logic_error("an adaptive search went past its most points");
    std::vector<std::unique_ptr<kind::Experiment>> grid;
    for (const auto& p : next) grid.push_back(apply_point(s, base, p));
    std::unique_ptr<kind::CellTrainer> trainer = s.kind->cell(base, grid, threads);
    Eigen::MatrixXd score(n, R);
    Eigen::Matrix<uint8_t, Eigen::Dynamic, Eigen::Dynamic> div(n, R);
    const bool whole = parallel_jobs(
        static_cast<long>(n) * R, threads,
        [&](long i) {
          const int g = static_cast<int>(i / R), rep = static_cast<int>(i % R);
          const kind::RunScore run = trainer->run(g, rep);
          score(g, rep) = run.score;
          div(g, rep) = run.diverged;
        },
        stop, tick);
    if (!whole) return false;
    *runs_done += static_cast<long>(n) * R;
    r.score.conservativeResize(N + n, R);
    r.diverged.conservativeResize(N + n, R);
    r.points.conservativeResize(N + n, K);
    r.score.bottomRows(n) = score;
    r.diverged.bottomRows(n) = div;
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < K; ++k) r.points(N + i, k) = next[i][k];
    r.round.insert(r.round.end(), n, round);
    select_winner(s, c, r);
    if (r.best.index >= N) {
      holder = std::move(trainer);
      holder_first = N;
    }
  }
  select_winner(s, c, r);
  r.detail = holder->detail(r.best.index - holder_first, threads);
  return true;
}

int resolve_threads(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

long cell_runs(const SweepDefinition& s, int cell, bool most) {
  return static_cast<long>(most ? s.max_points : s.grid_size) * s.cells[cell].experiment->repetitions();
}

long total_runs(const SweepDefinition& s, bool most) {
  long n = 0;
  for (size_t c = 0; c < s.cells.size(); ++c) n += cell_runs(s, static_cast<int>(c), most);
  return n;
}

void set_initial_points(const SweepDefinition& s, CellResult& out) {
  const int G = static_cast<int>(s.grid_size), K = static_cast<int>(s.tuned.size());
  out.points.resize(G, K);
  for (int g = 0; g < G; ++g) {
    const std::vector<double> v = grid_point(s, g);
    for (int k = 0; k < K; ++k) out.points(g, k) = v[k];
  }
  out.round.assign(G, 0);
}

bool winner_on_bound(const SweepDefinition& s, const CellResult& r) {
  const int N = static_cast<int>(r.points.rows()), K = static_cast<int>(r.points.cols());
  if (K == 0 || r.best.index < 0) return false;
  std::vector<std::vector<double>> pts(N, std::vector<double>(K));
  for (int i = 0; i < N; ++i)
    for (int k = 0; k < K; ++k) pts[i][k] = r.points(i, k);
  std::vector<AdaptiveAxis> axes = s.search_axes();
  // Listed values may be zero or negative: their edges are found on the linear scale.
  for (size_t k = 0; k < axes.size(); ++k)
    for (int i = 0; i < N; ++i)
      if (!(pts[i][k] > 0)) axes[k].log = false;
  return adaptive_on_edge(pts, r.best.index, axes);
}

std::unique_ptr<kind::CellTrainer> make_trainer(const SweepDefinition& s, int c, int threads) {
  const kind::Experiment& base = *s.cells[c].experiment;
  std::vector<std::unique_ptr<kind::Experiment>> grid(s.grid_size);
  for (int g = 0; g < s.grid_size; ++g) grid[g] = apply_grid_point(s, base, g);
  return s.kind->cell(base, grid, threads);
}

bool run_block(const SweepDefinition& s, int c, kind::CellTrainer& trainer, int g0, int g1, int threads,
               const std::atomic<bool>* stop, const std::function<void(long)>& tick, CellResult& out) {
  const int G = s.grid_size, R = s.cells[c].experiment->repetitions();
  if (out.score.rows() != G || out.score.cols() != R) {
    out.score.resize(G, R);
    out.diverged.resize(G, R);
  }
  if (out.points.rows() != G) set_initial_points(s, out);
  const long n = static_cast<long>(g1 - g0) * R;
  return parallel_jobs(
      n, threads,
      [&](long i) {
        const int g = g0 + static_cast<int>(i / R), r = static_cast<int>(i % R);
        const kind::RunScore run = trainer.run(g, r);
        out.score(g, r) = run.score;
        out.diverged(g, r) = run.diverged;
      },
      stop, tick);
}

void select_winner(const SweepDefinition& s, int c, CellResult& out) {
  if (out.points.rows() == 0) set_initial_points(s, out);
  out.best = select_best(out.score, s.kind->score(*s.cells[c].experiment).lower_is_better);
  out.n_diverged = 0;
  for (int r = 0; r < out.diverged.cols(); ++r) out.n_diverged += out.diverged(out.best.index, r);
}

void finish_cell(const SweepDefinition& s, int c, kind::CellTrainer& trainer, int threads, CellResult& out) {
  select_winner(s, c, out);
  out.detail = trainer.detail(out.best.index, threads);
}

SweepOutcome run_sweep(const SweepDefinition& s, const SweepOptions& opt, const std::atomic<bool>& stop) {
  LocalBackend local;
  return run_sweep(s, opt, stop, local);
}

SweepOutcome run_sweep(const SweepDefinition& s, const SweepOptions& opt, const std::atomic<bool>& stop,
                       Backend& backend) {
  const auto start = std::chrono::steady_clock::now();
  SweepOutcome o;
  out::check_target(opt.output, true);  // never a device, FIFO, directory or link, even with --force
  out::make_parent_directories(opt.output);
  // The lock comes first: what follows (is the output complete? resume or start over?) must not
  // change under us because a second sweep on the same output is deciding the same.
  Journal journal(opt.output + ".journal");
  if (out::is_regular_file(opt.output) && !opt.force) {
    // A finished result: the same definition needs no work; another one is not replaced.
    std::string hash;
    try {
      h5::File f(opt.output, h5::File::Mode::read);
      if (f.has_attr("/", "sweep_hash")) hash = f.read_attr_string("/", "sweep_hash");
    } catch (const UserError&) {
    }
    const bool unused = journal.empty();
    if (hash == s.hash) {
      // A journal left by a kill after the result was complete holds nothing more; another sweep's stays.
      if (unused || journal.written_for(s.hash)) journal.remove();
      o.already_complete = true;
      return o;
    }
    if (unused) journal.remove();
    throw UserError(fmt::format("{}: exists and holds {}; pass --force to replace it, or write this sweep elsewhere "
                                "with -o", opt.output, hash.empty() ? "something else" : "a different sweep"));
  }
  if (opt.force) journal.reset(s.hash);
  else journal.load(s);
  if (!journal.note().empty()) fmt::print(stderr, "hds: note: {}\n", journal.note());
  // What a backend of several processes had handed out when its last run ended early (sweep_mpi.cpp).
  const std::string held_path = journal.path() + ".held";
  if (!opt.force) {
    if (const std::string held = held_note(held_path); !held.empty())
      fmt::print(stderr, "hds: note: the last run of this sweep stopped with work handed out (a rank died, or the "
                         "job was stopped): {}; those runs are computed again\n", held);
  }
  auto& done = journal.done();
  o.resumed = static_cast<int>(done.size());
  o.cells.resize(s.cells.size());

  Progress progress(total_runs(s, true), opt.progress);  // adaptive: the most it can take
  long runs_before = 0;
  std::vector<int> todo;
  for (size_t c = 0; c < s.cells.size(); ++c) {
    if (done.count(static_cast<int>(c))) runs_before += done[static_cast<int>(c)].score.size();
    else todo.push_back(static_cast<int>(c));
  }
  progress.start_from(runs_before);
  backend.compute(s, opt, todo, stop, progress, runs_before, [&](int c, CellResult&& r) {
    journal.append(c, r);
    done[c] = std::move(r);
  });
  progress.finish();
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  o.ranks = backend.ranks(opt);
  o.how = backend.how();
  if (done.size() < s.cells.size()) {
    o.interrupted = true;
    return o;
  }
  for (auto& [c, r] : done) o.cells[c] = std::move(r);
  write_result(s, opt, o);
  ::unlink(held_path.c_str());
  journal.remove();
  return o;
}

}  // namespace hds::sweep
