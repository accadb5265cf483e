// The `kind: autoassociation` experiment (see autoassociation_experiment.hpp).
#include "tools/lib/autoassociation_experiment.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <thread>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/principal_angles.hpp"
#include "core/rng.hpp"
#include "tools/lib/config.hpp"
#include "tools/lib/experiment.hpp"
#include "tools/lib/output_path.hpp"
#include "tools/lib/provenance.hpp"

namespace hds::autoexp {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

const char* kMemoryHint = "lower 'patterns', 'heldout', 'hidden', 'repetitions' or 'epochs'";

bool linear_classic(AutoRule r) { return r == AutoRule::oja || r == AutoRule::sanger; }

// Sets `out` to the node of a dotted key below root ("patches.size"); false when it is not written.
bool find_node(const YAML::Node& root, const std::string& key, YAML::Node& out) {
  YAML::Node node;
  node.reset(root);
  for (size_t pos = 0; pos != std::string::npos;) {
    const size_t dot = key.find('.', pos);
    const std::string part = key.substr(pos, dot == std::string::npos ? dot : dot - pos);
    pos = dot == std::string::npos ? dot : dot + 1;
    const YAML::Node& here = node;  // const access: a missing key is not inserted
    if (!here.IsMap() || !here[part].IsDefined()) return false;
    node.reset(here[part]);
  }
  out.reset(node);
  return true;
}

// The node a message about `key` points at: the first of "a|b|…" that is written in the file, or an
// undefined node (the file as a whole). validate() names the key of its message first, then the keys
// the check also depends on ("activation|rule").
YAML::Node node_at(const YAML::Node& root, const std::string& key) {
  for (size_t pos = 0; !key.empty() && pos != std::string::npos;) {
    const size_t bar = key.find('|', pos);
    YAML::Node node;
    if (find_node(root, key.substr(pos, bar == std::string::npos ? bar : bar - pos), node)) return node;
    pos = bar == std::string::npos ? bar : bar + 1;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

std::string num(double x) { return fmt::format("{}", x); }

// Row-major copy of a column-major matrix, for HDF5's C order.
void append_row_major(std::vector<double>& out, const MatrixXd& m) {
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) out.push_back(m(i, j));
}

void append(std::vector<double>& out, const VectorXd& v) { out.insert(out.end(), v.data(), v.data() + v.size()); }

// The angle (radians) between two matrices as vectors; NaN when one is zero.
double angle(const MatrixXd& a, const MatrixXd& b) {
  const double na = a.norm(), nb = b.norm();
  if (!(na > 0) || !(nb > 0)) return std::nan("");
  return std::acos(std::clamp(a.cwiseProduct(b).sum() / (na * nb), -1.0, 1.0));
}

AutoSpec with_rule(AutoSpec s, AutoRule r) {
  s.rule = r;
  return s;
}

}  // namespace

const std::vector<std::string>& autoassociation_keys() {
  static const std::vector<std::string> keys = {
      "kind",     "name",       "description", "data",          "patterns",           "heldout",   "patches",
      "hidden",   "rule",       "activation",  "visible",       "eta",                "weight_decay",
      "learn_bias", "learn_visible_bias", "centering", "hidden_centering", "protocol", "epochs", "batch_size",
      "reshuffle", "init",      "repetitions", "seed",          "checks",             "store",     "output"};
  return keys;
}

int image_side(const AutoExperiment& c) {
  if (c.patch_size > 0) return c.patch_size;
  if (c.data.name == "mnist") return 28;
  if (c.data.name == "cifar") return 32;
  return 0;
}

int known_dim(const AutoExperiment& c) {
  if (c.patch_size > 0) return c.patch_size * c.patch_size;
  const data::SourceSpec& s = c.data;
  if (s.name == "rand" || s.name == "randn") return s.dim;
  if (s.name == "mnist") return 784;
  if (s.name == "cifar") return 1024;
  if (s.name == "connect") return 126;
  if (s.name == "adult") return 123;
  return 0;
}

double result_bytes(const AutoExperiment& c) {
  const double E = c.train.protocol == Protocol::online ? 1 : c.train.epochs, k = c.hidden, n = known_dim(c);
  return 8.0 * (E * (7 + 2 * k) + c.patterns + 2 * k + 8) + (c.store_weights ? 8.0 * n * (3 * k + 3) : 8.0 * n * k);
}

double data_bytes(const AutoExperiment& c) {
  const double n = known_dim(c);
  return 8.0 * n * (static_cast<double>(c.patterns) + c.heldout + 3.0 * c.hidden);
}

void validate(const AutoExperiment& c, const std::function<void(const std::string&, const std::string&)>& fail) {
  cfg::validate_source(c.data, "data", fail);
  if (c.patterns < 1 || c.patterns > cfg::kMaxPatterns)
    fail("patterns", fmt::format("key 'patterns' must be in 1..{}, got {}", cfg::kMaxPatterns, c.patterns));
  if (c.heldout < 1 || c.heldout > cfg::kMaxPatterns)
    fail("heldout", fmt::format("key 'heldout' must be in 1..{} (the score is the held-out reconstruction error), "
                                "got {}", cfg::kMaxPatterns, c.heldout));
  if (c.patch_size != 0) {
    if (c.data.name != "mnist" && c.data.name != "cifar")
      fail("patches", fmt::format("key 'patches': patches are cut from images (mnist, cifar), not from {}; remove "
                                  "'patches'", c.data.name));
    const int side = c.data.name == "mnist" ? 28 : 32;
    if (c.patch_size < 1 || c.patch_size > side)
      fail("patches.size", fmt::format("key 'patches.size' must be in 1..{} (the side of a {} image), got {}", side,
                                       c.data.name, c.patch_size));
  }
  const int n = known_dim(c);
  if (c.hidden < 1 || c.hidden > cfg::kMaxDim)
    fail("hidden", fmt::format("key 'hidden' must be in 1..{}, got {}", cfg::kMaxDim, c.hidden));
  if (n > 0 && c.hidden > n)
    fail("hidden|data", fmt::format("key 'hidden': k = {} hidden units exceeds the input dimension {}; tied weights need "
                               "k <= {}, lower 'hidden'", c.hidden, n, n));
  const AutoSpec& t = c.train;
  cfg::validate_activation(t.act, "activation", fail);
  if (!std::isfinite(t.eta) || !(t.eta > 0))
    fail("eta", fmt::format("key 'eta' (learning rate) must be a finite number > 0, got {}", t.eta));
  if (!(t.weight_decay >= 0 && t.weight_decay < 1))
    fail("weight_decay", fmt::format("key 'weight_decay' must be in [0, 1), got {}", t.weight_decay));
  if (t.epochs < 1 || t.epochs > cfg::kMaxEpochs)
    fail("epochs", fmt::format("key 'epochs' must be in 1..{}, got {}", cfg::kMaxEpochs, t.epochs));
  if (t.batch_size < 1 || t.batch_size > kMaxBatch)
    fail("batch_size", fmt::format("key 'batch_size' must be in 1..{}, got {}", kMaxBatch, t.batch_size));
  if (t.protocol == Protocol::online) {
    if (t.epochs != 1)
      fail("epochs|protocol", fmt::format("key 'epochs': {} epochs need 'protocol: multi_epoch' (online presents each "
                                 "pattern once)", t.epochs));
    if (t.batch_size != 1)
      fail("batch_size|protocol", fmt::format("key 'batch_size': the online protocol presents one pattern per step, got {}; "
                                     "use batch_size 1 or protocol multi_epoch", t.batch_size));
    if (t.reshuffle) fail("reshuffle", "key 'reshuffle' needs 'protocol: multi_epoch'");
  }
  const bool linear_act = t.act.kind == ActivationKind::linear;
  if (t.hidden_centering == HiddenCentering::running && linear_act)
    fail("hidden_centering|activation", "key 'hidden_centering': 'running' with a linear activation only repeats the input "
                             "centering (h - mean h = W^T (x - mean x)); use hidden_centering: none and centering: "
                             "running");
  const std::string rule = auto_rule_name(t.rule);
  if (linear_classic(t.rule)) {
    const std::string nonlinear = t.rule == AutoRule::oja ? "hd" : "hd_sanger";
    if (!linear_act)
      fail("activation|rule", fmt::format("key 'activation': rule '{}' is the linear classic (y = W^T x~), got '{}'; use "
                                     "activation: linear, or rule '{}' for its non-linear form", rule, t.act.name(),
                                     nonlinear));
    if (t.visible != VisibleUnits::linear)
      fail("visible|rule", fmt::format("key 'visible': rule '{}' needs linear visible units; use visible: linear", rule));
    if (t.hidden_centering != HiddenCentering::none)
      fail("hidden_centering|rule", fmt::format("key 'hidden_centering': rule '{}' has no hidden offset; use "
                                           "hidden_centering: none", rule));
  }
  if (t.rule == AutoRule::hd_sanger && t.visible != VisibleUnits::linear)
    fail("visible|rule", "key 'visible': rule 'hd_sanger' is defined for linear visible units; use visible: linear or "
                    "rule 'hd'");
  if (c.init.kind == InitKind::from)
    fail("init", "key 'init': 'from' is not available for kind autoassociation; use glorot, zero or {name: normal, "
                 "sigma: 0.01}");
  if (!(c.init.sigma >= 0 && std::isfinite(c.init.sigma)))
    fail("init.sigma", fmt::format("key 'init.sigma' must be >= 0, got {}", c.init.sigma));
  if (c.check_jacobian && n > 0 && static_cast<long>(n) * c.hidden > kMaxJacobianSize)
    fail("checks", fmt::format("key 'checks': the jacobian check needs n_in x hidden <= {} (here {} x {} = {}); use "
                               "patches or fewer hidden units", kMaxJacobianSize, n, c.hidden,
                               static_cast<long>(n) * c.hidden));
  if (c.repetitions < 1 || c.repetitions > cfg::kMaxRepetitions)
    fail("repetitions", fmt::format("key 'repetitions' must be in 1..{}, got {}", cfg::kMaxRepetitions, c.repetitions));
  // What `hds run` holds at once: every repetition's result, the data of the repetitions in training.
  static const double threads = std::max(1.0, static_cast<double>(std::thread::hardware_concurrency()));
  const double bytes = c.repetitions * result_bytes(c) + std::min<double>(c.repetitions, threads) * data_bytes(c);
  if (const std::string problem = cfg::memory_problem(bytes, "run", kMemoryHint); !problem.empty()) fail("", problem);
}

AutoExperiment parse_autoassociation(const YAML::Node& root, const cfg::YamlContext& ctx) {
  ctx.check_keys(root, autoassociation_keys(), "");
  AutoExperiment c;
  c.name = ctx.get_string(root, "name", c.name);
  c.description = ctx.get_string(root, "description", "");
  c.data = cfg::parse_source(root["data"], "data", ctx);
  c.patterns = ctx.get_int_in(root, "patterns", c.patterns, 1, cfg::kMaxPatterns, "patterns");
  c.heldout = ctx.get_int_in(root, "heldout", c.heldout, 1, cfg::kMaxPatterns, "heldout");
  if (const YAML::Node p = root["patches"]; p.IsDefined() && !p.IsNull()) {
    ctx.require_map(p, "patches");
    ctx.check_keys(p, {"size"}, "patches");
    if (!p["size"].IsDefined()) ctx.fail(p, "key 'patches': missing 'size' (e.g. patches: {size: 8})");
    c.patch_size = ctx.get_int_in(p, "size", 0, 1, 1024, "patches.size");
  }
  c.hidden = ctx.get_int_in(root, "hidden", c.hidden, 1, cfg::kMaxDim, "hidden");

  AutoSpec& t = c.train;
  auto_rule_from_name(ctx.get_choice(root, "rule", "hd", auto_rule_names()), t.rule);
  if (root["activation"].IsDefined()) t.act = cfg::read_activation(root["activation"], ctx, "activation");
  visible_units_from_name(ctx.get_choice(root, "visible", "linear", {"linear", "sigmoid"}), t.visible);
  t.eta = ctx.get_double(root, "eta", 0.01);
  t.weight_decay = ctx.get_double(root, "weight_decay", 0.0);
  t.learn_bias = ctx.get_bool(root, "learn_bias", true);
  t.learn_visible_bias = ctx.get_bool(root, "learn_visible_bias", true);
  centering_from_name(ctx.get_choice(root, "centering", "dataset", {"none", "dataset", "running"}), t.centering);
  hidden_centering_from_name(ctx.get_choice(root, "hidden_centering", "none", {"none", "running"}),
                             t.hidden_centering);
  t.protocol = ctx.get_choice(root, "protocol", "online", {"online", "multi_epoch"}) == "online"
                   ? Protocol::online
                   : Protocol::multi_epoch;
  t.epochs = ctx.get_int_in(root, "epochs", 1, 1, cfg::kMaxEpochs, "epochs");
  t.batch_size = ctx.get_int_in(root, "batch_size", 1, 1, kMaxBatch, "batch_size");
  t.reshuffle = ctx.get_bool(root, "reshuffle", false);
  if (root["init"].IsDefined()) c.init = cfg::parse_init(root["init"], ctx);
  c.repetitions = ctx.get_int_in(root, "repetitions", 1, 1, cfg::kMaxRepetitions, "repetitions");
  c.seed = ctx.get_uint64(root, "seed", 1);
  for (const auto& s : ctx.get_string_list(root, "checks")) {
    if (s == "identities") c.check_identities = true;
    else if (s == "jacobian") c.check_jacobian = true;
    else ctx.fail(root["checks"], fmt::format("key 'checks': unknown check '{}' (expected identities, jacobian)", s));
  }
  for (const auto& s : ctx.get_string_list(root, "store")) {
    if (s != "weights")
      ctx.fail(root["store"], fmt::format("key 'store': an autoassociation run stores only 'weights', got '{}'", s));
    c.store_weights = true;
  }
  c.output = ctx.get_string(root, "output", "results/" + c.name + ".h5");
  c.config_file = ctx.file();
  validate(c, [&](const std::string& key, const std::string& message) { ctx.fail(node_at(root, key), message); });
  return c;
}

std::string to_yaml(const AutoExperiment& c) {
  const AutoSpec& t = c.train;
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "kind" << YAML::Value << "autoassociation";
  e << YAML::Key << "name" << YAML::Value << c.name;
  if (!c.description.empty()) e << YAML::Key << "description" << YAML::Value << c.description;
  e << YAML::Key << "data" << YAML::Value;
  cfg::emit_source(e, c.data);
  e << YAML::Key << "patterns" << YAML::Value << c.patterns;
  e << YAML::Key << "heldout" << YAML::Value << c.heldout;
  if (c.patch_size > 0)
    e << YAML::Key << "patches" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "size" << YAML::Value
      << c.patch_size << YAML::EndMap;
  e << YAML::Key << "hidden" << YAML::Value << c.hidden;
  e << YAML::Key << "rule" << YAML::Value << auto_rule_name(t.rule);
  e << YAML::Key << "activation" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value
    << t.act.name();
  if (cfg::has_alpha(t.act.kind)) e << YAML::Key << "alpha" << YAML::Value << num(t.act.alpha);
  if (cfg::has_lambda(t.act.kind)) e << YAML::Key << "lambda" << YAML::Value << num(t.act.lambda);
  e << YAML::EndMap;
  e << YAML::Key << "visible" << YAML::Value << visible_units_name(t.visible);
  e << YAML::Key << "eta" << YAML::Value << num(t.eta);
  e << YAML::Key << "weight_decay" << YAML::Value << num(t.weight_decay);
  e << YAML::Key << "learn_bias" << YAML::Value << t.learn_bias;
  e << YAML::Key << "learn_visible_bias" << YAML::Value << t.learn_visible_bias;
  e << YAML::Key << "centering" << YAML::Value << centering_name(t.centering);
  e << YAML::Key << "hidden_centering" << YAML::Value << hidden_centering_name(t.hidden_centering);
  e << YAML::Key << "protocol" << YAML::Value << (t.protocol == Protocol::online ? "online" : "multi_epoch");
  e << YAML::Key << "epochs" << YAML::Value << t.epochs;
  e << YAML::Key << "batch_size" << YAML::Value << t.batch_size;
  e << YAML::Key << "reshuffle" << YAML::Value << t.reshuffle;
  e << YAML::Key << "init" << YAML::Value;
  cfg::emit_init(e, c.init);
  e << YAML::Key << "repetitions" << YAML::Value << c.repetitions;
  e << YAML::Key << "seed" << YAML::Value << c.seed;
  std::vector<std::string> checks;
  if (c.check_identities) checks.push_back("identities");
  if (c.check_jacobian) checks.push_back("jacobian");
  e << YAML::Key << "checks" << YAML::Value << YAML::Flow << checks;
  e << YAML::Key << "store" << YAML::Value << YAML::Flow
    << (c.store_weights ? std::vector<std::string>{"weights"} : std::vector<std::string>{});
  e << YAML::Key << "output" << YAML::Value << c.output;
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

std::shared_ptr<const data::PatternPool> open_pool(const AutoExperiment& c) {
  std::shared_ptr<const data::PatternPool> pool = data::open_source(c.data);
  const long wanted = static_cast<long>(c.patterns) + c.heldout;
  if (pool->count() >= 0 && pool->count() < wanted)
    throw UserError(fmt::format("{}: key 'patterns': {} has {} patterns, but patterns + heldout = {} + {} = {} "
                                "disjoint ones were asked for; lower 'patterns' or 'heldout'",
                                c.config_file, pool->describe(), pool->count(), c.patterns, c.heldout, wanted));
  const int side = c.data.name == "mnist" ? 28 : 32;
  if (c.patch_size > 0 && pool->dim() != side * side)
    throw UserError(fmt::format("{}: key 'patches': {} has {} values per pattern, not the {} x {} image patches are "
                                "cut from", c.config_file, pool->describe(), pool->dim(), side, side));
  return pool;
}

Repetition prepare_repetition(const AutoExperiment& c, const data::PatternPool& pool, int r) {
  Repetition rep;
  rep.seed = derive_seed(c.seed, {static_cast<uint64_t>(r)});
  const int N = c.patterns, M = c.heldout;
  MatrixXd all = pool.draw(N + M, derive_seed(rep.seed, {kInputs}));
  if (c.patch_size > 0) {
    // Patch p: a size × size window of image p at a seeded position (pixels row-major, as the images).
    const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(all.rows())))), s = c.patch_size;
    Rng rng(derive_seed(rep.seed, {kInputs, 1}));
    MatrixXd patches(s * s, all.cols());
    for (Eigen::Index p = 0; p < all.cols(); ++p) {
      const int top = static_cast<int>(rng.below(side - s + 1)), left = static_cast<int>(rng.below(side - s + 1));
      for (int i = 0; i < s; ++i)
        for (int j = 0; j < s; ++j) patches(i * s + j, p) = all((top + i) * side + left + j, p);
    }
    all = std::move(patches);
  }
  rep.train = all.leftCols(N);
  rep.heldout = all.rightCols(M);
  const int n = static_cast<int>(all.rows()), k = c.hidden;
  const std::string& file = c.config_file;
  if (k > n)
    throw UserError(fmt::format("{}: key 'hidden': k = {} hidden units exceeds the input dimension {} of {}; tied "
                                "weights need k <= {}, lower 'hidden'", file, k, n, pool.describe(), n));
  if (c.check_jacobian && static_cast<long>(n) * k > kMaxJacobianSize)
    throw UserError(fmt::format("{}: key 'checks': the jacobian check needs n_in x hidden <= {} (here {} x {} = {}); "
                                "use patches or fewer hidden units", file, kMaxJacobianSize, n, k,
                                static_cast<long>(n) * k));
  if (c.train.visible == VisibleUnits::sigmoid)
    for (const MatrixXd* X : {&rep.train, &rep.heldout})
      for (Eigen::Index p = 0; p < X->cols(); ++p)
        for (Eigen::Index i = 0; i < n; ++i)
          if (const double v = (*X)(i, p); !(v >= 0.0 && v <= 1.0))
            throw UserError(fmt::format("{}: key 'visible': sigmoid visible units reconstruct values in [0, 1], but "
                                        "the data ({}) hold {} (dimension {}); use visible: linear, or data in [0, 1]",
                                        file, pool.describe(), v, i));
  init_weights(c.init, n, k, derive_seed(rep.seed, {kInit}), rep.initial.W, rep.initial.b);
  rep.initial.c = VectorXd::Zero(n);
  try {
    check_autoassociation(c.train, rep.train, rep.heldout, rep.initial);
  } catch (const UserError& e) {
    throw UserError(fmt::format("{}: {}", file, e.what()));
  }
  rep.principal = principal_subspace(rep.train, k);
  return rep;
}

