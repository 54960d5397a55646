// kiln-save-victim: saves a model's weights again and again until it is
// killed; tests/test_checkpoint_kill.cpp kills it at random moments.
//
//   kiln-save-victim save_weights <path> <first k>
//   kiln-save-victim checkpoint   <path> <first k>
//
// Prints "ready" once the model is built, then for k = first, first+1, ...:
// sets every weight to k, prints "saving k", saves to <path>, prints
// "saved k". Each line is flushed at once, so whoever reads the output knows
// which save had completed when the process died.
//   save_weights: Model::save_weights in a loop.
//   checkpoint:   fit() with a ModelCheckpoint (save_best_only = false)
//                 saving at every epoch end, after a callback has set the
//                 weights to k (one training step changes them in between).

#include <charconv>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "models/callbacks.hpp"
#include "save_victim_model.hpp"

using namespace kiln;

namespace {

// One write() per line, and a pipe write shorter than PIPE_BUF is atomic:
// a kill never leaves half a line for the reader to misparse.
void say(const char* what, long k) {
  std::printf("%s %ld\n", what, k);
  std::fflush(stdout);
}

[[noreturn]] void save_weights_forever(const Functional& model, const std::string& path, long k) {
  for (;; ++k) {
    testing::fill_weights(*model, static_cast<float>(k));
    say("saving", k);
    model->save_weights(path);
    say("saved", k);
  }
}

// x = 0 keeps every output and the loss finite for any k a test reaches:
// the output is 512 k^2 + k.
void checkpoint_forever(const Functional& model, const std::string& path, long k) {
  model->compile({.optimizer = "sgd", .loss = "mse"});
  const Array x = xt::zeros<float>({1, 1});
  const Array y = xt::zeros<float>({std::size_t{1}, testing::kSaveVictimOutputUnits});
  auto set_k = std::make_shared<LambdaCallback>(LambdaCallback::Options{
      .on_epoch_end = [&](std::size_t, const Logs&) {
        testing::fill_weights(*model, static_cast<float>(k));
        say("saving", k);
      }});
  auto checkpoint = std::make_shared<ModelCheckpoint>(
      ModelCheckpoint::Options{.filepath = path, .save_best_only = false});
  auto report = std::make_shared<LambdaCallback>(LambdaCallback::Options{
      .on_epoch_end = [&](std::size_t, const Logs&) { say("saved", k++); }});
  model->fit({x}, {y}, {.batch_size = 1, .epochs = 1'000'000'000, .verbose = 0,
                        .callbacks = {set_k, checkpoint, report}});
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc == 4 ? argv[1] : "";
  long first = 0;
  const std::string_view k_text = argc == 4 ? argv[3] : "";
  const auto parsed = std::from_chars(k_text.data(), k_text.data() + k_text.size(), first);
  if ((mode != "save_weights" && mode != "checkpoint") || parsed.ec != std::errc() ||
      parsed.ptr != k_text.data() + k_text.size()) {
    std::fprintf(stderr, "usage: kiln-save-victim save_weights|checkpoint <path> <first k>\n");
    return 2;
  }
  try {
    const Functional model = testing::save_victim_model();
    say("ready", first);
    if (mode == "save_weights") save_weights_forever(model, argv[2], first);
    checkpoint_forever(model, argv[2], first);
    std::fprintf(stderr, "kiln-save-victim: fit() returned; it should have been killed first\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kiln-save-victim: %s\n", e.what());
    return 1;
  }
}
