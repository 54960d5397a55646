// kiln-bench: benchmarks, not tests. Figures are medians over repetitions;
// ratios compare against a reference run in the same invocation.
//   kiln-bench ops               engine overhead and matmul vs raw BLAS
//   kiln-bench conv              Conv1D / Conv2D forward + backward (vs PyTorch: bench/compare_conv.sh)
//   kiln-bench nmt [--quick] [--config seed|large|transformer]
//                                NMT training step vs its GEMM floor, decoding, memory
//   kiln-bench ... --threads N   BLAS threads (default: all cores)

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ops/blas.hpp"

namespace kiln::bench {
int run_ops();
int run_conv();
int run_nmt(bool quick, const std::string& only_config);
}

namespace {

void usage(std::FILE* to) {
  std::fprintf(to,
               "usage: kiln-bench <suite> [--threads N] [--quick] [--config NAME]\n"
               "suites:\n"
               "  ops   op_overhead_us (4x4 element-wise op with tape + backward), matmul_ratio (vs cblas_sgemm),\n"
               "        kernel_op= (a Transformer step's layer_norm, dropout_add, Dense and self-attention, forward +\n"
               "        backward, on every instruction set this CPU runs, interleaved)\n"
               "  conv  a Conv1D and a Conv2D forward + backward, medians with p10/p90\n"
               "        (bash bench/compare_conv.sh runs PyTorch at the same shapes alongside)\n"
               "  nmt   seed and large NMT training steps vs the BLAS floor of their own products (floor_ms,\n"
               "        ratio_to_floor; gemm_bound_ms: the older hand-listed bound), greedy decode, RSS over 1000 steps\n"
               "        (--quick: fewer steps, no RSS run; --config seed|large: time that training step only,\n"
               "         e.g. under a profiler; --config transformer: the Transformer translator's step and its\n"
               "         decoding with the key/value cache vs rerunning the prefix)\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      usage(stdout);
      return 0;
    }
  }
  const std::string suite = argv[1];
  int threads = 0;  // 0: all cores
  bool quick = false;
  std::string only_config;
  for (int i = 2; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
    } else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
      char* end = nullptr;
      const char* text = argv[++i];
      const long n = std::strtol(text, &end, 10);
      if (end == text || *end || n < 1 || n > 1024) {
        std::fprintf(stderr, "kiln-bench: --threads takes a count from 1 to 1024, got '%s'\n", text);
        return 2;
      }
      threads = int(n);
    } else if (!std::strcmp(argv[i], "--config") && i + 1 < argc) {
      only_config = argv[++i];
    } else {
      std::fprintf(stderr, "kiln-bench: unknown option '%s'\n", argv[i]);
      return 2;
    }
  }
  kiln::set_num_threads(threads);
  if (suite == "ops") return kiln::bench::run_ops();
  if (suite == "conv") return kiln::bench::run_conv();
  if (suite == "nmt") return kiln::bench::run_nmt(quick, only_config);
  std::fprintf(stderr, "kiln-bench: unknown suite '%s'\n", suite.c_str());
  usage(stderr);
  return 2;
}
