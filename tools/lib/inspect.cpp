// Result-file inspection (see inspect.hpp).
#include "tools/lib/inspect.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/error.hpp"
#include "tools/lib/experiment.hpp"
#include "tools/lib/inspect_autoassociation.hpp"
#include "tools/lib/inspect_network.hpp"

namespace hds::inspect {
namespace {

constexpr size_t kGroupsShown = 3;  // sibling groups listed in full before the rest are counted

std::string join_path(const std::string& group, const std::string& name) {
  return group == "/" ? "/" + name : group + "/" + name;
}

std::string shape_text(const std::vector<hsize_t>& d) {
  if (d.empty()) return "scalar";
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string part; std::getline(ss, part, ',');) {
    const auto a = part.find_first_not_of(' '), b = part.find_last_not_of(' ');
    if (a != std::string::npos) out.push_back(part.substr(a, b - a + 1));
  }
  return out;
}

bool is_integer_type(const std::string& type) { return type.find("int") != std::string::npos; }

constexpr int kMaxDepth = 32;  // deeper nesting than any hds file has: a damaged file's link loop

void walk(const h5::File& f, const std::string& group, int depth, std::string& out, std::set<uint64_t>& seen) {
  if (depth > kMaxDepth || !seen.insert(f.address(group)).second)
    throw UserError(fmt::format("{}: group '{}' links back to a group above it (or nests deeper than {}); the "
                                "file is damaged",
                                f.path(), group, kMaxDepth));
  const std::vector<std::string> names = f.list(group);
  size_t groups_seen = 0, groups_total = 0;
  for (const auto& n : names) groups_total += f.is_group(join_path(group, n));
  for (const auto& n : names) {
    const std::string path = join_path(group, n);
    const std::string indent(2 * depth + 2, ' ');
    if (f.is_group(path)) {
      if (++groups_seen > kGroupsShown && groups_total > kGroupsShown + 1) {
        if (groups_seen == kGroupsShown + 1)
          out += fmt::format("{}… {} more groups like {}/\n", indent, groups_total - kGroupsShown, n);
        continue;
      }
      out += fmt::format("{}{}/\n", indent, n);
      walk(f, path, depth + 1, out, seen);
    } else if (!f.is_scale(path)) {  // a dimension scale (an axis's indices, layout 2) is not shown
      const std::string label = indent + n;
      out += fmt::format("{:<40} {:<8} {}\n", label, f.type_name(path), shape_text(f.dims(path)));
    }
  }
}

std::string attr_text(const h5::File& f, const std::string& name) {
  const std::string type = f.attr_type_name("/", name);
  const auto d = f.attr_dims("/", name);
  if (!d.empty()) return fmt::format("({} array {})", type, shape_text(d));
  if (type == "string") {
    const std::string s = f.read_attr_string("/", name);
    const auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl) + " …";
  }
  if (is_integer_type(type)) return std::to_string(f.read_attr_int("/", name));
  if (type.rfind("float", 0) == 0) return fmt::format("{:.6g}", f.read_attr_double("/", name));
  return "(" + type + ")";
}

std::string attr_or(const h5::File& f, const std::string& name, const std::string& dflt) {
  return f.has_attr("/", name) && f.attr_type_name("/", name) == "string" ? f.read_attr_string("/", name) : dflt;
}

// The number under `key` in the /config YAML, NaN when absent or not a number.
double config_number(const h5::File& f, const std::string& key) {
  if (!f.exists("/config")) return std::nan("");
  try {
    const YAML::Node v = YAML::Load(f.read_string("/config"))[key];
    double x = 0;
    return v.IsDefined() && v.IsScalar() && YAML::convert<double>::decode(v, x) ? x : std::nan("");
  } catch (const YAML::Exception&) {
    return std::nan("");
  }
}

