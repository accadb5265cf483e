// The progress of a sweep on standard error: on a terminal, one line rewritten in place (runs done,
// rate, ETA); otherwise (batch-system logs) a plain line every HDS_PROGRESS_SECONDS seconds (30).
#pragma once
#include <chrono>
#include <string>

namespace hds::sweep {

class Progress {
 public:
  // `total` runs in all; `on` false prints nothing (--quiet). Reads HDS_PROGRESS_SECONDS (a number
  // > 0; anything else is a UserError naming the variable and its value).
  Progress(long total, bool on);
  // Runs finished before this process started (resumed from the journal): not counted in the rate.
  void start_from(long done);
  // Runs finished so far (of `total`). Cheap to call often: it prints at most every 250 ms on a
  // terminal, every HDS_PROGRESS_SECONDS otherwise. Call from one thread.
  void show(long done);
  // Clears the terminal line.
  void finish();

 private:
  using clock = std::chrono::steady_clock;
  long total_, first_ = 0;
  bool tty_ = false, plain_ = false;
  double every_ = 30.0;  // seconds between plain lines
  clock::time_point start_, last_;
};

// "1h02m", "4m05s", "37s": a duration for a log line.
std::string format_seconds(double seconds);

}  // namespace hds::sweep
