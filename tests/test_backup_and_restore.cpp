// BackupAndRestore: a fit() interrupted by an exception (thrown from a
// callback in the middle of an epoch) and run again with the same callback
// ends with exactly the weights of a run that was never interrupted: the
// weights, Adam's moments, the learning rate, the dropout generators and
// the shuffled order all come back from the backup.

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "io/atomic_file.hpp"
#include "layers/dense.hpp"
#include "layers/dropout.hpp"
#include "layers/transformer_encoder.hpp"
#include "models/backup_and_restore.hpp"
#include "models/functional.hpp"
#include "optimizers/adam.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::ScratchDir;

namespace {

constexpr std::size_t kSamples = 20, kBatch = 4, kEpochs = 4;  // 5 steps per epoch

// The same layer names every time (weights and generators are matched by
// name), the same initial weights (a fixed global seed), and dropout, so
// the generators' states matter.
Functional make_model() {
  set_random_seed(7);
  auto in = Input({4}, "features");
  Dense hidden({.units = 8, .activation = "relu", .name = "hidden"});
  Dropout drop({.rate = 0.3f, .name = "drop"});
  Dense out({.units = 1, .name = "out"});
  Functional model({in}, {out(drop(hidden(in)))}, "resumable");
  model->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.01f}), .loss = "mse"});
  return model;
}

struct Data {
  Array x = testing::random_array({kSamples, 4}, 21);
  Array y = testing::random_array({kSamples, 1}, 22);
};

// Halves the learning rate after the first epoch, as a ReduceLROnPlateau
// might: a resumed run must get the lowered rate from the backup.
std::shared_ptr<Callback> halve_rate_after_first_epoch(Functional& model) {
  return std::make_shared<LambdaCallback>(LambdaCallback::Options{.on_epoch_end = [&model](std::size_t epoch, const Logs&) {
    if (epoch == 0) model->optimizer().set_learning_rate(model->optimizer().learning_rate() / 2);
  }});
}

// Throws from on_batch_end at (epoch, batch): the interruption.
std::shared_ptr<Callback> crash_at(std::size_t epoch, std::size_t batch) {
  auto current = std::make_shared<std::size_t>(0);
  return std::make_shared<LambdaCallback>(LambdaCallback::Options{
      .on_epoch_begin = [current](std::size_t e, const Logs&) { *current = e; },
      .on_batch_end =
          [current, epoch, batch](std::size_t b, const Logs&) {
            if (*current == epoch && b == batch) throw std::runtime_error("simulated crash");
          }});
}

FitOptions fit_options(std::vector<std::shared_ptr<Callback>> callbacks) {
  // seed 0: fit draws its shuffling seed from the global generator, so the
  // resumed run must take it from the backup to see the same batches.
  return {.batch_size = kBatch, .epochs = kEpochs, .shuffle = true, .seed = 0, .verbose = 0,
          .callbacks = std::move(callbacks)};
}

std::vector<Array> uninterrupted_weights(const Data& data) {
  Functional model = make_model();
  model->fit({data.x}, {data.y}, fit_options({halve_rate_after_first_epoch(model)}));
  return model->get_weights();
}

