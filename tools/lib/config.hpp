// The experiment configuration: plain structs with defaults, read from YAML and validated once.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
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

// An activation given as a name or {name, alpha, lambda}, checked against its kind.
Activation read_activation(const YAML::Node& node, const YamlContext& ctx);

// Every key an experiment file may have (the sweeper adds its own around them).
const std::vector<std::string>& experiment_keys();

// Reads and validates an experiment from a YAML mapping; `ctx` names the file for errors.
ExperimentConfig parse_experiment(const YAML::Node& root, const YamlContext& ctx);

// Loads FILE, applies --set overrides, validates.
ExperimentConfig load_experiment(const std::string& path, const std::vector<std::string>& overrides);

// The fully resolved configuration (every default written out) as YAML text.
std::string to_yaml(const ExperimentConfig& c);
void emit_experiment(YAML::Emitter& e, const ExperimentConfig& c);

}  // namespace hds::cfg