void require(const h5::File& f, const std::string& name, const std::string& what) {
  if (!f.exists(name))
    throw UserError(fmt::format("{}: no '{}' ({}); the file is incomplete or was not written by hds", f.path(),
                                name, what));
}

Table run_summary(const h5::File& f) {
  for (const char* a : {"rule", "activation", "eta", "last_n", "last_n_mean", "last_n_sd", "n_diverged"})
    if (!f.has_attr("/", a))
      throw UserError(fmt::format("{}: run file without the root attribute '{}'; it is incomplete", f.path(), a));
  require(f, "/last_n_error", "per-repetition last-N errors");
  const auto reps = f.dims("/last_n_error");
  Table t;
  t.title = fmt::format("{} (run): {} -> {}", attr_or(f, "name", "?"), attr_or(f, "inputs", "?"),
                        attr_or(f, "targets", "?"));
  t.columns = {"name", "rule", "activation", "eta", "weight_decay", "patterns", "repetitions", "last_n",
               "last_n_mean", "last_n_sd", "n_diverged"};
  const int64_t patterns = f.exists("/forgetting_curve") && f.dims("/forgetting_curve").size() == 2
                               ? static_cast<int64_t>(f.dims("/forgetting_curve")[1])
                               : -1;
  t.rows.push_back({Value::str(attr_or(f, "name", "")), Value::str(f.read_attr_string("/", "rule")),
                    Value::str(f.read_attr_string("/", "activation")), Value::num(f.read_attr_double("/", "eta")),
                    Value::num(config_number(f, "weight_decay")), Value::count(patterns),
                    Value::count(reps.empty() ? 0 : static_cast<int64_t>(reps[0])),
                    Value::count(f.read_attr_int("/", "last_n")),
                    Value::num(f.read_attr_double("/", "last_n_mean"), 4, true),
                    Value::num(f.read_attr_double("/", "last_n_sd"), 4, true),
                    Value::count(f.read_attr_int("/", "n_diverged"))});
  return t;
}

std::vector<std::string> tuned_axes(const h5::File& f) {
  if (f.has_attr("/", "tuned_axes")) return split_commas(f.read_attr_string("/", "tuned_axes"));
  std::vector<std::string> axes;
  for (const auto& n : f.list("/grid")) axes.push_back(n);
  return axes;
}

int64_t repetitions(const h5::File& f) {
  if (f.has_attr("/", "repetitions")) return f.read_attr_int("/", "repetitions");
  return -1;
}

