// The study kind (`kind: study`): the slides' two small deterministic studies (study 1, the toy paths
// of hd and gd; study 2, where Hebb fails), run by tools/lib/studies.hpp. Nothing in them is random
// or tuned, so they are run, not swept.
#include <fmt/format.h>

#include "tools/lib/kind.hpp"
#include "tools/lib/output_path.hpp"
#include "tools/lib/studies.hpp"

namespace hds::kind {
namespace {

void run(const RunRequest& q, const YAML::Node& root, const cfg::YamlContext& ctx) {
  study::StudyConfig c = study::parse_study(root, ctx);
  if (!q.output.empty()) c.output = q.output;
  out::check_target(c.output, q.force);  // before the work, not after it
  fmt::print("{}", study::run_study(c));
}

}  // namespace

const Kind& study() {
  static const Kind k{"study",
                      "one of the slides' small deterministic studies (toy paths, where Hebb fails)",
                      {},
                      {},
                      nullptr,
                      study::study_keys,
                      run,
                      nullptr,
                      nullptr,
                      nullptr,
                      nullptr,
                      nullptr};
  return k;
}

}  // namespace hds::kind
