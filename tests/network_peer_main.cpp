// The C++ side of the PyTorch peer test (tests/oracle/network_torch.py): reads a network, its initial
// weights, data and batch order from a directory of float64/int64 .npy files, takes the given
// mini-batch steps with NetworkLearner and writes the final weights and biases as .npy.
//
// usage: hds_network_peer DIR    (DIR/config.txt, X.npy, labels.npy, order.npy, W<l>.npy, b<l>.npy;
//                                 writes DIR/W<l>_out.npy, DIR/b<l>_out.npy)
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/network_trainer.hpp"
#include "core/parallel.hpp"

using namespace hds;

namespace {

// A 1-d or 2-d little-endian C-order array of float64 ('<f8') or int64 ('<i8'): the only kinds the
// peer writes. (datasets/' reader returns float32, too coarse for a 1e-10 comparison.)
struct Npy {
  std::vector<long> shape;
  std::vector<double> f8;
  std::vector<int64_t> i8;
};

Npy read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  char magic[8];
  in.read(magic, 8);
  if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error(path + ": not a .npy file");
  uint32_t hlen = 0;
  if (magic[6] == 1) {
    uint16_t h16;
    in.read(reinterpret_cast<char*>(&h16), 2);
    hlen = h16;
  } else {
    in.read(reinterpret_cast<char*>(&hlen), 4);
  }
  std::string header(hlen, ' ');
  in.read(&header[0], hlen);
  if (header.find("'fortran_order': False") == std::string::npos) throw std::runtime_error(path + ": not C order");
  const bool f8 = header.find("'<f8'") != std::string::npos;
  if (!f8 && header.find("'<i8'") == std::string::npos) throw std::runtime_error(path + ": not <f8 or <i8");
  const auto open = header.find('(', header.find("'shape'")), close = header.find(')', open);
  std::stringstream dims(header.substr(open + 1, close - open - 1));
  Npy a;
  long n = 1;
  for (std::string d; std::getline(dims, d, ',');)
    if (d.find_first_not_of(' ') != std::string::npos) {
      a.shape.push_back(std::stol(d));
      n *= a.shape.back();
    }
  if (f8) {
    a.f8.resize(n);
    in.read(reinterpret_cast<char*>(a.f8.data()), n * 8);
  } else {
    a.i8.resize(n);
    in.read(reinterpret_cast<char*>(a.i8.data()), n * 8);
  }
  if (!in) throw std::runtime_error(path + ": truncated");
  return a;
}

// A 2-d C-order array (rows × cols) as a matrix of the same shape.
Eigen::MatrixXd matrix(const Npy& a) {
  const long r = a.shape.at(0), c = a.shape.size() > 1 ? a.shape[1] : 1;
  Eigen::MatrixXd m(r, c);
  for (long i = 0; i < r; ++i)
    for (long j = 0; j < c; ++j) m(i, j) = a.f8[i * c + j];
  return m;
}

void write_npy(const std::string& path, const Eigen::MatrixXd& m, bool vector) {
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(m.rows()) +
                       (vector ? ",), }" : ", " + std::to_string(m.cols()) + "), }");
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const uint16_t hlen = static_cast<uint16_t>(header.size());
  out.write(reinterpret_cast<const char*>(&hlen), 2);
  out.write(header.data(), header.size());
  for (long i = 0; i < m.rows(); ++i)
    for (long j = 0; j < m.cols(); ++j) out.write(reinterpret_cast<const char*>(&m(i, j)), 8);
}

OptimizerSpec optimizer(std::istringstream& line) {
  OptimizerSpec o;
  std::string kind;
  line >> kind;
  if (!optimizer_from_name(kind, o.kind)) throw std::runtime_error("unknown optimizer " + kind);
  if (o.kind == OptimizerKind::sgd) line >> o.lr >> o.momentum >> o.weight_decay;
  else line >> o.lr >> o.beta1 >> o.beta2 >> o.eps >> o.weight_decay;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: hds_network_peer DIR\n";
    return 2;
  }
  try {
    const std::string dir = argv[1];
    NetworkTrainSpec spec;
    int threads = 1;
    std::ifstream cfg(dir + "/config.txt");
    if (!cfg) throw std::runtime_error(dir + "/config.txt: cannot open");
    for (std::string text; std::getline(cfg, text);) {
      std::istringstream line(text);
      std::string key, v;
      line >> key;
      if (key == "layers")
        for (int n; line >> n;) spec.net.layers.push_back(n);
      else if (key == "hidden" || key == "output") {
        line >> v;
        ActivationKind k;
        if (!activation_from_name(v, k)) throw std::runtime_error("unknown activation " + v);
        (key == "hidden" ? spec.net.hidden : spec.net.output) = Activation::make(k);
      } else if (key == "rule") {
        line >> v;
        if (!output_rule_from_name(v, spec.net.output_rule)) throw std::runtime_error("unknown rule " + v);
      } else if (key == "hidden_rule") {
        line >> v;
        if (!hidden_rule_from_name(v, spec.net.hidden_rule)) throw std::runtime_error("unknown hidden_rule " + v);
      } else if (key == "centering") {
        line >> v;
        if (!layer_centering_from_name(v, spec.net.centering)) throw std::runtime_error("unknown centering " + v);
      } else if (key == "hidden_optimizer") spec.hidden_optimizer = optimizer(line);
      else if (key == "output_optimizer") spec.output_optimizer = optimizer(line);
      else if (key == "threads") line >> threads;
      else if (!key.empty()) throw std::runtime_error("config.txt: unknown key " + key);
    }
    const int L = spec.net.num_layers();
    NetworkParams p;
    for (int l = 0; l < L; ++l) {
      p.W.push_back(matrix(read_npy(dir + "/W" + std::to_string(l) + ".npy")));
      p.b.push_back(matrix(read_npy(dir + "/b" + std::to_string(l) + ".npy")).col(0));
    }
    const Eigen::MatrixXd X = matrix(read_npy(dir + "/X.npy")).transpose();  // N × n_0 on disk
    const Npy labels = read_npy(dir + "/labels.npy");
    const Npy order = read_npy(dir + "/order.npy");  // steps × B
    const long steps = order.shape.at(0), B = order.shape.at(1);
    EigenSerial serial(threads);
    NetworkLearner learner(spec, p, serial.threads());
    Eigen::MatrixXd Xb(X.rows(), B), T(spec.net.layers.back(), B);
    for (long s = 0; s < steps; ++s) {
      T.setZero();
      for (long c = 0; c < B; ++c) {
        const long q = order.i8[s * B + c];
        Xb.col(c) = X.col(q);
        T(labels.i8[q], c) = 1.0;
      }
      if (!learner.step(Xb, T)) throw std::runtime_error("step " + std::to_string(s) + " diverged");
    }
    for (int l = 0; l < L; ++l) {
      write_npy(dir + "/W" + std::to_string(l) + "_out.npy", learner.network().params().W[l], false);
      write_npy(dir + "/b" + std::to_string(l) + "_out.npy", learner.network().params().b[l], true);
    }
  } catch (const std::exception& e) {
    std::cerr << "hds_network_peer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