// The names of a sweep's score: its G x R table in each cell and its summary stem (association, and
// files written before sweeps had kinds: last_n_error and last_n).
struct ScoreNames {
  std::string dataset = "last_n_error", stem = "last_n", what;
};
ScoreNames score_names(const h5::File& f) {
  ScoreNames n;
  if (f.has_attr("/", "score")) n.dataset = f.read_attr_string("/", "score");
  if (f.has_attr("/", "summary_score")) n.stem = f.read_attr_string("/", "summary_score");
  for (const std::string* name : {&n.dataset, &n.stem})
    if (name->empty() || name->find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
      throw UserError(fmt::format("{}: the score's name '{}' is not one hds writes; the file is damaged", f.path(), *name));
  if (n.stem == "last_n") {
    const int64_t last_n = f.has_attr("/", "last_n") ? f.read_attr_int("/", "last_n") : -1;
    n.what = fmt::format("last-{} error", last_n);
  } else {
    n.what = n.dataset;
    std::replace(n.what.begin(), n.what.end(), '_', ' ');
  }
  if (attr_or(f, "score_order", "lower_is_better") == "higher_is_better") n.what += " (higher is better)";
  return n;
}

Table sweep_summary(const h5::File& f) {
  const ScoreNames score = score_names(f);
  for (const std::string& d : std::vector<std::string>{"/summary/label", "/summary/" + score.stem + "_mean",
                                                      "/summary/" + score.stem + "_sd", "/summary/n_diverged"})
    require(f, d, "the per-cell summary");
  const auto labels = f.read_strings("/summary/label");
  const auto mean = f.read_doubles("/summary/" + score.stem + "_mean");
  const auto sd = f.read_doubles("/summary/" + score.stem + "_sd");
  const auto div = f.read_int64s("/summary/n_diverged");
  const auto axes = tuned_axes(f);
  std::vector<std::vector<double>> winners;
  for (const auto& a : axes) {
    require(f, "/summary/winner_" + a, "the winner's tuned value");
    winners.push_back(f.read_doubles("/summary/winner_" + a));
  }
  const size_t C = labels.size();
  if (mean.size() != C || sd.size() != C || div.size() != C)
    throw UserError(fmt::format("{}: /summary datasets differ in length; the file is damaged", f.path()));
  Table t;
  t.title = fmt::format("{} (sweep): {} cells, {} grid points, {} repetitions, {} of each cell's winner",
                        attr_or(f, "name", "?"), C, f.has_attr("/", "n_grid") ? f.read_attr_int("/", "n_grid") : -1,
                        repetitions(f), score.what);
  t.columns = {"cell", "label"};
  for (const auto& a : axes) t.columns.push_back("winner_" + a);
  for (const std::string& c : std::vector<std::string>{score.stem + "_mean", score.stem + "_sd", "n_diverged", "repetitions"})
    t.columns.push_back(c);
  // Files since adaptive tuning: how many points each cell evaluated, and whether its winner sits on
  // an edge of them that could not be extended (results/README.md).
  const bool evaluated = f.exists("/summary/winner_on_bound");
  std::vector<int64_t> on_bound, n_points;
  if (evaluated) {
    on_bound = f.read_int64s("/summary/winner_on_bound");
    if (on_bound.size() != C)
      throw UserError(fmt::format("{}: /summary/winner_on_bound has {} entries for {} cells; the file is damaged",
                                  f.path(), on_bound.size(), C));
    for (size_t c = 0; c < C; ++c) {
      const std::string d = fmt::format("/cells/c{:04d}/evaluated/{}", c, score.dataset);
      require(f, d, "the cell's evaluated points");
      const auto dims = f.dims(d);
      n_points.push_back(dims.empty() ? 0 : static_cast<int64_t>(dims[0]));
    }
    t.columns.push_back("evaluated");
    t.columns.push_back("on_bound");
  }
  for (size_t c = 0; c < C; ++c) {
    std::vector<Value> row = {Value::count(static_cast<int64_t>(c)), Value::str(labels[c])};
    for (const auto& w : winners) row.push_back(Value::num(c < w.size() ? w[c] : std::nan("")));
    row.push_back(Value::num(mean[c], 4, true));
    row.push_back(Value::num(sd[c], 4, true));
    row.push_back(Value::count(div[c]));
    row.push_back(Value::count(repetitions(f)));
    if (evaluated) {
      row.push_back(Value::count(n_points[c]));
      row.push_back(Value::str(on_bound[c] ? "yes" : ""));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

// A study (or any other kind) lists its summary columns in /summary@columns.
Table columns_summary(const h5::File& f, const std::string& k) {
  if (!f.exists("/summary") || !f.has_attr("/summary", "columns"))
    throw UserError(fmt::format("{}: kind '{}' has no summary table (no /summary@columns); the tree and "
                                "provenance ('hds inspect FILE') are all inspect can show",
                                f.path(), k));
  Table t;
  t.title = fmt::format("{} ({}){}", attr_or(f, "name", "?"), k,
                        f.has_attr("/summary", "title") ? ": " + f.read_attr_string("/summary", "title") : "");
  t.columns = split_commas(f.read_attr_string("/summary", "columns"));
  std::vector<std::vector<Value>> cols;
  size_t rows = 0;
  for (const auto& c : t.columns) {
    const std::string path = "/summary/" + c;
    require(f, path, "a column listed in /summary@columns");
    const std::string type = f.type_name(path);
    std::vector<Value> col;
    if (type == "string")
      for (auto& s : f.read_strings(path)) col.push_back(Value::str(s));
    else if (is_integer_type(type))
      for (auto x : f.read_int64s(path)) col.push_back(Value::count(x));
    else
      for (auto x : f.read_doubles(path)) col.push_back(Value::num(x));
    rows = std::max(rows, col.size());
    cols.push_back(std::move(col));
  }
  for (size_t r = 0; r < rows; ++r) {
    std::vector<Value> row;
    for (const auto& col : cols) row.push_back(r < col.size() ? col[r] : Value::str(""));
    t.rows.push_back(std::move(row));
  }
  return t;
}

size_t find_cell(const h5::File& f, const std::vector<std::string>& labels, const std::string& cell) {
  if (!cell.empty() && std::all_of(cell.begin(), cell.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    // Compared as text first: an index of any length is refused, not overflowed.
    const std::string digits = cell.substr(std::min(cell.find_first_not_of('0'), cell.size() - 1));
    const size_t i = digits.size() <= 18 ? std::stoull(digits) : labels.size();
    if (i >= labels.size())
      throw UserError(fmt::format("{}: --cell {}: the sweep has cells 0 to {}", f.path(), cell, labels.size() - 1));
    return i;
  }
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == cell) return i;
  std::vector<size_t> hits;
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i].find(cell) != std::string::npos) hits.push_back(i);
  if (hits.size() == 1) return hits[0];
  if (hits.empty())
    throw UserError(fmt::format("{}: --cell '{}': no cell has that label; give an index (0 to {}) or a label "
                                "from 'hds inspect {}'",
                                f.path(), cell, labels.size() - 1, f.path()));
  throw UserError(fmt::format("{}: --cell '{}' matches {} cells (e.g. '{}' and '{}'); give the full label or the index",
                              f.path(), cell, hits.size(), labels[hits[0]], labels[hits[1]]));
}

}  // namespace

void check_result_file(const h5::File& f) {
  if (!f.has_attr("/", "format") || f.attr_type_name("/", "format") != "string" ||
      f.read_attr_string("/", "format") != "hds-result")
    throw UserError(fmt::format("{}: not an hds result file (no root attribute format=\"hds-result\")", f.path()));
  if (!f.has_attr("/", "layout_version"))
    throw UserError(fmt::format("{}: hds result without a layout_version attribute; cannot tell how to read it",
                                f.path()));
  const double v = f.read_attr_double("/", "layout_version");
  if (v > kLayoutVersion)
    throw UserError(fmt::format("{}: layout_version {} is newer than this hds reads ({}); use a newer hds",
                                f.path(), v, kLayoutVersion));
  if (!(v >= 1) || v != std::floor(v))
    throw UserError(fmt::format("{}: layout_version {} is not one hds ever wrote (1 to {}); the file is damaged "
                                "or was not written by hds",
                                f.path(), v, kLayoutVersion));
  if (!f.has_attr("/", "kind") || f.attr_type_name("/", "kind") != "string")
    throw UserError(fmt::format("{}: hds result without a 'kind' attribute (run, sweep, study)", f.path()));
  const std::string k = kind(f);
  const bool word = !k.empty() && k.size() <= 32 && std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (!word)
    throw UserError(fmt::format("{}: the 'kind' attribute is not a name hds writes (run, sweep, study); the file "
                                "is damaged",
                                f.path()));
}

std::string kind(const h5::File& f) { return f.read_attr_string("/", "kind"); }

std::string tree_text(const h5::File& f) {
  std::string out = "/\n";
  std::set<uint64_t> seen;
  walk(f, "/", 0, out, seen);
  return out;
}

std::string provenance_text(const h5::File& f) {
  std::string out = "root attributes:\n";
  for (const auto& n : f.attr_names("/")) out += fmt::format("  {:<16} {}\n", n, attr_text(f, n));
  if (!f.exists("/provenance/data_files")) return out + "data files: (no /provenance/data_files)\n";
  const auto files = f.read_strings("/provenance/data_files");
  const auto sums = f.exists("/provenance/data_sha256") ? f.read_strings("/provenance/data_sha256")
                                                         : std::vector<std::string>();
  const auto notes = f.exists("/provenance/data_notes") ? f.read_strings("/provenance/data_notes")
                                                        : std::vector<std::string>();
  const auto bytes = f.exists("/provenance/data_bytes") ? f.read_int64s("/provenance/data_bytes")
                                                        : std::vector<int64_t>();
  if (files.empty()) return out + "data files: none (generated data only)\n";
  out += "data files:\n";
  for (size_t i = 0; i < files.size(); ++i) {
    out += fmt::format("  {}\n    {} bytes, sha256 {}\n", files[i], i < bytes.size() ? bytes[i] : -1,
                       i < sums.size() ? sums[i] : "?");
    if (i < notes.size() && !notes[i].empty()) out += fmt::format("    note: {}\n", notes[i]);
  }
  return out;
}

Table summary(const h5::File& f) {
  const std::string k = kind(f);
  if (k == "run" && is_autoassociation(f)) return autoassociation_summary(f);
  if (k == "run") return run_summary(f);
  if (k == "sweep") return sweep_summary(f);
  return columns_summary(f, k);
}

Table cell_detail(const h5::File& f, const std::string& cell) {
  if (kind(f) != "sweep")
    throw UserError(fmt::format("{}: --cell is for sweep files; this one is a {} file", f.path(), kind(f)));
  require(f, "/summary/label", "the per-cell labels");
  const auto labels = f.read_strings("/summary/label");
  if (labels.empty()) throw UserError(fmt::format("{}: the sweep has no cells", f.path()));
  const size_t c = find_cell(f, labels, cell);
  const std::string group = fmt::format("/cells/c{:04d}", c);
  const ScoreNames score = score_names(f);
  // Every evaluated point when the file has them (since adaptive tuning), else the initial grid.
  const bool evaluated = f.exists(group + "/evaluated/" + score.dataset);
  const std::string where = evaluated ? group + "/evaluated" : group;
  const std::string table = where + "/" + score.dataset;
  require(f, table, "the cell's grid of scores");
  const auto dims = f.dims(table);
  if (dims.size() != 2) throw UserError(fmt::format("{}: {} is not [G, R]", f.path(), table));
  const size_t G = dims[0], R = dims[1];
  const auto err = f.read_doubles(table);
  const auto div = f.exists(where + "/diverged") ? f.read_int64s(where + "/diverged") : std::vector<int64_t>();
  const auto axes = tuned_axes(f);
  std::vector<std::vector<double>> grid;
  for (const auto& a : axes) {
    const std::string d = evaluated ? where + "/" + a : "/grid/" + a;
    require(f, d, "the tuned axis' values");
    grid.push_back(f.read_doubles(d));
  }
  const std::vector<int64_t> rounds = evaluated && f.exists(where + "/round") ? f.read_int64s(where + "/round")
                                                                             : std::vector<int64_t>();
  const std::string winner_set = evaluated && f.exists("/summary/winner_evaluated_index") ? "/summary/winner_evaluated_index"
                                                                                          : "/summary/winner_index";
  std::vector<int64_t> winners;
  for (const std::string& set : {std::string("/summary/winner_index"), winner_set}) {
    winners = f.exists(set) ? f.read_int64s(set) : std::vector<int64_t>();
    if (!winners.empty() && winners.size() != labels.size())
      throw UserError(fmt::format("{}: {} has {} entries for {} cells; the file is damaged", f.path(), set,
                                  winners.size(), labels.size()));
  }
  const int64_t winner = winners.empty() ? -1 : winners[c];
  const auto bound = f.exists("/summary/winner_on_bound") ? f.read_int64s("/summary/winner_on_bound")
                                                          : std::vector<int64_t>();
  const bool on_bound = c < bound.size() && bound[c] != 0;
  Table t;
  const size_t initial = f.exists("/grid/" + (axes.empty() ? std::string("?") : axes[0]))
                             ? f.dims("/grid/" + axes[0]).at(0) : G;
  t.title = evaluated ? fmt::format("cell {}: {} ({} evaluated points, {} of them the initial grid, × {} repetitions; "
                                    "* the winner{})", c, labels[c], G, initial, R,
                                    on_bound ? ", which is ON A BOUND of the evaluated points" : "")
                      : fmt::format("cell {}: {} ({} grid points × {} repetitions; * the winner)", c, labels[c], G, R);
  t.columns = {"grid_point"};
  for (const auto& a : axes) t.columns.push_back(a);
  for (const std::string& n : std::vector<std::string>{score.stem + "_mean", score.stem + "_sd", "n_diverged", "winner"})
    t.columns.push_back(n);
  if (evaluated) t.columns.push_back("round");
  for (size_t g = 0; g < G; ++g) {
    std::vector<double> v(err.begin() + g * R, err.begin() + (g + 1) * R);
    double mean = 0, sd = 0;
    exp::mean_sd(v, mean, sd);
    int64_t n_div = 0;
    for (size_t r = 0; r < R && g * R + r < div.size(); ++r) n_div += div[g * R + r] != 0;
    std::vector<Value> row = {Value::count(static_cast<int64_t>(g))};
    for (const auto& a : grid) row.push_back(Value::num(g < a.size() ? a[g] : std::nan("")));
    row.push_back(Value::num(mean, 4, true));
    row.push_back(Value::num(sd, 4, true));
    row.push_back(Value::count(n_div));
    row.push_back(Value::str(static_cast<int64_t>(g) == winner ? "*" : ""));
    if (evaluated) row.push_back(Value::count(g < rounds.size() ? rounds[g] : -1));
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string report(const std::string& path, const std::string& cell, const std::string& format) {
  const h5::File f(path, h5::File::Mode::read);
  check_result_file(f);
  if (kind(f) == "run" && is_network(f)) {
    if (!cell.empty()) throw UserError(fmt::format("{}: --cell is for sweep files; this one is a network run", path));
    const std::string body = network_report(f, format);
    return format == "text" ? fmt::format("{} (run file, network)\n\n{}\n{}\n{}", path, tree_text(f),
                                          provenance_text(f), body)
                            : body;
  }
  if (is_autoassociation(f)) {
    if (!cell.empty()) throw UserError(fmt::format("{}: --cell is for sweep files; this one is an autoassociation run", path));
    const std::string body = autoassociation_report(f, format);
    return format == "text" ? fmt::format("{} (run file, autoassociation)\n\n{}\n{}\n{}", path, tree_text(f),
                                          provenance_text(f), body)
                            : body;
  }
  const std::vector<std::pair<std::string, std::string>> meta = {{"file", path}, {"kind", kind(f)}};
  if (format != "text") {
    const Table t = cell.empty() ? summary(f) : cell_detail(f, cell);
    return format == "csv" ? to_csv(t) : to_json(t, meta);
  }
  if (!cell.empty()) return to_text(cell_detail(f, cell));
  const std::string k = kind(f);
  const std::string head = fmt::format("{} ({} file)\n\n{}\n{}\n", path, k, tree_text(f), provenance_text(f));
  if (k != "run" && k != "sweep" && !(f.exists("/summary") && f.has_attr("/summary", "columns")))
    return head + fmt::format("(no summary table: kind '{}' has no /summary@columns)\n", k);
  return head + to_text(summary(f));
}

}  // namespace hds::inspect
