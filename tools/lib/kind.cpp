// The registry of experiment kinds (see kind.hpp).
#include "tools/lib/kind.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace hds::kind {

uint64_t Array::size() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

const Array* CellDetail::find(const std::string& name) const {
  for (const auto& a : arrays)
    if (a.name == name) return &a;
  return nullptr;
}

const std::string* CellDetail::attr(const std::string& name) const {
  for (const auto& [k, v] : attrs)
    if (k == name) return &v;
  return nullptr;
}

const std::vector<const Kind*>& all() {
  static const std::vector<const Kind*> kinds = {&association(), &network(), &autoassociation(), &study()};
  return kinds;
}

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const Kind* k : all()) out.push_back(k->name);
  return out;
}

const Kind& of(const YAML::Node& root, const cfg::YamlContext& ctx) {
  if (!root.IsMap()) return *all().front();
  return find(ctx.get_choice(root, "kind", all().front()->name, names()));
}

const Kind& find(const std::string& name) {
  for (const Kind* k : all())
    if (k->name == name) return *k;
  std::string list;
  for (const auto& n : names()) list += (list.empty() ? "" : ", ") + n;
  throw UserError(fmt::format("unknown experiment kind '{}' (kinds: {})", name, list));
}

}  // namespace hds::kind
