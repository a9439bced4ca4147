#include "model/slice_recorder.h"

#include <ATen/core/grad_mode.h>

namespace automoe {

namespace {
thread_local SliceRecorder* tCurrent = nullptr;

at::Tensor prefixView(const at::Tensor& t, at::IntArrayRef sizes) {
  at::Tensor v = t;
  for (int64_t d = 0; d < static_cast<int64_t>(sizes.size()); ++d)
    if (sizes[d] != t.size(d)) v = v.narrow(d, 0, sizes[d]);
  return v;
}
}  // namespace

SliceRecorder::Scope::Scope(SliceRecorder& r) : m_previous(tCurrent) { tCurrent = &r; }
SliceRecorder::Scope::~Scope() { tCurrent = m_previous; }

at::Tensor SliceRecorder::slice(const at::Tensor& param, at::IntArrayRef sizes) {
  TORCH_CHECK(static_cast<int64_t>(sizes.size()) == param.dim(), "slice: rank mismatch");
  if (!tCurrent || !at::GradMode::is_enabled() || !param.requires_grad()) return prefixView(param, sizes);
  at::Tensor leaf = prefixView(param.detach(), sizes).requires_grad_(true);
  SliceRecorder& r = *tCurrent;
  auto it = r.m_index.find(param.unsafeGetTensorImpl());
  if (it == r.m_index.end()) {
    it = r.m_index.emplace(param.unsafeGetTensorImpl(), r.m_entries.size()).first;
    r.m_entries.push_back({param, {}});
  }
  r.m_entries[it->second].leaves.push_back(leaf);
  return leaf;
}

bool SliceRecorder::recording() { return tCurrent && at::GradMode::is_enabled(); }

std::vector<SliceRecorder::Box> SliceRecorder::boxGradients() const {
  std::vector<Box> out;
  for (const Entry& e : m_entries) {
    std::vector<int64_t> box(static_cast<size_t>(e.param.dim()), 0);
    bool any = false;
    for (const auto& l : e.leaves) {
      if (!l.grad().defined()) continue;
      any = true;
      for (int64_t d = 0; d < l.dim(); ++d) box[d] = std::max(box[d], l.size(d));
    }
    if (!any) continue;
    at::Tensor grad;
    for (const auto& l : e.leaves) {  // dense gradients first
      if (!l.grad().defined() || l.grad().is_sparse()) continue;
      if (!grad.defined() && l.grad().sizes() == at::IntArrayRef(box)) {
        grad = l.grad();  // the common case: one slice, take its gradient as is
        continue;
      }
      if (!grad.defined()) grad = at::zeros(box, l.grad().options());
      prefixView(grad, l.grad().sizes()).add_(l.grad());
    }
    for (const auto& l : e.leaves) {  // then sparse row gradients, added into their rows only
      if (!l.grad().defined() || !l.grad().is_sparse()) continue;
      const at::Tensor g = l.grad().coalesce();  // [rows, ...]: indices [1, nnz], values [nnz, ...]
      if (!grad.defined()) grad = at::zeros(box, g.options().layout(at::kStrided));
      prefixView(grad, g.sizes()).index_add_(0, g._indices()[0], g._values());
    }
    out.push_back({e.param, grad});
  }
  return out;
}

}  // namespace automoe
