// Experiment YAML: defaults, overrides, and one clear line for every kind of bad input.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
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
  CHECK(load_error(kBase + "patterns: 0\n") == "FILE:4: key 'patterns' must be in 1..100000000, got 0");
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

TEST_CASE("whole numbers are checked as 64 bits before they are narrowed: 2^32 + 1 is not 1") {
  CHECK(load_error(kBase + "repetitions: 4294967297\n") ==
        "FILE:4: key 'repetitions' must be in 1..100000, got 4294967297");
  CHECK(load_error(kBase + "patterns: 4294967306\n") == "FILE:4: key 'patterns' must be in 1..100000000, got 4294967306");
  CHECK(load_error("name: t\ninputs: {dataset: rand, dim: 4294967297}\ntargets: rand\n") ==
        "FILE:2: key 'inputs.dim' must be in 1..1000000, got 4294967297");
  CHECK(load_error(kBase + "protocol: multi_epoch\nepochs: 4294967297\n") ==
        "FILE:5: key 'epochs' must be in 1..1000000, got 4294967297");
  CHECK(load_error(kBase + "last_n: 4294967297\n") == "FILE:4: key 'last_n' must be in 1..100000000, got 4294967297");
  CHECK(load_error(kBase + "init: {name: from, file: r.h5, repetition: 4294967296}\n") ==
        "FILE:4: key 'init.repetition' must be in -1..99999, got 4294967296");
  CHECK(load_error(kBase + "patterns: 99999999999999999999999\n") ==
        "FILE:4: key 'patterns': expected a whole number, got '99999999999999999999999'");
  // The same through --set.
  CHECK(load_error(kBase, {"patterns=4294967306"}) ==
        "--set patterns=4294967306: key 'patterns' must be in 1..100000000, got 4294967306");
  CHECK(load_error(kBase, {"repetitions=4294967297"}) ==
        "--set repetitions=4294967297: key 'repetitions' must be in 1..100000, got 4294967297");
  CHECK(load_error(kBase, {"inputs.dim=4294967297"}) ==
        "--set inputs.dim=4294967297: key 'inputs.dim' must be in 1..1000000, got 4294967297");
}

TEST_CASE("diverged_error must keep a diverged run from winning: finite and >= 1") {
  CHECK(load_error(kBase + "diverged_error: -5\n") ==
        "FILE:4: key 'diverged_error' must be >= 1 (the largest error of an output in [0, 1] against a target in "
        "[0, 1]), so that a diverged run never beats one that trained; got -5");
  CHECK(load_error(kBase + "diverged_error: 0.5\n").find("key 'diverged_error' must be >= 1") != std::string::npos);
  CHECK(load_error(kBase + "diverged_error: 1\n") == "");
  CHECK(load_error(kBase + "diverged_error: 1e6\n") == "");
}

TEST_CASE("a run that would not fit in memory is refused before it starts, saying how much it needs") {
  // 10 repetitions x 10^6 x 10^6 error-matrix entries: 74 TiB.
  const std::string big = load_error(kBase + "patterns: 1000000\nstore: [error_matrix]\n");
  CHECK(big.rfind("FILE: this run would need ", 0) == 0);
  CHECK(big.find(" GiB") != std::string::npos);
  CHECK(big.find("more than the") != std::string::npos);
  // 10^8 patterns of 10^6 dimensions.
  CHECK(load_error("name: t\ninputs: {dataset: rand, dim: 1000000}\ntargets: rand\npatterns: 100000000\n")
            .find("would need ") != std::string::npos);
  CHECK(load_error(kBase + "patterns: 1000\nstore: [error_matrix]\n") == "");
}

