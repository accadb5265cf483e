// Reading YAML with precise errors (see yaml_util.hpp).
#include "tools/lib/yaml_util.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "core/error.hpp"

namespace hds::cfg {

std::string closest(const std::string& word, const std::vector<std::string>& allowed) {
  std::string best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& a : allowed) {
    std::vector<size_t> prev(a.size() + 1), cur(a.size() + 1);
    for (size_t j = 0; j <= a.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= word.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= a.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (word[i - 1] == a[j - 1] ? 0 : 1)});
      std::swap(prev, cur);
    }
    if (prev[a.size()] < best_d) {
      best_d = prev[a.size()];
      best = a;
    }
  }
  // Common synonyms that edit distance cannot find.
  static const std::vector<std::pair<std::string, std::string>> synonyms = {
      {"lr", "eta"}, {"learning_rate", "eta"}, {"decay", "weight_decay"}, {"n", "patterns"},
      {"reps", "repetitions"}, {"activation_function", "activation"}, {"out", "output"}};
  if (best.empty())
    for (const auto& [from, to] : synonyms)
      if (word == from && std::find(allowed.begin(), allowed.end(), to) != allowed.end()) return to;
  return best;
}

std::string show(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  YAML::Emitter e;
  e << YAML::Flow << node;
  return e.c_str();
}

YAML::Node load_yaml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UserError(fmt::format("{}: cannot open the file (does it exist? check the path)", path));
  try {
    YAML::Node root = YAML::Load(in);
    if (!root.IsMap())
      throw UserError(fmt::format("{}: expected a YAML mapping of keys (like 'rule: hd'), got {}", path,
                                  root.IsNull() ? "an empty file" : "something else"));
    return root;
  } catch (const YAML::ParserException& e) {
    throw UserError(fmt::format("{}:{}: YAML syntax error: {}", path, e.mark.line + 1, e.msg));
  }
}

void YamlContext::apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides) {
  for (const auto& ov : overrides) {
    const auto eq = ov.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UserError(fmt::format("--set {}: expected key=value, e.g. --set eta=0.5", ov));
    const std::string path = ov.substr(0, eq);
    YAML::Node value;
    try {
      value = YAML::Load(ov.substr(eq + 1));
    } catch (const YAML::Exception& e) {
      throw UserError(fmt::format("--set {}: the value is not valid YAML: {}", ov, e.msg));
    }
    // Walk a.b.c, creating maps on the way (a scalar in the way becomes a map).
    std::vector<std::string> parts;
    std::stringstream ss(path);
    for (std::string part; std::getline(ss, part, '.');) parts.push_back(part);
    YAML::Node node = root;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      YAML::Node child = node[parts[i]];
      if (!child.IsMap()) {
        YAML::Node m(YAML::NodeType::Map);
        if (child.IsScalar() && (parts[i] == "activation" || parts[i] == "init")) m["name"] = child;
        else if (child.IsScalar() && (parts[i] == "inputs" || parts[i] == "targets")) m["dataset"] = child;
        node[parts[i]] = m;
        child = node[parts[i]];
      }
      node.reset(child);
    }
    node[parts.back()] = value;
    overrides_.emplace_back(node[parts.back()], "--set " + ov);
  }
}

void YamlContext::remember_origin(const YAML::Node& copy, const YAML::Node& original) {
  origins_.emplace_back(copy, original);
  if (copy.IsSequence() && original.IsSequence() && copy.size() == original.size()) {
    for (size_t i = 0; i < copy.size(); ++i) remember_origin(copy[i], original[i]);
  } else if (copy.IsMap() && original.IsMap() && copy.size() == original.size()) {
    for (auto c = copy.begin(), o = original.begin(); c != copy.end() && o != original.end(); ++c, ++o) {
      remember_origin(c->first, o->first);
      remember_origin(c->second, o->second);
    }
  }
}

std::string YamlContext::where(const YAML::Node& node) const {
  if (!node.IsDefined()) return file_;  // a key that is absent: no line to point at
  for (auto it = origins_.rbegin(); it != origins_.rend(); ++it)
    if (it->first.is(node)) return where(it->second);
  for (const auto& [n, text] : overrides_)
    if (n.is(node)) return text;
  const auto mark = node.Mark();
  if (mark.line < 0) return file_;
  return fmt::format("{}:{}", file_, mark.line + 1);
}

void YamlContext::fail(const YAML::Node& node, const std::string& message) const {
  throw UserError(fmt::format("{}: {}", where(node), message));
}

void YamlContext::require_map(const YAML::Node& node, const std::string& key) const {
  if (!node.IsMap()) fail(node, fmt::format("key '{}': expected a mapping of keys, got {}", key, show(node)));
}

void YamlContext::check_duplicate_keys(const YAML::Node& node) const {
  // Aliases can make a small file a huge tree; a file of ours has far fewer nodes than this.
  constexpr long kMaxNodes = 10000000;
  long visited = 0;
  std::vector<YAML::Node> todo{node};
  while (!todo.empty()) {
    const YAML::Node n = todo.back();
    todo.pop_back();
    if (++visited > kMaxNodes)
      throw UserError(fmt::format("{}: more than {} YAML nodes (aliases expanding?); write the file out plainly",
                                  file_, kMaxNodes));
    if (n.IsSequence())
      for (const auto& item : n) todo.push_back(item);
    if (!n.IsMap()) continue;
    std::unordered_map<std::string, int> seen;  // key -> line
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : show(it->first);
      const auto [at, fresh] = seen.emplace(key, it->first.Mark().line + 1);
      if (!fresh) fail(it->first, fmt::format("duplicate key '{}' (first on line {})", key, at->second));
      todo.push_back(it->second);
    }
  }
}

