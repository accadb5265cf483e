// Adaptive tuning of a cell's grid (see adaptive_grid.hpp).
#include "core/adaptive_grid.hpp"

#include <algorithm>
#include <cmath>

namespace hds {
namespace {

double to_search(const AdaptiveAxis& a, double x) { return a.log ? std::log(x) : x; }
double from_search(const AdaptiveAxis& a, double u) { return a.log ? std::exp(u) : u; }
// Two search-scale values closer than this are one point (far below the finest step used).
double tolerance(const AdaptiveAxis& a) { return a.step > 0 ? 1e-6 * a.step / std::pow(4.0, a.refine) : 1e-12; }

struct Range {
  double lo = 0, hi = 0;
};

Range range_of(const std::vector<std::vector<double>>& points, size_t k, const AdaptiveAxis& a) {
  Range r{to_search(a, points[0][k]), to_search(a, points[0][k])};
  for (const auto& p : points) {
    const double u = to_search(a, p[k]);
    r.lo = std::min(r.lo, u);
    r.hi = std::max(r.hi, u);
  }
  return r;
}

bool evaluated(const std::vector<std::vector<double>>& points, const std::vector<std::vector<double>>& proposed,
               const std::vector<double>& x, const std::vector<AdaptiveAxis>& axes) {
  auto same = [&](const std::vector<double>& p) {
    for (size_t k = 0; k < axes.size(); ++k)
      if (std::abs(to_search(axes[k], p[k]) - to_search(axes[k], x[k])) > tolerance(axes[k])) return false;
    return true;
  };
  return std::any_of(points.begin(), points.end(), same) || std::any_of(proposed.begin(), proposed.end(), same);
}

}  // namespace

int adaptive_winner(const std::vector<double>& means, bool lower_is_better) {
  int best = -1;
  for (size_t i = 0; i < means.size(); ++i)
    if (best < 0 || (lower_is_better ? means[i] < means[best] : means[i] > means[best])) best = static_cast<int>(i);
  return best;
}

AdaptiveSearch::AdaptiveSearch(std::vector<AdaptiveAxis> axes, bool lower_is_better)
    : axes_(std::move(axes)), lower_(lower_is_better) {}

std::vector<std::vector<double>> AdaptiveSearch::next(const std::vector<std::vector<double>>& points,
                                                      const std::vector<double>& means,
                                                      const std::vector<bool>& all_diverged) {
  std::vector<std::vector<double>> out;
  const int w = adaptive_winner(means, lower_);
  if (w < 0) return out;
  const std::vector<double>& win = points[w];
  // The best point diverged in every repetition: no winner to speak of; extend at both ends
  // (through the first point) until some point trains, or the bounds.
  if (all_diverged[w]) {
    for (size_t k = 0; k < axes_.size(); ++k) {
      const AdaptiveAxis& a = axes_[k];
      if (!a.extend || !(a.step > 0)) continue;
      const Range r = range_of(points, k, a);
      const double tol = tolerance(a);
      if (r.lo - a.step >= to_search(a, a.lo) - tol) {
        std::vector<double> x = win;
        x[k] = from_search(a, r.lo - a.step);
        out.push_back(std::move(x));
      }
      if (r.hi + a.step <= to_search(a, a.hi) + tol) {
        std::vector<double> x = win;
        x[k] = from_search(a, r.hi + a.step);
        out.push_back(std::move(x));
      }
    }
    return out;  // and no refinement around a point that diverged
  }
  // Extension first, whenever the winner is on an extendable edge.
  if (!all_diverged[w]) {
    for (size_t k = 0; k < axes_.size(); ++k) {
      const AdaptiveAxis& a = axes_[k];
      if (!a.extend || !(a.step > 0)) continue;
      const Range r = range_of(points, k, a);
      const double u = to_search(a, win[k]), tol = tolerance(a);
      if (u <= r.lo + tol && r.lo - a.step >= to_search(a, a.lo) - tol) {
        std::vector<double> x = win;
        x[k] = from_search(a, r.lo - a.step);
        out.push_back(std::move(x));
      }
      if (u >= r.hi - tol && r.hi + a.step <= to_search(a, a.hi) + tol) {
        std::vector<double> x = win;
        x[k] = from_search(a, r.hi + a.step);
        out.push_back(std::move(x));
      }
    }
    if (!out.empty()) return out;
  }
  // Refinement (not around a point where everything diverged): the next level with anything left.
  if (all_diverged[w]) return out;
  int deepest = 0, refined = 0;
  for (const auto& a : axes_)
    if (a.step > 0 && a.refine > 0) {
      deepest = std::max(deepest, a.refine);
      ++refined;
    }
  auto propose = [&](int level) {
    for (size_t k = 0; k < axes_.size(); ++k) {
      const AdaptiveAxis& a = axes_[k];
      if (a.refine < level || !(a.step > 0)) continue;
      const Range r = range_of(points, k, a);
      const double h = a.step / std::pow(4.0, level), u = to_search(a, win[k]), tol = tolerance(a);
      for (int j = 1; j <= 3; ++j)
        for (int side : {-1, 1}) {
          const double v = u + side * j * h;
          if (v < r.lo - tol || v > r.hi + tol) continue;
          std::vector<double> x = win;
          x[k] = from_search(a, v);
          if (!evaluated(points, out, x, axes_)) out.push_back(std::move(x));
        }
    }
  };
  // Several refined axes: a level is repeated around the new winner (coordinate-wise descent) until
  // it proposes nothing new, at most kAdaptiveRepeats more times.
  if (level_ > 0 && refined > 1 && repeats_ < kAdaptiveRepeats) {
    propose(level_);
    if (!out.empty()) {
      ++repeats_;
      return out;
    }
  }
  while (out.empty() && level_ < deepest) {
    ++level_;
    repeats_ = 0;
    propose(level_);
  }
  return out;
}

bool adaptive_on_edge(const std::vector<std::vector<double>>& points, int w, const std::vector<AdaptiveAxis>& axes) {
  for (size_t k = 0; k < axes.size(); ++k) {
    const Range r = range_of(points, k, axes[k]);
    const double u = to_search(axes[k], points[w][k]), tol = tolerance(axes[k]);
    if (r.hi - r.lo <= tol) continue;  // one value only: nothing to be on the edge of
    if (u <= r.lo + tol || u >= r.hi - tol) return true;
  }
  return false;
}

long adaptive_max_points(long initial, const std::vector<AdaptiveAxis>& axes, const std::vector<double>& first,
                         const std::vector<double>& last) {
  long n = initial, per_level = 0;
  int refined = 0;
  for (size_t k = 0; k < axes.size(); ++k) {
    const AdaptiveAxis& a = axes[k];
    if (!(a.step > 0)) continue;
    if (a.extend) {
      const double u0 = std::min(to_search(a, first[k]), to_search(a, last[k]));
      const double u1 = std::max(to_search(a, first[k]), to_search(a, last[k]));
      const double tol = tolerance(a);
      n += static_cast<long>(std::floor((u0 - to_search(a, a.lo) + tol) / a.step));
      n += static_cast<long>(std::floor((to_search(a, a.hi) - u1 + tol) / a.step));
    }
    if (a.refine > 0) ++refined;
    per_level += 6L * a.refine;
  }
  return n + per_level * (refined > 1 ? 1 + kAdaptiveRepeats : 1);
}

}  // namespace hds