TEST_CASE("validate() checks a configuration built in code, naming the key and the value") {
  const std::string path = write_temp(kBase);
  const cfg::ExperimentConfig good = cfg::load_experiment(path, {});
  std::remove(path.c_str());
  auto error_of = [](const cfg::ExperimentConfig& c) {
    try {
      cfg::validate(c, "CTX");
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error_of(good) == "");
  cfg::ExperimentConfig c = good;
  c.train.eta = std::nan("");
  CHECK(error_of(c) == "CTX: key 'eta' (learning rate) must be a finite number > 0, got nan");
  c = good;
  c.train.eta = std::numeric_limits<double>::infinity();
  CHECK(error_of(c) == "CTX: key 'eta' (learning rate) must be a finite number > 0, got inf");
  c = good;
  c.train.weight_decay = std::nan("");
  CHECK(error_of(c) == "CTX: key 'weight_decay' must be in [0, 1), got nan");
  c = good;
  c.train.act.alpha = 0.5;  // sigmoid
  CHECK(error_of(c) == "CTX: key 'activation.alpha': sigmoid has no parameter alpha");
  c = good;
  c.train.act = Activation::make(ActivationKind::scaled_tanh);
  c.train.act.alpha = 0;
  CHECK(error_of(c) == "CTX: key 'activation.alpha' must be > 0 for scaled_tanh, got 0");
  c.train.act.alpha = std::nan("");
  CHECK(error_of(c) == "CTX: key 'activation.alpha' must be a finite number, got nan");
  c = good;
  c.train.act = Activation::make(ActivationKind::leaky_rectifier);
  c.train.act.alpha = std::numeric_limits<double>::infinity();
  CHECK(error_of(c) == "CTX: key 'activation.alpha' must be a finite number, got inf");
  c = good;
  c.train.protocol = Protocol::multi_epoch;
  c.train.epochs = 2000000;
  CHECK(error_of(c) == "CTX: key 'epochs' must be in 1..1000000, got 2000000");
  c = good;
  c.train.diverged_error = -5;
  CHECK(error_of(c).rfind("CTX: key 'diverged_error' must be >= 1", 0) == 0);
}

namespace {
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Every field the YAML carries, compared exactly (doubles bit for bit).
void check_same(const cfg::ExperimentConfig& a, const cfg::ExperimentConfig& b) {
  CHECK(a.name == b.name);
  CHECK(a.description == b.description);
  for (const auto* pair : {&a.inputs, &a.targets}) {
    const data::SourceSpec& x = *pair;
    const data::SourceSpec& y = pair == &a.inputs ? b.inputs : b.targets;
    // Only the fields of the named set are used (and written).
    CHECK(x.name == y.name);
    const bool generated = x.name == "rand" || x.name == "randn", real = !generated && x.name != "npy" && x.name != "csv";
    if (generated) CHECK(x.dim == y.dim);
    if (x.name == "rand") CHECK(same_bits(x.p, y.p));
    if (x.name == "randn") CHECK((same_bits(x.mean, y.mean) && same_bits(x.sd, y.sd)));
    if (!generated && !real) CHECK(x.file == y.file);
    if (real) CHECK((x.split == y.split && x.data_dir == y.data_dir));
    if (x.name == "cifar")
      for (int i = 0; i < 3; ++i) CHECK(same_bits(x.gray[i], y.gray[i]));
  }
  CHECK(a.patterns == b.patterns);
  const TrainSpec &s = a.train, &t = b.train;
  CHECK(s.rule == t.rule);
  CHECK(s.act.kind == t.act.kind);
  CHECK(same_bits(s.act.alpha, t.act.alpha));
  CHECK(same_bits(s.act.lambda, t.act.lambda));
  CHECK(same_bits(s.eta, t.eta));
  CHECK(same_bits(s.weight_decay, t.weight_decay));
  CHECK(s.centering == t.centering);
  CHECK(s.learn_bias == t.learn_bias);
  CHECK(s.protocol == t.protocol);
  CHECK(s.epochs == t.epochs);
  CHECK(s.reshuffle == t.reshuffle);
  CHECK(s.last_n == t.last_n);
  CHECK(s.error_matrix == t.error_matrix);
  CHECK(same_bits(s.diverged_error, t.diverged_error));
  CHECK(s.engine == t.engine);
  CHECK(a.init.kind == b.init.kind);
  CHECK(same_bits(a.init.sigma, b.init.sigma));
  CHECK(a.init.file == b.init.file);
  CHECK(a.init.repetition == b.init.repetition);
  CHECK(a.repetitions == b.repetitions);
  CHECK(a.seed == b.seed);
  CHECK(a.store_patterns == b.store_patterns);
  CHECK(a.store_weights == b.store_weights);
  CHECK(a.output == b.output);
}

cfg::ExperimentConfig reread(const cfg::ExperimentConfig& c) {
  const std::string path = write_temp(cfg::to_yaml(c));
  const cfg::ExperimentConfig back = cfg::load_experiment(path, {});
  std::remove(path.c_str());
  return back;
}
}  // namespace

TEST_CASE("to_yaml round-trips every value exactly: alpha 0, lambda 0, tiny and huge doubles, the largest seed") {
  const std::string path = write_temp(kBase);
  const cfg::ExperimentConfig base = cfg::load_experiment(path, {});
  std::remove(path.c_str());

  cfg::ExperimentConfig c = base;
  c.train.act = Activation::make(ActivationKind::leaky_rectifier);
  c.train.act.alpha = 0;  // was dropped, and read back as the default 0.01
  check_same(c, reread(c));
  CHECK(reread(c).train.act.alpha == 0.0);

  c = base;
  c.train.act = Activation::make(ActivationKind::exponential_linear);
  c.train.act.alpha = 0;
  check_same(c, reread(c));

  c = base;
  c.train.act = Activation::make(ActivationKind::selu);
  c.train.act.alpha = 0;
  c.train.act.lambda = 0;
  check_same(c, reread(c));

  c = base;
  c.train.act = Activation::make(ActivationKind::scaled_tanh);
  c.train.act.alpha = 4.9406564584124654e-324;  // the smallest positive double
  c.train.eta = 1.7976931348623157e308;           // the largest
  c.train.weight_decay = 0.99999999999999989;     // the largest below 1
  c.train.diverged_error = 1e300;
  c.inputs.p = 2.2250738585072014e-308;
  c.targets = c.inputs;
  c.targets.name = "randn";
  c.targets.mean = -0.1 - 0.2;  // 0.30000000000000004, not 0.3
  c.targets.sd = 1e-310;
  c.init.kind = InitKind::normal;
  c.init.sigma = 1.0 / 3.0;
  c.seed = std::numeric_limits<uint64_t>::max();
  c.patterns = 100000;
  c.train.last_n = 99999;
  c.repetitions = 7;
  c.description = "a: b # not a comment";
  c.name = "-5";
  check_same(c, reread(c));

  c = base;
  c.init.kind = InitKind::from;
  c.init.file = "results/with space: and colon.h5";
  c.init.repetition = 99999;
  c.repetitions = 100000;
  c.train.protocol = Protocol::multi_epoch;
  c.train.epochs = 1000000;
  c.train.reshuffle = true;
  check_same(c, reread(c));

  c = base;
  c.inputs.name = "cifar";
  c.inputs.split = "test";
  c.inputs.gray = {1e-300, 0.1 + 0.2, 5e300};
  c.inputs.data_dir = "/data dir/'quoted'";
  c.targets.name = "csv";
  c.targets.file = "- a list? no: a file.csv";
  c.train.act = Activation::make(ActivationKind::selu);
  c.train.act.alpha = 1e-320;
  c.train.act.lambda = 123456789.123456789;
  check_same(c, reread(c));
}
