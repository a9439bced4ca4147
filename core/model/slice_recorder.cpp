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
    r.m_entries.push_back({param, {}, {}});
  }
  r.m_entries[it->second].leaves.push_back(leaf);
  r.m_leafEntry.emplace(leaf.unsafeGetTensorImpl(), it->second);
  return leaf;
}

at::Tensor SliceRecorder::gradientSink(const at::Tensor& leaf, at::ScalarType type) {
  if (!tCurrent || !leaf.defined() || leaf.scalar_type() == type) return {};
  auto it = tCurrent->m_leafEntry.find(leaf.unsafeGetTensorImpl());
  if (it == tCurrent->m_leafEntry.end()) return {};
  at::Tensor sink = at::empty({0}, leaf.options().dtype(type));  // [0] until filled
  tCurrent->m_entries[it->second].sinks.push_back(sink);
  return sink;
}

namespace {
bool filled(const at::Tensor& sink) { return sink.dim() != 1 || sink.size(0) != 0; }
}  // namespace

bool SliceRecorder::fillSink(const at::Tensor& sink, const at::Tensor& grad) {
  if (!sink.defined() || filled(sink) || grad.scalar_type() != sink.scalar_type()) return false;
  at::NoGradGuard noGrad;
  at::Tensor(sink).set_(grad);  // the sink now shares grad's storage, sizes and strides
  return true;
}

bool SliceRecorder::recording() { return tCurrent && at::GradMode::is_enabled(); }

std::vector<SliceRecorder::Box> SliceRecorder::boxGradients() const {
  std::vector<Box> out;
  for (const Entry& e : m_entries) {
    std::vector<at::Tensor> dense, sparse;  // this parameter's gradient contributions
    for (const auto& l : e.leaves)
      if (l.grad().defined()) (l.grad().is_sparse() ? sparse : dense).push_back(l.grad());
    for (const auto& s : e.sinks)
      if (filled(s)) dense.push_back(s);
    if (dense.empty() && sparse.empty()) continue;
    std::vector<int64_t> box(static_cast<size_t>(e.param.dim()), 0);
    for (const auto* list : {&dense, &sparse})
      for (const auto& g : *list)
        for (int64_t d = 0; d < g.dim(); ++d) box[d] = std::max(box[d], g.size(d));
    if (dense.size() == 1 && sparse.empty() && dense[0].sizes() == at::IntArrayRef(box)) {
      out.push_back({e.param, dense[0]});  // the common case: one slice, its gradient as is
      continue;
    }
    // Summed in param's type, starting from a full-box dense gradient where there is one (a tied
    // output projection's, to which the embedding's sparse rows are added): no zero-filled box.
    size_t first = 0;
    while (first < dense.size() && dense[first].sizes() != at::IntArrayRef(box)) ++first;
    at::Tensor grad = first < dense.size() ? dense[first].to(e.param.scalar_type())
                                           : at::zeros(box, e.param.options().layout(at::kStrided));
    for (size_t i = 0; i < dense.size(); ++i)
      if (i != first) prefixView(grad, dense[i].sizes()).add_(dense[i]);
    for (const auto& sp : sparse) {  // sparse row gradients, added into their rows only
      const at::Tensor g = sp.coalesce();  // [rows, ...]: indices [1, nnz], values [nnz, ...]
      prefixView(grad, g.sizes()).index_add_(0, g._indices()[0], g._values().to(grad.scalar_type()));
    }
    out.push_back({e.param, grad});
  }
  return out;
}

}  // namespace automoe
