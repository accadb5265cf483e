// Reading a result file in a child process, so that damage HDF5 itself does not survive (it trusts
// the sizes in a file's global heap and object headers) becomes a one-line error, not a crash.
#pragma once
#include <functional>
#include <string>

namespace hds::h5 {

// Runs `read` in a forked child and returns the text it returned. A hds::UserError it throws comes
// back with the same message; any other exception as std::runtime_error; a child that crashes or is
// killed, or silent for HDS_READ_TIMEOUT seconds (default 300: HDF5 can loop on a damaged file), becomes
// a UserError naming `path` as damaged. The child's stderr is discarded unless the
// environment sets HDS_DEBUG_READS=1. Calls are serialised: no other thread may be inside HDF5 when
// the child is forked.
std::string guarded_read(const std::string& path, const std::function<std::string()>& read);

}  // namespace hds::h5
