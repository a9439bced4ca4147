#pragma once
// Gradients of prefix slices without full-size zero gradients.
//
// A supernet weight used by a subnet is a prefix slice W[:a, :b]. Through a plain view, backward
// writes a gradient of W's full shape (zero outside the slice), which costs a zero-fill and a copy
// per weight per step, and an optimizer must then find the slice again. While a SliceRecorder is
// active on the calling thread (training), SliceRecorder::slice() instead returns a fresh leaf
// tensor sharing W's storage: backward gives it a gradient of the slice's shape only. After
// backward, boxGradients() hands the optimizer, per parameter, the gradient of the union of the
// slices it had this step (a prefix box). Without an active recorder, or with grad mode off
// (evaluation), slice() is a plain view and the module behaves as usual.
#include <unordered_map>
#include <vector>

#include <ATen/ATen.h>

namespace automoe {

class SliceRecorder {
 public:
  struct Box {
    at::Tensor param;  // the full parameter
    at::Tensor grad;   // gradient of param's prefix box of grad's shape (undefined if unused)
  };

  // The prefix slice of `param` with `sizes` (one per dimension).
  static at::Tensor slice(const at::Tensor& param, at::IntArrayRef sizes);
  // Whether slice() now returns recorded leaves (a recorder is active and grad mode is on). Their
  // gradients may be sparse (an embedding lookup's rows): boxGradients() adds them into the box.
  static bool recording();

  // Per sliced parameter, the summed gradient of its slices over their union box (always dense).
  // Parameters whose slices got no gradient are left out.
  std::vector<Box> boxGradients() const;
  void clear() {
    m_entries.clear();
    m_index.clear();
  }

  // Makes `recorder` the active one on this thread for the scope's lifetime.
  class Scope {
   public:
    explicit Scope(SliceRecorder& recorder);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    SliceRecorder* m_previous;
  };

 private:
  struct Entry {
    at::Tensor param;
    std::vector<at::Tensor> leaves;
  };
  std::unordered_map<const void*, size_t> m_index;  // parameter -> position in m_entries
  std::vector<Entry> m_entries;                      // in first-use order (same on every rank)
};

}  // namespace automoe
