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
//
// A product computed in bf16 (autocast) has its weight gradient in bf16, and autograd would cast
// it to the parameter's float type: a pass writing 4 bytes per weight entry that the optimizer
// then reads back. gradientSink() lets such a product hand the bf16 gradient to the recorder
// instead; boxGradients() then returns it as is (SliceAdam reads bf16 gradients directly).
#include <unordered_map>
#include <vector>

#include <ATen/ATen.h>

namespace automoe {

class SliceRecorder {
 public:
  struct Box {
    at::Tensor param;  // the full parameter
    at::Tensor grad;   // gradient of param's prefix box of grad's shape (undefined if unused);
                       // param's type, or bf16 when the one contribution came through a sink
  };

  // The prefix slice of `param` with `sizes` (one per dimension).
  static at::Tensor slice(const at::Tensor& param, at::IntArrayRef sizes);
  // Whether slice() now returns recorded leaves (a recorder is active and grad mode is on). Their
  // gradients may be sparse (an embedding lookup's rows): boxGradients() adds them into the box.
  static bool recording();

  // For `leaf`, a slice() result of the recorder active on this thread (also inside an autograd
  // function's forward, where grad mode is off): an empty tensor of `type` that the function's
  // backward may fill with fillSink() with leaf's gradient in that type, instead of returning it to
  // autograd. Undefined for any other tensor, or when `type` is leaf's own type.
  static at::Tensor gradientSink(const at::Tensor& leaf, at::ScalarType type);
  // Puts `grad` (sink's type) into a sink from gradientSink(). False, leaving it, when the sink is
  // undefined or already filled (a second backward through the same graph): the caller then
  // returns the gradient to autograd as usual.
  static bool fillSink(const at::Tensor& sink, const at::Tensor& grad);

  // Per sliced parameter, the summed gradient of its slices over their union box (always dense).
  // Parameters whose slices got no gradient are left out.
  std::vector<Box> boxGradients() const;
  void clear() {
    m_entries.clear();
    m_index.clear();
    m_leafEntry.clear();
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
    std::vector<at::Tensor> sinks;  // gradientSink()s handed out for this parameter's leaves
  };
  std::unordered_map<const void*, size_t> m_index;       // parameter -> position in m_entries
  std::unordered_map<const void*, size_t> m_leafEntry;  // leaf -> position in m_entries
  std::vector<Entry> m_entries;                      // in first-use order (same on every rank)
};

}  // namespace automoe
