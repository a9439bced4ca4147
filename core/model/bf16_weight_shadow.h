#pragma once
// bf16 copies of float weights, kept in step with them, so that bf16 products (training under bf16
// autocast on the CPU) read a weight slice without casting it on every use. Without them each use
// cast the slice's float values to bf16 in forward and again in backward: passes that read 4 and
// write 2 bytes per weight entry. With a shadow, the optimizer writes the bf16 value of each entry
// it updates as it writes the float one (2 more bytes in a pass that already moves 28). Measured,
// bf16 MoE updates 5-16 of the peer configuration (1 thread, Zen 4, two alternating pairs): casts
// 0.16-0.17 -> 0.07 s per update, products 0.02-0.03 s slower (weights read from memory, not from a
// fresh copy in cache), Adam unchanged; 2.00 / 1.99 s against 2.08 / 2.04 s casting. It costs 2
// bytes per parameter (peak RSS 4.36 -> 4.94 GiB).
//
// Correctness rests on one invariant: inside an entry's valid box (a leading box, like the slices
// weight sharing takes), shadow == the parameter cast to bf16, bit for bit, so products read the
// same bf16 values a cast would give. All of each parameter is cast at construction. The optimizer
// keeps the invariant through beginWrite()/endWrite(). Any other change to a parameter (loading a
// checkpoint, an in-place operation) bumps the parameter's version counter; a version (or storage)
// other than the one last recorded empties the box, and it grows back, cast, to enclose each slice
// asked for.
//
// Shadows cover float CPU parameters only.
#include <unordered_map>
#include <vector>

#include <ATen/ATen.h>

namespace automoe {

// Process-wide switch (benchmarks' A/B; on by default): whether trainers keep shadows.
bool bf16WeightShadowsEnabled();
void setBf16WeightShadows(bool on);

class Bf16WeightShadow {
 public:
  explicit Bf16WeightShadow(const std::vector<at::Tensor>& params);

  // bf16 values of `weight`, a leading-box view of a registered parameter (its storage, offset and
  // strides) such as SliceRecorder::slice() returns: the same leading box of the shadow (row-major
  // in the parameter's shape). Undefined for any other tensor.
  at::Tensor bf16Of(const at::Tensor& weight);

  // For an optimizer about to update a box of `param`: the whole shadow tensor (param's shape, bf16,
  // contiguous) to write the new values' bf16 roundings into, or undefined when nothing of it is
  // valid (or param is not registered) and there is nothing to keep. endWrite(param) after the
  // update records the parameter's new version; the box written must hold the new values.
  at::Tensor beginWrite(const at::Tensor& param);
  void endWrite(const at::Tensor& param);

  // How many entries have been cast so far (not counting the optimizer's writes).
  int64_t castEntries() const { return m_castEntries; }

  // The shadow bf16 products on this thread use while the scope lives (none outside one).
  class Scope {
   public:
    explicit Scope(Bf16WeightShadow* shadow);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    Bf16WeightShadow* m_previous;
  };
  static Bf16WeightShadow* active();

 private:
  struct Entry {
    at::Tensor param;
    at::Tensor shadow;          // param's shape, bf16; made again if the parameter's shape changes
    std::vector<int64_t> valid; // the valid leading box; all zeros when nothing is valid
    int64_t version = -1;       // param's version counter when the box was last known good
    const void* storage = nullptr;  // and its storage then
  };
  Entry* find(const at::Tensor& t);
  void checkVersion(Entry& e) const;
  std::vector<Entry> m_entries;
  std::unordered_map<const void*, size_t> m_byStorage;  // storage -> entry
  int64_t m_castEntries = 0;
};

}  // namespace automoe
