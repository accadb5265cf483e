// Parallel runs and winner selection (see sweeper.hpp).
#include "core/sweeper.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <exception>

namespace hds {

bool parallel_jobs(long n, int threads, const std::function<void(long)>& job, const std::atomic<bool>* stop,
                   const std::function<void(long)>& tick) {
  std::atomic<long> done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  auto last_tick = std::chrono::steady_clock::now();
  const int nt = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
  for (long i = 0; i < n; ++i) {
    if (failed.load(std::memory_order_relaxed) || (stop && stop->load(std::memory_order_relaxed))) continue;
    try {
      job(i);
    } catch (...) {
#pragma omp critical(hds_parallel_jobs_error)
      if (!error) error = std::current_exception();
      failed = true;
    }
    const long d = ++done;
    if (tick && omp_get_thread_num() == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_tick > std::chrono::milliseconds(250)) {
        last_tick = now;
        tick(d);
      }
    }
  }
  if (error) std::rethrow_exception(error);
  if (tick) tick(done.load());
  return !(stop && stop->load());
}

Selection select_best(const Eigen::MatrixXd& scores, bool lower_is_better) {
  Selection best;
  const long R = scores.cols();
  for (long g = 0; g < scores.rows(); ++g) {
    double mean = 0;
    for (long r = 0; r < R; ++r) mean += scores(g, r);
    mean /= std::max<long>(R, 1);
    if (best.index < 0 || (lower_is_better ? mean < best.mean : mean > best.mean)) {
      best.index = static_cast<int>(g);
      best.mean = mean;
    }
  }
  if (best.index >= 0 && R > 1) {
    double ss = 0;
    for (long r = 0; r < R; ++r) ss += (scores(best.index, r) - best.mean) * (scores(best.index, r) - best.mean);
    best.sd = std::sqrt(ss / (R - 1));
  }
  return best;
}

}  // namespace hds
