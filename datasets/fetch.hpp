// `hds data fetch`: puts a data set's files into a data directory, copied from a local folder or
// downloaded from the publisher, each checked against the known-file table before it is kept.
#pragma once
#include <cstdio>
#include <string>

#include "datasets/catalog.hpp"

namespace hds::data {

// Where fetch writes when no destination is given: the first directory of the search path.
std::string default_fetch_dir();

// Copies the set's files from `from_dir` (flat or in the set's folder) into dest_dir/<folder>/, or,
// when from_dir is empty, downloads them with the `curl` program (retries, resumes a partial .part
// download). Every file is written under a temporary name, verified, then renamed into place.
// Progress lines go to `log`. Throws hds::UserError on any failure, leaving no partial file behind
// except a resumable .part download.
void fetch_set(const std::string& set, const std::string& from_dir, const std::string& dest_dir, std::FILE* log);

}  // namespace hds::data
