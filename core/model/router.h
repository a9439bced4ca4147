#pragma once
// Routers decide, per token, which experts of a MoE layer process it and with which weight, and
// compute their own auxiliary losses. Each router type is a module with its own weights (a layer
// whose search space lists several types holds one of each); the layer's sampled expert count n
// and width d slice them (every parameter is a prefix slice: [:n, :d], see makeRouter's types).
//
// The MoE layer drives one of three control flows, chosen by the router:
//  - plain: route() returns a decision, the layer dispatches it (grouped GEMMs, capacity);
//  - competition (CompeteSMoE): if wantsDenseExperts(), the layer runs every sampled expert on
//    every real token and routeDense() picks the experts from their outputs;
//  - multi-pass (Stratified MoE): routeMultiPass() runs its passes itself, calling the layer's
//    dispatch for each.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include "model/forward_context.h"
#include "model/routers/competition_schedule.h"
#include "project/router_options.h"

namespace automoe {


// What a router takes from its layer's options.
struct RouterSettings {
  double capacityFactor = 0.0;    // model-wide training capacity (routers without their own policy);
                                  // capacity = ceil(cf * tokens * k / n), 0 = none
  double jitter = 0.01;           // switch_top1 input jitter
  double balanceLossCoef = 0.01;  // Switch balance loss weight
  double zLossCoef = 0.001;       // router z-loss weight
  RouterOptions options;          // per-type options, EoM/FoM, CMR
  // CompeteSMoE's schedule, shared by the layers of one model (copies share it).
  std::shared_ptr<CompetitionSchedule> competition = std::make_shared<CompetitionSchedule>();
};

struct RouteRequest {
  RouteRequest(at::Tensor x_, int64_t d_, int64_t n_, int64_t k_, ForwardContext ctx_ = {},
               at::Tensor real_ = {})
      : x(std::move(x_)), d(d_), n(n_), k(k_), ctx(ctx_), real(std::move(real_)) {}

  at::Tensor x;        // [N, d] token features
  int64_t d = 0;       // sampled width
  int64_t n = 0;       // sampled expert count (> 1)
  int64_t k = 1;       // experts per token (<= n), the subnet's effective top-k
  ForwardContext ctx;  // training step (scheduled routers)
  at::Tensor real;     // [V] int64 indices of the real (non-pad) tokens; undefined = all

  int64_t tokens() const { return real.defined() ? real.size(0) : x.size(0); }
  // The rows of t [N, ...] that belong to real tokens: [V, ...].
  at::Tensor realRows(const at::Tensor& t) const {
    return real.defined() ? t.index_select(0, real) : t;
  }
};

struct RouteDecision {
  at::Tensor logits;   // [N, n] router scores (float32)
  at::Tensor probs;    // [N, n] softmax of the scores (float32)
  at::Tensor experts;  // [N, k] int64 chosen experts, best first (k may differ from the request's)
  at::Tensor weights;  // [N, k] combine weights
  at::Tensor active;   // [N, k] bool, optional: false = the assignment is not dispatched
  std::map<std::string, at::Tensor> auxTerms;  // unweighted losses over the real tokens
  at::Tensor auxLoss;                          // weighted sum of the terms (scalar, always defined)
  int64_t capacity = 0;      // max assignments per expert, first choices first; 0 = unlimited
  bool renormalize = false;  // renormalise each token's kept weights after capacity drops
};

// Grouped dispatch of one decision over x [T, d] (real tokens only): y [T, d], counts [n].
struct DispatchResult {
  at::Tensor y;
  at::Tensor counts;
  int64_t dropped = 0;
};
using Dispatch = std::function<DispatchResult(const at::Tensor& x, const RouteDecision& decision)>;

struct MultiPassResult {
  at::Tensor y;  // [N, d], zero for pads
  std::map<std::string, at::Tensor> auxTerms;
  at::Tensor auxLoss;
  at::Tensor tokenPasses;  // [N] int64 routing passes per token (pads 0)
};

class RouterBase : public torch::nn::Module {
 public:
  virtual RouteDecision route(const RouteRequest& request) const = 0;

  // Competition routers: whether this call should see every expert's output (training only).
  virtual bool wantsDenseExperts(const RouteRequest& /*request*/) const { return false; }
  // outputs [N, n, d]: every sampled expert on every token of the request.
  virtual RouteDecision routeDense(const RouteRequest& request, const at::Tensor& outputs) const;

  // Multi-pass routers run the layer's passes themselves.
  virtual bool multiPass() const { return false; }
  virtual MultiPassResult routeMultiPass(const RouteRequest& request,
                                         const Dispatch& dispatch) const;
};

// Creates the router of `type` (see arch/router_types) for stored width `embedDim` and
// `numExperts` experts. Throws std::invalid_argument for an unknown type.
std::shared_ptr<RouterBase> makeRouter(const std::string& type, int64_t embedDim,
                                       int64_t numExperts, const RouterSettings& settings);

}  // namespace automoe
