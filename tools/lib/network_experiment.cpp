// The `kind: network` experiment (see network_experiment.hpp).
#include "tools/lib/network_experiment.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "tools/lib/config.hpp"
#include "tools/lib/experiment.hpp"
#include "tools/lib/output_path.hpp"
#include "tools/lib/provenance.hpp"

namespace hds::netexp {
namespace {

const std::vector<std::string> kDataKeys = {"dataset", "validation", "train_limit", "test_fraction", "split_seed",
                                            "data_dir", "gray"};
const std::vector<std::string> kOptimizerKeys = {"name", "lr", "momentum", "beta1", "beta2", "eps"};

data::LabelledSpec parse_data(const YAML::Node& node, const cfg::YamlContext& ctx) {
  data::LabelledSpec d;
  if (!node.IsDefined() || node.IsNull())
    throw UserError(fmt::format("{}: missing key 'data' (e.g. 'data: {{dataset: mnist}}')", ctx.file()));
  // A shorthand scalar becomes a map of its own. (Assigning to a Node that shares `node` would
  // overwrite `node` itself, yaml-cpp's reference semantics: hence reset, and the scalar read first.)
  YAML::Node map;
  if (node.IsScalar()) {
    const std::string value = node.Scalar();
    map.reset(YAML::Node(YAML::NodeType::Map));
    map["dataset"] = value;
  } else {
    map.reset(node);
  }
  ctx.require_map(map, "data");
  ctx.check_keys(map, kDataKeys, "data");
  d.source.name = ctx.get_choice(map, "dataset", "mnist", {"mnist", "cifar", "adult", "connect"});
  d.source.data_dir = ctx.get_string(map, "data_dir", "");
  d.validation = ctx.get_int(map, "validation", -1);
  if (map["validation"].IsDefined() && d.validation < 1)
    ctx.fail(map["validation"], fmt::format("key 'data.validation' must be >= 1 (patterns held out of the training "
                                            "set for tuning), got {}", d.validation));
  d.train_limit = ctx.get_int(map, "train_limit", 0);
  if (d.train_limit < 0) ctx.fail(map["train_limit"], "key 'data.train_limit' must be >= 0 (0: every pattern)");
  const double tf = ctx.get_double(map, "test_fraction", 0.2);
  if (map["test_fraction"].IsDefined() && d.source.name != "connect")
    ctx.fail(map["test_fraction"], fmt::format("key 'data.test_fraction': only connect (no published test split) "
                                               "is split by the suite; {} has its own test file", d.source.name));
  if (!(tf > 0 && tf < 1)) ctx.fail(map["test_fraction"], fmt::format("key 'data.test_fraction' must be in (0, 1), got {}", tf));
  d.test_fraction_permille = std::lround(tf * 1000);
  d.split_seed = ctx.get_uint64(map, "split_seed", 1);
  if (const YAML::Node g = map["gray"]; g.IsDefined()) {
    if (d.source.name != "cifar") ctx.fail(g, "key 'data.gray': only cifar has gray weights");
    if (!g.IsSequence() || g.size() != 3) ctx.fail(g, "key 'data.gray': expected three weights [R, G, B]");
    for (int i = 0; i < 3; ++i) {
      double w = 0;
      if (!YAML::convert<double>::decode(g[i], w) || !(w >= 0) || !std::isfinite(w))
        ctx.fail(g, fmt::format("key 'data.gray': weights must be finite numbers >= 0, got {}", cfg::show(g)));
      d.source.gray[i] = w;
    }
  }
  return d;
}

OptimizerSpec parse_optimizer(const YAML::Node& node, const std::string& key, const OptimizerSpec& dflt,
                              const cfg::YamlContext& ctx) {
  OptimizerSpec o = dflt;
  if (!node.IsDefined() || node.IsNull()) return o;
  // A shorthand scalar becomes a map of its own. (Assigning to a Node that shares `node` would
  // overwrite `node` itself, yaml-cpp's reference semantics: hence reset, and the scalar read first.)
  YAML::Node map;
  if (node.IsScalar()) {
    const std::string value = node.Scalar();
    map.reset(YAML::Node(YAML::NodeType::Map));
    map["name"] = value;
  } else {
    map.reset(node);
  }
  ctx.require_map(map, key);
  ctx.check_keys(map, kOptimizerKeys, key);
  optimizer_from_name(ctx.get_choice(map, "name", optimizer_name(o.kind), {"sgd", "adam"}), o.kind);
  if (o.kind == OptimizerKind::sgd && (map["beta1"].IsDefined() || map["beta2"].IsDefined() || map["eps"].IsDefined()))
    ctx.fail(map, fmt::format("key '{}': beta1, beta2 and eps belong to adam, not sgd", key));
  if (o.kind == OptimizerKind::adam && map["momentum"].IsDefined())
    ctx.fail(map["momentum"], fmt::format("key '{}.momentum': adam has beta1 instead of momentum", key));
  if (o.kind == OptimizerKind::adam && !map["lr"].IsDefined() && dflt.kind != OptimizerKind::adam) o.lr = 1e-3;
  o.lr = ctx.get_double(map, "lr", o.lr);
  if (!(o.lr > 0) || !std::isfinite(o.lr))
    ctx.fail(map["lr"], fmt::format("key '{}.lr' (learning rate) must be a finite number > 0, got {}", key, o.lr));
  const auto unit = [&](const char* k, double& v) {
    v = ctx.get_double(map, k, v);
    if (!(v >= 0 && v < 1)) ctx.fail(map[k], fmt::format("key '{}.{}' must be in [0, 1), got {}", key, k, v));
  };
  unit("momentum", o.momentum);
  unit("beta1", o.beta1);
  unit("beta2", o.beta2);
  o.eps = ctx.get_double(map, "eps", o.eps);
  if (!(o.eps > 0) || !std::isfinite(o.eps)) ctx.fail(map["eps"], fmt::format("key '{}.eps' must be > 0, got {}", key, o.eps));
  return o;
}

int get_count(const YAML::Node& root, const std::string& key, long dflt, long hi, const cfg::YamlContext& ctx) {
  const long v = ctx.get_int(root, key, dflt);
  if (v < 1 || v > hi) ctx.fail(root[key], fmt::format("key '{}' must be in 1..{}, got {}", key, hi, v));
  return static_cast<int>(v);
}

std::vector<std::vector<int>> parse_tasks(const YAML::Node& node, const cfg::YamlContext& ctx) {
  std::vector<std::vector<int>> tasks;
  if (!node.IsSequence() || node.size() == 0)
    ctx.fail(node, "key 'tasks': expected a list of class lists, e.g. [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]");
  for (const auto& t : node) {
    if (!t.IsSequence() || t.size() == 0)
      ctx.fail(t, fmt::format("key 'tasks': each task is a non-empty list of classes, got {}", cfg::show(t)));
    std::vector<int> classes;
    for (const auto& c : t) {
      long k = -1;
      if (!c.IsScalar() || !YAML::convert<long>::decode(c, k) || k < 0 || k > 100000)
        ctx.fail(c, fmt::format("key 'tasks': classes are whole numbers >= 0, got {}", cfg::show(c)));
      classes.push_back(static_cast<int>(k));
    }
    tasks.push_back(classes);
  }
  return tasks;
}

void emit_optimizer(YAML::Emitter& e, const OptimizerSpec& o) {
  const auto num = [](double x) { return fmt::format("{}", x); };
  e << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << optimizer_name(o.kind);
  e << YAML::Key << "lr" << YAML::Value << num(o.lr);
  if (o.kind == OptimizerKind::sgd) e << YAML::Key << "momentum" << YAML::Value << num(o.momentum);
  if (o.kind == OptimizerKind::adam)
    e << YAML::Key << "beta1" << YAML::Value << num(o.beta1) << YAML::Key << "beta2" << YAML::Value << num(o.beta2)
      << YAML::Key << "eps" << YAML::Value << num(o.eps);
  e << YAML::EndMap;
}

void emit_activation(YAML::Emitter& e, const Activation& a) {
  e << YAML::Flow << YAML::BeginMap << YAML::Key << "name" << YAML::Value << a.name();
  if (cfg::has_alpha(a.kind)) e << YAML::Key << "alpha" << YAML::Value << fmt::format("{}", a.alpha);
  if (cfg::has_lambda(a.kind)) e << YAML::Key << "lambda" << YAML::Value << fmt::format("{}", a.lambda);
  e << YAML::EndMap;
}

LabelledSet as_set(const data::LabelledPart& p) { return LabelledSet{p.X, p.labels}; }

}  // namespace

const std::vector<std::string>& network_keys() {
  static const std::vector<std::string> keys = {
      "kind", "name", "description", "data", "layers", "hidden_activation", "output_activation", "output_rule",
      "hidden_rule", "centering", "hidden_optimizer", "output_optimizer", "weight_decay", "batch_size", "epochs",
      "shuffle", "protocol", "tasks", "permuted_tasks", "permute_first_task", "repetitions", "seed", "store",
      "output"};
  return keys;
}

NetworkExperiment parse_network(const YAML::Node& root, const cfg::YamlContext& ctx) {
  ctx.check_keys(root, network_keys(), "");
  NetworkExperiment c;
  c.name = ctx.get_string(root, "name", c.name);
  c.description = ctx.get_string(root, "description", "");
  c.data = parse_data(root["data"], ctx);

  NetworkTrainSpec& t = c.train;
  const YAML::Node layers = root["layers"];
  if (!layers.IsDefined() || !layers.IsSequence() || layers.size() < 2)
    ctx.fail(layers.IsDefined() ? layers : root,
             "key 'layers': expected the layer sizes from the input dimension to the number of classes, e.g. "
             "[784, 200, 200, 10]");
  for (const auto& n : layers) {
    long v = 0;
    if (!n.IsScalar() || !YAML::convert<long>::decode(n, v) || v < 1 || v > 1000000)
      ctx.fail(n, fmt::format("key 'layers': sizes are whole numbers in 1..1000000, got {}", cfg::show(n)));
    t.net.layers.push_back(static_cast<int>(v));
  }
  if (root["hidden_activation"].IsDefined()) t.net.hidden = cfg::read_activation(root["hidden_activation"], ctx, "hidden_activation");
  if (t.net.hidden.kind == ActivationKind::softmax)
    ctx.fail(root["hidden_activation"], "key 'hidden_activation': softmax is an output layer's activation; choose "
                                        "an elementwise one such as rectifier or sigmoid");
  if (root["output_activation"].IsDefined()) t.net.output = cfg::read_activation(root["output_activation"], ctx, "output_activation");
  output_rule_from_name(ctx.get_choice(root, "output_rule", "hd", {"hd", "gd"}), t.net.output_rule);
  hidden_rule_from_name(ctx.get_choice(root, "hidden_rule", "backprop", {"backprop", "frozen"}), t.net.hidden_rule);
  layer_centering_from_name(ctx.get_choice(root, "centering", "none", {"none", "running"}), t.net.centering);

  OptimizerSpec sgd;
  sgd.kind = OptimizerKind::sgd;
  sgd.lr = 0.1;
  t.output_optimizer = parse_optimizer(root["output_optimizer"], "output_optimizer", sgd, ctx);
  t.hidden_optimizer = parse_optimizer(root["hidden_optimizer"], "hidden_optimizer", t.output_optimizer, ctx);
  const double decay = ctx.get_double(root, "weight_decay", 0.0);
  if (!(decay >= 0) || !std::isfinite(decay))
    ctx.fail(root["weight_decay"], fmt::format("key 'weight_decay' must be a finite number >= 0, got {}", decay));
  t.output_optimizer.weight_decay = t.hidden_optimizer.weight_decay = decay;
  t.batch_size = get_count(root, "batch_size", 32, 1000000, ctx);
  t.epochs = get_count(root, "epochs", 10, 100000, ctx);
  t.shuffle = ctx.get_bool(root, "shuffle", true);
  network_protocol_from_name(ctx.get_choice(root, "protocol", "iid", {"iid", "class_incremental", "permuted"}),
                             t.protocol);
  if (root["tasks"].IsDefined()) {
    if (t.protocol != NetworkProtocol::class_incremental)
      ctx.fail(root["tasks"], "key 'tasks' needs 'protocol: class_incremental'");
    t.tasks = parse_tasks(root["tasks"], ctx);
  } else if (t.protocol == NetworkProtocol::class_incremental) {
    ctx.fail(root, "protocol class_incremental needs 'tasks', e.g. tasks: [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]");
  }
  if ((root["permuted_tasks"].IsDefined() || root["permute_first_task"].IsDefined()) &&
      t.protocol != NetworkProtocol::permuted)
    ctx.fail(root["permuted_tasks"].IsDefined() ? root["permuted_tasks"] : root["permute_first_task"],
             "keys 'permuted_tasks' and 'permute_first_task' need 'protocol: permuted'");
  t.permuted_tasks = get_count(root, "permuted_tasks", 5, 1000, ctx);
  t.permute_first_task = ctx.get_bool(root, "permute_first_task", false);
  c.repetitions = get_count(root, "repetitions", 1, 100000, ctx);
  c.seed = ctx.get_uint64(root, "seed", 1);
  for (const auto& s : ctx.get_string_list(root, "store")) {
    if (s != "weights") ctx.fail(root["store"], fmt::format("key 'store': a network stores only 'weights', got '{}'", s));
    c.store_weights = true;
  }
  c.output = ctx.get_string(root, "output", "results/" + c.name + ".h5");
  c.config_file = ctx.file();
  try {
    check_network_spec(t.net);
  } catch (const UserError& e) {
    ctx.fail(layers, e.what());
  }
  return c;
}

std::string to_yaml(const NetworkExperiment& c) {
  const auto num = [](double x) { return fmt::format("{}", x); };
  const NetworkTrainSpec& t = c.train;
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "kind" << YAML::Value << "network";
  e << YAML::Key << "name" << YAML::Value << c.name;
  if (!c.description.empty()) e << YAML::Key << "description" << YAML::Value << c.description;
  e << YAML::Key << "data" << YAML::Value << YAML::Flow << YAML::BeginMap;
  e << YAML::Key << "dataset" << YAML::Value << c.data.source.name;
  if (c.data.validation >= 0) e << YAML::Key << "validation" << YAML::Value << c.data.validation;
  if (c.data.train_limit > 0) e << YAML::Key << "train_limit" << YAML::Value << c.data.train_limit;
  if (c.data.source.name == "connect")
    e << YAML::Key << "test_fraction" << YAML::Value << num(c.data.test_fraction_permille / 1000.0) << YAML::Key
      << "split_seed" << YAML::Value << c.data.split_seed;
  if (c.data.source.name == "cifar")
    e << YAML::Key << "gray" << YAML::Value << YAML::Flow
      << std::vector<std::string>{num(c.data.source.gray[0]), num(c.data.source.gray[1]), num(c.data.source.gray[2])};
  if (!c.data.source.data_dir.empty()) e << YAML::Key << "data_dir" << YAML::Value << c.data.source.data_dir;
  e << YAML::EndMap;
  e << YAML::Key << "layers" << YAML::Value << YAML::Flow << t.net.layers;
  e << YAML::Key << "hidden_activation" << YAML::Value;
  emit_activation(e, t.net.hidden);
  e << YAML::Key << "output_activation" << YAML::Value;
  emit_activation(e, t.net.output);
  e << YAML::Key << "output_rule" << YAML::Value << output_rule_name(t.net.output_rule);
  e << YAML::Key << "hidden_rule" << YAML::Value << hidden_rule_name(t.net.hidden_rule);
  e << YAML::Key << "centering" << YAML::Value << layer_centering_name(t.net.centering);
  e << YAML::Key << "hidden_optimizer" << YAML::Value;
  emit_optimizer(e, t.hidden_optimizer);
  e << YAML::Key << "output_optimizer" << YAML::Value;
  emit_optimizer(e, t.output_optimizer);
  e << YAML::Key << "weight_decay" << YAML::Value << num(t.output_optimizer.weight_decay);
  e << YAML::Key << "batch_size" << YAML::Value << t.batch_size;
  e << YAML::Key << "epochs" << YAML::Value << t.epochs;
  e << YAML::Key << "shuffle" << YAML::Value << t.shuffle;
  e << YAML::Key << "protocol" << YAML::Value << network_protocol_name(t.protocol);
  if (t.protocol == NetworkProtocol::class_incremental) {
    e << YAML::Key << "tasks" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const auto& task : t.tasks) e << YAML::Flow << task;
    e << YAML::EndSeq;
  }
  if (t.protocol == NetworkProtocol::permuted)
    e << YAML::Key << "permuted_tasks" << YAML::Value << t.permuted_tasks << YAML::Key << "permute_first_task"
      << YAML::Value << t.permute_first_task;
  e << YAML::Key << "repetitions" << YAML::Value << c.repetitions;
  e << YAML::Key << "seed" << YAML::Value << c.seed;
  e << YAML::Key << "store" << YAML::Value << YAML::Flow
    << (c.store_weights ? std::vector<std::string>{"weights"} : std::vector<std::string>{});
  e << YAML::Key << "output" << YAML::Value << c.output;
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

NetworkData load_network_data(const NetworkExperiment& c) {
  NetworkData d;
  d.splits = data::load_labelled(c.data);
  d.train = as_set(d.splits.train);
  d.validation = as_set(d.splits.validation);
  d.test = as_set(d.splits.test);
  const NetworkTrainSpec& spec = c.train;
  const auto where = [&](const std::string& what) {
    return fmt::format("{}: {} ({})", c.config_file, what, d.splits.description);
  };
  if (spec.net.layers.front() != d.train.X.rows())
    throw UserError(where(fmt::format("key 'layers' starts with {}, but the inputs have {} dimensions; write "
                                      "layers: [{}, ...]", spec.net.layers.front(), d.train.X.rows(), d.train.X.rows())));
  if (spec.net.layers.back() != d.splits.n_classes)
    throw UserError(where(fmt::format("key 'layers' ends with {}, but the data have {} classes; end it with {}",
                                      spec.net.layers.back(), d.splits.n_classes, d.splits.n_classes)));
  try {
    check_network_training(spec, d.train, d.validation, d.test);
  } catch (const UserError& e) {
    throw UserError(fmt::format("{}: {}", c.config_file, e.what()));
  }
  return d;
}

NetworkRunResult run_network(const NetworkExperiment& c, int threads,
                             const std::function<void(int, const EpochMetrics&)>& on_epoch) {
  const auto start = std::chrono::steady_clock::now();
  NetworkRunResult out;
  NetworkData d = load_network_data(c);
  NetworkTrainSpec spec = c.train;
  spec.threads = threads;
  std::vector<double> scores;
  for (int r = 0; r < c.repetitions; ++r) {
    const uint64_t seed = derive_seed(c.seed, {static_cast<uint64_t>(r)});
    out.seeds.push_back(seed);
    out.runs.push_back(train_network(spec, d.train, d.validation, d.test, seed, [&](const EpochMetrics& m) {
      if (on_epoch) on_epoch(r, m);
    }));
    scores.push_back(out.runs.back().score);
    out.n_diverged += out.runs.back().diverged;
  }
  exp::mean_sd(scores, out.score_mean, out.score_sd);
  out.data = std::move(d.splits);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

void write_network_file(const std::string& path, const NetworkExperiment& c, const NetworkRunResult& r,
                        bool replace) {
  prov::Provenance p = prov::collect(prov::command_line());
  p.data_files = r.data.files;
  out::write_atomically(path, replace, [&](h5::File& f) {
    prov::write(f, p, "run");
    f.attr("/", "experiment_kind", std::string("network"));
    f.write_string("/config", to_yaml(c));
    f.attr("/", "config_file", c.config_file);
    f.attr("/", "name", c.name);
    f.attr("/", "base_seed", static_cast<int64_t>(c.seed));
    f.attr("/", "data", r.data.description);
    f.attr("/", "output_rule", output_rule_name(c.train.net.output_rule));
    f.attr("/", "output_activation", c.train.net.output.name());
    f.attr("/", "protocol", network_protocol_name(c.train.protocol));
    f.attr("/", "score", std::string("validation_accuracy"));
    f.attr("/", "score_order", std::string("higher_is_better"));
    f.attr("/", "score_mean", r.score_mean);
    f.attr("/", "score_sd", r.score_sd);
    f.attr("/", "n_diverged", static_cast<int64_t>(r.n_diverged));
    f.attr("/", "seconds", r.seconds);
    f.attr("/", "n_train", static_cast<int64_t>(r.data.train.X.cols()));
    f.attr("/", "n_validation", static_cast<int64_t>(r.data.validation.X.cols()));
    f.attr("/", "n_test", static_cast<int64_t>(r.data.test.X.cols()));

    const hsize_t R = r.runs.size();
    const hsize_t E = R ? r.runs[0].epochs.size() : 0;
    std::vector<double> score(R), secs(R);
    std::vector<uint8_t> div(R);
    std::vector<int64_t> dstep(R), task(E), epoch(E);
    for (hsize_t e = 0; e < E; ++e) {
      task[e] = r.runs[0].epochs[e].task;
      epoch[e] = r.runs[0].epochs[e].epoch;
    }
    for (hsize_t i = 0; i < R; ++i) {
      score[i] = r.runs[i].score;
      div[i] = r.runs[i].diverged;
      dstep[i] = r.runs[i].diverged_step;
      secs[i] = r.runs[i].seconds;
    }
    f.write("/repetition_seeds", {R}, r.seeds.data());
    f.write("/score", {R}, score.data());
    f.write("/diverged", {R}, div.data());
    f.write("/diverged_step", {R}, dstep.data());
    f.write("/seconds", {R}, secs.data());
    f.write("/metrics/task", {E}, task.data());
    f.write("/metrics/epoch", {E}, epoch.data());
    const std::vector<std::pair<std::string, SetMetrics EpochMetrics::*>> parts = {
        {"train", &EpochMetrics::train}, {"validation", &EpochMetrics::validation}, {"test", &EpochMetrics::test}};
    const std::vector<std::pair<std::string, double SetMetrics::*>> measures = {
        {"accuracy", &SetMetrics::accuracy}, {"mse", &SetMetrics::mse}, {"cross_entropy", &SetMetrics::cross_entropy}};
    for (const auto& [pname, part] : parts)
      for (const auto& [mname, measure] : measures) {
        std::vector<double> v(R * E);
        for (hsize_t i = 0; i < R; ++i)
          for (hsize_t e = 0; e < E; ++e) v[i * E + e] = r.runs[i].epochs[e].*part.*measure;
        f.write("/metrics/" + pname + "_" + mname, {R, E}, v.data());
      }
    if (R > 0) {
      const hsize_t T = r.runs[0].R_test.rows();
      for (const auto& [name, member] : std::vector<std::pair<std::string, Eigen::MatrixXd NetworkResult::*>>{
               {"test", &NetworkResult::R_test}, {"validation", &NetworkResult::R_validation}}) {
        std::vector<double> v;
        for (const auto& run : r.runs) {
          const Eigen::MatrixXd& m = run.*member;
          for (hsize_t i = 0; i < T; ++i)
            for (hsize_t j = 0; j < T; ++j) v.push_back(m(i, j));
        }
        f.write("/accuracy_matrix/" + name, {R, T, T}, v.data());
      }
      std::vector<double> avg(R), bwt(R), fgt(R);
      for (hsize_t i = 0; i < R; ++i) {
        avg[i] = r.runs[i].stream_test.average_accuracy;
        bwt[i] = r.runs[i].stream_test.backward_transfer;
        fgt[i] = r.runs[i].stream_test.forgetting;
      }
      f.write("/stream/average_accuracy", {R}, avg.data());
      f.write("/stream/backward_transfer", {R}, bwt.data());
      f.write("/stream/forgetting", {R}, fgt.data());
    }
    if (c.store_weights && R > 0) {
      for (int l = 0; l < c.train.net.num_layers(); ++l) {
        const hsize_t n_in = c.train.net.layers[l], n_out = c.train.net.layers[l + 1];
        std::vector<double> w, b;
        for (const auto& run : r.runs) {
          const Eigen::MatrixXd& W = run.params.W[l];
          for (hsize_t i = 0; i < n_in; ++i)
            for (hsize_t j = 0; j < n_out; ++j) w.push_back(W(i, j));
          b.insert(b.end(), run.params.b[l].data(), run.params.b[l].data() + n_out);
        }
        f.write(fmt::format("/weights/layer{}/W", l + 1), {R, n_in, n_out}, w.data());
        f.write(fmt::format("/weights/layer{}/b", l + 1), {R, n_out}, b.data());
      }
    }
  });
}

}  // namespace hds::netexp
