// `hds inspect FILE.h5 [--cell N|LABEL] [--format text|csv|json]`: what a result file holds.
#include <fmt/format.h>

#include "tools/cli/commands.hpp"
#include "tools/lib/guarded_read.hpp"
#include "tools/lib/inspect.hpp"

namespace hds::cli {
namespace {

struct InspectOptions {
  std::string file;
  std::string cell;
  std::string format = "text";
};

void inspect_file(const InspectOptions& o) {
  // Everything is read (in a child process: HDF5 may crash on a damaged file) before anything is printed.
  fmt::print("{}", h5::guarded_read(o.file, [&] { return inspect::report(o.file, o.cell, o.format); }));
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto opts = std::make_shared<InspectOptions>();
  auto* cmd = app.add_subcommand("inspect", "show a result file's contents, provenance and summary table");
  cmd->add_option("file", opts->file, "result file (.h5) written by hds run, sweep or study")->required();
  cmd->add_option("--cell", opts->cell, "a sweep cell (index or label): every grid point's mean ± sd");
  cmd->add_option("--format", opts->format,
                  "text (default), or csv / json: the table only, for scripts (a network run: csv the per-epoch "
                  "table, json every table)")
      ->check(CLI::IsMember({"text", "csv", "json"}));
  cmd->callback([opts] { inspect_file(*opts); });
}

}  // namespace hds::cli
