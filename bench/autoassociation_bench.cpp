// Benchmark of batch-size-1 auto-association updates (issue 12): one online pass of hd and gd over N
// MNIST images (784 inputs) for k = 16, 64, 256 hidden units (sigmoid hidden, linear visible, dataset
// centering), timed by the training thread's CPU time of the steps alone (train_autoassociation's
// `seconds`). Beside it, in the same process, a copy of an n_in × k array: the least memory traffic
// any update of W needs is one read and one write of W, so (16 bytes · n_in · k) / (time per update)
// against the copy's bytes per second says how close an update comes to the memory (cache) bandwidth.
// Optionally writes each workload (patterns, initial W, final W) for the numpy and PyTorch peers
// (bench/peers/autoassociation_peer.py), which run the same updates and compare final weights.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/npy.hpp"
#include "core/autoassociation.hpp"
#include "core/rng.hpp"
#include "datasets/labelled.hpp"

namespace {

using namespace hds;

struct Options {
  std::vector<int> ks = {16, 64, 256};
  std::vector<std::string> rules = {"hd", "gd"};
  long patterns = 5000;
  int repeat = 5;
  double eta = 0.001;
  uint64_t seed = 1;
  std::string data = "mnist";  // mnist | randn (a stand-in without the files)
  std::string data_dir;
  std::string dump;  // directory: the workloads for the peers
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const size_t end = comma == std::string::npos ? s.size() : comma;
    if (end > start) out.push_back(s.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
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
    if (k == "--k") {
      o.ks.clear();
      for (const auto& v : split(val())) o.ks.push_back(std::stoi(v));
    } else if (k == "--rules") o.rules = split(val());
    else if (k == "--patterns") o.patterns = std::stol(val());
    else if (k == "--repeat") o.repeat = std::stoi(val());
    else if (k == "--eta") o.eta = std::stod(val());
    else if (k == "--seed") o.seed = std::stoull(val());
    else if (k == "--data") o.data = val();
    else if (k == "--data-dir") o.data_dir = val();
    else if (k == "--dump") o.dump = val();
    else throw std::invalid_argument("unknown option " + k);
  }
  if (o.ks.empty() || o.rules.empty() || o.patterns < 1 || o.repeat < 1)
    throw std::invalid_argument("--k, --rules non-empty; --patterns, --repeat >= 1");
  if (o.data != "mnist" && o.data != "randn") throw std::invalid_argument("--data: mnist or randn");
  return o;
}

Eigen::MatrixXd load(const Options& o) {
  if (o.data == "randn") {  // 784-dim normal(0.5, 0.1) clipped to [0, 1], as RANDN
    Rng rng(derive_seed(o.seed, {7}));
    Eigen::MatrixXd X(784, o.patterns);
    for (Eigen::Index p = 0; p < X.cols(); ++p)
      for (Eigen::Index i = 0; i < X.rows(); ++i) X(i, p) = std::clamp(0.5 + 0.1 * rng.normal(), 0.0, 1.0);
    return X;
  }
  data::LabelledSpec ds;
  ds.source.name = "mnist";
  ds.source.data_dir = o.data_dir;
  ds.train_limit = o.patterns;
  return data::load_labelled(ds).train.X;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Seconds per byte-pair of copying an n × k array (read once, written once), median of many copies.
double copy_seconds(Eigen::Index n, Eigen::Index k) {
  Eigen::MatrixXd A = Eigen::MatrixXd::Random(n, k), B(n, k);
  const int reps = std::max(20, static_cast<int>(2e8 / static_cast<double>(n * k)));
  std::vector<double> t;
  for (int trial = 0; trial < 7; ++trial) {
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) {
      B = A;
      A(r % n, 0) += B(0, 0) * 1e-300;  // keeps the copies from being folded into one
    }
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / reps);
  }
  return median(t);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    const Eigen::MatrixXd X = load(o);
    const Eigen::Index n = X.rows(), N = X.cols();
    if (!o.dump.empty()) {
      std::filesystem::create_directories(o.dump);
      bench::write_npy(o.dump + "/X.npy", X.data(), {long(N), long(n)}, false);  // rows are patterns
    }
    for (int k : o.ks) {
      if (k < 1 || k > n) throw std::invalid_argument("--k: every k in 1.." + std::to_string(n));
      const double copy = copy_seconds(n, k);
      const double bytes_min = 16.0 * static_cast<double>(n) * k;  // one read and one write of W
      AutoParams init;
      Rng rng(derive_seed(o.seed, {static_cast<uint64_t>(k)}));
      const double r = std::sqrt(6.0 / static_cast<double>(n + k));
      init.W.resize(n, k);
      for (Eigen::Index j = 0; j < k; ++j)
        for (Eigen::Index i = 0; i < n; ++i) init.W(i, j) = r * (2.0 * rng.uniform() - 1.0);
      init.b = Eigen::VectorXd::Zero(k);
      if (!o.dump.empty()) {
        bench::write_npy(o.dump + "/W0_k" + std::to_string(k) + ".npy", init.W.data(), {long(n), long(k)}, true);
      }
      for (const std::string& name : o.rules) {
        AutoSpec spec;
        if (!auto_rule_from_name(name, spec.rule)) throw std::invalid_argument("--rules: unknown rule " + name);
        spec.eta = o.eta;
        spec.protocol = Protocol::online;
        std::vector<double> per_update;
        AutoResult last;
        const Eigen::MatrixXd none;
        for (int rep = 0; rep < o.repeat; ++rep) {
          last = train_autoassociation(spec, X, none, init, o.seed);
          if (last.diverged) throw std::runtime_error(name + " diverged at k = " + std::to_string(k));
          per_update.push_back(last.seconds / static_cast<double>(last.updates));
        }
        const double t = median(per_update);
        if (!o.dump.empty()) {
          const std::string stem = o.dump + "/" + name + "_k" + std::to_string(k);
          bench::write_npy(stem + "_W.npy", last.params.W.data(), {long(n), long(k)}, true);
          bench::write_npy(stem + "_b.npy", last.params.b.data(), {long(k)}, false);
        }
        std::printf(
            "{\"rule\": \"%s\", \"k\": %d, \"n_in\": %ld, \"updates\": %ld, \"repeat\": %d, \"eta\": %g, "
            "\"data\": \"%s\", \"seconds_per_update\": %.6e, \"updates_per_second\": %.1f, "
            "\"min_traffic_gbs\": %.2f, \"copy_gbs\": %.2f, \"fraction_of_copy\": %.3f, \"final_train_mse\": %.6e}\n",
            name.c_str(), k, long(n), last.updates, o.repeat, o.eta, o.data.c_str(), t, 1.0 / t, bytes_min / t / 1e9,
            bytes_min / copy / 1e9, copy / t, last.epochs.back().m.train_mse);
        std::fflush(stdout);
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hds_auto_bench: %s\n", e.what());
    return 2;
  }
}
