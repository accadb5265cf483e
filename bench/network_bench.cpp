// Benchmark of the network trainer: epochs of iid mini-batch training of MNIST 784-200-200-10
// (rectifier hidden, sigmoid output, hd output rule) with NetworkLearner::step, each epoch timed on
// its own (batch gathering and shuffling included, measuring excluded); validation and test accuracy
// after every epoch. Optionally writes the run (initial weights, batch order) for the PyTorch peer
// bench/peers/network_torch_peer.py, so that both train from the same start on the same batches.
//
// Settings: `sgd` is experiments/mnist_mlp.yaml (SGD lr 0.1, momentum 0.9 on every layer, no
// centering); `adam` is experiments/seed000_mlp.yaml (Adam 1e-3 hidden, SGD 1.25 output, running
// centering).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/npy.hpp"
#include "core/network_trainer.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "datasets/labelled.hpp"

namespace {

using namespace hds;

struct Options {
  std::string setting = "sgd";  // sgd | adam
  int epochs = 5;
  int batch = 32;
  int threads = 2;
  uint64_t seed = 1;
  long train_limit = 0;  // > 0: only the first N training patterns (quick checks)
  std::string data_dir;  // empty: the search path (HDS_DATA_DIR, ...)
  std::string dump;      // directory: the run for the peer
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument("missing value after " + k);
      return argv[++i];
    };
    if (k == "--setting") o.setting = val();
    else if (k == "--epochs") o.epochs = std::stoi(val());
    else if (k == "--batch") o.batch = std::stoi(val());
    else if (k == "--threads") o.threads = std::stoi(val());
    else if (k == "--seed") o.seed = std::stoull(val());
    else if (k == "--train-limit") o.train_limit = std::stol(val());
    else if (k == "--data-dir") o.data_dir = val();
    else if (k == "--dump") o.dump = val();
    else throw std::invalid_argument("unknown option " + k);
  }
  if (o.setting != "sgd" && o.setting != "adam") throw std::invalid_argument("--setting: sgd or adam");
  if (o.epochs < 1 || o.batch < 1 || o.threads < 1) throw std::invalid_argument("epochs, batch, threads >= 1");
  return o;
}

NetworkTrainSpec train_spec(const Options& o) {
  NetworkTrainSpec s;
  s.net.layers = {784, 200, 200, 10};
  s.net.hidden = Activation::make(ActivationKind::rectifier);
  s.net.output = Activation::make(ActivationKind::sigmoid);
  s.net.output_rule = OutputRule::hd;
  s.batch_size = o.batch;
  s.epochs = o.epochs;
  s.threads = o.threads;
  if (o.setting == "sgd") {
    s.hidden_optimizer = {OptimizerKind::sgd, 0.1, 0.9};
    s.output_optimizer = {OptimizerKind::sgd, 0.1, 0.9};
  } else {
    s.net.centering = LayerCentering::running;
    s.hidden_optimizer = {OptimizerKind::adam, 1e-3};
    s.output_optimizer = {OptimizerKind::sgd, 1.25, 0.0};
  }
  return s;
}

