// Inspection of autoassociation run files (see inspect_autoassociation.hpp).
#include "tools/lib/inspect_autoassociation.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"
#include "tools/lib/inspect.hpp"

namespace hds::inspect {
namespace {

const char* kDamaged = "the file is damaged or was not written by hds";

std::string shape_text(const std::vector<hsize_t>& d) {
  std::string s;
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return "[" + s + "]";
}

std::vector<double> read_shaped(const h5::File& f, const std::string& name, const std::vector<hsize_t>& shape) {
  if (!f.exists(name)) throw UserError(fmt::format("{}: no '{}'; {}", f.path(), name, kDamaged));
  const auto d = f.dims(name);
  if (d != shape)
    throw UserError(fmt::format("{}: {} has shape {}, expected {}; {}", f.path(), name, shape_text(d),
                                shape_text(shape), kDamaged));
  return f.read_doubles(name);
}

std::string text_attr(const h5::File& f, const std::string& name) {
  if (!f.has_attr("/", name))
    throw UserError(fmt::format("{}: autoassociation run without the root attribute '{}'; {}", f.path(), name, kDamaged));
  return f.read_attr_string("/", name);
}

double num_attr(const h5::File& f, const std::string& name) {
  if (!f.has_attr("/", name))
    throw UserError(fmt::format("{}: autoassociation run without the root attribute '{}'; {}", f.path(), name, kDamaged));
  return f.read_attr_double("/", name);
}

int64_t int_attr(const h5::File& f, const std::string& name) {
  if (!f.has_attr("/", name))
    throw UserError(fmt::format("{}: autoassociation run without the root attribute '{}'; {}", f.path(), name, kDamaged));
  return f.read_attr_int("/", name);
}

// R and E from /score [R] and /metrics/train_mse [R, E].
std::pair<hsize_t, hsize_t> sizes(const h5::File& f) {
  for (const char* name : {"/score", "/metrics/train_mse"})
    if (!f.exists(name)) throw UserError(fmt::format("{}: no '{}'; {}", f.path(), name, kDamaged));
  const auto s = f.dims("/score"), m = f.dims("/metrics/train_mse");
  if (s.size() != 1 || m.size() != 2 || m[0] != s[0])
    throw UserError(fmt::format("{}: /score {} and /metrics/train_mse {} are not [R] and [R, E]; {}", f.path(),
                                shape_text(s), shape_text(m), kDamaged));
  return {s[0], m[1]};
}

}  // namespace

bool is_autoassociation(const h5::File& f) {
  return kind(f) == "run" && f.has_attr("/", "experiment_kind") &&
         f.attr_type_name("/", "experiment_kind") == "string" &&
         f.read_attr_string("/", "experiment_kind") == "autoassociation";
}

Table autoassociation_summary(const h5::File& f) {
  const auto [R, E] = sizes(f);
  Table t;
  t.title = fmt::format("{} (autoassociation run): {}", text_attr(f, "name"), text_attr(f, "data"));
  t.columns = {"name", "rule", "activation", "visible", "hidden", "n_in", "patterns", "heldout", "protocol", "epochs",
               "eta", "weight_decay", "repetitions", "heldout_mse_mean", "heldout_mse_sd", "n_diverged"};
  t.rows.push_back({Value::str(text_attr(f, "name")), Value::str(text_attr(f, "rule")),
                    Value::str(text_attr(f, "activation")), Value::str(text_attr(f, "visible")),
                    Value::count(int_attr(f, "hidden")), Value::count(int_attr(f, "n_in")),
                    Value::count(int_attr(f, "patterns")), Value::count(int_attr(f, "heldout")),
                    Value::str(text_attr(f, "protocol")), Value::count(static_cast<int64_t>(E)),
                    Value::num(num_attr(f, "eta")), Value::num(num_attr(f, "weight_decay")),
                    Value::count(static_cast<int64_t>(R)), Value::num(num_attr(f, "score_mean"), 6),
                    Value::num(num_attr(f, "score_sd"), 6), Value::count(int_attr(f, "n_diverged"))});
  return t;
}

Table autoassociation_epochs(const h5::File& f) {
  const auto [R, E] = sizes(f);
  const auto diverged = read_shaped(f, "/diverged", {R});
  const std::vector<std::string> names = {"train_mse", "heldout_mse", "dw_norm", "hidden_spread", "max_angle",
                                          "seconds_per_update"};
  std::vector<std::vector<double>> metrics;
  for (const auto& n : names) metrics.push_back(read_shaped(f, "/metrics/" + n, {R, E}));
  std::vector<std::vector<double>> initial;
  for (const auto& n : {"train_mse", "heldout_mse", "hidden_spread", "max_angle"})
    initial.push_back(read_shaped(f, std::string("/initial/") + n, {R}));
  // Mean over the repetitions that did not diverge (NaN when every one did).
  const auto mean = [&](const std::vector<double>& v, hsize_t cols, hsize_t col) {
    double s = 0;
    int n = 0;
    for (hsize_t r = 0; r < R; ++r)
      if (diverged[r] == 0 && std::isfinite(v[r * cols + col])) s += v[r * cols + col], ++n;
    return n ? s / n : std::nan("");
  };
  Table t;
  t.title = fmt::format("per epoch, means over the repetitions that did not diverge (epoch 0: before training)");
  t.columns = {"epoch", "train_mse", "heldout_mse", "dw_norm", "hidden_spread", "max_angle", "us_per_update"};
  t.rows.push_back({Value::count(0), Value::num(mean(initial[0], 1, 0), 6), Value::num(mean(initial[1], 1, 0), 6),
                    Value::num(std::nan("")), Value::num(mean(initial[2], 1, 0)), Value::num(mean(initial[3], 1, 0)),
                    Value::num(std::nan(""))});
  for (hsize_t e = 0; e < E; ++e)
    t.rows.push_back({Value::count(static_cast<int64_t>(e + 1)), Value::num(mean(metrics[0], E, e), 6),
                      Value::num(mean(metrics[1], E, e), 6), Value::num(mean(metrics[2], E, e)),
                      Value::num(mean(metrics[3], E, e)), Value::num(mean(metrics[4], E, e)),
                      Value::num(1e6 * mean(metrics[5], E, e), 3)});
  return t;
}

Table autoassociation_checks(const h5::File& f) {
  Table t;
  t.columns = {"check", "value", "meaning"};
  if (!f.exists("/checks")) {
    t.title = "no checks (the experiment did not ask for 'checks: [identities, jacobian]')";
    return t;
  }
  const auto names = f.read_strings("/checks/name");
  const hsize_t K = names.size();
  const auto values = read_shaped(f, "/checks/value", {K});
  const auto meaning = f.read_strings("/checks/description");
  if (meaning.size() != K)
    throw UserError(fmt::format("{}: /checks/description has {} entries for {} checks; {}", f.path(), meaning.size(), K,
                                kDamaged));
  t.title = "checks of the rules" + (f.has_attr("/checks", "state") ? " at " + f.read_attr_string("/checks", "state") : "");
  for (hsize_t i = 0; i < K; ++i)
    t.rows.push_back({Value::str(names[i]), Value::num(values[i], 6), Value::str(meaning[i])});
  return t;
}

std::string autoassociation_report(const h5::File& f, const std::string& format) {
  const Table epochs = autoassociation_epochs(f);
  if (format == "csv") return to_csv(epochs);
  if (format == "json") {
    std::vector<std::pair<std::string, Table>> more = {{"epochs", epochs}};
    if (f.exists("/checks")) more.emplace_back("checks", autoassociation_checks(f));
    return to_json(autoassociation_summary(f),
                   {{"file", f.path()}, {"kind", "run"}, {"experiment_kind", "autoassociation"}}, more);
  }
  std::string out = to_text(autoassociation_summary(f)) + "\n" + to_text(epochs);
  const Table checks = autoassociation_checks(f);
  out += "\n" + (checks.rows.empty() ? checks.title + "\n" : to_text(checks));
  return out;
}

}  // namespace hds::inspect
