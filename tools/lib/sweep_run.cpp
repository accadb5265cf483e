// Running a sweep (see sweep_run.hpp).
#include "tools/lib/sweep_run.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/gram_engine.hpp"
#include "core/rng.hpp"
#include "tools/lib/experiment.hpp"
#include "tools/lib/h5file.hpp"
#include "tools/lib/provenance.hpp"

namespace hds::sweep {
namespace {

// ---- the journal: an append-only record of finished cells that a kill cannot spoil ----------------
// Header "HDSJOURNAL1 <sha256 of the sweep definition>\n", then records
// "CELL" | u64 length | payload | u64 FNV-1a(payload). A torn last record is dropped on reading.

const char kMagic[] = "HDSJOURNAL1 ";

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

struct Writer {
  std::string buf;
  template <class T> void put(const T& v) { buf.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void put_matrix(const Eigen::MatrixXd& m) {
    put<int64_t>(m.rows());
    put<int64_t>(m.cols());
    buf.append(reinterpret_cast<const char*>(m.data()), m.size() * sizeof(double));
  }
  void put_string(const std::string& s) {
    put<int64_t>(s.size());
    buf += s;
  }
};

struct Reader {
  const std::string& buf;
  size_t pos = 0;
  template <class T> T get() {
    if (pos + sizeof(T) > buf.size()) throw std::runtime_error("short record");
    T v;
    std::memcpy(&v, buf.data() + pos, sizeof v);
    pos += sizeof v;
    return v;
  }
  Eigen::MatrixXd get_matrix() {
    const auto r = get<int64_t>(), c = get<int64_t>();
    if (r < 0 || c < 0 || pos + r * c * sizeof(double) > buf.size()) throw std::runtime_error("bad matrix");
    Eigen::MatrixXd m(r, c);
    std::memcpy(m.data(), buf.data() + pos, r * c * sizeof(double));
    pos += r * c * sizeof(double);
    return m;
  }
  std::string get_string() {
    const auto n = get<int64_t>();
    if (n < 0 || pos + n > buf.size()) throw std::runtime_error("bad string");
    std::string s = buf.substr(pos, n);
    pos += n;
    return s;
  }
};

std::string encode(int cell, const CellResult& r) {
  Writer w;
  w.put<int64_t>(cell);
  w.put_matrix(r.last_n);
  w.put_matrix(r.diverged.cast<double>());
  w.put<int64_t>(r.best.index);
  w.put<double>(r.best.mean);
  w.put<double>(r.best.sd);
  w.put<int64_t>(r.n_diverged);
  w.put_matrix(r.curves);
  w.put<int64_t>(r.error_matrices.size());
  for (const auto& m : r.error_matrices) w.put_matrix(m);
  w.put_string(r.engine);
  return w.buf;
}

int decode(const std::string& payload, CellResult& r) {
  Reader rd{payload};
  const int cell = static_cast<int>(rd.get<int64_t>());
  r.last_n = rd.get_matrix();
  r.diverged = rd.get_matrix().cast<uint8_t>();
  r.best.index = static_cast<int>(rd.get<int64_t>());
  r.best.mean = rd.get<double>();
  r.best.sd = rd.get<double>();
  r.n_diverged = static_cast<int>(rd.get<int64_t>());
  r.curves = rd.get_matrix();
  const auto n = rd.get<int64_t>();
  if (n < 0 || n > 1000000) throw std::runtime_error("bad count");
  for (int64_t i = 0; i < n; ++i) r.error_matrices.push_back(rd.get_matrix());
  r.engine = rd.get_string();
  return cell;
}

class Journal {
 public:
  Journal(std::string path, const std::string& hash) : path_(std::move(path)) {
    const std::string header = std::string(kMagic) + hash + "\n";
    std::string content;
    if (std::ifstream in{path_, std::ios::binary}) content.assign(std::istreambuf_iterator<char>(in), {});
    size_t valid = 0;
    if (!content.empty()) {
      if (content.compare(0, sizeof kMagic - 1, kMagic) != 0)
        throw UserError(fmt::format("{}: not an hds sweep journal; move it away to start the sweep afresh", path_));
      if (content.compare(0, header.size(), header) != 0)
        throw UserError(fmt::format("{}: was made by a different sweep definition, so it cannot be resumed; delete it "
                                    "(and its results) or write this sweep elsewhere with -o", path_));
      size_t pos = header.size();
      valid = pos;
      while (pos + 12 <= content.size() && content.compare(pos, 4, "CELL") == 0) {
        uint64_t len;
        std::memcpy(&len, content.data() + pos + 4, 8);
        if (len > content.size() || pos + 12 + len + 8 > content.size()) break;
        const std::string payload = content.substr(pos + 12, len);
        uint64_t sum;
        std::memcpy(&sum, content.data() + pos + 12 + len, 8);
        if (sum != fnv1a(payload)) break;
        CellResult r;
        try {
          const int cell = decode(payload, r);
          done_[cell] = std::move(r);
        } catch (const std::exception&) {
          break;
        }
        pos += 12 + len + 8;
        valid = pos;
      }
    }
    // Reopen for appending, cutting off a torn tail (a kill during a write).
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT, 0644);
    if (fd_ < 0) throw UserError(fmt::format("{}: cannot write the sweep journal ({})", path_, std::strerror(errno)));
    if (valid == 0) {
      if (::ftruncate(fd_, 0) != 0 || !write_all(header)) fail_write();
    } else if (::ftruncate(fd_, static_cast<off_t>(valid)) != 0) {
      fail_write();
    }
    ::lseek(fd_, 0, SEEK_END);
    ::fsync(fd_);
  }
  ~Journal() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::map<int, CellResult>& done() { return done_; }

