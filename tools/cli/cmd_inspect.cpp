// `hds inspect`: placeholder until its issue lands; says so instead of pretending.
#include "core/error.hpp"
#include "tools/cli/commands.hpp"

namespace hds::cli {

void add_inspect_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("inspect", "(not built yet)");
  cmd->allow_extras();
  cmd->callback([] { throw UserError("'hds inspect' is not available in this build yet"); });
}

}  // namespace hds::cli
