// The `kind:` key of experiment and sweep files: which kind of experiment a file describes
// (association, the default; network). Not the root attribute `kind` of result files (run / sweep /
// study), which says what wrote the file; result files name the experiment kind `experiment_kind`.
#pragma once
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "tools/lib/yaml_util.hpp"

namespace hds::cfg {

const std::vector<std::string>& experiment_kinds();

// The file's kind: `kind:` when present (one of experiment_kinds(), else one line naming the file,
// line and the choices), "association" when absent.
std::string experiment_kind(const YAML::Node& root, const YamlContext& ctx);

}  // namespace hds::cfg
