// Sweep YAML: every grid point is checked like an experiment, and sizes are bounded, before any run.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "tools/lib/config.hpp"
#include "tools/lib/sweep.hpp"

using namespace hds;

namespace {

std::string write_temp(const std::string& text) {
  static int counter = 0;
  const std::string path = "/tmp/hds_test_sweep_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".yaml";
  std::ofstream(path) << text;
  return path;
}

// The message of the UserError that loading the sweep `text` throws ("" when it loads), the
// temporary file's name replaced by FILE.
std::string sweep_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  const std::string path = write_temp(text);
  std::string msg;
  try {
    sweep::load_sweep(path, overrides);
  } catch (const UserError& e) {
    msg = e.what();
    for (size_t at; (at = msg.find(path)) != std::string::npos;) msg.replace(at, path.size(), "FILE");
  }
  std::remove(path.c_str());
  return msg;
}

const std::string kBase =
    "name: s\n"
    "base:\n"
    "  inputs: {dataset: rand, dim: 20}\n"
    "  targets: {dataset: rand, dim: 10}\n"
    "  patterns: 30\n"
    "  repetitions: 2\n";

}  // namespace

TEST_CASE("a tuned value is checked like the experiment's own key, naming the file, axis, value and cell") {
  CHECK(sweep_error(kBase + "tune:\n  eta: {linspace: [.nan, 1, 3]}\n") ==
        "FILE: tuned axis 'eta' value nan in cell 'all': key 'eta' (learning rate) must be a finite number > 0, got nan");
  // -1e308 .. 1e308 steps through infinity.
  CHECK(sweep_error(kBase + "tune:\n  eta: {linspace: [-1.0e308, 1.0e308, 3]}\n") ==
        "FILE: tuned axis 'eta' value -1e+308 in cell 'all': key 'eta' (learning rate) must be > 0, got -1e+308");
  CHECK(sweep_error(kBase + "tune:\n  eta: {linspace: [1.0e308, 1.7e308, 3]}\n") == "");
  CHECK(sweep_error(kBase + "tune:\n  eta: {logspace: [1.0e-3, .inf, 3]}\n") ==
        "FILE: tuned axis 'eta' value inf in cell 'all': key 'eta' (learning rate) must be a finite number > 0, got inf");
  CHECK(sweep_error(kBase + "tune:\n  weight_decay: {linspace: [0, .nan, 3]}\n") ==
        "FILE: tuned axis 'weight_decay' value nan in cell 'all': key 'weight_decay' must be in [0, 1), got nan");
  CHECK(sweep_error(kBase + "  activation: leaky_rectifier\ntune:\n  activation.alpha: {linspace: [.nan, 1, 2]}\n") ==
        "FILE: tuned axis 'activation.alpha' value nan in cell 'all': key 'activation.alpha' must be a finite number, "
        "got nan");
  CHECK(sweep_error(kBase + "  activation: scaled_tanh\ntune:\n  activation.alpha: [1, -1]\n") ==
        "FILE: tuned axis 'activation.alpha' value -1 in cell 'all': key 'activation.alpha' must be > 0 for "
        "scaled_tanh, got -1");
  // The cell names which cell: only the scaled_tanh one is wrong.
  CHECK(sweep_error(kBase + "cells:\n  activation: [leaky_rectifier, scaled_tanh]\ntune:\n  activation.alpha: [0, 1]\n") ==
        "FILE: tuned axis 'activation.alpha' value 0 in cell 'activation=scaled_tanh': key 'activation.alpha' must be "
        "> 0 for scaled_tanh, got 0");
}

TEST_CASE("alpha or lambda tuned for an activation without one is refused, naming the cell") {
  CHECK(sweep_error(kBase + "tune:\n  activation.alpha: [0, 0.1]\n") ==
        "FILE: tuned axis 'activation.alpha': cell 'all' uses sigmoid, which has no parameter alpha");
  CHECK(sweep_error(kBase + "cells:\n  activation: [selu, exponential_linear]\ntune:\n  activation.lambda: [1, 2]\n") ==
        "FILE: tuned axis 'activation.lambda': cell 'activation=exponential_linear' uses exponential_linear, which "
        "has no parameter lambda");
}

TEST_CASE("tuned epochs are whole numbers in the experiment's range, checked before they are narrowed") {
  const std::string multi = kBase + "  protocol: multi_epoch\n";
  CHECK(sweep_error(multi + "tune:\n  epochs: [1, 3000000000]\n") ==
        "FILE:9: tuned axis 'epochs': values must be whole numbers in 1..1000000, got 3000000000");
  CHECK(sweep_error(multi + "tune:\n  epochs: {linspace: [1000, 3.0e9, 3]}\n") ==
        "FILE:9: tuned axis 'epochs': values must be whole numbers in 1..1000000, got 1500000500");
  CHECK(sweep_error(multi + "tune:\n  epochs: [1, 2.5]\n") ==
        "FILE:9: tuned axis 'epochs': values must be whole numbers in 1..1000000, got 2.5");
  CHECK(sweep_error(multi + "tune:\n  epochs: [1, 5, 10]\n") == "");
}

