// The two small deterministic studies of the slides, read from YAML, run with the suite's own rule
// code (core/rules.hpp) and written as result files of kind "study":
//   toy_paths         study 1: weight paths of hd and gd on (1,0),(0,1),(1,1) → 0,0,1
//   where_hebb_fails  study 2: which rules can store (0,1),(1,1),(1,0),(1,0) → (0,1),(1,0),(1,1),(1,1)
//
// File layout (beside the common root attributes and /provenance of results/README.md; base_seed is 0
// because nothing is random): root attribute `study`; `/config` (the resolved YAML); `/inputs` [P, n_in]
// and `/targets` [P, n_out]; a table `/summary/<column>` [rows] whose order is `/summary@columns`.
//   toy_paths:        /paths/<rule>_<mode>/theta [U+1, n_in+1] (weights then bias after each update),
//                     /paths/<rule>_<mode>/loss [U+1] (½ Σ_p Σ_j (h − t)²); attributes rule, step_mode, eta
//   where_hebb_fails: /outputs/<rule> [P, n_out] after training (and rescaling), /outputs_per_epoch/<rule>
//                     [E, P, n_out] before rescaling, /weights/<rule> [n_in, n_out]; attributes
//                     normalised (0/1) and norm_before (‖W‖_F before rescaling)
#pragma once
#include <yaml-cpp/yaml.h>

#include <Eigen/Dense>
#include <map>
#include <string>
#include <vector>

#include "core/activation.hpp"
#include "core/rules.hpp"
#include "tools/lib/yaml_util.hpp"

namespace hds::study {

enum class Centering { none, dataset };

struct ToyPathsConfig {
  Eigen::MatrixXd X, T;                 // P × n_in, P × n_out (rows are patterns)
  Eigen::VectorXd start;                // n_in weights then n_out biases (n_out = 1)
  int updates = 50;
  std::vector<Rule> rules;
  std::map<Rule, double> natural_eta;   // step mode "natural": θ ← θ + η Δθ
  std::map<Rule, double> constant_step; // step mode "constant": θ ← θ + ℓ Δθ / ‖Δθ‖
  Centering centering = Centering::none;
};

struct WhereHebbFailsConfig {
  Eigen::MatrixXd X, T;
  std::vector<Rule> rules;
  double eta = 10.0;
  int epochs = 1;
  Centering centering = Centering::dataset;
  bool learn_bias = false;
  std::vector<Rule> normalise;          // rules whose final W is rescaled to Frobenius norm `norm`
  double norm = 100.0;
};

struct StudyConfig {
  std::string study;                    // toy_paths | where_hebb_fails
  std::string name, description, output, file;
  Activation act = Activation::make(ActivationKind::sigmoid);
  ToyPathsConfig toy;
  WhereHebbFailsConfig hebb;
};

// Reads and validates a study file (`kind: study`, the kind of kind_study.cpp); errors name
// file:line and the key.
StudyConfig load_study(const std::string& path);
StudyConfig parse_study(const YAML::Node& root, const cfg::YamlContext& ctx);
// Every key a study file may have (of either study).
const std::vector<std::string>& study_keys();

struct ToyPath {
  Rule rule = Rule::hd;
  std::string mode;                     // natural | constant
  double eta = 0;                       // learning rate (natural) or step length (constant)
  Eigen::MatrixXd theta;                // (U+1) × (n_in + 1)
  std::vector<double> loss;             // U+1
  double path_length() const;
  double directness() const;            // ‖θ_U − θ_0‖ / path length (1: a straight line)
};
std::vector<ToyPath> run_toy_paths(const ToyPathsConfig& c, const Activation& act);

struct Storage {
  Rule rule = Rule::hd;
  std::vector<Eigen::MatrixXd> per_epoch;  // P × n_out outputs after each epoch, before rescaling
  Eigen::MatrixXd outputs;                 // P × n_out after training and rescaling
  Eigen::MatrixXd W;                       // final (rescaled) weights
  double norm_before = 0;
  bool normalised = false;
};
std::vector<Storage> run_where_hebb_fails(const WhereHebbFailsConfig& c, const Activation& act);

// Runs the study, writes its result file (atomically) and returns the table printed for people.
std::string run_study(const StudyConfig& c);

}  // namespace hds::study
