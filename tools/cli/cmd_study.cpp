// `hds study FILE.yaml [-o out.h5]`: one of the slides' small deterministic studies (toy paths,
// where Hebb fails), a table like the slide's and an HDF5 result of kind "study".
#include <fmt/format.h>

#include "tools/cli/commands.hpp"
#include "tools/lib/output_path.hpp"
#include "tools/lib/studies.hpp"

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
    study::StudyConfig c = study::load_study(opts->file);
    if (!opts->output.empty()) c.output = opts->output;
    // The study writes with replacement allowed (a study takes well under a second): refuse here.
    out::check_target(c.output, opts->force);
    fmt::print("{}", study::run_study(c));
  });
}

}  // namespace hds::cli
