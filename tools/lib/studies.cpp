// The toy studies 1 and 2 (see studies.hpp).
#include "tools/lib/studies.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"
#include "tools/lib/inspect_table.hpp"
#include "tools/lib/provenance.hpp"
#include "tools/lib/yaml_util.hpp"

namespace hds::study {
namespace {

const std::vector<std::string> kCommonKeys = {"kind", "study", "name", "description", "activation", "inputs", "targets",
                                              "rules", "centering", "output"};
const std::vector<std::string> kToyKeys = {"start", "updates", "natural_eta", "constant_step"};
const std::vector<std::string> kHebbKeys = {"eta", "epochs", "learn_bias", "normalise"};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Eigen::MatrixXd read_matrix(const cfg::YamlContext& ctx, const YAML::Node& root, const std::string& key) {
  const YAML::Node m = root[key];
  const std::string what = fmt::format("key '{}': expected a list of rows of numbers, e.g. [[1, 0], [0, 1]]", key);
  if (!m.IsDefined() || m.IsNull()) ctx.fail(root, fmt::format("missing key '{}' ({})", key, what.substr(what.find(':') + 2)));
  if (!m.IsSequence() || m.size() == 0) ctx.fail(m, what + ", got " + cfg::show(m));
  Eigen::MatrixXd out;
  for (size_t i = 0; i < m.size(); ++i) {
    const YAML::Node row = m[i];
    if (!row.IsSequence() || row.size() == 0) ctx.fail(row, what + ", got " + cfg::show(row));
    if (i == 0) out.resize(m.size(), row.size());
    if (row.size() != static_cast<size_t>(out.cols()))
      ctx.fail(row, fmt::format("key '{}': row {} has {} values, the first row {}", key, i + 1, row.size(), out.cols()));
    for (size_t j = 0; j < row.size(); ++j) {
      double x = 0;
      if (!row[j].IsScalar() || !YAML::convert<double>::decode(row[j], x) || !std::isfinite(x))
        ctx.fail(row[j], fmt::format("key '{}': expected a finite number, got {}", key, cfg::show(row[j])));
      out(i, j) = x;
    }
  }
  return out;
}

Rule to_rule(const cfg::YamlContext& ctx, const YAML::Node& v, const std::string& key) {
  Rule r = Rule::hd;
  rule_from_name(ctx.choice_of(v, key, rule_names()), r);
  return r;
}

std::vector<Rule> read_rules(const cfg::YamlContext& ctx, const YAML::Node& map, const std::string& key,
                             const std::vector<Rule>& dflt) {
  const YAML::Node v = map[key];
  if (!v.IsDefined() || v.IsNull()) return dflt;
  if (!v.IsSequence()) ctx.fail(v, fmt::format("key '{}': expected a list of rules, e.g. [hebb, cov, hd]", key));
  std::vector<Rule> out;
  for (const auto& item : v) out.push_back(to_rule(ctx, item, key));
  return out;
}

// A mapping rule → positive number, one entry for each of `rules`.
std::map<Rule, double> read_rule_numbers(const cfg::YamlContext& ctx, const YAML::Node& root, const std::string& key,
                                         const std::vector<Rule>& rules) {
  const YAML::Node m = root[key];
  if (!m.IsDefined() || !m.IsMap())
    ctx.fail(m.IsDefined() ? m : root, fmt::format("key '{}': expected a mapping rule: value, e.g. {{hd: 1, gd: 4}}, got {}",
                                                   key, cfg::show(m)));
  std::map<Rule, double> out;
  for (auto it = m.begin(); it != m.end(); ++it) {
    const Rule r = to_rule(ctx, it->first, key);
    const double x = ctx.get_double(m, it->first.Scalar(), 0.0);
    if (!(x > 0)) ctx.fail(it->second, fmt::format("key '{}.{}': expected a positive number, got {}", key,
                                                   it->first.Scalar(), cfg::show(it->second)));
    out[r] = x;
  }
  for (Rule r : rules)
    if (!out.count(r)) ctx.fail(m, fmt::format("key '{}': no value for rule '{}' (listed in rules)", key, rule_name(r)));
  return out;
}

Centering read_centering(const cfg::YamlContext& ctx, const YAML::Node& root, Centering dflt) {
  const std::string s = ctx.get_choice(root, "centering", dflt == Centering::none ? "none" : "dataset",
                                       {"none", "dataset"});
  return s == "none" ? Centering::none : Centering::dataset;
}

std::string centering_name(Centering c) { return c == Centering::none ? "none" : "dataset"; }

void emit_matrix(YAML::Emitter& e, const Eigen::MatrixXd& m) {
  e << YAML::Flow << YAML::BeginSeq;
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    e << YAML::BeginSeq;
    for (Eigen::Index j = 0; j < m.cols(); ++j) e << m(i, j);
    e << YAML::EndSeq;
  }
  e << YAML::EndSeq;
}

void emit_rules(YAML::Emitter& e, const std::vector<Rule>& rules) {
  e << YAML::Flow << YAML::BeginSeq;
  for (Rule r : rules) e << rule_name(r);
  e << YAML::EndSeq;
}

void emit_rule_numbers(YAML::Emitter& e, const std::map<Rule, double>& m) {
  e << YAML::Flow << YAML::BeginMap;
  for (const auto& [r, x] : m) e << YAML::Key << rule_name(r) << YAML::Value << x;
  e << YAML::EndMap;
}

std::string resolved(const StudyConfig& c) {
  YAML::Emitter e;
  e << YAML::BeginMap;
  e << YAML::Key << "study" << YAML::Value << c.study << YAML::Key << "name" << YAML::Value << c.name;
  e << YAML::Key << "description" << YAML::Value << c.description;
  e << YAML::Key << "activation" << YAML::Value << c.act.name();
  const bool toy = c.study == "toy_paths";
  e << YAML::Key << "inputs" << YAML::Value;
  emit_matrix(e, toy ? c.toy.X : c.hebb.X);
  e << YAML::Key << "targets" << YAML::Value;
  emit_matrix(e, toy ? c.toy.T : c.hebb.T);
  e << YAML::Key << "rules" << YAML::Value;
  emit_rules(e, toy ? c.toy.rules : c.hebb.rules);
  e << YAML::Key << "centering" << YAML::Value << centering_name(toy ? c.toy.centering : c.hebb.centering);
  if (toy) {
    e << YAML::Key << "start" << YAML::Value << YAML::Flow << std::vector<double>(c.toy.start.data(), c.toy.start.data() + c.toy.start.size());
    e << YAML::Key << "updates" << YAML::Value << c.toy.updates;
    e << YAML::Key << "natural_eta" << YAML::Value;
    emit_rule_numbers(e, c.toy.natural_eta);
    e << YAML::Key << "constant_step" << YAML::Value;
    emit_rule_numbers(e, c.toy.constant_step);
  } else {
    e << YAML::Key << "eta" << YAML::Value << c.hebb.eta << YAML::Key << "epochs" << YAML::Value << c.hebb.epochs;
    e << YAML::Key << "learn_bias" << YAML::Value << c.hebb.learn_bias;
    e << YAML::Key << "normalise" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "rules"
      << YAML::Value;
    emit_rules(e, c.hebb.normalise);
    e << YAML::Key << "frobenius_norm" << YAML::Value << c.hebb.norm << YAML::EndMap;
  }
  e << YAML::Key << "output" << YAML::Value << c.output << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

Eigen::VectorXd input_offset(const Eigen::MatrixXd& X, Centering c) {
  return c == Centering::dataset ? Eigen::VectorXd(X.colwise().mean().transpose()) : Eigen::VectorXd::Zero(X.cols());
}

// h = φ(Wᵀ(x − μ) + b) for every pattern (rows of X).
Eigen::MatrixXd outputs(const Activation& act, const Eigen::MatrixXd& X, const Eigen::VectorXd& mu,
                        const Eigen::MatrixXd& W, const Eigen::VectorXd& b) {
  Eigen::MatrixXd H(X.rows(), W.cols());
  for (Eigen::Index p = 0; p < X.rows(); ++p) {
    const Eigen::VectorXd a = W.transpose() * (X.row(p).transpose() - mu) + b;
    H.row(p) = act(a).transpose();
  }
  return H;
}

std::string tuple(const Eigen::RowVectorXd& v, int decimals) {
  std::string s = "(";
  for (Eigen::Index j = 0; j < v.size(); ++j) s += (j ? ", " : "") + fmt::format("{:.{}f}", v[j], decimals);
  return s + ")";
}

std::string tuple_int(const Eigen::RowVectorXd& v) {
  std::string s = "(";
  for (Eigen::Index j = 0; j < v.size(); ++j) s += (j ? ", " : "") + fmt::format("{:g}", v[j]);
  return s + ")";
}

// "(1, 0), (0, 1)"; single-column rows without parentheses: "0, 0, 1".
std::string rows_text(const Eigen::MatrixXd& m) {
  std::string s;
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    s += (i ? ", " : "") + (m.cols() == 1 ? fmt::format("{:g}", m(i, 0)) : tuple_int(m.row(i)));
  return s;
}

// Writes a table as /summary/<column> with /summary@columns.
void write_table(h5::File& f, const inspect::Table& t, const std::string& title) {
  std::string names;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    names += (c ? "," : "") + t.columns[c];
    const std::string path = "/summary/" + t.columns[c];
    const inspect::Value::Kind kind = t.rows.empty() ? inspect::Value::Kind::text : t.rows[0][c].kind;
    if (kind == inspect::Value::Kind::text) {
      std::vector<std::string> v;
      for (const auto& r : t.rows) v.push_back(r[c].text);
      f.write_strings(path, v);
    } else if (kind == inspect::Value::Kind::integer) {
      std::vector<int64_t> v;
      for (const auto& r : t.rows) v.push_back(r[c].integer);
      f.write(path, {v.size()}, v.data());
    } else {
      std::vector<double> v;
      for (const auto& r : t.rows) v.push_back(r[c].real);
      f.write(path, {v.size()}, v.data());
    }
  }
  f.attr("/summary", "columns", names);
  f.attr("/summary", "title", title);
}

void write_matrix(h5::File& f, const std::string& name, const Eigen::MatrixXd& m) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = m;
  f.write(name, {static_cast<hsize_t>(m.rows()), static_cast<hsize_t>(m.cols())}, r.data());
}

