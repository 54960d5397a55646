// kiln-bench: benchmarks, not tests. Figures are medians over repetitions;
// ratios compare against a reference run in the same invocation.
//   kiln-bench ops               engine overhead and matmul vs raw BLAS
//   kiln-bench conv              Conv1D / Conv2D forward + backward (vs PyTorch: bench/compare_conv.sh)
//   kiln-bench nmt [--quick] [--config seed|large|transformer]
//                                NMT training step vs its GEMM floor, decoding, memory
//   kiln-bench ... --threads N   BLAS threads (default: all cores)

#include <string>

#include "examples/command_line.hpp"
#include "ops/blas.hpp"

namespace kiln::bench {
int run_ops();
int run_conv();
int run_nmt(bool quick, const std::string& only_config);
}

namespace {

constexpr const char* usage_text =
    " <suite> [--threads N] [--quick] [--config NAME]\n"
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
    "         decoding with the key/value cache vs rerunning the prefix)\n";

}  // namespace

int main(int argc, char** argv) {
  const examples::CommandLine line(argc, argv, usage_text);
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      line.print_usage();
      return 0;
    }
  }
  if (argc < 2) line.fail("which suite?");
  const std::string suite = argv[1];
  std::size_t threads = 0;  // 0: all cores
  bool quick = false;
  std::string only_config;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--threads") {
      threads = line.whole(i, 1, 1024);
    } else if (arg == "--config") {
      only_config = line.value(i);
    } else {
      line.fail("unknown option '" + arg + "'");
    }
  }
  kiln::set_num_threads(int(threads));
  if (suite == "ops") return kiln::bench::run_ops();
  if (suite == "conv") return kiln::bench::run_conv();
  if (suite == "nmt") return kiln::bench::run_nmt(quick, only_config);
  line.fail("unknown suite '" + suite + "'");
}