// Fraction of the columns of X whose largest output pre-activation is at their label.
double accuracy(Network& net, const Eigen::MatrixXd& X, const std::vector<int>& labels) {
  constexpr Eigen::Index block = 1024;
  long correct = 0;
  for (Eigen::Index begin = 0; begin < X.cols(); begin += block) {
    const Eigen::Index B = std::min(block, X.cols() - begin);
    net.predict(X.middleCols(begin, B));
    for (Eigen::Index c = 0; c < B; ++c) {
      Eigen::Index best;
      net.predicted_pre().col(c).maxCoeff(&best);
      correct += best == labels[begin + c];
    }
  }
  return static_cast<double>(correct) / static_cast<double>(X.cols());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string json_list(const std::vector<double>& v) {
  std::string s = "[";
  char buf[32];
  for (size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.6g", i ? ", " : "", v[i]);
    s += buf;
  }
  return s + "]";
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    data::LabelledSpec ds;
    ds.source.name = "mnist";
    ds.source.data_dir = o.data_dir;
    ds.validation = 10000;
    ds.train_limit = o.train_limit;
    const data::LabelledSplits data = data::load_labelled(ds);
    const Eigen::MatrixXd& X = data.train.X;
    const Eigen::Index N = X.cols();
    const NetworkTrainSpec spec = train_spec(o);
    const NetworkParams initial = glorot_params(spec.net, o.seed);

    // Epoch e's order: a Fisher-Yates shuffle by Rng(derive_seed(seed, {kShuffle, 0, e})), as train_network's.
    std::vector<std::vector<int64_t>> orders(o.epochs);
    for (int e = 0; e < o.epochs; ++e) {
      std::vector<int64_t>& order = orders[e];
      order.resize(N);
      for (Eigen::Index i = 0; i < N; ++i) order[i] = i;
      Rng rng(derive_seed(o.seed, {kShuffle, 0, static_cast<uint64_t>(e)}));
      for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    }

    if (!o.dump.empty()) {
      std::filesystem::create_directories(o.dump);
      for (int l = 0; l < spec.net.num_layers(); ++l) {
        const Eigen::MatrixXd& W = initial.W[l];
        bench::write_npy(o.dump + "/W" + std::to_string(l) + ".npy", W.data(), {long(W.rows()), long(W.cols())}, true);
        bench::write_npy(o.dump + "/b" + std::to_string(l) + ".npy", initial.b[l].data(), {long(W.cols())}, false);
      }
      std::vector<int64_t> flat;
      for (const auto& order : orders) flat.insert(flat.end(), order.begin(), order.end());
      bench::write_npy(o.dump + "/order.npy", flat.data(), {long(o.epochs), long(N)}, false);
      std::string files;
      for (const auto& f : data.files) files += (files.empty() ? "\"" : ", \"") + f.path + "\"";
      std::ofstream j(o.dump + "/workload.json");
      j << "{\"setting\": \"" << o.setting << "\", \"layers\": [784, 200, 200, 10], \"epochs\": " << o.epochs
        << ", \"batch\": " << o.batch << ", \"n_train\": " << N << ", \"n_validation\": " << data.validation.X.cols()
        << ", \"files\": [" << files << "]}\n";
      if (!j) throw std::runtime_error("cannot write " + o.dump + "/workload.json");
    }

    EigenSerial serial(spec.threads);
    NetworkLearner learner(spec, initial, serial.threads());
    Network& net = learner.network();
    const int n_classes = spec.net.layers.back();
    Eigen::MatrixXd Xb(X.rows(), o.batch), Tb(n_classes, o.batch);
    std::vector<double> epoch_s, eval_s, val_acc, test_acc;
    long steps = 0;
    for (int e = 0; e < o.epochs; ++e) {
      const auto t0 = std::chrono::steady_clock::now();
      for (Eigen::Index begin = 0; begin < N; begin += o.batch) {
        const Eigen::Index B = std::min<Eigen::Index>(o.batch, N - begin);
        Xb.resize(X.rows(), B);
        Tb.setZero(n_classes, B);
        for (Eigen::Index c = 0; c < B; ++c) {
          const int64_t p = orders[e][begin + c];
          Xb.col(c) = X.col(p);
          Tb(data.train.labels[p], c) = 1.0;
        }
        if (!learner.step(Xb, Tb)) throw std::runtime_error("diverged at step " + std::to_string(steps));
        ++steps;
      }
      const auto t1 = std::chrono::steady_clock::now();
      val_acc.push_back(accuracy(net, data.validation.X, data.validation.labels));
      test_acc.push_back(accuracy(net, data.test.X, data.test.labels));
      epoch_s.push_back(std::chrono::duration<double>(t1 - t0).count());
      eval_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
    }
    const double data_mb =
        8.0 * double(X.size() + data.validation.X.size() + data.test.X.size()) / (1024.0 * 1024.0);
    std::printf("{\"impl\": \"hds\", \"dtype\": \"float64\", \"setting\": \"%s\", \"threads\": %d, \"epochs\": %d, "
                "\"batch\": %d, \"n_train\": %ld, \"steps\": %ld, \"median_s\": %.6f, \"epoch_s\": %s, "
                "\"eval_median_s\": %.6f, \"val_acc\": %s, \"test_acc\": %s, \"data_mb\": %.1f}\n",
                o.setting.c_str(), serial.threads(), o.epochs, o.batch, long(N), steps, median(epoch_s),
                json_list(epoch_s).c_str(), median(eval_s), json_list(val_acc).c_str(), json_list(test_acc).c_str(),
                data_mb);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "network_bench: %s\n", e.what());
    return 2;
  }
}