void write_common(h5::File& f, const StudyConfig& c) {
  prov::write(f, prov::collect(prov::command_line()), "study");
  f.attr("/", "study", c.study);
  f.attr("/", "name", c.name);
  f.attr("/", "config_file", c.file);
  f.attr("/", "base_seed", int64_t{0});
  f.attr("/", "activation", c.act.name());
  f.write_string("/config", resolved(c));
}

std::string run_toy(const StudyConfig& c) {
  const std::vector<ToyPath> paths = run_toy_paths(c.toy, c.act);
  const int half = c.toy.updates / 2;
  inspect::Table t;
  t.title = fmt::format("{}: {} -> {}, {}, {} full-batch updates from (w, b) = {}", c.name, rows_text(c.toy.X),
                        rows_text(c.toy.T), c.act.name(), c.toy.updates, tuple_int(c.toy.start.transpose()));
  t.columns = {"rule", "step_mode", "eta"};
  for (Eigen::Index i = 0; i + 1 < c.toy.start.size(); ++i) t.columns.push_back(fmt::format("w{}", i + 1));
  for (const char* n : {"b", "loss_start", "loss_half", "loss_end", "path_length", "directness"}) t.columns.push_back(n);
  for (const ToyPath& p : paths) {
    std::vector<inspect::Value> row = {inspect::Value::str(rule_name(p.rule)), inspect::Value::str(p.mode),
                                       inspect::Value::num(p.eta)};
    for (Eigen::Index i = 0; i < p.theta.cols(); ++i) row.push_back(inspect::Value::num(p.theta(p.theta.rows() - 1, i)));
    row.push_back(inspect::Value::num(p.loss.front()));
    row.push_back(inspect::Value::num(p.loss[half]));
    row.push_back(inspect::Value::num(p.loss.back()));
    row.push_back(inspect::Value::num(p.path_length()));
    row.push_back(inspect::Value::num(p.directness(), 3, true));
    t.rows.push_back(std::move(row));
  }
  prov::write_atomically(c.output, [&](h5::File& f) {
    write_common(f, c);
    write_matrix(f, "/inputs", c.toy.X);
    write_matrix(f, "/targets", c.toy.T);
    f.attr("/", "updates", static_cast<int64_t>(c.toy.updates));
    for (const ToyPath& p : paths) {
      const std::string g = fmt::format("/paths/{}_{}", rule_name(p.rule), p.mode);
      write_matrix(f, g + "/theta", p.theta);
      f.write(g + "/loss", {p.loss.size()}, p.loss.data());
      f.attr(g, "rule", rule_name(p.rule));
      f.attr(g, "step_mode", p.mode);
      f.attr(g, "eta", p.eta);
    }
    write_table(f, t, "final weights and squared error of each path");
  });
  return inspect::to_text(t);
}

