#pragma once
// What an evolutionary search reports while it runs: every candidate as it is evaluated (or read
// back from the history on a resume) and a summary after every generation.
#include <string>

#include "search/generation_report.h"
#include "search/search_candidate.h"

namespace automoe {

class SearchObserver {
 public:
  virtual ~SearchObserver() = default;
  virtual void onCandidate(const SearchCandidate& /*c*/, bool /*fromHistory*/) {}
  virtual void onGeneration(const GenerationReport& /*g*/, const SearchCandidate& /*best*/) {}
  virtual void onMessage(const std::string& /*text*/) {}
};

}  // namespace automoe
