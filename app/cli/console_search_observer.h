#pragma once
// Prints a search's progress to stderr: each generation's best, its front and hypervolume, and the
// time the remaining generations will take at this process's pace.
#include <cstdio>
#include <string>

#include "search/search_observer.h"
#include "time_left.h"

namespace automoe::cli {

class ConsoleSearchObserver final : public SearchObserver {
 public:
  explicit ConsoleSearchObserver(int generations) : m_generations(generations) {}
  void onGeneration(const GenerationReport& g, const SearchCandidate& best) override {
    std::fprintf(stderr, "generation %d/%d%s  best #%d loss %.4f  %d evaluated (%d new, %d cached)", g.generation + 1,
                 m_generations, g.replayed ? " (from history)" : "", g.bestId, g.bestFitness, g.evaluatedTotal,
                 g.evaluatedNow, g.reusedNow);
    if (g.multiObjective) std::fprintf(stderr, "  front %zu  hypervolume %.4g", g.front.size(), g.hypervolume);
    if (!g.replayed)  // at the pace of the generations evaluated in this process
      std::fprintf(stderr, "  %s left", m_timeLeft.after(++m_evaluated, m_generations - g.generation - 1).c_str());
    std::fprintf(stderr, "\n  best: %s\n", best.arch.summary().c_str());
  }
  void onMessage(const std::string& text) override { std::fprintf(stderr, "%s\n", text.c_str()); }

 private:
  TimeLeft m_timeLeft;
  int m_evaluated = 0;  // generations evaluated (not replayed from the history) so far
  int m_generations;
};

}  // namespace automoe::cli
