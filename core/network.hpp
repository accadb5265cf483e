// A multi-layer network whose output layer learns by Hebbian descent or gradient descent and whose
// hidden layers learn by backprop of that output signal (SCIENCE.md, "Deep networks").
//
// Layers l = 1..L (stored 0-based: W[l − 1], b[l − 1], mu[l − 1]); columns are patterns:
//   a_l = W_lᵀ (h_{l−1} − μ_{l−1}) + b_l,  h_l = g(a_l) (hidden),  h_L = φ(a_L) (output),  h_0 = x.
// W_l is n_{l−1} × n_l, as the single-layer model's W (n_in × n_out).
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/activation.hpp"

namespace hds {

enum class OutputRule {
  hd,  // δ_L = h_L − t                      (φ′ dropped)
  gd,  // δ_L = J_φ(a_L)ᵀ (h_L − t)           (the gradient of ½‖h_L − t‖²; zero for step)
};
enum class HiddenRule {
  backprop,  // δ_l = (W_{l+1} δ_{l+1}) ⊙ g′(a_l)
  frozen,    // hidden layers keep their initial weights: fixed random features, only the readout learns
};
enum class LayerCentering {
  none,     // μ_l = 0
  running,  // μ_l = mean of every input the layer received in training so far (see Network)
};

bool output_rule_from_name(const std::string& name, OutputRule& r);
std::string output_rule_name(OutputRule r);
bool hidden_rule_from_name(const std::string& name, HiddenRule& r);
std::string hidden_rule_name(HiddenRule r);
bool layer_centering_from_name(const std::string& name, LayerCentering& c);
std::string layer_centering_name(LayerCentering c);

struct NetworkSpec {
  std::vector<int> layers;  // [n_0, …, n_L]: input dimension, hidden sizes, number of classes
  Activation hidden = Activation::make(ActivationKind::rectifier);  // g: any elementwise activation
  Activation output = Activation::make(ActivationKind::sigmoid);    // φ: any, softmax included
  OutputRule output_rule = OutputRule::hd;
  HiddenRule hidden_rule = HiddenRule::backprop;
  LayerCentering centering = LayerCentering::none;
  int num_layers() const { return static_cast<int>(layers.size()) - 1; }
};

// Throws hds::UserError naming the key (`layers`, `hidden`) when the spec cannot describe a network:
// fewer than two sizes, a size < 1, or softmax as the hidden activation.
void check_network_spec(const NetworkSpec& spec);

// Everything a trained network is: weights, biases and input offsets of each layer.
struct NetworkParams {
  std::vector<Eigen::MatrixXd> W;   // W[l]: n_l × n_{l+1}
  std::vector<Eigen::VectorXd> b;   // b[l]: n_{l+1}
  std::vector<Eigen::VectorXd> mu;  // mu[l]: n_l, the offset subtracted from layer l+1's input
  double mu_count = 0.0;            // training patterns that entered the running means
};

// Glorot initialisation (uniform ±sqrt(6 / (n_in + n_out)), bias 0, μ = 0): layer l (0-based) is
// init_weights(glorot, n_l, n_{l+1}, derive_seed(seed, {kInit, l})), so a run's layer l never depends
// on the other layers' sizes.
NetworkParams glorot_params(const NetworkSpec& spec, uint64_t seed);

// The output signal of a batch (columns): hd δ = H − T; gd δ = J_φ(A)ᵀ (H − T), i.e. (H − T) ⊙ φ′(A)
// for an elementwise φ and h ⊙ (e − hᵀe) per column for softmax.
void output_signal(OutputRule rule, const Activation& phi, const Eigen::MatrixXd& A, const Eigen::MatrixXd& H,
                   const Eigen::MatrixXd& T, Eigen::MatrixXd& delta);

// D ⊙= φ′(A) elementwise (φ′ from A and H = φ(A), as Activation::deriv). φ must be elementwise.
void times_derivative(const Activation& phi, const Eigen::Ref<const Eigen::MatrixXd>& A,
                      const Eigen::Ref<const Eigen::MatrixXd>& H, Eigen::Ref<Eigen::MatrixXd> D);

// The model with its work buffers. One training step is forward_train(X) then backward(T); the
// optimizer then reads grad_W / grad_b (network_trainer.hpp). The order within forward_train, layer by
// layer from the input: with running centering, μ_{l−1} ← (c μ_{l−1} + Σ_batch h_{l−1}) / (c + B) with
// c the patterns seen before this batch, then h_{l−1} − μ_{l−1} enters layer l; after the last layer
// c ← c + B. So each batch is centred by a mean that already includes it, and hidden layers by the
// means of the activations this very forward pass produced. Gradients treat μ as a constant.
// predict() never changes μ. Products are cut into fixed pieces (core/parallel.hpp): the results do
// not depend on `threads`. A layer's forward product is cut along its outputs when the batch has at
// most as many patterns as the layer has units, else along the patterns (each piece packs the smaller
// factor again: W for a piece of patterns, the batch for a piece of units).
class Network {
 public:
  Network(const NetworkSpec& spec, NetworkParams params, int threads = 1);

