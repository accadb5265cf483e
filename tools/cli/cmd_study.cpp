// `hds study FILE.yaml [-o out.h5]`: one of the slides' small deterministic studies (toy paths,
// where Hebb fails), a table like the slide's and an HDF5 result of kind "study".
#include <fmt/format.h>

#include "tools/cli/commands.hpp"
#include "tools/lib/kind.hpp"

namespace hds::cli {

void add_study_command(CLI::App& app) {
  struct Options {
    std::string file, output;
    bool force = false;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("study", "run a small study of the slides (experiments/study*.yaml)");
  cmd->add_option("file", opts->file, "study YAML file, e.g. experiments/study2_where_hebb_fails.yaml")->required();
  cmd->add_option("-o,--output", opts->output, "result file (default: the file's 'output' key)");
  cmd->add_flag("--force", opts->force, "replace an existing result file");
  cmd->callback([opts] {
    // The same as `hds run` of a `kind: study` file (tools/lib/kind_study.cpp).
    YAML::Node root = cfg::load_yaml_file(opts->file);
    cfg::YamlContext ctx(opts->file);
    ctx.check_duplicate_keys(root);
    kind::find("study").run({opts->output, 0, opts->force}, root, ctx);
  });
}

}  // namespace hds::cli