bool identical(const std::vector<Array>& a, const std::vector<Array>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].shape() != b[i].shape() || std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)) != 0) {
      return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("a fit interrupted mid-epoch resumes at the backed-up step and ends with the uninterrupted weights, bit for bit") {
  ScratchDir dir("backup");
  const Data data;
  const auto want = uninterrupted_weights(data);
  const auto backup_dir = dir.path / "backup";
  auto backup = std::make_shared<BackupAndRestore>(BackupAndRestore::Options{.backup_dir = backup_dir, .save_freq = 2});

  Functional interrupted = make_model();
  // Steps 2, 4, ..., 12 are backed up; the crash comes after step 13
  // (epoch 2, batch 2), so the last backup is epoch 2 with 2 steps done.
  CHECK_THROWS_WITH_AS(interrupted->fit({data.x}, {data.y},
                                        fit_options({backup, halve_rate_after_first_epoch(interrupted), crash_at(2, 2)})),
                       "simulated crash", std::runtime_error);
  REQUIRE(std::filesystem::exists(backup_dir / "training_state.json"));
  const auto state = nlohmann::json::parse(io::read_file(backup_dir / "training_state.json"));
  CHECK(state.at("epoch") == 2);
  CHECK(state.at("step") == 2);
  CHECK(state.at("generators").contains("drop/seed_generator"));
  CHECK(state.at("learning_rate").get<float>() == 0.005f);

  // A new process, as after a crash: a fresh model, and a global generator
  // that would give fit another shuffling seed.
  Functional resumed = make_model();
  global_generator()();
  const History h = resumed->fit({data.x}, {data.y}, fit_options({backup, halve_rate_after_first_epoch(resumed)}));
  REQUIRE(backup->restored_from().has_value());
  CHECK(backup->restored_from()->epoch == 2);
  CHECK(backup->restored_from()->step == 2);
  CHECK(h.epochs() == 2);  // epochs 3 and 4: History holds what this fit ran
  CHECK(resumed->optimizer().iterations() == kEpochs * kSamples / kBatch);
  CHECK(identical(resumed->get_weights(), want));
  CHECK_FALSE(std::filesystem::exists(backup_dir));  // delete_checkpoint: gone after a normal end
}

TEST_CASE("backups once per epoch resume at the start of the interrupted epoch with the same result") {
  ScratchDir dir("backup");
  const Data data;
  const auto want = uninterrupted_weights(data);
  auto backup = std::make_shared<BackupAndRestore>(BackupAndRestore::Options{.backup_dir = dir.path / "b"});
  Functional interrupted = make_model();
  CHECK_THROWS_AS(interrupted->fit({data.x}, {data.y},
                                   fit_options({backup, halve_rate_after_first_epoch(interrupted), crash_at(3, 1)})),
                  std::runtime_error);
  Functional resumed = make_model();
  resumed->fit({data.x}, {data.y}, fit_options({backup, halve_rate_after_first_epoch(resumed)}));
  REQUIRE(backup->restored_from().has_value());
  CHECK(backup->restored_from()->epoch == 3);
  CHECK(backup->restored_from()->step == 0);
  CHECK(identical(resumed->get_weights(), want));
}

TEST_CASE("the dropout generators' restored states matter: disturbing one after the restore changes the result") {
  // The control for the tests above: were the generators not restored, the
  // masks after resuming would differ and so would the weights.
  ScratchDir dir("backup");
  const Data data;
  const auto want = uninterrupted_weights(data);
  auto backup = std::make_shared<BackupAndRestore>(BackupAndRestore::Options{.backup_dir = dir.path / "b", .save_freq = 3});
  Functional interrupted = make_model();
  CHECK_THROWS_AS(interrupted->fit({data.x}, {data.y},
                                   fit_options({backup, halve_rate_after_first_epoch(interrupted), crash_at(1, 3)})),
                  std::runtime_error);
  Functional resumed = make_model();
  auto disturb = std::make_shared<LambdaCallback>(LambdaCallback::Options{.on_train_begin = [&resumed](const Logs&) {
    const auto generators = resumed->named_generators();
    REQUIRE(generators.size() == 1);
    CHECK(generators[0].first == "drop/seed_generator");
    generators[0].second->discard(1);
  }});
  resumed->fit({data.x}, {data.y}, fit_options({backup, disturb, halve_rate_after_first_epoch(resumed)}));
  CHECK_FALSE(identical(resumed->get_weights(), want));
}

TEST_CASE("BackupAndRestore with delete_checkpoint off keeps the last backup, and a fit started on it has nothing left to run") {
  ScratchDir dir("backup");
  const Data data;
  const auto backup_dir = dir.path / "b";
  auto backup = std::make_shared<BackupAndRestore>(
      BackupAndRestore::Options{.backup_dir = backup_dir, .delete_checkpoint = false});
  Functional model = make_model();
  model->fit({data.x}, {data.y}, fit_options({backup}));
  REQUIRE(std::filesystem::exists(backup_dir / "weights.safetensors"));
  CHECK(std::filesystem::exists(backup_dir / "optimizer.safetensors"));
  const auto trained = model->get_weights();
  // As Keras: the backup says all epochs are done, so the next fit() runs none.
  const History again = model->fit({data.x}, {data.y}, fit_options({backup}));
  CHECK(again.epochs() == 0);
  CHECK(identical(model->get_weights(), trained));
}

TEST_CASE("BackupAndRestore never replaces a directory holding files it did not write") {
  ScratchDir dir("backup");
  const Data data;
  std::filesystem::create_directories(dir.path / "b");
  io::write_file_atomically(dir.path / "b" / "notes.txt", "mine\n");
  auto backup = std::make_shared<BackupAndRestore>(BackupAndRestore::Options{.backup_dir = dir.path / "b"});
  Functional model = make_model();
  CHECK_THROWS_WITH_AS(model->fit({data.x}, {data.y}, fit_options({backup})), doctest::Contains("notes.txt"), Error);
  CHECK(io::read_file(dir.path / "b" / "notes.txt") == "mine\n");
}

TEST_CASE("BackupAndRestore names the file and the fault when a backup does not fit the model") {
  ScratchDir dir("backup");
  const Data data;
  const auto backup_dir = dir.path / "b";
  auto backup = std::make_shared<BackupAndRestore>(
      BackupAndRestore::Options{.backup_dir = backup_dir, .delete_checkpoint = false});
  Functional model = make_model();
  model->fit({data.x}, {data.y}, {.batch_size = kBatch, .epochs = 1, .verbose = 0, .callbacks = {backup}});

  SUBCASE("a damaged training_state.json") {
    io::write_file_atomically(backup_dir / "training_state.json", "{\"epoch\": 1");
    CHECK_THROWS_WITH_AS(model->fit({data.x}, {data.y}, fit_options({backup})),
                         doctest::Contains((backup_dir / "training_state.json").string().c_str()), FormatError);
  }
  SUBCASE("a model without the backup's dropout layer") {
    set_random_seed(7);
    auto in = Input({4}, "features");
    Dense hidden({.units = 8, .activation = "relu", .name = "hidden"});
    Dense out({.units = 1, .name = "out"});
    Functional other({in}, {out(hidden(in))}, "resumable");
    other->compile({.optimizer = "adam", .loss = "mse"});
    CHECK_THROWS_WITH_AS(other->fit({data.x}, {data.y}, fit_options({backup})),
                         doctest::Contains("random generator 'drop/seed_generator' does not exist"), FormatError);
  }
}

TEST_CASE("BackupAndRestore refuses a save_freq other than \"epoch\" or a positive step count") {
  CHECK_THROWS_WITH_AS(BackupAndRestore({.backup_dir = "b", .save_freq = "batch"}), doctest::Contains("save_freq"), Error);
  CHECK_THROWS_WITH_AS(BackupAndRestore({.backup_dir = "b", .save_freq = 0}), doctest::Contains("save_freq"), Error);
  CHECK_THROWS_WITH_AS(BackupAndRestore({.backup_dir = ""}), doctest::Contains("backup_dir is empty"), Error);
}

TEST_CASE("named_generators finds the generators of nested layers, named by their path") {
  TransformerEncoder encoder({.intermediate_dim = 8, .num_heads = 2, .dropout = 0.1f, .name = "enc"});
  encoder->build_for({{2, 3, 4}});
  const auto generators = encoder->named_generators();
  // Its own (the residual dropouts') and its self-attention's (the attention dropout).
  REQUIRE(generators.size() == 2);
  CHECK(generators[0].first == "enc/seed_generator");
  CHECK(generators[1].first.rfind("enc/", 0) == 0);
  CHECK(generators[1].first.ends_with("/seed_generator"));
  CHECK(generators[0].second != generators[1].second);
  Dense dense({.units = 2});
  CHECK(dense->named_generators().empty());
}
