#include "cli_app.h"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>

#include "arg_parser.h"
#include "commands.h"
#include "util/blas_tuner.h"
#include "util/heavy_process_launch.h"
#include "util/config_error.h"
#include "util/file_write_error.h"

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
      {"data", "build", "PROJECT [--refresh] [--force]",
       "download (apt, reused later) and align the parallel corpus; split train/valid/test",
       dataBuild},
      {"data", "prepare", "PROJECT [--force]",
       "train the SentencePiece tokenizer and write the token-id shards the trainer reads",
       dataPrepare},
      {"data", "all", "PROJECT [--refresh] [--force]", "data build, then data prepare", dataAll},
      {"data", "stats", "PROJECT [--samples N] [--json]",
       "corpus and token counts, batches per epoch, N validation pairs", dataStats},
      {"data", "encode", "PROJECT", "text lines on stdin -> token-id lines on stdout", dataEncode},
      {"data", "decode", "PROJECT", "token-id lines on stdin -> text lines on stdout", dataDecode},
      {"train", "", "PROJECT [--max-updates N] [--threads N] [--precision fp32|bf16] [--world-size N [--backend auto|gloo|nccl]] [--fresh] [--synthetic] [--run-dir DIR]",
       "train the SuperTransformer (resumes from the run folder's last checkpoint unless --fresh; "
       "SIGINT saves and exits 130)", train},
      {"run", "", "PROJECT [--trial]",
       "the whole pipeline: corpus, tokenizer, supernet, latency dataset, predictor, search, export, "
       "retrain, evaluate (up-to-date stages skipped, interrupted ones resumed; --trial shrinks every "
       "stage to finish in minutes)", runPipeline},
      {"retrain", "", "PROJECT (--arch ARCH.json | --model DIR) [--max-updates N] [--threads N] [--fresh] [--synthetic] [--run-dir DIR] [--no-latency]",
       "train a searched subnet from scratch with the project's retrain options, average its last "
       "checkpoints and export the result to <run dir>/model (resumable)", retrain},
      {"blas", "info", "[--json]",
       "show which BLAS kernel does the GEMMs and whether a faster one would be used", blasInfo},
      {"blas", "check", "[--core NAME]",
       "run a BLAS kernel in a child and compare its GEMM results with the current kernel's on test matrices", blasCheck},
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
      {"export", "", "PROJECT (--candidate ID | --arch ARCH.json) OUT [--no-latency]",
       "export a subnet with its supernet weights as a standalone model folder (safetensors, card, "
       "tokenizer)", exportModel},
      {"translate", "", "--model DIR [--beam N] [--lenpen X] [--max-len-a A] [--max-len-b B] [--batch-size N]",
       "translate stdin lines with an exported model (beam search); translations on stdout", translate},
      {"evaluate", "", "PROJECT (--arch ARCH.json | --candidate ID | --model DIR) [--split test|valid] "
       "[--max-sentences N] [--json]",
       "loss and sacreBLEU of a subnet with inherited supernet weights, or of an exported model", evaluate},
      {"search", "", "PROJECT [--generations N] [--population N] [--fresh] [--trial] [--json] [--synthetic] [--threads N]",
       "evolutionary search with the trained supernet's weights; writes runs/search/history.jsonl (resumable; "
       "SIGINT keeps it and exits 130) and result.json", search},
  };
  return kCommands;
}

