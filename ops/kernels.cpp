#include "ops/kernels.hpp"

#include <atomic>
#include <cstdlib>

#include "graph/error.hpp"

namespace kiln::kernels {

// One table per level, each in its own object (ops/kernels/isa_v*.cpp).
namespace v2 { extern const Table table; }
namespace v3 { extern const Table table; }
namespace v4 { extern const Table table; }

namespace {

struct Variant {
  const Table* table;
  bool (*runs_here)();
};

// Narrowest first. GCC's cpu checks read CPUID once, and x86-64-v3/-v4 test
// every feature of the level (AVX2, FMA, BMI2, ... / AVX-512 F, BW, DQ, VL).
const Variant variants[] = {
    {&v2::table, [] { return true; }},
    {&v3::table, [] { return __builtin_cpu_supports("x86-64-v3") != 0; }},
    {&v4::table, [] { return __builtin_cpu_supports("x86-64-v4") != 0; }},
};

const Table& find(const std::string& isa) {
  for (const Variant& v : variants) {
    if (isa != v.table->isa) continue;
    if (!v.runs_here()) throw Error("kiln kernels: this CPU cannot run the " + isa + " kernels");
    return *v.table;
  }
  throw Error("kiln kernels: unknown instruction set '" + isa +
              "' (expected x86-64-v2, x86-64-v3 or x86-64-v4)");
}

const Table& widest() {
  const Table* best = variants[0].table;
  for (const Variant& v : variants) {
    if (v.runs_here()) best = v.table;
  }
  return *best;
}

const Table& initial() {
  const char* forced = std::getenv("KILN_ISA");
  return forced && *forced ? find(forced) : widest();
}

std::atomic<const Table*> current{nullptr};

}  // namespace

const Table& active() {
  const Table* t = current.load(std::memory_order_acquire);
  if (t) return *t;
  static const Table& first = initial();  // once, thread-safe
  const Table* expected = nullptr;
  current.compare_exchange_strong(expected, &first, std::memory_order_acq_rel);
  return *current.load(std::memory_order_acquire);
}

std::vector<std::string> supported_isas() {
  std::vector<std::string> names;
  for (const Variant& v : variants) {
    if (v.runs_here()) names.emplace_back(v.table->isa);
  }
  return names;
}

void use_isa(const std::string& isa) { current.store(&find(isa), std::memory_order_release); }

}  // namespace kiln::kernels
