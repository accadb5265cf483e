// Auto-association with tied weights: the model, its learning rules, the online and multi-epoch
// protocols and their measures, and the mean update field ΔW̄(W). The choices made where the sources are
// silent are listed in docs/SCIENCE.md, "Auto-association: our choices".
//
// Model. W is n_in × k (column j = hidden unit j), patterns are columns:
//   x̃ = x − μ,   a = Wᵀx̃ + b,   h = φ(a),   h̃ = h − λ
//   linear visible units:   r = W h̃ + μ,        e = x − r = x̃ − W h̃   (computed in this last form)
//   sigmoid visible units:  r = σ(z), z = W h̃ + c,   e = x − r          (binary data; c the visible bias)
// μ (input offset) and λ (hidden offset) are constants for every rule: no gradient flows through them.
// δ_v is the visible error signal of gradient descent on ½‖e‖²: e (linear), e ⊙ r ⊙ (1 − r) (sigmoid).
//
// Rules: ΔW, Δb (hidden bias) and Δc (visible bias, sigmoid visible units only) for one pattern:
//   hd          e h̃ᵀ                                 Wᵀe                      e
//   hd_sanger   x̃ h̃ᵀ − W triu(h̃ h̃ᵀ)                   Wᵀe                      (linear visible only)
//   gd          δ_v h̃ᵀ + x̃ gᵀ,  g = J_φ(a)ᵀ (Wᵀδ_v)   g                        δ_v
//   gd_decoder  δ_v h̃ᵀ                               g                        δ_v
//   gd_encoder  x̃ gᵀ                                 g                        δ_v
//   oja         (x̃ − W y) yᵀ,  y = Wᵀx̃               —                        (linear φ and visible)
//   sanger      x̃ yᵀ − W triu(y yᵀ)                  —                        (linear φ and visible)
//   cd1         x̃ h̃ᵀ − r̃ h̃_rᵀ                        h − h_r                  x − r
//   cd1_clamped x̃ h̃ᵀ − r̃ h̃ᵀ  (= e h̃ᵀ, i.e. hd's ΔW)    0                        x − r
// gd is minus the gradient of ½‖e‖² with respect to W, b and c (W enters twice: as decoder, the first
// term, and as encoder, the second); hd's ΔW is the decoder term with σ′ dropped (e for δ_v), its Δb
// the bias gradient with φ′ and σ′ dropped. triu keeps the
// diagonal: column j of W triu(h̃ h̃ᵀ) is h̃_j Σ_{i≤j} h̃_i W_i, so unit j learns the residual that units
// 1..j leave (Sanger's generalized Hebbian algorithm). cd1 is mean-field contrastive divergence of a
// centred RBM with these units: r̃ = r − μ, h_r = φ(Wᵀr̃ + b), h̃_r = h_r − λ (no sampling).
// oja and sanger: the forward pass is the model with φ = identity and b = 0 (check_autoassociation
// refuses anything else), so hd / hd_sanger with linear φ, b = 0, λ = 0 (and learn_bias false) give
// the same bits.
//
// One step on a batch of B patterns (B = 1: one pattern), every ΔW computed with the W before the step:
//   W ← (1 − ω) W + η mean_batch(ΔW),   b ← b + η mean(Δb),   c ← c + η mean(Δc)   (no decay on biases)
// Centering (`running`): before the forward pass of a batch, μ takes in every input of the batch one by
// one (μ ← μ + (x − μ)/n, n counting all patterns presented so far), as core/engine.cpp does for B = 1;
// after the forward pass, λ takes in every h of the batch the same way; then h̃ = h − λ. So both means
// include the current batch. `dataset` (inputs only): μ = mean of the training patterns, fixed.
// Measuring never changes μ or λ.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "core/activation.hpp"
#include "core/engine.hpp"
#include "core/principal_angles.hpp"

