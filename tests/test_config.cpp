// Experiment YAML: defaults, overrides, and one clear line for every kind of bad input.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/error.hpp"
#include "tools/lib/config.hpp"

using namespace hds;

namespace {

std::string write_temp(const std::string& text) {
  static int counter = 0;
  const std::string path = "/tmp/hds_test_config_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".yaml";
  std::ofstream(path) << text;
  return path;
}

// The message of the UserError that loading `text` throws ("" when it loads).
std::string load_error(const std::string& text, const std::vector<std::string>& overrides = {}) {
  const std::string path = write_temp(text);
  try {
    cfg::load_experiment(path, overrides);
  } catch (const UserError& e) {
    std::remove(path.c_str());
    std::string msg = e.what();
    // Drop the temp path so that messages compare on their content.
    if (msg.rfind(path, 0) == 0) msg = "FILE" + msg.substr(path.size());
    return msg;
  }
  std::remove(path.c_str());
  return "";
}

const std::string kBase =
    "name: t\n"
    "inputs: {dataset: rand, dim: 20}\n"
    "targets: {dataset: rand, dim: 10}\n";

}  // namespace

TEST_CASE("an experiment file with only the essentials gets the documented defaults") {
  const std::string path = write_temp(kBase);
  const cfg::ExperimentConfig c = cfg::load_experiment(path, {});
  std::remove(path.c_str());
  CHECK(c.train.rule == Rule::hd);
  CHECK(c.train.act.kind == ActivationKind::sigmoid);
  CHECK(c.train.centering == Centering::dataset);
  CHECK(c.train.learn_bias);
  CHECK(c.repetitions == 10);
  CHECK(c.train.last_n == 20);
  CHECK(c.patterns == 100);
  CHECK(c.init.kind == InitKind::glorot);
  CHECK(c.inputs.dim == 20);
  CHECK(c.targets.dim == 10);
  CHECK(c.output == "results/t.h5");
}

TEST_CASE("the resolved YAML reads back to the same configuration") {
  const std::string path = write_temp(kBase + "rule: oja\nactivation: {name: leaky_rectifier, alpha: 0.2}\neta: 0.3\n"
                                               "weight_decay: 0.01\nprotocol: multi_epoch\nepochs: 3\nstore: [weights]\n");
  const cfg::ExperimentConfig a = cfg::load_experiment(path, {});
  const std::string again = write_temp(cfg::to_yaml(a));
  const cfg::ExperimentConfig b = cfg::load_experiment(again, {});
  std::remove(path.c_str());
  std::remove(again.c_str());
  CHECK(cfg::to_yaml(a) == cfg::to_yaml(b));
  CHECK(b.train.act.alpha == 0.2);
  CHECK(b.train.eta == 0.3);
  CHECK(b.train.epochs == 3);
  CHECK(b.store_weights);
}

TEST_CASE("--set overrides keys, including nested ones") {
  const std::string path = write_temp(kBase + "eta: 0.1\n");
  const cfg::ExperimentConfig c =
      cfg::load_experiment(path, {"eta=0.5", "inputs.dim=7", "activation.name=exponential_linear", "repetitions=2"});
  std::remove(path.c_str());
  CHECK(c.train.eta == 0.5);
  CHECK(c.inputs.dim == 7);
  CHECK(c.train.act.kind == ActivationKind::exponential_linear);
  CHECK(c.train.act.alpha == 1.0);
  CHECK(c.repetitions == 2);
}

