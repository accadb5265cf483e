// The `kind:` key of experiment files (see experiment_kind.hpp).
#include "tools/lib/experiment_kind.hpp"

namespace hds::cfg {

const std::vector<std::string>& experiment_kinds() {
  static const std::vector<std::string> kinds = {"association", "network"};
  return kinds;
}

std::string experiment_kind(const YAML::Node& root, const YamlContext& ctx) {
  if (!root.IsMap()) return "association";
  return ctx.get_choice(root, "kind", "association", experiment_kinds());
}

}  // namespace hds::cfg
