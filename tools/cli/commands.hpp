// The subcommands of `hds`, one file each (cmd_*.cpp). Each adds itself to the app and runs from
// its callback; errors are thrown (hds::UserError) and printed once by main().
#pragma once
#include <CLI/CLI.hpp>

namespace hds::cli {

void add_run_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_plot_command(CLI::App& app);
void add_study_command(CLI::App& app);
void add_reproduce_command(CLI::App& app);

}  // namespace hds::cli
