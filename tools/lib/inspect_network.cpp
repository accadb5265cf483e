// Inspection of network run files (see inspect_network.hpp).
#include "tools/lib/inspect_network.hpp"

#include <cmath>
#include <map>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "tools/lib/experiment.hpp"
#include "tools/lib/kind.hpp"
#include "tools/lib/inspect_table.hpp"
#include "tools/lib/network_experiment.hpp"

namespace hds::inspect {
namespace {

const std::vector<std::string> kParts = {"train", "validation", "test"};
const std::vector<std::string> kMeasures = {"accuracy", "mse", "cross_entropy"};
const std::vector<std::string> kStream = {"average_accuracy", "backward_transfer", "forgetting"};

// Mean and sample sd over the finite values (a diverged repetition has no loss; an empty set no
// accuracy); NaN when there is none.
struct Stat {
  double mean = std::nan(""), sd = std::nan("");
};

Stat finite_stat(const std::vector<double>& v) {
  std::vector<double> finite;
  for (double x : v)
    if (std::isfinite(x)) finite.push_back(x);
  Stat s;
  if (!finite.empty()) exp::mean_sd(finite, s.mean, s.sd);
  return s;
}

// Everything a network summary shows, read from the file and checked.
struct NetworkRun {
  netexp::NetworkExperiment config;
  std::string name, data, score, score_order;
  double score_mean = 0, score_sd = 0, seconds = 0;
  int64_t n_diverged = 0, n_train = 0, n_validation = 0, n_test = 0;
  size_t R = 0, E = 0, T = 0;
  std::vector<int64_t> task, epoch;                      // [E]
  std::map<std::string, std::vector<double>> measures;   // "train_accuracy" -> [R, E]
  std::vector<double> test_matrix;                       // [R, T, T], streams only
  std::map<std::string, std::vector<double>> stream;     // "forgetting" -> [R]

