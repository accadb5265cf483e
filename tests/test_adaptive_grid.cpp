// The adaptive grid search (core/adaptive_grid): driven to the end on synthetic cells whose best
// point is known in closed form.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "core/adaptive_grid.hpp"

using namespace hds;

namespace {

using Points = std::vector<std::vector<double>>;

std::vector<double> logspace(double lo, double hi, int n) {
  std::vector<double> v(n);
  for (int i = 0; i < n; ++i) v[i] = std::exp(std::log(lo) + i * (std::log(hi) - std::log(lo)) / (n - 1));
  return v;
}

// Runs the search to the end on f (the mean of a point; NaN = every repetition diverged, scored as
// 1e30). Returns the evaluated points; `rounds` counts the rounds after the initial grid.
Points drive(const std::vector<AdaptiveAxis>& axes, Points points, const std::function<double(const std::vector<double>&)>& f,
             int* rounds = nullptr, std::vector<double>* means_out = nullptr) {
  std::vector<double> means;
  std::vector<bool> div;
  auto score = [&](const std::vector<double>& p) {
    const double y = f(p);
    means.push_back(std::isnan(y) ? 1e30 : y);
    div.push_back(std::isnan(y));
  };
  for (const auto& p : points) score(p);
  AdaptiveSearch search(axes, true);
  int n = 0;
  for (;;) {
    const Points next = search.next(points, means, div);
    if (next.empty()) break;
    REQUIRE(++n < 200);  // it must end
    for (const auto& p : next) {
      points.push_back(p);
      score(p);
    }
  }
  if (rounds) *rounds = n;
  if (means_out) *means_out = means;
  return points;
}

// Relative closeness (doctest's Approx has an absolute floor that makes 1e-6 "equal" 1e-5).
bool near(double a, double b) { return std::abs(a / b - 1) < 1e-9; }

Points line(const std::vector<double>& v) {
  Points p;
  for (double x : v) p.push_back({x});
  return p;
}

}  // namespace

TEST_CASE("adaptive grid: refinement finds the minimum of a smooth cell within the stated resolution") {
  // f(eta) = (log eta - log m)^2 + 1, minimum at m, between grid points; 8 points over 1e-4 … 1e3.
  const std::vector<double> grid = logspace(1e-4, 1e3, 8);
  const double step = (std::log(1e3) - std::log(1e-4)) / 7;
  for (double m : {3.7e-3, 0.0123, 0.5, 41.0}) {
    for (int refine : {1, 2, 3}) {
      CAPTURE(m);
      CAPTURE(refine);
      AdaptiveAxis a{true, step, false, 0, 0, refine};
      std::vector<double> means;
      const Points pts = drive({a}, line(grid), [&](const std::vector<double>& p) {
        return std::pow(std::log(p[0]) - std::log(m), 2) + 1;
      }, nullptr, &means);
      const int w = adaptive_winner(means, true);
      const double resolution = step / std::pow(4.0, refine);
      CHECK(std::abs(std::log(pts[w][0]) - std::log(m)) <= resolution / 2 + 1e-12);
      // No more than 6 points per level, and the plain grid alone misses by more than the resolution.
      CHECK(pts.size() <= grid.size() + 6u * refine);
      CHECK_FALSE(adaptive_on_edge(pts, w, {a}));
    }
  }
  // Without refinement nothing is added.
  AdaptiveAxis none{true, step, false, 0, 0, 0};
  CHECK(drive({none}, line(grid), [](const std::vector<double>& p) { return std::abs(std::log(p[0])); }).size() ==
        grid.size());
}

TEST_CASE("adaptive grid: refinement is within one final step of a skewed unimodal minimum") {
  // An asymmetric valley: the winner need not be the nearest point, but must be within one step.
  const std::vector<double> grid = {0.0, 1.0, 2.0, 3.0, 4.0};
  for (double m : {0.37, 1.5, 2.9, 3.99}) {
    AdaptiveAxis a{false, 1.0, false, 0, 0, 3};
    std::vector<double> means;
    const Points pts = drive({a}, line(grid), [&](const std::vector<double>& p) {
      const double d = p[0] - m;
      return d < 0 ? -3 * d : d * d;
    }, nullptr, &means);
    const int w = adaptive_winner(means, true);
    CHECK(std::abs(pts[w][0] - m) < 1.0 / 64 + 1e-12);
  }
}

