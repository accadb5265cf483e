// Experiment configuration: YAML -> ExperimentConfig with validation, and back to YAML.
#include "tools/lib/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/gram_engine.hpp"
#include "datasets/sampling.hpp"

namespace hds::cfg {

bool has_alpha(ActivationKind k) {
  return k == ActivationKind::leaky_rectifier || k == ActivationKind::exponential_linear ||
         k == ActivationKind::scaled_tanh || k == ActivationKind::selu;
}
bool has_lambda(ActivationKind k) { return k == ActivationKind::selu; }

namespace {

const std::vector<std::string> kSourceNames = {"rand", "randn", "npy", "csv", "mnist", "cifar", "connect", "adult"};
const std::vector<std::string> kStoreNames = {"patterns", "weights", "error_matrix"};

std::vector<std::string> source_keys(const std::string& name) {
  if (name == "rand") return {"dataset", "dim", "p"};
  if (name == "randn") return {"dataset", "dim", "mean", "sd"};
  if (name == "npy" || name == "csv") return {"dataset", "file", "range"};
  if (name == "cifar") return {"dataset", "split", "gray", "data_dir"};
  return {"dataset", "split", "data_dir"};
}

Activation parse_activation(const YAML::Node& node, const YamlContext& ctx) {
  ActivationKind kind = ActivationKind::sigmoid;
  YAML::Node name_node = node;
  if (node.IsMap()) {
    ctx.check_keys(node, {"name", "alpha", "lambda"}, "activation");
    name_node.reset(node["name"]);
    if (!name_node.IsDefined()) ctx.fail(node, "key 'activation': missing 'name' (e.g. {name: leaky_rectifier, alpha: 0.01})");
  }
  activation_from_name(ctx.choice_of(name_node, "activation", activation_names()), kind);
  Activation a = Activation::make(kind);
  if (node.IsMap()) {
    if (node["alpha"].IsDefined() && !has_alpha(kind))
      ctx.fail(node["alpha"], fmt::format("key 'activation.alpha': {} has no parameter alpha", a.name()));
    if (node["lambda"].IsDefined() && !has_lambda(kind))
      ctx.fail(node["lambda"], fmt::format("key 'activation.lambda': only selu has lambda, not {}", a.name()));
    a.alpha = ctx.get_double(node, "alpha", a.alpha);
    a.lambda = ctx.get_double(node, "lambda", a.lambda);
  }
  return a;
}

}  // namespace

data::SourceSpec parse_source(const YAML::Node& node, const std::string& key, const YamlContext& ctx) {
  data::SourceSpec s;
  if (!node.IsDefined() || node.IsNull())
    throw UserError(fmt::format("{}: missing key '{}' (e.g. '{}: {{dataset: rand, dim: 200}}')", ctx.file(), key, key));
  if (node.IsScalar()) {
    s.name = ctx.choice_of(node, key, kSourceNames);
    return s;
  }
  ctx.require_map(node, key);
  if (!node["dataset"].IsDefined())
    ctx.fail(node, fmt::format("key '{}': missing 'dataset' (one of rand, randn, npy, csv, mnist, cifar, connect, adult)", key));
  s.name = ctx.choice_of(node["dataset"], key + ".dataset", kSourceNames);
  ctx.check_keys(node, source_keys(s.name), key + " (dataset " + s.name + ")");
  s.dim = ctx.get_int_in(node, "dim", s.dim, 1, kMaxDim, key + ".dim");
  s.p = ctx.get_double(node, "p", s.p);
  if (s.p < 0 || s.p > 1) ctx.fail(node["p"], fmt::format("key '{}.p' must be in [0, 1], got {}", key, s.p));
  s.mean = ctx.get_double(node, "mean", s.mean);
  s.sd = ctx.get_double(node, "sd", s.sd);
  if (s.sd < 0) ctx.fail(node["sd"], fmt::format("key '{}.sd' must be >= 0, got {}", key, s.sd));
  s.file = ctx.get_string(node, "file", "");
  if ((s.name == "npy" || s.name == "csv") && s.file.empty())
    ctx.fail(node, fmt::format("key '{}': dataset {} needs 'file: path/to/data.{}'", key, s.name, s.name));
  // The loaders check the split too; here it is caught with the file's line.
  const std::vector<std::string> splits =
      s.name == "connect" ? std::vector<std::string>{"train", "all"}
      : s.name == "adult" ? std::vector<std::string>{"train", "test", "all", "a5a_train", "a5a_valid", "a5a_test"}
                          : std::vector<std::string>{"train", "test", "all"};
  s.split = ctx.get_choice(node, "split", s.split, splits);
  s.data_dir = ctx.get_string(node, "data_dir", "");
  if (const YAML::Node r = node["range"]; r.IsDefined()) {
    const std::string what = fmt::format("key '{}.range': expected [lo, hi] with lo <= hi, or any, got {}", key, show(r));
    if (r.IsScalar() && r.Scalar() == "any") {
      s.any_range = true;
    } else {
      if (!r.IsSequence() || r.size() != 2) ctx.fail(r, what);
      for (int i = 0; i < 2; ++i)
        if (!YAML::convert<double>::decode(r[i], s.range[i]) || !std::isfinite(s.range[i])) ctx.fail(r, what);
      if (s.range[0] > s.range[1]) ctx.fail(r, what);
    }
  }
  if (const YAML::Node g = node["gray"]; g.IsDefined()) {
    if (!g.IsSequence() || g.size() != 3)
      ctx.fail(g, fmt::format("key '{}.gray': expected three weights [R, G, B], got {}", key, show(g)));
    for (int i = 0; i < 3; ++i) {
      double w = 0;
      if (!YAML::convert<double>::decode(g[i], w) || w < 0)
        ctx.fail(g, fmt::format("key '{}.gray': weights must be numbers >= 0, got {}", key, show(g)));
      s.gray[i] = w;
    }
  }
  return s;
}

InitSpec parse_init(const YAML::Node& node, const YamlContext& ctx) {
  InitSpec s;
  const std::vector<std::string> names = {"glorot", "zero", "normal", "from"};
  YAML::Node name_node = node;
  if (node.IsMap()) {
    ctx.check_keys(node, {"name", "sigma", "file", "repetition"}, "init");
    name_node.reset(node["name"]);
    if (!name_node.IsDefined()) ctx.fail(node, "key 'init': missing 'name' (glorot, zero, normal or from)");
  }
  const std::string name = ctx.choice_of(name_node, "init", names);
  s.kind = name == "glorot" ? InitKind::glorot : name == "zero" ? InitKind::zero
         : name == "normal" ? InitKind::normal : InitKind::from;
  if (node.IsMap()) {
    s.sigma = ctx.get_double(node, "sigma", s.sigma);
    s.file = ctx.get_string(node, "file", "");
    s.repetition = ctx.get_int_in(node, "repetition", -1, -1, kMaxRepetitions - 1, "init.repetition");
  }
  if (s.kind == InitKind::from && s.file.empty())
    ctx.fail(node, "key 'init': 'from' needs a result file: init: {name: from, file: results/earlier.h5}");
  return s;
}

const std::vector<std::string>& experiment_keys() {
  static const std::vector<std::string> keys = {
      "kind", "name", "description", "inputs", "targets", "patterns", "rule", "activation", "eta",
      "weight_decay", "learn_bias", "centering", "init", "protocol", "epochs", "reshuffle",
      "repetitions", "seed", "last_n", "store", "output", "engine", "diverged_error", "sample"};
  return keys;
}

ExperimentConfig parse_experiment(const YAML::Node& root, const YamlContext& ctx) {
  ctx.check_keys(root, experiment_keys(), "");
  ctx.get_choice(root, "kind", "association", {"association"});
  ExperimentConfig c;
  c.name = ctx.get_string(root, "name", c.name);
  c.description = ctx.get_string(root, "description", "");
  c.inputs = parse_source(root["inputs"], "inputs", ctx);
  c.targets = parse_source(root["targets"], "targets", ctx);
  c.sample = ctx.get_choice(root, "sample", "random", {"random", "sequential"}) == "sequential" ? data::Sample::sequential
                                                                                              : data::Sample::random;
  if (c.sample == data::Sample::sequential && (c.inputs.name == "rand" || c.inputs.name == "randn") &&
      (c.targets.name == "rand" || c.targets.name == "randn"))
    ctx.fail(root["sample"], "key 'sample': sequential takes the first P rows of a file, but inputs and targets are "
                             "both generated (rand, randn); remove 'sample' or use a file source");
  c.patterns = ctx.get_int_in(root, "patterns", c.patterns, 1, kMaxPatterns, "patterns");

  TrainSpec& t = c.train;
  rule_from_name(ctx.get_choice(root, "rule", "hd", rule_names()), t.rule);
  if (root["activation"].IsDefined()) t.act = parse_activation(root["activation"], ctx);
  t.eta = ctx.get_double(root, "eta", t.eta);
  t.weight_decay = ctx.get_double(root, "weight_decay", 0.0);
  t.learn_bias = ctx.get_bool(root, "learn_bias", true);
  centering_from_name(ctx.get_choice(root, "centering", "dataset", {"none", "dataset", "running"}), t.centering);
  const std::string protocol = ctx.get_choice(root, "protocol", "online", {"online", "multi_epoch"});
  t.protocol = protocol == "online" ? Protocol::online : Protocol::multi_epoch;
  t.epochs = ctx.get_int_in(root, "epochs", 1, 1, kMaxEpochs, "epochs");
  t.reshuffle = ctx.get_bool(root, "reshuffle", false);
  // The default last-N is 20, or every pattern when there are fewer.
  t.last_n = ctx.get_int_in(root, "last_n", std::min(20, c.patterns), 1, kMaxPatterns, "last_n");
  t.diverged_error = ctx.get_double(root, "diverged_error", 1.0);
  engine_from_name(ctx.get_choice(root, "engine", "auto", {"auto", "direct", "gram", "blocked"}), t.engine);
  if (root["init"].IsDefined()) c.init = parse_init(root["init"], ctx);

  c.repetitions = ctx.get_int_in(root, "repetitions", 10, 1, kMaxRepetitions, "repetitions");
  c.seed = ctx.get_uint64(root, "seed", 1);
  ctx.get_string_list(root, "store");  // checks the type
  const YAML::Node store = root["store"];
  for (size_t i = 0; store.IsDefined() && store.IsSequence() && i < store.size(); ++i) {
    const std::string s = ctx.choice_of(store[i], "store", kStoreNames);
    if (s == "patterns") c.store_patterns = true;
    if (s == "weights") c.store_weights = true;
    if (s == "error_matrix") t.error_matrix = true;
  }
  if (store.IsDefined() && store.IsScalar()) {
    const std::string s = ctx.choice_of(store, "store", kStoreNames);
    c.store_patterns |= s == "patterns";
    c.store_weights |= s == "weights";
    t.error_matrix |= s == "error_matrix";
  }
  c.output = ctx.get_string(root, "output", "results/" + c.name + ".h5");
  c.config_file = ctx.file();
  // The values are checked together once read, each error at the line of its key.
  validate(c, [&](const std::string& key, const std::string& message) {
    YAML::Node node;  // undefined: the file as a whole
    if (!key.empty()) {
      node.reset(root);
      for (size_t pos = 0; pos != std::string::npos;) {
        const size_t dot = key.find('.', pos);
        const std::string part = key.substr(pos, dot == std::string::npos ? dot : dot - pos);
        pos = dot == std::string::npos ? dot : dot + 1;
        const YAML::Node& here = node;  // const access: a missing key is not inserted
        if (!here.IsMap() || !here[part].IsDefined()) break;
        node.reset(here[part]);
      }
      if (node.is(root)) node.reset(YAML::Node());
    }
    ctx.fail(node, message);
  });
  return c;
}

Activation read_activation(const YAML::Node& node, const YamlContext& ctx, const std::string& key) {
  const Activation a = parse_activation(node, ctx);
  validate_activation(a, key, [&](const std::string&, const std::string& message) { ctx.fail(node, message); });
  return a;
}

namespace {
const char* kMemoryHint = "lower 'patterns', 'repetitions', 'epochs' or what is stored";

// Pattern width of a source when it is known before its file is read (0 otherwise).
double known_dim(const data::SourceSpec& s) {
  if (s.name == "rand" || s.name == "randn") return s.dim;
  if (s.name == "mnist") return 784;
  if (s.name == "cifar") return 1024;
  if (s.name == "connect") return 126;
  if (s.name == "adult") return 123;
  return 0;
}
}  // namespace

RunBytes run_bytes(const ExperimentConfig& c) {
  const double P = c.patterns, n_in = known_dim(c.inputs), n_out = known_dim(c.targets);
  const double S = c.train.protocol == Protocol::online ? P : c.train.epochs;
  RunBytes b;
  b.data = 8 * (n_in + n_out) * P;
  b.weights = 8 * n_in * n_out;
  b.curve = 8 * P;
  b.error_matrix = c.train.error_matrix ? 8 * S * P : 0;
  return b;
}

std::string memory_problem(double bytes, const std::string& what, const std::string& hint) {
  // Asked once: a sweep checks every grid point of every cell.
  static const double physical =
      static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));
  if (physical <= 0 || bytes <= physical) return "";
  const double gib = 1024.0 * 1024.0 * 1024.0;
  return fmt::format("this {} would need {:.1f} GiB, more than the {:.1f} GiB of memory of this machine; {}", what,
                     bytes / gib, physical / gib, hint);
}

