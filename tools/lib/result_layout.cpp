// Descriptions, units and dimension scales of result datasets (see result_layout.hpp).
#include "tools/lib/result_layout.hpp"

#include <fnmatch.h>

#include <cstdint>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace hds::layout {
namespace {

// One documented dataset: where it occurs ("" any file, "run/network", "sweep" any sweep …), its
// path below the root with cells written `cells/*` (fnmatch, `*` within one component), its axes,
// description ("{}" stands for the last path component) and units.
struct Entry {
  const char* where;
  const char* pattern;
  std::vector<std::string> dims;
  const char* description;
  const char* units;
};

const std::vector<Entry>& entries() {
  static const std::vector<Entry> table = {
      // every file
      {"", "config", {}, "the fully resolved configuration (every default written out) as YAML", ""},
      {"", "provenance/data_files", {"data_file"}, "every data file read", ""},
      {"", "provenance/data_sha256", {"data_file"}, "sha256 of each data file's bytes on disk", ""},
      {"", "provenance/data_bytes", {"data_file"}, "size of each data file", "byte"},
      {"", "provenance/data_notes", {"data_file"}, "a note on each data file (e.g. a subset of the official release)", ""},
      {"run", "repetition_seeds", {"repetition"}, "each repetition's seed (derive_seed of the base seed and r)", ""},
      // hetero-association runs
      {"run/association", "forgetting_curve", {"repetition", "position"},
       "error of the pattern at each sequence position after training, mean over output units of |h - t| (the last "
       "position is the newest)", ""},
      {"run/association", "last_n_error", {"repetition"},
       "mean of the forgetting curve over the last_n most recently trained patterns", ""},
      {"run/association", "diverged", {"repetition"}, "1 if an output became non-finite", ""},
      {"run/association", "diverged_step", {"repetition"},
       "the presentation (0-based, across epochs) where the run diverged; -1 if it did not", ""},
      {"run/association", "error_matrix", {"repetition", "step", "position"},
       "error of each pattern after each step (online) or epoch (multi-epoch)", ""},
      {"run/association", "patterns/inputs", {"repetition", "position", "input"}, "the inputs used, in sequence order", ""},
      {"run/association", "patterns/targets", {"repetition", "position", "output"}, "the targets used, in sequence order", ""},
      {"run/association", "weights/W0", {"repetition", "input", "output"}, "initial weights", ""},
      {"run/association", "weights/b0", {"repetition", "output"}, "initial bias", ""},
      {"run/association", "weights/W", {"repetition", "input", "output"}, "final weights", ""},
      {"run/association", "weights/b", {"repetition", "output"}, "final bias", ""},
      {"run/association", "weights/mu", {"repetition", "input"}, "final input offset mu", ""},
      // network runs
      {"run/network", "score", {"repetition"},
       "the tuning score: validation accuracy after the last task (averaged over tasks for streams); chance for a "
       "diverged run", ""},
      {"run/network", "diverged", {"repetition"}, "1 if a non-finite output or parameter stopped training", ""},
      {"run/network", "diverged_step", {"repetition"}, "the mini-batch step where training stopped; -1 if it did not", ""},
      {"run/network", "seconds", {"repetition"}, "wall time of each repetition", "s"},
      {"run/network", "metrics/task", {"measurement"}, "the task (0-based) of each measurement", ""},
      {"run/network", "metrics/epoch", {"measurement"}, "the epoch within its task (0-based) of each measurement", ""},
      {"run/network", "metrics/*", {"repetition", "measurement"},
       "{} after every epoch, on the current task's patterns", ""},
      {"run/network", "accuracy_matrix/*", {"repetition", "after_task", "task"},
       "{} accuracy on task j after training task i", ""},
      {"run/network", "stream/*", {"repetition"}, "{} of the test accuracy matrix (GEM / Avalanche definitions)", ""},
      {"run/network", "weights/layer*/W", {"repetition", "input", "output"}, "final weights of the layer", ""},
      {"run/network", "weights/layer*/b", {"repetition", "output"}, "final bias of the layer", ""},
      // auto-association runs
      {"run/autoassociation", "score", {"repetition"},
       "held-out reconstruction MSE after the last epoch; 1e150 when the run diverged", ""},
      {"run/autoassociation", "diverged", {"repetition"}, "1 if training stopped on a non-finite or huge value", ""},
      {"run/autoassociation", "diverged_step", {"repetition"},
       "the step (0-based over all epochs) where training stopped; -1 if it did not", ""},
      {"run/autoassociation", "updates", {"repetition"}, "steps taken", ""},
      {"run/autoassociation", "seconds_per_update", {"repetition"},
       "CPU time of the training thread over all steps, per step", "s"},
      {"run/autoassociation", "metrics/train_mse", {"repetition", "epoch"},
       "reconstruction MSE on the training patterns after every epoch; NaN from a divergence on", ""},
      {"run/autoassociation", "metrics/heldout_mse", {"repetition", "epoch"},
       "reconstruction MSE on the held-out patterns after every epoch; NaN from a divergence on", ""},
      {"run/autoassociation", "metrics/dw_norm", {"repetition", "epoch"}, "||W_end - W_start||_F of each epoch", ""},
      {"run/autoassociation", "metrics/hidden_spread", {"repetition", "epoch"},
       "population sd over the hidden units of each unit's mean activity", ""},
      {"run/autoassociation", "metrics/max_angle", {"repetition", "epoch"},
       "the largest principal angle between span(W) and the top-k principal subspace", "rad"},
      {"run/autoassociation", "metrics/seconds_per_update", {"repetition", "epoch"},
       "CPU time of the epoch's steps over their number", "s"},
      {"run/autoassociation", "metrics/hidden_mean", {"repetition", "epoch", "hidden_unit"},
       "each hidden unit's mean of h over the training patterns", ""},
      {"run/autoassociation", "metrics/angles", {"repetition", "epoch", "principal_angle"},
       "principal angles (ascending) between span(W) and the top-k principal subspace", "rad"},
      {"run/autoassociation", "initial/hidden_mean", {"repetition", "hidden_unit"},
       "each hidden unit's mean of h before training", ""},
      {"run/autoassociation", "initial/angles", {"repetition", "principal_angle"}, "principal angles before training", "rad"},
      {"run/autoassociation", "initial/max_angle", {"repetition"}, "max_angle before training", "rad"},
      {"run/autoassociation", "initial/*", {"repetition"}, "{} before training", ""},
      {"run/autoassociation", "forgetting_curve", {"repetition", "pattern"},
       "after training, each training pattern's MSE in presentation order", ""},
      {"run/autoassociation", "weights/W0", {"repetition", "input", "hidden_unit"}, "initial W", ""},
      {"run/autoassociation", "weights/W", {"repetition", "input", "hidden_unit"}, "final W", ""},
      {"run/autoassociation", "weights/b", {"repetition", "hidden_unit"}, "final hidden bias", ""},
      {"run/autoassociation", "weights/lambda", {"repetition", "hidden_unit"}, "final hidden offset lambda", ""},
      {"run/autoassociation", "weights/c", {"repetition", "input"}, "final visible bias", ""},
      {"run/autoassociation", "weights/mu", {"repetition", "input"}, "final input offset mu", ""},
      {"run/autoassociation", "checks/name", {"check"}, "the name of each check", ""},
      {"run/autoassociation", "checks/value", {"check"}, "the value of each check", ""},
      {"run/autoassociation", "checks/description", {"check"}, "what each check measures", ""},
      // sweeps of every experiment kind
      {"sweep", "grid/*", {"grid_point"}, "the value of the tuned axis {} at each grid point", ""},
      {"sweep", "summary/label", {"cell"}, "one line per cell naming its values", ""},
      {"sweep", "summary/winner_index", {"cell"}, "the winning grid point of each cell", ""},
      {"sweep", "summary/winner_evaluated_index", {"cell"}, "the winner's index among the cell's evaluated points", ""},
      {"sweep", "summary/winner_on_bound", {"cell"}, "1 if the winner lies on a bound of a tuned axis", ""},
      {"sweep", "summary/n_diverged", {"cell"}, "diverged repetitions of the winner", ""},
      {"sweep", "summary/winner_*", {"cell"}, "the winner's value of a tuned axis ({})", ""},
      {"sweep", "summary/*_mean", {"cell"}, "the winner's mean score over repetitions ({})", ""},
      {"sweep", "summary/*_sd", {"cell"}, "the winner's sample sd of the score over repetitions ({})", ""},
      {"sweep", "summary/value_*", {"cell"}, "the cell's value of a numeric cell key ({}), as a number", ""},
      {"sweep", "summary/*", {"cell"}, "the cell's value of the key {}, as YAML flow text", ""},
      {"sweep", "cells/*/config", {}, "the cell's resolved experiment with the winner's tuned values", ""},
      {"sweep", "cells/*/diverged", {"grid_point", "repetition"}, "1 for every run that diverged", ""},
      {"sweep", "cells/*/last_n_error", {"grid_point", "repetition"}, "last-N error of every run", ""},
      {"sweep", "cells/*/validation_accuracy", {"grid_point", "repetition"}, "validation accuracy of every run", ""},
      {"sweep", "cells/*/heldout_mse", {"grid_point", "repetition"}, "held-out MSE of every run", ""},
      {"sweep", "cells/*/evaluated/round", {"evaluated"}, "the tuning round of each evaluated point (0: the initial grid)", ""},
      {"sweep", "cells/*/evaluated/diverged", {"evaluated", "repetition"}, "1 for every run that diverged", ""},
      {"sweep", "cells/*/evaluated/*", {"evaluated"}, "the value of the tuned axis {} at each evaluated point", ""},
      {"sweep", "cells/*/evaluated/*", {"evaluated", "repetition"}, "the score {} of every evaluated run", ""},
      {"sweep/association", "cells/*/forgetting_curve", {"repetition", "position"},
       "the winner's error at each sequence position after training (the last position is the newest)", ""},
      {"sweep/association", "cells/*/error_matrix", {"repetition", "step", "position"},
       "the winner's error of each pattern after each step or epoch", ""},
      {"sweep/network", "cells/*/epoch_*_accuracy", {"repetition", "measurement"},
       "the winner's {} after every epoch, on the current task's patterns", ""},
      {"sweep/network", "cells/*/accuracy_matrix_test", {"repetition", "after_task", "task"},
       "the winner's test accuracy on task j after task i", ""},
      {"sweep/network", "cells/*/test_accuracy", {"repetition"},
       "the winner's average test accuracy over the tasks after the last one", ""},
      {"sweep/network", "cells/*/*", {"repetition"}, "the winner's {} of the test accuracy matrix", ""},
      {"sweep/autoassociation", "cells/*/epoch_max_angle", {"repetition", "epoch"},
       "the winner's largest principal angle after every epoch", "rad"},
      {"sweep/autoassociation", "cells/*/epoch_*", {"repetition", "epoch"}, "the winner's {} after every epoch", ""},
      {"sweep/autoassociation", "cells/*/hidden_mean", {"repetition", "hidden_unit"},
       "the winner's mean activity of each hidden unit after the last epoch", ""},
      {"sweep/autoassociation", "cells/*/angles", {"repetition", "principal_angle"},
       "the winner's principal angles after the last epoch", "rad"},
      {"sweep/autoassociation", "cells/*/forgetting_curve", {"repetition", "pattern"},
       "the winner's MSE of each training pattern after training, in presentation order", ""},
      // studies
      {"study", "inputs", {"pattern", "input"}, "the input patterns", ""},
      {"study", "targets", {"pattern", "output"}, "the target patterns", ""},
      {"study", "summary/*", {"row"}, "column {} of the printed table", ""},
      {"study", "paths/*/theta", {"update", "parameter"}, "weights then bias after each update", ""},
      {"study", "paths/*/loss", {"update"}, "half the summed squared error along the path", ""},
      {"study", "outputs/*", {"pattern", "output"}, "outputs of rule {} after training (and rescaling)", ""},
      {"study", "outputs_per_epoch/*", {"epoch", "pattern", "output"}, "outputs of rule {} after every epoch", ""},
      {"study", "weights/*", {"input", "output"}, "final weights of rule {}", ""},
  };
  return table;
}

// "/cells/c0003/x" -> "cells/*/x" (cells are matched by their group, whatever its number).
std::string normalised(const std::string& path) {
  std::string p = path.substr(path.find_first_not_of('/'));
  if (p.rfind("cells/", 0) == 0) {
    const size_t end = p.find('/', 6);
    p = "cells/*" + (end == std::string::npos ? std::string() : p.substr(end));
  }
  return p;
}

void datasets_below(const h5::File& f, const std::string& group, std::vector<std::string>& out) {
  for (const std::string& name : f.list(group)) {
    const std::string path = (group == "/" ? "/" : group + "/") + name;
    if (f.is_group(path))
      datasets_below(f, path, out);
    else
      out.push_back(path);
  }
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    const size_t end = s.find(',', start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// /summary/value_<key> [C] float64 for every cell key whose values are all numbers.
void typed_cell_values(h5::File& f) {
  if (!f.has_attr("/", "cell_keys")) return;
  for (const std::string& key : split_commas(f.read_attr_string("/", "cell_keys"))) {
    const std::string texts = "/summary/" + key;
    if (key.empty() || !f.exists(texts) || f.exists("/summary/value_" + key)) continue;
    std::vector<double> values;
    bool numeric = true;
    for (const std::string& text : f.read_strings(texts)) {
      try {
        const YAML::Node n = YAML::Load(text);
        values.push_back(n.IsScalar() ? n.as<double>() : 0.0);
        numeric = numeric && n.IsScalar();
      } catch (const YAML::Exception&) {
        numeric = false;
      }
      if (!numeric) break;
    }
    if (numeric && !values.empty()) f.write("/summary/value_" + key, {values.size()}, values.data());
  }
}

}  // namespace

Meaning meaning(const std::string& kind, const std::string& experiment_kind, const std::string& path, size_t rank) {
  const std::string where = kind + "/" + (experiment_kind.empty() ? "association" : experiment_kind);
  const std::string p = normalised(path);
  const std::string last = path.substr(path.rfind('/') + 1);
  for (const Entry& e : entries()) {
    if (where.rfind(e.where, 0) != 0 || e.dims.size() != rank) continue;
    if (fnmatch(e.pattern, p.c_str(), FNM_PATHNAME) != 0) continue;
    std::string d = e.description;
    if (const size_t at = d.find("{}"); at != std::string::npos) d.replace(at, 2, last);
    return {e.dims, d, e.units};
  }
  Meaning m;
  for (size_t i = 0; i < rank; ++i) m.dims.push_back(fmt::format("{}_dim{}", last, i));
  return m;
}

void describe(h5::File& f) {
  const std::string kind = f.has_attr("/", "kind") ? f.read_attr_string("/", "kind") : "";
  const std::string ek = f.has_attr("/", "experiment_kind") ? f.read_attr_string("/", "experiment_kind") : "";
  if (kind == "sweep") typed_cell_values(f);
  std::vector<std::string> paths;
  datasets_below(f, "/", paths);
  std::set<std::string> scales;  // made here
  for (const std::string& path : paths) {
    const std::vector<hsize_t> shape = f.dims(path);
    const Meaning m = meaning(kind, ek, path, shape.size());
    if (!m.description.empty() && !f.has_attr(path, "description")) f.attr(path, "description", m.description);
    if (!m.units.empty() && !f.has_attr(path, "units")) f.attr(path, "units", m.units);
    const std::string group = path.substr(0, path.rfind('/'));
    for (size_t axis = 0; axis < shape.size(); ++axis) {
      // The axis's scale lives in the dataset's group; a name taken by a data set, or by a scale of
      // another length, gets a suffix.
      std::string dim = m.dims[axis];
      std::string scale = group + "/" + dim;
      if (f.exists(scale) && (!scales.count(scale) || f.dims(scale) != std::vector<hsize_t>{shape[axis]})) {
        dim = fmt::format("{}_{}", m.dims[axis], shape[axis]);
        scale = group + "/" + dim;
      }
      if (!f.exists(scale)) {
        std::vector<int64_t> index(shape[axis]);
        for (size_t i = 0; i < index.size(); ++i) index[i] = static_cast<int64_t>(i);
        f.write(scale, {shape[axis]}, index.data());
        f.make_scale(scale, dim);
        f.attr(scale, "description", fmt::format("index along the {} axis", m.dims[axis]));
        f.attr(scale, "axis", m.dims[axis]);  // the axis's name when `dim` has a suffix
        scales.insert(scale);
      }
      f.attach_scale(path, static_cast<unsigned>(axis), scale);
    }
  }
}

}  // namespace hds::layout
