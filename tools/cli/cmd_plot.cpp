// `hds plot FILE.h5 [--out DIR] [--compare OTHER.h5]`: the figures of a result file, drawn by
// tools/plot.py with the system's Python (numpy, h5py and matplotlib from Debian).
#include <memory>
#include <string>
#include <vector>

#include "tools/cli/commands.hpp"
#include "tools/cli/python_tool.hpp"
#include "tools/lib/guarded_read.hpp"
#include "tools/lib/inspect.hpp"

namespace hds::cli {
namespace {

struct PlotOptions {
  std::string file;
  std::string out;
  std::string compare;
};

void plot(const PlotOptions& o) {
  // The checks of `hds inspect` first, in a child process: a damaged file is one line here, and HDF5
  // (which plot.py's h5py uses too) cannot crash on what inspect reads.
  for (const std::string& f : {o.file, o.compare})
    if (!f.empty()) h5::guarded_read(f, [&] { return inspect::report(f, "", "text"); });
  std::vector<std::string> args = {o.file};
  if (!o.out.empty()) args.insert(args.end(), {"--out", o.out});
  if (!o.compare.empty()) args.insert(args.end(), {"--compare", o.compare});
  run_python_tool("plot.py", args);
}

}  // namespace

void add_plot_command(CLI::App& app) {
  auto opts = std::make_shared<PlotOptions>();
  auto* cmd = app.add_subcommand("plot", "draw a result file's figures as PNGs (runs tools/plot.py)");
  cmd->add_option("file", opts->file, "result file (.h5) written by hds run, sweep or study")->required();
  cmd->add_option("--out", opts->out, "directory for the PNGs (default: beside the file)");
  cmd->add_option("--compare", opts->compare, "a second result file to set against the first");
  cmd->callback([opts] { plot(*opts); });
}

}  // namespace hds::cli
