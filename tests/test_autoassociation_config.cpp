// `kind: autoassociation` files: defaults, the resolved YAML reads back, one-line errors naming the line
// and the key, what the drawn data make impossible, the repetitions' data (disjoint held-out patterns,
// patches cut from the images, common random numbers) and the checks of the rules.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "datasets/source.hpp"
#include "datasets_test_util.hpp"
#include "tools/lib/autoassociation_experiment.hpp"
#include "tools/lib/kind.hpp"
#include "tools/lib/sweep.hpp"

using namespace hds;

namespace {

autoexp::AutoExperiment parse_text(const std::string& text, const std::string& file = "a.yaml") {
  const YAML::Node root = YAML::Load(text);
  cfg::YamlContext ctx(file);
  return autoexp::parse_autoassociation(root, ctx);
}

// The message of the UserError that parsing `text` throws ("" when it parses).
std::string error_of(const std::string& text) {
  try {
    parse_text(text);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

const std::string kBase = "kind: autoassociation\ndata: {dataset: randn, dim: 20}\npatterns: 30\nheldout: 10\nhidden: 4\n";

std::string fixture_mnist() { return "{dataset: mnist, data_dir: " + test::fixture_data_dir() + "}"; }

}  // namespace

TEST_CASE("autoassociation: an experiment with only its data gets the documented defaults") {
  const autoexp::AutoExperiment c = parse_text("kind: autoassociation\ndata: {dataset: randn, dim: 20}\n");
  CHECK(c.name == "autoassociation");
  CHECK(c.patterns == 100);
  CHECK(c.heldout == 100);
  CHECK(c.hidden == 10);
  CHECK(c.patch_size == 0);
  CHECK(c.train.rule == AutoRule::hd);
  CHECK(c.train.act.kind == ActivationKind::sigmoid);
  CHECK(c.train.visible == VisibleUnits::linear);
  CHECK(c.train.eta == 0.01);
  CHECK(c.train.weight_decay == 0.0);
  CHECK(c.train.learn_bias);
  CHECK(c.train.learn_visible_bias);
  CHECK(c.train.centering == Centering::dataset);
  CHECK(c.train.hidden_centering == HiddenCentering::none);
  CHECK(c.train.protocol == Protocol::online);
  CHECK(c.train.epochs == 1);
  CHECK(c.train.batch_size == 1);
  CHECK(c.init.kind == InitKind::glorot);
  CHECK(c.repetitions == 1);
  CHECK(c.seed == 1);
  CHECK(!c.check_identities);
  CHECK(!c.check_jacobian);
  CHECK(!c.store_weights);
  CHECK(c.output == "results/autoassociation.h5");
}

TEST_CASE("autoassociation: the resolved YAML reads back to the same configuration, doubles to the last bit") {
  const std::string text =
      "kind: autoassociation\nname: x\ndescription: d\ndata: {dataset: mnist, split: test}\npatches: {size: 7}\n"
      "patterns: 40\nheldout: 9\nhidden: 5\nrule: gd_encoder\nactivation: {name: leaky_rectifier, alpha: 0.3}\n"
      "visible: sigmoid\neta: 0.1\nweight_decay: 0.001\nlearn_bias: false\nlearn_visible_bias: false\n"
      "centering: running\nhidden_centering: running\nprotocol: multi_epoch\nepochs: 7\nbatch_size: 3\n"
      "reshuffle: true\ninit: {name: normal, sigma: 0.02}\nrepetitions: 3\nseed: 12345678901234\n"
      "checks: [identities, jacobian]\nstore: [weights]\noutput: out.h5\n";
  const autoexp::AutoExperiment a = parse_text(text);
  const std::string yaml = autoexp::to_yaml(a);
  const autoexp::AutoExperiment b = parse_text(yaml);
  CHECK(autoexp::to_yaml(b) == yaml);
  CHECK(b.patch_size == 7);
  CHECK(b.train.rule == AutoRule::gd_encoder);
  CHECK(b.train.act.alpha == 0.3);
  CHECK(b.train.eta == 0.1);
  CHECK(b.train.weight_decay == 0.001);
  CHECK(b.train.hidden_centering == HiddenCentering::running);
  CHECK(b.train.reshuffle);
  CHECK(b.init.sigma == 0.02);
  CHECK(b.seed == 12345678901234ULL);
  CHECK(b.check_identities);
  CHECK(b.check_jacobian);
  CHECK(b.store_weights);
  CHECK(b.data.split == "test");
  // 0.1 + 0.2 is not 0.3: the shortest text that reads back exactly.
  const autoexp::AutoExperiment c = parse_text(kBase + "eta: 0.30000000000000004\n");
  CHECK(parse_text(autoexp::to_yaml(c)).train.eta == 0.1 + 0.2);
}

TEST_CASE("autoassociation: bad input is one line naming the file, the line and the key") {
  CHECK(error_of(kBase + "rule: foo\n") ==
        "a.yaml:6: key 'rule': unknown value 'foo' (expected one of hd | hd_sanger | gd | gd_decoder | gd_encoder | "
        "oja | sanger | cd1 | cd1_clamped)");
  CHECK(error_of("kind: autoassociation\ndata: {dataset: randn, dim: 20}\nhidden: 21\n") ==
        "a.yaml:3: key 'hidden': k = 21 hidden units exceeds the input dimension 20; tied weights need k <= 20, "
        "lower 'hidden'");
  CHECK(error_of("kind: autoassociation\ndata: {dataset: mnist}\npatches: {size: 4}\nhidden: 17\n") ==
        "a.yaml:4: key 'hidden': k = 17 hidden units exceeds the input dimension 16; tied weights need k <= 16, "
        "lower 'hidden'");
  CHECK(error_of(kBase + "activation: linear\nhidden_centering: running\n").find(
            "a.yaml:7: key 'hidden_centering': 'running' with a linear activation only repeats the input centering") == 0);
  // The rule's line when the activation is not written.
  CHECK(error_of(kBase + "rule: oja\n").find("a.yaml:6: key 'activation': rule 'oja' is the linear classic") == 0);
  CHECK(error_of(kBase + "rule: sanger\nactivation: linear\nvisible: sigmoid\n").find(
            "a.yaml:8: key 'visible': rule 'sanger' needs linear visible units") == 0);
  CHECK(error_of(kBase + "rule: hd_sanger\nvisible: sigmoid\n").find("a.yaml:7: key 'visible': rule 'hd_sanger'") == 0);
  CHECK(error_of(kBase + "batch_size: 5\n") ==
        "a.yaml:6: key 'batch_size': the online protocol presents one pattern per step, got 5; use batch_size 1 or "
        "protocol multi_epoch");
  CHECK(error_of(kBase + "epochs: 5\n").find("a.yaml:6: key 'epochs': 5 epochs need 'protocol: multi_epoch'") == 0);
  CHECK(error_of(kBase + "reshuffle: true\n") == "a.yaml:6: key 'reshuffle' needs 'protocol: multi_epoch'");
  CHECK(error_of(kBase + "eta: 0\n") == "a.yaml:6: key 'eta' (learning rate) must be a finite number > 0, got 0");
  CHECK(error_of(kBase + "weight_decay: 1\n") == "a.yaml:6: key 'weight_decay' must be in [0, 1), got 1");
  CHECK(error_of(kBase + "patches: {size: 4}\n") ==
        "a.yaml:6: key 'patches': patches are cut from images (mnist, cifar), not from randn; remove 'patches'");
  CHECK(error_of("kind: autoassociation\ndata: cifar\npatches: {size: 33}\n") ==
        "a.yaml:3: key 'patches.size' must be in 1..32 (the side of a cifar image), got 33");
  CHECK(error_of(kBase + "patches: 4\n") == "a.yaml:6: key 'patches': expected a mapping of keys, got '4'");
  CHECK(error_of("kind: autoassociation\ndata: rand\nheldout: 0\n").find("a.yaml:3: key 'heldout' must be in 1..") == 0);
  CHECK(error_of(kBase + "init: {name: from, file: r.h5}\n").find("a.yaml:6: key 'init': 'from' is not available") == 0);
  CHECK(error_of(kBase + "checks: [everything]\n") ==
        "a.yaml:6: key 'checks': unknown check 'everything' (expected identities, jacobian)");
  CHECK(error_of("kind: autoassociation\ndata: mnist\nhidden: 4\nchecks: [jacobian]\n") ==
        "a.yaml:4: key 'checks': the jacobian check needs n_in x hidden <= 2500 (here 784 x 4 = 3136); use patches "
        "or fewer hidden units");
  CHECK(error_of(kBase + "store: [patterns]\n") ==
        "a.yaml:6: key 'store': an autoassociation run stores only 'weights', got 'patterns'");
  CHECK(error_of(kBase + "lr: 0.1\n") == "a.yaml:6: unknown key 'lr' (did you mean 'eta'?)");
  CHECK(error_of("kind: autoassociation\n").find("a.yaml: missing key 'data'") == 0);
}

TEST_CASE("autoassociation: what the drawn data make impossible names the file and the key") {
  const std::string dir = test::fixture_data_dir();
  test::TempDir tmp;
  const std::string csv = (tmp.path / "d.csv").string();
  std::ofstream(csv) << "0.5,1.5,0.2\n0.1,0.2,0.3\n0.3,0.3,0.3\n0.4,-0.5,0.1\n";
  const auto prepare = [&](const std::string& text) {
    std::string msg;
    try {
      const autoexp::AutoExperiment c = parse_text(text);
      const auto pool = autoexp::open_pool(c);
      autoexp::prepare_repetition(c, *pool, 0);
    } catch (const UserError& e) {
      msg = e.what();
    }
    return msg;
  };
  const std::string source = "kind: autoassociation\ndata: {dataset: csv, file: " + csv + ", range: [-1, 2]}\n";
  CHECK(prepare(source + "patterns: 3\nheldout: 1\nhidden: 4\n").find("a.yaml: key 'hidden': k = 4 hidden units "
                                                                      "exceeds the input dimension 3") == 0);
  CHECK(prepare(source + "patterns: 3\nheldout: 1\nhidden: 2\nvisible: sigmoid\n")
            .find("a.yaml: key 'visible': sigmoid visible units reconstruct values in [0, 1], but the data") == 0);
  CHECK(prepare(source + "patterns: 3\nheldout: 2\nhidden: 2\n").find("a.yaml: key 'patterns': ") == 0);
  CHECK(prepare(source + "patterns: 3\nheldout: 1\nhidden: 2\n") == "");
  CHECK(prepare("kind: autoassociation\ndata: " + fixture_mnist() + "\npatterns: 250\nheldout: 51\n")
            .find("has 300 patterns, but patterns + heldout = 250 + 51 = 301 disjoint ones were asked for") !=
        std::string::npos);
}

TEST_CASE("autoassociation: held-out patterns are disjoint from the training ones; patches are windows of the images; "
          "repetitions are fixed functions of (seed, r)") {
  const autoexp::AutoExperiment whole =
      parse_text("kind: autoassociation\ndata: " + fixture_mnist() + "\npatterns: 200\nheldout: 100\nhidden: 3\n");
  const auto pool = autoexp::open_pool(whole);
  const autoexp::Repetition rep = autoexp::prepare_repetition(whole, *pool, 1);
  REQUIRE(rep.train.cols() == 200);
  REQUIRE(rep.heldout.cols() == 100);
  // The 300 fixture images drawn without replacement: every pattern once.
  std::set<std::vector<double>> seen;
  for (const Eigen::MatrixXd* X : {&rep.train, &rep.heldout})
    for (Eigen::Index p = 0; p < X->cols(); ++p) seen.insert(std::vector<double>(X->col(p).data(), X->col(p).data() + 784));
  CHECK(seen.size() == 300);
  CHECK(rep.seed == derive_seed(1, {1}));
  CHECK(rep.initial.W.rows() == 784);
  CHECK(rep.initial.W.cols() == 3);
  CHECK(rep.initial.b.isZero());
  CHECK(rep.principal.cols() == 3);
  const autoexp::Repetition again = autoexp::prepare_repetition(whole, *pool, 1);
  CHECK(again.train == rep.train);
  CHECK(again.initial.W == rep.initial.W);
  CHECK(autoexp::prepare_repetition(whole, *pool, 2).train != rep.train);

  autoexp::AutoExperiment patched = whole;
  patched.patch_size = 5;
  const autoexp::Repetition p = autoexp::prepare_repetition(patched, *pool, 1);
  REQUIRE(p.train.rows() == 25);
  // Patch j comes from image j of the same draw: it is one of that image's 5 x 5 windows.
  for (Eigen::Index j = 0; j < 20; ++j) {
    const Eigen::Map<const Eigen::Matrix<double, 28, 28, Eigen::RowMajor>> image(rep.train.col(j).data());
    bool found = false;
    for (int top = 0; top <= 23 && !found; ++top)
      for (int left = 0; left <= 23 && !found; ++left) {
        Eigen::Matrix<double, 5, 5, Eigen::RowMajor> w = image.block<5, 5>(top, left);
        found = Eigen::Map<const Eigen::VectorXd>(w.data(), 25) == p.train.col(j);
      }
    CHECK_MESSAGE(found, "patch " << j << " is not a window of its image");
  }
}

TEST_CASE("autoassociation: the checks find the identities of the rules and a symmetric Jacobian only for gd") {
  autoexp::AutoExperiment c = parse_text(
      "kind: autoassociation\ndata: {dataset: randn, dim: 8, sd: 0.3}\npatterns: 30\nheldout: 10\nhidden: 3\n"
      "checks: [identities, jacobian]\n");
  c.train.protocol = Protocol::multi_epoch;
  c.train.epochs = 5;
  c.train.eta = 0.05;
  const autoexp::AutoRunResult r = autoexp::run_autoassociation(c, 1);
  std::map<std::string, double> v;
  for (const auto& ch : r.checks) v[ch.name] = ch.value;
  CHECK(v.at("hd_update_max_abs") > 1e-3);
  CHECK(v.at("cd1_clamped_minus_hd") <= 1e-12);
  CHECK(v.at("gd_decoder_minus_hd") <= 1e-12);
  CHECK(v.at("gd_minus_decoder_encoder") <= 1e-12);
  CHECK(v.at("linear_hd_minus_oja") <= 1e-12);
  CHECK(v.at("linear_hd_sanger_minus_sanger") <= 1e-12);
  CHECK(v.at("cd1_hd_angle") > 1e-3);
  CHECK(v.at("encoder_share") > 1e-3);
  CHECK(v.at("jacobian_asymmetry_gd") < 1e-6);
  CHECK(v.at("jacobian_asymmetry_hd") > 1e-2);
  CHECK(v.count("jacobian_max_real_eigenvalue") == 1);
  // With sigmoid visible units hd drops σ′ too: no longer gd's decoder term.
  autoexp::AutoExperiment s = c;
  s.check_jacobian = false;
  s.train.visible = VisibleUnits::sigmoid;
  s.data.mean = 0.5;
  std::map<std::string, double> w;
  for (const auto& ch : autoexp::run_autoassociation(s, 1).checks) w[ch.name] = ch.value;
  CHECK(w.at("gd_decoder_minus_hd") > 1e-3);
  CHECK(w.at("cd1_clamped_minus_hd") <= 1e-12);
}

TEST_CASE("autoassociation: a diverged run scores the finite worst value; the score is the last held-out MSE") {
  autoexp::AutoExperiment c = parse_text(kBase + "activation: linear\neta: 1e30\nrepetitions: 2\n");
  const autoexp::AutoRunResult r = autoexp::run_autoassociation(c, 2);
  CHECK(r.n_diverged == 2);
  CHECK(r.scores == std::vector<double>{autoexp::kWorstScore, autoexp::kWorstScore});
  CHECK(std::isfinite(r.score_mean));
  c.train.eta = 0.01;
  const autoexp::AutoRunResult ok = autoexp::run_autoassociation(c, 1);
  CHECK(ok.n_diverged == 0);
  CHECK(ok.scores[1] == ok.runs[1].epochs.back().m.heldout_mse);
}

TEST_CASE("autoassociation: a sweep's tuned values are checked like the file's keys, and it refuses what it cannot do") {
  const auto sweep_error = [](const std::string& text) {
    const std::string path = "/tmp/hds_test_autosweep_" + std::to_string(::getpid()) + ".yaml";
    std::ofstream(path) << text;
    std::string msg;
    try {
      sweep::load_sweep(path, {});
    } catch (const UserError& e) {
      msg = e.what();
      for (size_t at; (at = msg.find(path)) != std::string::npos;) msg.replace(at, path.size(), "FILE");
    }
    std::remove(path.c_str());
    return msg;
  };
  const std::string base = "name: s\nbase:\n  kind: autoassociation\n  data: {dataset: randn, dim: 10}\n  patterns: 20\n"
                           "  heldout: 5\n  hidden: 2\n";
  CHECK(sweep_error(base + "tune:\n  eta: [0.1, -1]\n") ==
        "FILE: tuned axis 'eta' value -1 in cell 'all': key 'eta' (learning rate) must be a finite number > 0, got -1");
  CHECK(sweep_error(base + "tune:\n  batch_size: [2]\n") ==
        "FILE: tuning 'batch_size' needs 'protocol: multi_epoch' in base (cell all)");
  CHECK(sweep_error(base + "  protocol: multi_epoch\ntune:\n  batch_size: [2, 2.5]\n") ==
        "FILE:10: tuned axis 'batch_size': values must be whole numbers in 1..1000000, got 2.5");
  CHECK(sweep_error(base + "  store: [weights]\n").find("a sweep stores no weights") != std::string::npos);
  CHECK(sweep_error(base + "  checks: [identities]\n").find("a sweep computes no checks") != std::string::npos);
  CHECK(sweep_error(base + "tune:\n  lr: [0.1]\n").find("unknown tuned axis 'lr' (tunable in kind autoassociation: "
                                                        "eta, weight_decay, epochs, batch_size") != std::string::npos);
  CHECK(sweep_error(base + "  protocol: multi_epoch\ncells:\n  rule: [hd, gd]\ntune:\n  eta: [0.1]\n  epochs: [1, 2]\n") == "");
}
