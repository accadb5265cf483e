// The toy studies: study 2's hand-computed Hebb weights and which rules store the patterns; study 1's
// first update by hand, step lengths, and hd ending lower and straighter than gd; one-line YAML errors.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "tools/lib/studies.hpp"

using namespace hds;

namespace {

std::string src(const std::string& rel) { return std::string(HDS_SOURCE_DIR) + "/" + rel; }

std::string load_error(const std::string& text) {
  const std::string path = "/tmp/hds_test_studies_" + std::to_string(::getpid()) + ".yaml";
  std::ofstream(path) << text;
  std::string msg;
  try {
    study::load_study(path);
  } catch (const UserError& e) {
    msg = e.what();
    if (msg.rfind(path, 0) == 0) msg = "FILE" + msg.substr(path.size());
  }
  std::remove(path.c_str());
  return msg;
}

double sigmoid(double a) { return 1.0 / (1.0 + std::exp(-a)); }

}  // namespace

TEST_CASE("study 2: one centered Hebb pass gives the hand-computed W; cov equals hebb; hd stores the targets") {
  study::StudyConfig c = study::load_study(src("experiments/study2_where_hebb_fails.yaml"));
  c.hebb.epochs = 1;
  c.hebb.normalise.clear();
  auto res = study::run_where_hebb_fails(c.hebb, c.act);
  REQUIRE(res.size() == 3);
  // μ = (0.75, 0.5); W = η Σ x̃ tᵀ = 10 [[0.75, −0.25], [−0.5, −0.5]].
  Eigen::MatrixXd expect(2, 2);
  expect << 7.5, -2.5, -5.0, -5.0;
  CHECK((res[0].W - expect).norm() < 1e-12);
  CHECK((res[1].W - expect).norm() < 1e-12);

  c = study::load_study(src("experiments/study2_where_hebb_fails.yaml"));
  res = study::run_where_hebb_fails(c.hebb, c.act);
  const Eigen::MatrixXd& T = c.hebb.T;
  for (const auto& s : res) {
    const double worst = (s.outputs - T).cwiseAbs().maxCoeff();
    if (s.rule == Rule::hd) {
      CHECK(worst < 0.1);
      CHECK_FALSE(s.normalised);
    } else {
      // The slide's printout: (0,0), (0,0), (1,1), (1,1) after rescaling to norm 100.
      CHECK(s.normalised);
      CHECK(s.W.norm() == doctest::Approx(100.0));
      CHECK(worst > 0.99);
      Eigen::MatrixXd slide(4, 2);
      slide << 0, 0, 0, 0, 1, 1, 1, 1;
      CHECK((s.outputs - slide).cwiseAbs().maxCoeff() < 0.005);
    }
  }
  // Without centering Hebb's W is non-negative: every output is at least 0.5.
  c.hebb.centering = study::Centering::none;
  res = study::run_where_hebb_fails(c.hebb, c.act);
  CHECK(res[0].outputs.minCoeff() >= 0.5);
}

TEST_CASE("study 1: the first update by hand, constant steps of the set length, hd lower and straighter than gd") {
  const study::StudyConfig c = study::load_study(src("experiments/study1_toy_paths.yaml"));
  const auto paths = study::run_toy_paths(c.toy, c.act);
  REQUIRE(paths.size() == 4);
  const study::ToyPath* find[2][2] = {};
  for (const auto& p : paths) find[p.mode == "constant"][p.rule == Rule::gd] = &p;

  // hd, natural: θ₁ = θ₀ + η Σ_p (t_p − h_p)(x_p, 1) from (w1, w2, b) = (−3, 3, −2).
  const double h1 = sigmoid(-3 - 2), h2 = sigmoid(3 - 2), h3 = sigmoid(-3 + 3 - 2);
  const double eta = c.toy.natural_eta.at(Rule::hd);
  const Eigen::RowVector3d step(-h1 + (1 - h3), -h2 + (1 - h3), -h1 - h2 + (1 - h3));
  CHECK((find[0][0]->theta.row(1) - (Eigen::RowVector3d(-3, 3, -2) + eta * step)).norm() < 1e-12);
  CHECK(find[0][0]->loss[0] == doctest::Approx(0.5 * (h1 * h1 + h2 * h2 + (1 - h3) * (1 - h3))));

  for (int k = 1; k <= c.toy.updates; ++k)
    CHECK((find[1][0]->theta.row(k) - find[1][0]->theta.row(k - 1)).norm() == doctest::Approx(0.2));
  for (int mode = 0; mode < 2; ++mode) {
    CHECK(find[mode][0]->loss.back() < find[mode][1]->loss.back());
    CHECK(find[mode][0]->directness() > find[mode][1]->directness());
    CHECK(find[mode][0]->loss.back() < find[mode][0]->loss.front() / 40);
  }
}

TEST_CASE("study files: errors name the file, the line and the key") {
  const std::string base = "study: where_hebb_fails\ninputs: [[0, 1], [1, 1]]\ntargets: [[0, 1], [1, 0]]\n";
  CHECK(load_error(base + "epoch: 3\n") == "FILE:4: unknown key 'epoch' in a where_hebb_fails study (did you mean 'epochs'?)");
  CHECK(load_error(base + "eta: -1\n") == "FILE:4: key 'eta': expected a positive learning rate");
  CHECK(load_error("study: toy\n").find("FILE:1: key 'study': unknown value 'toy'") == 0);
  CHECK(load_error("study: where_hebb_fails\ninputs: [[0, 1], [1]]\ntargets: [[0], [1]]\n") ==
        "FILE:2: key 'inputs': row 2 has 1 values, the first row 2");
  CHECK(load_error("study: toy_paths\ninputs: [[1, 0]]\ntargets: [[0]]\nnatural_eta: {hd: 1}\n"
                   "constant_step: {hd: 1, gd: 1}\n") == "FILE:4: key 'natural_eta': no value for rule 'gd' (listed in rules)");
  CHECK(load_error("study: toy_paths\ninputs: [[1, 0]]\ntargets: [[0]]\nstart: [1, 2]\n")
            .find("FILE:4: key 'start': expected [w1, …, w2, b]") == 0);
}
