// Progress lines of a sweep (see progress.hpp).
#include "tools/lib/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "core/error.hpp"

namespace hds::sweep {
namespace {

double plain_interval() {
  const char* v = std::getenv("HDS_PROGRESS_SECONDS");
  if (!v || !*v) return 30.0;
  char* end = nullptr;
  const double s = std::strtod(v, &end);
  if (*end != '\0' || !std::isfinite(s) || s <= 0)
    throw UserError(fmt::format("HDS_PROGRESS_SECONDS must be a number of seconds > 0 (how often a sweep logs its "
                                "progress when standard error is not a terminal), got '{}'", v));
  return s;
}

}  // namespace

std::string format_seconds(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const long t = std::lround(s);
  if (t < 60) return fmt::format("{}s", t);
  if (t < 3600) return fmt::format("{}m{:02d}s", t / 60, t % 60);
  return fmt::format("{}h{:02d}m", t / 3600, (t % 3600) / 60);
}

Progress::Progress(long total, bool on)
    : total_(total), start_(clock::now()), last_(start_) {
  if (!on) return;
  tty_ = ::isatty(STDERR_FILENO);
  plain_ = !tty_;
  if (plain_) every_ = plain_interval();
}

void Progress::start_from(long done) { first_ = done; }

void Progress::show(long done) {
  if (!tty_ && !plain_) return;
  const auto now = clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  if (since < (tty_ ? 0.25 : every_) && done < total_) return;
  if (plain_ && since < every_) return;  // no line for the end: the command's summary says it
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double rate = secs > 0 ? (done - first_) / secs : 0.0;
  const double eta = rate > 0 ? (total_ - done) / rate : 0.0;
  const double pct = 100.0 * done / std::max(total_, 1L);
  if (tty_) {
    fmt::print(stderr, "\r\033[K  runs {}/{} ({:.1f}%)  {:.0f} runs/s  ETA {:.0f}s", done, total_, pct, rate, eta);
  } else {
    fmt::print(stderr, "hds: sweep progress: runs {}/{} ({:.1f}%), {:.3g} runs/s, ETA {}\n", done, total_, pct, rate,
               rate > 0 ? format_seconds(eta) : std::string("unknown"));
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (tty_) fmt::print(stderr, "\r\033[K");
}

}  // namespace hds::sweep