TEST_CASE("bad input: each case is one line naming the file, the line, the key, the value and what was expected") {
  CHECK(load_error(kBase + "lr: 0.1\n") == "FILE:4: unknown key 'lr' (did you mean 'eta'?)");
  CHECK(load_error(kBase + "etaa: 0.1\n") == "FILE:4: unknown key 'etaa' (did you mean 'eta'?)");
  CHECK(load_error(kBase + "eta: fast\n") == "FILE:4: key 'eta': expected a finite number, got 'fast'");
  CHECK(load_error(kBase + "eta: -0.1\n") == "FILE:4: key 'eta' (learning rate) must be > 0, got -0.1");
  CHECK(load_error(kBase + "eta: 0\n") == "FILE:4: key 'eta' (learning rate) must be > 0, got 0");
  CHECK(load_error(kBase + "rule: hebbb\n") ==
        "FILE:4: key 'rule': unknown value 'hebbb' (expected one of hd | gd | hebb | cov | oja | instar; did you mean 'hebb'?)");
  CHECK(load_error(kBase + "activation: sigmoidd\n").find("did you mean 'sigmoid'?") != std::string::npos);
  CHECK(load_error(kBase + "patterns: 0\n") == "FILE:4: key 'patterns' must be >= 1, got 0");
  CHECK(load_error(kBase + "repetitions: 2.5\n") == "FILE:4: key 'repetitions': expected a whole number, got '2.5'");
  CHECK(load_error(kBase + "centering: yes\n").find("key 'centering': unknown value 'yes'") != std::string::npos);
  CHECK(load_error(kBase + "learn_bias: maybe\n") == "FILE:4: key 'learn_bias': expected true or false, got 'maybe'");
  CHECK(load_error(kBase + "centering: running\nengine: gram\n") ==
        "FILE:5: key 'engine': gram needs centering none or dataset (here: centering running); use engine: auto");
  CHECK(load_error(kBase + "epochs: 5\n").find("need 'protocol: multi_epoch'") != std::string::npos);
  CHECK(load_error(kBase + "store: [weights, everything]\n").find("key 'store': unknown value 'everything'") != std::string::npos);
  CHECK(load_error(kBase + "activation: {name: sigmoid, alpha: 2}\n") ==
        "FILE:4: key 'activation.alpha': sigmoid has no parameter alpha");
  CHECK(load_error("name: t\ninputs: {dataset: rand, dimm: 20}\ntargets: rand\n").find(
            "FILE:2: unknown key 'dimm' in inputs (dataset rand) (did you mean 'dim'?)") == 0);
  CHECK(load_error("name: t\ninputs: {dataset: npy}\ntargets: rand\n") ==
        "FILE:2: key 'inputs': dataset npy needs 'file: path/to/data.npy'");
  CHECK(load_error("name: t\ninputs: {dataset: mnist, split: tset}\ntargets: rand\n") ==
        "FILE:2: key 'split': unknown value 'tset' (expected one of train | test | all; did you mean 'test'?)");
  CHECK(load_error("name: t\ninputs: {dataset: connect, split: test}\ntargets: rand\n").find(
            "FILE:2: key 'split': unknown value 'test' (expected one of train | all") == 0);
  CHECK(load_error("name: t\ntargets: rand\n") == "FILE: missing key 'inputs' (e.g. 'inputs: {dataset: rand, dim: 200}')");
  CHECK(load_error(kBase + "patterns: 30\nlast_n: 50\n") == "FILE:5: key 'last_n' (50) is larger than 'patterns' (30)");
  CHECK(load_error(kBase + "eta: 0.1\nrule: hd\neta: 0.2\n") == "FILE:6: duplicate key 'eta' (first on line 4)");
  CHECK(load_error(kBase + "eta: [1, 2\n").find("YAML syntax error: end of sequence flow not found") != std::string::npos);
  CHECK(load_error("- just\n- a list\n").find("expected a YAML mapping") != std::string::npos);
}

TEST_CASE("bad overrides name the --set argument") {
  CHECK(load_error(kBase, {"lr=0.1"}) == "--set lr=0.1: unknown key 'lr' (did you mean 'eta'?)");
  CHECK(load_error(kBase, {"eta=-1"}) == "--set eta=-1: key 'eta' (learning rate) must be > 0, got -1");
  CHECK(load_error(kBase, {"eta"}) == "--set eta: expected key=value, e.g. --set eta=0.5");
}

TEST_CASE("a missing experiment file is named") {
  try {
    cfg::load_experiment("/nonexistent/x.yaml", {});
    FAIL("no error");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()) == "/nonexistent/x.yaml: cannot open the file (does it exist? check the path)");
  }
}
