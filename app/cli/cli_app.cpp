#include "cli_app.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "arg_parser.h"
#include "commands.h"
#include "util/config_error.h"

namespace automoe::cli {

const std::vector<Command>& allCommands() {
  static const std::vector<Command> kCommands = {
      {"space", "sample", "PROJECT [--seed N] [--count K]",
       "print K random subnets of the project's search space as JSON (one per line)", spaceSample},
      {"space", "describe", "PROJECT [--samples N] [--seed N] [--src-len N] [--tgt-len N]",
       "summarise the search space: size, largest/smallest subnets and N samples with their costs",
       spaceDescribe},
      {"arch", "stats", "PROJECT ARCH.json [--src-len N] [--tgt-len N] [--json]",
       "print total/active parameters and FLOPs of a subnet", archStats},
      {"arch", "validate", "PROJECT ARCH.json",
       "check that a subnet lies in the project's search space (lists every problem)", archValidate},
      {"latency", "measure", "PROJECT ARCH.json [--profile P] [--runs N] [--warmup N] [--json]",
       "measure a subnet's inference latency under a hardware profile", latencyMeasure},
      {"latency", "dataset", "PROJECT [--samples N] [--profile P]",
       "measure N subnets into runs/latency/<profile>.jsonl (resumable; Ctrl-C keeps every sample)",
       latencyDataset},
      {"latency", "train", "PROJECT [--profile P] [--holdout F] [--steps N]",
       "train the latency predictor on the profile's dataset; reports held-out RMSE, MAPE, tau",
       latencyTrain},
      {"latency", "predict", "PROJECT ARCH.json [--profile P] [--json]",
       "predict a subnet's latency with the profile's trained predictor", latencyPredict},
  };
  return kCommands;
}

namespace {

void printHelp(std::FILE* out) {
  std::fprintf(out,
               "automoe %s - AutoMoE Workbench, headless front end\n\n"
               "Neural architecture search over sparse Mixture-of-Experts Transformers.\n\n"
               "usage: automoe COMMAND SUBCOMMAND [ARGS...]\n\n"
               "commands:\n",
               AUTOMOE_VERSION);
  for (const auto& c : allCommands())
    std::fprintf(out, "  %s %s %s\n      %s\n", c.group, c.name, c.usage, c.summary);
  std::fprintf(out,
               "\noptions:\n  --help      this text\n  --version   print the version\n\n"
               "exit codes: 0 success, 1 internal error, 2 bad input (usage, project, search space,\n"
               "            architecture or checkpoint; the message names the file and field),\n"
               "            130 stopped by SIGINT/SIGTERM after saving its state\n");
}

}  // namespace

int runCli(int argc, char** argv) {
  const Args all(argv + 1, argv + argc);
  if (all.empty()) {
    printHelp(stderr);
    return kExitBadInput;
  }
  if (all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
    printHelp(stdout);
    return kExitOk;
  }
  if (all[0] == "--version") {
    std::printf("automoe %s\n", AUTOMOE_VERSION);
    return kExitOk;
  }
  const Command* cmd = nullptr;
  bool groupKnown = false;
  for (const auto& c : allCommands()) {
    if (all[0] != c.group) continue;
    groupKnown = true;
    if (all.size() > 1 && all[1] == c.name) cmd = &c;
  }
  try {
    if (!cmd) {
      if (groupKnown && all.size() > 1)
        throw UsageError("unknown subcommand '" + all[0] + " " + all[1] + "'");
      if (groupKnown) throw UsageError("'" + all[0] + "' needs a subcommand");
      throw UsageError("unknown command '" + all[0] + "'");
    }
    const Args rest(all.begin() + 2, all.end());
    for (const auto& a : rest)
      if (a == "--help" || a == "-h") {
        std::printf("usage: automoe %s %s %s\n  %s\n", cmd->group, cmd->name, cmd->usage,
                    cmd->summary);
        return kExitOk;
      }
    return cmd->run(rest);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "automoe: %s\n", e.what());
    if (cmd)
      std::fprintf(stderr, "usage: automoe %s %s %s\n", cmd->group, cmd->name, cmd->usage);
    else
      std::fprintf(stderr, "run 'automoe --help' for the list of commands\n");
    return kExitBadInput;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "automoe: %s\n", e.what());
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "automoe: internal error: %s\n", e.what());
    return kExitInternal;
  }
}

}  // namespace automoe::cli