namespace {

std::string usageLine(const Command& c) {
  std::string s = std::string("automoe ") + c.group;
  if (c.name[0] != '\0') s += std::string(" ") + c.name;
  return s + " " + c.usage;
}

void printHelp(std::FILE* out) {
  std::fprintf(out,
               "automoe %s - AutoMoE Workbench, headless front end\n\n"
               "Neural architecture search over sparse Mixture-of-Experts Transformers.\n\n"
               "usage: automoe COMMAND SUBCOMMAND [ARGS...]\n\n"
               "commands:\n",
               AUTOMOE_VERSION);
  for (const auto& c : allCommands())
    std::fprintf(out, "  %s\n      %s\n", usageLine(c).c_str() + 8, c.summary);
  std::fprintf(out,
               "\noptions (before the command):\n  --help          this text\n  --version       print the version\n"
               "  --blas MODE     auto (default): for training, latency and search, switch OpenBLAS to a\n"
               "                  faster kernel for this CPU after checking its results; default: never\n"
               "                  (also AUTOMOE_BLAS=default)\n"
               "  (the same restart asks glibc for transparent huge pages where the kernel offers them;\n"
               "   AUTOMOE_HUGE_PAGES=0 turns that off)\n\n"
               "PROJECT: a project file (project.json) or the folder that holds it\n\n"
               "exit codes: 0 success, 1 internal error, 2 bad input (usage, project, search space,\n"
               "            architecture or checkpoint; the message names the file and field),\n"
               "            3 blas check: the kernel failed to run or disagrees,\n"
               "            4 an output could not be written (disk full, permissions; the file before is kept),\n"
               "            5 train/retrain: the loss or its gradient was not finite max_bad_steps times in a row,\n"
               "            6 train --world-size: a rank lost its peers (the launcher reports the rank that failed\n"
               "              first otherwise, with that rank's code),\n"
               "            130 stopped by SIGINT/SIGTERM after saving its state\n");
}

}  // namespace

int runCli(int argc, char** argv) {
  if (answerBlasSelfTest(argc, argv)) return kExitOk;  // child of checkBlasKernel
  Args all(argv + 1, argv + argc);
  bool blasDisabled = std::getenv("AUTOMOE_BLAS") && std::string(std::getenv("AUTOMOE_BLAS")) == "default";
  if (!all.empty() && (all[0] == "--blas" || all[0].rfind("--blas=", 0) == 0)) {
    std::string mode = all[0] == "--blas" ? (all.size() > 1 ? all[1] : "") : all[0].substr(7);
    if (mode != "auto" && mode != "default") {
      std::fprintf(stderr, "automoe: option --blas: expected auto or default, got '%s'\n", mode.c_str());
      return kExitBadInput;
    }
    blasDisabled = mode == "default";
    all.erase(all.begin(), all.begin() + (all[0] == "--blas" ? 2 : 1));
  }
  static const std::set<std::string> kHeavy = {"train", "latency", "search", "run", "retrain", "evaluate", "export"};
  if (!all.empty() && kHeavy.count(all[0])) launchAsHeavyProcess(argc, argv, blasDisabled);
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
  size_t restStart = 2;
  for (const auto& c : allCommands()) {
    if (all[0] != c.group) continue;
    groupKnown = true;
    if (c.name[0] == '\0') {  // a command without subcommands, e.g. "train"
      cmd = &c;
      restStart = 1;
    } else if (all.size() > 1 && all[1] == c.name) {
      cmd = &c;
    }
  }
  try {
    if (!cmd) {
      if (groupKnown && all.size() > 1)
        throw UsageError("unknown subcommand '" + all[0] + " " + all[1] + "'");
      if (groupKnown) throw UsageError("'" + all[0] + "' needs a subcommand");
      throw UsageError("unknown command '" + all[0] + "'");
    }
    const Args rest(all.begin() + static_cast<long>(restStart), all.end());
    for (const auto& a : rest)
      if (a == "--help" || a == "-h") {
        std::printf("usage: %s\n  %s\n", usageLine(*cmd).c_str(), cmd->summary);
        return kExitOk;
      }
    return cmd->run(rest);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "automoe: %s\n", e.what());
    if (cmd)
      std::fprintf(stderr, "usage: %s\n", usageLine(*cmd).c_str());
    else
      std::fprintf(stderr, "run 'automoe --help' for the list of commands\n");
    return kExitBadInput;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "automoe: %s\n", e.what());
    return kExitBadInput;
  } catch (const FileWriteError& e) {
    std::fprintf(stderr, "automoe: %s\n", e.what());
    return kExitWriteFailed;
  } catch (const std::filesystem::filesystem_error& e) {  // a folder not created or removed, as above
    std::fprintf(stderr, "automoe: %s\n", e.what());
    return kExitWriteFailed;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "automoe: internal error: %s\n", e.what());
    return kExitInternal;
  }
}

}  // namespace automoe::cli
