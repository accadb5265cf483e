// Provenance of a result file (version, commit, host, date, command, data files) and the safe
// write of a result: to a temporary file beside the target, renamed into place only when complete.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "datasets/source.hpp"
#include "tools/lib/h5file.hpp"

namespace hds::prov {

// One process that computed a result: its host and how many threads it ran (a sweep over several MPI
// ranks lists each; one process lists itself).
struct Rank {
  std::string host;
  int threads = 0;
};

struct Provenance {
  std::string hds_version;
  std::string git_commit;
  std::string host;
  std::string created;       // UTC, ISO 8601
  std::string command_line;
  std::vector<data::FileRecord> data_files;
  std::vector<Rank> ranks;  // written when not empty (sweeps)
};

// Fills version, commit, host and date; `argv_joined` is the command line.
Provenance collect(const std::string& command_line);

// This machine's name ("unknown" when it has none).
std::string host_name();

// Writes the root attributes and /provenance (data files with sha256; the ranks as attributes
// ranks, rank_hosts and rank_threads of /provenance) of a result file.
void write(h5::File& f, const Provenance& p, const std::string& kind);

// out::write_atomically (output_path.hpp) with an existing regular file replaced: for callers whose
// command has already refused an existing `path` without --force (out::check_target).
void write_atomically(const std::string& path, const std::function<void(h5::File&)>& fill);

// The command line as one string, for provenance.
std::string join_args(int argc, char** argv);
void set_command_line(const std::string& line);
const std::string& command_line();

}  // namespace hds::prov
