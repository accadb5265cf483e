// The C++ side of the numpy oracle test (tests/oracle/autoassociation.py): reads a run's settings, data
// and initial parameters from a directory of plain-text files, trains with train_autoassociation and
// writes the final parameters and every measure as plain text (17 significant digits).
//
// usage: hds_autoassociation_driver DIR
//   reads  DIR/config.txt (one "key value" per line), X.txt (training patterns, one per row),
//          heldout.txt (one per row; may be empty), W0.txt (n_in rows × k), b0.txt (k), c0.txt (n_in)
//   writes DIR/W.txt, b.txt, c.txt, mu.txt, lambda.txt, pattern_mse.txt, hidden_mean.txt (epochs × k),
//          angles.txt (epochs × k), epochs.txt (per epoch: train_mse heldout_mse dW_norm hidden_spread
//          max_angle updates), initial.txt (train_mse heldout_mse hidden_spread max_angle),
//          diverged.txt (diverged step, -1 if none)
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/autoassociation.hpp"

using namespace hds;

namespace {

// Whitespace-separated numbers, one matrix row per non-empty line.
Eigen::MatrixXd read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<std::vector<double>> rows;
  for (std::string line; std::getline(in, line);) {
    std::istringstream s(line);
    std::vector<double> row;
    for (double v; s >> v;) row.push_back(v);
    if (!row.empty()) rows.push_back(row);
  }
  if (rows.empty()) return Eigen::MatrixXd(0, 0);
  Eigen::MatrixXd m(rows.size(), rows[0].size());
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != rows[0].size()) throw std::runtime_error(path + ": ragged rows");
    for (size_t j = 0; j < rows[i].size(); ++j) m(i, j) = rows[i][j];
  }
  return m;
}

Eigen::VectorXd read_vector(const std::string& path) {
  const Eigen::MatrixXd m = read_text(path);
  return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size());
}

void write_text(const std::string& path, const Eigen::MatrixXd& m) {
  std::ofstream out(path);
  out << std::setprecision(17);
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) out << (j ? " " : "") << m(i, j);
    out << "\n";
  }
  if (!out) throw std::runtime_error(path + ": cannot write");
}

bool flag(const std::string& v) {
  if (v == "1" || v == "true") return true;
  if (v == "0" || v == "false") return false;
  throw std::runtime_error("not a flag: " + v);
}

AutoSpec read_spec(const std::string& path) {
  std::ifstream cfg(path);
  if (!cfg) throw std::runtime_error(path + ": cannot open");
  AutoSpec spec;
  for (std::string text; std::getline(cfg, text);) {
    std::istringstream line(text);
    std::string key, v;
    line >> key >> v;
    if (key.empty()) continue;
    bool known = true;
    if (key == "rule") known = auto_rule_from_name(v, spec.rule);
    else if (key == "activation") {
      ActivationKind k;
      known = activation_from_name(v, k);
      spec.act = Activation::make(k);
    } else if (key == "visible") known = visible_units_from_name(v, spec.visible);
    else if (key == "centering") known = centering_from_name(v, spec.centering);
    else if (key == "hidden_centering") known = hidden_centering_from_name(v, spec.hidden_centering);
    else if (key == "protocol") {
      if (v == "online") spec.protocol = Protocol::online;
      else if (v == "multi_epoch") spec.protocol = Protocol::multi_epoch;
      else known = false;
    } else if (key == "eta") spec.eta = std::stod(v);
    else if (key == "weight_decay") spec.weight_decay = std::stod(v);
    else if (key == "epochs") spec.epochs = std::stoi(v);
    else if (key == "batch_size") spec.batch_size = std::stoi(v);
    else if (key == "learn_bias") spec.learn_bias = flag(v);
    else if (key == "learn_visible_bias") spec.learn_visible_bias = flag(v);
    else throw std::runtime_error("config.txt: unknown key " + key);
    if (!known) throw std::runtime_error("config.txt: unknown " + key + " '" + v + "'");
  }
  return spec;
}

Eigen::MatrixXd rows_of(const std::vector<AutoEpoch>& epochs, bool angles) {
  const Eigen::Index k = epochs.empty() ? 0 : epochs[0].m.angles.size();
  Eigen::MatrixXd m(epochs.size(), k);
  for (size_t e = 0; e < epochs.size(); ++e)
    m.row(e) = (angles ? epochs[e].m.angles : epochs[e].m.hidden_mean).transpose();
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: hds_autoassociation_driver DIR\n";
    return 2;
  }
  try {
    const std::string dir = argv[1];
    const AutoSpec spec = read_spec(dir + "/config.txt");
    const Eigen::MatrixXd X = read_text(dir + "/X.txt").transpose();  // patterns as columns
    Eigen::MatrixXd H = read_text(dir + "/heldout.txt").transpose();
    if (H.size() == 0) H.resize(X.rows(), 0);
    AutoParams initial;
    initial.W = read_text(dir + "/W0.txt");
    initial.b = read_vector(dir + "/b0.txt");
    initial.c = read_vector(dir + "/c0.txt");
    const AutoResult r = train_autoassociation(spec, X, H, initial, 0);

    write_text(dir + "/W.txt", r.params.W);
    write_text(dir + "/b.txt", r.params.b);
    write_text(dir + "/c.txt", r.params.c);
    write_text(dir + "/mu.txt", r.offsets.mu);
    write_text(dir + "/lambda.txt", r.offsets.lambda);
    write_text(dir + "/pattern_mse.txt", r.pattern_mse);
    write_text(dir + "/hidden_mean.txt", rows_of(r.epochs, false));
    write_text(dir + "/angles.txt", rows_of(r.epochs, true));
    Eigen::MatrixXd ep(r.epochs.size(), 6);
    for (size_t e = 0; e < r.epochs.size(); ++e) {
      const AutoEpoch& x = r.epochs[e];
      ep.row(e) << x.m.train_mse, x.m.heldout_mse, x.dW_norm, x.m.hidden_spread, x.m.max_angle,
          static_cast<double>(x.updates);
    }
    write_text(dir + "/epochs.txt", ep);
    Eigen::MatrixXd init(1, 4);
    init << r.initial.train_mse, r.initial.heldout_mse, r.initial.hidden_spread, r.initial.max_angle;
    write_text(dir + "/initial.txt", init);
    write_text(dir + "/diverged.txt", Eigen::MatrixXd::Constant(1, 1, static_cast<double>(r.diverged_step)));
  } catch (const std::exception& e) {
    std::cerr << "hds_autoassociation_driver: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