  void append(int cell, const CellResult& r) {
    const std::string payload = encode(cell, r);
    std::string rec = "CELL";
    const uint64_t len = payload.size(), sum = fnv1a(payload);
    rec.append(reinterpret_cast<const char*>(&len), 8);
    rec += payload;
    rec.append(reinterpret_cast<const char*>(&sum), 8);
    if (!write_all(rec) || ::fsync(fd_) != 0) fail_write();
  }

  void remove() {
    ::close(fd_);
    fd_ = -1;
    std::remove(path_.c_str());
  }

 private:
  bool write_all(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      const ssize_t n = ::write(fd_, s.data() + off, s.size() - off);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  [[noreturn]] void fail_write() {
    throw UserError(fmt::format("{}: writing the sweep journal failed ({}); free disk space and run the same command "
                                "again: finished cells are kept", path_, std::strerror(errno)));
  }
  std::string path_;
  int fd_ = -1;
  std::map<int, CellResult> done_;
};

// ---- progress -------------------------------------------------------------------------------------

class Progress {
 public:
  Progress(long total, bool on) : total_(total), on_(on && ::isatty(STDERR_FILENO)), start_(clock::now()) {}
  void show(long done) {
    if (!on_) return;
    const double secs = std::chrono::duration<double>(clock::now() - start_).count();
    const double rate = secs > 0 ? (done - first_) / secs : 0.0;
    const double eta = rate > 0 ? (total_ - done) / rate : 0.0;
    fmt::print(stderr, "\r\033[K  runs {}/{} ({:.1f}%)  {:.0f} runs/s  ETA {:.0f}s", done, total_,
               100.0 * done / std::max(total_, 1L), rate, eta);
    std::fflush(stderr);
  }
  void start_from(long done) { first_ = done; }
  void finish() {
    if (on_) fmt::print(stderr, "\r\033[K");
  }