TEST_CASE("adaptive grid: extension walks to an interior minimum, one step at a time") {
  // The minimum at eta = 3e-7 lies below the grid 1e-4 … 1e3 (step 1 decade); bound 1e-9.
  const std::vector<double> grid = logspace(1e-4, 1e3, 8);
  const double step = std::log(10.0);
  AdaptiveAxis a{true, step, true, 1e-9, 1e3, 0};
  int rounds = 0;
  std::vector<double> means;
  const Points pts = drive({a}, line(grid), [](const std::vector<double>& p) {
    return std::pow(std::log10(p[0]) - std::log10(3e-7), 2);
  }, &rounds, &means);
  // 1e-5, 1e-6, 1e-7 (the best) and 1e-8 (worse: the winner is interior, the walk stops).
  REQUIRE(pts.size() == grid.size() + 4);
  for (int i = 0; i < 4; ++i) CHECK(near(pts[grid.size() + i][0], std::pow(10.0, -5 - i)));
  CHECK(rounds == 4);
  const int w = adaptive_winner(means, true);
  CHECK(near(pts[w][0], 1e-7));
  CHECK_FALSE(adaptive_on_edge(pts, w, {a}));
  CHECK(adaptive_max_points(grid.size(), {a}, {1e-4}, {1e3}) == static_cast<long>(grid.size()) + 5);
}

TEST_CASE("adaptive grid: extension stops at the bound and where every repetition diverges") {
  const std::vector<double> grid = logspace(1e-4, 1e3, 8);
  const double step = std::log(10.0);
  // Error falling forever towards small eta: the walk ends at the bound 1e-6, still on the edge.
  AdaptiveAxis a{true, step, true, 1e-6, 1e3, 0};
  std::vector<double> means;
  Points pts = drive({a}, line(grid), [](const std::vector<double>& p) { return p[0]; }, nullptr, &means);
  REQUIRE(pts.size() == grid.size() + 2);
  int w = adaptive_winner(means, true);
  CHECK(near(pts[w][0], 1e-6));
  CHECK(adaptive_on_edge(pts, w, {a}));
  // Error falling towards large eta, but every run diverges above 1e4: one point, diverged, and stop.
  AdaptiveAxis b{true, step, true, 1e-4, 1e8, 0};
  pts = drive({b}, line(grid), [](const std::vector<double>& p) { return p[0] > 1e4 ? NAN : 1.0 / p[0]; }, nullptr,
              &means);
  REQUIRE(pts.size() == grid.size() + 2);  // 1e4 (best so far), then 1e5 diverged
  w = adaptive_winner(means, true);
  CHECK(near(pts[w][0], 1e4));
  CHECK_FALSE(adaptive_on_edge(pts, w, {b}));
  // Everything diverges: both ends walk out to the bounds, never refined.
  AdaptiveAxis c{true, step, true, 1e-6, 1e5, 2};
  pts = drive({c}, line(grid), [](const std::vector<double>&) { return NAN; });
  CHECK(pts.size() == grid.size() + 4);
  // The whole grid diverges (above 1e-5): the lower end walks down until a point trains, then on as
  // usual (error falling with eta): 1e-5 diverges, 1e-6 trains, 1e-7 is worse; refined after that.
  AdaptiveAxis e{true, step, true, 1e-9, 1e5, 1};
  pts = drive({e}, line(grid), [](const std::vector<double>& p) {
    return p[0] > 2e-6 ? NAN : std::pow(std::log10(p[0]) + 6, 2);
  }, nullptr, &means);
  w = adaptive_winner(means, true);
  CHECK(near(pts[w][0], 1e-6));
  CHECK(near(pts[grid.size() + 2][0], 1e-6));  // round 2 (1e-5 and 1e4 of round 1 diverged)
  CHECK_FALSE(adaptive_on_edge(pts, w, {e}));
  // A winner on an unextended edge is flagged.
  AdaptiveAxis d{true, step, false, 0, 0, 1};
  pts = drive({d}, line(grid), [](const std::vector<double>& p) { return p[0]; }, nullptr, &means);
  CHECK(adaptive_on_edge(pts, adaptive_winner(means, true), {d}));
}

TEST_CASE("adaptive grid: two axes, coordinate-wise through the winner") {
  // f = (log10 eta - log10 m)^2 + (omega - o)^2 with m beyond the eta grid and o between omega points.
  Points grid;
  for (double e : {1e-2, 1e-1, 1.0})
    for (double o : {0.0, 1.0, 2.0}) grid.push_back({e, o});
  AdaptiveAxis eta{true, std::log(10.0), true, 1e-2, 1e3, 2}, omega{false, 1.0, false, 0, 0, 2};
  const double m = 40.0, o = 0.8;
  std::vector<double> means;
  const Points pts = drive({eta, omega}, grid, [&](const std::vector<double>& p) {
    return std::pow(std::log10(p[0]) - std::log10(m), 2) + std::pow(p[1] - o, 2);
  }, nullptr, &means);
  const int w = adaptive_winner(means, true);
  CHECK(std::abs(std::log(pts[w][0]) - std::log(m)) <= std::log(10.0) / 16 / 2 + 1e-12);
  CHECK(std::abs(pts[w][1] - o) <= 1.0 / 16 / 2 + 1e-12);
  CHECK_FALSE(adaptive_on_edge(pts, w, {eta, omega}));
  // Deterministic: the same inputs give the same sequence.
  CHECK(drive({eta, omega}, grid, [&](const std::vector<double>& p) {
          return std::pow(std::log10(p[0]) - std::log10(m), 2) + std::pow(p[1] - o, 2);
        }) == pts);
}