  bool is_stream() const { return config.train.protocol != NetworkProtocol::iid; }
  // The measure at epoch e over the repetitions.
  Stat at(const std::string& measure, size_t e) const {
    const std::vector<double>& v = measures.at(measure);
    std::vector<double> col(R);
    for (size_t r = 0; r < R; ++r) col[r] = v[r * E + e];
    return finite_stat(col);
  }
  Stat matrix(size_t i, size_t j) const {
    std::vector<double> cell(R);
    for (size_t r = 0; r < R; ++r) cell[r] = test_matrix[(r * T + i) * T + j];
    return finite_stat(cell);
  }
};

[[noreturn]] void damaged(const h5::File& f, const std::string& what) {
  throw UserError(fmt::format("{}: {}; the network run file is damaged or incomplete (write it again with 'hds run')",
                              f.path(), what));
}

std::string shape_text(const std::vector<hsize_t>& d) { return fmt::format("[{}]", fmt::join(d, ", ")); }

// The dataset's shape, which must be `want`; `what` says in words what it holds.
void require_shape(const h5::File& f, const std::string& name, const std::vector<hsize_t>& want,
                   const std::string& what) {
  if (!f.exists(name))
    damaged(f, fmt::format("no dataset '{}' (expected shape {}, {})", name, shape_text(want), what));
  const auto d = f.dims(name);
  if (d != want)
    damaged(f, fmt::format("'{}' has shape {}, expected {} ({})", name, shape_text(d), shape_text(want), what));
}

std::string require_string(const h5::File& f, const std::string& attr) {
  if (!f.has_attr("/", attr)) damaged(f, fmt::format("no root attribute '{}'", attr));
  return f.read_attr_string("/", attr);
}

int64_t require_count(const h5::File& f, const std::string& attr) {
  if (!f.has_attr("/", attr)) damaged(f, fmt::format("no root attribute '{}'", attr));
  const int64_t n = f.read_attr_int("/", attr);
  if (n < 0) damaged(f, fmt::format("root attribute '{}' is {}, a count must be >= 0", attr, n));
  return n;
}

double require_number(const h5::File& f, const std::string& attr) {
  if (!f.has_attr("/", attr)) damaged(f, fmt::format("no root attribute '{}'", attr));
  return f.read_attr_double("/", attr);
}

// /config read back with the parser of `hds run` (its messages name "/config" and the line).
netexp::NetworkExperiment read_config(const h5::File& f) {
  if (!f.exists("/config")) damaged(f, "no dataset '/config' (the resolved experiment)");
  const std::string text = f.read_string("/config");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    damaged(f, fmt::format("'/config' is not readable YAML ({})", e.msg));
  }
  if (!root.IsMap()) damaged(f, "'/config' is not a YAML mapping of keys");
  const cfg::YamlContext ctx("/config");
  std::string kind;
  try {
    kind = kind::of(root, ctx).name;
    if (kind == "network") return netexp::parse_network(root, ctx);
  } catch (const YAML::Exception& e) {
    damaged(f, fmt::format("'/config' is not a network experiment hds reads ({})", e.msg));
  } catch (const UserError& e) {
    damaged(f, e.what());
  }
  damaged(f, fmt::format("'/config' is a kind: {} experiment, but the root attribute experiment_kind says network",
                         kind));
}

size_t task_count(const NetworkTrainSpec& t) {
  switch (t.protocol) {
    case NetworkProtocol::class_incremental: return t.tasks.size();
    case NetworkProtocol::permuted: return static_cast<size_t>(t.permuted_tasks);
    default: return 1;
  }
}

NetworkRun read_run(const h5::File& f) {
  NetworkRun n;
  n.config = read_config(f);
  const NetworkTrainSpec& t = n.config.train;
  n.name = require_string(f, "name");
  n.data = require_string(f, "data");
  n.score = require_string(f, "score");
  n.score_order = require_string(f, "score_order");
  n.score_mean = require_number(f, "score_mean");
  n.score_sd = require_number(f, "score_sd");
  n.seconds = require_number(f, "seconds");
  n.n_diverged = require_count(f, "n_diverged");
  n.n_train = require_count(f, "n_train");
  n.n_validation = require_count(f, "n_validation");
  n.n_test = require_count(f, "n_test");
  const std::vector<std::pair<std::string, std::string>> same = {
      {"protocol", network_protocol_name(t.protocol)},
      {"output_rule", output_rule_name(t.net.output_rule)},
      {"output_activation", t.net.output.name()}};
  for (const auto& [attr, from_config] : same)
    if (const std::string v = require_string(f, attr); v != from_config)
      damaged(f, fmt::format("root attribute {} is '{}', but /config says '{}'", attr, v, from_config));

  n.R = static_cast<size_t>(n.config.repetitions);
  n.T = task_count(t);
  n.E = n.T * static_cast<size_t>(t.epochs);
  if (n.n_diverged > static_cast<int64_t>(n.R))
    damaged(f, fmt::format("root attribute n_diverged is {}, more than the {} repetitions", n.n_diverged, n.R));
  const std::string per_rep = fmt::format("one value per repetition, {} in /config", n.R);
  require_shape(f, "/score", {n.R}, per_rep);
  const std::string per_epoch =
      fmt::format("one entry per measured epoch, tasks × epochs = {} × {} in /config", n.T, t.epochs);
  for (const char* name : {"/metrics/task", "/metrics/epoch"}) {
    require_shape(f, name, {n.E}, per_epoch);
    if (f.type_name(name).find("int") == std::string::npos)
      damaged(f, fmt::format("'{}' is {}, expected whole numbers", name, f.type_name(name)));
  }
  n.task = f.read_int64s("/metrics/task");
  n.epoch = f.read_int64s("/metrics/epoch");
  for (size_t e = 0; e < n.E; ++e)
    if (n.task[e] != static_cast<int64_t>(e) / t.epochs || n.epoch[e] != static_cast<int64_t>(e) % t.epochs)
      damaged(f, fmt::format("measurement {} is labelled task {} epoch {}, expected task {} epoch {} (tasks in turn, "
                             "{} epochs each)",
                             e, n.task[e], n.epoch[e], e / t.epochs, e % t.epochs, t.epochs));
  for (const auto& part : kParts)
    for (const auto& measure : kMeasures) {
      const std::string key = part + "_" + measure, name = "/metrics/" + key;
      require_shape(f, name, {n.R, n.E}, "repetitions × measured epochs");
      n.measures[key] = f.read_doubles(name);
    }
  for (const auto& s : kStream) {
    require_shape(f, "/stream/" + s, {n.R}, per_rep);
    n.stream[s] = f.read_doubles("/stream/" + s);
  }
  if (n.is_stream()) {
    require_shape(f, "/accuracy_matrix/test", {n.R, n.T, n.T}, "repetitions × tasks × tasks");
    n.test_matrix = f.read_doubles("/accuracy_matrix/test");
  }
  return n;
}

std::string optimizer_text(const OptimizerSpec& o) {
  if (o.kind == OptimizerKind::adam)
    return fmt::format("adam lr={} beta1={} beta2={} eps={}", o.lr, o.beta1, o.beta2, o.eps);
  return fmt::format("{} lr={} momentum={}", optimizer_name(o.kind), o.lr, o.momentum);
}

std::string tasks_text(const NetworkTrainSpec& t) {
  if (t.protocol != NetworkProtocol::class_incremental) return "";
  std::vector<std::string> each;
  for (const auto& task : t.tasks) each.push_back(fmt::format("[{}]", fmt::join(task, ", ")));
  return fmt::format(" [{}]", fmt::join(each, ", "));
}

// The loss shown in the text table: cross entropy where the output defines it, else the mse.
std::string loss_measure(const NetworkRun& n) {
  return has_cross_entropy(n.config.train.net.output) ? "cross_entropy" : "mse";
}

Table summary_table(const NetworkRun& n) {
  const NetworkTrainSpec& t = n.config.train;
  Table s;
  s.title = fmt::format("{} (network run): layers {}, protocol {}, {} repetitions", n.name,
                        fmt::join(t.net.layers, "-"), network_protocol_name(t.protocol), n.R);
  const Stat test = finite_stat(n.stream.at("average_accuracy"));
  s.columns = {"name", "layers", "hidden_activation", "hidden_rule", "output_activation", "output_rule",
               "centering", "hidden_optimizer", "output_optimizer", "weight_decay", "batch_size", "protocol",
               "tasks", "epochs", "n_train", "n_validation", "n_test", "repetitions", "score", "score_mean",
               "score_sd", "test_accuracy_mean", "test_accuracy_sd"};
  s.rows.push_back({Value::str(n.name), Value::str(fmt::format("{}", fmt::join(t.net.layers, "-"))),
                    Value::str(t.net.hidden.name()), Value::str(hidden_rule_name(t.net.hidden_rule)),
                    Value::str(t.net.output.name()), Value::str(output_rule_name(t.net.output_rule)),
                    Value::str(layer_centering_name(t.net.centering)), Value::str(optimizer_text(t.hidden_optimizer)),
                    Value::str(optimizer_text(t.output_optimizer)), Value::num(t.output_optimizer.weight_decay),
                    Value::count(t.batch_size), Value::str(network_protocol_name(t.protocol)),
                    Value::count(static_cast<int64_t>(n.T)), Value::count(t.epochs), Value::count(n.n_train),
                    Value::count(n.n_validation), Value::count(n.n_test), Value::count(static_cast<int64_t>(n.R)),
                    Value::str(n.score), Value::num(n.score_mean, 4, true), Value::num(n.score_sd, 4, true),
                    Value::num(test.mean, 4, true), Value::num(test.sd, 4, true)});
  if (n.is_stream())
    for (const char* s2 : {"backward_transfer", "forgetting"}) {
      const Stat st = finite_stat(n.stream.at(s2));
      s.columns.push_back(std::string(s2) + "_mean");
      s.columns.push_back(std::string(s2) + "_sd");
      s.rows[0].push_back(Value::num(st.mean, 4, true));
      s.rows[0].push_back(Value::num(st.sd, 4, true));
    }
  s.columns.push_back("n_diverged");
  s.rows[0].push_back(Value::count(n.n_diverged));
  s.columns.push_back("seconds");
  s.rows[0].push_back(Value::num(n.seconds, 3));
  return s;
}

// One row per measured epoch. `all`: mean and sd of every measure (CSV, JSON); else the means of the
// accuracies and of one loss, under short headings (text).
Table epoch_table(const NetworkRun& n, bool all) {
  Table t;
  t.title = fmt::format("after every epoch{}, mean over {} repetitions (task and epoch 0-based; losses over the "
                        "repetitions that did not diverge)",
                        n.is_stream() ? ", on the current task's patterns" : "", n.R);
  t.columns = {"task", "epoch"};
  std::vector<std::pair<std::string, bool>> cells;  // measure, sd (else mean)
  if (all) {
    for (const auto& part : kParts)
      for (const auto& measure : kMeasures)
        for (const bool sd : {false, true}) {
          t.columns.push_back(part + "_" + measure + (sd ? "_sd" : "_mean"));
          cells.emplace_back(part + "_" + measure, sd);
        }
  } else {
    const std::string loss = loss_measure(n);
    const std::string short_loss = loss == "mse" ? "mse" : "CE";
    for (const auto& [measure, heading] : std::vector<std::pair<std::string, std::string>>{
             {"accuracy", "acc"}, {loss, short_loss}})
      for (const auto& part : kParts) {
        t.columns.push_back((part == "validation" ? "val" : part) + " " + heading);
        cells.emplace_back(part + "_" + measure, false);
      }
  }
  for (size_t e = 0; e < n.E; ++e) {
    std::vector<Value> row = {Value::count(n.task[e]), Value::count(n.epoch[e])};
    for (const auto& [measure, sd] : cells) {
      const Stat s = n.at(measure, e);
      row.push_back(Value::num(sd ? s.sd : s.mean, 4, true));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table matrix_table(const NetworkRun& n) {
  Table t;
  t.title = fmt::format("test accuracy matrix R[i, j]: accuracy on task j after training task i, mean over {} "
                        "repetitions",
                        n.R);
  t.columns = {"after_task"};
  for (size_t j = 0; j < n.T; ++j) t.columns.push_back(fmt::format("task_{}", j));
  for (size_t i = 0; i < n.T; ++i) {
    std::vector<Value> row = {Value::count(static_cast<int64_t>(i))};
    for (size_t j = 0; j < n.T; ++j) row.push_back(Value::num(n.matrix(i, j).mean, 4, true));
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string pm(const Stat& s) { return fmt::format("{:.4f} ± {:.4f}", s.mean, s.sd); }

std::string text_report(const NetworkRun& n) {
  const NetworkTrainSpec& t = n.config.train;
  const bool hidden = t.net.num_layers() > 1;
  std::string out = fmt::format("{} (network run)\n", n.name);
  out += fmt::format("  layers {}, output {} ({})", fmt::join(t.net.layers, "-"), t.net.output.name(),
                     output_rule_name(t.net.output_rule));
  out += hidden ? fmt::format(", hidden {} ({})", t.net.hidden.name(), hidden_rule_name(t.net.hidden_rule))
                : std::string(", no hidden layer");
  out += fmt::format(", centering {}\n", layer_centering_name(t.net.centering));
  out += "  optimizers: " + (hidden ? "hidden " + optimizer_text(t.hidden_optimizer) + ", " : std::string());
  out += fmt::format("output {}; weight_decay {}, batch_size {}\n", optimizer_text(t.output_optimizer),
                     t.output_optimizer.weight_decay, t.batch_size);
  if (n.is_stream())
    out += fmt::format("  protocol {}: {} tasks{}, {} epoch{} each\n", network_protocol_name(t.protocol), n.T,
                       tasks_text(t), t.epochs, t.epochs == 1 ? "" : "s");
  else
    out += fmt::format("  protocol {}, {} epoch{}\n", network_protocol_name(t.protocol), t.epochs,
                       t.epochs == 1 ? "" : "s");
  out += fmt::format("  data: {} train, {} validation, {} test patterns\n    {}\n", n.n_train, n.n_validation,
                     n.n_test, n.data);
  const std::string order = n.score_order == "higher_is_better" ? "higher is better" : n.score_order;
  out += fmt::format("score: {} {:.4f} ± {:.4f} over {} repetitions ({}); test accuracy{} {}; diverged {} of {}\n\n",
                     n.score, n.score_mean, n.score_sd, n.R, order,
                     n.is_stream() ? " (average over tasks after the last)" : "",
                     pm(finite_stat(n.stream.at("average_accuracy"))), n.n_diverged, n.R);
  out += to_text(epoch_table(n, false));
  if (n.is_stream()) {
    out += "\n" + to_text(matrix_table(n));
    out += fmt::format("stream (test): average accuracy {}, backward transfer {}, forgetting {}\n",
                       pm(finite_stat(n.stream.at("average_accuracy"))),
                       pm(finite_stat(n.stream.at("backward_transfer"))), pm(finite_stat(n.stream.at("forgetting"))));
  }
  return out;
}

}  // namespace

bool is_network(const h5::File& f) {
  return f.has_attr("/", "experiment_kind") && f.read_attr_string("/", "experiment_kind") == "network";
}

std::string network_report(const h5::File& f, const std::string& format) {
  const NetworkRun n = read_run(f);
  if (format == "csv") return to_csv(epoch_table(n, true));
  if (format == "json") {
    std::vector<std::pair<std::string, Table>> more = {{"epochs", epoch_table(n, true)}};
    if (n.is_stream()) more.emplace_back("accuracy_matrix", matrix_table(n));
    return to_json(summary_table(n), {{"file", f.path()}, {"kind", "run"}, {"experiment_kind", "network"}}, more);
  }
  return text_report(n);
}

}  // namespace hds::inspect
