// Where a result file may be written: checks of the target (never a device, FIFO, directory or
// symlink; an existing file only with --force), stale temporaries of killed writers, and the
// atomic write (temporary file beside the target, renamed into place when complete).
#pragma once
#include <functional>
#include <string>

#include "tools/lib/h5file.hpp"

namespace hds::out {

// Throws a one-line UserError when `path` names something hds must not write over: a symbolic link,
// a directory, a device node, a FIFO or a socket; or an existing regular file unless `replace`
// (--force). Nothing there, or a regular file with `replace`: returns.
void check_target(const std::string& path, bool replace);

// True when `path` exists as a regular file (not following a symlink).
bool is_regular_file(const std::string& path);

// The temporary file a writer with process id `pid` uses for `path`: "<path>.tmp.<pid>".
std::string temporary_name(const std::string& path, long pid);

// Removes "<path>.tmp.<pid>" files beside `path` whose process no longer runs (or is this one, which
// has not written them yet), printing a note line for each; returns how many were removed.
int remove_stale_temporaries(const std::string& path);

// A name beside `path` for a file derived from it: ("results/x.h5", "_c0003") -> "results/x_c0003.h5".
std::string derived_name(const std::string& path, const std::string& suffix);

// Creates the parent directories of `path`; a UserError naming `path` if that fails.
void make_parent_directories(const std::string& path);

// Checks the target (check_target), builds the file in memory with `fill`, writes it to the
// temporary name, fsyncs it and renames it over `path`. On any error (disk full included) the
// temporary file is removed, an existing `path` is left as it was, and a one-line UserError says why.
void write_atomically(const std::string& path, bool replace, const std::function<void(h5::File&)>& fill);

}  // namespace hds::out
