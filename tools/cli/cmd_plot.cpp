// `hds plot FILE.h5 [--out DIR] [--compare OTHER.h5]`: the figures of a result file, drawn by
// tools/plot.py with the system's Python (numpy, h5py and matplotlib from Debian).
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "tools/cli/commands.hpp"

namespace hds::cli {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

struct PlotOptions {
  std::string file;
  std::string out;
  std::string compare;
};

// tools/plot.py of the source tree this binary was built from, else beside the binary's folder.
std::string plot_script() {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates = {fs::path(HDS_SOURCE_DIR) / "tools" / "plot.py"};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path() / ".." / "tools" / "plot.py");
  for (const auto& c : candidates)
    if (fs::exists(c)) return c.lexically_normal().string();
  throw UserError(fmt::format("tools/plot.py not found (looked in {}); run hds from its build tree or use "
                              "'python3 tools/plot.py' from a checkout",
                              candidates[0].string()));
}

void plot(const PlotOptions& o) {
  if (access(kPython, X_OK) != 0)
    throw UserError(fmt::format("{} not found; install python3-matplotlib and python3-h5py (tools/install-deps.sh)",
                                kPython));
  std::vector<std::string> args = {kPython, plot_script(), o.file};
  if (!o.out.empty()) args.insert(args.end(), {"--out", o.out});
  if (!o.compare.empty()) args.insert(args.end(), {"--compare", o.compare});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) throw UserError("cannot start tools/plot.py (fork failed: out of processes?)");
  if (pid == 0) {
    execv(kPython, argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw UserError("lost track of tools/plot.py (waitpid failed)");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw UserError(fmt::format("tools/plot.py did not finish ({}); its message is above",
                                WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                                  : std::string("killed by a signal")));
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
