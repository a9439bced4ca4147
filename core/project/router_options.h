#pragma once
// Per-router settings of a project (the "routers", "expert_output_masking" and "cmr" keys of the
// "model" section). Torch-free plain values; defaults follow moe_routers_spec.md §F / §A.6 / §B.
// Router types without an entry here (softmax_topk) use only the model-wide settings
// (capacity_factor, balance_loss_coef, z_loss_coef, router_jitter).
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

class JsonReader;

struct SwitchRouterOptions {
  double capacityFactor = 1.25;     // training: capacity = ceil(cf * tokens / n)
  double evalCapacityFactor = 0.0;  // inference; 0 = unlimited (keeps incremental decoding exact)
};

struct GShardRouterOptions {
  std::string secondPolicy = "sampling";  // sampling (Gumbel, training only) | all | random
  double capacityFactor = 1.0;            // top-1 only (arch top_k = 1): int(cf * ceil(S / n))
  double evalCapacityFraction = 1.0;      // inference: ceil(fraction * S); 1.0 never drops
};

struct SmoeDropoutOptions {
  int kMin = 0;                              // 0 = the subnet's top_k
  int kMax = 0;                              // 0 = all sampled experts
  std::string schedule = "linear_increase";  // linear_increase | constant (k = k_min)
  int evalTopK = 0;                          // 0 = the subnet's top_k; else clamped to n
};

struct XmoeOptions {
  int routingDim = 16;       // d_r of the low-dimensional routing space (torchscale)
  double temperature = 0.3;  // logits = cos(P x, e_i) * 1.5 / temperature
};

struct StableMoeOptions {
  double temperature = 0.3;     // logits = x . e_i / |e_i| / temperature
  double freezeFraction = 0.0;  // stage 2: routing frozen from this fraction of training; 0 = off
};

struct CompeteSmoeOptions {
  double rateFlip = 0.05;                       // chance a layer competes on a (post-warm-up) step
  double warmUp = 0.05;                         // fraction of training with router-only routing
  int maxCompeteInIter = 3;                     // cap on the layers competing in one step
  std::string schedule = "precomputed_capped";  // precomputed_capped (v2) | bernoulli (v1 fix)
  std::string affinity = "softplus_mean";       // softplus_mean (v2) | l2_norm (v1)
  std::string weightNorm = "sum";               // sum (v2) | softmax (v1)
  std::string routerLoss = "mse";               // mse | kl
  bool hybrid = false;                          // + theta * MSE on the competition's top-k entries
  double routerTheta = 0.1;
  double routerLossCoef = 0.01;
  double diversityLossCoef = 0.01;
  double balCompLossCoef = 0.01;
  uint64_t seed = 1;  // the schedule's seed (same flips on every data-parallel rank)
};

struct StratifiedOptions {
  int strata = 2;                         // L; a layer with n experts uses min(L, n) strata
  bool layerNorm = true;                  // per-stratum LayerNorm of the stream between passes
  std::string secondPolicy = "sampling";  // as gshard_top2
  double capacityFactor = 1.0;            // top-1 passes only
  double evalCapacityFraction = 1.0;
};

struct ExpertOutputMaskingOptions {
  double eom = 0.0;  // expert output masking (NLLB): p of zeroing an expert-output row in training
  double fom = 0.0;  // final output masking: p of zeroing a token's MoE output in training
};

struct CmrOptions {
  bool enabled = false;  // conditional MoE routing: mix a dense FFN and the MoE per token
  double gateDropout = 0.1;
  double lossCoef = 0.01;  // weight of |mean(g) - target|
  double target = 0.8;     // wanted fraction of MoE in the mix
};

struct RouterOptions {
  SwitchRouterOptions switchTop1;
  GShardRouterOptions gshardTop2;
  SmoeDropoutOptions smoeDropout;
  XmoeOptions xmoe;
  StableMoeOptions stableMoe;
  CompeteSmoeOptions competeSmoe;
  StratifiedOptions stratified;
  ExpertOutputMaskingOptions masking;
  CmrOptions cmr;

  // Reads the optional keys "routers", "expert_output_masking" and "cmr" of a "model" section (or
  // of a per-layer rule); keys that are absent keep their value in `base`.
  static RouterOptions fromJson(const JsonReader& model, const RouterOptions& base = {});
  // Adds those keys to a "model" section.
  void addToJson(nlohmann::json& model) const;
};

}  // namespace automoe
