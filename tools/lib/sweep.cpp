// Reading and expanding sweep files (see sweep.hpp).
#include "tools/lib/sweep.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"
#include "datasets/sha256.hpp"
#include "tools/lib/config.hpp"

namespace hds::sweep {
namespace {

const std::vector<std::string> kSweepKeys = {"name", "description", "base", "cells", "tune", "output"};

// A cell axis: one or more experiment keys whose values vary together (a zipped group).
struct CellAxis {
  std::string name;
  std::vector<std::string> keys;
  std::vector<std::vector<YAML::Node>> values;  // values[key][i]
  size_t size() const { return values.empty() ? 0 : values[0].size(); }
};

// Short text of a value for labels: a source's dataset, an activation's name, or flow YAML.
std::string short_text(const YAML::Node& v) {
  if (v.IsScalar()) return v.Scalar();
  if (v.IsMap()) {
    std::string head;
    if (v["dataset"]) head = v["dataset"].Scalar();
    else if (v["name"]) head = v["name"].Scalar();
    std::string rest;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string k = it->first.Scalar();
      if (k == "dataset" || k == "name") continue;
      rest += (rest.empty() ? "" : ",") + k + "=" + cfg::show(it->second);
    }
    rest.erase(std::remove(rest.begin(), rest.end(), '\''), rest.end());
    if (!head.empty()) return rest.empty() ? head : head + "(" + rest + ")";
  }
  return cfg::show(v);
}

// Checks that `key` (a.b) names a key of the kind's experiments; the first part must be one.
void check_axis_key(const kind::Kind& kind, const std::string& key, const YAML::Node& where,
                    const cfg::YamlContext& ctx) {
  const std::string root = key.substr(0, key.find('.'));
  const auto& allowed = kind.keys();
  if (std::find(allowed.begin(), allowed.end(), root) != allowed.end()) {
    if (root == "output" || root == "name" || root == "description" || root == "store")
      ctx.fail(where, fmt::format("'{}' cannot be a cell axis (it does not change what is trained)", key));
    if (root == "kind")
      ctx.fail(where, "'kind' cannot be a cell axis (a sweep compares experiments of one kind); write one sweep per kind");
    return;
  }
  const std::string near = cfg::closest(root, allowed);
  ctx.fail(where, fmt::format("unknown axis '{}': not an experiment key{}", key,
                              near.empty() ? "" : " (did you mean '" + near + "'?)"));
}

std::vector<YAML::Node> axis_list(const YAML::Node& v, const std::string& key, const cfg::YamlContext& ctx) {
  if (!v.IsSequence()) ctx.fail(v, fmt::format("cell axis '{}': expected a list of values, got {}", key, cfg::show(v)));
  if (v.size() == 0) ctx.fail(v, fmt::format("cell axis '{}' is empty: give at least one value", key));
  std::vector<YAML::Node> out;
  for (const auto& item : v) out.push_back(item);
  return out;
}

std::vector<CellAxis> parse_cells(const kind::Kind& kind, const YAML::Node& node, const cfg::YamlContext& ctx) {
  std::vector<CellAxis> axes;
  if (!node.IsDefined() || node.IsNull()) return axes;
  ctx.require_map(node, "cells");
  for (auto it = node.begin(); it != node.end(); ++it) {
    CellAxis a;
    a.name = it->first.Scalar();
    const YAML::Node v = it->second;
    if (v.IsMap() && v["zip"]) {
      ctx.check_keys(v, {"zip"}, "cells." + a.name);
      const YAML::Node z = v["zip"];
      ctx.require_map(z, "cells." + a.name + ".zip");
      for (auto zt = z.begin(); zt != z.end(); ++zt) {
        const std::string key = zt->first.Scalar();
        check_axis_key(kind, key, zt->first, ctx);
        a.keys.push_back(key);
        a.values.push_back(axis_list(zt->second, key, ctx));
        if (a.values.back().size() != a.values.front().size())
          ctx.fail(zt->second, fmt::format("zipped axis '{}': '{}' has {} values but '{}' has {}; zipped lists must "
                                           "be equally long", a.name, key, a.values.back().size(), a.keys.front(),
                                           a.values.front().size()));
      }
      if (a.keys.empty()) ctx.fail(z, fmt::format("zipped axis '{}' is empty", a.name));
    } else {
      check_axis_key(kind, a.name, it->first, ctx);
      a.keys.push_back(a.name);
      a.values.push_back(axis_list(v, a.name, ctx));
    }
    axes.push_back(std::move(a));
  }
  return axes;
}

// extend / extend_to / refine of a spaced axis [lo, hi] of n points (sweeps/README.md).
AdaptiveAxis adaptive_keys(const YAML::Node& v, const std::string& key, const cfg::YamlContext& ctx, bool log, double lo,
                           double hi, int64_t n) {
  AdaptiveAxis a;
  a.log = log;
  const double first = std::min(lo, hi), last = std::max(lo, hi);
  if (const YAML::Node e = v["extend"]; e) {
    if (!e.IsScalar() || !YAML::convert<bool>::decode(e, a.extend))
      ctx.fail(e, fmt::format("tuned axis '{}': 'extend' must be true or false, got {}", key, cfg::show(e)));
  }
  if (const YAML::Node r = v["refine"]; r) {
    int64_t k = -1;
    if (!r.IsScalar() || !YAML::convert<int64_t>::decode(r, k) || k < 0 || k > kMaxRefine)
      ctx.fail(r, fmt::format("tuned axis '{}': 'refine' must be a whole number in 0..{} (the number of 4x finer "
                              "grids around the winner), got {}", key, kMaxRefine, cfg::show(r)));
    a.refine = static_cast<int>(k);
  }
  const YAML::Node to = v["extend_to"];
  if (to && !a.extend)
    ctx.fail(to, fmt::format("tuned axis '{}': 'extend_to' needs 'extend: true'", key));
  if ((a.extend || a.refine > 0) && (n < 2 || lo == hi))
    ctx.fail(v, fmt::format("tuned axis '{}': extend and refine need at least two distinct grid values (the spacing)",
                            key));
  if (n >= 2) a.step = std::abs(log ? std::log(hi) - std::log(lo) : hi - lo) / static_cast<double>(n - 1);
  if (a.extend) {
    if (to) {
      if (!to.IsSequence() || to.size() != 2 || !YAML::convert<double>::decode(to[0], a.lo) ||
          !YAML::convert<double>::decode(to[1], a.hi) || !std::isfinite(a.lo) || !std::isfinite(a.hi))
        ctx.fail(to, fmt::format("tuned axis '{}': 'extend_to' must be [low, high] (two numbers), got {}", key,
                                 cfg::show(to)));
      if (!(a.lo <= first && a.hi >= last))
        ctx.fail(to, fmt::format("tuned axis '{}': 'extend_to' {} must enclose the grid [{}, {}]: low <= {} and high "
                                 ">= {}", key, cfg::show(to), first, last, first, last));
      if (log && a.lo <= 0)
        ctx.fail(to, fmt::format("tuned axis '{}': 'extend_to' of a logspace needs low > 0, got {}", key, cfg::show(to)));
    } else if (log) {
      a.lo = first / 1000.0;  // the default: three decades beyond either end
      a.hi = last * 1000.0;
    } else {
      ctx.fail(v, fmt::format("tuned axis '{}': 'extend' on a linspace needs 'extend_to: [low, high]' (the bounds "
                              "of the extension)", key));
    }
  }
  return a;
}

std::vector<double> range_values(const YAML::Node& v, const std::string& key, const cfg::YamlContext& ctx,
                                 AdaptiveAxis& search) {
  std::vector<double> out;
  if (v.IsSequence()) {
    for (const auto& item : v) {
      double x = 0;
      if (!item.IsScalar() || !YAML::convert<double>::decode(item, x) || !std::isfinite(x))
        ctx.fail(item, fmt::format("tuned axis '{}': expected numbers, got {}", key, cfg::show(item)));
      out.push_back(x);
    }
  } else if (v.IsMap()) {
    if (!v["logspace"] && !v["linspace"] && (v["extend"] || v["refine"] || v["extend_to"]))
      ctx.fail(v, fmt::format("tuned axis '{}': extend and refine need a spaced grid, {{logspace: [from, to, count], "
                              "...}} or {{linspace: ...}}", key));
    ctx.check_keys(v, {"logspace", "linspace", "extend", "extend_to", "refine"}, "tune." + key);
    if (v["logspace"] && v["linspace"])
      ctx.fail(v, fmt::format("tuned axis '{}': give logspace or linspace, not both", key));
    const bool log = bool(v["logspace"]);
    const YAML::Node r = log ? v["logspace"] : v["linspace"];
    if (!r || !r.IsSequence() || r.size() != 3)
      ctx.fail(v, fmt::format("tuned axis '{}': expected {{logspace: [from, to, count]}} or {{linspace: [from, to, count]}}", key));
    double lo = 0, hi = 0;
    int64_t n = 0;
    if (!YAML::convert<double>::decode(r[0], lo) || !YAML::convert<double>::decode(r[1], hi) ||
        !YAML::convert<int64_t>::decode(r[2], n))
      ctx.fail(r, fmt::format("tuned axis '{}': [from, to, count] must be two numbers and a whole number, got {}", key,
                              cfg::show(r)));
    if (n < 1 || n > kMaxGridPoints)
      ctx.fail(r, fmt::format("tuned axis '{}': count must be in 1..{}, got {}", key, kMaxGridPoints, n));
    if (log && (lo <= 0 || hi <= 0))
      ctx.fail(r, fmt::format("tuned axis '{}': logspace needs from > 0 and to > 0 (the values themselves, e.g. "
                              "[1e-4, 10, 21]), got {}", key, cfg::show(r)));
    for (int64_t i = 0; i < n; ++i) {
      const double f = n == 1 ? 0.0 : static_cast<double>(i) / (n - 1);
      out.push_back(log ? std::exp(std::log(lo) + f * (std::log(hi) - std::log(lo))) : lo + f * (hi - lo));
    }
    // The endpoints exactly as written, not as exp(log(x)) gives them back.
    out.front() = lo;
    if (n > 1) out.back() = hi;
    search = adaptive_keys(v, key, ctx, log, lo, hi, n);
  } else {
    ctx.fail(v, fmt::format("tuned axis '{}': expected a list of numbers or {{logspace: [from, to, count]}}, got {}",
                            key, cfg::show(v)));
  }
  if (out.empty()) ctx.fail(v, fmt::format("tuned axis '{}' is empty: the grid would have no point", key));
  return out;
}

// Tuned whole-number keys (epochs, batch sizes) become ints: whole numbers in range only.
void check_whole(const std::string& key, double x, const YAML::Node& where, const cfg::YamlContext& ctx) {
  if (!(x >= 1 && x <= cfg::kMaxEpochs && x == std::floor(x)))
    ctx.fail(where, fmt::format("tuned axis '{}': values must be whole numbers in 1..{}, got {}", key, cfg::kMaxEpochs, x));
}

// Every value of every tuned axis against every cell, and the sweep's arrays against the memory.
// No check of a kind's validation couples two tuned keys, so each axis's values are checked with the
// other axes at the cell's values: the same verdict as every grid point, at the cost of their sum.
void validate_grid(const SweepDefinition& s) {
  std::vector<std::string> tuned_keys;
  for (const auto& t : s.tuned) tuned_keys.push_back(t.key);
  // What a sweep holds at once: for every cell its G x R table (score and diverged flag) and what
  // its kind keeps of the winner; for the cell in training, what its kind holds for G grid points.
  double kept = 0, training = 0;
  for (const auto& cell : s.cells) {
    const kind::Experiment& base = *cell.experiment;
    base.check_sweepable(s.file, cell.label, tuned_keys);
    std::unique_ptr<kind::Experiment> largest = base.clone();
    for (const auto& t : s.tuned) {
      for (double x : t.values) {
        std::unique_ptr<kind::Experiment> c = base.clone();
        c->set_tuned(t.key, x);
        c->validate(fmt::format("{}: tuned axis '{}' value {} in cell '{}'", s.file, t.key, x, cell.label));
      }
      double top = *std::max_element(t.values.begin(), t.values.end());
      if (t.search.extend) {
        // Every value an extension can reach lies between the bounds: both must be valid.
        for (double x : {t.search.lo, t.search.hi}) {
          std::unique_ptr<kind::Experiment> c = base.clone();
          c->set_tuned(t.key, x);
          c->validate(fmt::format("{}: tuned axis '{}' extend_to bound {} in cell '{}'", s.file, t.key, x, cell.label));
        }
        top = std::max(top, t.search.hi);
      }
      largest->set_tuned(t.key, top);
    }
    kept += static_cast<double>(s.max_points) * base.repetitions() * 9 + largest->kept_bytes();
    // An adaptive cell holds the initial grid's trainer and one round's (at most 6 points per axis).
    const double round = s.adaptive() ? largest->training_bytes(std::max<int64_t>(s.grid_size, 6 * s.tuned.size())) : 0;
    training = std::max(training, largest->training_bytes(s.grid_size) + round);
  }
  if (const std::string problem =
          cfg::memory_problem(kept + training, "sweep", "lower 'patterns', 'repetitions', the grid or the cells");
      !problem.empty())
    throw UserError(fmt::format("{}: {}", s.file, problem));
}

}  // namespace

