// The sweeper's core: independent runs in parallel (OpenMP, each run single-threaded, results into
// pre-sized storage, the first exception carried out of the parallel region), and the choice of the
// best grid point of a cell.
#pragma once
#include <Eigen/Dense>
#include <atomic>
#include <functional>

namespace hds {

// Calls job(i) for i in [0, n) on `threads` threads (<= 0: OpenMP's default). Jobs must write only
// their own slots. After `stop` becomes true no new job starts; the function then returns false.
// An exception thrown by a job stops new jobs and is rethrown here after the loop.
// `tick(done)` is called now and then from one thread, for progress reports.
bool parallel_jobs(long n, int threads, const std::function<void(long)>& job, const std::atomic<bool>* stop = nullptr,
                   const std::function<void(long)>& tick = {});

struct Selection {
  int index = -1;     // best grid point
  double mean = 0.0;  // its mean error over repetitions
  double sd = 0.0;    // sample standard deviation (n − 1)
};

// scores: G × R (grid point × repetition), diverged runs already scored as the worst.
// The best grid point has the lowest mean (the highest when !lower_is_better); ties go to the
// lowest index, so the choice never depends on scheduling.
Selection select_best(const Eigen::MatrixXd& scores, bool lower_is_better = true);

}  // namespace hds
