// How this process was started: alone, or as one of several ranks by an MPI launcher (mpirun,
// mpiexec, srun). Read from the launcher's environment, before (and without) initialising MPI.
#pragma once
#include <string>

namespace hds::launch {

struct Launch {
  bool by_launcher = false;  // an MPI launcher started this process (its variables are set)
  int ranks = 1;             // how many processes it started, when it says (else 1)
  int rank = 0;              // this one's number among them
  std::string variable;      // the variable that said so, for messages
};

// OMPI_COMM_WORLD_SIZE/RANK (Open MPI's mpirun), PMI_SIZE/RANK (MPICH's mpiexec, srun --mpi=pmi2),
// PMIX_RANK (srun --mpi=pmix: a launcher, size unknown until MPI is initialised).
Launch detect();

// Whether this hds was built with MPI (CMake found it), and the library's version when it was.
bool mpi_built();
std::string mpi_version();

}  // namespace hds::launch