void validate_activation(const Activation& a, const std::string& key,
                         const std::function<void(const std::string&, const std::string&)>& fail) {
  const std::string act = a.name(), ka = key + ".alpha", kl = key + ".lambda";
  if (has_alpha(a.kind) && !std::isfinite(a.alpha))
    fail(ka, fmt::format("key '{}' must be a finite number, got {}", ka, a.alpha));
  if (!has_alpha(a.kind) && a.alpha != Activation::make(a.kind).alpha)
    fail(ka, fmt::format("key '{}': {} has no parameter alpha", ka, act));
  if (a.kind == ActivationKind::scaled_tanh && !(a.alpha > 0))
    fail(ka, fmt::format("key '{}' must be > 0 for scaled_tanh, got {}", ka, a.alpha));
  if (has_lambda(a.kind) && !std::isfinite(a.lambda))
    fail(kl, fmt::format("key '{}' must be a finite number, got {}", kl, a.lambda));
  if (!has_lambda(a.kind) && a.lambda != Activation::make(a.kind).lambda)
    fail(kl, fmt::format("key '{}': only selu has lambda, not {}", kl, act));
}

void validate_source(const data::SourceSpec& s, const std::string& key,
                     const std::function<void(const std::string&, const std::string&)>& fail) {
  if (s.name == "rand" || s.name == "randn")
    if (s.dim < 1 || s.dim > kMaxDim)
      fail(key + ".dim", fmt::format("key '{}.dim' must be in 1..{}, got {}", key, kMaxDim, s.dim));
  if (s.name == "rand" && !(s.p >= 0 && s.p <= 1))
    fail(key + ".p", fmt::format("key '{}.p' must be in [0, 1], got {}", key, s.p));
  if (s.name == "randn" && !std::isfinite(s.mean))
    fail(key + ".mean", fmt::format("key '{}.mean' must be a finite number, got {}", key, s.mean));
  if (s.name == "randn" && !(s.sd >= 0 && std::isfinite(s.sd)))
    fail(key + ".sd", fmt::format("key '{}.sd' must be >= 0, got {}", key, s.sd));
  if (s.name == "cifar")
    for (double w : s.gray)
      if (!(w >= 0 && std::isfinite(w)))
        fail(key + ".gray", fmt::format("key '{}.gray': weights must be numbers >= 0, got {}", key, w));
}