double score_of(const AutoResult& r) {
  if (r.diverged || r.epochs.empty()) return kWorstScore;
  const double v = r.epochs.back().m.heldout_mse;
  return std::isfinite(v) && v <= kWorstScore ? v : kWorstScore;
}

std::vector<Check> rule_checks(const AutoExperiment& c, const AutoParams& state, const AutoOffsets& offsets,
                               const MatrixXd& X) {
  std::vector<Check> out;
  const AutoSpec& s = c.train;
  const auto field = [&](AutoRule r) { return auto_mean_field(with_rule(s, r), state, offsets, X); };
  if (c.check_identities) {
    // The linear classics' model: φ = identity, b = 0, λ = 0, linear visible units, the same W and μ.
    AutoSpec lin = s;
    lin.act = Activation::make(ActivationKind::linear);
    lin.visible = VisibleUnits::linear;
    lin.hidden_centering = HiddenCentering::none;
    AutoParams lin_state = state;
    lin_state.b.setZero();
    AutoOffsets lin_offsets = offsets;
    lin_offsets.lambda.setZero();
    double cd1c = 0, dec = 0, parts = 0, oja = 0, sanger = 0, scale = 0;
    for (Eigen::Index p = 0; p < X.cols(); ++p) {
      const auto x = X.col(p);
      const auto dw = [&](AutoRule r) { return auto_update(with_rule(s, r), state, offsets, x).dW; };
      const auto dw_lin = [&](AutoRule r) { return auto_update(with_rule(lin, r), lin_state, lin_offsets, x).dW; };
      const MatrixXd hd = dw(AutoRule::hd), decoder = dw(AutoRule::gd_decoder), encoder = dw(AutoRule::gd_encoder);
      scale = std::max(scale, hd.cwiseAbs().maxCoeff());
      cd1c = std::max(cd1c, (dw(AutoRule::cd1_clamped) - hd).cwiseAbs().maxCoeff());
      dec = std::max(dec, (decoder - hd).cwiseAbs().maxCoeff());
      parts = std::max(parts, (dw(AutoRule::gd) - decoder - encoder).cwiseAbs().maxCoeff());
      oja = std::max(oja, (dw_lin(AutoRule::hd) - dw_lin(AutoRule::oja)).cwiseAbs().maxCoeff());
      sanger = std::max(sanger, (dw_lin(AutoRule::hd_sanger) - dw_lin(AutoRule::sanger)).cwiseAbs().maxCoeff());
    }
    const MatrixXd m_hd = field(AutoRule::hd), m_cd1 = field(AutoRule::cd1), m_gd = field(AutoRule::gd),
                   m_enc = field(AutoRule::gd_encoder);
    const double v = X.cols();
    out.push_back({"hd_update_max_abs", scale, "largest |entry| of hd's per-pattern dW (the scale of the differences)"});
    out.push_back({"cd1_clamped_minus_hd", cd1c,
                   "max over patterns and entries of |dW(cd1_clamped) - dW(hd)|: cd1 with the hidden units clamped "
                   "to h(x) in both phases"});
    out.push_back({"cd1_hd_angle", angle(m_cd1, m_hd), "angle (radians) between the mean dW of plain cd1 and of hd"});
    out.push_back({"cd1_hd_relative_difference", (m_cd1 - m_hd).norm() / m_hd.norm(),
                   "|mean dW(cd1) - mean dW(hd)| / |mean dW(hd)| (Frobenius)"});
    out.push_back({"gd_decoder_minus_hd", dec,
                   fmt::format("max |dW(gd_decoder) - dW(hd)| with {} visible units (0 to rounding for linear ones: "
                               "hd is gd's decoder term)", visible_units_name(s.visible))});
    out.push_back({"gd_minus_decoder_encoder", parts, "max |dW(gd) - dW(gd_decoder) - dW(gd_encoder)|"});
    out.push_back({"gd_hd_angle", angle(m_gd, m_hd), "angle (radians) between the mean dW of gd and of hd"});
    out.push_back({"encoder_share", m_enc.norm() / m_gd.norm(),
                   "|mean dW(gd_encoder)| / |mean dW(gd)|: the part of gd that hd leaves out"});
    out.push_back({"linear_hd_minus_oja", oja,
                   "max |dW(hd) - dW(oja)| with phi linear, b = 0, no hidden offset, linear visible units"});
    out.push_back({"linear_hd_sanger_minus_sanger", sanger, "max |dW(hd_sanger) - dW(sanger)|, the same model"});
    out.push_back({"mean_field_norm", field(s.rule).norm(),
                   fmt::format("|mean dW({})| (Frobenius, no weight decay): 0 at a fixed point", auto_rule_name(s.rule))});
    out.push_back({"patterns", v, "training patterns the checks ran over"});
  }
  if (c.check_jacobian) {
    std::vector<AutoRule> rules = {AutoRule::hd, AutoRule::gd};
    if (std::find(rules.begin(), rules.end(), s.rule) == rules.end()) rules.push_back(s.rule);
    for (AutoRule r : rules) {
      const MatrixXd J = auto_mean_field_jacobian(with_rule(s, r), state, offsets, X);
      const std::string name = auto_rule_name(r);
      out.push_back({"jacobian_asymmetry_" + name, (J - J.transpose()).norm() / J.norm(),
                     fmt::format("|J - J^T| / |J| (Frobenius) of the Jacobian of {}'s mean dW field (central "
                                 "differences, step 1e-6); a gradient field has a symmetric one", name)});
      if (r == s.rule) {
        const Eigen::VectorXcd ev = Eigen::EigenSolver<MatrixXd>(J, false).eigenvalues();
        out.push_back({"jacobian_max_real_eigenvalue", ev.real().maxCoeff(),
                       fmt::format("largest real part of the eigenvalues of J for {} (< 0: the state is a stable "
                                   "fixed point of the mean field without weight decay)", name)});
      }
    }
  }
  return out;
}