 private:
  using clock = std::chrono::steady_clock;
  long total_, first_ = 0;
  bool on_;
  clock::time_point start_;
};

// ---- one cell -------------------------------------------------------------------------------------

bool wants_gram(const TrainSpec& spec, int P, int n_in, int n_out) {
  if (!gram_supports(spec)) return false;
  if (spec.engine == EngineKind::gram) return true;
  return spec.engine == EngineKind::auto_select && gram_preferred(spec, P, n_in, n_out, true);
}

RunResult run_one(const TrainSpec& spec, const exp::Repetition& rep, const GramData* gram) {
  const uint64_t shuffle = derive_seed(rep.seed, {kShuffle});
  if (gram && wants_gram(spec, static_cast<int>(rep.X.cols()), static_cast<int>(rep.X.rows()),
                         static_cast<int>(rep.T.rows())))
    return train_gram(spec, *gram, shuffle, false);
  return train_direct(spec, rep.X, rep.T, rep.W0, rep.b0, shuffle);
}

CellResult run_cell(const SweepDefinition& s, const Cell& cell, const SweepOptions& opt, const std::atomic<bool>& stop,
                    Progress& progress, long& done_before) {
  const cfg::ExperimentConfig& base = cell.config;
  const int G = s.grid_size, R = base.repetitions, P = base.patterns;
  const exp::Pools pools = exp::open_pools(base);

  // Common random numbers: repetition r's data and initial weights depend on (seed, r) only.
  std::vector<exp::Repetition> reps(R);
  parallel_jobs(R, opt.threads, [&](long r) { reps[r] = exp::prepare_repetition(base, pools, static_cast<int>(r)); });

  std::vector<TrainSpec> specs(G);
  bool any_gram = false;
  for (int g = 0; g < G; ++g) {
    specs[g] = apply_grid_point(s, base, g).train;
    specs[g].error_matrix = false;
    any_gram |= wants_gram(specs[g], P, static_cast<int>(reps[0].X.rows()), static_cast<int>(reps[0].T.rows()));
  }
  std::vector<std::shared_ptr<const GramData>> grams(R);
  if (any_gram)
    parallel_jobs(R, opt.threads, [&](long r) {
      grams[r] = prepare_gram(reps[r].X, reps[r].T, reps[r].W0, reps[r].b0, base.train.centering);
    });

  CellResult out;
  out.last_n.resize(G, R);
  out.diverged.resize(G, R);
  std::vector<Eigen::MatrixXd> curves(G, Eigen::MatrixXd(R, P));
  std::vector<std::string> engines(G);
  const long n = static_cast<long>(G) * R;
  const bool finished = parallel_jobs(
      n, opt.threads,
      [&](long i) {
        const int g = static_cast<int>(i / R), r = static_cast<int>(i % R);
        const RunResult run = run_one(specs[g], reps[r], grams[r].get());
        out.last_n(g, r) = run.last_n_error;
        out.diverged(g, r) = run.diverged;
        curves[g].row(r) = run.curve.transpose();
        if (r == 0) engines[g] = engine_name(run.engine_used);
      },
      &stop, [&](long d) { progress.show(done_before + d); });
  done_before += n;
  if (!finished) return out;

  out.best = select_best(out.last_n);
  const int w = out.best.index;
  out.curves = curves[w];
  out.engine = engines[w];
  for (int r = 0; r < R; ++r) out.n_diverged += out.diverged(w, r);
  if (base.train.error_matrix) {
    // The winner again, with its error matrices (not kept for every grid point: P² values per run).
    TrainSpec spec = specs[w];
    spec.error_matrix = true;
    out.error_matrices.resize(R);
    parallel_jobs(R, opt.threads, [&](long r) {
      const RunResult run = run_one(spec, reps[r], grams[r].get());
      out.error_matrices[r] = run.error_matrix;
      out.curves.row(r) = run.curve.transpose();
    });
  }
  return out;
}

// ---- the result file ------------------------------------------------------------------------------

std::vector<double> row_major(const Eigen::MatrixXd& m) {
  std::vector<double> v(m.size());
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(v.data(), m.rows(), m.cols()) = m;
  return v;
}

void write_result(const SweepDefinition& s, const SweepOptions& opt, const SweepOutcome& o) {
  prov::Provenance p = prov::collect(prov::command_line());
  std::map<std::string, data::FileRecord> files;
  for (const auto& cell : s.cells) {
    const exp::Pools pools = exp::open_pools(cell.config);
    for (const auto* pool : {pools.inputs.get(), pools.targets.get()})
      for (const auto& f : pool->files()) files[f.path] = f;
  }
  for (const auto& [path, f] : files) p.data_files.push_back(f);

  prov::write_atomically(opt.output, [&](h5::File& f) {
    prov::write(f, p, "sweep");
    const auto& first = s.cells.front().config;
    f.write_string("/config", s.resolved_yaml);
    f.attr("/", "config_file", s.file);
    f.attr("/", "name", s.name);
    f.attr("/", "sweep_hash", s.hash);
    f.attr("/", "base_seed", static_cast<int64_t>(first.seed));
    f.attr("/", "repetitions", static_cast<int64_t>(first.repetitions));
    f.attr("/", "last_n", static_cast<int64_t>(first.train.last_n));
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
    std::vector<int64_t> winner(C), ndiv(C);
    std::vector<double> mean(C), sd(C);
    std::vector<std::vector<double>> winner_values(s.tuned.size(), std::vector<double>(C));
    std::vector<std::vector<std::string>> key_values(s.cell_keys.size());
    for (hsize_t c = 0; c < C; ++c) {
      const CellResult& r = o.cells[c];
      const Cell& cell = s.cells[c];
      labels.push_back(cell.label);
      winner[c] = r.best.index;
      mean[c] = r.best.mean;
      sd[c] = r.best.sd;
      ndiv[c] = r.n_diverged;
      const auto wv = grid_point(s, r.best.index);
      for (size_t k = 0; k < wv.size(); ++k) winner_values[k][c] = wv[k];
      for (size_t k = 0; k < s.cell_keys.size(); ++k) key_values[k].push_back(cell.key_values[k]);

      const std::string g = fmt::format("/cells/c{:04d}", c);
      const hsize_t R = r.last_n.cols(), P = r.curves.cols();
      f.write(g + "/last_n_error", {G, R}, row_major(r.last_n).data());
      Eigen::Matrix<uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> d = r.diverged;
      f.write(g + "/diverged", {G, R}, d.data());
      f.write(g + "/forgetting_curve", {R, P}, row_major(r.curves).data());
      if (!r.error_matrices.empty()) {
        const hsize_t S = r.error_matrices[0].rows();
        std::vector<double> em;
        for (const auto& m : r.error_matrices) {
          const auto v = row_major(m);
          em.insert(em.end(), v.begin(), v.end());
        }
        f.write(g + "/error_matrix", {R, S, P}, em.data());
      }
      f.write_string(g + "/config", cfg::to_yaml(apply_grid_point(s, cell.config, r.best.index)));
      f.attr(g, "label", cell.label);
      f.attr(g, "engine", r.engine);
    }
    f.write_strings("/summary/label", labels);
    for (size_t k = 0; k < s.cell_keys.size(); ++k) f.write_strings("/summary/" + s.cell_keys[k], key_values[k]);
    f.write("/summary/winner_index", {C}, winner.data());
    for (size_t k = 0; k < s.tuned.size(); ++k) f.write("/summary/winner_" + s.tuned[k].key, {C}, winner_values[k].data());
    f.write("/summary/last_n_mean", {C}, mean.data());
    f.write("/summary/last_n_sd", {C}, sd.data());
    f.write("/summary/n_diverged", {C}, ndiv.data());
  });
}

}  // namespace

long total_runs(const SweepDefinition& s) {
  long n = 0;
  for (const auto& c : s.cells) n += static_cast<long>(s.grid_size) * c.config.repetitions;
  return n;
}

SweepOutcome run_sweep(const SweepDefinition& s, const SweepOptions& opt, const std::atomic<bool>& stop) {
  const auto start = std::chrono::steady_clock::now();
  SweepOutcome o;
  const std::string journal_path = opt.output + ".journal";
  namespace fs = std::filesystem;
  if (fs::exists(opt.output) && !fs::exists(journal_path)) {
    // A finished result: the same definition needs no work; another one is not replaced silently.
    std::string hash;
    try {
      h5::File f(opt.output, h5::File::Mode::read);
      if (f.has_attr("/", "sweep_hash")) hash = f.read_attr_string("/", "sweep_hash");
    } catch (const UserError&) {
    }
    if (hash == s.hash && !opt.force) {
      o.already_complete = true;
      return o;
    }
    if (!opt.force)
      throw UserError(fmt::format("{}: exists and holds {}; write this sweep elsewhere with -o, or pass --force to "
                                  "replace it", opt.output, hash.empty() ? "something else" : "a different sweep"));
  }
  if (fs::path(opt.output).has_parent_path()) {
    std::error_code ec;
    fs::create_directories(fs::path(opt.output).parent_path(), ec);
  }
  Journal journal(journal_path, s.hash);
  auto& done = journal.done();
  o.resumed = static_cast<int>(done.size());
  o.cells.resize(s.cells.size());

  Progress progress(total_runs(s), opt.progress);
  long runs_before = 0;
  for (const auto& [c, r] : done) runs_before += static_cast<long>(s.grid_size) * s.cells[c].config.repetitions;
  progress.start_from(runs_before);
  for (size_t c = 0; c < s.cells.size(); ++c) {
    if (done.count(static_cast<int>(c))) continue;
    if (stop) break;
    CellResult r = run_cell(s, s.cells[c], opt, stop, progress, runs_before);
    if (stop) break;  // a cell cut short is not recorded: it is recomputed on resume
    journal.append(static_cast<int>(c), r);
    done[static_cast<int>(c)] = std::move(r);
  }
  progress.finish();
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (done.size() < s.cells.size()) {
    o.interrupted = true;
    return o;
  }
  for (auto& [c, r] : done) o.cells[c] = std::move(r);
  write_result(s, opt, o);
  journal.remove();
  return o;
}

}  // namespace hds::sweep
