// Running the suite's Python scripts (see python_tool.hpp).
#include "tools/cli/python_tool.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "core/error.hpp"

namespace hds::cli {
namespace {
constexpr const char* kPython = "/usr/bin/python3";
}

std::string self_path() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("hds") : exe.string();
}

std::string tool_script(const std::string& name) {
  namespace fs = std::filesystem;
  std::vector<fs::path> candidates = {fs::path(HDS_SOURCE_DIR) / "tools" / name};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / ".." / "tools" / name);
    candidates.push_back(exe.parent_path() / ".." / "share" / "hds" / "tools" / name);  // cmake --install
  }
  for (const auto& c : candidates)
    if (fs::exists(c)) return c.lexically_normal().string();
  throw UserError(fmt::format("tools/{} not found (looked in {}); run hds from its build tree or use "
                              "'python3 tools/{}' from a checkout", name, candidates[0].string(), name));
}

void run_python_tool(const std::string& name, const std::vector<std::string>& script_args) {
  if (access(kPython, X_OK) != 0)
    throw UserError(fmt::format("{} not found; install python3-matplotlib and python3-h5py (tools/install-deps.sh)",
                                kPython));
  std::vector<std::string> args = {kPython, tool_script(name)};
  args.insert(args.end(), script_args.begin(), script_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) throw UserError(fmt::format("cannot start tools/{} (fork failed: out of processes?)", name));
  if (pid == 0) {
    execv(kPython, argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw UserError(fmt::format("lost track of tools/{} (waitpid failed)", name));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw UserError(fmt::format("tools/{} did not finish ({}); its message is above", name,
                                WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                                  : std::string("killed by a signal")));
}

}  // namespace hds::cli