  void forward_train(const Eigen::Ref<const Eigen::MatrixXd>& X);
  // Called by backward() when rows [r0, r0 + r) of grad_W(l) are final and backward() will not read
  // those rows of W_l again (nor grad_b(l), which is final before the first call of layer l): an
  // optimizer may update them in place while they are in the cache. Pieces of one layer may run on
  // different threads at once (never the same rows); the layers come from the top.
  using RowsReady = std::function<void(int l, Eigen::Index r0, Eigen::Index r)>;

  // δ_L from the one-hot targets T of the batch last passed to forward_train, then backprop.
  // Fills the gradients of the mini-batch mean: grad_W(l) = (1/B) (h_l − μ_l) δ_{l+1}ᵀ,
  // grad_b(l) = mean of δ_{l+1}; for frozen hidden layers only the output layer's.
  void backward(const Eigen::MatrixXd& T, const RowsReady& rows_ready = {});
  // True when every output pre-activation of the last training batch is finite and within ±1e100.
  bool output_finite() const;

  // Output pre-activation A_L and output H_L of X (columns), μ fixed; X is read in place (not copied)
  // without centering. The references stay valid until the next call.
  void predict(const Eigen::Ref<const Eigen::MatrixXd>& X);
  const Eigen::MatrixXd& predicted_pre() const { return eval_A_.back(); }
  const Eigen::MatrixXd& predicted_output() const { return eval_H_.back(); }

  const NetworkSpec& spec() const { return spec_; }
  int num_layers() const { return spec_.num_layers(); }
  int threads() const { return threads_; }
  bool trains_layer(int l) const { return l == num_layers() - 1 || spec_.hidden_rule == HiddenRule::backprop; }
  NetworkParams& params() { return p_; }
  const NetworkParams& params() const { return p_; }
  const Eigen::MatrixXd& grad_W(int l) const { return GW_[l]; }
  const Eigen::VectorXd& grad_b(int l) const { return Gb_[l]; }
  const Eigen::MatrixXd& output_pre() const { return A_.back(); }  // of the last training batch
  const Eigen::MatrixXd& output() const { return H_.back(); }
  const Eigen::MatrixXd& output_delta() const { return D_.back(); }

 private:
  void layer_forward(int l, const Eigen::Ref<const Eigen::MatrixXd>& in, Eigen::MatrixXd& A, Eigen::MatrixXd& H);

  NetworkSpec spec_;
  NetworkParams p_;
  int threads_;
  std::vector<Eigen::MatrixXd> Hc_;  // Hc_[l]: centred input of layer l+1 (n_l × B)
  std::vector<Eigen::MatrixXd> A_, H_, D_;  // of layer l+1 (n_{l+1} × B); D_: δ
  std::vector<Eigen::MatrixXd> GW_;
  std::vector<Eigen::VectorXd> Gb_;
  std::vector<Eigen::MatrixXd> eval_in_, eval_A_, eval_H_;
};

}  // namespace hds
