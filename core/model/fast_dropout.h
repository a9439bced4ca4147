#pragma once
// Dropout with a cheap mask. ATen 1.13's CPU dropout draws every mask entry with a Bernoulli
// sample from the Mersenne-Twister generator, one virtual call per entry (measured: 0.13 s of a
// 3.4 s update of the wmt14.en-de MoE space, fp32, 1 thread). Here one 64-bit key is drawn from
// the default generator per call (so masks stay a deterministic function of its seed, which the
// trainer sets per (seed, step)) and entry i is kept iff a counter-based hash of (key, i) falls
// below (1 - p) * 2^24: vectorised, independent of the thread count. Same expectation and
// scaling as at::dropout (kept entries times 1 / (1 - p)); other devices use at::dropout.
#include <ATen/ATen.h>

namespace automoe {

// x when !train or p == 0; zeros when p == 1; else x * mask, differentiable in x.
at::Tensor fastDropout(const at::Tensor& x, double p, bool train);

}  // namespace automoe
