// Training a network (network.hpp) on labelled data: one mini-batch step with the layers' optimizers,
// the protocols iid, class_incremental and permuted, and their measures (per-epoch loss and
// accuracy, the accuracy matrix R and the continual-learning summaries of R).
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/network.hpp"
#include "core/optimizer.hpp"

namespace hds {

// Labelled patterns: X is n_0 × N (column = pattern), labels[p] in [0, number of classes).
// Targets are one-hot: t = e_label (n_L entries).
struct LabelledSet {
  Eigen::MatrixXd X;
  std::vector<int> labels;
  Eigen::Index size() const { return X.cols(); }
};

enum class NetworkProtocol {
  iid,                // `epochs` epochs of shuffled mini-batches of the whole training set
  class_incremental,  // task i = the patterns whose labels are in tasks[i], each trained `epochs` epochs in turn
  permuted,           // task i = every pattern with its inputs permuted by π_i, each trained `epochs` epochs
};
bool network_protocol_from_name(const std::string& name, NetworkProtocol& p);
std::string network_protocol_name(NetworkProtocol p);

// Seed stream of the permutations π_i (derive_seed(seed, {kPermutationTag, i})); apart from
// core/rng.hpp's SeedTag values so that no other stream shares it.
constexpr uint64_t kPermutationTag = 101;

struct NetworkTrainSpec {
  NetworkSpec net;
  OptimizerSpec hidden_optimizer;  // every layer below the output (each layer its own state)
  OptimizerSpec output_optimizer;  // the output layer
  int batch_size = 32;             // the last batch of an epoch is smaller when it does not divide N
  int epochs = 10;                 // per task
  bool shuffle = true;             // false: every epoch in data order
  NetworkProtocol protocol = NetworkProtocol::iid;
  std::vector<std::vector<int>> tasks;  // class_incremental: the classes of each task, e.g. {{0,1},{2,3}}
  int permuted_tasks = 5;               // permuted: number of tasks
  bool permute_first_task = false;      // permuted: false = task 0 sees the inputs unpermuted (π_0 = identity)
  int threads = 0;  // threads of this run; 0: Eigen::setNbThreads if set, else OpenMP's; 1 in a parallel region
};

// Loss and accuracy of a set of patterns. mse: mean over patterns and output units of (h − t)².
// cross_entropy (sigmoid: −Σ_j [t_j ln h_j + (1 − t_j) ln(1 − h_j)]; softmax: −ln h_label; mean over
// patterns, computed from a_L so that saturated units stay finite): NaN for other outputs.
// accuracy: fraction with argmax_j a_L,j = label (argmax of h_L for every increasing φ; for step and
// saturated units the pre-activation breaks the ties, the first maximum wins). NaN for an empty set.
struct SetMetrics {
  double mse = 0.0;
  double cross_entropy = 0.0;
  double accuracy = 0.0;
};
bool has_cross_entropy(const Activation& output);

// After epoch `epoch` of task `task`: the current task's training, validation and test patterns
// (iid: the whole sets; permuted: permuted by π_task).
struct EpochMetrics {
  int task = 0;
  int epoch = 0;
  SetMetrics train, validation, test;
};

// Summaries of an accuracy matrix R (T × T, R(i, j) = accuracy on task j after training task i), as in
// GEM (Lopez-Paz & Ranzato 2017) and Avalanche; with k = T − 1 the last row:
//   average_accuracy  = mean_j R(k, j)
//   backward_transfer = mean_{j<k} R(k, j) − R(j, j)
//   forgetting        = mean_{j<k} max_{i<k} R(i, j) − R(k, j)
// Both averages over j < k are 0 for a single task.
struct StreamMetrics {
  double average_accuracy = 0.0;
  double backward_transfer = 0.0;
  double forgetting = 0.0;
};
StreamMetrics stream_metrics(const Eigen::MatrixXd& R);

struct NetworkResult {
  std::vector<EpochMetrics> epochs;  // tasks × epochs, in training order; always complete
  Eigen::MatrixXd R_test;            // T × T on the test patterns of each task (iid: 1 × 1)
  Eigen::MatrixXd R_validation;      // the same on the validation patterns
  StreamMetrics stream_test, stream_validation;
  NetworkParams params;              // final weights, biases and offsets
  bool diverged = false;             // a non-finite (or > 1e100) output or parameter: training stopped
  long diverged_step = -1;           // mini-batch step (0-based, over all tasks) where it was seen
  long steps = 0;                    // mini-batch steps taken
  double seconds = 0.0;              // wall time of training and measuring
  // The tuning score, higher is better: average validation accuracy over the tasks after the last
  // one (iid: the final validation accuracy). Never looks at the test set.
  double score = 0.0;
};

// Every metric of a diverged run from the epoch where it diverged on: accuracy 1 / n_classes
// (chance), mse and cross_entropy NaN.
double chance_accuracy(const NetworkSpec& net);

// One network with one optimizer state per trained parameter array, built fresh.
class NetworkLearner {
 public:
  NetworkLearner(const NetworkTrainSpec& spec, NetworkParams initial, int threads = 1);
  // One mini-batch step on X (n_0 × B) with one-hot targets T (n_L × B): forward (updating running
  // means), output signal, backprop, then every trained layer's optimizer on its mean gradient.
  // Returns false, without updating, when the batch's output is non-finite or beyond ±1e100.
  // Runs in the instruction-set level in use (core/isa.hpp), as train_network does.
  bool step(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::MatrixXd& T);
  bool params_finite() const;
  Network& network() { return net_; }

 private:
  Network net_;
  std::vector<Optimizer> opt_W_, opt_b_;
};

// learner.step(X, T): the entry point through which NetworkLearner::step reaches its copy in the level's
// kernels (core/isa_kernels.hpp).
bool network_learner_step(NetworkLearner& learner, const Eigen::Ref<const Eigen::MatrixXd>& X,
                          const Eigen::MatrixXd& T);

// Throws hds::UserError naming the key: layers vs the data (first size ≠ input dimension, last ≠ number
// of classes, labels outside [0, n_L)), batch_size < 1, epochs < 1, lr ≤ 0, momentum / betas outside
// [0, 1), eps ≤ 0, weight_decay < 0, an empty training set, class_incremental without tasks or with a
// class outside [0, n_L) or a task without training patterns, permuted_tasks < 1.
void check_network_training(const NetworkTrainSpec& spec, const LabelledSet& train, const LabelledSet& validation,
                            const LabelledSet& test);

// One run from glorot_params(spec.net, seed), or from `initial` (e.g. an earlier run's params).
// Train, validation and test sets are split by the caller; validation or test may be empty (their
// metrics are then NaN). Shuffling: epoch e of task i presents the task's patterns in the order of a
// Fisher-Yates shuffle of 0..n−1 by Rng(derive_seed(seed, {kShuffle, i, e})). π_i is a Fisher-Yates
// shuffle of 0..n_0−1 by Rng(derive_seed(seed, {kPermutationTag, i})); permuted input k is x_{π_i(k)}.
// Never throws on divergence. `on_epoch` (optional) is called after each epoch's measures.
NetworkResult train_network(const NetworkTrainSpec& spec, const LabelledSet& train, const LabelledSet& validation,
                            const LabelledSet& test, uint64_t seed,
                            const std::function<void(const EpochMetrics&)>& on_epoch = {});
NetworkResult train_network(const NetworkTrainSpec& spec, const LabelledSet& train, const LabelledSet& validation,
                            const LabelledSet& test, NetworkParams initial, uint64_t seed,
                            const std::function<void(const EpochMetrics&)>& on_epoch = {});

}  // namespace hds
