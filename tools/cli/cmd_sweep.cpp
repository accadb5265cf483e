// `hds sweep`: placeholder until its issue lands; says so instead of pretending.
#include "core/error.hpp"
#include "tools/cli/commands.hpp"

namespace hds::cli {

void add_sweep_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("sweep", "(not built yet)");
  cmd->allow_extras();
  cmd->callback([] { throw UserError("'hds sweep' is not available in this build yet"); });
}

}  // namespace hds::cli
