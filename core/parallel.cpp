// The helper team behind run_pieces (see parallel.hpp).
//
// A job is published as one 64-bit word, claim = (job number << 32) | next piece. A thread claims a piece
// by a compare-and-swap that keeps the job number, so a helper that wakes up late can never take a piece
// of a later job; the caller starts the next job only after every piece of this one is done.
#include <omp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/parallel.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace hds {
namespace {

constexpr int kSpinMicros = 100;  // a helper's wait for the next job before it sleeps

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

class Team {
 public:
  ~Team() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : helpers_) t.join();
  }

  void run(Eigen::Index pieces, int threads, const std::function<void(Eigen::Index)>& piece) {
    while (static_cast<int>(helpers_.size()) < threads - 1) {
      const int id = static_cast<int>(helpers_.size());
      helpers_.emplace_back([this, id] { helper(id); });
    }
    piece_ = &piece;
    pieces_.store(pieces, std::memory_order_relaxed);
    wanted_.store(threads - 1, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    error_ = nullptr;
    job_ = (job_ + 1) & 0xffffffffu;
    claim_.store(job_ << 32, std::memory_order_seq_cst);
    if (sleeping_.load(std::memory_order_seq_cst) > 0) {
      { std::lock_guard<std::mutex> lock(mutex_); }
      wake_.notify_all();
    }
    work(job_);
    for (int spins = 0; done_.load(std::memory_order_acquire) < pieces; ++spins) {
      if (spins < 4096) cpu_relax();
      else std::this_thread::yield();  // the helper holding the last piece may need this CPU
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // Claims and runs pieces of job `job` until none is left or the job is over.
  void work(uint64_t job) {
    uint64_t c = claim_.load(std::memory_order_acquire);
    for (;;) {
      if ((c >> 32) != job || static_cast<Eigen::Index>(c & 0xffffffffu) >= pieces_.load(std::memory_order_relaxed))
        return;
      if (!claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      try {
        (*piece_)(static_cast<Eigen::Index>(c & 0xffffffffu));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
      done_.fetch_add(1, std::memory_order_acq_rel);
      c = claim_.load(std::memory_order_acquire);
    }
  }

  void helper(int id) {
    omp_set_num_threads(1);  // Eigen's products in a piece stay serial (their blocking must not depend on threads)
    uint64_t seen = claim_.load(std::memory_order_acquire) >> 32;
    for (;;) {
      uint64_t job = claim_.load(std::memory_order_acquire) >> 32;
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
      for (int i = 0; job == seen; ++i) {
        cpu_relax();
        job = claim_.load(std::memory_order_acquire) >> 32;
        if (job == seen && (i & 255) == 255 && std::chrono::steady_clock::now() > until) break;
      }
      if (job == seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleeping_.fetch_add(1, std::memory_order_seq_cst);
        wake_.wait(lock, [&] { return stop_ || (claim_.load(std::memory_order_seq_cst) >> 32) != seen; });
        sleeping_.fetch_sub(1, std::memory_order_seq_cst);
        if (stop_) return;
        job = claim_.load(std::memory_order_acquire) >> 32;
      }
      seen = job;
      if (id < wanted_.load(std::memory_order_relaxed)) work(job);
    }
  }

  std::vector<std::thread> helpers_;
  const std::function<void(Eigen::Index)>* piece_ = nullptr;
  std::atomic<uint64_t> claim_{0};
  std::atomic<Eigen::Index> pieces_{0}, done_{0};
  std::atomic<int> wanted_{0}, sleeping_{0};
  uint64_t job_ = 0;  // the caller's
  std::exception_ptr error_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace

void run_pieces(Eigen::Index pieces, int threads, const std::function<void(Eigen::Index)>& piece) {
  thread_local std::unique_ptr<Team> team;
  if (!team) team = std::make_unique<Team>();
  team->run(pieces, threads, piece);
}

}  // namespace hds