namespace hds {

enum class AutoRule { hd, hd_sanger, gd, gd_decoder, gd_encoder, oja, sanger, cd1, cd1_clamped };
bool auto_rule_from_name(const std::string& name, AutoRule& rule);
std::string auto_rule_name(AutoRule rule);
const std::vector<std::string>& auto_rule_names();

enum class VisibleUnits {
  linear,   // r = W h̃ + μ
  sigmoid,  // r = σ(W h̃ + c): data must lie in [0, 1]
};
bool visible_units_from_name(const std::string& name, VisibleUnits& v);
std::string visible_units_name(VisibleUnits v);

enum class HiddenCentering {
  none,     // λ = 0
  running,  // λ = mean of every h computed in training so far, including the current batch's
};
bool hidden_centering_from_name(const std::string& name, HiddenCentering& c);
std::string hidden_centering_name(HiddenCentering c);

struct AutoSpec {
  AutoRule rule = AutoRule::hd;
  Activation act = Activation::make(ActivationKind::sigmoid);  // φ of the hidden units (any of them)
  VisibleUnits visible = VisibleUnits::linear;
  double eta = 0.01;
  double weight_decay = 0.0;                      // ω in [0, 1), on W only
  Centering centering = Centering::dataset;       // μ: none, dataset or running
  HiddenCentering hidden_centering = HiddenCentering::none;  // λ
  bool learn_bias = true;                         // b (not for oja / sanger, which have none)
  bool learn_visible_bias = true;                 // c (sigmoid visible units only)
  Protocol protocol = Protocol::online;           // online: one pass in data order, batch size 1
  int epochs = 1;                                 // multi_epoch only
  int batch_size = 1;                             // multi_epoch only; the last batch may be smaller
  bool reshuffle = false;                         // multi_epoch: a fresh seeded order every epoch
};

struct AutoParams {
  Eigen::MatrixXd W;  // n_in × k
  Eigen::VectorXd b;  // k, hidden bias
  Eigen::VectorXd c;  // n_in, visible bias (used by sigmoid visible units only; may be empty = 0)
};

// μ and λ with the number of patterns in their running means. λ empty means 0.
struct AutoOffsets {
  Eigen::VectorXd mu;      // n_in
  Eigen::VectorXd lambda;  // k
  long seen = 0;
};

// The mean update of a batch: ΔW, Δb, Δc of the table above averaged over the columns of X, with
// params and offsets held fixed (the caller updates running means). Δb = 0 for oja and sanger, Δc = 0
// for linear visible units; learn_bias flags are not applied here.
struct AutoUpdate {
  Eigen::MatrixXd dW;
  Eigen::VectorXd db;
  Eigen::VectorXd dc;
};
AutoUpdate auto_update(const AutoSpec& spec, const AutoParams& params, const AutoOffsets& offsets,
                       const Eigen::Ref<const Eigen::MatrixXd>& X);

// The mean update field ΔW̄(W) = mean over the columns of X of ΔW (without weight decay: the expected
// change of one step is η ΔW̄ − ω W), b, c, μ and λ fixed. The same as auto_update on X, computed in
// blocks of patterns so a large data set needs little memory. Serial, like a training run.
Eigen::MatrixXd auto_mean_field(const AutoSpec& spec, const AutoParams& params, const AutoOffsets& offsets,
                                const Eigen::MatrixXd& X);
// Its Jacobian ∂vec(ΔW̄)/∂vec(W) (vec: column-major, size n_in·k) by central differences with step eps.
// For gd it is minus the Hessian of the mean ½‖e‖², hence symmetric; for hd in general it is not.
Eigen::MatrixXd auto_mean_field_jacobian(const AutoSpec& spec, const AutoParams& params,
                                         const AutoOffsets& offsets, const Eigen::MatrixXd& X, double eps = 1e-6);

// Measures of the model on a set of patterns (μ, λ as given).
struct AutoMeasures {
  double train_mse = 0.0;        // mean over training patterns and input dimensions of e²
  double heldout_mse = 0.0;      // the same on the held-out patterns (NaN when there are none)
  Eigen::VectorXd hidden_mean;   // k: mean of h (not h̃) of each unit over the training patterns
  double hidden_spread = 0.0;    // population standard deviation of hidden_mean across the k units
  Eigen::VectorXd angles;        // k principal angles (radians, ascending) between span(W) and the
                                 // top-k principal subspace of the training data
  double max_angle = 0.0;        // the largest of them
};

struct AutoEpoch {
  AutoMeasures m;                   // after the epoch
  double dW_norm = 0.0;             // ‖W_end − W_start‖_F of the epoch
  long updates = 0;                 // steps (batches) of the epoch
  double seconds_per_update = 0.0;  // CPU time of the epoch's steps (measuring excluded) / updates
};

struct AutoResult {
  AutoMeasures initial;              // before training
  std::vector<AutoEpoch> epochs;     // one per epoch (online: one); always complete
  Eigen::VectorXd pattern_mse;       // after training: mean over dimensions of e² of each training
                                     // pattern (column order of X_train; online: the forgetting curve)
  AutoParams params;                 // final W, b, c
  AutoOffsets offsets;               // final μ, λ
  std::vector<int> last_order;       // presentation order of the last epoch
  long updates = 0;                  // steps taken
  double seconds = 0.0;              // CPU time of all steps (measuring excluded; the thread's own time)
  // Divergence: a pre-activation (also of cd1's negative phase) non-finite or beyond kDivergedMagnitude
  // (1e100), a non-finite h or e, non-finite parameters at the end of an epoch, or a non-finite
  // training MSE. Training stops; the step is not applied; every measure from that epoch on (and
  // pattern_mse) is NaN, params hold the last finite state.
  bool diverged = false;
  long diverged_step = -1;           // the step (0-based over all epochs) where it was seen
};

// Throws hds::UserError, one line naming the key and the fix: k < 1 or k > n_in (k = W.cols()), eta
// not finite and > 0, weight_decay outside [0, 1), batch_size < 1, epochs < 1 (multi_epoch), online
// with batch_size ≠ 1, an empty training set, data or parameters of the wrong size or non-finite,
// visible sigmoid with data outside [0, 1], hidden_centering running with a linear φ (it only repeats
// the input centering: h − mean h = Wᵀ(x − mean x)), oja / sanger with a non-linear φ, sigmoid visible
// units, hidden centering or a non-zero initial b, hd_sanger with sigmoid visible units.
void check_autoassociation(const AutoSpec& spec, const Eigen::MatrixXd& X_train, const Eigen::MatrixXd& X_heldout,
                           const AutoParams& initial);

// Trains from `initial` on X_train (n_in × N, column = pattern) and measures on X_train and X_heldout
// (n_in × M, may be empty). `seed` is used only to reshuffle: epoch e presents the patterns in the
// order of a Fisher-Yates shuffle of 0..N−1 by Rng(derive_seed(seed, {kShuffle, e})). `principal`
// (optional): principal_subspace(X_train, k), when the caller has it already. Checks its input with
// check_autoassociation; never throws on divergence. Single-threaded and deterministic.
AutoResult train_autoassociation(const AutoSpec& spec, const Eigen::MatrixXd& X_train,
                                 const Eigen::MatrixXd& X_heldout, const AutoParams& initial, uint64_t seed,
                                 const Eigen::MatrixXd* principal = nullptr);

}  // namespace hds
