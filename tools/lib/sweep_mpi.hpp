// A sweep over the ranks of an MPI job (`mpirun -np N hds sweep FILE`): rank 0 hands out blocks of
// grid points, computes some of them itself, gathers the scores, and alone writes the journal and
// the result file; the other ranks compute what they are given. Any assignment gives the same bits,
// since every run is computed by one thread from its own seeds. Built only when CMake finds MPI
// (HDS_MPI). The design, the messages and what a cluster must share: docs/cluster.md.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tools/lib/sweep_run.hpp"

namespace hds::sweep::mpi {

// MPI for the lifetime of `hds sweep` under a launcher: initialised on construction, finalised on
// destruction (only the thread that made it calls MPI). Errors of MPI come back to hds, which names
// the rank and its host, then aborts the job. When rank 0's session ends without having stopped the
// other ranks, it stops them.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }

  // Rank 0: every other rank is told to stop; returns once each has said goodbye (messages still
  // under way are read and dropped). Does nothing the second time.
  void release();

  // Sends `msg` to rank `to`; rank 0 to any rank, the others to rank 0.
  void send(int to, const std::string& msg);
  // A message, if one has arrived: rank 0 from any rank (`from` says which), the others from rank 0.
  bool probe(int& from, std::string& msg);
  // Rank 0's bookkeeping of the other ranks (release() uses it; the coordinator keeps it up to date).
  void stopped(int k) { stopped_[k] = true; }
  void gone(int k) { gone_[k] = true; }
  bool is_stopped(int k) const { return stopped_[k]; }
  // What a failed message to or from rank k was about, for the one line before the job is aborted.
  std::function<std::string(int)> describe;

  uint64_t messages = 0, bytes = 0;  // sent and received by this rank

 private:
  [[noreturn]] void fail(int rc, const std::string& what, int peer);
  int rank_ = 0, size_ = 1;
  bool released_ = false;
  std::vector<char> stopped_, gone_;
};

// Rank 0's backend for run_sweep: first waits for every rank's greeting and refuses, in one line
// naming the rank, its host and the fix, a rank that runs another hds build, reads another sweep
// definition or other data, or could not load the sweep at all.
std::unique_ptr<Backend> coordinator(Session& session, const SweepDefinition& s, const SweepOptions& opt);

// Ranks > 0: greets rank 0 and computes what it hands out until it says stop. `s` is null when this
// rank could not load the sweep (`why`), which it tells rank 0. `interrupt` (Ctrl-C or SIGTERM on
// this rank) abandons the block under way and asks rank 0 to stop. These ranks end with exit code 0
// whatever happened: rank 0 says what went wrong and exits non-zero, and a rank that failed first
// would have the launcher kill rank 0 before it could say so.
void serve(Session& session, const SweepDefinition* s, const std::string& why, const SweepOptions& opt,
           const std::atomic<bool>& interrupt);

}  // namespace hds::sweep::mpi