TEST_CASE("grid sizes are counted in 64 bits and bounded before anything is allocated") {
  // 50,000 x 50,000 = 2.5e9 points overflowed an int.
  CHECK(sweep_error(kBase + "tune:\n  eta: {linspace: [0.1, 1, 50000]}\n  weight_decay: {linspace: [0, 0.5, 50000]}\n") ==
        "FILE: the grid has 2500000000 points (eta 50000 x weight_decay 50000), more than the limit of 1000000");
  // A count of 1e11 allocated until memory ran out.
  CHECK(sweep_error(kBase + "tune:\n  eta: {logspace: [1.0e-4, 1, 100000000000]}\n") ==
        "FILE:8: tuned axis 'eta': count must be in 1..1000000, got 100000000000");
  CHECK(sweep_error(kBase + "tune:\n  eta: {logspace: [1.0e-4, 1, 0]}\n") ==
        "FILE:8: tuned axis 'eta': count must be in 1..1000000, got 0");
  // 64 axes of two values: 2^64 cells wrapped to 0 in size_t.
  std::string many = kBase + "cells:\n";
  for (int i = 0; i < 64; ++i) many += "  a" + std::to_string(i) + ": {zip: {seed: [1, 2]}}\n";
  CHECK(sweep_error(many).find("cells is too many (limit 100000)") != std::string::npos);
  CHECK(sweep_error(kBase + "tune:\n  eta: {linspace: [0.1, 1, 1000]}\n  weight_decay: {linspace: [0, 0.5, 1000]}\n") ==
        "");
}

TEST_CASE("a sweep whose results would not fit in memory is refused at load, saying how much it needs") {
  // 10^6 grid points x 10^5 repetitions x 30 patterns of curves: 22 TiB.
  const std::string head = "name: s\nbase:\n  inputs: {dataset: rand, dim: 20}\n  targets: {dataset: rand, dim: 10}\n";
  const std::string msg = sweep_error(head + "  patterns: 30\n  repetitions: 100000\ntune:\n  eta: {linspace: [0.1, 1, 1000]}\n"
                                              "  weight_decay: {linspace: [0, 0.5, 1000]}\n");
  INFO(msg);
  CHECK(msg.rfind("FILE: this sweep would need ", 0) == 0);
  CHECK(msg.find(" GiB") != std::string::npos);
  // The winners' error matrices of 10,000 cells: 10 x 1000 x 1000 each, 745 GiB in all (one cell: 76 MiB).
  std::string seeds;
  for (int i = 1; i <= 100; ++i) seeds += (i > 1 ? ", " : "") + std::to_string(i);
  const std::string em = sweep_error(head + "  patterns: 1000\n  repetitions: 10\n  store: [error_matrix]\n"
                                             "cells:\n  seed: [" + seeds + "]\n  eta: [" + seeds + "]\n");
  INFO(em);
  CHECK(em.rfind("FILE: this sweep would need ", 0) == 0);
}

TEST_CASE("output inside base is refused with a pointer to the top level") {
  CHECK(sweep_error(kBase + "  output: results/x.h5\n") ==
        "FILE:7: key 'base.output': a sweep writes one file; put 'output: results/x.h5' at the top level of the sweep "
        "file, not in base");
  CHECK(sweep_error(kBase, {"base.output=y.h5"}) ==
        "--set base.output=y.h5: key 'base.output': a sweep writes one file; put 'output: y.h5' at the top level of "
        "the sweep file, not in base");
  CHECK(sweep_error(kBase + "output: results/x.h5\n") == "");
}

TEST_CASE("duplicate keys are caught in every mapping of a sweep file at load") {
  CHECK(sweep_error(kBase + "tune:\n  eta: [0.1]\n  eta: [0.2]\n") == "FILE:9: duplicate key 'eta' (first on line 8)");
  CHECK(sweep_error(kBase + "cells:\n  rule: [hd]\n  rule: [gd]\n") == "FILE:9: duplicate key 'rule' (first on line 8)");
  CHECK(sweep_error(kBase + "cells:\n  pair: {zip: {rule: [hd], rule: [gd]}}\n") ==
        "FILE:8: duplicate key 'rule' (first on line 8)");
  CHECK(sweep_error(kBase + "tune:\n  eta: {logspace: [0.1, 1, 3], logspace: [1, 2, 3]}\n") ==
        "FILE:8: duplicate key 'logspace' (first on line 8)");
  CHECK(sweep_error(kBase + "  patterns: 40\n") == "FILE:7: duplicate key 'patterns' (first on line 5)");
  CHECK(sweep_error("name: a\n" + kBase) == "FILE:2: duplicate key 'name' (first on line 1)");
}

TEST_CASE("diverged_error below 1 is refused in a sweep's base too") {
  // At the line of the base's key (a cell is a copy of base, which lost the lines: they said 1).
  CHECK(sweep_error(kBase + "  diverged_error: -5\n").find("FILE:7: key 'diverged_error' must be >= 1") == 0);
  CHECK(sweep_error(kBase + "cells:\n  rule: [hd, hebbb]\n").find("FILE:8: key 'rule': unknown value 'hebbb'") == 0);
}

TEST_CASE("a winner's stored configuration reads back to the same experiment, alpha 0 included") {
  const std::string path = write_temp(kBase + "  activation: leaky_rectifier\ntune:\n  activation.alpha: [0, 0.01]\n"
                                              "  eta: [1.0e-300, 0.30000000000000004]\n");
  const sweep::SweepDefinition s = sweep::load_sweep(path, {});
  std::remove(path.c_str());
  REQUIRE(s.grid_size == 4);
  for (int g = 0; g < 4; ++g) {
    const std::vector<double> v = sweep::grid_point(s, g);  // activation.alpha, eta
    const std::string yaml = sweep::apply_grid_point(s, *s.cells[0].experiment, g)->to_yaml("results/x.h5");
    const std::string again = write_temp(yaml);
    const cfg::ExperimentConfig back = cfg::load_experiment(again, {});
    std::remove(again.c_str());
    CHECK(back.train.act.alpha == v[0]);
    CHECK(back.train.eta == v[1]);
    CHECK(back.output == "results/x.h5");
    CHECK(cfg::to_yaml(back) == yaml);
  }
  CHECK(sweep::grid_point(s, 0)[0] == 0.0);
}
