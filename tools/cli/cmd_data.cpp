// `hds data`: placeholder until its issue lands; says so instead of pretending.
#include "core/error.hpp"
#include "tools/cli/commands.hpp"

namespace hds::cli {

void add_data_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("data", "(not built yet)");
  cmd->allow_extras();
  cmd->callback([] { throw UserError("'hds data' is not available in this build yet"); });
}

}  // namespace hds::cli