void validate(const ExperimentConfig& c, const std::function<void(const std::string&, const std::string&)>& fail) {
  validate_source(c.inputs, "inputs", fail);
  validate_source(c.targets, "targets", fail);
  if (c.patterns < 1 || c.patterns > kMaxPatterns)
    fail("patterns", fmt::format("key 'patterns' must be in 1..{}, got {}", kMaxPatterns, c.patterns));

  const TrainSpec& t = c.train;
  validate_activation(t.act, "activation", fail);
  if (!std::isfinite(t.eta))
    fail("eta", fmt::format("key 'eta' (learning rate) must be a finite number > 0, got {}", t.eta));
  if (!(t.eta > 0)) fail("eta", fmt::format("key 'eta' (learning rate) must be > 0, got {}", t.eta));
  if (!(t.weight_decay >= 0 && t.weight_decay < 1))
    fail("weight_decay", fmt::format("key 'weight_decay' must be in [0, 1), got {}", t.weight_decay));
  if (t.epochs < 1 || t.epochs > kMaxEpochs)
    fail("epochs", fmt::format("key 'epochs' must be in 1..{}, got {}", kMaxEpochs, t.epochs));
  if (t.protocol == Protocol::online && t.epochs != 1)
    fail("epochs", fmt::format("key 'epochs': {} epochs need 'protocol: multi_epoch' (online trains each pair once)",
                               t.epochs));
  if (t.protocol == Protocol::online && t.reshuffle) fail("reshuffle", "key 'reshuffle' needs 'protocol: multi_epoch'");
  if (t.last_n < 1) fail("last_n", fmt::format("key 'last_n' must be >= 1, got {}", t.last_n));
  if (t.last_n > c.patterns)
    fail("last_n", fmt::format("key 'last_n' ({}) is larger than 'patterns' ({})", t.last_n, c.patterns));
  // Errors are means of |h - t| with targets in [0, 1]: 1 is the most an output in [0, 1] can miss by.
  if (!(t.diverged_error >= 1 && std::isfinite(t.diverged_error)))
    fail("diverged_error", fmt::format("key 'diverged_error' must be >= 1 (the largest error of an output in [0, 1] "
                                       "against a target in [0, 1]), so that a diverged run never beats one that "
                                       "trained; got {}", t.diverged_error));
  if (t.engine == EngineKind::gram && !gram_supports(t))
    fail("engine", fmt::format("key 'engine': gram needs centering none or dataset (here: centering {}); "
                               "use engine: auto", centering_name(t.centering)));
  if (!(c.init.sigma >= 0 && std::isfinite(c.init.sigma)))
    fail("init.sigma", fmt::format("key 'init.sigma' must be >= 0, got {}", c.init.sigma));
  if (c.init.repetition < -1 || c.init.repetition >= kMaxRepetitions)
    fail("init.repetition",
         fmt::format("key 'init.repetition' must be in -1..{}, got {}", kMaxRepetitions - 1, c.init.repetition));
  if (c.repetitions < 1 || c.repetitions > kMaxRepetitions)
    fail("repetitions", fmt::format("key 'repetitions' must be in 1..{}, got {}", kMaxRepetitions, c.repetitions));

  // What `hds run` holds at once: every repetition's result (curve, W, error matrix, the latter
  // copied once more for the file), the patterns in training, and everything stored.
  const RunBytes b = run_bytes(c);
  const double R = c.repetitions;
  static const double threads = std::max(1.0, static_cast<double>(std::thread::hardware_concurrency()));
  const double training = std::min(R, threads);
  const bool keep = c.store_patterns || c.store_weights;
  const double bytes = R * (2 * b.curve + b.weights + 2 * b.error_matrix) +
                       (keep ? R * (2 * b.data + 3 * b.weights) : training * b.data);
  if (const std::string problem = memory_problem(bytes, "run", kMemoryHint); !problem.empty()) fail("", problem);
}

