// Benchmark of one learning-rate sweep (rules × log-spaced η × repetitions) on the direct and the
// Gram engine, with the suite's seed conventions; optionally writes the workload for the Python peers.
//
// Common random numbers: repetition r draws its patterns and W₀ from rep_seed = derive_seed(base, {r})
// (inputs {kInputs}, targets {kTargets}, glorot W₀ {kInit}, shuffle {kShuffle}); every grid point of r
// shares them. Runs are parallel over (rule, η) with OpenMP, each run single-threaded.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/npy.hpp"
#include "core/engine.hpp"
#include "core/gemm_speed.hpp"
#include "core/init.hpp"
#include "core/isa.hpp"
#include "core/rng.hpp"
#include "datasets/source.hpp"

namespace {

using namespace hds;

struct Options {
  std::string inputs = "rand", targets = "rand";
  int in_dim = 200, out_dim = 200;
  int P = 100;
  std::string protocol = "online";
  int epochs = 1;
  int reps = 10;
  int n_eta = 20;
  double log_eta_lo = -4.0, log_eta_hi = 0.0;
  std::string rules = "hd,gd,hebb,cov,oja,instar";
  std::string activation = "sigmoid";
  std::string centering = "dataset";
  std::string engine = "gram";  // direct | gram (where supported) | blocked | auto (choose_engine's pick)
  int block = 0;                 // blocked: presentations per block (0: kDefaultBlock)
  bool weights = false;          // gram: rebuild the final W of every run
  int threads = 2;
  int repeat = 5;
  uint64_t seed = 2024;
  std::string dump;  // directory: write the workload (npy + json) for the peers
  std::string out;   // file: last-N errors of every run (npy, reps × rules × η)
  int gemm = 0;      // > 0: measure only the double GEMM speed on gemm × gemm matrices
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument("missing value after " + k);
      return argv[++i];
    };
    if (k == "--inputs") o.inputs = val();
    else if (k == "--targets") o.targets = val();
    else if (k == "--in-dim") o.in_dim = std::stoi(val());
    else if (k == "--out-dim") o.out_dim = std::stoi(val());
    else if (k == "--P") o.P = std::stoi(val());
    else if (k == "--protocol") o.protocol = val();
    else if (k == "--epochs") o.epochs = std::stoi(val());
    else if (k == "--reps") o.reps = std::stoi(val());
    else if (k == "--n-eta") o.n_eta = std::stoi(val());
    else if (k == "--rules") o.rules = val();
    else if (k == "--activation") o.activation = val();
    else if (k == "--centering") o.centering = val();
    else if (k == "--engine") o.engine = val();
    else if (k == "--block") o.block = std::stoi(val());
    else if (k == "--weights") o.weights = true;
    else if (k == "--threads") o.threads = std::stoi(val());
    else if (k == "--repeat") o.repeat = std::stoi(val());
    else if (k == "--seed") o.seed = std::stoull(val());
    else if (k == "--dump") o.dump = val();
    else if (k == "--out") o.out = val();
    else if (k == "--gemm") o.gemm = std::stoi(val());
    else throw std::invalid_argument("unknown option " + k);
  }
  return o;
}

using bench::write_npy;

void write_matrix(const std::string& path, const Eigen::MatrixXd& m) {
  write_npy(path, m.data(), {static_cast<long>(m.rows()), static_cast<long>(m.cols())}, true);
}

data::SourceSpec source(const std::string& name, int dim) {
  data::SourceSpec s;
  s.name = name;
  s.dim = dim;
  return s;
}

// The machine's limit (core/gemm_speed.hpp, at the level in use).
void gemm_speed(int n, int threads, int repeat, const std::string& isa) {
  const double gflops = gemm_gflops(n, threads, repeat);
  std::printf("{\"gemm\": %d, \"isa\": \"%s\", \"threads\": %d, \"repeat\": %d, \"gflops\": %.3f}\n", n,
              isa.c_str(), threads, repeat, gflops);
}