inspect::Table slide_table(const StudyConfig& c, const std::vector<Storage>& res, int epoch, bool final) {
  inspect::Table t;
  t.title = final ? fmt::format("after {} epoch{} (outputs rounded to two digits; the file keeps the raw values)",
                                c.hebb.epochs, c.hebb.epochs == 1 ? "" : "s")
                  : fmt::format("after epoch {} (before any rescaling)", epoch + 1);
  t.columns = {"pattern", "input", "target"};
  for (const Storage& s : res) {
    t.columns.push_back(rule_name(s.rule));
    t.columns.push_back(rule_name(s.rule) + "_max_error");
  }
  for (Eigen::Index p = 0; p < c.hebb.X.rows(); ++p) {
    std::vector<inspect::Value> row = {inspect::Value::count(p + 1), inspect::Value::str(tuple_int(c.hebb.X.row(p))),
                                       inspect::Value::str(tuple_int(c.hebb.T.row(p)))};
    for (const Storage& s : res) {
      const Eigen::MatrixXd& H = final ? s.outputs : s.per_epoch[epoch];
      row.push_back(inspect::Value::str(tuple(H.row(p), 2)));
      row.push_back(inspect::Value::num((H.row(p) - c.hebb.T.row(p)).cwiseAbs().maxCoeff(), 3, true));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string run_hebb(const StudyConfig& c) {
  const std::vector<Storage> res = run_where_hebb_fails(c.hebb, c.act);
  const inspect::Table final_table = slide_table(c, res, 0, true);
  prov::write_atomically(c.output, [&](h5::File& f) {
    write_common(f, c);
    write_matrix(f, "/inputs", c.hebb.X);
    write_matrix(f, "/targets", c.hebb.T);
    f.attr("/", "eta", c.hebb.eta);
    f.attr("/", "epochs", static_cast<int64_t>(c.hebb.epochs));
    f.attr("/", "centering", centering_name(c.hebb.centering));
    f.attr("/", "normalisation",
           fmt::format("after training, W of the rules marked normalised=1 is rescaled to Frobenius norm {} "
                       "(their scale is arbitrary); the others keep what they learned",
                       c.hebb.norm));
    for (const Storage& s : res) {
      const std::string r = rule_name(s.rule);
      write_matrix(f, "/outputs/" + r, s.outputs);
      write_matrix(f, "/weights/" + r, s.W);
      const Eigen::Index P = s.outputs.rows(), M = s.outputs.cols();
      std::vector<double> all;
      for (const auto& H : s.per_epoch)
        for (Eigen::Index p = 0; p < P; ++p)
          for (Eigen::Index j = 0; j < M; ++j) all.push_back(H(p, j));
      f.write("/outputs_per_epoch/" + r, {s.per_epoch.size(), static_cast<hsize_t>(P), static_cast<hsize_t>(M)},
              all.data());
      f.attr("/outputs/" + r, "normalised", static_cast<int64_t>(s.normalised));
      f.attr("/outputs/" + r, "norm_before", s.norm_before);
    }
    write_table(f, final_table, fmt::format("outputs after {} epochs, rounded", c.hebb.epochs));
  });
  std::string norm_note;
  for (const Storage& s : res)
    norm_note += fmt::format("{}{}: ‖W‖_F {:.3g}{}", norm_note.empty() ? "" : "; ", rule_name(s.rule), s.norm_before,
                             s.normalised ? fmt::format(" rescaled to {:g}", c.hebb.norm) : " kept");
  std::string out = fmt::format("{}: {}, eta {:g}, one update per pattern, {} epoch{}, centering {}, bias {}\n",
                                c.name, c.act.name(), c.hebb.eta, c.hebb.epochs, c.hebb.epochs == 1 ? "" : "s",
                                centering_name(c.hebb.centering), c.hebb.learn_bias ? "learned" : "fixed at 0");
  out += "weights: " + norm_note + "\n\n";
  if (c.hebb.epochs > 1) out += inspect::to_text(slide_table(c, res, 0, false)) + "\n";
  return out + inspect::to_text(final_table);
}

}  // namespace

double ToyPath::path_length() const {
  double len = 0;
  for (Eigen::Index k = 1; k < theta.rows(); ++k) len += (theta.row(k) - theta.row(k - 1)).norm();
  return len;
}

double ToyPath::directness() const {
  const double len = path_length();
  return len > 0 ? (theta.row(theta.rows() - 1) - theta.row(0)).norm() / len : 1.0;
}

std::vector<ToyPath> run_toy_paths(const ToyPathsConfig& c, const Activation& act) {
  const Eigen::Index n_in = c.X.cols(), n_out = c.T.cols();
  const Eigen::VectorXd mu = input_offset(c.X, c.centering);
  SequenceMeans means{c.X.colwise().mean().transpose(), c.T.colwise().mean().transpose()};
  std::vector<ToyPath> out;
  for (const std::string mode : {"natural", "constant"}) {
    for (Rule rule : c.rules) {
      ToyPath p;
      p.rule = rule;
      p.mode = mode;
      p.eta = mode == "natural" ? c.natural_eta.at(rule) : c.constant_step.at(rule);
      Eigen::MatrixXd W = Eigen::Map<const Eigen::MatrixXd>(c.start.data(), n_in, n_out);
      Eigen::VectorXd b = c.start.tail(n_out);
      p.theta.resize(c.updates + 1, n_in + n_out);
      for (int k = 0; k <= c.updates; ++k) {
        p.theta.row(k) << Eigen::Map<const Eigen::RowVectorXd>(W.data(), W.size()), b.transpose();
        const Eigen::MatrixXd H = outputs(act, c.X, mu, W, b);
        p.loss.push_back(0.5 * (H - c.T).squaredNorm());
        if (k == c.updates) break;
        // Full batch: the sum of every pattern's step, then one update.
        Eigen::MatrixXd dW = Eigen::MatrixXd::Zero(n_in, n_out);
        Eigen::VectorXd db = Eigen::VectorXd::Zero(n_out);
        RuleStep step;
        for (Eigen::Index q = 0; q < c.X.rows(); ++q) {
          const Eigen::VectorXd x = c.X.row(q).transpose(), t = c.T.row(q).transpose();
          const Eigen::VectorXd xc = x - mu;
          const Eigen::VectorXd a = W.transpose() * xc + b;
          rule_step(rule, act, xc, x, a, act(a), t, means, step);
          dW.noalias() += *step.u * step.d.transpose();
          db += step.db;
        }
        double scale = 1.0;
        if (mode == "constant") {
          const double len = std::sqrt(dW.squaredNorm() + db.squaredNorm());
          scale = len > 0 ? 1.0 / len : 0.0;
        }
        // apply_step adds η u dᵀ: one call per output column with d the unit vector of that column.
        for (Eigen::Index j = 0; j < n_out; ++j) {
          RuleStep column;
          const Eigen::VectorXd u = scale * dW.col(j);
          column.u = &u;
          column.d = Eigen::VectorXd::Unit(n_out, j);
          column.db = j == 0 ? Eigen::VectorXd(scale * db) : Eigen::VectorXd::Zero(n_out);
          apply_step(column, p.eta, 0.0, true, W, b);
        }
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

std::vector<Storage> run_where_hebb_fails(const WhereHebbFailsConfig& c, const Activation& act) {
  const Eigen::Index n_in = c.X.cols(), n_out = c.T.cols();
  const Eigen::VectorXd mu = input_offset(c.X, c.centering);
  SequenceMeans means{c.X.colwise().mean().transpose(), c.T.colwise().mean().transpose()};
  std::vector<Storage> out;
  for (Rule rule : c.rules) {
    Storage s;
    s.rule = rule;
    Eigen::MatrixXd W = Eigen::MatrixXd::Zero(n_in, n_out);
    Eigen::VectorXd b = Eigen::VectorXd::Zero(n_out);
    RuleStep step;
    for (int e = 0; e < c.epochs; ++e) {
      for (Eigen::Index q = 0; q < c.X.rows(); ++q) {
        const Eigen::VectorXd x = c.X.row(q).transpose(), t = c.T.row(q).transpose();
        const Eigen::VectorXd xc = x - mu;
        const Eigen::VectorXd a = W.transpose() * xc + b;
        rule_step(rule, act, xc, x, a, act(a), t, means, step);
        apply_step(step, c.eta, 0.0, c.learn_bias, W, b);
      }
      s.per_epoch.push_back(outputs(act, c.X, mu, W, b));
    }
    s.norm_before = W.norm();
    s.normalised = std::find(c.normalise.begin(), c.normalise.end(), rule) != c.normalise.end() && s.norm_before > 0;
    if (s.normalised) W *= c.norm / s.norm_before;
    s.W = W;
    s.outputs = outputs(act, c.X, mu, W, b);
    out.push_back(std::move(s));
  }
  return out;
}

const std::vector<std::string>& study_keys() {
  static const std::vector<std::string> keys = concat(concat(kCommonKeys, kToyKeys), kHebbKeys);
  return keys;
}

StudyConfig load_study(const std::string& path) {
  const YAML::Node root = cfg::load_yaml_file(path);
  const cfg::YamlContext ctx(path);
  return parse_study(root, ctx);
}

StudyConfig parse_study(const YAML::Node& root, const cfg::YamlContext& ctx) {
  StudyConfig c;
  c.file = ctx.file();
  ctx.get_choice(root, "kind", "study", {"study"});
  c.study = ctx.get_choice(root, "study", "", {"toy_paths", "where_hebb_fails"});
  if (c.study.empty()) ctx.fail(root, "missing key 'study' (toy_paths or where_hebb_fails)");
  const bool toy = c.study == "toy_paths";
  ctx.check_keys(root, concat(kCommonKeys, toy ? kToyKeys : kHebbKeys), "a " + c.study + " study");
  c.name = ctx.get_string(root, "name", toy ? "study1_toy_paths" : "study2_where_hebb_fails");
  c.description = ctx.get_string(root, "description", "");
  c.output = ctx.get_string(root, "output", "results/" + c.name + ".h5");
  ActivationKind kind = ActivationKind::sigmoid;
  activation_from_name(ctx.get_choice(root, "activation", "sigmoid", activation_names()), kind);
  c.act = Activation::make(kind);
  const Eigen::MatrixXd X = read_matrix(ctx, root, "inputs"), T = read_matrix(ctx, root, "targets");
  if (X.rows() != T.rows())
    ctx.fail(root["targets"], fmt::format("key 'targets': {} rows for {} input rows; give one target per input",
                                          T.rows(), X.rows()));
  if (toy) {
    ToyPathsConfig& t = c.toy;
    t.X = X;
    t.T = T;
    t.rules = read_rules(ctx, root, "rules", {Rule::hd, Rule::gd});
    t.centering = read_centering(ctx, root, Centering::none);
    t.updates = static_cast<int>(ctx.get_int(root, "updates", 50));
    if (t.updates < 1 || t.updates > 100000) ctx.fail(root["updates"], "key 'updates': expected 1 to 100000");
    t.start = Eigen::VectorXd::Zero(X.cols() + T.cols());
    const YAML::Node start = root["start"];
    if (start.IsDefined() && !start.IsNull()) {
      if (!start.IsSequence() || start.size() != static_cast<size_t>(t.start.size()))
        ctx.fail(start, fmt::format("key 'start': expected [w1, …, w{}, b]: the {} weights then the bias, got {}",
                                    X.cols(), X.cols(), cfg::show(start)));
      for (size_t i = 0; i < start.size(); ++i)
        if (!start[i].IsScalar() || !YAML::convert<double>::decode(start[i], t.start[i]) || !std::isfinite(t.start[i]))
          ctx.fail(start[i], fmt::format("key 'start': expected a finite number, got {}", cfg::show(start[i])));
    }
    if (T.cols() != 1) ctx.fail(root["targets"], "key 'targets': the toy study has one output unit; give one value per row");
    t.natural_eta = read_rule_numbers(ctx, root, "natural_eta", t.rules);
    t.constant_step = read_rule_numbers(ctx, root, "constant_step", t.rules);
  } else {
    WhereHebbFailsConfig& h = c.hebb;
    h.X = X;
    h.T = T;
    h.rules = read_rules(ctx, root, "rules", {Rule::hebb, Rule::cov, Rule::hd});
    h.centering = read_centering(ctx, root, Centering::dataset);
    h.eta = ctx.get_double(root, "eta", 10.0);
    if (!(h.eta > 0)) ctx.fail(root["eta"], "key 'eta': expected a positive learning rate");
    h.epochs = static_cast<int>(ctx.get_int(root, "epochs", 1));
    if (h.epochs < 1 || h.epochs > 1000000) ctx.fail(root["epochs"], "key 'epochs': expected 1 to 1000000");
    h.learn_bias = ctx.get_bool(root, "learn_bias", false);
    const YAML::Node n = root["normalise"];
    if (n.IsDefined() && !n.IsNull()) {
      ctx.require_map(n, "normalise");
      ctx.check_keys(n, {"rules", "frobenius_norm"}, "normalise");
      h.normalise = read_rules(ctx, n, "rules", {});
      h.norm = ctx.get_double(n, "frobenius_norm", 100.0);
      if (!(h.norm > 0)) ctx.fail(n["frobenius_norm"], "key 'normalise.frobenius_norm': expected a positive number");
    }
  }
  return c;
}

std::string run_study(const StudyConfig& c) {
  return (c.study == "toy_paths" ? run_toy(c) : run_hebb(c)) + fmt::format("results: {}\n", c.output);
}

}  // namespace hds::study
