// Adaptive tuning of a cell's grid: from the points evaluated so far and their mean scores, the points
// to evaluate next, or none (done). Pure decision logic: no training, no files.
//
// Extension: while the winner (best mean; ties to the earliest point) has the smallest or the largest
// value of some extendable axis among all evaluated points, and is not a point where every
// repetition diverged, one more point is proposed beyond it, one initial step further on that axis
// (the other axes at the winner's values), as long as it stays within the axis's bounds.
// While every point evaluated so far diverged in every repetition, both ends of each extendable
// axis are extended (through the first point), up to the bounds, until some point trains.
// Refinement (after extension, level 1 … refine): the step shrinks by 4 each level and, on every
// refined axis, the 3 points on either side of the winner at the new step are proposed (all axes
// of a level in one round, each through the winner: coordinate-wise), except those outside the
// evaluated range or already evaluated. With several refined axes a level is repeated around the
// new winner until it adds nothing (at most kAdaptiveRepeats times more): coordinate descent. For a
// unimodal mean along an axis, the optimum then lies within one final step (initial step /
// 4^refine) of the winner.
// Steps and distances are on the axis's search scale: log(x) for log axes, x otherwise.
#pragma once
#include <vector>

namespace hds {

constexpr int kAdaptiveRepeats = 3;
constexpr int kMaxRefine = 6;

struct AdaptiveAxis {
  bool log = true;        // search on log(x) (then every value is > 0)
  double step = 0.0;      // the initial grid's spacing on the search scale (> 0 when extend or refine)
  bool extend = false;
  double lo = 0.0, hi = 0.0;  // extension bounds (values, not search scale); only with extend
  int refine = 0;         // refinement levels
};

// Index of the best mean (the lowest, or the highest when !lower_is_better); ties go to the lowest
// index. -1 when there is none.
int adaptive_winner(const std::vector<double>& means, bool lower_is_better);

class AdaptiveSearch {
 public:
  AdaptiveSearch(std::vector<AdaptiveAxis> axes, bool lower_is_better);
  // points[i] (one value per axis), means[i] and all_diverged[i] of every point evaluated so far, in
  // evaluation order. Returns the next round's points (in a fixed order: extensions axis by axis,
  // down before up; refinement axis by axis, nearest first, below before above), or none when done.
  // Call with the results of each round in turn.
  std::vector<std::vector<double>> next(const std::vector<std::vector<double>>& points, const std::vector<double>& means,
                                        const std::vector<bool>& all_diverged);
  int level() const { return level_; }  // refinement levels started so far

 private:
  std::vector<AdaptiveAxis> axes_;
  bool lower_;
  int level_ = 0, repeats_ = 0;
};

// True when the winner w sits on an edge of the evaluated points along some axis that has more than
// one evaluated value (its value there is the smallest or the largest).
bool adaptive_on_edge(const std::vector<std::vector<double>>& points, int w, const std::vector<AdaptiveAxis>& axes);

// The largest number of points a search can evaluate beyond an initial grid of `initial` points whose
// axis k spans [first[k], last[k]] (values).
long adaptive_max_points(long initial, const std::vector<AdaptiveAxis>& axes, const std::vector<double>& first,
                         const std::vector<double>& last);

}  // namespace hds