// The useful floating-point operations of one run (multiplies and adds of the algorithm it ran, the
// final errors included; elementwise work, the blocked engine's extra Gram products and the products
// shared by a repetition's runs are not counted). direct and blocked: a forward (2 n_in n_out) and an
// update (2 n_in n_out, plus n_in n_out for the column scaling of decay, oja and instar) per step, the
// final errors 2 n_in n_out P. gram (gram_engine.hpp): hebb and cov without decay in closed form,
// 2 n_out P (G₀ + E η T'Kᵀ); hebb and cov with decay skip the forward pass, so only the final errors,
// 2 n_out P²; the other rules' forward passes read the touched columns of D (on average P/2 in the
// first epoch, P after: 2 n_out each), and the final errors cost 2 n_out P², online only the half
// the steps have not summed already.
double run_flops(EngineKind e, const TrainSpec& s, const RunResult& r, int P, int n_in, int n_out) {
  const bool online = s.protocol == Protocol::online;
  const double epochs = online ? 1 : s.epochs, p = P, ni = n_in, no = n_out;
  const bool shrink = s.weight_decay != 0.0 || !is_outer_product_rule(s.rule);
  if (e == EngineKind::gram) {
    if (gram_closed_form(s) && !r.diverged) return 2 * no * p;
    if (s.rule == Rule::hebb || s.rule == Rule::cov) return 2 * no * p * p;
    return 2 * no * p * p * (epochs - 0.5) + (online ? 1.0 : 2.0) * no * p * p;
  }
  return epochs * p * (shrink ? 5 : 4) * ni * no + 2 * ni * no * p;
}

struct Repetition {
  Eigen::MatrixXd X, T, W0;
  Eigen::VectorXd b0;
  uint64_t shuffle_seed = 0;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    const std::string isa = isa_description();  // a bad HDS_ISA fails here, before any work
    if (o.gemm > 0) {
      gemm_speed(o.gemm, o.threads, o.repeat, isa);
      return 0;
    }
    std::vector<Rule> rules;
    for (const auto& n : split(o.rules)) {
      Rule r;
      if (!rule_from_name(n, r)) throw std::invalid_argument("unknown rule " + n);
      rules.push_back(r);
    }
    TrainSpec base;
    ActivationKind ak;
    if (!activation_from_name(o.activation, ak)) throw std::invalid_argument("unknown activation " + o.activation);
    base.act = Activation::make(ak);
    if (!centering_from_name(o.centering, base.centering)) throw std::invalid_argument("unknown centering");
    base.protocol = o.protocol == "online" ? Protocol::online : Protocol::multi_epoch;
    base.epochs = o.epochs;
    base.last_n = 20;
    std::vector<double> etas(o.n_eta);
    for (int e = 0; e < o.n_eta; ++e)
      etas[e] = std::pow(10.0, o.log_eta_lo + (o.log_eta_hi - o.log_eta_lo) * e / std::max(o.n_eta - 1, 1));

    const auto in_pool = data::open_source(source(o.inputs, o.in_dim));
    const auto out_pool = data::open_source(source(o.targets, o.out_dim));
    std::vector<Repetition> reps(o.reps);
    for (int r = 0; r < o.reps; ++r) {
      const uint64_t rep_seed = derive_seed(o.seed, {static_cast<uint64_t>(r)});
      reps[r].X = in_pool->draw(o.P, derive_seed(rep_seed, {kInputs}));
      reps[r].T = out_pool->draw(o.P, derive_seed(rep_seed, {kTargets}));
      init_weights(InitSpec{}, static_cast<int>(reps[r].X.rows()), static_cast<int>(reps[r].T.rows()),
                   derive_seed(rep_seed, {kInit}), reps[r].W0, reps[r].b0);
      reps[r].shuffle_seed = derive_seed(rep_seed, {kShuffle});
    }
    const int n_in = static_cast<int>(reps[0].X.rows()), n_out = static_cast<int>(reps[0].T.rows());

    if (!o.dump.empty()) {
      std::filesystem::create_directories(o.dump);
      for (int r = 0; r < o.reps; ++r) {
        write_matrix(o.dump + "/X_" + std::to_string(r) + ".npy", reps[r].X);
        write_matrix(o.dump + "/T_" + std::to_string(r) + ".npy", reps[r].T);
        write_matrix(o.dump + "/W0_" + std::to_string(r) + ".npy", reps[r].W0);
      }
      std::ofstream j(o.dump + "/workload.json");
      j << "{\"P\": " << o.P << ", \"n_in\": " << n_in << ", \"n_out\": " << n_out << ", \"reps\": " << o.reps
        << ", \"protocol\": \"" << o.protocol << "\", \"epochs\": " << o.epochs << ", \"activation\": \""
        << o.activation << "\", \"centering\": \"" << o.centering << "\", \"last_n\": 20, \"rules\": [";
      for (size_t i = 0; i < rules.size(); ++i) j << (i ? ", " : "") << "\"" << rule_name(rules[i]) << "\"";
      j << "], \"etas\": [";
      j.precision(17);
      for (size_t i = 0; i < etas.size(); ++i) j << (i ? ", " : "") << etas[i];
      j << "]}\n";
    }

