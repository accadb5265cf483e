// Thread-count-independent parallel loops for one run: work is cut into pieces that depend only on
// the sizes, so a run gives the same bits on 1, 2 or any number of threads.
#pragma once
#include <Eigen/Core>
#include <algorithm>
#include <functional>
#include <omp.h>

namespace hds {

// Eigen parallelises large products itself, and its blocking (hence its rounding) depends on the
// thread count. While one of these is alive, Eigen's products on the calling thread are serial:
// omp_set_num_threads(1) is per thread, and an explicit Eigen::setNbThreads(k) (global) is lowered
// to 1 only outside parallel regions (inside a team of several threads Eigen is serial anyway).
// `threads()` is the number of threads the run may use for its own pieces: Eigen::setNbThreads(k)
// when it was set, else omp_get_max_threads(); 1 inside a parallel region (a sweep's runs).
class EigenSerial {
 public:
  explicit EigenSerial(int requested = 0) : saved_omp_(omp_get_max_threads()) {
    omp_set_num_threads(1);
    const int eigen = Eigen::nbThreads();  // != 1 now only if set explicitly
    if (eigen > 1 && !omp_in_parallel()) {
      saved_eigen_ = eigen;
      Eigen::setNbThreads(1);
    }
    if (requested > 0) threads_ = requested;
    else if (omp_in_parallel()) threads_ = 1;
    else threads_ = saved_eigen_ > 0 ? saved_eigen_ : saved_omp_;
  }
  ~EigenSerial() {
    if (saved_eigen_ > 0) Eigen::setNbThreads(saved_eigen_);
    omp_set_num_threads(saved_omp_);
  }
  EigenSerial(const EigenSerial&) = delete;
  EigenSerial& operator=(const EigenSerial&) = delete;
  int threads() const { return threads_; }

 private:
  int saved_omp_;
  int saved_eigen_ = 0;
  int threads_ = 1;
};

// The fixed partition of n rows: pieces of a multiple of 24 rows, about 6 of them. 24 rows are three
// packets of Eigen's widest double kernel (AVX-512; twice AVX2's 12): a piece of other heights leaves rows
// to Eigen's narrow kernels, which are 2-3 times slower per multiply-add. Each piece also repacks the
// other factor of its product, so fewer pieces cost less.
inline Eigen::Index piece_rows(Eigen::Index n) {
  const Eigen::Index per = (n + 5) / 6;
  return std::max<Eigen::Index>(24, (per + 23) / 24 * 24);
}

// Runs piece(0), …, piece(pieces − 1), each once, on the calling thread and up to threads − 1 helper
// threads of its own (started on first use, kept for the calling thread's lifetime). A piece goes to
// whichever thread claims it first, and the caller returns as soon as every piece is done: it never
// waits for a helper that has not started (on a busy machine, a descheduled helper costs its pieces,
// not a time slice per parallel region). Helpers spin briefly after a job, then sleep. The first
// exception thrown by a piece is rethrown here after all pieces have finished.
void run_pieces(Eigen::Index pieces, int threads, const std::function<void(Eigen::Index)>& piece);

// f(begin, count) for each piece of [0, n) in the fixed partition, on up to `threads` threads when
// the whole job is worth it (`work`: about the number of multiply-adds). The partition, and so
// every piece's arithmetic, is the same for any thread count; only who computes a piece differs.
template <typename F>
void for_pieces(Eigen::Index n, double work, int threads, F&& f) {
  const Eigen::Index step = piece_rows(n);
  const Eigen::Index pieces = (n + step - 1) / step;
  if (threads <= 1 || pieces <= 1 || work < 2e5) {
    for (Eigen::Index p = 0; p < pieces; ++p) f(p * step, std::min(step, n - p * step));
    return;
  }
  run_pieces(pieces, std::min<Eigen::Index>(threads, pieces),
             [&](Eigen::Index p) { f(p * step, std::min(step, n - p * step)); });
}

}  // namespace hds