void YamlContext::check_keys(const YAML::Node& map, const std::vector<std::string>& allowed,
                             const std::string& section) const {
  std::vector<std::pair<std::string, int>> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string key = it->first.as<std::string>();
    for (const auto& [k, line] : seen)
      if (k == key) fail(it->first, fmt::format("duplicate key '{}' (first on line {})", key, line));
    seen.emplace_back(key, it->first.Mark().line + 1);
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const std::string near = closest(key, allowed);
    std::string allowed_list;
    for (const auto& a : allowed) allowed_list += (allowed_list.empty() ? "" : ", ") + a;
    const std::string hint = near.empty() ? fmt::format("(allowed{}: {})", section.empty() ? "" : " in " + section,
                                                        allowed_list)
                                          : fmt::format("(did you mean '{}'?)", near);
    // An overridden value sits under the key: name the override rather than the file.
    fail(it->second.IsDefined() && where(it->second).rfind("--set", 0) == 0 ? it->second : it->first,
         fmt::format("unknown key '{}'{} {}", key, section.empty() ? "" : " in " + section, hint));
  }
}

double YamlContext::get_double(const YAML::Node& map, const std::string& key, double dflt) const {
  const YAML::Node v = map[key];
  if (!v.IsDefined() || v.IsNull()) return dflt;
  double x = 0;
  if (!v.IsScalar() || !YAML::convert<double>::decode(v, x) || !std::isfinite(x))
    fail(v, fmt::format("key '{}': expected a finite number, got {}", key, show(v)));
  return x;
}

int64_t YamlContext::get_int(const YAML::Node& map, const std::string& key, int64_t dflt) const {
  const YAML::Node v = map[key];
  if (!v.IsDefined() || v.IsNull()) return dflt;
  int64_t x = 0;
  if (!v.IsScalar() || !YAML::convert<int64_t>::decode(v, x))
    fail(v, fmt::format("key '{}': expected a whole number, got {}", key, show(v)));
  return x;
}

int YamlContext::get_int_in(const YAML::Node& map, const std::string& key, int dflt, int64_t lo, int64_t hi,
                            const std::string& name) const {
  const int64_t x = get_int(map, key, dflt);
  if (x < lo || x > hi) fail(map[key], fmt::format("key '{}' must be in {}..{}, got {}", name, lo, hi, x));
  return static_cast<int>(x);
}

uint64_t YamlContext::get_uint64(const YAML::Node& map, const std::string& key, uint64_t dflt) const {
  const YAML::Node v = map[key];
  if (!v.IsDefined() || v.IsNull()) return dflt;
  uint64_t x = 0;
  if (!v.IsScalar() || v.Scalar().rfind('-', 0) == 0 || !YAML::convert<uint64_t>::decode(v, x))
    fail(v, fmt::format("key '{}': expected a non-negative whole number, got {}", key, show(v)));
  return x;
}

bool YamlContext::get_bool(const YAML::Node& map, const std::string& key, bool dflt) const {
  const YAML::Node v = map[key];
  if (!v.IsDefined() || v.IsNull()) return dflt;
  bool x = false;
  if (!v.IsScalar() || !YAML::convert<bool>::decode(v, x))
    fail(v, fmt::format("key '{}': expected true or false, got {}", key, show(v)));
  return x;
}

std::string YamlContext::get_string(const YAML::Node& map, const std::string& key, const std::string& dflt) const {
  const YAML::Node v = map[key];
  if (!v.IsDefined() || v.IsNull()) return dflt;
  if (!v.IsScalar()) fail(v, fmt::format("key '{}': expected a string, got {}", key, show(v)));
  return v.Scalar();
}

std::string YamlContext::choice_of(const YAML::Node& v, const std::string& key,
                                   const std::vector<std::string>& choices) const {
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : " | ") + c;
  if (!v.IsScalar()) fail(v, fmt::format("key '{}': expected one of {}, got {}", key, list, show(v)));
  const std::string s = v.Scalar();
  if (std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
  const std::string near = closest(s, choices);
  fail(v, fmt::format("key '{}': unknown value '{}' (expected one of {}{})", key, s, list,
                      near.empty() ? "" : "; did you mean '" + near + "'?"));
}

std::string YamlContext::get_choice(const YAML::Node& map, const std::string& key, const std::string& dflt,
                                    const std::vector<std::string>& choices) const {
  const YAML::Node v = map[key];
  if (!v.IsDefined() || v.IsNull()) return dflt;
  return choice_of(v, key, choices);
}

std::vector<std::string> YamlContext::get_string_list(const YAML::Node& map, const std::string& key) const {
  const YAML::Node v = map[key];
  std::vector<std::string> out;
  if (!v.IsDefined() || v.IsNull()) return out;
  if (v.IsScalar()) return {v.Scalar()};
  if (!v.IsSequence()) fail(v, fmt::format("key '{}': expected a list, got {}", key, show(v)));
  for (const auto& item : v) {
    if (!item.IsScalar()) fail(item, fmt::format("key '{}': expected a list of words, got {}", key, show(item)));
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace hds::cfg
