// The seam between experiment kinds and the machinery that serves them all. A kind (association,
// network, …) is one file that fills in a `Kind`: how its YAML is read and validated, what `hds run`
// does with it, which keys a sweep may tune, what its score is and which way is better, and how one
// cell of a sweep is trained. The sweeper, its journal, provenance, --set, --dry-run and progress
// know only this interface, never a kind by name.
//
// Not to be confused with the root attribute `kind` of result files (run / sweep / study), which says
// what wrote a file; result files name the experiment kind in `experiment_kind`.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "datasets/source.hpp"
#include "tools/lib/yaml_util.hpp"

namespace hds::kind {

// One parsed, validated experiment of some kind: an `hds run`, or one cell (or grid point) of a sweep.
class Experiment {
 public:
  virtual ~Experiment() = default;
  virtual std::unique_ptr<Experiment> clone() const = 0;
  virtual int repetitions() const = 0;
  virtual uint64_t seed() const = 0;
  // Sets tuned key `key` (one of Kind::tunable) to x. Whole-number keys get whole numbers (the
  // sweeper checks this before). validate() then says whether the value fits.
  virtual void set_tuned(const std::string& key, double x) = 0;
  // Throws UserError "<where>: key 'K' …" when the configuration is impossible.
  virtual void validate(const std::string& where) const = 0;
  // The resolved configuration (every default written out) as YAML that parses back to this
  // experiment, with `output` as its output key.
  virtual std::string to_yaml(const std::string& output) const = 0;
  // Refuses (UserError naming `file` and the cell's label) what a sweep cannot do with this cell
  // (e.g. store patterns, tune a parameter its activation lacks). `tuned`: the sweep's tuned keys.
  virtual void check_sweepable(const std::string& file, const std::string& cell,
                               const std::vector<std::string>& tuned) const = 0;
  // Bytes a sweep keeps per cell once it is done (its G × R table aside), and bytes that training one
  // cell of G grid points holds at once; for the memory check before anything runs.
  virtual double kept_bytes() const = 0;
  virtual double training_bytes(int64_t grid_points) const = 0;
  // The data files this experiment reads (opened and hashed), for provenance.
  virtual std::vector<data::FileRecord> data_files() const = 0;
};

// A named array of one cell's detail (e.g. the winner's forgetting curves), written to the sweep file
// under /cells/cNNNN/<name> and kept in the journal. Shape row-major; values as doubles, or as
// bytes when `bytes` (0/1 flags).
struct Array {
  std::string name;
  std::vector<uint64_t> shape;
  std::vector<double> values;
  bool bytes = false;
  uint64_t size() const;
};

struct CellDetail {
  std::vector<Array> arrays;
  std::vector<std::pair<std::string, std::string>> attrs;  // string attributes of /cells/cNNNN
  const Array* find(const std::string& name) const;
  const std::string* attr(const std::string& name) const;
};

// The outcome of one run of a sweep: its score, and whether it diverged (then its score is the
// kind's worst, so that a diverged run never wins).
struct RunScore {
  double score = 0.0;
  bool diverged = false;
};

// One cell of a sweep in training: the data and common random numbers of its repetitions are made
// once, then any (grid point, repetition) may run, on any thread.
class CellTrainer {
 public:
  virtual ~CellTrainer() = default;
  // Thread-safe for distinct (g, r); each run computed on the calling thread alone.
  virtual RunScore run(int g, int r) = 0;
  // What is kept of the winning grid point w (may run its repetitions again, on `threads` threads).
  // Called once every repetition of grid point w has run on this trainer; it must depend on those
  // runs alone, since a sweep over MPI ranks runs the other grid points elsewhere (sweep_mpi.hpp).
  virtual CellDetail detail(int w, int threads) = 0;
};

// How a kind's score is named and compared.
struct Score {
  std::string dataset;      // the G × R table of a cell: "last_n_error", "validation_accuracy"
  std::string stem;         // summary names: /summary/<stem>_mean, <stem>_sd
  bool lower_is_better = true;
};

struct RunRequest {
  std::string output;  // -o, or empty for the file's
  int threads = 0;
  bool force = false;
};

struct Kind {
  std::string name;
  std::string what;                   // one line for help texts
  std::vector<std::string> tunable;   // keys a sweep may tune
  std::vector<std::string> whole;     // those of them that take whole numbers
  // What a sweep needs (parse, cell, score, score_label, sweep_attrs, check_detail) is null for a kind
  // that cannot be swept (the sweeper refuses it by name).
  // parse: the experiment in `root` (overrides applied), validated; errors name ctx's file and line.
  std::unique_ptr<Experiment> (*parse)(const YAML::Node& root, const cfg::YamlContext& ctx);
  // Every key a file of this kind may have (cell axes must name one).
  const std::vector<std::string>& (*keys)();
  // `hds run`: train, print the table, write the result file (experiments/README.md, results/README.md).
  void (*run)(const RunRequest& request, const YAML::Node& root, const cfg::YamlContext& ctx);
  std::unique_ptr<CellTrainer> (*cell)(const Experiment& cell, const std::vector<std::unique_ptr<Experiment>>& grid,
                                       int threads);
  // The score of cell `e`, and the text of its table column ("last-20 MAE").
  Score (*score)(const Experiment& e);
  std::string (*score_label)(const Experiment& e);
  // Whole-number root attributes of a sweep file that readers of this kind expect (e.g. last_n),
  // from the first cell.
  std::vector<std::pair<std::string, int64_t>> (*sweep_attrs)(const Experiment& first);
  // "" when `d` can be the detail of a finished cell of experiment `e` (shapes, values), else what
  // is wrong (journal records are checked with it before use).
  std::string (*check_detail)(const Experiment& e, const CellDetail& d);
};

// Every kind, in the order help texts list them; the first is the default.
const std::vector<const Kind*>& all();
std::vector<std::string> names();
// The kind a file describes: its `kind:` key (one line naming the file, line and the choices when it
// is none of them), the first kind when absent.
const Kind& of(const YAML::Node& root, const cfg::YamlContext& ctx);
// By name; throws UserError listing the kinds for an unknown one.
const Kind& find(const std::string& name);

// Each kind's file defines one of these; kind.cpp lists them (static registration would be dropped
// by the linker from a static library).
const Kind& association();
const Kind& network();
const Kind& autoassociation();
const Kind& study();

}  // namespace hds::kind