    const int R = static_cast<int>(rules.size()), E = o.n_eta;
    const int runs_per_rep = R * E;
    std::vector<double> last(static_cast<size_t>(o.reps) * runs_per_rep, 0.0);
    std::vector<int> used_gram(last.size(), 0), used_blocked(last.size(), 0);
    std::vector<double> flops(last.size(), 0.0);
    std::vector<double> seconds;
    omp_set_num_threads(o.threads);
    for (int rep = 0; rep < o.repeat; ++rep) {
      const auto t0 = std::chrono::steady_clock::now();
      // Repetitions in chunks of `threads`: their Gram data is built in parallel (one per thread),
      // then all their runs are spread over the threads; one chunk's Gram data lives at a time.
      for (int r0 = 0; r0 < o.reps; r0 += o.threads) {
        const int r1 = std::min(o.reps, r0 + o.threads);
        std::vector<std::shared_ptr<const GramData>> grams(r1 - r0);
        if (o.engine != "direct" && o.engine != "blocked") {
#pragma omp parallel for schedule(dynamic)
          for (int r = r0; r < r1; ++r)
            grams[r - r0] = prepare_gram(reps[r].X, reps[r].T, reps[r].W0, reps[r].b0, base.centering);
        }
        const int n = (r1 - r0) * runs_per_rep;
#pragma omp parallel for schedule(dynamic)
        for (int i = 0; i < n; ++i) {
          const int r = r0 + i / runs_per_rep, k = i % runs_per_rep;
          TrainSpec spec = base;
          spec.rule = rules[k / E];
          spec.eta = etas[k % E];
          const Repetition& d = reps[r];
          if (o.engine == "direct") spec.engine = EngineKind::direct;
          else if (o.engine == "gram") spec.engine = gram_supports(spec) ? EngineKind::gram : EngineKind::direct;
          else if (o.engine == "blocked") spec.engine = EngineKind::blocked;
          else spec.engine = EngineKind::auto_select;
          const RunResult res = o.engine == "blocked"
                                    ? train_blocked(spec, d.X, d.T, d.W0, d.b0, d.shuffle_seed, o.block)
                                    : train_shared(spec, d.X, d.T, d.W0, d.b0, grams[r - r0].get(), d.shuffle_seed, o.weights);
          last[static_cast<size_t>(r) * runs_per_rep + k] = res.last_n_error;
          used_gram[static_cast<size_t>(r) * runs_per_rep + k] = res.engine_used == EngineKind::gram;
          used_blocked[static_cast<size_t>(r) * runs_per_rep + k] = res.engine_used == EngineKind::blocked;
          flops[static_cast<size_t>(r) * runs_per_rep + k] = run_flops(res.engine_used, spec, res, o.P, n_in, n_out);
        }
      }
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::vector<double> sorted = seconds;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    int n_gram = 0;
    for (int g : used_gram) n_gram += g;
    int n_blocked = 0;
    for (int b : used_blocked) n_blocked += b;
    double total_flops = 0;
    for (double f : flops) total_flops += f;
    std::printf("{\"engine\": \"%s\", \"P\": %d, \"n_in\": %d, \"n_out\": %d, \"runs\": %zu, \"gram_runs\": %d, \"blocked_runs\": %d, "
                "\"isa\": \"%s\", \"threads\": %d, \"median_s\": %.6f, \"min_s\": %.6f, \"repeat\": %d, \"runs_per_s\": %.2f, \"gflops\": %.3f}\n",
                o.engine.c_str(), o.P, n_in, n_out, last.size(), n_gram, n_blocked, isa.c_str(), o.threads, median, sorted.front(),
                o.repeat, last.size() / median, total_flops / median * 1e-9);
    if (!o.out.empty()) write_npy(o.out, last.data(), {o.reps, R, E}, false);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hds_bench: %s\n", e.what());
    return 2;
  }
}