void validate(const ExperimentConfig& c, const std::string& context) {
  validate(c, [&](const std::string&, const std::string& message) {
    throw UserError(fmt::format("{}: {}", context, message));
  });
}

ExperimentConfig load_experiment(const std::string& path, const std::vector<std::string>& overrides) {
  YAML::Node root = load_yaml_file(path);
  YamlContext ctx(path);
  ctx.apply_overrides(root, overrides);
  ctx.check_duplicate_keys(root);
  return parse_experiment(root, ctx);
}

namespace {
// Shortest text that reads back as the same double (0.2, not 0.20000000000000001).
std::string num(double x) { return fmt::format("{}", x); }
}  // namespace

void emit_source(YAML::Emitter& e, const data::SourceSpec& s) {
  e << YAML::Flow << YAML::BeginMap << YAML::Key << "dataset" << YAML::Value << s.name;
  if (s.name == "rand") e << YAML::Key << "dim" << YAML::Value << s.dim << YAML::Key << "p" << YAML::Value << num(s.p);
  if (s.name == "randn")
    e << YAML::Key << "dim" << YAML::Value << s.dim << YAML::Key << "mean" << YAML::Value << num(s.mean) << YAML::Key
      << "sd" << YAML::Value << num(s.sd);
  if (s.name == "npy" || s.name == "csv") {
    e << YAML::Key << "file" << YAML::Value << s.file << YAML::Key << "range" << YAML::Value;
    if (s.any_range) e << "any";
    else e << YAML::Flow << std::vector<std::string>{num(s.range[0]), num(s.range[1])};
  }
  if (s.name == "mnist" || s.name == "cifar" || s.name == "connect" || s.name == "adult") {
    e << YAML::Key << "split" << YAML::Value << s.split;
    if (s.name == "cifar")
      e << YAML::Key << "gray" << YAML::Value << YAML::Flow << std::vector<std::string>{num(s.gray[0]), num(s.gray[1]), num(s.gray[2])};
    if (!s.data_dir.empty()) e << YAML::Key << "data_dir" << YAML::Value << s.data_dir;
  }
  e << YAML::EndMap;
}

