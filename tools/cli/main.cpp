// `hds`: the command line. The only place that catches errors: it prints one line and exits non-zero.
#include <cstdio>
#include <exception>

#include <Eigen/Core>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/isa.hpp"
#include "hds_version.hpp"
#include "tools/cli/commands.hpp"
#include "tools/lib/launch.hpp"
#include "tools/lib/provenance.hpp"

int main(int argc, char** argv) {
  // Parallelism is over runs (OpenMP in the sweeper and experiment loops); every run, and so every
  // Eigen product inside it, stays on one thread.
  Eigen::setNbThreads(1);
  hds::prov::set_command_line(hds::prov::join_args(argc, argv));
  // The instruction-set level of the kernels, fixed now: a bad HDS_ISA stops here, before any work.
  try {
    hds::isa_level();
  } catch (const hds::UserError& e) {
    fmt::print(stderr, "hds: error: {}\n", e.what());
    return 2;
  }
  CLI::App app{"hds: Hebbian-descent experiment suite (hetero-association, continual learning)"};
  app.set_version_flag("--version", std::string("hds ") + HDS_VERSION + " (" + HDS_GIT_COMMIT + ")\nmpi: " +
                                        (hds::launch::mpi_built() ? "yes (" + hds::launch::mpi_version() + ")" : "no") +
                                        "\nisa: " + hds::isa_description() + " (HDS_ISA=baseline|avx2|avx512 pins it)");
  app.require_subcommand(1);
  hds::cli::add_run_command(app);
  hds::cli::add_data_command(app);
  hds::cli::add_sweep_command(app);
  hds::cli::add_inspect_command(app);
  hds::cli::add_plot_command(app);
  hds::cli::add_study_command(app);
  hds::cli::add_reproduce_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help and version exit 0; every usage error exits 2, like every other error of the user's.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const hds::UserError& e) {
    std::fflush(stdout);
    fmt::print(stderr, "hds: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "hds: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}
