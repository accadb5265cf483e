// The `kind: network` experiment: its configuration (YAML → NetworkExperiment, validated once), its
// repetitions (core/network_trainer.hpp on a labelled data set cut into train / validation / test)
// and its result file (layout in results/README.md, "network runs").
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/network_trainer.hpp"
#include "datasets/labelled.hpp"
#include "tools/lib/yaml_util.hpp"

namespace hds::netexp {

struct NetworkExperiment {
  std::string name = "network";
  std::string description;
  data::LabelledSpec data;
  NetworkTrainSpec train;
  int repetitions = 1;
  uint64_t seed = 1;
  bool store_weights = false;
  std::string output;       // default results/<name>.h5
  std::string config_file;  // where it was read from
};

// Every key a network experiment file may have.
const std::vector<std::string>& network_keys();

// Reads and validates a `kind: network` mapping; `ctx` names the file for errors. Checks that need
// the data (layer sizes against the input dimension and the classes) are made by run_network.
NetworkExperiment parse_network(const YAML::Node& root, const cfg::YamlContext& ctx);

// The resolved configuration (every default written out) as YAML that parse_network reads back.
std::string to_yaml(const NetworkExperiment& c);

struct NetworkRunResult {
  std::vector<NetworkResult> runs;  // one per repetition
  std::vector<uint64_t> seeds;
  data::LabelledSplits data;        // the parts trained and measured on (X kept for shapes only)
  double seconds = 0.0;
  double score_mean = 0.0, score_sd = 0.0;  // final validation accuracy over repetitions
  int n_diverged = 0;
};

// The data of an experiment, loaded and cut, with the checks that need it: the layers against the
// input dimension and the classes, and check_network_training (one line naming the key and the fix).
struct NetworkData {
  data::LabelledSplits splits;
  LabelledSet train, validation, test;
};
NetworkData load_network_data(const NetworkExperiment& c);

// Loads the data, checks the layers against it (one line naming the key and the fix), trains every
// repetition (seed derive_seed(seed, {r})), calling `on_epoch(r, metrics)` after each epoch.
NetworkRunResult run_network(const NetworkExperiment& c, int threads,
                             const std::function<void(int, const EpochMetrics&)>& on_epoch = {});

// Writes the result file atomically (kind "run", experiment_kind "network"); an existing file is
// replaced only with `replace` (--force).
void write_network_file(const std::string& path, const NetworkExperiment& c, const NetworkRunResult& r,
                        bool replace);

}  // namespace hds::netexp