AutoRunResult run_autoassociation(const AutoExperiment& c, int threads) {
  const auto start = std::chrono::steady_clock::now();
  AutoRunResult res;
  const std::shared_ptr<const data::PatternPool> pool = open_pool(c);
  res.data_description = pool->describe();
  if (c.patch_size > 0) res.data_description += fmt::format(", {0} x {0} patches at seeded positions", c.patch_size);
  res.files = pool->files();
  const int R = c.repetitions;
  res.runs.resize(R);
  res.seeds.resize(R);
  if (c.store_weights) res.W0.resize(R);
  Repetition first;  // repetition 0, for the checks
  std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads > 0 ? threads : omp_get_max_threads())
  for (int r = 0; r < R; ++r) {
    try {
      Repetition rep = prepare_repetition(c, *pool, r);
      res.seeds[r] = rep.seed;
      res.runs[r] = train_autoassociation(c.train, rep.train, rep.heldout, rep.initial, rep.seed, &rep.principal);
      if (c.store_weights) res.W0[r] = rep.initial.W;
      if (r == 0) first = std::move(rep);
    } catch (...) {
#pragma omp critical(hds_autoassociation_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  res.n_in = static_cast<int>(first.train.rows());

  if (c.check_identities || c.check_jacobian) {
    const AutoResult& run = res.runs[0];
    if (!run.diverged) {
      res.checks = rule_checks(c, run.params, run.offsets, first.train);
      res.checks_state = "repetition 0 after training: its final W, b, c, mu and lambda, on its training patterns";
    } else {
      AutoOffsets o;
      o.mu = c.train.centering == Centering::dataset ? VectorXd(first.train.rowwise().mean())
                                                     : VectorXd::Zero(res.n_in);
      o.lambda = VectorXd::Zero(c.hidden);
      res.checks = rule_checks(c, first.initial, o, first.train);
      res.checks_state = "repetition 0 before training (it diverged): W0, b = 0, c = 0, the initial mu, lambda = 0";
    }
  }
  for (const auto& run : res.runs) {
    res.scores.push_back(score_of(run));
    res.n_diverged += run.diverged;
  }
  exp::mean_sd(res.scores, res.score_mean, res.score_sd);
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return res;
}

void write_autoassociation_file(const std::string& path, const AutoExperiment& c, const AutoRunResult& r,
                                bool replace) {
  prov::Provenance p = prov::collect(prov::command_line());
  p.data_files = r.files;
  // The stored configuration must not name this very file: rerunning it would replace what it came from.
  AutoExperiment stored = c;
  stored.output = out::derived_name(path, "_rerun");
  out::write_atomically(path, replace, [&](h5::File& f) {
    prov::write(f, p, "run");
    f.attr("/", "experiment_kind", std::string("autoassociation"));
    f.write_string("/config", to_yaml(stored));
    f.attr("/", "config_file", c.config_file);
    f.attr("/", "name", c.name);
    f.attr("/", "base_seed", static_cast<int64_t>(c.seed));
    f.attr("/", "data", r.data_description);
    f.attr("/", "rule", auto_rule_name(c.train.rule));
    f.attr("/", "activation", c.train.act.name());
    f.attr("/", "visible", visible_units_name(c.train.visible));
    f.attr("/", "protocol", std::string(c.train.protocol == Protocol::online ? "online" : "multi_epoch"));
    f.attr("/", "eta", c.train.eta);
    f.attr("/", "weight_decay", c.train.weight_decay);
    f.attr("/", "hidden", static_cast<int64_t>(c.hidden));
    f.attr("/", "n_in", static_cast<int64_t>(r.n_in));
    f.attr("/", "patterns", static_cast<int64_t>(c.patterns));
    f.attr("/", "heldout", static_cast<int64_t>(c.heldout));
    f.attr("/", "image_side", static_cast<int64_t>(image_side(c)));
    f.attr("/", "score", std::string("heldout_mse"));
    f.attr("/", "score_order", std::string("lower_is_better"));
    f.attr("/", "score_mean", r.score_mean);
    f.attr("/", "score_sd", r.score_sd);
    f.attr("/", "n_diverged", static_cast<int64_t>(r.n_diverged));
    f.attr("/", "seconds", r.seconds);

    const hsize_t R = r.runs.size(), E = R ? r.runs[0].epochs.size() : 0, k = c.hidden, N = c.patterns,
                  n = r.n_in;
    std::vector<uint8_t> div(R);
    std::vector<int64_t> dstep(R), updates(R);
    std::vector<double> per_update(R);
    for (hsize_t i = 0; i < R; ++i) {
      div[i] = r.runs[i].diverged;
      dstep[i] = r.runs[i].diverged_step;
      updates[i] = r.runs[i].updates;
      per_update[i] = r.runs[i].updates > 0 ? r.runs[i].seconds / static_cast<double>(r.runs[i].updates) : std::nan("");
    }
    f.write("/repetition_seeds", {R}, r.seeds.data());
    f.write("/score", {R}, r.scores.data());
    f.write("/diverged", {R}, div.data());
    f.write("/diverged_step", {R}, dstep.data());
    f.write("/updates", {R}, updates.data());
    f.write("/seconds_per_update", {R}, per_update.data());

    const std::vector<std::pair<std::string, std::function<double(const AutoEpoch&)>>> scalars = {
        {"train_mse", [](const AutoEpoch& e) { return e.m.train_mse; }},
        {"heldout_mse", [](const AutoEpoch& e) { return e.m.heldout_mse; }},
        {"dw_norm", [](const AutoEpoch& e) { return e.dW_norm; }},
        {"hidden_spread", [](const AutoEpoch& e) { return e.m.hidden_spread; }},
        {"max_angle", [](const AutoEpoch& e) { return e.m.max_angle; }},
        {"seconds_per_update", [](const AutoEpoch& e) { return e.seconds_per_update; }}};
    for (const auto& [name, get] : scalars) {
      std::vector<double> v;
      for (const auto& run : r.runs)
        for (const auto& e : run.epochs) v.push_back(get(e));
      f.write("/metrics/" + name, {R, E}, v.data());
    }
    std::vector<double> hidden_mean, angles, curve, init_hidden, init_angles;
    std::vector<double> init_train(R), init_held(R), init_spread(R), init_angle(R);
    for (hsize_t i = 0; i < R; ++i) {
      const AutoResult& run = r.runs[i];
      for (const auto& e : run.epochs) {
        append(hidden_mean, e.m.hidden_mean);
        append(angles, e.m.angles);
      }
      append(curve, run.pattern_mse);
      init_train[i] = run.initial.train_mse;
      init_held[i] = run.initial.heldout_mse;
      init_spread[i] = run.initial.hidden_spread;
      init_angle[i] = run.initial.max_angle;
      append(init_hidden, run.initial.hidden_mean);
      append(init_angles, run.initial.angles);
    }
    f.write("/metrics/hidden_mean", {R, E, k}, hidden_mean.data());
    f.write("/metrics/angles", {R, E, k}, angles.data());
    f.write("/forgetting_curve", {R, N}, curve.data());
    f.write("/initial/train_mse", {R}, init_train.data());
    f.write("/initial/heldout_mse", {R}, init_held.data());
    f.write("/initial/hidden_spread", {R}, init_spread.data());
    f.write("/initial/max_angle", {R}, init_angle.data());
    f.write("/initial/hidden_mean", {R, k}, init_hidden.data());
    f.write("/initial/angles", {R, k}, init_angles.data());

    if (c.store_weights && R > 0) {
      std::vector<double> w0, w, b, cv, mu, lambda;
      for (hsize_t i = 0; i < R; ++i) {
        const AutoResult& run = r.runs[i];
        append_row_major(w0, r.W0[i]);
        append_row_major(w, run.params.W);
        append(b, run.params.b);
        append(cv, run.params.c);
        append(mu, run.offsets.mu);
        append(lambda, run.offsets.lambda);
      }
      f.write("/weights/W0", {R, n, k}, w0.data());
      f.write("/weights/W", {R, n, k}, w.data());
      f.write("/weights/b", {R, k}, b.data());
      f.write("/weights/c", {R, n}, cv.data());
      f.write("/weights/mu", {R, n}, mu.data());
      f.write("/weights/lambda", {R, k}, lambda.data());
    }
    if (!r.checks.empty()) {
      std::vector<std::string> names, descriptions;
      std::vector<double> values;
      for (const Check& ch : r.checks) {
        names.push_back(ch.name);
        values.push_back(ch.value);
        descriptions.push_back(ch.description);
      }
      const hsize_t K = names.size();
      f.write_strings("/checks/name", names);
      f.write("/checks/value", {K}, values.data());
      f.write_strings("/checks/description", descriptions);
      f.attr("/checks", "state", r.checks_state);
    }
  });
}

}  // namespace hds::autoexp
