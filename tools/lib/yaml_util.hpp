// Reading YAML with errors that name the file, the line, the key, the value and what was expected.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hds::cfg {

// Where a node came from: "file.yaml:7" or "--set eta=0.5" for a command-line override.
class YamlContext {
 public:
  explicit YamlContext(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  // Applies `key.path=value` overrides to `root` (the value is read as YAML). Unknown keys are
  // caught later by the same checks as the file's own keys, with the override named as the place.
  void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides);

  // Makes messages about `copy` (a YAML::Clone of `original`, which loses the lines) and about
  // every node below it name the place of the original.
  void remember_origin(const YAML::Node& copy, const YAML::Node& original);
  void forget_origins() { origins_.clear(); }

  std::string where(const YAML::Node& node) const;
  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const;

  // Rejects keys of a map that are not in `allowed`, suggesting the closest allowed one.
  void check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                  const std::string& section) const;
  void require_map(const YAML::Node& node, const std::string& key) const;
  // Rejects a key given twice in any mapping below `node` (yaml-cpp keeps both and finds the first).
  void check_duplicate_keys(const YAML::Node& node) const;

  // Typed reads of `map[key]`; `dflt` when absent. Wrong types fail with the value shown.
  double get_double(const YAML::Node& map, const std::string& key, double dflt) const;
  // Whole numbers are read as 64 bits; get_int_in range-checks them before they are narrowed, so
  // 4294967297 is refused rather than read as 1. `name` is the key as messages show it ("inputs.dim").
  int64_t get_int(const YAML::Node& map, const std::string& key, int64_t dflt) const;
  int get_int_in(const YAML::Node& map, const std::string& key, int dflt, int64_t lo, int64_t hi,
                 const std::string& name) const;
  uint64_t get_uint64(const YAML::Node& map, const std::string& key, uint64_t dflt) const;
  bool get_bool(const YAML::Node& map, const std::string& key, bool dflt) const;
  std::string get_string(const YAML::Node& map, const std::string& key, const std::string& dflt) const;
  // A string that must be one of `choices`.
  std::string get_choice(const YAML::Node& map, const std::string& key, const std::string& dflt,
                         const std::vector<std::string>& choices) const;
  std::string choice_of(const YAML::Node& value, const std::string& key,
                        const std::vector<std::string>& choices) const;
  std::vector<std::string> get_string_list(const YAML::Node& map, const std::string& key) const;

 private:
  std::string file_;
  std::vector<std::pair<YAML::Node, std::string>> overrides_;  // node -> "--set k=v"
  std::vector<std::pair<YAML::Node, YAML::Node>> origins_;     // copy -> original
};

// Loads a YAML file; a missing or malformed file fails with its name and the parser's line.
YAML::Node load_yaml_file(const std::string& path);

// The allowed word closest to `word` (edit distance), or "" when none is close.
std::string closest(const std::string& word, const std::vector<std::string>& allowed);

// Renders a node as a one-line scalar or flow value for messages.
std::string show(const YAML::Node& node);

}  // namespace hds::cfg
