#include "train/slice_adam.h"

#include <cmath>

#include <ATen/core/grad_mode.h>

#include "model/bf16_weight_shadow.h"
#include "train/fused_adam.h"
#include "train/lazy_zeros.h"

namespace automoe {

SliceAdam::SliceAdam(std::vector<std::pair<std::string, at::Tensor>> params, SliceAdamOptions o)
    : m_params(std::move(params)), m_states(m_params.size()), m_options(o) {}

std::vector<int64_t> SliceAdam::nonZeroExtent(const at::Tensor& grad) {
  const at::Tensor nz = grad.ne(0);
  if (!nz.any().item<bool>()) return {};
  std::vector<int64_t> extent(grad.dim());
  for (int64_t d = 0; d < grad.dim(); ++d) {
    at::Tensor line = nz;  // reduce every other dimension, highest first: -> [size(d)]
    for (int64_t o = grad.dim() - 1; o >= 0; --o)
      if (o != d) line = line.any(o);
    extent[d] = line.nonzero().max().item<int64_t>() + 1;
  }
  return extent;
}

int64_t SliceAdam::indexOf(const at::Tensor& param) const {
  for (size_t i = 0; i < m_params.size(); ++i)
    if (m_params[i].second.is_same(param)) return static_cast<int64_t>(i);
  return -1;
}

void SliceAdam::update(size_t index, const at::Tensor& gs, double lr, double gradScale) {
  at::Tensor ps = m_params[index].second;
  State& s = m_states[index];
  if (!s.expAvg.defined()) {
    s.expAvg = lazyZerosLike(ps);  // memory committed only where the boxes write
    s.expAvgSq = lazyZerosLike(ps);
  }
  ++s.steps;
  const double bc1 = 1.0 - std::pow(m_options.beta1, static_cast<double>(s.steps));
  const double bc2 = 1.0 - std::pow(m_options.beta2, static_cast<double>(s.steps));
  const FusedAdamCoefficients c{m_options.beta1, m_options.beta2, m_options.eps, m_options.weightDecay, lr / bc1,
                                std::sqrt(bc2), gradScale};
  // The parameter's bf16 shadow, if it keeps one, is written alongside (bf16_weight_shadow.h).
  at::Tensor copy = m_shadow != nullptr ? m_shadow->beginWrite(ps) : at::Tensor();
  if (fusedAdamBox(ps, s.expAvg, s.expAvgSq, gs, c, copy)) {
    if (m_shadow != nullptr) m_shadow->endWrite(ps);
    return;
  }
  const at::Tensor param = ps;
  at::Tensor m = s.expAvg, v = s.expAvgSq;  // elsewhere (e.g. CUDA): the same formula in tensor operations
  for (int64_t d = 0; d < gs.dim(); ++d) {
    if (gs.size(d) == ps.size(d)) continue;
    ps = ps.narrow(d, 0, gs.size(d));
    m = m.narrow(d, 0, gs.size(d));
    v = v.narrow(d, 0, gs.size(d));
    if (copy.defined()) copy = copy.narrow(d, 0, gs.size(d));
  }
  at::Tensor grad = gs.to(ps.scalar_type());  // a bf16 box (SliceRecorder::gradientSink) in ps's type
  if (gradScale != 1.0) grad = grad * gradScale;
  if (m_options.weightDecay != 0) grad = grad + m_options.weightDecay * ps;
  m.mul_(m_options.beta1).add_(grad, 1.0 - m_options.beta1);
  v.mul_(m_options.beta2).addcmul_(grad, grad, 1.0 - m_options.beta2);
  const at::Tensor denom = v.sqrt().div_(c.sqrtBiasCorrection2).add_(m_options.eps);
  ps.addcdiv_(m, denom, -c.stepSize);
  if (copy.defined()) copy.copy_(ps);
  if (m_shadow != nullptr) m_shadow->endWrite(param);
}

void SliceAdam::allocateStates() {
  for (size_t i = 0; i < m_params.size(); ++i) {
    State& s = m_states[i];
    if (s.expAvg.defined()) continue;  // restored from a checkpoint
    s.expAvg = at::zeros_like(m_params[i].second, at::MemoryFormat::Contiguous);
    s.expAvgSq = at::zeros_like(m_params[i].second, at::MemoryFormat::Contiguous);
  }
  m_allocated = true;
}

int64_t SliceAdam::step(double lr, const std::vector<BoxGrad>& boxes, double gradScale) {
  at::NoGradGuard noGrad;
  if (m_options.eagerState && !m_allocated) allocateStates();
  int64_t updated = 0;
  std::vector<bool> done(m_params.size(), false);
  for (const BoxGrad& b : boxes) {
    update(b.index, b.grad, lr, gradScale);
    done[b.index] = true;
    updated += b.grad.numel();
  }
  for (size_t i = 0; i < m_params.size(); ++i) {
    const at::Tensor& g = m_params[i].second.grad();
    if (done[i] || !g.defined()) continue;
    const std::vector<int64_t> extent = nonZeroExtent(g);
    if (extent.empty() && g.dim() > 0) continue;
    at::Tensor gs = g;
    for (int64_t d = 0; d < static_cast<int64_t>(extent.size()); ++d)
      if (extent[d] != g.size(d)) gs = gs.narrow(d, 0, extent[d]);
    update(i, gs, lr, gradScale);
    updated += gs.numel();
  }
  return updated;
}

}  // namespace automoe