SweepDefinition load_sweep(const std::string& path, const std::vector<std::string>& overrides) {
  YAML::Node root = cfg::load_yaml_file(path);
  cfg::YamlContext ctx(path);
  // Overrides of sweep keys go to the root; everything else to the base experiment.
  std::vector<std::string> to_root;
  for (const auto& ov : overrides) {
    const std::string key = ov.substr(0, ov.find('='));
    const std::string first = key.substr(0, key.find('.'));
    const bool sweep_key = std::find(kSweepKeys.begin(), kSweepKeys.end(), first) != kSweepKeys.end() &&
                           first != "name" && first != "description";
    to_root.push_back(sweep_key ? ov : "base." + ov);
  }
  ctx.apply_overrides(root, to_root);
  ctx.check_duplicate_keys(root);
  ctx.check_keys(root, kSweepKeys, "");

  SweepDefinition s;
  s.file = path;
  s.name = ctx.get_string(root, "name", s.name);
  s.description = ctx.get_string(root, "description", "");
  YAML::Node base = root["base"];
  if (!base.IsDefined()) throw UserError(fmt::format("{}: missing key 'base' (the experiment every cell starts from)", path));
  ctx.require_map(base, "base");
  if (const YAML::Node out = base["output"]; out.IsDefined())
    ctx.fail(out, fmt::format("key 'base.output': a sweep writes one file; put 'output: {}' at the top level of the "
                              "sweep file, not in base", out.IsScalar() ? out.Scalar() : "results/NAME.h5"));
  if (!base["name"]) base["name"] = s.name;
  s.kind = &kind::of(base, ctx);
  const kind::Kind& kind = *s.kind;
  if (!kind.cell)
    ctx.fail(base["kind"], fmt::format("experiments of kind '{}' cannot be swept; run them with 'hds run'", kind.name));

  const std::vector<CellAxis> axes = parse_cells(kind, root["cells"], ctx);
  for (const auto& a : axes) {
    s.cell_axes.push_back(a.name);
    for (const auto& k : a.keys) s.cell_keys.push_back(k);
  }

  const YAML::Node tune = root["tune"];
  if (tune.IsDefined() && !tune.IsNull()) {
    ctx.require_map(tune, "tune");
    for (auto it = tune.begin(); it != tune.end(); ++it) {
      TunedAxis t;
      t.key = it->first.Scalar();
      if (std::find(kind.tunable.begin(), kind.tunable.end(), t.key) == kind.tunable.end()) {
        const std::string near = cfg::closest(t.key, kind.tunable);
        std::string list;
        for (const auto& k : kind.tunable) list += (list.empty() ? "" : ", ") + k;
        ctx.fail(it->first, fmt::format("unknown tuned axis '{}' (tunable in kind {}: {}{})", t.key, kind.name, list,
                                        near.empty() ? "" : "; did you mean '" + near + "'?"));
      }
      for (const auto& a : axes)
        for (const auto& k : a.keys)
          if (k == t.key) ctx.fail(it->first, fmt::format("'{}' is both a cell axis and a tuned axis", t.key));
      t.values = range_values(it->second, t.key, ctx, t.search);
      if (std::find(kind.whole.begin(), kind.whole.end(), t.key) != kind.whole.end()) {
        for (double x : t.values) check_whole(t.key, x, it->second, ctx);
        if (t.search.extend || t.search.refine > 0)
          ctx.fail(it->second, fmt::format("tuned axis '{}' takes whole numbers: extend and refine apply to "
                                           "real-valued axes only", t.key));
      }
      s.tuned.push_back(std::move(t));
    }
  }
  // Counted in double: five axes of a million values overflow even 64 bits.
  double points = 1;
  std::string axes_text;
  for (const auto& t : s.tuned) {
    points *= static_cast<double>(t.values.size());
    axes_text += fmt::format("{}{} {}", axes_text.empty() ? "" : " x ", t.key, t.values.size());
  }
  if (points > static_cast<double>(kMaxGridPoints))
    throw UserError(fmt::format("{}: the grid has {:.0f} points ({}), more than the limit of {}", path, points,
                                axes_text, kMaxGridPoints));
  s.grid_size = static_cast<int64_t>(points);
  {
    std::vector<double> first, last;
    for (const auto& t : s.tuned) {
      first.push_back(*std::min_element(t.values.begin(), t.values.end()));
      last.push_back(*std::max_element(t.values.begin(), t.values.end()));
    }
    s.max_points = adaptive_max_points(s.grid_size, s.search_axes(), first, last);
    if (s.max_points > kMaxGridPoints)
      throw UserError(fmt::format("{}: with extension and refinement a cell may evaluate {} points, more than the "
                                  "limit of {}", path, s.max_points, kMaxGridPoints));
  }

  // Expand the cells: the Cartesian product of the axes, first axis slowest.
  double cells = 1;  // in double: 64 axes of two values wrap a size_t to 0
  for (const auto& a : axes) cells *= static_cast<double>(a.size());
  if (cells > static_cast<double>(kMaxCells))
    throw UserError(fmt::format("{}: {:.0f} cells is too many (limit {})", path, cells, kMaxCells));
  const size_t n_cells = static_cast<size_t>(cells);
  for (size_t c = 0; c < n_cells; ++c) {
    YAML::Node node = YAML::Clone(base);
    ctx.remember_origin(node, base);
    Cell cell;
    size_t rest = c;
    std::vector<size_t> idx(axes.size());
    for (size_t k = axes.size(); k-- > 0;) {
      idx[k] = rest % axes[k].size();
      rest /= axes[k].size();
    }
    for (size_t k = 0; k < axes.size(); ++k) {
      for (size_t j = 0; j < axes[k].keys.size(); ++j) {
        const std::string& key = axes[k].keys[j];
        const YAML::Node v = axes[k].values[j][idx[k]];
        // Walk a.b, creating maps (a scalar in the way is a shorthand: name / dataset).
        YAML::Node target = node;
        std::string part;
        size_t pos = 0, dot;
        while ((dot = key.find('.', pos)) != std::string::npos) {
          part = key.substr(pos, dot - pos);
          YAML::Node child = target[part];
          if (!child.IsMap()) {
            YAML::Node m(YAML::NodeType::Map);
            if (child.IsScalar()) m[part == "inputs" || part == "targets" ? "dataset" : "name"] = YAML::Clone(child);
            target[part] = m;
          }
          YAML::Node next = target[part];
          target.reset(next);
          pos = dot + 1;
        }
        // A clone: assigning v itself would merge the whole file's node memory into this cell's and
        // back, so that every cell made the next one slower (2000 cells took 26 s).
        const YAML::Node copy = YAML::Clone(v);
        ctx.remember_origin(copy, v);
        target[key.substr(pos)] = copy;
        cell.label += (cell.label.empty() ? "" : " ") + key + "=" + short_text(v);
        YAML::Emitter flow;
        flow << YAML::Flow << v;
        cell.key_values.push_back(flow.c_str());
      }
    }
    if (cell.label.empty()) cell.label = "all";
    cell.experiment = kind.parse(node, ctx);
    ctx.forget_origins();  // the cell is read: its nodes need not stay alive
    s.cells.push_back(std::move(cell));
  }
  validate_grid(s);

  s.output = ctx.get_string(root, "output", "results/" + s.name + ".h5");
  // The definition's hash leaves out where the result goes.
  YAML::Node for_hash = YAML::Clone(root);
  for_hash.remove("output");
  YAML::Emitter e;
  e << for_hash;
  s.hash = data::sha256_bytes(e.c_str());
  YAML::Emitter full;
  full << root;
  s.resolved_yaml = std::string(full.c_str()) + "\n";
  return s;
}

std::vector<double> grid_point(const SweepDefinition& s, int64_t g) {
  std::vector<double> v(s.tuned.size());
  for (size_t k = s.tuned.size(); k-- > 0;) {
    const auto n = static_cast<int64_t>(s.tuned[k].values.size());
    v[k] = s.tuned[k].values[g % n];
    g /= n;
  }
  return v;
}

std::unique_ptr<kind::Experiment> apply_grid_point(const SweepDefinition& s, const kind::Experiment& cell, int64_t g) {
  return apply_point(s, cell, grid_point(s, g));
}

std::unique_ptr<kind::Experiment> apply_point(const SweepDefinition& s, const kind::Experiment& cell,
                                              const std::vector<double>& v) {
  std::unique_ptr<kind::Experiment> c = cell.clone();
  for (size_t k = 0; k < s.tuned.size(); ++k) c->set_tuned(s.tuned[k].key, v[k]);
  return c;
}

std::vector<AdaptiveAxis> SweepDefinition::search_axes() const {
  std::vector<AdaptiveAxis> a;
  for (const auto& t : tuned) a.push_back(t.search);
  return a;
}

}  // namespace hds::sweep