void emit_init(YAML::Emitter& e, const InitSpec& init) {
  e << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << init_name(init.kind);
  if (init.kind == InitKind::normal) e << YAML::Key << "sigma" << YAML::Value << num(init.sigma);
  if (init.kind == InitKind::from)
    e << YAML::Key << "file" << YAML::Value << init.file << YAML::Key << "repetition" << YAML::Value
      << init.repetition;
  e << YAML::EndMap;
}

void emit_experiment(YAML::Emitter& e, const ExperimentConfig& c) {
  const TrainSpec& t = c.train;
  e << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << c.name;
  if (!c.description.empty()) e << YAML::Key << "description" << YAML::Value << c.description;
  e << YAML::Key << "inputs" << YAML::Value;
  emit_source(e, c.inputs);
  e << YAML::Key << "targets" << YAML::Value;
  emit_source(e, c.targets);
  e << YAML::Key << "patterns" << YAML::Value << c.patterns;
  e << YAML::Key << "sample" << YAML::Value << data::sample_name(c.sample);
  e << YAML::Key << "rule" << YAML::Value << rule_name(t.rule);
  e << YAML::Key << "activation" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "name"
    << YAML::Value << t.act.name();
  // Written whenever the activation has them: a value of 0 is a value, not the default.
  if (has_alpha(t.act.kind)) e << YAML::Key << "alpha" << YAML::Value << num(t.act.alpha);
  if (has_lambda(t.act.kind)) e << YAML::Key << "lambda" << YAML::Value << num(t.act.lambda);
  e << YAML::EndMap;
  e << YAML::Key << "eta" << YAML::Value << num(t.eta);
  e << YAML::Key << "weight_decay" << YAML::Value << num(t.weight_decay);
  e << YAML::Key << "learn_bias" << YAML::Value << t.learn_bias;
  e << YAML::Key << "centering" << YAML::Value << centering_name(t.centering);
  e << YAML::Key << "init" << YAML::Value;
  emit_init(e, c.init);
  e << YAML::Key << "protocol" << YAML::Value << (t.protocol == Protocol::online ? "online" : "multi_epoch");
  e << YAML::Key << "epochs" << YAML::Value << t.epochs;
  e << YAML::Key << "reshuffle" << YAML::Value << t.reshuffle;
  e << YAML::Key << "repetitions" << YAML::Value << c.repetitions;
  e << YAML::Key << "seed" << YAML::Value << c.seed;
  e << YAML::Key << "last_n" << YAML::Value << t.last_n;
  std::vector<std::string> store;
  if (c.store_patterns) store.push_back("patterns");
  if (c.store_weights) store.push_back("weights");
  if (t.error_matrix) store.push_back("error_matrix");
  e << YAML::Key << "store" << YAML::Value << YAML::Flow << store;
  e << YAML::Key << "engine" << YAML::Value << engine_name(t.engine);
  e << YAML::Key << "diverged_error" << YAML::Value << num(t.diverged_error);
  e << YAML::Key << "output" << YAML::Value << c.output;
  e << YAML::EndMap;
}

std::string to_yaml(const ExperimentConfig& c) {
  YAML::Emitter e;
  emit_experiment(e, c);
  return std::string(e.c_str()) + "\n";
}

}  // namespace hds::cfg
