// The `kind: autoassociation` experiment: its configuration (YAML → AutoExperiment, validated once),
// its repetitions (core/autoassociation.hpp on N training and M held-out patterns of one source), the
// optional identity and Jacobian checks of the rules at the trained state, and its result file (layout
// in results/README.md, "autoassociation runs").
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/autoassociation.hpp"
#include "core/init.hpp"
#include "datasets/source.hpp"
#include "tools/lib/yaml_util.hpp"

namespace hds::autoexp {

struct AutoExperiment {
  std::string name = "autoassociation";
  std::string description;
  data::SourceSpec data;
  int patterns = 100;   // N training patterns
  int heldout = 100;    // M held-out patterns: drawn with the N from the same source, disjoint
  int patch_size = 0;   // mnist, cifar: train on seeded random size × size patches (0: whole images)
  int hidden = 10;      // k
  AutoSpec train;       // rule, φ, visible units, η, ω, centerings, protocol, epochs, batch size …
  InitSpec init;        // W0 (n_in × k): glorot (default), zero or normal; b0 = 0
  int repetitions = 1;
  uint64_t seed = 1;
  bool check_identities = false;  // checks: [identities]
  bool check_jacobian = false;    // checks: [jacobian]
  bool store_weights = false;
  std::string output;       // default results/<name>.h5
  std::string config_file;  // where it was read from
};

// The largest n_in × k for which `checks: [jacobian]` is computed: its Jacobian is (n_in k)² numbers
// and takes 2 n_in k passes over the training set.
constexpr long kMaxJacobianSize = 2500;
// The score of a run that diverged, or whose held-out MSE is not finite or above this: finite (the
// journal keeps finite scores only), never better than a run that trained, and its square (for the
// standard deviation over repetitions) still finite.
constexpr double kWorstScore = 1e150;
constexpr int kMaxBatch = 1000000;

// Every key an autoassociation experiment file may have.
const std::vector<std::string>& autoassociation_keys();

// Reads and validates a `kind: autoassociation` mapping; errors name ctx's file, the line and the key.
// Checks that need the data (k against a user file's width, sigmoid visible units against its values)
// are made when the data are drawn (prepare_repetition), naming the file and the key.
AutoExperiment parse_autoassociation(const YAML::Node& root, const cfg::YamlContext& ctx);

// Every value in its range and the keys consistent with each other; `fail(key, message)` must throw
// (key: the dotted key at fault, "" for the run as a whole).
void validate(const AutoExperiment& c, const std::function<void(const std::string&, const std::string&)>& fail);

// The resolved configuration (every default written out) as YAML that parse_autoassociation reads back.
std::string to_yaml(const AutoExperiment& c);

// Input dimension when it is known without reading a file (generated sets, the named sets, patches);
// 0 for user files. Images: their side (patch size, 28 for mnist, 32 for cifar), else 0.
int known_dim(const AutoExperiment& c);
int image_side(const AutoExperiment& c);

// Bytes of the arrays one repetition's result keeps, and of its data and weights in training.
double result_bytes(const AutoExperiment& c);
double data_bytes(const AutoExperiment& c);

// The source, opened (file sets cached per process), with N + M checked against its size.
std::shared_ptr<const data::PatternPool> open_pool(const AutoExperiment& c);

// What repetition r trains on, a fixed function of (seed, r): its seed derive_seed(seed, {r}); N + M
// patterns drawn from derive_seed(rep_seed, {kInputs}) (patches placed by derive_seed(rep_seed,
// {kInputs, 1})), the first N to train on and the last M held out; W0 from derive_seed(rep_seed,
// {kInit}); the top-k principal subspace of the training patterns (for the angles). Refuses, in one
// line naming the file and key, what the drawn data make impossible (k > n_in, sigmoid visible units
// on data outside [0, 1], a Jacobian too large, anything check_autoassociation refuses).
struct Repetition {
  uint64_t seed = 0;
  Eigen::MatrixXd train, heldout;  // n_in × N, n_in × M
  AutoParams initial;              // W0, b0 = 0, c0 = 0
  Eigen::MatrixXd principal;       // n_in × k
};
Repetition prepare_repetition(const AutoExperiment& c, const data::PatternPool& pool, int r);

// The tuning score of a run: its last epoch's held-out MSE, kWorstScore when it diverged or that MSE is
// not finite or larger than kWorstScore.
double score_of(const AutoResult& r);

// One number of the checks (`checks:`): its name, value and what it measures.
struct Check {
  std::string name;
  double value = 0.0;
  std::string description;
};
// `checks: [identities]`: the identities between the rules' per-pattern updates (cd1_clamped = hd,
// gd_decoder = hd with linear visible units, gd = gd_decoder + gd_encoder, linear hd = oja, linear
// hd_sanger = sanger) as the largest absolute difference over the training patterns, and how far plain
// cd1's and gd's mean updates are from hd's. `checks: [jacobian]`: ‖J − Jᵀ‖_F / ‖J‖_F of the mean update
// field's Jacobian for hd, gd and the experiment's rule, and the largest real part of the eigenvalues
// of the experiment's rule's. All at `state` (a run's final parameters and offsets) on `X` (its
// training patterns).
std::vector<Check> rule_checks(const AutoExperiment& c, const AutoParams& state, const AutoOffsets& offsets,
                               const Eigen::MatrixXd& X);

struct AutoRunResult {
  std::vector<AutoResult> runs;  // one per repetition
  std::vector<uint64_t> seeds;
  std::vector<Eigen::MatrixXd> W0;  // kept with store: [weights]
  std::vector<double> scores;
  std::vector<Check> checks;        // of repetition 0 (with checks:)
  std::string checks_state;         // where they were computed
  std::string data_description;
  std::vector<data::FileRecord> files;
  int n_in = 0;
  double seconds = 0.0;
  double score_mean = 0.0, score_sd = 0.0;
  int n_diverged = 0;
};

// Runs every repetition (OpenMP over repetitions, each run single-threaded: the results do not depend
// on the thread count; `threads` <= 0: OpenMP's default), then the checks on repetition 0.
AutoRunResult run_autoassociation(const AutoExperiment& c, int threads);

// Writes the result file atomically (kind "run", experiment_kind "autoassociation"); an existing file
// is replaced only with `replace` (--force). Its /config names `<stem>_rerun.h5`, never `path` itself.
void write_autoassociation_file(const std::string& path, const AutoExperiment& c, const AutoRunResult& r,
                                bool replace);

}  // namespace hds::autoexp
