// Running one of the suite's Python scripts (tools/*.py) with the system's Python, for the
// subcommands that are drawn or orchestrated in Python (`hds plot`, `hds reproduce`).
#pragma once
#include <string>
#include <vector>

namespace hds::cli {

// The path of tools/<name> in the source tree this binary was built from, else beside the binary's
// folder. Throws hds::UserError when neither exists.
std::string tool_script(const std::string& name);

// The path of the running hds binary.
std::string self_path();

// Runs /usr/bin/python3 <tools/name> args..., waiting for it; a non-zero exit is a UserError (the
// script has printed its own message).
void run_python_tool(const std::string& name, const std::vector<std::string>& args);

}  // namespace hds::cli
