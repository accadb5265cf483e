// Running an experiment and writing its result file (see experiment.hpp).
#include "tools/lib/experiment.hpp"

#include <omp.h>

#include <chrono>
#include <cstring>
#include <cmath>
#include <exception>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/init.hpp"
#include "core/rng.hpp"
#include "datasets/sampling.hpp"
#include "tools/lib/guarded_read.hpp"
#include "tools/lib/h5file.hpp"
#include "tools/lib/inspect.hpp"
#include "tools/lib/output_path.hpp"
#include "tools/lib/provenance.hpp"

namespace hds::exp {
namespace {

// Row-major copy of a column-major matrix, for HDF5's C order.
std::vector<double> row_major(const Eigen::MatrixXd& m) {
  std::vector<double> out(m.size());
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(out.data(), m.rows(), m.cols()) = m;
  return out;
}

// Final weights of an earlier result file, for `init: {name: from, ...}`. The file's identity, the
// repetition and both shapes are checked before a value is used; the reading runs in a child process
// (h5::guarded_read), so a damaged file is an error line, never a crash.
void load_from(const cfg::ExperimentConfig& c, int r, int n_in, int n_out, Eigen::MatrixXd& W, Eigen::VectorXd& b) {
  const std::string& path = c.init.file;
  const int rep = c.init.repetition >= 0 ? c.init.repetition : r;
  const size_t nw = static_cast<size_t>(n_in) * n_out;
  const std::string bytes = h5::guarded_read(path, [&] {
    const h5::File f(path, h5::File::Mode::read);
    inspect::check_result_file(f);
    const std::string kind = inspect::kind(f);
    if (kind != "run")
      throw UserError(fmt::format("{}: is a {} file; init: from needs a run file with final weights (a sweep's "
                                  "winner: 'hds run' its /cells/cNNNN/config with 'store: [weights]')",
                                  path, kind));
    if (!f.exists("/weights/W") || !f.exists("/weights/b"))
      throw UserError(fmt::format("{}: has no final weights to start from; rerun that experiment with "
                                  "'store: [weights]'", path));
    const auto dw = f.dims("/weights/W"), db = f.dims("/weights/b");
    if (dw.size() != 3 || dw[1] != static_cast<hsize_t>(n_in) || dw[2] != static_cast<hsize_t>(n_out))
      throw UserError(fmt::format("{}: /weights/W has shape [{}], but this experiment needs [R, {}, {}] (n_in x "
                                  "n_out); start from a run with the same input and target dimensions",
                                  path, fmt::join(dw, ", "), n_in, n_out));
    if (db.size() != 2 || db[0] != dw[0] || db[1] != static_cast<hsize_t>(n_out))
      throw UserError(fmt::format("{}: /weights/b has shape [{}], but /weights/W needs [{}, {}]; the file is "
                                  "damaged, write it again with 'hds run'",
                                  path, fmt::join(db, ", "), dw[0], n_out));
    if (static_cast<hsize_t>(rep) >= dw[0])
      throw UserError(fmt::format("{}: has {} repetitions (0 to {}), repetition {} was asked for; set "
                                  "init.repetition to one of them",
                                  path, dw[0], dw[0] - 1, rep));
    const auto all_w = f.read_doubles("/weights/W");
    const auto all_b = f.read_doubles("/weights/b");
    std::string out(sizeof(double) * (nw + n_out), '\0');
    std::memcpy(out.data(), all_w.data() + static_cast<size_t>(rep) * nw, sizeof(double) * nw);
    std::memcpy(out.data() + sizeof(double) * nw, all_b.data() + static_cast<size_t>(rep) * n_out,
                sizeof(double) * n_out);
    return out;
  });
  if (bytes.size() != sizeof(double) * (nw + n_out))
    throw UserError(fmt::format("{}: the weights came back with the wrong size; the file is damaged", path));
  std::vector<double> v(nw + n_out);
  std::memcpy(v.data(), bytes.data(), bytes.size());
  W = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(v.data(), n_in, n_out);
  b = Eigen::Map<const Eigen::VectorXd>(v.data() + nw, n_out);
  if (!W.allFinite() || !b.allFinite())
    throw UserError(fmt::format("{}: the final weights of repetition {} are not all finite (that run diverged); "
                                "set init.repetition to a repetition that did not",
                                path, rep));
}

}  // namespace

void mean_sd(const std::vector<double>& v, double& mean, double& sd) {
  mean = 0;
  for (double x : v) mean += x;
  mean /= std::max<size_t>(v.size(), 1);
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  sd = v.size() > 1 ? std::sqrt(ss / (v.size() - 1)) : 0.0;
}

Pools open_pools(const cfg::ExperimentConfig& c) {
  Pools p;
  p.inputs = data::open_source(c.inputs);
  p.targets = data::open_source(c.targets);
  for (const auto* pool : {p.inputs.get(), p.targets.get()})
    if (pool->count() >= 0 && pool->count() < c.patterns)
      throw UserError(fmt::format("{}: {} has {} patterns, but 'patterns' is {} (lower 'patterns' or use more data)",
                                  c.config_file, pool->describe(), pool->count(), c.patterns));
  const data::SamplingNotes notes = data::sampling_notes(*p.inputs, *p.targets, c.sample);
  p.inputs_description = p.inputs->describe() + notes.inputs;
  p.targets_description = p.targets->describe() + notes.targets;
  return p;
}

Repetition prepare_repetition(const cfg::ExperimentConfig& c, const Pools& pools, int r) {
  Repetition rep;
  rep.seed = derive_seed(c.seed, {static_cast<uint64_t>(r)});
  data::draw_pairs(*pools.inputs, *pools.targets, c.sample, c.patterns, derive_seed(rep.seed, {kInputs}),
                   derive_seed(rep.seed, {kTargets}), rep.X, rep.T);
  const int n_in = static_cast<int>(rep.X.rows()), n_out = static_cast<int>(rep.T.rows());
  if (c.init.kind == InitKind::from) load_from(c, r, n_in, n_out, rep.W0, rep.b0);
  else init_weights(c.init, n_in, n_out, derive_seed(rep.seed, {kInit}), rep.W0, rep.b0);
  return rep;
}

ExperimentResult run_experiment(const cfg::ExperimentConfig& c, int threads) {
  const auto start = std::chrono::steady_clock::now();
  ExperimentResult res;
  const Pools pools = open_pools(c);
  res.inputs_description = pools.inputs_description;
  res.targets_description = pools.targets_description;
  res.files = pools.inputs->files();
  for (const auto& f : pools.targets->files()) res.files.push_back(f);

  const int R = c.repetitions;
  res.runs.resize(R);
  res.seeds.resize(R);
  const bool keep = c.store_patterns || c.store_weights;
  if (keep) res.reps.resize(R);
  std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads > 0 ? threads : omp_get_max_threads())
  for (int r = 0; r < R; ++r) {
    try {
      Repetition rep = prepare_repetition(c, pools, r);
      res.seeds[r] = rep.seed;
      res.runs[r] = train(c.train, rep.X, rep.T, rep.W0, rep.b0, derive_seed(rep.seed, {kShuffle}));
      if (keep) res.reps[r] = std::move(rep);
    } catch (...) {
#pragma omp critical(hds_experiment_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);

  std::vector<double> last;
  for (const auto& run : res.runs) {
    last.push_back(run.last_n_error);
    res.n_diverged += run.diverged ? 1 : 0;
  }
  mean_sd(last, res.last_n_mean, res.last_n_sd);
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return res;
}

void write_run_file(const std::string& path, const cfg::ExperimentConfig& c, const ExperimentResult& r,
                    bool replace) {
  prov::Provenance p = prov::collect(prov::command_line());
  p.data_files = r.files;
  // The stored configuration must not name this very file: rerunning it would replace what it came from.
  cfg::ExperimentConfig stored = c;
  stored.output = out::derived_name(path, "_rerun");
  out::write_atomically(path, replace, [&](h5::File& f) {
    prov::write(f, p, "run");
    f.write_string("/config", cfg::to_yaml(stored));
    f.attr("/", "config_file", c.config_file);
    f.attr("/", "name", c.name);
    f.attr("/", "base_seed", static_cast<int64_t>(c.seed));
    f.attr("/", "inputs", r.inputs_description);
    f.attr("/", "targets", r.targets_description);
    f.attr("/", "rule", rule_name(c.train.rule));
    f.attr("/", "activation", c.train.act.name());
    f.attr("/", "eta", c.train.eta);
    f.attr("/", "last_n", static_cast<int64_t>(c.train.last_n));
    f.attr("/", "last_n_mean", r.last_n_mean);
    f.attr("/", "last_n_sd", r.last_n_sd);
    f.attr("/", "n_diverged", static_cast<int64_t>(r.n_diverged));
    f.attr("/", "seconds", r.seconds);
    f.attr("/", "engine", r.runs.empty() ? std::string("none") : engine_name(r.runs[0].engine_used));

    const hsize_t R = r.runs.size(), P = c.patterns;
    std::vector<double> last(R), curves(R * P);
    std::vector<uint8_t> diverged(R);
    std::vector<int64_t> dstep(R);
    for (size_t i = 0; i < R; ++i) {
      last[i] = r.runs[i].last_n_error;
      diverged[i] = r.runs[i].diverged;
      dstep[i] = r.runs[i].diverged_step;
      Eigen::Map<Eigen::VectorXd>(curves.data() + i * P, P) = r.runs[i].curve;
    }
    f.write("/repetition_seeds", {R}, r.seeds.data());
    f.write("/last_n_error", {R}, last.data());
    f.write("/diverged", {R}, diverged.data());
    f.write("/diverged_step", {R}, dstep.data());
    f.write("/forgetting_curve", {R, P}, curves.data());

    if (c.train.error_matrix && R > 0) {
      const hsize_t S = r.runs[0].error_matrix.rows();
      std::vector<double> em;
      for (const auto& run : r.runs) {
        auto rm = row_major(run.error_matrix);
        em.insert(em.end(), rm.begin(), rm.end());
      }
      f.write("/error_matrix", {R, S, P}, em.data());
    }
    if (c.store_patterns && R > 0) {
      const hsize_t n_in = r.reps[0].X.rows(), n_out = r.reps[0].T.rows();
      std::vector<double> xs, ts;
      for (const auto& rep : r.reps) {
        // X is n_in × P column-major: its memory is already [P, n_in] in C order.
        xs.insert(xs.end(), rep.X.data(), rep.X.data() + rep.X.size());
        ts.insert(ts.end(), rep.T.data(), rep.T.data() + rep.T.size());
      }
      f.write("/patterns/inputs", {R, P, n_in}, xs.data());
      f.write("/patterns/targets", {R, P, n_out}, ts.data());
    }
    if (c.store_weights && R > 0) {
      const hsize_t n_in = r.reps[0].W0.rows(), n_out = r.reps[0].W0.cols();
      std::vector<double> w0, b0, w, b, mu;
      for (size_t i = 0; i < R; ++i) {
        auto a = row_major(r.reps[i].W0);
        w0.insert(w0.end(), a.begin(), a.end());
        auto z = row_major(r.runs[i].W);
        w.insert(w.end(), z.begin(), z.end());
        b0.insert(b0.end(), r.reps[i].b0.data(), r.reps[i].b0.data() + n_out);
        b.insert(b.end(), r.runs[i].b.data(), r.runs[i].b.data() + n_out);
        mu.insert(mu.end(), r.runs[i].mu.data(), r.runs[i].mu.data() + n_in);
      }
      f.write("/weights/W0", {R, n_in, n_out}, w0.data());
      f.write("/weights/b0", {R, n_out}, b0.data());
      f.write("/weights/W", {R, n_in, n_out}, w.data());
      f.write("/weights/b", {R, n_out}, b.data());
      f.write("/weights/mu", {R, n_in}, mu.data());
    }
  });
}

}  // namespace hds::exp
