#include "model/bf16_weight_shadow.h"

#include <algorithm>
#include <atomic>

#include <ATen/core/grad_mode.h>

namespace automoe {

namespace {

thread_local Bf16WeightShadow* t_active = nullptr;
std::atomic<bool> g_enabled{true};

const void* storageKey(const at::Tensor& t) { return t.storage().unsafeGetStorageImpl(); }

// The leading box `sizes` of `t` (a prefix slice in every dimension).
at::Tensor box(const at::Tensor& t, const std::vector<int64_t>& sizes) {
  at::Tensor b = t;
  for (size_t d = 0; d < sizes.size(); ++d)
    if (sizes[d] != t.size(static_cast<int64_t>(d))) b = b.narrow(static_cast<int64_t>(d), 0, sizes[d]);
  return b;
}

}  // namespace

bool bf16WeightShadowsEnabled() { return g_enabled.load(); }
void setBf16WeightShadows(bool on) { g_enabled.store(on); }

Bf16WeightShadow::Bf16WeightShadow(const std::vector<at::Tensor>& params) {
  for (const at::Tensor& p : params) {
    if (!p.defined() || p.scalar_type() != at::kFloat || !p.device().is_cpu() || p.is_sparse() || p.dim() == 0)
      continue;
    Entry e;
    e.param = p;
    // Cast whole now: the memory is committed, and its first-touch page faults paid, here and not
    // in the first updates that use each slice (measured, bf16 MoE updates 4-9 of the peer
    // configuration: shadows filled as slices came, 7,400 page faults per update in the casts and
    // 2.24 s; filled here, 2,800 and 2.00 s).
    at::NoGradGuard noGrad;
    e.shadow = at::empty(p.sizes(), p.options().dtype(at::kBFloat16));  // [param's shape]
    e.shadow.copy_(p);
    m_castEntries += p.numel();
    e.valid = p.sizes().vec();
    e.version = p._version();
    e.storage = storageKey(p);
    m_byStorage[storageKey(p)] = m_entries.size();
    m_entries.push_back(std::move(e));
  }
}

Bf16WeightShadow::Entry* Bf16WeightShadow::find(const at::Tensor& t) {
  if (!t.defined() || !t.has_storage()) return nullptr;
  auto it = m_byStorage.find(storageKey(t));
  if (it == m_byStorage.end() || !m_entries[it->second].param.storage().is_alias_of(t.storage())) {
    // A parameter may have been given new storage since (set_, e.g. by a checkpoint load).
    m_byStorage.clear();
    for (size_t i = 0; i < m_entries.size(); ++i) m_byStorage[storageKey(m_entries[i].param)] = i;
    it = m_byStorage.find(storageKey(t));
    if (it == m_byStorage.end()) return nullptr;
  }
  return &m_entries[it->second];
}

void Bf16WeightShadow::checkVersion(Entry& e) const {
  const bool reshaped = e.shadow.defined() && e.shadow.sizes() != e.param.sizes();
  if (e.param._version() != e.version || storageKey(e.param) != e.storage || reshaped) {
    e.valid.assign(static_cast<size_t>(e.param.dim()), 0);
    if (reshaped) e.shadow = at::Tensor();
  }
}

at::Tensor Bf16WeightShadow::bf16Of(const at::Tensor& weight) {
  Entry* e = find(weight);
  if (e == nullptr) return {};
  const at::Tensor& p = e->param;
  if (weight.scalar_type() != at::kFloat || weight.dim() != p.dim() || weight.storage_offset() != p.storage_offset())
    return {};
  std::vector<int64_t> need(static_cast<size_t>(p.dim()));
  for (int64_t d = 0; d < p.dim(); ++d) {
    if (weight.size(d) > p.size(d) || (weight.size(d) > 1 && weight.stride(d) != p.stride(d))) return {};
    need[static_cast<size_t>(d)] = weight.size(d);
  }
  checkVersion(*e);
  if (!e->shadow.defined()) e->shadow = at::empty(p.sizes(), p.options().dtype(at::kBFloat16));  // [param's shape]
  bool inside = true;
  for (size_t d = 0; d < need.size(); ++d) inside = inside && need[d] <= e->valid[d];
  if (!inside) {
    // The smallest leading box holding both the valid one and the one asked for; the whole of it
    // is cast (the part already valid gets the values it has).
    std::vector<int64_t> grown(need.size());
    for (size_t d = 0; d < need.size(); ++d) grown[d] = std::max(need[d], e->valid[d]);
    at::NoGradGuard noGrad;
    at::Tensor dst = box(e->shadow, grown);
    dst.copy_(box(p, grown));
    m_castEntries += dst.numel();
    e->valid = grown;
    e->version = p._version();
    e->storage = storageKey(p);
  }
  return box(e->shadow, need);
}

at::Tensor Bf16WeightShadow::beginWrite(const at::Tensor& param) {
  Entry* e = find(param);
  if (e == nullptr || !e->param.is_same(param)) return {};
  checkVersion(*e);
  bool any = true;
  for (int64_t v : e->valid) any = any && v > 0;
  return any ? e->shadow : at::Tensor();
}

void Bf16WeightShadow::endWrite(const at::Tensor& param) {
  Entry* e = find(param);
  if (e != nullptr && e->param.is_same(param)) {
    e->version = param._version();
    e->storage = storageKey(param);
  }
}

Bf16WeightShadow::Scope::Scope(Bf16WeightShadow* shadow) : m_previous(t_active) { t_active = shadow; }
Bf16WeightShadow::Scope::~Scope() { t_active = m_previous; }
Bf16WeightShadow* Bf16WeightShadow::active() { return t_active; }

}  // namespace automoe
