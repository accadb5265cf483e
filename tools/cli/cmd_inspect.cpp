// `hds inspect FILE.h5 [--cell N|LABEL] [--format text|csv|json]`: what a result file holds.
#include <fmt/format.h>

#include "tools/cli/commands.hpp"
#include "tools/lib/h5file.hpp"
#include "tools/lib/inspect.hpp"

namespace hds::cli {
namespace {

struct InspectOptions {
  std::string file;
  std::string cell;
  std::string format = "text";
};

void inspect_file(const InspectOptions& o) {
  const h5::File f(o.file, h5::File::Mode::read);
  inspect::check_result_file(f);
  const std::vector<std::pair<std::string, std::string>> meta = {{"file", o.file}, {"kind", inspect::kind(f)}};
  if (o.format != "text") {
    const inspect::Table t = o.cell.empty() ? inspect::summary(f) : inspect::cell_detail(f, o.cell);
    fmt::print("{}", o.format == "csv" ? inspect::to_csv(t) : inspect::to_json(t, meta));
    return;
  }
  if (!o.cell.empty()) {
    fmt::print("{}", inspect::to_text(inspect::cell_detail(f, o.cell)));
    return;
  }
  fmt::print("{} ({} file)\n\n{}\n{}\n", o.file, inspect::kind(f), inspect::tree_text(f), inspect::provenance_text(f));
  fmt::print("{}", inspect::to_text(inspect::summary(f)));
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto opts = std::make_shared<InspectOptions>();
  auto* cmd = app.add_subcommand("inspect", "show a result file's contents, provenance and summary table");
  cmd->add_option("file", opts->file, "result file (.h5) written by hds run, sweep or study")->required();
  cmd->add_option("--cell", opts->cell, "a sweep cell (index or label): every grid point's mean ± sd");
  cmd->add_option("--format", opts->format, "text (default), or csv / json: the table only, for scripts")
      ->check(CLI::IsMember({"text", "csv", "json"}));
  cmd->callback([opts] { inspect_file(*opts); });
}

}  // namespace hds::cli
