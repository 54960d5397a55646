// Memory stays flat over many training steps (each train_on_batch frees the
// graph it recorded and every temporary, so step 300 uses no more memory
// than step 50) and over eager calls outside any NoGradGuard (a dropped
// result frees its graph).

#include <unistd.h>

#include <cstddef>
#include <fstream>

#include "graph/node.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "models/sequential.hpp"
#include "support.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define KILN_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KILN_TEST_ASAN 1
#endif
#endif

#ifdef KILN_TEST_ASAN
// From the sanitizer runtime (sanitizer/allocator_interface.h, which only
// clang installs): bytes the program has allocated and not yet freed.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

using namespace kiln;
using kiln::testing::random_array;

namespace {

// Bytes this process uses. Under AddressSanitizer, freed blocks sit in a
// quarantine that RSS would count, so ask the allocator for live bytes.
std::size_t memory_in_use() {
#ifdef KILN_TEST_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  std::ifstream statm("/proc/self/statm");
  std::size_t total_pages = 0, resident_pages = 0;
  statm >> total_pages >> resident_pages;
  REQUIRE(statm);
  return resident_pages * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
#endif
}

// One-hot targets (batch, classes) for class (i % classes).
Array one_hot_targets(std::size_t batch, std::size_t classes) {
  Array y = Array::from_shape({batch, classes});
  y.fill(0.0f);
  for (std::size_t i = 0; i < batch; ++i) y(i, i % classes) = 1.0f;
  return y;
}

}  // namespace

TEST_CASE("300 train_on_batch steps of a GRU model: the graph is released and memory stays flat") {
  constexpr std::size_t batch = 16, steps = 10, features = 8, classes = 5;
  Sequential model({.layers = {GRU({.units = 32}), Dense({.units = classes, .activation = "softmax"})},
                    .input_shape = {steps, features}});
  model->compile({.optimizer = "adam", .loss = "categorical_crossentropy", .metrics = {"accuracy"}});
  const Array x = random_array({batch, steps, features}, 7);
  const Array y = one_hot_targets(batch, classes);

  std::size_t after_50 = 0;
  double first_loss = 0.0, last_loss = 0.0;
  for (int step = 1; step <= 300; ++step) {
    const auto logs = model->train_on_batch({x}, {y});
    if (step == 1) first_loss = logs.at("loss");
    if (step == 50) after_50 = memory_in_use();
    last_loss = logs.at("loss");
  }
  const std::size_t after_300 = memory_in_use();
  const double growth_mb = (double(after_300) - double(after_50)) / (1 << 20);
  INFO("memory after step 50: " << after_50 / 1024 << " KiB, after step 300: " << after_300 / 1024
                                << " KiB");
  CHECK(growth_mb < 2.0);
  CHECK(last_loss < first_loss);  // it did train
}

TEST_CASE("5,000 eager calls of a GRU model outside a NoGradGuard: every dropped result frees its graph") {
  constexpr std::size_t batch = 8, steps = 12, features = 6;
  Sequential model({.layers = {GRU({.units = 32}), Dense({.units = 4, .activation = "softmax"})},
                    .input_shape = {steps, features}});
  const Tensor x(random_array({batch, steps, features}, 3));
  std::size_t after_500 = 0;
  for (int call = 1; call <= 5000; ++call) {
    const Tensor y = model(x)[0];  // records a graph: the weights require grad
    REQUIRE(y.requires_grad());
    if (call == 500) after_500 = memory_in_use();
  }
  const double growth_mb = (double(memory_in_use()) - double(after_500)) / (1 << 20);
  INFO("memory after call 500: " << after_500 / 1024 << " KiB, growth to call 5000: " << growth_mb << " MiB");
  CHECK(growth_mb < 2.0);
}
