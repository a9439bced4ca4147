#pragma once
// Prints a training run's progress to stderr (every `every` updates, validations, checkpoints),
// with the time the rest of the run will take at this process's pace so far.
#include <cstdint>
#include <cstdio>
#include <string>

#include "time_left.h"
#include "train/training_observer.h"

namespace automoe::cli {

class ConsoleObserver final : public TrainingObserver {
 public:
  ConsoleObserver(int64_t total, int64_t every, bool quiet) : m_total(total), m_every(every), m_quiet(quiet) {}
  void onStep(const TrainStepStats& s) override {
    if (m_firstStep < 0) m_firstStep = s.step;
    if (m_quiet || (s.step % m_every != 0 && s.step != 1)) return;
    // Validation and checkpoints included, since this observer was made (just before the run).
    const std::string left = m_timeLeft.after(s.step - m_firstStep + 1, m_total - s.step);
    std::fprintf(stderr, "update %lld/%lld  loss %.3f  nll %.3f  aux %.4f  lr %.2e  %.0f tgt tok/s  %s left  %s\n",
                 static_cast<long long>(s.step), static_cast<long long>(m_total), s.loss, s.nll, s.auxLoss, s.lr,
                 s.targetTokensPerSecond, left.c_str(), s.arch.c_str());
  }
  void onValidation(const ValidationStats& v) override {
    if (m_quiet) return;
    std::fprintf(stderr, "valid @%lld:", static_cast<long long>(v.step));
    for (const auto& e : v.subnets) std::fprintf(stderr, "  %s %.3f", e.name.c_str(), e.loss);
    std::fprintf(stderr, "\n");
  }
  void onCheckpoint(const std::string& path, int64_t step) override {
    if (!m_quiet) std::fprintf(stderr, "checkpoint %s (update %lld)\n", path.c_str(), static_cast<long long>(step));
  }
  void onMessage(const std::string& text) override { std::fprintf(stderr, "%s\n", text.c_str()); }

 private:
  int64_t m_total, m_every;
  bool m_quiet;
  int64_t m_firstStep = -1;  // the first update this process ran
  TimeLeft m_timeLeft;
};

}  // namespace automoe::cli
