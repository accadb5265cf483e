// The experiment configuration: plain structs with defaults, read from YAML and validated once.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/engine.hpp"
#include "core/init.hpp"
#include "datasets/source.hpp"
#include "tools/lib/yaml_util.hpp"

namespace hds::cfg {

struct ExperimentConfig {
  std::string name = "experiment";
  std::string description;
  data::SourceSpec inputs;
  data::SourceSpec targets;
  int patterns = 100;
  data::Sample sample = data::Sample::random;  // how rows of file sources are taken (datasets/sampling.hpp)
  TrainSpec train;
  InitSpec init;
  int repetitions = 10;
  uint64_t seed = 1;
  bool store_patterns = false;
  bool store_weights = false;  // error_matrix lives in train.error_matrix
  std::string output;          // default results/<name>.h5
  std::string config_file;     // where it was read from
};

// An activation given as a name or {name, alpha, lambda} under `key`, checked as validate() checks
// the experiment's activation (finite parameters, alpha > 0 for scaled_tanh).
Activation read_activation(const YAML::Node& node, const YamlContext& ctx, const std::string& key);

// The checks of an activation's parameters, reported as fail(key path, message).
void validate_activation(const Activation& a, const std::string& key,
                         const std::function<void(const std::string&, const std::string&)>& fail);

// A data source under `key` (inputs, targets, data): a name (`rand`) or a map ({dataset: randn, sd: 0.2});
// its keys checked against the set it names, each error at its line. The values' ranges are checked
// by validate_source; emit_source writes it back as one flow map that parse_source reads again.
data::SourceSpec parse_source(const YAML::Node& node, const std::string& key, const YamlContext& ctx);
void validate_source(const data::SourceSpec& s, const std::string& key,
                     const std::function<void(const std::string&, const std::string&)>& fail);
void emit_source(YAML::Emitter& e, const data::SourceSpec& s);

// `init:` as a name (glorot, zero, normal, from) or a map ({name: normal, sigma: 0.01}), and back.
InitSpec parse_init(const YAML::Node& node, const YamlContext& ctx);
void emit_init(YAML::Emitter& e, const InitSpec& init);

// Upper limits of the whole-number keys, checked before a value is narrowed to int.
constexpr int kMaxPatterns = 100000000;
constexpr int kMaxDim = 1000000;
constexpr int kMaxEpochs = 1000000;
constexpr int kMaxRepetitions = 100000;

// Whether an activation has the parameter (and so the key) alpha, lambda.
bool has_alpha(ActivationKind k);
bool has_lambda(ActivationKind k);

// Every key an experiment file may have (the sweeper adds its own around them).
const std::vector<std::string>& experiment_keys();

// Reads and validates an experiment from a YAML mapping; `ctx` names the file for errors.
ExperimentConfig parse_experiment(const YAML::Node& root, const YamlContext& ctx);

// The one check of a final configuration (after --set; in a sweep, after a grid point's values are
// applied): every value in its range, the keys consistent with each other, and the run's arrays
// within the machine's memory. `fail(key, message)` must throw; `key` is the dotted key at fault
// ("activation.alpha"), "" for the run as a whole. The second form throws "CONTEXT: message".
void validate(const ExperimentConfig& c, const std::function<void(const std::string&, const std::string&)>& fail);
void validate(const ExperimentConfig& c, const std::string& context);

// The sizes in bytes of one repetition's arrays, for the memory checks. A user file's pattern
// width is not known before it is read and counts as 0.
struct RunBytes {
  double data = 0;          // its input and target patterns
  double weights = 0;       // W
  double curve = 0;         // the forgetting curve
  double error_matrix = 0;  // S x P when stored
};
RunBytes run_bytes(const ExperimentConfig& c);

// "" when `bytes` fit in the machine's physical memory, else the line that says they do not:
// "this WHAT would need N GiB, more than the M GiB of memory of this machine; HINT".
std::string memory_problem(double bytes, const std::string& what, const std::string& hint);

// Loads FILE, applies --set overrides, validates.
ExperimentConfig load_experiment(const std::string& path, const std::vector<std::string>& overrides);

// The fully resolved configuration (every default written out) as YAML text.
std::string to_yaml(const ExperimentConfig& c);
void emit_experiment(YAML::Emitter& e, const ExperimentConfig& c);

}  // namespace hds::cfg
