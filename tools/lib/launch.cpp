// Recognising an MPI launch from the environment (see launch.hpp).
#include "tools/lib/launch.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>

#ifdef HDS_MPI
#include <mpi.h>
#endif

namespace hds::launch {
namespace {

// A whole number >= 0 from the environment, or -1 when unset or not one.
int number(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return -1;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return (*end == '\0' && n >= 0 && n < (1L << 30)) ? static_cast<int>(n) : -1;
}

}  // namespace

Launch detect() {
  Launch l;
  for (const auto& [size, rank] : {std::pair{"OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"},
                                   std::pair{"PMI_SIZE", "PMI_RANK"}}) {
    const int n = number(size);
    if (n < 1) continue;
    l.by_launcher = true;
    l.ranks = n;
    l.rank = std::max(number(rank), 0);
    l.variable = size;
    return l;
  }
  if (const int r = number("PMIX_RANK"); r >= 0) {
    l.by_launcher = true;
    l.rank = r;
    l.ranks = r + 1;  // at least
    l.variable = "PMIX_RANK";
  }
  return l;
}

bool mpi_built() {
#ifdef HDS_MPI
  return true;
#else
  return false;
#endif
}

std::string mpi_version() {
#ifdef HDS_MPI
  char v[MPI_MAX_LIBRARY_VERSION_STRING];
  int n = 0;
  if (MPI_Get_library_version(v, &n) != MPI_SUCCESS) return "unknown";
  std::string s(v, static_cast<size_t>(n));
  if (const size_t cut = s.find_first_of(",\n"); cut != std::string::npos) s.resize(cut);
  return s;
#else
  return "";
#endif
}

}  // namespace hds::launch
